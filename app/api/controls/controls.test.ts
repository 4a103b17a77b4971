/** The control routes called as Next calls them, signed in for real, against a real database. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "@/test/eventually";
import { apiRequest, call, startAuthHarness, type AuthHarness } from "@/lib/auth/test-harness";
import { AccountView } from "@/lib/services/account-view";
import { recordAudit } from "@/lib/services/audit";
import { createRiskStack } from "@/lib/services/risk-service";
import * as overview from "./route";
import * as halt from "./halt/route";
import * as reduce from "./reduce/route";
import * as resume from "./resume/route";
import * as flatBy from "./flat-by/route";

const PASSWORD = "owner password for the control routes";
let h: AuthHarness;
let session: string;

beforeAll(async () => {
  h = await startAuthHarness();
  session = await h.signInOwner(PASSWORD);
  const stack = createRiskStack({
    prisma: h.prisma,
    account: "paper",
    exchange: "XNYS",
    view: new AccountView(() => true),
    // Flatten and cancel-all are exercised against the simulator in lib/services/flatten.test.ts.
    flatten: {} as never,
    now: () => h.clock.now,
    audit: (event) => recordAudit(h.prisma, event).then(() => undefined),
    log: h.log,
  });
  await stack.state.load();
  h.publishServices({ controls: stack.controls, risk: stack.risk });
}, 60_000);

afterAll(async () => {
  await h?.stop();
});

const post = (handler: typeof halt.POST, path: string, body: unknown, withSession = true) =>
  call(handler, apiRequest("POST", path, { body, ...(withSession ? { session } : {}) }));

describe("control routes", () => {
  it("halt, a looser reduce that changes nothing, and an explicit resume, each audited with who and where", async () => {
    expect((await post(halt.POST, "/api/controls/halt", {}, false)).status).toBe(401);
    const halted = await post(halt.POST, "/api/controls/halt", { reason: "news pending" });
    expect(halted.status).toBe(200);
    expect(await halted.json()).toMatchObject({ mode: "HALTED", reason: "news pending", changedBy: "owner" });
    expect(await (await post(reduce.POST, "/api/controls/reduce", { reason: "softer" })).json()).toMatchObject({ mode: "HALTED" });
    const refused = await post(resume.POST, "/api/controls/resume", {});
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain("set confirm to true to resume trading");
    expect(await (await post(resume.POST, "/api/controls/resume", { confirm: true })).json()).toMatchObject({ mode: "ACTIVE", changedBy: "owner" });
    // Audit rows are written after the action (a database outage must not block a control).
    const rows = await eventually(
      () => h.prisma.auditLog.findMany({ where: { action: { startsWith: "trading." } }, orderBy: { id: "asc" } }),
      (found) => found.length === 3,
    );
    expect(rows.map((row) => [row.action, row.result, row.source, row.ip])).toEqual([
      ["trading.halt", "ok", "web", "127.0.0.1"],
      ["trading.reduce", "unchanged", "web", "127.0.0.1"],
      ["trading.resume", "ok", "web", "127.0.0.1"],
    ]);
  });

  it("reads and saves the flat-by schedule, refusing a bad one with the field named", async () => {
    const bad = await call(flatBy.PUT, apiRequest("PUT", "/api/controls/flat-by", { session, body: { enabled: true, localTime: "3pm", timeZone: "America/New_York", exchange: "XNYS" } }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain("localTime: localTime must be HH:MM");
    const saved = await call(flatBy.PUT, apiRequest("PUT", "/api/controls/flat-by", { session, body: { enabled: true, localTime: "15:55", timeZone: "America/New_York", exchange: "XNYS" } }));
    expect(saved.status).toBe(200);
    // The harness clock is Saturday 21 November 2026: the next trigger is Monday's 15:55 EST.
    expect(await saved.json()).toEqual({ enabled: true, localTime: "15:55", timeZone: "America/New_York", exchange: "XNYS", strategy: null, nextAt: "2026-11-23T20:55:00.000Z", strategies: [] });
    const perStrategy = await call(flatBy.PUT, apiRequest("PUT", "/api/controls/flat-by", { session, body: { enabled: true, localTime: "15:30", timeZone: "America/New_York", exchange: "XNYS", strategy: "golden-cross-spy" } }));
    expect(await perStrategy.json()).toMatchObject({ localTime: "15:55", strategies: [{ strategy: "golden-cross-spy", localTime: "15:30", nextAt: "2026-11-23T20:30:00.000Z" }] });
    const read = await (await call(overview.GET, apiRequest("GET", "/api/controls", { session }))).json();
    expect(read).toMatchObject({ status: { mode: "ACTIVE" }, flatByTime: { nextAt: "2026-11-23T20:55:00.000Z" }, guardian: { tier: "normal" }, recentDenials: [] });
  });
});
