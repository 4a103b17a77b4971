import { readFile } from "node:fs/promises";
import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import ExcelJS from "exceljs";
import { E2E_ADMIN } from "./support/credentials";
import { loginAs } from "./fixtures/auth";
import { queryDatabase, readE2eRuntime } from "./support/runtime";

/** A past NYSE trading day of our own, so the spec never depends on what other specs traded. */
const DAY = "2026-11-18";
const SYMBOL = "KSTRLTEST";

test.describe.serial("daily report", () => {
  // A past day's report is stored once it is built, so a retry would see the first attempt's snapshot.
  test.describe.configure({ retries: 0 });
  const run = randomUUID().slice(0, 8);
  const fills = [
    { execId: `e2e-${run}-1`, side: "BUY", shares: 10, price: 100, commission: 1, realized: null, at: `${DAY}T15:00:00Z`, ref: "e2e:1" },
    { execId: `e2e-${run}-2`, side: "SELL", shares: 10, price: 103.5, commission: 1, realized: 33, at: `${DAY}T16:00:00Z`, ref: "e2e:2" },
    { execId: `e2e-${run}-3`, side: "SELL", shares: 5, price: 104, commission: 1, realized: null, at: `${DAY}T17:00:00Z`, ref: null },
    { execId: `e2e-${run}-4`, side: "BUY", shares: 5, price: 105, commission: 1, realized: -7, at: `${DAY}T18:00:00Z`, ref: null },
  ];

  test.beforeAll(async () => {
    const runtime = readE2eRuntime();
    for (const fill of fills) {
      const ref = fill.ref === null ? "NULL" : `'${fill.ref}'`;
      await queryDatabase(
        runtime,
        `INSERT INTO executions (exec_id, account, client_id, order_id, symbol, currency, exchange, side, shares, price, cum_qty, avg_price, order_ref, executed_at)
         VALUES ('${fill.execId}', 'DU0000000', 99, 1, '${SYMBOL}', 'USD', 'SMART', '${fill.side}', ${fill.shares}, ${fill.price}, ${fill.shares}, ${fill.price}, ${ref}, '${fill.at}')`,
      );
      await queryDatabase(
        runtime,
        `INSERT INTO commissions (exec_id, commission, currency, realized_pnl) VALUES ('${fill.execId}', ${fill.commission}, 'USD', ${fill.realized ?? "NULL"})`,
      );
    }
  });

  test("opens a day from the list, shows its numbers and the waterfall, downloads XLSX and CSV", async ({ page }) => {
    await loginAs(page, E2E_ADMIN.username, E2E_ADMIN.password);
    await page.goto("/reports");
    await page.getByRole("table", { name: "Trading days" }).getByRole("link", { name: DAY }).click();
    await expect(page).toHaveURL(new RegExp(`/reports/${DAY}$`));
    await expect(page.getByRole("heading", { name: `Daily report ${DAY}` })).toBeVisible();

    const ours = page.getByTestId("report-fill").filter({ hasText: SYMBOL });
    await expect(ours).toHaveCount(fills.length);
    await expect(page.getByRole("img", { name: /Realized P&L waterfall/ })).toBeVisible();
    await expect(page.getByRole("img", { name: /Net realized P&L through the day/ })).toBeVisible();

    const [xlsxDownload] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download XLSX" }).click()]);
    expect(xlsxDownload.suggestedFilename()).toBe(`kestrel-report-${DAY}.xlsx`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await readFile(await xlsxDownload.path())) as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet("Fills")!;
    const prices = sheet.getColumn(5).values.slice(2);
    expect(prices).toEqual(expect.arrayContaining(fills.map((fill) => fill.price)));

    const [csvDownload] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download CSV" }).click()]);
    expect(csvDownload.suggestedFilename()).toBe(`kestrel-fills-${DAY}.csv`);
    const csv = await readFile(await csvDownload.path(), "utf8");
    for (const fill of fills) expect(csv).toContain(fill.execId);
  });

  test("a bad date is a 404 with a message, for the page and for the downloads", async ({ page }) => {
    await loginAs(page, E2E_ADMIN.username, E2E_ADMIN.password);
    const response = await page.goto("/reports/2026-02-30");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("alert").filter({ hasText: "YYYY-MM-DD" })).toBeVisible();
    const download = await page.request.get("/reports/not-a-day/csv");
    expect(download.status()).toBe(404);
    expect((await download.json()).error).toMatchObject({ code: "not_found", message: expect.stringContaining("YYYY-MM-DD") });
  });
});
