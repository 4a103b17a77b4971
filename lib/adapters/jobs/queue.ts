import { createHash } from "node:crypto";
import pg from "pg";
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
  /** How often an idle worker slot looks for jobs; jobs sent through sendAll wake it at once. */
  pollingIntervalSeconds: z.number().min(0.05).default(2),
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

/**
 * What a handler may return: the tail of its work (e.g. writing results), run while its slot
 * already fetches and starts the next job. The job is completed once the tail has finished.
 */
export type JobTail = () => Promise<void>;

/** Where a queue's worker slots spent their time in this process, in milliseconds. */
export interface WorkTimings {
  jobs: number;
  /** Round trips that took a job, and those that found the queue empty. */
  fetchMs: number;
  emptyFetches: number;
  /** Sleeping between empty fetches. */
  pollWaitMs: number;
  handlerMs: number;
  /** The handlers' tails, overlapping the next job. */
  tailMs: number;
  completeMs: number;
}

const noTimings = (): WorkTimings => ({ jobs: 0, fetchMs: 0, emptyFetches: 0, pollWaitMs: 0, handlerMs: 0, tailMs: 0, completeMs: 0 });

/** A UUID derived from a text, so re-sending the same logical job is a no-op. */
export function stableJobId(text: string): string {
  const hex = createHash("sha256").update(text).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The Postgres notification channel on which sendAll announces new jobs (payload: the queue's name). */
const WAKE_CHANNEL = "kestrel_job_queue";

export class JobQueue {
  private readonly loops: Promise<void>[] = [];
  private readonly timings: Record<string, WorkTimings> = {};
  /** Idle slots waiting for jobs, per queue: each is woken by a notification or its polling timer. */
  private readonly sleepers = new Map<string, Set<() => void>>();
  private listener: Promise<pg.Client | undefined> | undefined;
  private stopping = false;

  private constructor(
    private readonly boss: PgBoss,
    private readonly connectionString: string,
    private readonly pollingIntervalSeconds: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  static async start(options: JobQueueOptions): Promise<JobQueue> {
    const settings = optionsSchema.parse(options);
    const boss = new PgBoss({
      connectionString: settings.connectionString,
      maintenanceIntervalSeconds: settings.maintenanceIntervalSeconds,
      // No cron schedules are used: skip pg-boss's clock and cron polling.
      schedule: false,
      max: 4,
    });
    const onError = (error: unknown) => settings.onError?.(error instanceof Error ? error : new Error(String(error)));
    boss.on("error", onError);
    await boss.start();
    return new JobQueue(boss, settings.connectionString, settings.pollingIntervalSeconds, onError);
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

  /** Adds jobs with the given ids; a job whose id is already queued is left as it is. Higher priorities are taken first. */
  async sendAll<Data extends object>(name: string, jobs: readonly (QueuedJob<Data> & { readonly priority?: number })[]): Promise<void> {
    const BATCH = 500;
    for (let start = 0; start < jobs.length; start += BATCH) {
      await this.boss.insert(jobs.slice(start, start + BATCH).map((job) => ({ id: job.id, name, data: job.data, priority: job.priority })));
    }
    await this.boss.getDb().executeSql("SELECT pg_notify($1, $2)", [WAKE_CHANNEL, name]);
  }

  /**
   * Runs `handler` on jobs of `name`, `concurrency` at a time in this process, fetching the next
   * job as soon as one finishes (and polling only while the queue is empty). A handler that
   * throws fails its job, which is then retried under the queue's policy. A handler that returns
   * a tail lets its slot take the next job while the tail runs (one tail per slot at a time).
   */
  work<Data>(name: string, concurrency: number, handler: (job: QueuedJob<Data>) => Promise<void | JobTail>): void {
    const timings = (this.timings[name] ??= noTimings());
    this.listener ??= this.listen();
    for (let slot = 0; slot < concurrency; slot++) this.loops.push(this.workLoop(name, handler, timings));
  }

  /** Time spent so far by this process's slots, per queue. */
  workTimings(): Readonly<Record<string, Readonly<WorkTimings>>> {
    return structuredClone(this.timings);
  }

  private async workLoop<Data>(name: string, handler: (job: QueuedJob<Data>) => Promise<void | JobTail>, timings: WorkTimings): Promise<void> {
    let tail: Promise<void> = Promise.resolve();
    while (!this.stopping) {
      const job = await this.fetchOne<Data>(name, timings);
      if (!job) {
        await tail;
        const waitStart = performance.now();
        await this.sleep(name);
        timings.pollWaitMs += performance.now() - waitStart;
        continue;
      }
      const { ended } = await this.handle(name, job, handler, timings);
      await tail;
      tail = ended;
    }
    await tail;
  }

  /** Waits until jobs of `name` are announced or the polling interval has passed. */
  private sleep(name: string): Promise<void> {
    if (this.stopping) return Promise.resolve();
    const sleepers = this.sleepers.get(name) ?? new Set<() => void>();
    this.sleepers.set(name, sleepers);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, this.pollingIntervalSeconds * 1000);
      sleepers.add(wake);
    });
  }

  private wake(name?: string): void {
    const queues = name === undefined ? [...this.sleepers.values()] : [this.sleepers.get(name) ?? new Set<() => void>()];
    for (const sleepers of queues) for (const wake of [...sleepers]) wake();
  }

  /**
   * Listens for sendAll's announcements on a connection of its own, so idle slots start on new
   * jobs at once instead of at their next poll. Without it (say the connection drops) they poll.
   */
  private async listen(): Promise<pg.Client | undefined> {
    const client = new pg.Client({ connectionString: this.connectionString });
    client.on("notification", (message) => this.wake(message.payload));
    client.on("error", (error) => this.onError(error));
    try {
      await client.connect();
      await client.query(`LISTEN ${WAKE_CHANNEL}`);
      return client;
    } catch (error) {
      this.onError(error);
      await client.end().catch(() => undefined);
      return undefined;
    }
  }

  private async fetchOne<Data>(name: string, timings: WorkTimings): Promise<QueuedJob<Data> | undefined> {
    const start = performance.now();
    const [job] = await this.boss.fetch<Data>(name, { batchSize: 1 }).catch((error: unknown) => {
      this.onError(error);
      return [];
    });
    timings.fetchMs += performance.now() - start;
    if (!job) timings.emptyFetches++;
    return job && { id: job.id, data: job.data };
  }

  /** Runs the handler; resolves once the slot is free again, with the job's end (its tail and completion) still running. */
  private async handle<Data>(name: string, job: QueuedJob<Data>, handler: (job: QueuedJob<Data>) => Promise<void | JobTail>, timings: WorkTimings): Promise<{ ended: Promise<void> }> {
    const start = performance.now();
    try {
      const tail = await handler(job);
      timings.handlerMs += performance.now() - start;
      return { ended: this.finish(name, job.id, tail, timings) };
    } catch (error) {
      timings.handlerMs += performance.now() - start;
      return { ended: this.failJob(name, job.id, error) };
    }
  }

  private async finish(name: string, id: string, tail: void | JobTail, timings: WorkTimings): Promise<void> {
    try {
      if (tail) {
        const tailStart = performance.now();
        await tail();
        timings.tailMs += performance.now() - tailStart;
      }
      const completeStart = performance.now();
      await this.boss.complete(name, id);
      timings.completeMs += performance.now() - completeStart;
      timings.jobs++;
    } catch (error) {
      await this.failJob(name, id, error);
    }
  }

  private async failJob(name: string, id: string, error: unknown): Promise<void> {
    this.onError(error);
    await this.boss.fail(name, id, { message: error instanceof Error ? error.message : String(error) }).catch((failure: unknown) => this.onError(failure));
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
    this.wake();
    await (await this.listener)?.end().catch(() => undefined);
    await Promise.race([Promise.all(this.loops), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    await this.boss.stop({ graceful: false, wait: true });
  }
}
