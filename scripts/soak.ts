/**
 * npm run soak -- --days 20 [--speed 2400] [--seed 11]
 * The chaos soak of test/live/chaos-soak.test.ts at a larger scale, in a scratch database on
 * the server of DATABASE_URL (dropped afterwards). Prints the report; exit code 1 on any problem.
 */
import { parseArgs } from "node:util";
import pino from "pino";
import { z } from "zod";
import { createScratchDatabase } from "@/lib/adapters/db/scratch-database";
import { applyMigrations } from "@/lib/adapters/db/migrate";
import { DEFAULT_MIGRATIONS_DIR } from "@/lib/adapters/db/migration-files";
import { runChaos } from "@/test/live/chaos";

const argsSchema = z.object({
  days: z.coerce.number().int().min(1).max(60).default(20),
  speed: z.coerce.number().min(1).max(20_000).default(2_400),
  seed: z.coerce.number().int().default(11),
  DATABASE_URL: z.string().url("set DATABASE_URL to a Postgres server where a scratch database may be created"),
});

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { days: { type: "string" }, speed: { type: "string" }, seed: { type: "string" } } });
  const parsed = argsSchema.safeParse({ ...values, DATABASE_URL: process.env.DATABASE_URL });
  if (!parsed.success) {
    console.error(parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("\n"));
    process.exit(2);
  }
  const { days, speed, seed, DATABASE_URL } = parsed.data;
  const log = pino({ level: "warn" });
  const database = await createScratchDatabase(DATABASE_URL, "kestrel_soak", { unique: true });
  try {
    await applyMigrations({ databaseUrl: database.url, migrationsDir: DEFAULT_MIGRATIONS_DIR, log });
    console.log(`soak: ${days} simulated days at ${speed}x (about ${Math.round((days * 86_400) / speed)} s), seed ${seed}`);
    const report = await runChaos({ databaseUrl: database.url, days, speed, seed, log });
    console.log(JSON.stringify(report, null, 2));
    const heapGrowth = report.heapMb.end - report.heapMb.start;
    if (heapGrowth > report.heapMb.start * 0.5 + 40) report.problems.push(`heap grew by ${heapGrowth.toFixed(1)} MB`);
    if (report.problems.length > 0) {
      console.error(`soak FAILED:\n  ${report.problems.join("\n  ")}`);
      process.exitCode = 1;
    } else console.log("soak passed: ids, decisions, executions, commissions, positions and cash all match the simulator");
  } finally {
    await database.drop();
  }
}

void main();
