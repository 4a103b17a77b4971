/**
 * Records the adapter's fixture conversations: each scenario of
 * lib/adapters/ibkr/fixtures/scenarios.ts runs the real @stoqey/ib client (through GatewayClient)
 * against a fresh simulator, through a proxy that logs every frame both ways, and the log is
 * written to lib/adapters/ibkr/fixtures/<name>.frames.
 *
 *   node --import tsx scripts/record-frames.ts [scenario ...]
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { startGatewaySimulator } from "@/lib/sim";
import { formatFrameLog } from "@/lib/adapters/ibkr/fixtures/frame-log";
import { startRecordingProxy } from "@/lib/adapters/ibkr/fixtures/recording-proxy";
import { SCENARIOS, type Scenario, type ScenarioWorld } from "@/lib/adapters/ibkr/fixtures/scenarios";

const FIXTURES = path.resolve(import.meta.dirname, "../lib/adapters/ibkr/fixtures");

async function record(scenario: Scenario<unknown>): Promise<string> {
  const simulator = await startGatewaySimulator(scenario.simulator);
  try {
    await scenario.prepare?.(simulator);
    const proxy = await startRecordingProxy(simulator);
    const world: ScenarioWorld = {
      setPrice: (symbol, price) => simulator.setPrice(symbol, price),
      connectivityLoss: (options) => void simulator.faults.connectivityLoss(options),
      rejectNextOrder: (text) => simulator.faults.rejectNextOrder(text),
    };
    await scenario.run(proxy, world);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await proxy.stop();
    if (proxy.connections !== 1) throw new Error(`${scenario.name}: expected one client connection, the proxy saw ${proxy.connections}`);
    const file = path.join(FIXTURES, `${scenario.name}.frames`);
    const header = [scenario.description, "Recorded from the simulator by scripts/record-frames.ts; format in README.md. C> client to gateway, G> gateway to client."];
    writeFileSync(file, formatFrameLog(proxy.frames, header));
    return `${file}: ${proxy.frames.length} frames`;
  } finally {
    await simulator.stop();
  }
}

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name));
if (unknown.length > 0) {
  console.error(`unknown scenario(s) ${unknown.join(", ")}; known: ${SCENARIOS.map((scenario) => scenario.name).join(", ")}`);
  process.exit(2);
}
for (const scenario of SCENARIOS.filter((candidate) => wanted.length === 0 || wanted.includes(candidate.name))) {
  console.log(await record(scenario as Scenario<unknown>));
}
process.exit(0);
