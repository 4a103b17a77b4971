import { parentPort } from "node:worker_threads";
import type { BarSeries } from "@/lib/core/data/bars";
import { buildRunSettings, encodeRunResult, evaluateParameterSet, validationPlan } from "@/lib/core/research";
import type { ThreadReply, ThreadRequest } from "./thread-pool";

/**
 * One compute thread: keeps the bar series it was sent (shared memory, not copies) and evaluates
 * parameter sets on them. Results go back as JSON text, ready to store: a string crosses to the
 * main thread as one copy, where the evaluations' object graphs would be cloned field by field.
 */
const seriesByKey = new Map<string, BarSeries>();

parentPort?.postMessage({ id: 0, ready: true } satisfies ThreadReply);

parentPort?.on("message", (request: ThreadRequest) => {
  if (request.type === "bars") {
    seriesByKey.set(request.key, request.bars);
    return;
  }
  const reply: ThreadReply = { id: request.id, ...evaluate(request) };
  parentPort?.postMessage(reply);
});

function evaluate(request: Extract<ThreadRequest, { type: "run" }>): Omit<ThreadReply, "id"> {
  try {
    const bars = seriesByKey.get(request.barsKey);
    if (!bars) throw new Error(`bars ${request.barsKey} were not sent to this thread`);
    const { task } = request;
    const settings = buildRunSettings(task.settings, task.series);
    const plan = validationPlan(bars.length, task.validation);
    return { results: task.parameters.map((parameters) => encodeRunResult(evaluateParameterSet(bars, task.strategy, parameters, settings, plan))) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
