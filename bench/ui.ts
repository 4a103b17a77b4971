/**
 * Dashboard under load: the production build against the simulator ticking fast, 20 headless
 * Chromium sessions on the overview. Prints pushes per second per browser (target <= 10), the
 * Kestrel server's CPU (target < 25% of one core) and the overview's first-load JS (target
 * < 250 KB gzipped). Needs `npx next build` first and a Postgres at DATABASE_URL.
 *
 *   npm run bench:ui -- [--sessions 20] [--seconds 20] [--tick-ms 4]
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { chromium, type Page } from "@playwright/test";
import { E2E_ADMIN } from "@/e2e/support/credentials";
import { readE2eRuntime, simulatorLedger } from "@/e2e/support/runtime";

const { values } = parseArgs({
  options: {
    sessions: { type: "string", default: "20" },
    seconds: { type: "string", default: "20" },
    "tick-ms": { type: "string", default: "4" },
    port: { type: "string", default: "3127" },
  },
});
const SESSIONS = Number(values.sessions);
const SECONDS = Number(values.seconds);
const TICK_MS = Number(values["tick-ms"]);
const PORT = Number(values.port);
const BASE = `http://127.0.0.1:${PORT}`;
const CLOCK_TICKS_PER_SECOND = 100;

/** Counts socket.io "delta" frames per wall-clock second inside the page. */
const COUNT_PUSHES = `(() => {
  const counts = {};
  window.__kestrelPushes = counts;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (typeof event.data === "string" && event.data.startsWith('42["delta"')) {
          const second = Math.floor(Date.now() / 1000);
          counts[second] = (counts[second] || 0) + 1;
        }
      });
    }
  };
})();`;

async function waitForHealth(deadlineMs: number): Promise<void> {
  while (Date.now() < deadlineMs) {
    const ok = await fetch(`${BASE}/api/health`).then((response) => response.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error("the server did not become healthy in time");
}

async function sessionCookie(): Promise<string> {
  const response = await fetch(`${BASE}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: BASE },
    body: JSON.stringify({ username: E2E_ADMIN.username, password: E2E_ADMIN.password }),
  });
  if (!response.ok) throw new Error(`sign-in answered ${response.status}`);
  return (response.headers.get("set-cookie") ?? "").split(";")[0];
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** Gzipped bytes of every script the overview's HTML loads before anything is dynamically imported. */
async function firstLoadJs(cookie: string): Promise<number> {
  const html = await (await fetch(`${BASE}/`, { headers: { cookie } })).text();
  const sources = [...new Set([...html.matchAll(/<script[^>]+src="(\/_next\/static\/[^"]+\.js)"/g)].map((match) => match[1]))];
  return sources.reduce((sum, source) => sum + gzipSync(readFileSync(path.join(".next", source.replace("/_next/", "")))).length, 0);
}

async function pushesPerSecond(page: Page, from: number, to: number): Promise<number[]> {
  const counts = (await page.evaluate("window.__kestrelPushes")) as Record<string, number>;
  const seconds: number[] = [];
  for (let second = from; second < to; second++) seconds.push(counts[second] ?? 0);
  return seconds;
}

async function main(): Promise<void> {
  const server = spawn(process.execPath, ["--import", "tsx", "e2e/support/e2e-server.ts"], {
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      ...process.env,
      PORT: String(PORT),
      HOST: "127.0.0.1",
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      KESTREL_ADMIN_USER: E2E_ADMIN.username,
      KESTREL_ADMIN_PASSWORD: E2E_ADMIN.password,
      E2E_SIM_TICK_MS: String(TICK_MS),
    },
  });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
  try {
    await waitForHealth(Date.now() + 180_000);
    const runtime = readE2eRuntime();
    if (!runtime.appPid) throw new Error("the harness did not report the server's pid");
    const symbols = new Set((await simulatorLedger(runtime)).positions.map((position) => position.symbol)).size;
    const cookie = await sessionCookie();
    const [name, value] = cookie.split("=");
    const pages: Page[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const context = await browser.newContext();
      await context.addCookies([{ name, value, url: BASE }]);
      await context.addInitScript(COUNT_PUSHES);
      const page = await context.newPage();
      await page.goto(`${BASE}/`, { waitUntil: "domcontentloaded", timeout: 120_000 });
      pages.push(page);
    }
    await Promise.all(pages.map((page) => page.getByTestId("feed-state").filter({ hasText: "live" }).waitFor({ timeout: 60_000 })));
    await new Promise((resolve) => setTimeout(resolve, 3000));

    const startSecond = Math.ceil(Date.now() / 1000);
    await new Promise((resolve) => setTimeout(resolve, startSecond * 1000 - Date.now()));
    const cpuBefore = cpuSeconds(runtime.appPid);
    await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
    const cpuAfter = cpuSeconds(runtime.appPid);
    const perBrowser = await Promise.all(pages.map((page) => pushesPerSecond(page, startSecond, startSecond + SECONDS)));
    const all = perBrowser.flat();
    const mean = all.reduce((sum, count) => sum + count, 0) / all.length;
    const js = await firstLoadJs(cookie);
    const load = loadavg().map((figure) => figure.toFixed(2)).join(" ");
    process.stdout.write(
      [
        `sessions: ${SESSIONS}, window: ${SECONDS} s, simulator: ${symbols} symbols stepped every ${TICK_MS} ms (${Math.round((symbols * 1000) / TICK_MS)} quote updates/s)`,
        `pushes per second per browser: mean ${mean.toFixed(2)}, max ${Math.max(...all)} (target <= 10)`,
        `server CPU: ${(((cpuAfter - cpuBefore) / SECONDS) * 100).toFixed(1)}% of one core (target < 25%)`,
        `overview first-load JS: ${(js / 1024).toFixed(1)} KB gzipped (target < 250 KB)`,
        `load average (1/5/15 min): ${load}`,
      ].join("\n") + "\n",
    );
  } finally {
    await browser.close();
    server.kill("SIGTERM");
    await new Promise((resolve) => server.once("exit", resolve));
  }
}

main().catch((error: unknown) => {
  console.error("bench:ui failed:", error);
  process.exitCode = 1;
});
