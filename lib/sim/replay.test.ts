/** OHLCV CSV replay: parsing, in-bar price paths, and a simulator driven by the file. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BarSizeSetting, EventName, WhatToShow } from "@stoqey/ib";
import { startGatewaySimulator } from "./index";
import { parseOhlcvCsv, priceWithinBar } from "./model/replay";
import { connectClient, disconnect, stock, subscribe } from "./test-support";

const directory = mkdtempSync(path.join(tmpdir(), "sim-replay-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const CSV = [
  "time,open,high,low,close,volume",
  "2026-11-20 14:30:00,500.00,501.00,499.50,500.50,12000",
  "2026-11-20 14:31:00,500.50,502.00,500.25,501.75,9000",
  "2026-11-20 14:32:00,501.75,501.80,498.00,498.50,15000",
].join("\n");

describe("CSV parsing", () => {
  it("reads bars and names the line and field of a bad value", () => {
    const rows = parseOhlcvCsv(CSV, "SPY.csv", "SPY");
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({ symbol: "SPY", time: Date.UTC(2026, 10, 20, 14, 30), open: 500, close: 500.5, volume: 12000 });
    expect(() => parseOhlcvCsv(CSV.replace("501.00", "abc"), "SPY.csv", "SPY")).toThrow(/SPY\.csv line 2: high/);
    expect(() => parseOhlcvCsv("time,open,high,low,close\n20261120,1,1,1,1", "x.csv", "SPY")).toThrow(/missing column\(s\) volume/);
  });

  it("walks inside each bar from open to close without leaving its range", () => {
    const bar = { time: 0, open: 10, high: 12, low: 9, close: 11, volume: 1 };
    expect(priceWithinBar(bar, 0, 0.01)).toBe(10);
    expect(priceWithinBar(bar, 1, 0.01)).toBe(11);
    for (let fraction = 0; fraction <= 1; fraction += 0.05) {
      const price = priceWithinBar(bar, fraction, 0.01);
      expect(price).toBeGreaterThanOrEqual(9);
      expect(price).toBeLessThanOrEqual(12);
    }
  });
});

describe("a simulator replaying a file", () => {
  it("ticks within the replayed bars and serves them as history", async () => {
    const file = path.join(directory, "SPY.csv");
    writeFileSync(file, CSV);
    const sim = await startGatewaySimulator({ dataFile: file, speed: 60, tickIntervalMs: 10 });
    const client = await connectClient(sim.port, 1);
    try {
      const lasts: number[] = [];
      client.api.on(EventName.tickPrice, (reqId: number, type: number, price: number) => reqId === 1 && type === 4 && lasts.push(price));
      client.api.reqMktData(1, stock("SPY"), "", false, false);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(lasts.length).toBeGreaterThan(5);
      for (const price of lasts) {
        expect(price).toBeGreaterThanOrEqual(498);
        expect(price).toBeLessThanOrEqual(502);
      }
      const bars: Array<[number, string, number, number, number, number]> = [];
      const done = new Promise<void>((resolve) => {
        const unsubscribe = subscribe(client.api, EventName.historicalData, (reqId: number, date: string, open: number, high: number, low: number, close: number) => {
          if (date.startsWith("finished")) {
            unsubscribe();
            resolve();
          } else if (reqId === 2) bars.push([reqId, date, open, high, low, close]);
        });
      });
      client.api.reqHistoricalData(2, stock("SPY"), "20261120 14:40:00 UTC", "1 D", BarSizeSetting.MINUTES_ONE, WhatToShow.TRADES, 0, 2, false);
      await done;
      expect(bars.map(([, , open, high, low, close]) => [open, high, low, close])).toEqual([
        [500, 501, 499.5, 500.5],
        [500.5, 502, 500.25, 501.75],
        [501.75, 501.8, 498, 498.5],
      ]);
    } finally {
      await disconnect(client);
      await sim.stop();
    }
  });
});
