import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { backtestReport, equityCsv, formatReport } from "@/lib/core/backtest/report";
import { runBacktest } from "@/lib/core/backtest/run";
import { parseOhlcvCsv } from "@/lib/core/data/csv";
import { perShareCommission, percentCommission, zeroCommission, type CommissionModel } from "@/lib/core/model/commission";
import { defineInstrument } from "@/lib/core/model/instrument";
import { createStrategy, strategyNames } from "@/lib/core/strategies/registry";
import type { Sizing } from "@/lib/core/engine/sizing";

const USAGE = `Usage: npm run backtest -- --data FILE.csv [options]

  --data FILE            OHLCV CSV (date,open,high,low,close,volume)
  --strategy NAME        ${strategyNames.join(" | ")} (default golden-cross)
  --fast N --slow N      moving-average periods (golden-cross 50/200, ma-cross 10/30)
  --mode state|cross     hold the side the averages point to, or act only on crossings
  --average sma|ema      ma-cross only
  --long-only | --long-short
  --rsi-period N --oversold X --overbought X --vwap-period N --band-width K
  --target-points X | --target-percent X | --target-atr X   rsi-vwap profit target
  --session-end HH:mm --time-zone ZONE                       rsi-vwap session end (exchange-local)
  --fill close|next-open     market fills at the signal bar's close or the next open (default close)
  --slippage-bps X           adverse slippage on market and stop fills
  --commission ibkr-fixed|zero   or  --commission-pct FRACTION (0.001 = 10 bp)
  --capital X            starting cash (default 100000)
  --sizing all-in|fixed|percent  --quantity N  --percent FRACTION
  --fractional           allow fractional shares (all cash invested)
  --symbol S --tick-size X
  --json                 print one JSON object
  --equity-csv FILE      write the equity curve
`;

const options = {
  data: { type: "string" },
  strategy: { type: "string", default: "golden-cross" },
  fast: { type: "string" },
  slow: { type: "string" },
  mode: { type: "string" },
  average: { type: "string" },
  "long-only": { type: "boolean" },
  "long-short": { type: "boolean" },
  "rsi-period": { type: "string" },
  oversold: { type: "string" },
  overbought: { type: "string" },
  "vwap-period": { type: "string" },
  "band-width": { type: "string" },
  "target-points": { type: "string" },
  "target-percent": { type: "string" },
  "target-atr": { type: "string" },
  "session-end": { type: "string" },
  "time-zone": { type: "string" },
  fill: { type: "string", default: "close" },
  "slippage-bps": { type: "string", default: "0" },
  commission: { type: "string" },
  "commission-pct": { type: "string" },
  capital: { type: "string", default: "100000" },
  sizing: { type: "string", default: "all-in" },
  quantity: { type: "string" },
  percent: { type: "string" },
  fractional: { type: "boolean", default: false },
  symbol: { type: "string" },
  "tick-size": { type: "string", default: "0.01" },
  json: { type: "boolean", default: false },
  "equity-csv": { type: "string" },
  help: { type: "boolean", default: false },
} as const;

class UsageError extends Error {}

const number = (flag: string) =>
  z
    .string()
    .optional()
    .transform((text, context) => {
      if (text === undefined) return undefined;
      const value = Number(text);
      if (text.trim() === "" || !Number.isFinite(value)) {
        context.addIssue({ code: "custom", message: `--${flag} must be a number, got "${text}"` });
        return z.NEVER;
      }
      return value;
    });

function parseFlags(argv: string[]) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

type Flags = ReturnType<typeof parseFlags>;

function numeric(flags: Flags, flag: keyof Flags): number | undefined {
  const parsed = number(flag).safeParse(flags[flag]);
  if (!parsed.success) throw new UsageError(parsed.error.issues[0].message);
  return parsed.data;
}

function oneOf<T extends string>(flags: Flags, flag: keyof Flags, allowed: readonly T[]): T | undefined {
  const value = flags[flag];
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) throw new UsageError(`--${flag} must be one of ${allowed.join(", ")}, got "${String(value)}"`);
  return value as T;
}

function commissionFrom(flags: Flags): CommissionModel {
  const kind = oneOf(flags, "commission", ["ibkr-fixed", "zero"] as const);
  const rate = numeric(flags, "commission-pct");
  if (kind !== undefined && rate !== undefined) throw new UsageError("give --commission or --commission-pct, not both");
  if (rate !== undefined) {
    if (rate < 0 || rate >= 0.1) throw new UsageError(`--commission-pct is a fraction (0.001 = 10 bp), got ${rate}`);
    return percentCommission(rate);
  }
  return kind === "ibkr-fixed" ? perShareCommission() : zeroCommission;
}

function sizingFrom(flags: Flags): Sizing {
  const kind = oneOf(flags, "sizing", ["all-in", "fixed", "percent"] as const) ?? "all-in";
  if (kind === "all-in") return { kind };
  if (kind === "fixed") {
    const quantity = numeric(flags, "quantity");
    if (quantity === undefined || quantity <= 0) throw new UsageError("--sizing fixed needs --quantity N (positive)");
    return { kind, quantity };
  }
  const fraction = numeric(flags, "percent");
  if (fraction === undefined || fraction <= 0 || fraction > 1) throw new UsageError("--sizing percent needs --percent FRACTION in (0, 1]");
  return { kind: "percent-of-equity", fraction };
}

/** Strategy parameters from the flags that were given; the registry's schema fills the rest. */
function strategyParameters(flags: Flags): Record<string, unknown> {
  if (flags["long-only"] && flags["long-short"]) throw new UsageError("give --long-only or --long-short, not both");
  const targets = (["target-points", "target-percent", "target-atr"] as const).filter((flag) => flags[flag] !== undefined);
  if (targets.length > 1) throw new UsageError(`give one profit target, not ${targets.map((flag) => `--${flag}`).join(" and ")}`);
  const targetKey = { "target-points": "points", "target-percent": "percent", "target-atr": "atr" } as const;
  const entries: [string, unknown][] = [
    ["fast", numeric(flags, "fast")],
    ["slow", numeric(flags, "slow")],
    ["mode", flags.mode],
    ["average", flags.average],
    ["longOnly", flags["long-only"] ? true : flags["long-short"] ? false : undefined],
    ["rsiPeriod", numeric(flags, "rsi-period")],
    ["oversold", numeric(flags, "oversold")],
    ["overbought", numeric(flags, "overbought")],
    ["vwapPeriod", numeric(flags, "vwap-period")],
    ["bandWidth", numeric(flags, "band-width")],
    ["target", targets.length === 1 ? { [targetKey[targets[0]]]: numeric(flags, targets[0]) } : undefined],
    ["sessionEnd", flags["session-end"]],
    ["timeZone", flags["time-zone"]],
  ];
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined));
}

const FLAG_OF_PARAMETER: Record<string, string> = {
  longOnly: "long-only",
  rsiPeriod: "rsi-period",
  vwapPeriod: "vwap-period",
  bandWidth: "band-width",
  sessionEnd: "session-end",
  timeZone: "time-zone",
  target: "target-*",
};

function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const parameter = String(issue.path[0] ?? "");
      const flag = FLAG_OF_PARAMETER[parameter] ?? parameter;
      return flag ? `--${flag}: ${issue.message}` : issue.message;
    })
    .join("; ");
}

function readData(path: string) {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`--data ${path}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`);
  }
  return parseOhlcvCsv(text, { source: path });
}

function progressBar(enabled: boolean) {
  if (!enabled) return undefined;
  return (done: number, total: number) => {
    const width = 30;
    const filled = Math.round((done / total) * width);
    process.stderr.write(`\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${((done / total) * 100).toFixed(0)}%${done === total ? "\n" : ""}`);
  };
}

const LONG_RUN_BARS = 200_000;

function main(argv: string[]): void {
  const flags = parseFlags(argv);
  if (flags.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (!flags.data) throw new UsageError("--data FILE.csv is required");
  const fill = oneOf(flags, "fill", ["close", "next-open"] as const) ?? "close";
  const capital = numeric(flags, "capital") ?? 100_000;
  if (!(capital > 0)) throw new UsageError(`--capital must be positive, got ${capital}`);
  const slippageBps = numeric(flags, "slippage-bps") ?? 0;
  if (slippageBps < 0) throw new UsageError(`--slippage-bps must be >= 0, got ${slippageBps}`);
  const commission = commissionFrom(flags);
  const sizing = sizingFrom(flags);
  const strategy = createStrategy(flags.strategy ?? "golden-cross", strategyParameters(flags));
  const bars = readData(flags.data);
  const instrument = defineInstrument({
    symbol: flags.symbol ?? bars.symbol ?? basename(flags.data).replace(/\.[^.]+$/, ""),
    tickSize: flags["tick-size"],
    ...(flags["time-zone"] ? { timeZone: flags["time-zone"] } : {}),
  });
  const result = runBacktest({
    bars,
    instrument,
    strategy,
    initialCapital: capital,
    fill,
    slippageBps,
    commission,
    sizing,
    fractional: flags.fractional,
    onProgress: progressBar(!flags.json && bars.length >= LONG_RUN_BARS),
  });
  const report = backtestReport(result);
  if (flags["equity-csv"]) writeFileSync(flags["equity-csv"], equityCsv(result));
  const summary = { ...report, strategy: strategy.name, fill, slippageBps, commission: commission.name, sizing: sizing.kind, fractional: flags.fractional };
  process.stdout.write(flags.json ? `${JSON.stringify(summary)}\n` : `${strategy.name} on ${instrument.symbol}, fill at ${fill}, commission ${commission.name}\n\n${formatReport(report)}\n`);
}

try {
  main(process.argv.slice(2));
} catch (error) {
  const message =
    error instanceof z.ZodError ? describeZodError(error) : error instanceof Error ? error.message : String(error);
  process.stderr.write(`backtest: ${message}\n`);
  if (error instanceof UsageError) process.stderr.write("Run with --help for the options.\n");
  process.exitCode = 2;
}
