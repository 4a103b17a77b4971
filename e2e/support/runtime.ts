import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import type { SimLedger } from "@/lib/sim";

/** Where the end-to-end harness put things; written by e2e-server.ts before the app starts. */
export interface E2eRuntime {
  databaseUrl: string;
  ledgerUrl: string;
  /** How far the app's and the simulator's clocks run ahead of the wall clock (session-clock.ts). */
  clockOffsetMs?: number;
  /** The Kestrel server process, once started (the UI bench reads its CPU time). */
  appPid?: number;
}

/** E2E_RUNTIME_FILE moves it, so that a second suite on another E2E_PORT does not read this one's. */
export const E2E_RUNTIME_FILE = path.resolve(process.env.E2E_RUNTIME_FILE ?? ".data/e2e/runtime.json");

export function readE2eRuntime(): E2eRuntime {
  return JSON.parse(readFileSync(E2E_RUNTIME_FILE, "utf8")) as E2eRuntime;
}

/** The simulated gateway's own books: the truth the dashboard is checked against. */
export async function simulatorLedger(runtime: E2eRuntime): Promise<SimLedger> {
  const response = await fetch(runtime.ledgerUrl);
  if (!response.ok) throw new Error(`ledger endpoint answered ${response.status}`);
  return (await response.json()) as SimLedger;
}

export async function queryDatabase<Row>(runtime: E2eRuntime, sql: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: runtime.databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Row[];
  } finally {
    await client.end();
  }
}
