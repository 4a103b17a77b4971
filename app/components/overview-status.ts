"use client";

import { useEffect, useState } from "react";
import type { TradingStatus } from "@/lib/services/controls";
import type { FlatByTimeView, GuardianView } from "@/lib/services/risk-overview";

/** Gateway health as the engine reports it; the fields after `state` appear as the connection work lands. */
export interface GatewayHealth {
  state: string;
  clientId?: number;
  mode?: "paper" | "live";
  farms?: Record<string, unknown>;
  nextResetWindow?: unknown;
  entitlements?: Record<string, unknown>;
}

export interface OverviewStatus {
  trading: TradingStatus | null;
  flatBy: FlatByTimeView | null;
  guardian: GuardianView | null;
  health: GatewayHealth;
}

const POLL_MS = 2000;

/** Polls the overview status; `error` says why the last poll failed, if it did. */
export function useOverviewStatus(): { status: OverviewStatus | null; error: string | null; refresh: () => void } {
  const [status, setStatus] = useState<OverviewStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let cancelled = false;
    const load = async () => {
      try {
        const response = await fetch("/api/overview", { cache: "no-store" });
        if (!response.ok) throw new Error(`status request answered ${response.status}`);
        const body = (await response.json()) as OverviewStatus;
        if (!cancelled) {
          setStatus(body);
          setError(null);
        }
      } catch (failure) {
        if (!cancelled) setError(failure instanceof Error ? failure.message : "the server could not be reached");
      }
    };
    void load();
    const timer = setInterval(load, POLL_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [tick]);

  return { status, error, refresh: () => setTick((value) => value + 1) };
}

/** Text for any reset window / farm value shape the health endpoint may carry. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "object") {
    const record = value as Record<string, unknown>;
    if ("start" in record && "end" in record) return `${String(record.start)} → ${String(record.end)}`;
    if ("state" in record) return String(record.state);
    if ("status" in record) return String(record.status);
  }
  return JSON.stringify(value);
}
