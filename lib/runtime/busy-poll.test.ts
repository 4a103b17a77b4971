import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { startBusyPoll } from "./busy-poll";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The share of wall time this process spent on a CPU while `ms` passed (1 = one full core). */
async function cpuShareDuring(ms: number): Promise<number> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await sleep(ms);
  const cpu = process.cpuUsage(cpuBefore);
  return (cpu.user + cpu.system) / 1000 / (performance.now() - started);
}

describe("busy poll", () => {
  it("keeps the thread on a CPU while it runs and lets it sleep again once stopped", async () => {
    const stop = startBusyPoll();
    let busyShare: number;
    try {
      busyShare = await cpuShareDuring(300);
    } finally {
      stop();
    }
    await sleep(20);
    const idleShare = await cpuShareDuring(300);
    // Shared CI cores may give the spinning thread less than a full core, never as little as idle.
    expect(busyShare).toBeGreaterThan(0.25);
    expect(idleShare).toBeLessThan(0.1);
  });

  it("lets timers fire on time between its turns", async () => {
    const stop = startBusyPoll();
    try {
      const started = performance.now();
      await sleep(20);
      expect(performance.now() - started).toBeLessThan(200);
    } finally {
      stop();
    }
  });

  it("lets the process exit once stopped", async () => {
    const script = `import { startBusyPoll } from ${JSON.stringify(new URL("./busy-poll.ts", import.meta.url).pathname)}; const stop = startBusyPoll(); setTimeout(stop, 50);`;
    const started = performance.now();
    await promisify(execFile)(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { timeout: 15_000 });
    expect(performance.now() - started).toBeLessThan(15_000);
  });
});
