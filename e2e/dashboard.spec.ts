import { expect, test, type Page } from "@playwright/test";
import { E2E_ADMIN } from "./support/credentials";
import { loginAs } from "./fixtures/auth";
import { readE2eRuntime, queryDatabase, simulatorLedger } from "./support/runtime";

async function openDashboard(page: Page) {
  await loginAs(page, E2E_ADMIN.username, E2E_ADMIN.password);
  await page.goto("/");
  await expect(page.getByTestId("broker-state")).toHaveText("Broker: connected");
  await expect(page.getByTestId("feed-state")).toHaveText("Feed: live");
}

test.describe.serial("dashboard on the simulated gateway", () => {
  test("shows the simulator's positions, account and streaming prices", async ({ page }) => {
    const runtime = readE2eRuntime();
    const ledger = await simulatorLedger(runtime);
    const open = ledger.positions.filter((position) => position.qty !== 0);
    expect(open.length).toBeGreaterThan(1);
    expect(open.some((position) => position.qty < 0)).toBe(true);

    await openDashboard(page);
    await expect(page.getByRole("status", { name: "Trading mode" })).toHaveText("PAPER TRADING");
    for (const position of open) {
      const row = page.getByTestId(`position-${position.symbol}`);
      await expect(row.getByTestId("quantity")).toHaveText(new Intl.NumberFormat("en-US").format(position.qty));
    }
    await expect(page.getByTestId("net-liquidation")).not.toHaveText("—");

    const firstPrice = page.getByTestId(`position-${open[0].symbol}`).getByTestId("last-price");
    await expect(firstPrice).not.toHaveText("—");
    const before = await firstPrice.textContent();
    await expect(firstPrice).not.toHaveText(before ?? "", { timeout: 20_000 });
  });

  test("flatten all asks for confirmation, then empties every position and records the fills", async ({ page }) => {
    const runtime = readE2eRuntime();
    const openBefore = (await simulatorLedger(runtime)).positions.filter((position) => position.qty !== 0);
    await openDashboard(page);

    await page.getByRole("button", { name: "Flatten all" }).click();
    const confirm = page.getByRole("alertdialog", { name: "Confirm flatten all" });
    await expect(confirm).toBeVisible();
    await confirm.getByRole("button", { name: "Confirm flatten" }).click();

    await expect(page.getByTestId("flatten-result")).toContainText("every position closed");
    for (const position of openBefore) {
      await expect(page.getByTestId(`position-${position.symbol}`).getByTestId("quantity")).toHaveText("0");
    }
    await expect(page.getByRole("table", { name: "Working orders" }).locator("tbody tr")).toHaveCount(0);
    await expect(page.getByTestId("fill-row").first()).toBeVisible();

    const ledger = await simulatorLedger(runtime);
    expect(ledger.positions.filter((position) => position.qty !== 0)).toEqual([]);
    const closingExecIds = ledger.executions
      .filter((execution) => openBefore.some((position) => position.symbol === execution.symbol))
      .map((execution) => execution.execId);
    await expect
      .poll(async () => {
        const rows = await queryDatabase<{ exec_id: string }>(runtime, "SELECT exec_id FROM executions");
        return closingExecIds.every((execId) => rows.some((row) => row.exec_id === execId));
      })
      .toBe(true);
    const audit = await queryDatabase<{ action: string; result: string }>(runtime, "SELECT action, result FROM audit_log WHERE action = 'flatten_all'");
    expect(audit).toContainEqual({ action: "flatten_all", result: "flat" });
  });

  test("a malformed flatten request gets a 400 that names the problem", async ({ page, baseURL }) => {
    await loginAs(page, E2E_ADMIN.username, E2E_ADMIN.password);
    const response = await page.request.post("/api/flatten", { data: { confirm: "yes please" }, headers: { origin: baseURL ?? "" } });
    expect(response.status()).toBe(400);
    expect((await response.json()).error.message).toMatch(/confirm/);
  });

  test("an unknown route is a 404 page", async ({ page }) => {
    const response = await page.goto("/no-such-page");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  });

  test("signing out elsewhere ends this page's live feed and sends it to the sign-in page", async ({ page, context, baseURL }) => {
    await openDashboard(page);
    await page.goto("/?from=feed");
    await expect(page.getByTestId("feed-state")).toHaveText("Feed: live");
    const otherTab = await context.newPage();
    const response = await otherTab.request.post("/api/auth/logout", { headers: { origin: baseURL ?? "" } });
    expect(response.status()).toBe(200);
    await expect(page).toHaveURL(/\/login\?error=session_ended&next=%2F%3Ffrom%3Dfeed$/);
    await expect(page.getByText("Your session ended: it was signed out, revoked or expired.")).toBeVisible();
  });
});
