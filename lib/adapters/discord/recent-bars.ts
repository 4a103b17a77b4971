import type { Bar } from "@/lib/core/data/bars";
import { BarBuilder } from "@/lib/adapters/ibkr/market-data";

/** The last few completed bars per symbol, built from live prices, for setup charts. */
export class RecentBars {
  private readonly series = new Map<string, { builder: BarBuilder; bars: Bar[] }>();

  constructor(
    private readonly intervalMs = 60_000,
    private readonly keep = 80,
  ) {}

  add(symbol: string, price: number, time: number): void {
    if (!Number.isFinite(price) || price <= 0) return;
    let entry = this.series.get(symbol);
    if (!entry) {
      entry = { builder: new BarBuilder(this.intervalMs), bars: [] };
      this.series.set(symbol, entry);
    }
    const completed = entry.builder.add(time, price, 0);
    if (!completed) return;
    entry.bars.push(completed);
    if (entry.bars.length > this.keep) entry.bars.shift();
  }

  bars(symbol: string): readonly Bar[] {
    return this.series.get(symbol)?.bars ?? [];
  }
}
