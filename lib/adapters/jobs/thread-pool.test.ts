import { afterEach, describe, expect, it } from "vitest";
import { buildRunSettings, evaluateParameterSet, validationPlan, type ParameterSet } from "@/lib/core/research";
import { ThreadPool, shareSeries } from "./thread-pool";
import { warmUpBars, warmUpTasks } from "./warm-up";

let pool: ThreadPool | undefined;

afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe("compute thread warm-up", () => {
  it("runs before a thread reports ready, and reports how long it took", async () => {
    pool = new ThreadPool(1, { warmUp: true });
    const [warmUpMs] = await pool.ready();
    expect(warmUpMs).toBeGreaterThan(0);
  });

  it("is skipped when not asked for", async () => {
    pool = new ThreadPool(1);
    expect(await pool.ready()).toEqual([undefined]);
  });

  it("leaves a thread's results as they were", async () => {
    pool = new ThreadPool(1, { warmUp: true });
    await pool.ready();
    const bars = warmUpBars(800, 3);
    const parameters: ParameterSet[] = [{ fast: 4, slow: 30 }, { fast: 9, slow: 50, average: "ema" }];
    const task = { ...warmUpTasks()[0], parameters };
    const figures = await pool.run("test", shareSeries(bars), task);
    const settings = buildRunSettings(task.settings, task.series);
    const plan = validationPlan(bars.length, task.validation);
    const direct = task.parameters.map((parameters) => evaluateParameterSet(bars, task.strategy, parameters, settings, plan).metrics.sharpe);
    const perRun = figures.values.length / task.parameters.length;
    expect(task.parameters.map((_, run) => figures.values[run * perRun])).toEqual(direct);
  });
});

describe("warm-up tasks", () => {
  it("are the same every time and cover every strategy that needs no model file", () => {
    expect(warmUpTasks()).toEqual(warmUpTasks());
    expect(Array.from(warmUpBars().close)).toEqual(Array.from(warmUpBars().close));
    expect(new Set(warmUpTasks().map((task) => task.strategy))).toEqual(new Set(["ma-cross", "golden-cross", "rsi-vwap"]));
  });
});
