/** The backtest routes as Next calls them: signed in for real, runs kept in a real database. */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRequest, call, startAuthHarness, type AuthHarness } from "@/lib/auth/test-harness";
import type { BacktestRunPage, BacktestRunView } from "@/lib/services/backtest-run-views";
import { BacktestRuns } from "@/lib/services/backtest-runs";
import { eventually } from "@/test/eventually";
import * as runsRoute from "./route";
import * as runRoute from "./[id]/route";
import * as equityRoute from "./[id]/equity/route";
import * as tradesRoute from "./[id]/trades/route";
import * as compareRoute from "./compare/route";

const PASSWORD = "owner password for the backtest routes";
const FIXTURE = new URL("../../../test/fixtures/prices/fb-daily-2012-2014.csv", import.meta.url);
const csv = { kind: "csv", name: "fb.csv", text: readFileSync(FIXTURE, "utf8") };
let h: AuthHarness;
let session: string;

beforeAll(async () => {
  h = await startAuthHarness();
  session = await h.signInOwner(PASSWORD);
  publishWith(new BacktestRuns({ prisma: h.prisma }));
}, 60_000);

afterAll(async () => {
  await h?.stop();
});

function publishWith(backtests: BacktestRuns): void {
  h.publishServices({ backtests });
}

const get = (handler: typeof runsRoute.GET, path: string, params: Record<string, string> = {}, withSession = true) =>
  call(handler, apiRequest("GET", path, withSession ? { session } : {}), params);

async function runToEnd(body: unknown): Promise<BacktestRunView> {
  const response = await call(runsRoute.POST, apiRequest("POST", "/api/backtests", { session, body }));
  expect(response.status).toBe(202);
  const { id } = (await response.json()) as BacktestRunView;
  return eventually(
    async () => (await (await get(runRoute.GET, `/api/backtests/${id}`, { id })).json()) as BacktestRunView,
    (run) => run.status === "done" || run.status === "failed",
  );
}

describe("backtest routes", { timeout: 60_000 }, () => {
  it("need a signed-in user", async () => {
    expect((await get(runsRoute.GET, "/api/backtests", {}, false)).status).toBe(401);
    expect((await get(compareRoute.GET, "/api/backtests/compare?ids=a,b", {}, false)).status).toBe(401);
  });

  it("keep runs across a restart: list pages newest first, compare, and both CSVs come from the database", async () => {
    const first = await runToEnd({ data: csv, strategy: "golden-cross", parameters: { fast: 20, slow: 50 } });
    const second = await runToEnd({ data: csv, strategy: "ma-cross", capital: 25_000 });
    expect([first.status, second.status]).toEqual(["done", "done"]);
    expect(first.createdBy).toBe("owner");

    publishWith(new BacktestRuns({ prisma: h.prisma }));
    const page1 = (await (await get(runsRoute.GET, "/api/backtests?limit=1")).json()) as BacktestRunPage;
    expect(page1.runs.map((run) => run.id)).toEqual([second.id]);
    expect(page1.runs[0].metrics).toMatchObject({ strategy: "ma-cross", initialCapital: 25_000 });
    const page2 = (await (await get(runsRoute.GET, `/api/backtests?limit=1&before=${page1.nextBefore}`)).json()) as BacktestRunPage;
    expect(page2.runs.map((run) => run.id)).toEqual([first.id]);

    const compared = await get(compareRoute.GET, `/api/backtests/compare?ids=${first.id},${second.id}`);
    expect(compared.status).toBe(200);
    const { runs } = (await compared.json()) as { runs: BacktestRunPage["runs"] };
    expect(runs.map((run) => run.metrics?.totalReturn)).toEqual([first.summary!.totalReturn, second.summary!.totalReturn]);

    const equity = await get(equityRoute.GET, `/api/backtests/${first.id}/equity`, { id: first.id });
    expect(equity.headers.get("content-type")).toContain("text/csv");
    expect((await equity.text()).trim().split("\n")).toHaveLength(first.summary!.bars + 1);
    const trades = await (await get(tradesRoute.GET, `/api/backtests/${second.id}/trades`, { id: second.id })).text();
    expect(trades.trim().split("\n")).toHaveLength(second.summary!.tradeCount + 1);
  });

  it("answer 404 for an unknown run and 400 for a malformed query", async () => {
    expect((await get(runRoute.GET, "/api/backtests/zzz-00000000", { id: "zzz-00000000" })).status).toBe(404);
    expect((await get(compareRoute.GET, "/api/backtests/compare?ids=zzz-00000000,yyy-00000000")).status).toBe(404);
    for (const path of ["/api/backtests?limit=0", "/api/backtests?before=../x", "/api/backtests/compare?ids=one", "/api/backtests/compare"]) {
      const handler = path.includes("compare") ? compareRoute.GET : runsRoute.GET;
      expect((await get(handler, path)).status, path).toBe(400);
    }
  });
});
