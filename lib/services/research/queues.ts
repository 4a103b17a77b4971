import { stableJobId, type QueuePolicy } from "@/lib/adapters/jobs/queue";

/** Queue names and job shapes shared by the service that enqueues and the workers that run. */
export const CHUNK_QUEUE = "research-chunk";
export const FINALIZE_QUEUE = "research-finalize";

export interface ChunkJob {
  readonly sweepId: number;
  readonly chunk: number;
  readonly seriesId: number;
  /** Parameter sets [paramStart, paramEnd) of the sweep's stored list. */
  readonly paramStart: number;
  readonly paramEnd: number;
}

export interface FinalizeJob {
  readonly sweepId: number;
}

export const chunkJobId = (sweepId: number, chunk: number) => stableJobId(`research-chunk:${sweepId}:${chunk}`);
export const finalizeJobId = (sweepId: number) => stableJobId(`research-finalize:${sweepId}`);

/** How long a chunk may run before its worker is presumed dead and the chunk is retried. */
export function queuePolicy(expireInSeconds: number): QueuePolicy {
  return { retryLimit: 5, retryDelaySeconds: 1, expireInSeconds };
}

/** Same run, same key: a retried chunk's rows collide with the first attempt's and are skipped. */
export function runKey(sweepId: number, paramIndex: number, seriesId: number): string {
  return `sweep ${sweepId} / params ${paramIndex} / series ${seriesId}`;
}
