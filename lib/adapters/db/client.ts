import { PrismaPg } from "@prisma/adapter-pg";
import type { Logger } from "pino";
import { z } from "zod";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { DEFAULT_SCHEMA, describeDatabase, parseDatabaseUrl, pgConnectionOptions, postgresUrlSchema } from "./connection-url";

/** The application's one Prisma client, owned by the composition root. */
export interface Database {
  readonly prisma: PrismaClient;
  stop(): Promise<void>;
}

export class DatabaseUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DatabaseUnavailableError";
  }
}

const optionsSchema = z.object({
  databaseUrl: postgresUrlSchema,
  log: z.custom<Pick<Logger, "info" | "error">>((value) => typeof (value as Logger | undefined)?.info === "function", "log must be a logger"),
  connectTimeoutMs: z.number().int().positive().default(10_000),
  poolSize: z.number().int().min(1).max(100).default(10),
});

export type CreateDatabaseOptions = z.input<typeof optionsSchema>;

/**
 * Connects and proves the connection with one round trip, so an unreachable database stops
 * start-up here, with a message naming the server (never the password).
 */
export async function createDatabase(options: CreateDatabaseOptions): Promise<Database> {
  const { databaseUrl, log, connectTimeoutMs, poolSize } = optionsSchema.parse(options);
  const target = describeDatabase(databaseUrl);
  const { schema } = parseDatabaseUrl(databaseUrl);
  const adapter = new PrismaPg(
    { ...pgConnectionOptions(databaseUrl), connectionTimeoutMillis: connectTimeoutMs, max: poolSize },
    {
      schema: schema === DEFAULT_SCHEMA ? undefined : schema,
      onPoolError: (error) => log.error({ err: error, database: target }, "database connection error"),
    },
  );
  const prisma = new PrismaClient({ adapter });
  try {
    await prisma.$queryRaw`SELECT 1`;
  } catch (error) {
    await prisma.$disconnect().catch(() => undefined);
    throw new DatabaseUnavailableError(`cannot reach the database ${target}: ${conciseReason(error)}`);
  }
  log.info({ database: target }, "database connected");

  let stopped: Promise<void> | undefined;
  return {
    prisma,
    stop: () => (stopped ??= prisma.$disconnect()),
  };
}

/** Prisma wraps driver errors in several lines of context; the first line says what happened. */
function conciseReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.trim().split("\n").filter(Boolean).at(-1) ?? message;
}
