import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { freePort, isListening } from "@/test/net";

interface Exit {
  code: number | null;
  output: string;
}

function runServer(env: Record<string, string>, timeoutMs = 60_000): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production", LOG_LEVEL: "error", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server did not exit within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe("server start-up refuses bad configuration before it serves anything", () => {
  it("names each invalid environment variable and exits 1", async () => {
    const result = await runServer({ PORT: "not-a-port", TRADING_MODE: "yolo" });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/PORT/);
    expect(result.output).toMatch(/TRADING_MODE/);
  });

  it("stops with a clear message, and never listens, when the database cannot be reached", async () => {
    const [databasePort, httpPort] = [await freePort(), await freePort()];
    const result = await runServer({
      DATABASE_URL: `postgresql://kestrel:s3cret-db-password@127.0.0.1:${databasePort}/kestrel`,
      PORT: String(httpPort),
    });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/Kestrel could not start/);
    expect(result.output).toMatch(new RegExp(`127\\.0\\.0\\.1:${databasePort}`));
    expect(result.output).not.toContain("s3cret-db-password");
    expect(await isListening(httpPort)).toBe(false);
  });
});
