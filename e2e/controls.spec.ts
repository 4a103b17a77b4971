import { expect, test, type Page } from "@playwright/test";
import type { SimLedger } from "@/lib/sim";
import { E2E_ADMIN } from "./support/credentials";
import { loginAs } from "./fixtures/auth";
import { queryDatabase, readE2eRuntime, simulatorLedger } from "./support/runtime";
import { E2E_FAST_STRATEGY as STRATEGY } from "./support/strategies";

const WORKING = new Set(["PendingSubmit", "PreSubmitted", "Submitted"]);

/** Orders of the seeded strategy instance at the broker: their orderRef names its decisions. */
const strategyOrders = (ledger: SimLedger) => ledger.orders.filter((order) => order.orderRef.startsWith(`k1:${STRATEGY.id}.`));

async function openOverview(page: Page) {
  await loginAs(page, E2E_ADMIN.username, E2E_ADMIN.password);
  await expect(page.getByTestId("broker-state")).toHaveText("Broker: connected");
  await expect(page.getByTestId("feed-state")).toHaveText("Feed: live");
}

const killSwitch = (page: Page) => page.getByRole("region", { name: "Kill switch" });

/** Halt or resume from the overview's kill switch, and wait for the badge to follow. */
async function setTradingFromOverview(page: Page, action: "Halt entries" | "Resume", badge: "HALTED" | "ACTIVE") {
  if (!page.url().endsWith("/")) await page.goto("/");
  await killSwitch(page).getByRole("button", { name: action }).click();
  await expect(page.getByTestId("trading-state")).toHaveText(badge);
}

/** Start or pause the seeded instance from its card on the Strategies page. */
async function setStrategyFromPage(page: Page, action: "Start" | "Pause") {
  await page.goto("/strategies");
  const card = page.getByTestId(`strategy-${STRATEGY.id}`);
  await card.getByRole("button", { name: action }).click();
  await expect(card.getByRole("status").filter({ hasText: action === "Start" ? "Started." : "Paused." })).toBeVisible();
  await expect(card.getByTestId("strategy-state")).toHaveText(action === "Start" ? "RUNNING" : "PAUSED");
}

test.describe("trading controls against a running strategy", () => {
  // Specs share one server: whatever happens here, leave the instance paused and trading ACTIVE.
  test.afterAll(async ({ browser, baseURL }) => {
    const page = await browser.newPage();
    await loginAs(page, E2E_ADMIN.username, E2E_ADMIN.password);
    const headers = { origin: baseURL ?? "" };
    await page.request.post(`/api/strategies/${STRATEGY.id}/state`, { data: { state: "paused" }, headers });
    const { trading } = (await (await page.request.get("/api/overview")).json()) as { trading: { mode: string } | null };
    if (trading && trading.mode !== "ACTIVE") await page.request.post("/api/controls/resume", { data: { confirm: true }, headers });
    await page.close();
  });

  test("halt entries blocks the strategy's entry with a recorded denial; after resume its next entry goes out", async ({ page }) => {
    test.setTimeout(120_000);
    const runtime = readE2eRuntime();
    // Earlier attempts (a retry) may have traded: only what happens from here on counts.
    const earlierOrders = new Set(strategyOrders(await simulatorLedger(runtime)).map((order) => order.permId));
    const newOrders = async () => strategyOrders(await simulatorLedger(runtime)).filter((order) => !earlierOrders.has(order.permId));
    const [{ last: lastDenialId }] = await queryDatabase<{ last: string }>(runtime, "SELECT coalesce(max(id), 0) AS last FROM risk_denials");
    const decisionIds = () => queryDatabase<{ id: string }>(runtime, `SELECT id FROM order_decisions WHERE id LIKE '${STRATEGY.id}.%' ORDER BY id`);
    const decisionsBefore = await decisionIds();

    await openOverview(page);
    if ((await page.getByTestId("trading-state").textContent()) !== "ACTIVE") await setTradingFromOverview(page, "Resume", "ACTIVE");
    await setTradingFromOverview(page, "Halt entries", "HALTED");
    await expect(page.getByTestId("controls-result")).toHaveText("New entries halted.");
    await page.screenshot({ path: test.info().outputPath("halted.png"), fullPage: true });

    await setStrategyFromPage(page, "Start");
    // Two refusals, so more than one of the strategy's decisions met the halt.
    await expect
      .poll(async () => (await queryDatabase<{ n: number }>(runtime, `SELECT count(*)::int AS n FROM risk_denials WHERE strategy = '${STRATEGY.id}' AND id > ${lastDenialId}`))[0].n, { timeout: 45_000 })
      .toBeGreaterThanOrEqual(2);
    await page.goto("/risk");
    const newest = page.getByRole("table", { name: "Recent denials" }).locator("tbody tr").first();
    const cells = await newest.locator("td").allTextContents();
    expect(cells.slice(1, 4)).toEqual(["SPY", STRATEGY.id, "trading-state"]);
    expect(cells[4]).toContain("trading is HALTED");
    await page.screenshot({ path: test.info().outputPath("risk-denial.png"), fullPage: true });

    // Nothing of the strategy's reached the broker, nor was a decision to send one written.
    expect(await newOrders()).toEqual([]);
    expect(await decisionIds()).toEqual(decisionsBefore);
    await page.goto("/");
    await expect(page.getByTestId("feed-state")).toHaveText("Feed: live");
    await expect(page.getByRole("table", { name: "Working orders" }).getByRole("row", { name: /SPY/ })).toHaveCount(0);
    const spyFills = page.getByRole("table", { name: "Today's fills" }).getByRole("row", { name: /SPY/ });
    const spyFillsBefore = await spyFills.count();

    await setTradingFromOverview(page, "Resume", "ACTIVE");
    await expect(page.getByTestId("controls-result")).toHaveText("Trading resumed.");
    await expect.poll(async () => (await newOrders()).length, { timeout: 45_000 }).toBeGreaterThan(0);
    const [entry] = await newOrders();
    expect(entry).toMatchObject({ symbol: "SPY", action: "BUY" });
    await expect.poll(() => spyFills.count()).toBeGreaterThan(spyFillsBefore);
    await page.screenshot({ path: test.info().outputPath("resumed-entry.png"), fullPage: true });

    await setStrategyFromPage(page, "Pause");
  });

  test("a working order is cancelled from its row after a confirm step", async ({ page }) => {
    const runtime = readE2eRuntime();
    // The simulated account starts with resting limit orders of this client.
    const order = (await simulatorLedger(runtime)).orders.find((candidate) => candidate.orderRef === "demo" && WORKING.has(candidate.status));
    expect(order, "a resting demo order to cancel").toBeDefined();
    const { orderId, symbol, action, totalQuantity } = order!;

    await openOverview(page);
    const row = page.getByTestId(`order-${orderId}`);
    await expect(row).toContainText(symbol);
    await row.getByRole("button", { name: `Cancel order ${orderId}` }).click();
    const confirm = row.getByRole("alertdialog", { name: `Confirm cancel of order ${orderId}` });
    await expect(confirm).toBeVisible();
    await page.screenshot({ path: test.info().outputPath("cancel-confirm.png"), fullPage: true });
    await confirm.getByRole("button", { name: "Confirm cancel" }).click();

    await expect(page.getByTestId("cancel-order-result")).toHaveText(`${action} ${totalQuantity} ${symbol} (order ${orderId}) cancelled.`);
    await expect(row).toHaveCount(0);
    await page.screenshot({ path: test.info().outputPath("cancel-done.png"), fullPage: true });

    const atBroker = (await simulatorLedger(runtime)).orders.find((candidate) => candidate.orderId === orderId && candidate.clientId === order!.clientId);
    expect(atBroker?.status).toBe("Cancelled");
    await expect
      .poll(async () => (await queryDatabase<{ status: string }>(runtime, `SELECT status FROM orders WHERE order_id = ${orderId} AND client_id = ${order!.clientId}`)).map((stored) => stored.status))
      .toEqual(["Cancelled"]);
    const audit = await queryDatabase<{ result: string; details: { orderId: number } }>(runtime, "SELECT result, details FROM audit_log WHERE action = 'cancel_order'");
    expect(audit).toContainEqual(expect.objectContaining({ result: "ok", details: expect.objectContaining({ orderId }) }));
  });

  test("the alerts feed lists what the server recorded, and still does after a reload", async ({ page }) => {
    const runtime = readE2eRuntime();
    const [{ last }] = await queryDatabase<{ last: string }>(runtime, "SELECT coalesce(max(id), 0)::text AS last FROM alert_history");
    await openOverview(page);
    if ((await page.getByTestId("trading-state").textContent()) !== "ACTIVE") await setTradingFromOverview(page, "Resume", "ACTIVE");
    await setTradingFromOverview(page, "Halt entries", "HALTED");

    const recorded = async () => queryDatabase<{ text: string; level: string }>(runtime, `SELECT text, level FROM alert_history WHERE id > ${last} AND kind = 'halt' ORDER BY id`);
    await expect.poll(async () => (await recorded()).map((row) => row.level)).toContain("critical");
    const halted = (await recorded()).find((row) => row.level === "critical")!;
    expect(halted.text).toMatch(/Trading HALTED/);

    const alerts = page.getByRole("region", { name: "Alerts" });
    const row = alerts.getByTestId("alert-row").filter({ hasText: halted.text }).first();
    await expect(row).toBeVisible();
    await expect(row).toContainText("critical");
    await page.reload();
    await expect(page.getByTestId("feed-state")).toHaveText("Feed: live");
    await expect(alerts.getByTestId("alert-row").filter({ hasText: halted.text }).first()).toContainText("trading state");
    await page.screenshot({ path: test.info().outputPath("alerts-after-reload.png"), fullPage: true });

    await setTradingFromOverview(page, "Resume", "ACTIVE");
  });
});
