/**
 * Why the end-to-end app runs on a moved clock: strategies enter only inside the exchange's
 * regular session (the instance's trading window and the risk engine both say so), and the
 * specs must pass on a weekend or at night too. The app process (shifted-date.ts, preloaded)
 * and the simulator read the wall clock plus this offset; when the session is open anyway with
 * time to spare, the offset is 0.
 */
import { exchangeCalendar } from "@/lib/core/calendar";

/** The variable shifted-date.ts reads the offset from. */
export const CLOCK_OFFSET_ENV = "E2E_CLOCK_OFFSET_MS";

/** Time a whole end-to-end run needs inside the session. */
const RUN_MS = 2 * 3_600_000;
/** Where a moved clock lands: this long after a session's opening bell. */
const AFTER_OPEN_MS = 30 * 60_000;

/** Milliseconds to add to `now` so that the next RUN_MS fall inside one regular session of `mic`. */
export function sessionClockOffset(now: number, mic = "XNYS"): number {
  const calendar = exchangeCalendar(mic);
  let session = calendar.nextSessionClose(now);
  if (now >= session.open && session.close - now >= RUN_MS) return 0;
  if (now >= session.open) session = calendar.nextSessionClose(session.close);
  return session.open + AFTER_OPEN_MS - now;
}
