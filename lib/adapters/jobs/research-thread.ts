import { parentPort, workerData } from "node:worker_threads";
import type { BarSeries } from "@/lib/core/data/bars";
import { DEFAULT_BLOCKS, buildRunSettings, evaluateParameterSet, validationPlan } from "@/lib/core/research";
import { createRunFigures, putRunFigures, type RunFigures } from "@/lib/adapters/db/research-runs";
import { shareSeries, type EvaluationTask, type ThreadOptions, type ThreadReply, type ThreadRequest } from "./thread-pool";
import { warmUpBars, warmUpTasks } from "./warm-up";

/**
 * One compute thread: keeps the bar series it was sent (shared memory, not copies) and evaluates
 * parameter sets on them. A task's figures go back in one Float64Array, in the form they are
 * stored: its memory is handed to the main thread, not copied.
 */
const seriesByKey = new Map<string, BarSeries>();

const options = (workerData ?? {}) as ThreadOptions;
const warmUpMs = options.warmUp ? warmUp() : undefined;
parentPort?.postMessage({ id: 0, ready: true, ...(warmUpMs === undefined ? {} : { warmUpMs }) } satisfies ThreadReply);

parentPort?.on("message", (request: ThreadRequest) => {
  if (request.type === "bars") {
    seriesByKey.set(request.key, request.bars);
    return;
  }
  const reply: ThreadReply = { id: request.id, ...evaluate(request.barsKey, request.task) };
  parentPort?.postMessage(reply, reply.figures ? [reply.figures.values.buffer] : []);
});

/**
 * Evaluates the warm-up's synthetic tasks exactly as chunks are evaluated; the time it took, in
 * ms. Bars and tasks are structured clones, as messages deliver them: objects a message builds
 * have other hidden classes than literals, and code optimised for the one deoptimises on the other.
 */
function warmUp(): number {
  const started = performance.now();
  const key = "warm-up";
  seriesByKey.set(key, structuredClone(shareSeries(warmUpBars())));
  try {
    for (const task of warmUpTasks()) {
      const outcome = evaluate(key, structuredClone(task));
      if ("error" in outcome) throw new Error(`the compute thread's warm-up failed: ${outcome.error}`);
    }
  } finally {
    seriesByKey.delete(key);
  }
  return performance.now() - started;
}

function evaluate(barsKey: string, task: EvaluationTask): { figures: RunFigures } | { error: string } {
  try {
    const bars = seriesByKey.get(barsKey);
    if (!bars) throw new Error(`bars ${barsKey} were not sent to this thread`);
    const settings = buildRunSettings(task.settings, task.series);
    const plan = validationPlan(bars.length, task.validation);
    const figures = createRunFigures(task.parameters.length, plan.windows.length, DEFAULT_BLOCKS);
    task.parameters.forEach((parameters, run) => putRunFigures(figures, run, evaluateParameterSet(bars, task.strategy, parameters, settings, plan)));
    return { figures };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
