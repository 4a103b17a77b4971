import { createHash } from "node:crypto";
import PgBoss from "pg-boss";
import { z } from "zod";

/**
 * A job queue on the application's own Postgres (pg-boss, in its own `pgboss` schema). Any
 * number of processes on any number of machines pointed at the same database share its jobs;
 * a job whose worker dies is expired after `expireInSeconds` and retried by another.
 */

const optionsSchema = z.object({
  connectionString: z.string().min(1, "the job queue needs a database connection string"),
  /** How often a process looks for expired jobs of dead workers (and other upkeep). */
  maintenanceIntervalSeconds: z.number().int().min(1).default(30),
  pollingIntervalSeconds: z.number().min(0.05).default(0.5),
  onError: z.custom<(error: Error) => void>((value) => typeof value === "function").optional(),
});

export type JobQueueOptions = z.input<typeof optionsSchema>;

export interface QueuePolicy {
  readonly retryLimit: number;
  readonly retryDelaySeconds: number;
  /** A job still active this long is taken to belong to a dead worker and is retried. */
  readonly expireInSeconds: number;
}

export interface QueuedJob<Data> {
  readonly id: string;
  readonly data: Data;
}

/** A UUID derived from a text, so re-sending the same logical job is a no-op. */
export function stableJobId(text: string): string {
  const hex = createHash("sha256").update(text).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export class JobQueue {
  private readonly loops: Promise<void>[] = [];
  private stopping = false;

  private constructor(
    private readonly boss: PgBoss,
    private readonly pollingIntervalSeconds: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  static async start(options: JobQueueOptions): Promise<JobQueue> {
    const settings = optionsSchema.parse(options);
    const boss = new PgBoss({
      connectionString: settings.connectionString,
      maintenanceIntervalSeconds: settings.maintenanceIntervalSeconds,
      max: 4,
    });
    const onError = (error: unknown) => settings.onError?.(error instanceof Error ? error : new Error(String(error)));
    boss.on("error", onError);
    await boss.start();
    return new JobQueue(boss, settings.pollingIntervalSeconds, onError);
  }

  /** Creates the queue or updates its policy. Processes starting together may race; the loser retries. */
  async ensureQueue(name: string, policy: QueuePolicy, attempts = 5): Promise<void> {
    const queue = { name, retryLimit: policy.retryLimit, retryDelay: policy.retryDelaySeconds, expireInSeconds: policy.expireInSeconds };
    try {
      if (await this.boss.getQueue(name)) await this.boss.updateQueue(name, queue);
      else await this.boss.createQueue(name, queue);
    } catch (error) {
      if (attempts <= 1) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 200));
      await this.ensureQueue(name, policy, attempts - 1);
    }
  }

  /** Adds jobs with the given ids; a job whose id is already queued is left as it is. */
  async sendAll<Data extends object>(name: string, jobs: readonly QueuedJob<Data>[]): Promise<void> {
    const BATCH = 500;
    for (let start = 0; start < jobs.length; start += BATCH) {
      await this.boss.insert(jobs.slice(start, start + BATCH).map((job) => ({ id: job.id, name, data: job.data })));
    }
  }

  /**
   * Runs `handler` on jobs of `name`, `concurrency` at a time in this process, fetching the next
   * job as soon as one finishes (and polling only while the queue is empty). A handler that
   * throws fails its job, which is then retried under the queue's policy.
   */
  work<Data>(name: string, concurrency: number, handler: (job: QueuedJob<Data>) => Promise<void>): void {
    for (let slot = 0; slot < concurrency; slot++) this.loops.push(this.workLoop(name, handler));
  }

  private async workLoop<Data>(name: string, handler: (job: QueuedJob<Data>) => Promise<void>): Promise<void> {
    while (!this.stopping) {
      const [job] = await this.boss.fetch<Data>(name, { batchSize: 1 }).catch((error: unknown) => {
        this.onError(error);
        return [];
      });
      if (!job) {
        await new Promise((resolve) => setTimeout(resolve, this.pollingIntervalSeconds * 1000));
        continue;
      }
      try {
        await handler({ id: job.id, data: job.data });
        await this.boss.complete(name, job.id);
      } catch (error) {
        this.onError(error);
        await this.boss.fail(name, job.id, { message: error instanceof Error ? error.message : String(error) }).catch((failure: unknown) => this.onError(failure));
      }
    }
  }

  /** Cancels the jobs that have not finished; finished ones are left alone. */
  async cancel(name: string, ids: readonly string[]): Promise<void> {
    const BATCH = 500;
    for (let start = 0; start < ids.length; start += BATCH) await this.boss.cancel(name, ids.slice(start, start + BATCH));
  }

  /** How many jobs of `name` wait or run. */
  async pending(name: string): Promise<number> {
    return this.boss.getQueueSize(name, { before: "completed" });
  }

  /** Stops taking jobs, waits (up to `timeoutMs`) for running handlers to finish, then disconnects. */
  async stop({ timeoutMs = 30_000 } = {}): Promise<void> {
    this.stopping = true;
    await Promise.race([Promise.all(this.loops), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    await this.boss.stop({ graceful: false, wait: true });
  }
}
