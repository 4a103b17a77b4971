/**
 * A research worker: `npm run worker`. Point any number of them, on any number of machines, at
 * the same DATABASE_URL; they share the sweeps queued there. Each uses one compute thread per
 * core unless told otherwise.
 *
 *   DATABASE_URL=postgresql://... npm run worker -- [--threads N] [--expire-seconds S] [--maintenance-seconds S] [--no-warm-up]
 *
 * Before it reports ready, each compute thread evaluates a short synthetic sweep in memory (about
 * a second), so that its first real chunks run code V8 has already optimised instead of paying
 * for the compiling then. `--no-warm-up` skips it (quicker start for short-lived workers).
 */
import { hostname } from "node:os";
import { parseArgs } from "node:util";
import v8 from "node:v8";
import pg from "pg";
import { z } from "zod";
import { createDatabase } from "@/lib/adapters/db/client";
import { JobQueue } from "@/lib/adapters/jobs/queue";
import { ThreadPool } from "@/lib/adapters/jobs/thread-pool";
import { pgConnectionOptions, postgresUrlSchema } from "@/lib/adapters/db/connection-url";
import { createLogger } from "@/lib/runtime/logger";
import { currentCodeVersion, startResearchWorker } from "@/lib/services/research";

const whole = (flag: string, min: number) =>
  z
    .string()
    .optional()
    .transform((text, context) => {
      if (text === undefined) return undefined;
      const value = Number(text);
      if (!Number.isInteger(value) || value < min) {
        context.addIssue({ code: "custom", message: `--${flag} must be a whole number >= ${min}, got "${text}"` });
        return z.NEVER;
      }
      return value;
    });

const settingsSchema = z.object({
  databaseUrl: postgresUrlSchema.describe("DATABASE_URL"),
  threads: whole("threads", 1),
  expireSeconds: whole("expire-seconds", 1),
  maintenanceSeconds: whole("maintenance-seconds", 1),
  warmUp: z.boolean(),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

function readSettings() {
  const { values } = parseArgs({
    options: {
      threads: { type: "string" },
      "expire-seconds": { type: "string" },
      "maintenance-seconds": { type: "string" },
      "warm-up": { type: "boolean", default: true },
    },
    allowNegative: true,
    strict: true,
  });
  const parsed = settingsSchema.safeParse({
    databaseUrl: process.env.DATABASE_URL,
    threads: values.threads,
    expireSeconds: values["expire-seconds"],
    maintenanceSeconds: values["maintenance-seconds"],
    warmUp: values["warm-up"],
    logLevel: process.env.LOG_LEVEL,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => (issue.path[0] === "databaseUrl" ? `DATABASE_URL: ${issue.message}` : issue.message));
    throw new Error(problems.join("; "));
  }
  return parsed.data;
}

/**
 * Compute threads optimise their hot code on themselves rather than on V8's helper threads
 * (read when a thread's isolate starts, so set before the pool is). Like --single-threaded-gc:
 * with one worker per core the helpers only compete with the other workers for the cores,
 * and the same compiling took more CPU on them (measured with bench:sweep).
 */
function compileOnComputeThreads(): void {
  v8.setFlagsFromString("--no-concurrent-recompilation");
  v8.setFlagsFromString("--no-concurrent-osr");
}

async function main(): Promise<void> {
  const settings = readSettings();
  compileOnComputeThreads();
  const log = createLogger(settings.logLevel).child({ component: "research-worker" });
  const database = await createDatabase({ databaseUrl: settings.databaseUrl, log, poolSize: 4 });
  const queue = await JobQueue.start({
    connectionString: settings.databaseUrl,
    maintenanceIntervalSeconds: settings.maintenanceSeconds,
    onError: (error) => log.warn({ err: error }, "job queue error"),
  });
  const pool = new ThreadPool(settings.threads, { warmUp: settings.warmUp });
  const sql = new pg.Pool({ ...pgConnectionOptions(settings.databaseUrl), max: 2 });
  sql.on("error", (error) => log.warn({ err: error }, "result writer connection error"));
  const worker = await startResearchWorker({
    prisma: database.prisma,
    sql,
    queue,
    pool,
    log,
    workerName: `${hostname()}:${process.pid}`,
    codeVersion: currentCodeVersion(),
    expireInSeconds: settings.expireSeconds,
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "research worker stopping");
    await queue.stop({ timeoutMs: 30_000 });
    log.info({ chunks: worker.timings(), queue: queue.workTimings() }, "research worker timings");
    await pool.close();
    await sql.end();
    await database.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(`research worker: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
