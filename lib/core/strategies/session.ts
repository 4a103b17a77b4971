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
 * Reads instants as exchange-local day and minute of day. The zone's offset is looked up
 * once per UTC hour (offsets only change on hour boundaries), so a bar costs no Intl call.
 */
export class SessionCalendar {
  private cachedHour = NaN;
  private cachedOffset = 0;
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
    const hour = Math.floor(epochMs / HOUR_MS);
    if (hour !== this.cachedHour) {
      this.cachedHour = hour;
      this.cachedOffset = offsetMs(hour * HOUR_MS, this.timeZone);
    }
    return epochMs + this.cachedOffset;
  }
}
