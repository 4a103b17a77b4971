/**
 * The rig of the strategy-runner tests: the simulated gateway, a migrated database of the
 * suite's own, the real @stoqey/ib client (GatewayClient), the live broker and market-data
 * ports, and a factory of runners wired to them. Only test files import this module.
 */
import { afterAll, beforeAll } from "vitest";
import pino from "pino";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { startGatewaySimulator, type GatewaySimulator, type GatewaySimulatorOptions } from "@/lib/sim";
import { alwaysApprove } from "@/lib/core/engine/risk-gates";
import type { Clock, DomainEvent } from "@/lib/core/ports";
import { GatewayClient } from "@/lib/adapters/ibkr/gateway-client";
import { IbkrBroker } from "@/lib/adapters/ibkr/broker-port";
import { IbkrMarketData } from "@/lib/adapters/ibkr/market-data";
import type { ScratchDatabase } from "@/lib/adapters/db/scratch-database";
import { freshDatabase } from "@/test/db";
import { eventually } from "@/test/eventually";
import { recordAudit } from "./audit";
import type { Entitlement } from "@/lib/adapters/ibkr/entitlements";
import { StrategyRunner, decisionOrderRef, scopedBroker, type StrategyRunnerOptions } from "./strategy-runner";

export const quietLog = pino({ level: "silent" });

export interface RunnerRigOptions {
  simulator: GatewaySimulatorOptions;
  clock: Clock;
  clientId: number;
  /** Where the client connects instead of the simulator itself (a recording proxy in front of it). */
  via?: (simulator: GatewaySimulator) => Promise<{ host: string; port: number }>;
}

export interface RunnerRig {
  readonly simulator: GatewaySimulator;
  readonly prisma: PrismaClient;
  readonly gateway: GatewayClient;
  readonly broker: IbkrBroker;
  readonly marketData: IbkrMarketData;
  /** Every domain event of every runner the rig made. */
  readonly events: DomainEvent[];
  /** Per symbol; a symbol not in it is live. */
  readonly entitlements: Map<string, Entitlement>;
  /** A runner on the rig's broker (orderRef `k1:<instance>.<decision order id>`), risk always approving, funds 100,000. */
  runner(overrides?: Partial<StrategyRunnerOptions>): StrategyRunner;
}

/** Starts the rig before the suite's tests and tears it down after them. */
export function useRunnerRig(options: RunnerRigOptions): RunnerRig {
  const rig = {} as { -readonly [K in keyof RunnerRig]: RunnerRig[K] };
  let database: ScratchDatabase | undefined;
  const runners: StrategyRunner[] = [];
  const owners = new Map<number, string>();
  rig.events = [];
  rig.entitlements = new Map();

  beforeAll(async () => {
    rig.simulator = await startGatewaySimulator(options.simulator);
    database = await freshDatabase({ migrated: true });
    rig.prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
    const address = options.via ? await options.via(rig.simulator) : rig.simulator;
    rig.gateway = new GatewayClient({ host: address.host, port: address.port, clientId: options.clientId, log: quietLog });
    rig.gateway.start();
    await eventually(() => rig.gateway.ready, (ready) => ready);
    rig.broker = new IbkrBroker({ gateway: rig.gateway, log: quietLog, orderRefOf: (request) => decisionOrderRef(owners.get(request.id)!, request.parentId ?? request.id) });
    rig.marketData = new IbkrMarketData(rig.gateway, options.clock);
  });

  afterAll(async () => {
    for (const runner of runners) runner.stop();
    rig.marketData?.dispose();
    rig.broker?.dispose();
    await rig.gateway?.stop();
    await rig.simulator?.stop();
    await rig.prisma?.$disconnect();
    await database?.drop();
  });

  rig.runner = (overrides = {}) => {
    const created = new StrategyRunner({
      prisma: rig.prisma,
      marketData: rig.marketData,
      brokerFor: (_instrument, instanceId) => scopedBroker(rig.broker, (id) => owners.set(id, instanceId)),
      risk: alwaysApprove,
      events: { emit: (event) => rig.events.push(event) },
      clock: options.clock,
      availableFunds: () => 100_000,
      entitlementOf: (symbol) => rig.entitlements.get(symbol) ?? "live",
      audit: (event) => recordAudit(rig.prisma, event).then(() => undefined),
      log: quietLog,
      ...overrides,
    });
    runners.push(created);
    return created;
  };
  return rig;
}
