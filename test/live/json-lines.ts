/**
 * A child process whose stdout is read as JSON lines (the engine process's events, the server's
 * pino log), for the kill tests; lines that are not JSON objects are skipped.
 */
import { spawn, type ChildProcess } from "node:child_process";

export interface JsonLine {
  /** When this process read the line (epoch ms, this process's clock). */
  receivedAt: number;
  [key: string]: unknown;
}

export interface JsonLinesProcess {
  child: ChildProcess;
  lines: JsonLine[];
  exited: Promise<number | null>;
}

/** `node --import tsx <args>` with `env` over this process's environment; stderr is passed through. */
export function spawnJsonLines(args: readonly string[], env: Record<string, string>): JsonLinesProcess {
  const child = spawn(process.execPath, ["--import", "tsx", ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const lines: JsonLine[] = [];
  let buffer = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    for (const part of parts) {
      const line = parseObject(part);
      if (line) lines.push({ ...line, receivedAt: Date.now() });
    }
  });
  return { child, lines, exited };
}

function parseObject(text: string): Record<string, unknown> | null {
  if (!text.startsWith("{")) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The first line `accept` takes, waiting up to `timeoutMs` for it. */
export async function waitForLine(lines: readonly JsonLine[], accept: (line: JsonLine) => boolean, timeoutMs: number): Promise<JsonLine> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = lines.find(accept);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no matching line within ${timeoutMs} ms; the last ones: ${JSON.stringify(lines.slice(-5))}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** SIGKILL, and resolves once the process is gone. */
export async function killHard(process: JsonLinesProcess): Promise<void> {
  if (process.child.exitCode === null && process.child.signalCode === null) process.child.kill("SIGKILL");
  await process.exited;
}
