import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase } from "@/test/db";
import type { ScratchDatabase } from "@/lib/adapters/db/scratch-database";
import { runChaos } from "./chaos";

describe("chaos soak: two simulated trading days of drops, outages, restarts and rejections", () => {
  let database: ScratchDatabase;

  beforeAll(async () => {
    database = await freshDatabase({ migrated: true });
  });

  afterAll(async () => {
    await database?.drop();
  });

  it("ends with every id, decision, execution, commission, position and cash matching the simulator", async () => {
    const report = await runChaos({ databaseUrl: database.url, days: 2, speed: 2_400, seed: 11 });
    console.log(JSON.stringify(report));
    expect(report.problems).toEqual([]);
    expect(report.faults.restarts).toBe(2);
    expect(report.faults.socketDrops + report.faults.connectivityLosses).toBeGreaterThan(5);
    expect(report.decisions).toBeGreaterThan(50);
    expect(report.resentDecisions).toBeGreaterThan(0);
    expect(report.executions).toBeGreaterThan(report.decisions / 2);
    expect(report.reconciles).toBeGreaterThan(3);
    expect(report.heapMb.end).toBeLessThan(report.heapMb.start * 1.5 + 40);
  }, 240_000);
});
