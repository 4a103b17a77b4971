/** GET /api/alerts as Next calls it: signed in for real, the alert history on a real database. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRequest, call, startAuthHarness, type AuthHarness } from "@/lib/auth/test-harness";
import { AlertHistory, type AlertHistoryEntry, type AlertPage } from "@/lib/services/alert-history";
import { eventually } from "@/test/eventually";
import * as alertsRoute from "./route";

const PASSWORD = "owner password for the alerts route";
let h: AuthHarness;
let history: AlertHistory;
let session: string;

beforeAll(async () => {
  h = await startAuthHarness();
  session = await h.signInOwner(PASSWORD);
  history = new AlertHistory({ prisma: h.prisma, log: h.log });
  await history.start();
  for (let i = 1; i <= 5; i++) history.record({ kind: "guardian", level: i === 5 ? "critical" : "warning", text: `tier change ${i}`, details: { step: i } });
  await eventually(() => history.unwritten, (count) => count === 0);
  h.publishServices({ alertHistory: history });
}, 60_000);

afterAll(async () => {
  await history?.stop();
  await h?.stop();
});

const get = (query: string, withSession = true) => call(alertsRoute.GET, apiRequest("GET", `/api/alerts${query}`, withSession ? { session } : {}));

describe("GET /api/alerts", () => {
  it("needs a signed-in user", async () => {
    expect((await get("", false)).status).toBe(401);
  });

  it("pages from the newest backwards with before=<id>", async () => {
    const first = (await (await get("?limit=2")).json()) as AlertPage;
    expect(first.alerts.map((alert) => alert.text)).toEqual(["tier change 5", "tier change 4"]);
    expect(first.alerts[0]).toMatchObject<Partial<AlertHistoryEntry>>({ kind: "guardian", level: "critical", symbol: null, details: { step: 5 } });
    const second = (await (await get(`?limit=2&before=${first.nextBefore}`)).json()) as AlertPage;
    expect(second.alerts.map((alert) => alert.text)).toEqual(["tier change 3", "tier change 2"]);
    const last = (await (await get(`?limit=2&before=${second.nextBefore}`)).json()) as AlertPage;
    expect(last).toMatchObject({ alerts: [expect.objectContaining({ text: "tier change 1" })], nextBefore: null });
    const all = (await (await get("")).json()) as AlertPage;
    expect(all.alerts).toHaveLength(5);
  });

  it("refuses a malformed query, naming the field", async () => {
    for (const query of ["?limit=0", "?limit=1000", "?before=abc", "?limit=2&sort=asc"]) {
      const response = await get(query);
      expect(response.status, query).toBe(400);
      const body = (await response.json()) as { error: { message: string } };
      expect(body.error.message, query).toMatch(/limit|before|sort/);
    }
  });
});
