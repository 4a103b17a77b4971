export { createReportsService, type ReportsService, type ReportsServiceOptions, type DayListEntry, type RiskEventsSource } from "./service";
export { simulatorLedgerSource, type BrokerExecutionsSource } from "./broker-source";
export { EndOfDayScheduler, systemClock, type SchedulerClock } from "./scheduler";
export { reportWorkbook } from "./xlsx";
export { fillsCsv, FILL_CSV_COLUMNS } from "./csv";
export { discordSummary } from "./discord";
