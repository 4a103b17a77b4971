import { spawn } from "node:child_process";
import { expect, test } from "@playwright/test";
import { freePort, isListening } from "../test/net";
import { readE2eRuntime } from "./support/runtime";

test("SIGTERM stops the production server and everything it started within a few seconds", async () => {
  test.setTimeout(120_000);
  const port = await freePort();
  const server = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    env: { ...process.env, NODE_ENV: "production", PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: readE2eRuntime().databaseUrl, IB_HOST: "", LOG_LEVEL: "warn" },
    stdio: "ignore",
  });
  const exited = new Promise<number | null>((resolve) => server.once("exit", (code) => resolve(code)));

  let health: { broker: { state: string; port: number } } | null = null;
  await expect
    .poll(
      async () => {
        const response = await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => null);
        health = response?.ok ? await response.json() : null;
        return health?.broker.state;
      },
      { timeout: 90_000 },
    )
    .toBe("connected");
  const simulatorPort = health!.broker.port;
  expect(await isListening(simulatorPort)).toBe(true);

  const signalledAt = Date.now();
  server.kill("SIGTERM");
  expect(await exited).toBe(0);
  expect(Date.now() - signalledAt).toBeLessThan(5_000);
  expect(await isListening(port)).toBe(false);
  expect(await isListening(simulatorPort)).toBe(false);
});
