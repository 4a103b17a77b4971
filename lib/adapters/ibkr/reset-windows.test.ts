import { describe, expect, it } from "vitest";
import { nextResetWindow, resetWindowAt, resetWindowsBetween } from "./reset-windows";

const at = (iso: string) => Date.parse(iso);

describe("IB reset windows", () => {
  it("puts the North America reset at 23:45-00:45 New York time across midnight (EST)", () => {
    const window = resetWindowAt(at("2026-11-18T05:00:00Z"));
    expect(window).toEqual({ name: "North America reset", start: at("2026-11-18T04:45:00Z"), end: at("2026-11-18T05:45:00Z") });
  });

  it("follows daylight saving time (EDT in July)", () => {
    expect(resetWindowAt(at("2026-07-15T04:00:00Z"))).toMatchObject({ name: "North America reset", start: at("2026-07-15T03:45:00Z") });
  });

  it("has no reset on Friday night other than the weekend maintenance from 23:00 ET", () => {
    expect(resetWindowAt(at("2026-11-21T04:10:00Z"))).toMatchObject({ name: "weekend maintenance", start: at("2026-11-21T04:00:00Z") });
    expect(resetWindowAt(at("2026-11-21T03:50:00Z"))).toBeNull();
    expect(resetWindowAt(at("2026-11-22T12:00:00Z"))).toMatchObject({ name: "weekend maintenance", end: at("2026-11-22T22:00:00Z") });
  });

  it("knows the Europe and Asia windows", () => {
    expect(resetWindowsBetween(at("2026-11-17T00:00:00Z"), at("2026-11-17T12:00:00Z"))).toContainEqual({
      name: "Europe reset",
      start: at("2026-11-17T04:45:00Z"),
      end: at("2026-11-17T05:45:00Z"),
    });
    expect(resetWindowAt(at("2026-11-17T21:40:00Z"))?.name).toBe("Asia reset");
    expect(resetWindowAt(at("2026-11-17T12:30:00Z"))?.name).toBe("Asia reset (Hong Kong)");
    expect(resetWindowAt(at("2026-11-17T15:00:00Z"))).toBeNull();
  });

  it("names the next window when none is in progress, and lists windows in order", () => {
    expect(nextResetWindow(at("2026-11-17T15:00:00Z"))).toMatchObject({ name: "Asia reset", start: at("2026-11-17T21:30:00Z") });
    const week = resetWindowsBetween(at("2026-11-16T00:00:00Z"), at("2026-11-23T00:00:00Z"));
    expect(week.map((window) => window.start)).toEqual([...week.map((window) => window.start)].sort((a, b) => a - b));
    expect(week.filter((window) => window.name === "North America reset")).toHaveLength(6);
  });
});
