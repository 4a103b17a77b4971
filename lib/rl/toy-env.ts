import { ACTION_COUNT, Action } from "@/lib/core/rl/actions";
import type { VecEnv } from "@/lib/core/rl/vector-env";

/**
 * A known-solvable check for the learner: the price drifts down, jumps once, then falls.
 * The best play is to buy just before the jump and sell right after; every trade costs.
 * Observation: one-hot of the step, then the long flag.
 */
export class RiseToyEnv implements VecEnv {
  readonly actionCount = ACTION_COUNT;
  readonly observationSize: number;
  private readonly step_: Int32Array;
  private readonly long: Uint8Array;

  constructor(
    readonly numEnvs: number,
    readonly priceChanges: readonly number[] = [-0.1, -0.1, -0.1, -0.1, -0.1, 1, -0.3, -0.3],
    readonly tradeCost = 0.02,
  ) {
    this.observationSize = priceChanges.length + 1;
    this.step_ = new Int32Array(numEnvs);
    this.long = new Uint8Array(numEnvs);
  }

  get length(): number {
    return this.priceChanges.length;
  }

  reset(observations: Float32Array): void {
    for (let i = 0; i < this.numEnvs; i++) this.restart(i, observations);
  }

  step(actions: ArrayLike<number>, observations: Float32Array, rewards: Float32Array, dones: Uint8Array): void {
    for (let i = 0; i < this.numEnvs; i++) {
      const { reward, long } = this.transition(this.step_[i], this.long[i] === 1, actions[i]);
      this.long[i] = long ? 1 : 0;
      rewards[i] = reward;
      this.step_[i]++;
      dones[i] = this.step_[i] >= this.length ? 1 : 0;
      if (dones[i]) this.restart(i, observations);
      else this.observe(i, observations);
    }
  }

  /** Reward and new holding for `action` at step `t` (also used to compute the optimum). */
  transition(t: number, long: boolean, action: number): { reward: number; long: boolean } {
    let holding = long;
    let cost = 0;
    if (action === Action.buy && !holding) [holding, cost] = [true, this.tradeCost];
    else if (action === Action.sell && holding) [holding, cost] = [false, this.tradeCost];
    return { reward: (holding ? this.priceChanges[t] : 0) - cost, long: holding };
  }

  private restart(i: number, observations: Float32Array): void {
    this.step_[i] = 0;
    this.long[i] = 0;
    this.observe(i, observations);
  }

  private observe(i: number, observations: Float32Array): void {
    const row = observations.subarray(i * this.observationSize, (i + 1) * this.observationSize);
    row.fill(0);
    row[this.step_[i]] = 1;
    row[this.length] = this.long[i];
  }
}
