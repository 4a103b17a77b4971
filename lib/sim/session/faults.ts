/**
 * Fault scenarios, callable in-process and through the admin endpoint: connectivity loss,
 * a nightly restart, a dropped socket, rejection of the next order, delayed fills.
 */
import type { Exchange } from "../model/exchange";
import type { TcpListener } from "../server/tcp-listener";
import type { GatewayHub } from "./gateway-hub";

export const CONNECTIVITY = {
  LOST: [1100, "Connectivity between IB and Trader Workstation has been lost."],
  RESTORED_DATA_LOST: [1101, "Connectivity between IB and Trader Workstation has been restored - data lost."],
  RESTORED_DATA_KEPT: [1102, "Connectivity between IB and Trader Workstation has been restored - data maintained."],
  MARKET_FARM_BROKEN: [2103, "Market data farm connection is broken:usfarm"],
  HMDS_FARM_BROKEN: [2105, "HMDS data farm connection is broken:ushmds"],
  MARKET_FARM_OK: [2104, "Market data farm connection is OK:usfarm"],
  HMDS_FARM_OK: [2106, "HMDS data farm connection is OK:ushmds"],
} as const satisfies Record<string, readonly [number, string]>;

export interface ConnectivityLossOptions {
  /** How long the outage lasts in real milliseconds (default 2000). */
  durationMs?: number;
  /** true: restored with 1101 and every market-data subscription dropped; false (default): 1102. */
  dataLost?: boolean;
}

export interface RestartOptions {
  /** How long connections are refused, in real milliseconds (default 5000). */
  downMs?: number;
}

export class FaultController {
  private readonly timers = new Set<NodeJS.Timeout>();
  private outage = false;

  constructor(
    private readonly hub: GatewayHub,
    private readonly exchange: Exchange,
    private readonly listener: TcpListener,
  ) {}

  get inOutage(): boolean {
    return this.outage;
  }

  /** 1100 and broken farms now; 1101 or 1102 and healthy farms after `durationMs`. Resolves when restored. */
  connectivityLoss({ durationMs = 2_000, dataLost = false }: ConnectivityLossOptions = {}): Promise<void> {
    this.outage = true;
    this.hub.suspendMarketData(true);
    this.broadcast(CONNECTIVITY.LOST, CONNECTIVITY.MARKET_FARM_BROKEN, CONNECTIVITY.HMDS_FARM_BROKEN);
    return this.after(durationMs, () => {
      this.outage = false;
      if (dataLost) this.hub.dropMarketDataSubscriptions();
      this.hub.suspendMarketData(false);
      this.broadcast(dataLost ? CONNECTIVITY.RESTORED_DATA_LOST : CONNECTIVITY.RESTORED_DATA_KEPT, CONNECTIVITY.MARKET_FARM_OK, CONNECTIVITY.HMDS_FARM_OK);
    });
  }

  /**
   * Every socket closes and the port refuses connections for `downMs`, as during IB Gateway's
   * daily restart; the exchange keeps running, so resting orders may fill meanwhile.
   * Resolves when the port accepts connections again.
   */
  async nightlyRestart({ downMs = 5_000 }: RestartOptions = {}): Promise<void> {
    const port = this.listener.port;
    const closed = this.listener.close();
    this.hub.closeAll();
    await closed;
    await this.after(downMs, () => undefined);
    await this.listener.open(port);
  }

  /** Destroys the socket of one client id, or of every client. Returns how many were dropped. */
  dropSocket(clientId?: number): number {
    return this.hub.dropSockets(clientId);
  }

  rejectNextOrder(text = "Order rejected - reason:Simulated rejection"): void {
    this.exchange.rejectNext({ code: 201, text });
  }

  /** Orders placed from now on wait `delayMs` of simulated time before they can fill (0 turns it off). */
  delayFills(delayMs: number): void {
    this.exchange.setFillDelay(delayMs);
  }

  cancelTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private broadcast(...notices: ReadonlyArray<readonly [number, string]>): void {
    for (const session of this.hub.readySessions()) for (const [code, text] of notices) session.sendError(-1, code, text);
  }

  private after(ms: number, action: () => void): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        action();
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}
