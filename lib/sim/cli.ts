/**
 * Standalone simulator:
 *   node --import tsx lib/sim/cli.ts --port 4002 --seed 7 [--data FILE.csv] [--speed 60] [--admin-port 4100]
 *     [--host 127.0.0.1] [--account DU1234567] [--starting-state demo|empty] [--tick-interval MS]
 *     [--enforce-trading-hours] [--no-pacing] [--delayed-only]
 * Stops cleanly on SIGINT / SIGTERM.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { startGatewaySimulator, type GatewaySimulatorOptions } from "./index";

const integerFlag = (flag: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `--${flag} must be a whole number`)
    .transform(Number)
    .refine((value) => value >= min && value <= max, `--${flag} must be between ${min} and ${max}`);

const cliSchema = z.object({
  host: z.string().min(1, "--host must not be empty").default("127.0.0.1"),
  port: integerFlag("port", 0, 65535).default(4002),
  seed: integerFlag("seed", 0, 2 ** 31 - 1).default(7),
  account: z.string().regex(/^[A-Z]{1,3}\d{4,10}$/, "--account must look like an IBKR account id, e.g. DU1234567").optional(),
  "starting-state": z.enum(["demo", "empty"], { message: '--starting-state must be "demo" or "empty"' }).default("demo"),
  "tick-interval": integerFlag("tick-interval", 1, 60_000).optional(),
  data: z.string().min(1, "--data must name a CSV file").optional(),
  speed: z
    .string()
    .regex(/^\d+(\.\d+)?$/, "--speed must be a positive number")
    .transform(Number)
    .refine((value) => value > 0 && value <= 100_000, "--speed must be above 0 and at most 100000")
    .optional(),
  "admin-port": integerFlag("admin-port", 0, 65535).optional(),
  "enforce-trading-hours": z.boolean().default(false),
  "no-pacing": z.boolean().default(false),
  "delayed-only": z.boolean().default(false),
});

export type CliOptions = z.infer<typeof cliSchema>;

export function parseCliArguments(argv: readonly string[]): GatewaySimulatorOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      host: { type: "string" },
      port: { type: "string" },
      seed: { type: "string" },
      account: { type: "string" },
      "starting-state": { type: "string" },
      "tick-interval": { type: "string" },
      data: { type: "string" },
      speed: { type: "string" },
      "admin-port": { type: "string" },
      "enforce-trading-hours": { type: "boolean" },
      "no-pacing": { type: "boolean" },
      "delayed-only": { type: "boolean" },
    },
  });
  const parsed = cliSchema.safeParse(values);
  if (!parsed.success) throw new Error(parsed.error.issues.map((issue) => issue.message).join("\n"));
  const cli = parsed.data;
  return {
    host: cli.host,
    port: cli.port,
    seed: cli.seed,
    account: cli.account,
    startingState: cli["starting-state"],
    tickIntervalMs: cli["tick-interval"],
    dataFile: cli.data,
    speed: cli.speed,
    adminPort: cli["admin-port"],
    enforceTradingHours: cli["enforce-trading-hours"],
    pacing: !cli["no-pacing"],
    marketDataEntitled: !cli["delayed-only"],
  };
}

async function main(): Promise<void> {
  let options: GatewaySimulatorOptions;
  try {
    options = parseCliArguments(process.argv.slice(2));
  } catch (error) {
    console.error(`sim: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
    return;
  }
  const simulator = await startGatewaySimulator(options);
  console.log(`IB Gateway simulator listening on ${simulator.host}:${simulator.port} (account ${simulator.account}, seed ${options.seed})`);
  if (simulator.adminUrl) console.log(`admin endpoint at ${simulator.adminUrl}`);
  const shutdown = (signal: string) => {
    console.log(`${signal}: stopping the simulator`);
    simulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
