import { z } from "zod";
import type { Bar } from "../data/bars";
import { SessionCalendar } from "../strategies/session";
import type { Strategy, StrategyContext } from "../strategies/types";
import { isValidTimeZone } from "../time/zoned-time";
import { Action, submitAction } from "./actions";
import {
  MARKET_FEATURE_COUNT,
  assertFeatureNames,
  describeSeconds,
  FeatureTracker,
  normaliseInPlace,
  sameBarSize,
  writeAgentFeatures,
} from "./features";
import { argmax, MlpRunner } from "./mlp";
import { rlModelSchema, type RlModel } from "./model";

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be HH:mm (24-hour)");

export const rlPolicySchema = z.object({
  model: rlModelSchema,
  /** Exchange-local window in which the policy may open positions; exits are always allowed. */
  tradingWindow: z
    .object({
      start: hhmm,
      end: hhmm,
      timeZone: z.string().refine(isValidTimeZone, "timeZone must be an IANA zone such as America/New_York").default("America/New_York"),
    })
    .optional(),
  /** Entries allowed per exchange-local day (a cycle is an entry and its exit). */
  maxTradeCyclesPerDay: z.number().int().positive().optional(),
});

export type RlPolicyParams = z.input<typeof rlPolicySchema>;

/** Bars checked for spacing before the policy's first decision. */
const SPACING_SAMPLE = 10;

/**
 * A trained policy as an ordinary strategy: it rebuilds the training observations with the
 * same incremental feature code, takes the most likely action, and speaks intents.
 */
export class RlPolicyStrategy implements Strategy {
  readonly name = "rl-policy";
  private readonly tracker: FeatureTracker;
  private readonly runner: MlpRunner;
  private readonly observation: Float64Array;
  private readonly calendar: SessionCalendar | undefined;
  private readonly window: { start: number; end: number } | undefined;
  private readonly model: RlModel;
  private readonly maxCycles: number;
  private lastTime = NaN;
  private minGap = Infinity;
  private gaps = 0;
  private day = NaN;
  private cyclesToday = 0;
  /** The action of the last decision (NaN before the first). */
  lastAction = NaN;

  constructor(params: RlPolicyParams) {
    const parsed = rlPolicySchema.parse(params);
    this.model = parsed.model;
    assertFeatureNames(this.model.featureSpec.names);
    this.tracker = new FeatureTracker(this.model.featureSpec.periods);
    this.runner = new MlpRunner(this.model.policy);
    this.observation = new Float64Array(this.model.featureSpec.names.length);
    this.maxCycles = parsed.maxTradeCyclesPerDay ?? Infinity;
    const window = parsed.tradingWindow;
    this.calendar = window ? new SessionCalendar(window.timeZone, window.end) : undefined;
    this.window = window ? { start: minuteOf(window.start), end: minuteOf(window.end) } : undefined;
  }

  onBar(bar: Readonly<Bar>, context: StrategyContext): void {
    this.checkSpacing(bar.time);
    if (!this.tracker.update(bar, this.observation)) return;
    normaliseInPlace(this.observation, 0, this.model.normalisation);
    writeAgentFeatures(this.observation, MARKET_FEATURE_COUNT, context.position > 0, bar.close, context.entryPrice);
    const action = this.decide(this.observation);
    this.lastAction = action;
    if (action === Action.buy && !this.mayEnter(bar.time)) return;
    if (submitAction(action, context, `rl-policy action ${action}`) && action === Action.buy) this.cyclesToday++;
  }

  /** The greedy action for a ready observation. */
  decide(observation: ArrayLike<number>): number {
    return argmax(this.runner.forward(observation));
  }

  private mayEnter(time: number): boolean {
    if (this.calendar) {
      const day = this.calendar.localDay(time);
      if (day !== this.day) [this.day, this.cyclesToday] = [day, 0];
      const minute = this.calendar.minuteOfDay(time);
      if (this.window && (minute < this.window.start || minute >= this.window.end)) return false;
    }
    return this.cyclesToday < this.maxCycles;
  }

  private checkSpacing(time: number): void {
    if (this.gaps >= SPACING_SAMPLE) return;
    if (!Number.isNaN(this.lastTime)) {
      this.minGap = Math.min(this.minGap, (time - this.lastTime) / 1000);
      this.gaps++;
      if (this.gaps === SPACING_SAMPLE && !sameBarSize(this.minGap, this.model.featureSpec.barSeconds)) {
        throw new Error(`model feature spec does not match the data: the model was trained on ${describeSeconds(this.model.featureSpec.barSeconds)} bars but these are ${describeSeconds(this.minGap)} bars`);
      }
    }
    this.lastTime = time;
  }
}

function minuteOf(text: string): number {
  const [hours, minutes] = text.split(":").map(Number);
  return hours * 60 + minutes;
}
