/**
 * Preloaded into the end-to-end app process (`node --import ./e2e/support/shifted-date.ts`):
 * `Date` runs E2E_CLOCK_OFFSET_MS ahead of the wall clock, as if the server had been started
 * at that later moment. Only "now" moves (`Date.now()`, `new Date()`, `Date()`); durations,
 * timers and dates built from a value are untouched. See session-clock.ts for why.
 */
const offset = Number(process.env.E2E_CLOCK_OFFSET_MS ?? 0);

if (!Number.isFinite(offset)) throw new Error(`E2E_CLOCK_OFFSET_MS must be a number of milliseconds, got "${process.env.E2E_CLOCK_OFFSET_MS}"`);

if (offset !== 0) {
  const RealDate = Date;
  const shiftedNow = () => RealDate.now() + offset;
  // Every static copied as an own property (UTC, parse, prototype...): Next.js wraps Date the same way and copies only own ones.
  const statics = Object.getOwnPropertyDescriptors(RealDate);
  statics.now = { ...statics.now, value: shiftedNow };
  // A function, not a class, so that calling `Date()` without `new` keeps working.
  const ShiftedDate = Object.defineProperties(function (this: unknown, ...args: unknown[]) {
    if (!new.target) return new RealDate(shiftedNow()).toString();
    return Reflect.construct(RealDate, args.length === 0 ? [shiftedNow()] : args, new.target);
  }, statics) as unknown as DateConstructor;
  Object.defineProperty(RealDate.prototype, "constructor", { value: ShiftedDate, writable: true, configurable: true });
  globalThis.Date = ShiftedDate;
}
