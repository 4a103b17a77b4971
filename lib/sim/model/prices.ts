/** Tick arithmetic: every price the simulator produces sits exactly on its instrument's grid. */

/** Number of decimals needed to write a multiple of `tick` exactly (0.01 -> 2, 0.05 -> 2). */
export function tickDecimals(tick: number): number {
  const text = String(tick);
  const dot = text.indexOf(".");
  return dot < 0 ? 0 : text.length - dot - 1;
}

export function ticksToPrice(ticks: number, tick: number): number {
  return Number((ticks * tick).toFixed(tickDecimals(tick)));
}

export function priceToTicks(price: number, tick: number): number {
  return Math.round(price / tick);
}

export function roundToTick(price: number, tick: number): number {
  return ticksToPrice(priceToTicks(price, tick), tick);
}

export function isOnTick(price: number, tick: number): boolean {
  return Math.abs(roundToTick(price, tick) - price) < tick * 1e-6;
}

/** Rounds money to cents, removing binary float noise. */
export function roundMoney(amount: number, decimals = 2): number {
  return Number(amount.toFixed(decimals));
}
