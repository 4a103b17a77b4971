import { describe, expect, it } from "vitest";
import { argmax, MlpRunner } from "@/lib/core/rl/mlp";
import { PpoTrainer } from "./ppo";
import { RiseToyEnv } from "./toy-env";

/** Best achievable return by dynamic programming over (step, holding). */
function optimalReturn(env: RiseToyEnv): number {
  let best = [0, 0];
  for (let t = env.length - 1; t >= 0; t--) {
    best = [false, true].map((long) => Math.max(...[0, 1, 2].map((a) => {
      const next = env.transition(t, long, a);
      return next.reward + best[next.long ? 1 : 0];
    })));
  }
  return best[0];
}

function greedyReturn(env: RiseToyEnv, runner: MlpRunner): number {
  const observation = new Float32Array(env.observationSize);
  let long = false;
  let total = 0;
  for (let t = 0; t < env.length; t++) {
    observation.fill(0);
    observation[t] = 1;
    observation[env.length] = long ? 1 : 0;
    const next = env.transition(t, long, argmax(runner.forward(observation)));
    total += next.reward;
    long = next.long;
  }
  return total;
}

describe("PPO", () => {
  it("learns to buy just before a deterministic rise, to near the optimal return", async () => {
    const env = new RiseToyEnv(8);
    const optimum = optimalReturn(env);
    const trainer = await PpoTrainer.create(env, { hidden: [32], learningRate: 3e-3, rolloutSteps: 64, minibatchSize: 128, epochs: 4, entropyCoefficient: 0.01 }, 42);
    trainer.train(30_000);
    const after = greedyReturn(env, new MlpRunner(trainer.policyWeights()));
    trainer.dispose();
    expect(optimum).toBeCloseTo(0.96, 9);
    const mean = (episodes: readonly { return: number }[]) => episodes.reduce((sum, e) => sum + e.return, 0) / episodes.length;
    const early = mean(trainer.episodes.slice(0, 50));
    const late = mean(trainer.episodes.slice(-50));
    console.info(`toy PPO: optimum ${optimum.toFixed(2)}, first 50 episodes ${early.toFixed(3)}, last 50 ${late.toFixed(3)}, greedy ${after.toFixed(3)}`);
    expect(early).toBeLessThan(0.3 * optimum);
    expect(after).toBeGreaterThanOrEqual(0.95 * optimum);
    expect(late).toBeGreaterThan(0.7 * optimum);
  }, 120_000);
});
