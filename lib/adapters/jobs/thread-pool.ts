import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { BarSeries } from "@/lib/core/data/bars";
import type { ParameterSet, RunSettingsSpec, ValidationSpec } from "@/lib/core/research";
import type { RunFigures } from "@/lib/adapters/db/research-runs";

/** What a thread needs to evaluate parameter sets on bars it already holds. */
export interface EvaluationTask {
  readonly strategy: string;
  readonly parameters: readonly ParameterSet[];
  readonly settings: RunSettingsSpec;
  readonly series: { readonly symbol: string; readonly timeZone: string };
  readonly validation: ValidationSpec;
}

export type ThreadRequest =
  | { readonly type: "bars"; readonly key: string; readonly bars: BarSeries }
  | { readonly type: "run"; readonly id: number; readonly barsKey: string; readonly task: EvaluationTask };

/** How a compute thread starts (its workerData). */
export interface ThreadOptions {
  /** Evaluate a synthetic warm-up (see warm-up.ts) before reporting ready, so the first chunks run optimised code. */
  readonly warmUp?: boolean;
}

export interface ThreadReply {
  readonly id: number;
  /** Sent once by each thread when its code has loaded (and it has warmed up, if asked to). */
  readonly ready?: boolean;
  /** How long the thread's warm-up took, in ms; absent without one. */
  readonly warmUpMs?: number;
  /** The parameter sets' figures, in order. */
  readonly figures?: RunFigures;
  readonly error?: string;
}

interface Slot {
  readonly worker: Worker;
  readonly barsKeys: Set<string>;
  /** Resolves with the warm-up's duration (ms; undefined without one) once the thread is ready. */
  readonly loaded: Promise<number | undefined>;
  busy: boolean;
  /** performance.now() when the slot's current task was posted. */
  busySince: number;
}

interface Pending {
  readonly barsKey: string;
  readonly bars: BarSeries;
  readonly task: EvaluationTask;
  readonly resolve: (figures: RunFigures) => void;
  readonly reject: (error: Error) => void;
}

const ENTRY = new URL("./research-thread-entry.mjs", import.meta.url);

/** Copies a series into shared memory once, so every thread reads the same bytes. */
export function shareSeries(bars: BarSeries): BarSeries {
  const columns = ["time", "open", "high", "low", "close", "volume"] as const;
  const shared = Object.fromEntries(
    columns.map((name) => {
      const column = new Float64Array(new SharedArrayBuffer(bars.length * Float64Array.BYTES_PER_ELEMENT));
      column.set(bars[name]);
      return [name, column];
    }),
  ) as Record<(typeof columns)[number], Float64Array>;
  return { ...(bars.symbol === undefined ? {} : { symbol: bars.symbol }), length: bars.length, ...shared };
}

/** A fixed set of compute threads, one per core by default, fed tasks in arrival order. */
export class ThreadPool {
  private readonly slots: Slot[];
  private readonly queue: Pending[] = [];
  private readonly inFlight = new Map<number, { slot: Slot; pending: Pending }>();
  private nextId = 1;
  private closed = false;
  private busyMs = 0;

  constructor(
    readonly size: number = availableParallelism(),
    private readonly threadOptions: ThreadOptions = {},
  ) {
    this.slots = Array.from({ length: size }, () => this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(ENTRY, { workerData: this.threadOptions });
    let markLoaded: (warmUpMs: number | undefined) => void = () => {};
    const loaded = new Promise<number | undefined>((resolve) => (markLoaded = resolve));
    const slot: Slot = { worker, barsKeys: new Set(), loaded, busy: false, busySince: 0 };
    worker.on("message", (reply: ThreadReply) => (reply.ready ? markLoaded(reply.warmUpMs) : this.settle(reply)));
    worker.on("error", (error) => this.failSlot(slot, error));
    worker.on("exit", (code) => {
      if (!this.closed) this.failSlot(slot, new Error(`a compute thread exited with code ${code}`));
    });
    return slot;
  }

  /**
   * Resolves once every thread has loaded its code and run its warm-up, with each thread's
   * warm-up time in ms (undefined for a thread started without one).
   */
  ready(): Promise<(number | undefined)[]> {
    return Promise.all(this.slots.map((slot) => slot.loaded));
  }

  /** Evaluates a task on `bars` (identified by `barsKey`; sent to each thread once): the parameter sets' figures, in order. */
  run(barsKey: string, bars: BarSeries, task: EvaluationTask): Promise<RunFigures> {
    if (this.closed) return Promise.reject(new Error("the thread pool is closed"));
    return new Promise((resolve, reject) => {
      this.queue.push({ barsKey, bars, task, resolve, reject });
      this.dispatch();
    });
  }

  /** Milliseconds the threads have spent on tasks so far, summed over threads. */
  busyMilliseconds(): number {
    return this.busyMs;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const pending = this.queue.shift();
      if (!pending) return;
      slot.busy = true;
      slot.busySince = performance.now();
      if (!slot.barsKeys.has(pending.barsKey)) {
        slot.worker.postMessage({ type: "bars", key: pending.barsKey, bars: pending.bars } satisfies ThreadRequest);
        slot.barsKeys.add(pending.barsKey);
      }
      const id = this.nextId++;
      this.inFlight.set(id, { slot, pending });
      slot.worker.postMessage({ type: "run", id, barsKey: pending.barsKey, task: pending.task } satisfies ThreadRequest);
    }
  }

  private settle(reply: ThreadReply): void {
    const entry = this.inFlight.get(reply.id);
    if (!entry) return;
    this.inFlight.delete(reply.id);
    entry.slot.busy = false;
    this.busyMs += performance.now() - entry.slot.busySince;
    if (reply.error !== undefined || !reply.figures) entry.pending.reject(new Error(reply.error ?? "the thread returned no figures"));
    else entry.pending.resolve(reply.figures);
    this.dispatch();
  }

  private failSlot(slot: Slot, error: Error): void {
    for (const [id, entry] of this.inFlight) {
      if (entry.slot !== slot) continue;
      this.inFlight.delete(id);
      entry.pending.reject(error);
    }
    const index = this.slots.indexOf(slot);
    if (this.closed || index < 0) return;
    this.slots[index] = this.spawn();
    this.dispatch();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(new Error("the thread pool is closed"));
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }
}
