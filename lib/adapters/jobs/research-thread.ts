import { parentPort } from "node:worker_threads";
import type { BarSeries } from "@/lib/core/data/bars";
import { DEFAULT_BLOCKS, buildRunSettings, evaluateParameterSet, validationPlan } from "@/lib/core/research";
import { createRunFigures, putRunFigures } from "@/lib/adapters/db/research-runs";
import type { ThreadReply, ThreadRequest } from "./thread-pool";

/**
 * One compute thread: keeps the bar series it was sent (shared memory, not copies) and evaluates
 * parameter sets on them. A task's figures go back in one Float64Array, in the form they are
 * stored: its memory is handed to the main thread, not copied.
 */
const seriesByKey = new Map<string, BarSeries>();

parentPort?.postMessage({ id: 0, ready: true } satisfies ThreadReply);

parentPort?.on("message", (request: ThreadRequest) => {
  if (request.type === "bars") {
    seriesByKey.set(request.key, request.bars);
    return;
  }
  const reply: ThreadReply = { id: request.id, ...evaluate(request) };
  parentPort?.postMessage(reply, reply.figures ? [reply.figures.values.buffer] : []);
});

function evaluate(request: Extract<ThreadRequest, { type: "run" }>): Omit<ThreadReply, "id"> {
  try {
    const bars = seriesByKey.get(request.barsKey);
    if (!bars) throw new Error(`bars ${request.barsKey} were not sent to this thread`);
    const { task } = request;
    const settings = buildRunSettings(task.settings, task.series);
    const plan = validationPlan(bars.length, task.validation);
    const figures = createRunFigures(task.parameters.length, plan.windows.length, DEFAULT_BLOCKS);
    task.parameters.forEach((parameters, run) => putRunFigures(figures, run, evaluateParameterSet(bars, task.strategy, parameters, settings, plan)));
    return { figures };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
