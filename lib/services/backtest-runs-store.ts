import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";
import { Prisma, type PrismaClient } from "@/lib/generated/prisma/client";
import type { BacktestMetrics, BacktestRunListItem, BacktestRunView, BacktestSummary, ChartSeries, RunStatus } from "./backtest-run-views";

const zip = promisify(gzip);
const unzip = promisify(gunzip);

export const INTERRUPTED_BY_RESTART = "interrupted by restart";

/** A run as it is first written: queued, with the request it will run. */
export interface NewRun {
  id: string;
  label: string;
  createdAt: Date;
  createdBy: string | null;
  request: StoredRequest;
}

/** The request as kept: an uploaded CSV is named and fingerprinted, not stored. */
export type StoredRequest = Record<string, unknown> & { data: { kind: "csv"; name: string; bytes: number; sha256: string } | { kind: "stored"; seriesId: number } };

export function storedRequest<R extends { data: { kind: "csv"; name: string; text: string } | { kind: "stored"; seriesId: number } }>(request: R): StoredRequest {
  const { data } = request;
  if (data.kind === "stored") return { ...request, data };
  const fingerprint = { kind: "csv" as const, name: data.name, bytes: Buffer.byteLength(data.text), sha256: createHash("sha256").update(data.text).digest("hex") };
  return { ...request, data: fingerprint };
}

type ListRow = {
  id: string;
  label: string;
  status: string;
  progress: number;
  error: string | null;
  created_by: string | null;
  created_at: Date;
  finished_at: Date | null;
  metrics: BacktestMetrics | null;
};

/** Backtest runs in Postgres (table backtest_runs). */
export class BacktestRunStore {
  constructor(private readonly prisma: PrismaClient) {}

  async insert(run: NewRun): Promise<void> {
    await this.prisma.backtestRun.create({
      data: { id: run.id, label: run.label, status: "queued", request: run.request as Prisma.InputJsonObject, createdBy: run.createdBy, createdAt: run.createdAt },
    });
  }

  async markRunning(id: string, at: Date): Promise<void> {
    await this.prisma.backtestRun.update({ where: { id }, data: { status: "running", startedAt: at } });
  }

  async saveDone(id: string, result: { summary: BacktestSummary; chart: ChartSeries; equityCsv: string }, at: Date): Promise<void> {
    await this.prisma.backtestRun.update({
      where: { id },
      data: {
        status: "done",
        progress: 1,
        // Through JSON so non-finite figures become null exactly as in the CLI's --json output.
        summary: JSON.parse(JSON.stringify(result.summary)) as Prisma.InputJsonObject,
        chart: JSON.parse(JSON.stringify(result.chart)) as Prisma.InputJsonObject,
        equityCsvGz: new Uint8Array(await zip(result.equityCsv)),
        finishedAt: at,
      },
    });
  }

  async saveFailed(id: string, error: string, at: Date): Promise<void> {
    await this.prisma.backtestRun.update({ where: { id }, data: { status: "failed", error, finishedAt: at } });
  }

  /** Runs a dead process left queued or running can never finish: they are failed, and counted. */
  async failInterrupted(at: Date): Promise<number> {
    const { count } = await this.prisma.backtestRun.updateMany({
      where: { status: { in: ["queued", "running"] } },
      data: { status: "failed", error: INTERRUPTED_BY_RESTART, finishedAt: at },
    });
    return count;
  }

  async view(id: string): Promise<BacktestRunView | null> {
    const row = await this.prisma.backtestRun.findUnique({
      where: { id },
      select: { id: true, label: true, status: true, progress: true, error: true, createdBy: true, createdAt: true, finishedAt: true, summary: true, chart: true },
    });
    if (!row) return null;
    return {
      ...common(row.id, row.label, row.status, row.progress, row.error, row.createdBy, row.createdAt, row.finishedAt),
      summary: (row.summary as BacktestSummary | null) ?? null,
      chart: (row.chart as ChartSeries | null) ?? null,
    };
  }

  /** Newest first; `before` is the id of the last run of the previous page. */
  async list(before: string | undefined, limit: number): Promise<BacktestRunListItem[]> {
    const after = before === undefined ? Prisma.empty : Prisma.sql`WHERE (created_at, id) < (SELECT created_at, id FROM backtest_runs WHERE id = ${before})`;
    return this.listWhere(after, limit);
  }

  async listByIds(ids: readonly string[]): Promise<BacktestRunListItem[]> {
    return this.listWhere(Prisma.sql`WHERE id = ANY(${[...ids]}::text[])`, ids.length);
  }

  async equityCsv(id: string): Promise<string | null> {
    const row = await this.prisma.backtestRun.findUnique({ where: { id }, select: { equityCsvGz: true } });
    return row?.equityCsvGz ? (await unzip(row.equityCsvGz)).toString("utf8") : null;
  }

  async summary(id: string): Promise<BacktestSummary | null> {
    const row = await this.prisma.backtestRun.findUnique({ where: { id }, select: { summary: true } });
    return (row?.summary as BacktestSummary | null | undefined) ?? null;
  }

  /** The list leaves out the trades, the chart and the equity curve: only the figures travel. */
  private async listWhere(where: Prisma.Sql, limit: number): Promise<BacktestRunListItem[]> {
    const rows = await this.prisma.$queryRaw<ListRow[]>`
      SELECT id, label, status, progress, error, created_by, created_at, finished_at, summary - 'trades' AS metrics
      FROM backtest_runs ${where}
      ORDER BY created_at DESC, id DESC
      LIMIT ${limit}`;
    return rows.map((row) => ({ ...common(row.id, row.label, row.status, row.progress, row.error, row.created_by, row.created_at, row.finished_at), metrics: row.metrics }));
  }
}

function common(id: string, label: string, status: string, progress: number, error: string | null, createdBy: string | null, createdAt: Date, finishedAt: Date | null) {
  return { id, label, status: status as RunStatus, progress, error, createdBy, createdAt: createdAt.toISOString(), finishedAt: finishedAt?.toISOString() ?? null };
}
