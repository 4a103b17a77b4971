import { z } from "zod";
import { isValidTimeZone, offsetMs } from "../time/zoned-time";

export const sessionEndSchema = z.object({
  /** Exchange-local wall time, `HH:mm`, from which the strategy is flat and takes no entries. */
  sessionEnd: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "sessionEnd must be HH:mm (24-hour)").default("15:55"),
  timeZone: z.string().refine(isValidTimeZone, "timeZone must be an IANA zone such as America/New_York").default("America/New_York"),
});

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Reads instants as exchange-local day and minute of day. A zone's UTC offset only changes
 * at rare transitions, so the offset is kept with the span it is known to hold for (found by
 * probing a month ahead and bisecting to the hour), and a bar costs no Intl call.
 */
export class SessionCalendar {
  private validFrom = Infinity;
  private validUntil = -Infinity;
  private offset = 0;
  readonly sessionEndMinute: number;

  constructor(
    readonly timeZone: string,
    sessionEnd: string,
  ) {
    const [hours, minutes] = sessionEnd.split(":").map(Number);
    this.sessionEndMinute = hours * 60 + minutes;
  }

  /** Days since the epoch of the local calendar date. */
  localDay(epochMs: number): number {
    return Math.floor(this.localMs(epochMs) / DAY_MS);
  }

  minuteOfDay(epochMs: number): number {
    const local = this.localMs(epochMs);
    return Math.floor((local - Math.floor(local / DAY_MS) * DAY_MS) / 60_000);
  }

  isAfterSessionEnd(epochMs: number): boolean {
    return this.minuteOfDay(epochMs) >= this.sessionEndMinute;
  }

  private localMs(epochMs: number): number {
    if (epochMs < this.validFrom || epochMs >= this.validUntil) this.learnOffsetAround(epochMs);
    return epochMs + this.offset;
  }

  private learnOffsetAround(epochMs: number): void {
    if (this.timeZone === "UTC") {
      [this.offset, this.validFrom, this.validUntil] = [0, -Infinity, Infinity];
      return;
    }
    const hourStart = Math.floor(epochMs / HOUR_MS) * HOUR_MS;
    this.offset = offsetMs(hourStart, this.timeZone);
    this.validFrom = hourStart;
    let probe = hourStart + PROBE_MS;
    if (offsetMs(probe, this.timeZone) === this.offset) {
      this.validUntil = probe;
      return;
    }
    // The offset changes within the probe span: bisect to the first hour of the new offset.
    let same = hourStart;
    while (probe - same > HOUR_MS) {
      const middle = same + Math.floor((probe - same) / 2 / HOUR_MS) * HOUR_MS;
      if (offsetMs(middle, this.timeZone) === this.offset) same = middle;
      else probe = middle;
    }
    this.validUntil = probe;
  }
}

/** Shorter than the gap between any two offset changes of a real zone. */
const PROBE_MS = 28 * DAY_MS;
