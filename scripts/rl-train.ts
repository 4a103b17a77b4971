import { readFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { parseOhlcvCsv } from "@/lib/core/data/csv";
import { sliceSeries } from "@/lib/core/data/bars";
import { defineInstrument } from "@/lib/core/model/instrument";
import { evaluatePolicy, formatEvaluation } from "@/lib/rl/evaluate";
import { ModelStore } from "@/lib/rl/model-store";
import { onlineUpdate } from "@/lib/rl/online";
import type { TrainingProgress } from "@/lib/rl/ppo";
import { curveCsv, trainPolicy } from "@/lib/rl/training";

const USAGE = `Usage: npm run rl:train -- --data FILE.csv --steps N --seed S --out models/NAME [options]

  --data FILE              OHLCV CSV (date,open,high,low,close,volume)
  --steps N                environment steps to train for
  --seed S                 seed for episode starts, sampling and initial weights
  --out DIR/NAME           model folder; each run adds a version (DIR/NAME/vN)
  --test-fraction F        last fraction of the bars held out for the walk-forward test (default 0.3)
  --episode-length N       bars per training episode (default 64)
  --commission ibkr-fixed|zero  or  --commission-pct FRACTION   (default ibkr-fixed)
  --slippage-bps X         adverse slippage on market fills (default 2)
  --fill close|next-open   (default close)
  --trade-penalty X        reward penalty per trade (default 0)
  --losing-hold-penalty X  reward penalty per bar holding a loser (default 0)
  --noise X                std of seeded observation noise (default 0.05)
  --copies N               environment copies stepped together (default 8)
  --symbol S               instrument symbol (default: the file name)
  --update                 online update: fine-tune the current version of --out on these (recent)
                           bars; the new version becomes current only if it scores no worse on the
                           last --test-fraction of them
`;

const flagsSchema = z.object({
  data: z.string({ message: "--data FILE.csv is required" }),
  steps: z.string({ message: "--steps N is required" }).pipe(z.coerce.number<string>({ message: "--steps must be a number" }).int("--steps must be a whole number").positive("--steps must be positive")),
  seed: z.string({ message: "--seed S is required" }).pipe(z.coerce.number<string>({ message: "--seed must be a number" }).int("--seed must be a whole number")),
  out: z.string({ message: "--out models/NAME is required" }),
  "test-fraction": z.coerce.number().gt(0).lt(0.9, "--test-fraction must be in (0, 0.9)").default(0.3),
  "episode-length": z.coerce.number().int().min(2).default(64),
  commission: z.enum(["ibkr-fixed", "zero"]).optional(),
  "commission-pct": z.coerce.number().min(0).max(0.1).optional(),
  "slippage-bps": z.coerce.number().min(0).default(2),
  fill: z.enum(["close", "next-open"]).default("close"),
  "trade-penalty": z.coerce.number().min(0).default(0),
  "losing-hold-penalty": z.coerce.number().min(0).default(0),
  noise: z.coerce.number().min(0).default(0.05),
  copies: z.coerce.number().int().positive().default(8),
  symbol: z.string().optional(),
  update: z.boolean().default(false),
});

function progressBar(progress: TrainingProgress): string {
  const width = 30;
  const done = Math.min(1, progress.steps / progress.totalSteps);
  const bar = "#".repeat(Math.round(done * width)).padEnd(width, ".");
  const recent = Number.isNaN(progress.recentReturn) ? "   n/a" : progress.recentReturn.toFixed(3);
  return `\r[${bar}] ${(done * 100).toFixed(0).padStart(3)}% ${progress.steps}/${progress.totalSteps} steps, ${progress.episodes} episodes, recent return ${recent}, entropy ${progress.entropy.toFixed(3)}`;
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: Object.fromEntries([...Object.keys(flagsSchema.shape), "help"].map((key) => [key, { type: key === "help" || key === "update" ? "boolean" : "string" }])) as Record<string, { type: "string" | "boolean" }>,
  });
  if (values.help) return void process.stdout.write(USAGE);
  const parsed = flagsSchema.safeParse(values);
  if (!parsed.success) throw new Error(`${parsed.error.issues.map((issue) => issue.message).join("; ")}\n\n${USAGE}`);
  const flags = parsed.data;
  if (flags.commission !== undefined && flags["commission-pct"] !== undefined) throw new Error("give --commission or --commission-pct, not both");
  const bars = parseOhlcvCsv(readFileSync(flags.data, "utf8"), { source: basename(flags.data) });
  const instrument = defineInstrument({ symbol: flags.symbol ?? basename(flags.data).replace(/\.[^.]+$/, "").toUpperCase() });
  const split = Math.floor(bars.length * (1 - flags["test-fraction"]));
  const training = sliceSeries(bars, 0, split);
  const env = {
    commission: flags["commission-pct"] !== undefined ? { kind: "percent" as const, rate: flags["commission-pct"] } : { kind: flags.commission ?? ("ibkr-fixed" as const) },
    slippageBps: flags["slippage-bps"],
    fill: flags.fill,
    episodeLength: flags["episode-length"],
    tradePenalty: flags["trade-penalty"],
    losingHoldPenalty: flags["losing-hold-penalty"],
    observationNoise: flags.noise,
  };
  const out = resolve(flags.out);
  const store = new ModelStore(dirname(out));
  if (flags.update) {
    const result = await onlineUpdate({ store, name: basename(out), bars, evaluateFrom: bars.time[split], instrument, steps: flags.steps, seed: flags.seed, env, now: new Date() });
    const percent = (x: number) => `${(x * 100).toFixed(2)}%`;
    process.stdout.write(`v${result.version}: return on the recent span ${percent(result.updatedReturn)} vs ${percent(result.previousReturn)} for the current version: ${result.accepted ? "kept as current" : "rejected, current version unchanged"}\n`);
    return;
  }
  const started = performance.now();
  const { model, episodes } = await trainPolicy({
    bars: training,
    instrument,
    steps: flags.steps,
    seed: flags.seed,
    env,
    copies: flags.copies,
    onProgress: (progress) => process.stderr.write(progressBar(progress)),
    describe: { data: basename(flags.data) },
  });
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(`\ntrained ${model.training.steps as number} steps in ${seconds.toFixed(1)} s\n`);
  const evaluation = evaluatePolicy(model, bars, instrument, bars.time[split], { ...env, observationNoise: 0 });
  const entry = store.save(basename(out), model, {
    curveCsv: curveCsv(episodes),
    note: `trained on ${basename(flags.data)} bars 1-${split}, tested on ${split + 1}-${bars.length}`,
    evaluation: { verdict: evaluation.verdict, rows: evaluation.rows.map((row) => ({ strategy: row.strategy, totalReturn: row.metrics.totalReturn, sharpe: row.metrics.sharpe, maxDrawdown: row.metrics.maxDrawdown, trades: row.metrics.tradeCount })) },
    now: new Date(),
  });
  process.stdout.write(`saved ${out}/v${entry.version}/model.json and curve.csv (${episodes.length} episodes)\n\nWalk-forward test on bars ${split + 1}-${bars.length}:\n${formatEvaluation(evaluation)}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`rl:train: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
