import { describe, expect, it } from "vitest";
import { CHUNK_BAR_STEPS, planChunks } from "./chunks";

const sizes = (spans: ReturnType<typeof planChunks>) => spans.map((span) => span.end - span.start);

describe("planChunks", () => {
  it("covers every parameter set of every series exactly once, in order, never across a series", () => {
    const spans = planChunks(3, 1_234, 2_000);
    for (let series = 0; series < 3; series++) {
      const own = spans.filter((span) => span.series === series);
      expect(own[0].start).toBe(0);
      expect(own.at(-1)!.end).toBe(1_234);
      own.slice(1).forEach((span, index) => expect(span.start).toBe(own[index].end));
    }
    expect(sizes(spans).reduce((sum, size) => sum + size, 0)).toBe(3 * 1_234);
  });

  it("sizes full chunks by bar-steps, then shrinks them so the last ones are short", () => {
    const spans = sizes(planChunks(1, 10_000, 5_000));
    const full = CHUNK_BAR_STEPS / 5_000;
    expect(spans[0]).toBe(full);
    expect(Math.max(...spans)).toBe(full);
    spans.slice(1).forEach((size, index) => expect(size).toBeLessThanOrEqual(spans[index]));
    expect(spans.at(-1)!).toBeLessThanOrEqual(Math.ceil(full / 16));
    // A few dozen jobs rather than hundreds, yet the last eighth of the work is in small pieces.
    expect(spans.length).toBeGreaterThan(20);
    expect(spans.length).toBeLessThan(50);
  });

  it("uses a fixed chunk size when one is given", () => {
    expect(sizes(planChunks(2, 10, 100, 4))).toEqual([4, 4, 2, 4, 4, 2]);
  });

  it("keeps at least one run per chunk for very long series", () => {
    expect(sizes(planChunks(1, 3, 50_000_000))).toEqual([1, 1, 1]);
  });
});
