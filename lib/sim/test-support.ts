/**
 * Helpers for tests that drive the simulator with the real `@stoqey/ib` client.
 * Only test files import this module.
 */
import net from "node:net";
import { EventName, IBApi, SecType, type CommissionReport, type Contract } from "@stoqey/ib";
import { encodeFrame } from "./wire/framing";

export interface ConnectedClient {
  api: IBApi;
  nextValidId: number;
  accounts: string;
  /** Every error/notice received, as [id, code, message]. */
  errors: Array<[number, number, string]>;
}

/** A clock the test moves by hand. */
export class ManualClock {
  readonly speed = 1;
  constructor(private current: number) {}
  now(): number {
    return this.current;
  }
  set(epochMs: number): void {
    this.current = epochMs;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

export const stock = (symbol: string): Contract => ({ symbol, secType: SecType.STK, exchange: "SMART", currency: "USD" });

type Listener = (...args: never[]) => void;
/** IBApi's typed `on` overloads cannot take an event name chosen at run time; this view can. */
interface UntypedEmitter {
  on(event: EventName, listener: Listener): unknown;
  off(event: EventName, listener: Listener): unknown;
}
const untyped = (api: IBApi) => api as unknown as UntypedEmitter;

/** Subscribes to an event chosen at run time; returns the unsubscribe function. */
export function subscribe(api: IBApi, event: EventName, listener: (...args: never[]) => void): () => void {
  untyped(api).on(event, listener);
  return () => untyped(api).off(event, listener);
}

/** Every commission report, keyed by execution id. */
export function recordCommissions(api: IBApi): Map<string, CommissionReport> {
  const reports = new Map<string, CommissionReport>();
  api.on(EventName.commissionReport, (report: CommissionReport) => reports.set(report.execId ?? "", report));
  return reports;
}

/** Resolves with the first event's arguments that satisfy `accept`, or rejects after `timeoutMs`. */
export function waitForEvent<T extends unknown[]>(
  api: IBApi,
  event: EventName,
  accept: (...args: T) => boolean = () => true,
  timeoutMs = 5_000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const listener = (...args: unknown[]) => {
      if (!accept(...(args as T))) return;
      clearTimeout(timer);
      untyped(api).off(event, listener);
      resolve(args as T);
    };
    const timer = setTimeout(() => {
      untyped(api).off(event, listener);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${event}`));
    }, timeoutMs);
    untyped(api).on(event, listener);
  });
}

/** Collects every emission of `event` until `endEvent` fires; resolves with the collected argument lists. */
export function collectUntil<T extends unknown[]>(api: IBApi, event: EventName, endEvent: EventName, timeoutMs = 5_000): Promise<T[]> {
  const items: T[] = [];
  const listener = (...args: unknown[]) => items.push(args as T);
  untyped(api).on(event, listener);
  return waitForEvent(api, endEvent, () => true, timeoutMs)
    .then(() => items)
    .finally(() => untyped(api).off(event, listener));
}

/** Retries `assertion` until it stops throwing, or rethrows its last error after `timeoutMs`. */
export async function eventually(assertion: () => void, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

export async function connectClient(port: number, clientId: number): Promise<ConnectedClient> {
  const api = new IBApi({ host: "127.0.0.1", port });
  const errors: ConnectedClient["errors"] = [];
  api.on(EventName.error, (error: Error, code: number, reqId: number) => errors.push([reqId, code, error.message]));
  api.on(EventName.info, (message: string, code: number) => errors.push([-1, code, message]));
  const accounts = waitForEvent<[string]>(api, EventName.managedAccounts);
  const nextValidId = waitForEvent<[number]>(api, EventName.nextValidId);
  api.connect(clientId);
  const [[accountList], [orderId]] = await Promise.all([accounts, nextValidId]);
  return { api, nextValidId: orderId, accounts: accountList, errors };
}

export function disconnect(client: ConnectedClient): Promise<void> {
  if (!client.api.isConnected) return Promise.resolve();
  const closed = waitForEvent(client.api, EventName.disconnected).then(() => undefined);
  client.api.disconnect();
  return closed;
}

/** A raw TCP client for protocol-level tests: sends bytes, collects decoded frames. */
export class RawClient {
  readonly frames: string[][] = [];
  private buffer = Buffer.alloc(0);
  private closedFlag = false;
  private readonly socket: net.Socket;
  readonly connected: Promise<void>;
  readonly closed: Promise<void>;

  constructor(port: number) {
    this.socket = net.connect({ host: "127.0.0.1", port });
    this.connected = new Promise((resolve) => this.socket.once("connect", () => resolve()));
    this.closed = new Promise((resolve) =>
      this.socket.once("close", () => {
        this.closedFlag = true;
        resolve();
      }),
    );
    this.socket.on("error", () => undefined);
    this.socket.on("data", (chunk: Buffer) => this.onData(chunk));
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  handshake(range = "v157..178"): void {
    const payload = Buffer.from(range, "utf8");
    const length = Buffer.alloc(4);
    length.writeUInt32BE(payload.length);
    this.write(Buffer.concat([Buffer.from("API\0", "latin1"), length, payload]));
  }

  sendFields(fields: string[]): void {
    this.write(encodeFrame(fields));
  }

  async waitForFrame(accept: (fields: string[]) => boolean, timeoutMs = 3_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(accept);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.slice(-5))}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 4) {
      const length = this.buffer.readUInt32BE(0);
      if (this.buffer.length < 4 + length) return;
      const fields = this.buffer.subarray(4, 4 + length).toString("utf8").split("\0");
      fields.pop();
      this.frames.push(fields);
      this.buffer = this.buffer.subarray(4 + length);
    }
  }
}
