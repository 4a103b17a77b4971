import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test, type Page } from "@playwright/test";
import { E2E_ADMIN } from "./support/credentials";
import { loginAs } from "./fixtures/auth";
import { queryDatabase, readE2eRuntime } from "./support/runtime";

const FIXTURE = path.resolve("test/fixtures/prices/fb-daily-2012-2014.csv");
const number = (text: string | null) => Number((text ?? "").replace(/[^0-9.-]/g, ""));

async function signIn(page: Page, next = "/") {
  await loginAs(page, E2E_ADMIN.username, E2E_ADMIN.password);
  if (next !== "/") await page.goto(next);
}

async function overviewStatus(page: Page) {
  const response = await page.request.get("/api/overview");
  expect(response.ok()).toBe(true);
  return (await response.json()) as { trading: { mode: string } | null };
}

test.describe.serial("dashboard pages", () => {
  test("every page carries the paper/live banner and the navigation", async ({ page }) => {
    await signIn(page);
    for (const [href, heading] of [
      ["/pnl", /^P&L/],
      ["/strategies", "Strategies"],
      ["/backtest", "Backtest"],
      ["/risk", "Risk"],
      ["/reports", /report/i],
    ] as const) {
      await page.goto(href);
      await expect(page.getByRole("status", { name: "Trading mode" })).toHaveText("PAPER TRADING");
      await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
      await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Overview" })).toBeVisible();
    }
  });

  test("the overview shows the trading state; halt then resume changes the badge", async ({ page }) => {
    await signIn(page);
    await expect(page.getByTestId("feed-state")).toHaveText("Feed: live");
    const killSwitch = page.getByRole("region", { name: "Kill switch" });
    await expect(killSwitch.getByRole("button", { name: "Flatten all" })).toBeVisible();
    const status = await overviewStatus(page);
    if (!status.trading) {
      test.info().annotations.push({ type: "pending", description: "trading controls not published yet: only the N/A badge is checked" });
      await expect(page.getByTestId("trading-state")).toHaveText("STATE N/A");
      await expect(killSwitch.getByRole("button", { name: "Halt entries" })).toBeDisabled();
      return;
    }
    const badge = page.getByTestId("trading-state");
    await expect(badge).toHaveText(status.trading.mode);
    if (status.trading.mode !== "ACTIVE") {
      // Flatten all (earlier specs) halts entries; start from ACTIVE.
      await killSwitch.getByRole("button", { name: "Resume" }).click();
      await expect(badge).toHaveText("ACTIVE");
    }
    await killSwitch.getByRole("button", { name: "Halt entries" }).click();
    await expect(page.getByTestId("trading-state")).toHaveText("HALTED");
    await killSwitch.getByRole("button", { name: "Resume" }).click();
    await expect(page.getByTestId("trading-state")).toHaveText("ACTIVE");
  });

  test("an invalid strategy parameter is refused with a message", async ({ page }) => {
    await signIn(page, "/strategies");
    const listed = await page.request.get("/api/strategies");
    if (listed.status() === 503) {
      test.info().annotations.push({ type: "pending", description: "strategy runner not published yet: the not-available state is checked" });
      await expect(page.getByRole("status").filter({ hasText: "Strategies are not available" })).toBeVisible();
      return;
    }
    const { strategies } = (await listed.json()) as { strategies: { id: string; label: string }[] };
    const instance = strategies[0];
    const form = page.getByRole("form", { name: `Parameters of ${instance.label}` });
    const numericField = form.locator("input.num").first();
    const name = await numericField.evaluate((input) => input.closest("label")?.firstChild?.textContent ?? "");
    expect(name).not.toBe("");
    await numericField.fill("-5");
    await form.getByRole("button", { name: "Save parameters" }).click();
    await expect(page.getByTestId(`strategy-${instance.id}`).getByRole("alert")).toContainText(name);
  });

  test("a backtest run from the page shows progress and the same result as the CLI", async ({ page }) => {
    await signIn(page, "/backtest");
    await page.getByLabel("CSV file").setInputFiles(FIXTURE);
    await page.getByLabel("Strategy").selectOption("golden-cross");
    await page.getByLabel("Parameters (JSON)").fill(JSON.stringify({ fast: 20, slow: 50, mode: "state", longOnly: true }));
    await page.getByLabel("Commission").selectOption("ibkr-fixed");
    await page.getByLabel("Capital").fill("50000");
    await page.getByRole("button", { name: "Run backtest" }).click();

    const progress = page.getByRole("progressbar", { name: "Backtest progress" });
    await expect(progress).toBeVisible();
    await expect(progress).toHaveAttribute("aria-valuenow", "100");
    await expect(page.getByTestId("run-status")).toHaveText("done");

    const { stdout } = await promisify(execFile)("npm", ["run", "-s", "backtest", "--", "--data", FIXTURE, "--strategy", "golden-cross", "--fast", "20", "--slow", "50", "--mode", "state", "--long-only", "--commission", "ibkr-fixed", "--capital", "50000", "--json"]);
    const cli = JSON.parse(stdout);
    await expect(page.getByTestId("metric-tradeCount")).toHaveText(String(cli.tradeCount));
    expect(number(await page.getByTestId("metric-finalCapital").textContent())).toBeCloseTo(cli.finalCapital, 2);
    await expect(page.getByTestId("trade-row")).toHaveCount(cli.trades.length);

    const runs = (await (await page.request.get("/api/backtests")).json()) as { runs: { id: string }[] };
    const run = await (await page.request.get(`/api/backtests/${runs.runs[0].id}`)).json();
    expect(run.summary).toEqual(cli);

    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: "Download trades CSV" }).click();
    const trades = await (await download).path();
    expect(trades).toBeTruthy();
    await page.screenshot({ path: test.info().outputPath("backtest-result.png"), fullPage: true });
  });

  test("the P&L waterfall bars equal the day's realized P&L per trade", async ({ page }) => {
    // Two round trips of our own on a past trading day, so the figures do not depend on other specs.
    const runtime = readE2eRuntime();
    const day = "2026-11-17";
    const run = randomUUID().slice(0, 8);
    const fills = [
      { id: 1, side: "BUY", shares: 10, price: 100, realized: null, at: "15:00" },
      { id: 2, side: "SELL", shares: 10, price: 103.5, realized: 33, at: "16:00" },
      { id: 3, side: "SELL", shares: 5, price: 104, realized: null, at: "17:00" },
      { id: 4, side: "BUY", shares: 5, price: 105, realized: -7.25, at: "18:00" },
    ];
    for (const fill of fills) {
      const execId = `ui-${run}-${fill.id}`;
      await queryDatabase(
        runtime,
        `INSERT INTO executions (exec_id, account, client_id, order_id, symbol, currency, exchange, side, shares, price, cum_qty, avg_price, executed_at)
         VALUES ('${execId}', 'DU0000000', 98, ${fill.id}, 'KSTRLPNL', 'USD', 'SMART', '${fill.side}', ${fill.shares}, ${fill.price}, ${fill.shares}, ${fill.price}, '${day}T${fill.at}:00Z')`,
      );
      await queryDatabase(runtime, `INSERT INTO commissions (exec_id, commission, currency, realized_pnl) VALUES ('${execId}', 1, 'USD', ${fill.realized ?? "NULL"})`);
    }
    const perTrade = fills.flatMap((fill) => (fill.realized === null ? [] : [fill.realized]));

    await signIn(page, `/pnl?date=${day}`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`P&L ${day}`);
    await page.getByText("Waterfall data").click();
    const rows = page.getByRole("table", { name: "Realized P&L waterfall data" }).locator("tbody tr");
    await expect(rows).toHaveCount(perTrade.length + 1);
    const bars = await rows.evaluateAll((elements) => elements.map((row) => [...row.querySelectorAll("td")].map((cell) => cell.textContent ?? "")));
    expect(bars.slice(0, -1).map(([, value]) => number(value))).toEqual(perTrade);
    expect(bars.slice(0, -1).map(([label]) => label.split(" ")[0])).toEqual(["KSTRLPNL", "KSTRLPNL"]);
    expect(bars[bars.length - 1][0]).toBe("Total");
    expect(number(bars[bars.length - 1][1])).toBeCloseTo(perTrade.reduce((sum, value) => sum + value, 0), 2);
    await expect(page.getByTestId("waterfall-chart").locator("rect")).toHaveCount(perTrade.length + 1);
  });

  test("on a 390x844 phone the kill switch is on the first screen", async ({ browser }) => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await signIn(page);
    await expect(page.getByTestId("feed-state")).toHaveText("Feed: live");
    const flatten = page.getByRole("region", { name: "Kill switch" }).getByRole("button", { name: "Flatten all" });
    await expect(flatten).toBeEnabled();
    await expect(flatten).toBeInViewport();
    await page.screenshot({ path: test.info().outputPath("overview-390x844.png") });
    await flatten.tap();
    await expect(page.getByRole("alertdialog", { name: "Confirm flatten all" })).toBeInViewport();
    await page.getByRole("button", { name: "Keep positions" }).tap();
    await context.close();
  });
});
