/** The rollback route called as Next calls it, signed in for real, against a real database. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRequest, call, startAuthHarness, type AuthHarness } from "@/lib/auth/test-harness";
import { parseOhlcvCsv } from "@/lib/core/data/csv";
import { featureSpecFor } from "@/lib/core/rl/features";
import { alternatingModel } from "@/lib/core/rl/testing";
import { ModelStore } from "@/lib/rl/model-store";
import * as rollback from "./rollback/route";

const PASSWORD = "owner password for rl rollback";
const folder = mkdtempSync(join(tmpdir(), "kestrel-rl-route-"));
let h: AuthHarness;
let session: string;

beforeAll(async () => {
  process.env.RL_MODELS_DIR = folder;
  h = await startAuthHarness();
  session = await h.signInOwner(PASSWORD);
}, 60_000);

afterAll(async () => {
  delete process.env.RL_MODELS_DIR;
  rmSync(folder, { recursive: true, force: true });
  await h?.stop();
});

describe("POST /rl/rollback", () => {
  it("makes the previous version current, audits it, and refuses when there is none", async () => {
    const bars = parseOhlcvCsv(readFileSync(new URL("../../test/fixtures/prices/fb-daily-2012-2014.csv", import.meta.url), "utf8"), { source: "fb" });
    const model = { ...alternatingModel(86_400), featureSpec: featureSpecFor(bars) };
    const store = new ModelStore(folder);
    store.save("fb", model, { now: new Date("2026-11-20T21:00:00Z") });
    store.save("fb", model, { now: new Date("2026-11-21T21:00:00Z"), note: "online update" });
    const post = (body: unknown, withSession = true) => call(rollback.POST, apiRequest("POST", "/rl/rollback", { body, ...(withSession ? { session } : {}) }));

    expect((await post({ model: "fb" }, false)).status).toBe(401);
    const done = await post({ model: "fb" });
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual({ model: "fb", from: 2, to: 1 });
    expect(store.manifest("fb").current).toBe(1);
    const audit = await h.prisma.auditLog.findMany({ where: { action: "rl_rollback" } });
    expect(audit).toEqual([expect.objectContaining({ actor: "owner", result: "ok", details: { model: "fb", from: 2, to: 1 } })]);

    const none = await post({ model: "fb" });
    expect(none.status).toBe(409);
    expect(((await none.json()) as { error: { message: string } }).error.message).toMatch(/no earlier accepted version/);
    expect((await post({ model: "nope" })).status).toBe(404);
    expect((await post({ name: "fb" })).status).toBe(400);
  }, 60_000);
});
