import { describe, expect, it } from "vitest";
import type { Bar } from "../data/bars";
import { percentCommission } from "../model/commission";
import { defineInstrument } from "../model/instrument";
import type { OrderRequest } from "../model/order";
import type { BrokerEvent } from "../ports";
import type { FillTiming } from "./fill-model";
import { SimulatedBroker } from "./simulated-broker";

const instrument = defineInstrument({ symbol: "TEST" });

function setup(fill: FillTiming = "next-open", slippageBps = 0) {
  const bar: Bar = { time: 0, open: NaN, high: NaN, low: NaN, close: NaN, volume: 0 };
  const broker = new SimulatedBroker({ instrument, fill, slippageBps, commission: percentCommission(0.001), clock: { now: () => bar.time } });
  const events: BrokerEvent[] = [];
  broker.onEvent((event) => events.push(event));
  /** One bar: fills at the open and in the range, then `decide` (the strategy's turn), then the close. */
  const step = (ohlc: [number, number, number, number], decide?: () => void) => {
    [bar.open, bar.high, bar.low, bar.close] = ohlc;
    bar.time += 86_400_000;
    broker.beginBar(bar);
    decide?.();
    broker.endBar();
  };
  const fills = () => events.flatMap((event) => (event.type === "fill" ? [event.fill] : []));
  const statuses = (id: number) => events.flatMap((event) => (event.type === "status" && event.update.orderId === id ? [event.update.status] : []));
  return { broker, step, fills, statuses, events };
}

const order = (fields: Partial<OrderRequest> & Pick<OrderRequest, "id">): OrderRequest =>
  ({ symbol: "TEST", side: "BUY", quantity: 10, timeInForce: "GTC", type: "MKT", ...fields }) as OrderRequest;

describe("market orders", () => {
  it("fill at the deciding bar's close with the close model", () => {
    const { broker, step, fills } = setup("close");
    step([10, 11, 9, 10.5], () => broker.submit(order({ id: 1 })));
    expect(fills()).toMatchObject([{ orderId: 1, price: 10.5, quantity: 10 }]);
    expect(fills()[0].commission).toBeCloseTo(10.5 * 10 * 0.001, 12);
  });

  it("fill at the next bar's open with the next-open model, slipped against the order", () => {
    const { broker, step, fills } = setup("next-open", 10);
    step([10, 11, 9, 10.5], () => broker.submit(order({ id: 1 })));
    expect(fills()).toEqual([]);
    step([12, 13, 11, 12.5]);
    expect(fills()[0].price).toBeCloseTo(12 * 1.001, 12);
    step([12, 13, 11, 12.5], () => broker.submit(order({ id: 2, side: "SELL" })));
    step([20, 21, 19, 20]);
    expect(fills()[1].price).toBeCloseTo(20 * 0.999, 12);
  });
});

describe("stop orders", () => {
  it("fill at the stop when the bar trades through it, never on the bar they were placed", () => {
    const { broker, step, fills } = setup();
    step([100, 101, 90, 95], () => broker.submit(order({ id: 1, side: "SELL", type: "STP", stopPrice: 94 })));
    expect(fills()).toEqual([]);
    step([96, 97, 93, 94.5]);
    expect(fills()).toMatchObject([{ orderId: 1, price: 94 }]);
  });

  it("fill at the open, not at the stop, when the price gaps through", () => {
    const { broker, step, fills } = setup();
    step([100, 101, 99, 100], () => {
      broker.submit(order({ id: 1, side: "SELL", type: "STP", stopPrice: 95 }));
      broker.submit(order({ id: 2, side: "BUY", type: "STP", stopPrice: 105, symbol: "TEST" }));
    });
    step([90, 92, 88, 91]);
    expect(fills()).toMatchObject([{ orderId: 1, price: 90 }]);
    step([110, 112, 108, 111]);
    expect(fills()).toMatchObject([{ orderId: 1 }, { orderId: 2, price: 110 }]);
  });

  it("slip like market orders", () => {
    const { broker, step, fills } = setup("next-open", 50);
    step([100, 101, 99, 100], () => broker.submit(order({ id: 1, side: "SELL", type: "STP", stopPrice: 95 })));
    step([99, 99, 94, 95]);
    expect(fills()[0].price).toBeCloseTo(95 * 0.995, 12);
  });
});

describe("limit orders", () => {
  it("fill at the limit when touched, at the better open when it gaps through, and not at all otherwise", () => {
    const { broker, step, fills } = setup("next-open", 50);
    step([100, 101, 99, 100], () => {
      broker.submit(order({ id: 1, type: "LMT", limitPrice: 97 }));
      broker.submit(order({ id: 2, side: "SELL", type: "LMT", limitPrice: 103 }));
      broker.submit(order({ id: 3, type: "LMT", limitPrice: 50 }));
    });
    step([98, 99, 96.5, 98]);
    expect(fills()).toMatchObject([{ orderId: 1, price: 97 }]);
    step([105, 106, 104, 105]);
    expect(fills()).toMatchObject([{ orderId: 1 }, { orderId: 2, price: 105 }]);
    expect(fills()).toHaveLength(2);
  });
});

describe("stop-limit orders", () => {
  it("trigger like a stop and fill no worse than the limit", () => {
    const { broker, step, fills } = setup();
    step([100, 101, 99, 100], () => {
      broker.submit(order({ id: 1, side: "SELL", type: "STP LMT", stopPrice: 95, limitPrice: 94 }));
      broker.submit(order({ id: 2, side: "SELL", type: "STP LMT", stopPrice: 95, limitPrice: 94, symbol: "TEST" }));
    });
    broker.cancel(2);
    // Gap to 90 triggers, but 90 is under the limit: no fill unless the bar comes back to 94
    step([90, 93, 89, 92]);
    expect(fills()).toEqual([]);
    step([93, 94.5, 92, 94]);
    expect(fills()).toMatchObject([{ orderId: 1, price: 94 }]);
  });
});

describe("trailing stops", () => {
  it("ratchet with the bar's best price and fill when the trail is hit", () => {
    const { broker, step, fills } = setup();
    step([100, 101, 99, 100], () => broker.submit(order({ id: 1, side: "SELL", type: "TRAIL", trail: { amount: 5 } })));
    step([101, 110, 100, 109]); // trail rises to 105 at the end of this bar
    expect(fills()).toEqual([]);
    step([108, 108, 104, 104.5]);
    expect(fills()).toMatchObject([{ orderId: 1, price: 105 }]);
  });
});

describe("brackets and OCA", () => {
  it("holds the children until the parent fills, then lets the first to fill cancel the other", () => {
    const { broker, step, fills, statuses } = setup();
    step([100, 101, 99, 100], () => {
      broker.submit(order({ id: 1 }));
      broker.submit(order({ id: 2, side: "SELL", type: "LMT", limitPrice: 110, parentId: 1, ocaGroup: "b1" }));
      broker.submit(order({ id: 3, side: "SELL", type: "STP", stopPrice: 95, parentId: 1, ocaGroup: "b1" }));
    });
    expect(statuses(2)).toEqual(["PreSubmitted"]);
    // The parent fills at this open; the stop is then touched within the same bar
    step([100, 100.5, 94, 96]);
    expect(fills().map((fill) => [fill.orderId, fill.price])).toEqual([
      [1, 100],
      [3, 95],
    ]);
    expect(statuses(2)).toEqual(["PreSubmitted", "Submitted", "Cancelled"]);
  });

  it("assumes the stop came first when one bar touches both the stop and the target", () => {
    const { broker, step, fills } = setup();
    step([100, 101, 99, 100], () => {
      broker.submit(order({ id: 1, side: "SELL", type: "LMT", limitPrice: 105, ocaGroup: "g" }));
      broker.submit(order({ id: 2, side: "SELL", type: "STP", stopPrice: 95, ocaGroup: "g" }));
    });
    step([100, 106, 94, 100]);
    expect(fills().map((fill) => fill.orderId)).toEqual([2]);
  });

  it("cancels the children with their parent", () => {
    const { broker, step, statuses } = setup();
    step([100, 101, 99, 100], () => {
      broker.submit(order({ id: 1, type: "LMT", limitPrice: 50 }));
      broker.submit(order({ id: 2, side: "SELL", type: "STP", stopPrice: 45, parentId: 1 }));
    });
    broker.cancel(1);
    expect(statuses(2)).toEqual(["PreSubmitted", "Cancelled"]);
  });
});

describe("validation", () => {
  it("rejects a price off the tick like IB (Inactive, with the reason)", () => {
    const { broker, step, events } = setup();
    step([100, 101, 99, 100], () => broker.submit(order({ id: 1, type: "LMT", limitPrice: 99.995 })));
    expect(events).toEqual([{ type: "status", update: { orderId: 1, status: "Inactive", filled: 0, remaining: 10, reason: "price 99.995 is not on the 0.01 tick" } }]);
  });

  it("refuses a child whose parent is not working (rejected or cancelled)", () => {
    const { broker, step, statuses } = setup();
    step([100, 101, 99, 100], () => {
      broker.submit(order({ id: 1, type: "LMT", limitPrice: 99.999 }));
      broker.submit(order({ id: 2, side: "SELL", type: "STP", stopPrice: 95, parentId: 1 }));
    });
    expect(statuses(1)).toEqual(["Inactive"]);
    expect(statuses(2)).toEqual(["Inactive"]);
  });

  it("hands out increasing order ids", () => {
    const { broker } = setup();
    const first = broker.nextOrderId();
    expect(broker.nextOrderId()).toBeGreaterThan(first);
  });
});

describe("children of a parent that already filled", () => {
  it("start active, whether the broker issued the parent's id or not; an unknown parent is refused", () => {
    const { broker, step, fills, statuses } = setup("close");
    const issued = Array.from({ length: 3000 }, () => broker.nextOrderId());
    const parent = issued[2500];
    step([10, 11, 9, 10], () => {
      broker.submit(order({ id: parent }));
      broker.submit(order({ id: 900_001 }));
    });
    step([10, 11, 9, 10], () => {
      broker.submit(order({ id: issued[2998], side: "SELL", type: "LMT", limitPrice: 10.5, parentId: parent }));
      broker.submit(order({ id: 900_002, side: "SELL", type: "LMT", limitPrice: 10.5, parentId: 900_001 }));
      broker.submit(order({ id: issued[2999], side: "SELL", type: "LMT", limitPrice: 10.5, parentId: issued[100] }));
    });
    expect(statuses(issued[2998])).toEqual(["Submitted"]);
    expect(statuses(900_002)).toEqual(["Submitted"]);
    expect(statuses(issued[2999])).toEqual(["Inactive"]);
    step([10, 11, 9, 10.6]);
    expect(fills().map((fill) => fill.orderId)).toEqual([parent, 900_001, issued[2998], 900_002]);
  });
});
