import { describe, expect, it } from "vitest";
import { OutgoingPacer, type PacerTimer } from "./pacing";

class FakeTimer implements PacerTimer {
  time = 0;
  private pending: { at: number; run: () => void }[] = [];
  now = () => this.time;
  setTimeout = (run: () => void, ms: number) => {
    const entry = { at: this.time + ms, run };
    this.pending.push(entry);
    return () => {
      this.pending = this.pending.filter((candidate) => candidate !== entry);
    };
  };
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const next = this.pending.filter((entry) => entry.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.pending = this.pending.filter((entry) => entry !== next);
      this.time = next.at;
      next.run();
    }
    this.time = until;
  }
}

describe("OutgoingPacer", () => {
  it("never sends more than the limit in any one-second window", () => {
    const timer = new FakeTimer();
    const pacer = new OutgoingPacer({ perSecond: 45, timer });
    const sentAt: number[] = [];
    for (let i = 0; i < 200; i++) pacer.send("normal", () => sentAt.push(timer.now()));
    expect(sentAt).toHaveLength(45);
    timer.advance(10_000);
    expect(sentAt).toHaveLength(200);
    for (let i = 0; i + 45 < sentAt.length; i++) expect(sentAt[i + 45] - sentAt[i]).toBeGreaterThanOrEqual(1_000);
    expect(sentAt[199]).toBeLessThan(5_000);
  });

  it("sends urgent messages ahead of queued normal ones, in order within each lane", () => {
    const timer = new FakeTimer();
    const pacer = new OutgoingPacer({ perSecond: 2, timer });
    const order: string[] = [];
    pacer.send("normal", () => order.push("n1"));
    pacer.send("normal", () => order.push("n2"));
    pacer.send("normal", () => order.push("n3"));
    pacer.send("normal", () => order.push("n4"));
    pacer.send("urgent", () => order.push("cancel-1"));
    pacer.send("urgent", () => order.push("cancel-2"));
    expect(pacer.depth).toEqual({ urgent: 2, normal: 2 });
    timer.advance(3_000);
    expect(order).toEqual(["n1", "n2", "cancel-1", "cancel-2", "n3", "n4"]);
    expect(pacer.depth).toEqual({ urgent: 0, normal: 0 });
  });

  it("drops what is queued when cleared", () => {
    const timer = new FakeTimer();
    const pacer = new OutgoingPacer({ perSecond: 1, timer });
    const sent: number[] = [];
    for (let i = 0; i < 3; i++) pacer.send("normal", () => sent.push(i));
    pacer.clear();
    timer.advance(5_000);
    expect(sent).toEqual([0]);
  });

  it("refuses a nonsensical rate", () => {
    expect(() => new OutgoingPacer({ perSecond: 0 })).toThrow(/perSecond/);
  });
});
