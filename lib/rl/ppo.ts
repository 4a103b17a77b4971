import type * as Tf from "@tensorflow/tfjs";
import { z } from "zod";
import { MlpRunner, softmax, type MlpWeights } from "@/lib/core/rl/mlp";
import { createRng, type Rng } from "@/lib/core/rl/random";
import type { VecEnv } from "@/lib/core/rl/vector-env";
import { createLayers, forward, layersFromWeights, variablesOf, weightsOf, type DenseLayer } from "./networks";
import { tensorflow } from "./tf";

export const ppoConfigSchema = z.object({
  hidden: z.array(z.number().int().positive()).min(1).default([64, 64]),
  learningRate: z.number().positive().default(3e-4),
  gamma: z.number().min(0).max(1).default(0.99),
  /** GAE lambda. */
  lambda: z.number().min(0).max(1).default(0.95),
  clipRatio: z.number().positive().default(0.2),
  entropyCoefficient: z.number().min(0).default(0.01),
  valueCoefficient: z.number().min(0).default(0.5),
  maxGradNorm: z.number().positive().default(0.5),
  /** Steps each environment copy plays before an update. */
  rolloutSteps: z.number().int().positive().default(128),
  epochs: z.number().int().positive().default(4),
  minibatchSize: z.number().int().positive().default(256),
});

export type PpoConfig = z.infer<typeof ppoConfigSchema>;

export interface EpisodeRecord {
  readonly episode: number;
  /** Environment steps taken when the episode ended. */
  readonly steps: number;
  readonly return: number;
}

export interface TrainingProgress {
  readonly steps: number;
  readonly totalSteps: number;
  readonly episodes: number;
  /** Mean return of the episodes finished during the last rollout (NaN if none). */
  readonly recentReturn: number;
  readonly policyLoss: number;
  readonly valueLoss: number;
  readonly entropy: number;
}

interface Rollout {
  readonly observations: Float32Array;
  readonly actions: Int32Array;
  readonly logProbs: Float32Array;
  readonly advantages: Float32Array;
  readonly returns: Float32Array;
}

/**
 * Proximal Policy Optimisation (clipped surrogate, GAE, entropy bonus, value loss) for a
 * discrete-action vectorised environment, on TensorFlow.js's CPU backend. Rollouts run the
 * networks in plain JS (fast for small nets); updates use autodiff and Adam.
 */
export class PpoTrainer {
  readonly config: PpoConfig;
  readonly episodes: EpisodeRecord[] = [];
  private readonly rng: Rng;
  private steps = 0;
  private readonly episodeReturn: Float64Array;
  private readonly observation: Float32Array;

  private constructor(
    private readonly tf: typeof Tf,
    private readonly env: VecEnv,
    config: PpoConfig,
    private readonly policy: DenseLayer[],
    private readonly value: DenseLayer[],
    private readonly optimizer: Tf.Optimizer,
    rng: Rng,
  ) {
    this.config = config;
    this.rng = rng;
    this.episodeReturn = new Float64Array(env.numEnvs);
    this.observation = new Float32Array(env.numEnvs * env.observationSize);
    env.reset(this.observation);
  }

  /** A trainer with fresh seeded networks, or continuing from saved ones (online updates). */
  static async create(env: VecEnv, config: z.input<typeof ppoConfigSchema>, seed: number, start?: { policy: MlpWeights; value?: MlpWeights }): Promise<PpoTrainer> {
    const tf = await tensorflow();
    const parsed = ppoConfigSchema.parse(config);
    const rng = createRng(seed);
    const sizes = (output: number) => [env.observationSize, ...parsed.hidden, output];
    const policy = start ? layersFromWeights(tf, start.policy) : createLayers(tf, sizes(env.actionCount), rng, 0.01);
    const value = start?.value ? layersFromWeights(tf, start.value) : createLayers(tf, sizes(1), rng, 1);
    return new PpoTrainer(tf, env, parsed, policy, value, tf.train.adam(parsed.learningRate), rng);
  }

  get stepsDone(): number {
    return this.steps;
  }

  policyWeights(): MlpWeights {
    return weightsOf(this.policy);
  }

  valueWeights(): MlpWeights {
    return weightsOf(this.value);
  }

  /** Trains for at least `totalSteps` environment steps (whole rollouts). */
  train(totalSteps: number, onProgress?: (progress: TrainingProgress) => void): void {
    const target = this.steps + totalSteps;
    while (this.steps < target) {
      const episodesBefore = this.episodes.length;
      const rollout = this.collect();
      const losses = this.update(rollout);
      const recent = this.episodes.slice(episodesBefore);
      onProgress?.({
        steps: this.steps,
        totalSteps: target,
        episodes: this.episodes.length,
        recentReturn: recent.length === 0 ? NaN : recent.reduce((sum, e) => sum + e.return, 0) / recent.length,
        ...losses,
      });
    }
  }

  dispose(): void {
    for (const variable of [...variablesOf(this.policy), ...variablesOf(this.value)]) variable.dispose();
    this.optimizer.dispose();
  }

  private collect(): Rollout {
    const { numEnvs, observationSize } = this.env;
    const horizon = this.config.rolloutSteps;
    const size = horizon * numEnvs;
    const policy = new MlpRunner(this.policyWeights());
    const value = new MlpRunner(this.valueWeights());
    const observations = new Float32Array(size * observationSize);
    const actions = new Int32Array(size);
    const logProbs = new Float32Array(size);
    const values = new Float32Array(size);
    const rewards = new Float32Array(size);
    const dones = new Uint8Array(size);
    const stepActions = new Int32Array(numEnvs);
    const stepRewards = new Float32Array(numEnvs);
    const stepDones = new Uint8Array(numEnvs);
    const probabilities = new Float64Array(this.env.actionCount);
    for (let t = 0; t < horizon; t++) {
      observations.set(this.observation, t * numEnvs * observationSize);
      for (let i = 0; i < numEnvs; i++) {
        const row = t * numEnvs + i;
        softmax(policy.forward(this.observation, i * observationSize), probabilities);
        const action = this.sample(probabilities);
        stepActions[i] = actions[row] = action;
        logProbs[row] = Math.log(Math.max(probabilities[action], 1e-12));
        values[row] = value.forward(this.observation, i * observationSize)[0];
      }
      this.env.step(stepActions, this.observation, stepRewards, stepDones);
      this.steps += numEnvs;
      for (let i = 0; i < numEnvs; i++) {
        const row = t * numEnvs + i;
        rewards[row] = stepRewards[i];
        dones[row] = stepDones[i];
        this.episodeReturn[i] += stepRewards[i];
        if (stepDones[i]) {
          this.episodes.push({ episode: this.episodes.length + 1, steps: this.steps, return: this.episodeReturn[i] });
          this.episodeReturn[i] = 0;
        }
      }
    }
    const lastValues = Float32Array.from({ length: numEnvs }, (_, i) => value.forward(this.observation, i * observationSize)[0]);
    const { advantages, returns } = this.advantages(rewards, values, dones, lastValues);
    return { observations, actions, logProbs, advantages, returns };
  }

  /** Generalised advantage estimation; an episode's end cuts the bootstrap. */
  private advantages(rewards: Float32Array, values: Float32Array, dones: Uint8Array, lastValues: Float32Array): { advantages: Float32Array; returns: Float32Array } {
    const { gamma, lambda } = this.config;
    const numEnvs = this.env.numEnvs;
    const advantages = new Float32Array(rewards.length);
    for (let i = 0; i < numEnvs; i++) {
      let running = 0;
      for (let t = this.config.rolloutSteps - 1; t >= 0; t--) {
        const row = t * numEnvs + i;
        const alive = dones[row] ? 0 : 1;
        const nextValue = t === this.config.rolloutSteps - 1 ? lastValues[i] : values[row + numEnvs];
        const delta = rewards[row] + gamma * nextValue * alive - values[row];
        running = delta + gamma * lambda * alive * running;
        advantages[row] = running;
      }
    }
    const returns = advantages.map((advantage, row) => advantage + values[row]);
    return { advantages, returns };
  }

  private update(rollout: Rollout): { policyLoss: number; valueLoss: number; entropy: number } {
    const { tf } = this;
    const size = rollout.actions.length;
    const width = this.env.observationSize;
    const batch = Math.min(this.config.minibatchSize, size);
    const order = Int32Array.from({ length: size }, (_, i) => i);
    let last = { policyLoss: NaN, valueLoss: NaN, entropy: NaN };
    for (let epoch = 0; epoch < this.config.epochs; epoch++) {
      this.shuffle(order);
      for (let from = 0; from + batch <= size; from += batch) {
        const rows = order.subarray(from, from + batch);
        const observations = new Float32Array(batch * width);
        const actions = new Int32Array(batch);
        const oldLogProbs = new Float32Array(batch);
        const advantages = new Float32Array(batch);
        const returns = new Float32Array(batch);
        rows.forEach((row, k) => {
          observations.set(rollout.observations.subarray(row * width, (row + 1) * width), k * width);
          actions[k] = rollout.actions[row];
          oldLogProbs[k] = rollout.logProbs[row];
          advantages[k] = rollout.advantages[row];
          returns[k] = rollout.returns[row];
        });
        normaliseInPlace(advantages);
        last = tf.tidy(() => this.gradientStep(tf.tensor2d(observations, [batch, width]), tf.tensor1d(actions, "int32"), tf.tensor1d(oldLogProbs), tf.tensor1d(advantages), tf.tensor1d(returns)));
      }
    }
    return last;
  }

  private gradientStep(observations: Tf.Tensor2D, actions: Tf.Tensor1D, oldLogProbs: Tf.Tensor1D, advantages: Tf.Tensor1D, returns: Tf.Tensor1D): { policyLoss: number; valueLoss: number; entropy: number } {
    const { tf, config } = this;
    const parts: { policy?: Tf.Scalar; value?: Tf.Scalar; entropy?: Tf.Scalar } = {};
    const variables = [...variablesOf(this.policy), ...variablesOf(this.value)];
    const { value: loss, grads } = this.optimizer.computeGradients(() => {
      const logits = forward(tf, this.policy, observations);
      const logProbsAll = tf.logSoftmax(logits);
      const logProbs = tf.sum(tf.mul(logProbsAll, tf.oneHot(actions, this.env.actionCount)), 1);
      const ratio = tf.exp(tf.sub(logProbs, oldLogProbs));
      const clipped = tf.clipByValue(ratio, 1 - config.clipRatio, 1 + config.clipRatio);
      const policyLoss = tf.neg(tf.mean(tf.minimum(tf.mul(ratio, advantages), tf.mul(clipped, advantages)))) as Tf.Scalar;
      const entropy = tf.mean(tf.neg(tf.sum(tf.mul(tf.exp(logProbsAll), logProbsAll), 1))) as Tf.Scalar;
      const predicted = tf.reshape(forward(tf, this.value, observations), [-1]);
      const valueLoss = tf.mean(tf.square(tf.sub(predicted, returns))) as Tf.Scalar;
      [parts.policy, parts.value, parts.entropy] = [tf.keep(policyLoss), tf.keep(valueLoss), tf.keep(entropy)];
      return tf.sub(tf.add(policyLoss, tf.mul(valueLoss, config.valueCoefficient)), tf.mul(entropy, config.entropyCoefficient)) as Tf.Scalar;
    }, variables);
    loss.dispose();
    const names = Object.keys(grads);
    const norm = Math.sqrt(names.reduce((sum, name) => sum + tf.sum(tf.square(grads[name])).dataSync()[0], 0));
    const scale = norm > config.maxGradNorm ? config.maxGradNorm / norm : 1;
    const clippedGrads: Tf.NamedTensorMap = {};
    for (const name of names) clippedGrads[name] = scale === 1 ? grads[name] : tf.mul(grads[name], scale);
    this.optimizer.applyGradients(clippedGrads);
    const read = (scalar: Tf.Scalar | undefined) => {
      const number = scalar ? scalar.dataSync()[0] : NaN;
      scalar?.dispose();
      return number;
    };
    return { policyLoss: read(parts.policy), valueLoss: read(parts.value), entropy: read(parts.entropy) };
  }

  private sample(probabilities: Float64Array): number {
    let u = this.rng.uniform();
    for (let a = 0; a < probabilities.length - 1; a++) {
      u -= probabilities[a];
      if (u < 0) return a;
    }
    return probabilities.length - 1;
  }

  private shuffle(order: Int32Array): void {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(this.rng.uniform() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
  }
}

function normaliseInPlace(values: Float32Array): void {
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let variance = 0;
  for (const v of values) variance += (v - mean) ** 2;
  const std = Math.sqrt(variance / values.length) + 1e-8;
  for (let i = 0; i < values.length; i++) values[i] = (values[i] - mean) / std;
}
