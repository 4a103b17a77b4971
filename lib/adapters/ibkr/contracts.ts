import type { Contract, ContractDetails } from "@stoqey/ib";
import { z } from "zod";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { defineInstrument, type Instrument } from "@/lib/core/model/instrument";
import { isValidTimeZone } from "@/lib/core/time/zoned-time";
import type { GatewayClient } from "./gateway-client";
import { collectReply, type ReplyGateway } from "./replies";

export type ContractGateway = ReplyGateway & Pick<GatewayClient, "requestContractDetails">;

export const contractQuerySchema = z.union([
  z.object({ symbol: z.string().trim().min(1, "symbol is required").max(32).toUpperCase(), currency: z.string().length(3).default("USD"), exchange: z.string().default("SMART") }),
  z.object({ isin: z.string().regex(/^[A-Z]{2}[A-Z0-9]{9}[0-9]$/, "ISIN must be 2 letters, 9 alphanumerics and a check digit") }),
]);

export type ContractQuery = z.input<typeof contractQuerySchema>;

/** A contract TWS confirmed, and the instrument (tick, lot, zone) the core trades it as. */
export interface QualifiedContract {
  readonly contract: Contract;
  readonly instrument: Instrument;
  readonly longName: string;
}

const detailsSchema = z.object({
  contract: z.object({
    conId: z.number().int().positive("contract details without a conId"),
    symbol: z.string().min(1),
    secType: z.string().min(1),
    exchange: z.string().optional(),
    primaryExch: z.string().optional(),
    currency: z.string().length(3, "currency must be a 3-letter code"),
  }),
  minTick: z.number().positive("minTick must be positive"),
  sizeIncrement: z.number().optional(),
  timeZoneId: z.string().optional(),
  longName: z.string().optional(),
  secIdList: z.array(z.object({ tag: z.string().optional(), value: z.string().optional() })).optional(),
});

/** TWS still sends some legacy zone names; the core wants IANA ones. */
const LEGACY_ZONES: Readonly<Record<string, string>> = {
  "US/Eastern": "America/New_York",
  EST: "America/New_York",
  "US/Central": "America/Chicago",
  "US/Pacific": "America/Los_Angeles",
  IST: "Asia/Kolkata",
};

function ianaZone(zone: string | undefined): string {
  const candidate = zone ? (LEGACY_ZONES[zone] ?? zone) : "America/New_York";
  return isValidTimeZone(candidate) ? candidate : "America/New_York";
}

export function cacheKeyOf(query: ContractQuery): string {
  const parsed = contractQuerySchema.parse(query);
  return "isin" in parsed ? `ISIN:${parsed.isin}` : `SYMBOL:${parsed.symbol}:${parsed.currency}:${parsed.exchange}`;
}

interface ContractRow {
  conId: number;
  symbol: string;
  secType: string;
  exchange: string;
  primaryExch: string;
  currency: string;
  isin: string | null;
  minTick: string;
  lotSize: string;
  timeZone: string;
  longName: string;
}

function qualifiedOf(row: ContractRow): QualifiedContract {
  const contract: Contract = { conId: row.conId, symbol: row.symbol, secType: row.secType as Contract["secType"], exchange: row.exchange, primaryExch: row.primaryExch, currency: row.currency };
  const instrument = defineInstrument({
    symbol: row.symbol,
    conId: row.conId,
    isin: row.isin ?? undefined,
    currency: row.currency,
    exchange: row.exchange,
    timeZone: row.timeZone,
    tickSize: row.minTick,
    lotSize: row.lotSize,
  });
  return { contract, instrument, longName: row.longName };
}

/** The contract TWS answered with, validated; the first match wins (SMART routing). */
export function rowFromDetails(raw: ContractDetails, query: ContractQuery): ContractRow {
  const result = detailsSchema.safeParse(raw);
  if (!result.success) {
    throw new Error(`malformed contract details for ${cacheKeyOf(query)}: ${result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`);
  }
  const details = result.data;
  const isin = details.secIdList?.find((entry) => entry.tag === "ISIN")?.value ?? ("isin" in query ? query.isin : null);
  const sizeIncrement = details.sizeIncrement && details.sizeIncrement > 0 && details.sizeIncrement < Number.MAX_VALUE ? details.sizeIncrement : 1;
  return {
    conId: details.contract.conId,
    symbol: details.contract.symbol,
    secType: details.contract.secType,
    exchange: details.contract.exchange || "SMART",
    primaryExch: details.contract.primaryExch ?? "",
    currency: details.contract.currency,
    isin,
    // Through a string so a float such as 0.01 becomes the exact decimal tick.
    minTick: String(details.minTick),
    lotSize: String(sizeIncrement),
    timeZone: ianaZone(details.timeZoneId),
    longName: details.longName ?? "",
  };
}

function requestContract(query: ContractQuery): Contract {
  const parsed = contractQuerySchema.parse(query);
  if ("isin" in parsed) return { secIdType: "ISIN" as Contract["secIdType"], secId: parsed.isin, secType: "STK" as Contract["secType"], exchange: "SMART" };
  return { symbol: parsed.symbol, secType: "STK" as Contract["secType"], exchange: parsed.exchange, currency: parsed.currency };
}

export class UnknownContractError extends Error {
  constructor(readonly query: string) {
    super(`no contract matches ${query}`);
    this.name = "UnknownContractError";
  }
}

/**
 * Qualifies contracts by symbol or ISIN through reqContractDetails, once: answers are kept in
 * memory and in Postgres (`ib_contracts`), so a restart does not ask TWS again.
 */
export class ContractDirectory {
  private readonly memory = new Map<string, QualifiedContract>();
  private readonly bySymbol = new Map<string, QualifiedContract>();
  private readonly inFlight = new Map<string, Promise<QualifiedContract>>();

  constructor(
    private readonly gateway: ContractGateway,
    private readonly prisma: PrismaClient,
    private readonly timeoutMs = 10_000,
  ) {}

  qualify(query: ContractQuery): Promise<QualifiedContract> {
    const key = cacheKeyOf(query);
    const known = this.memory.get(key);
    if (known) return Promise.resolve(known);
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.load(key, query).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  /** A qualified contract by symbol, if it was qualified before (sync, for the order path). */
  known(symbol: string): QualifiedContract | undefined {
    return this.bySymbol.get(symbol.toUpperCase());
  }

  private async load(key: string, query: ContractQuery): Promise<QualifiedContract> {
    const stored = await this.prisma.ibContract.findUnique({ where: { query: key } });
    const row: ContractRow = stored ? { ...stored, minTick: stored.minTick.toString(), lotSize: stored.lotSize.toString() } : await this.fetch(key, query);
    const qualified = qualifiedOf(row);
    this.memory.set(key, qualified);
    this.bySymbol.set(qualified.instrument.symbol.toUpperCase(), qualified);
    return qualified;
  }

  private async fetch(key: string, query: ContractQuery): Promise<ContractRow> {
    const contract = requestContract(query);
    const details = await collectReply(
      this.gateway,
      { data: "contractDetails", end: "contractDetailsEnd" },
      (reqId) => this.gateway.requestContractDetails(reqId, contract),
      this.timeoutMs,
      `contract details for ${key}`,
    ).catch((error: unknown) => {
      if (error instanceof Error && "code" in error && error.code === 200) throw new UnknownContractError(key);
      throw error;
    });
    if (details.length === 0) throw new UnknownContractError(key);
    const row = rowFromDetails(details[0], query);
    await this.prisma.ibContract.upsert({ where: { query: key }, create: { query: key, ...row }, update: { ...row, fetchedAt: new Date() } });
    return row;
  }
}
