import { Action } from "./actions";
import { AGENT_FEATURES, MARKET_FEATURES, MARKET_FEATURE_COUNT, OBSERVATION_SIZE, type FeaturePeriods } from "./features";
import { parseRlModel, RL_MODEL_FORMAT, type RlModel } from "./model";

/** Short indicator periods so a test warms up in about 20 bars (the 20-bar return sets the floor). */
export const SHORT_PERIODS: FeaturePeriods = { smaFast: 2, smaSlow: 4, rsi: 3, macdFast: 2, macdSlow: 4, macdSignal: 2, bollinger: 3, bollingerK: 2, atr: 2, volume: 3, range: 3 };

/**
 * For tests: a one-layer policy whose weights make it buy when flat and sell when long, so
 * every decision after warm-up asks for a trade.
 */
export function alternatingModel(barSeconds: number): RlModel {
  const weights = new Array<number>(OBSERVATION_SIZE * 3).fill(0);
  const positionRow = MARKET_FEATURE_COUNT * 3;
  [weights[positionRow + Action.hold], weights[positionRow + Action.buy], weights[positionRow + Action.sell]] = [0, -2, 2];
  return parseRlModel({
    format: RL_MODEL_FORMAT,
    formatVersion: 1,
    featureSpec: { names: [...MARKET_FEATURES, ...AGENT_FEATURES], periods: SHORT_PERIODS, barSeconds },
    normalisation: { mean: new Array(MARKET_FEATURE_COUNT).fill(0), std: new Array(MARKET_FEATURE_COUNT).fill(1) },
    policy: { activation: "tanh", layers: [{ inputs: OBSERVATION_SIZE, outputs: 3, weights, bias: [0, 1, 0] }] },
  });
}
