import type { GatewayClient, GatewayEvents } from "./gateway-client";

/** The part of the gateway client that request/reply exchanges use. */
export type ReplyGateway = Pick<GatewayClient, "allocateRequestId" | "on" | "off">;

type DataEvent = "contractDetails" | "historicalBar";
type EndEvent = "contractDetailsEnd" | "historicalEnd";
type Row<E extends DataEvent> = GatewayEvents[E][1];

type AnyListener = (id: number, row: never) => void;
/** The emitter's typed overloads cannot take an event chosen by a type parameter; this view can. */
const untyped = (gateway: ReplyGateway) => gateway as unknown as { on(event: string, listener: AnyListener): void; off(event: string, listener: AnyListener): void };

export class RequestFailedError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = "RequestFailedError";
  }
}

/**
 * Sends one request under a fresh id and collects its rows until the end message, an error
 * under the same id (rejects with its code), or `timeoutMs`.
 */
export function collectReply<E extends DataEvent>(
  gateway: ReplyGateway,
  events: { data: E; end: EndEvent },
  send: (reqId: number) => void,
  timeoutMs: number,
  what: string,
): Promise<Row<E>[]> {
  const reqId = gateway.allocateRequestId();
  const rows: Row<E>[] = [];
  return new Promise<Row<E>[]>((resolve, reject) => {
    const onData = (id: number, row: Row<E>) => {
      if (id === reqId) rows.push(row);
    };
    const onEnd = (id: number) => {
      if (id === reqId) settle(() => resolve(rows));
    };
    const onError = (id: number, code: number, message: string) => {
      if (id === reqId) settle(() => reject(new RequestFailedError(code, `${what}: TWS error ${code}: ${message}`)));
    };
    const timer = setTimeout(() => settle(() => reject(new Error(`${what}: no answer within ${timeoutMs} ms`))), timeoutMs);
    const settle = (finish: () => void) => {
      clearTimeout(timer);
      untyped(gateway).off(events.data, onData);
      gateway.off(events.end, onEnd);
      gateway.off("orderError", onError);
      finish();
    };
    untyped(gateway).on(events.data, onData);
    gateway.on(events.end, onEnd);
    gateway.on("orderError", onError);
    try {
      send(reqId);
    } catch (error) {
      settle(() => reject(error as Error));
    }
  });
}
