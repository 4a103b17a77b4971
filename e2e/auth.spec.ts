import { expect, test, type Browser, type Page } from "@playwright/test";
import { E2E_ADMIN } from "./support/credentials";
import { loginAs, logout } from "./fixtures/auth";

const VIEWER = { username: "e2e-viewer", password: "viewer-e2e-password-1" };

/** The owner creates an invite link on the security page; a fresh browser accepts it. */
async function inviteViewer(ownerPage: Page, browser: Browser): Promise<Page> {
  await ownerPage.goto("/settings/security");
  await ownerPage.getByRole("button", { name: "Invite a viewer" }).click();
  const link = (await ownerPage.getByTestId("invite-link").textContent())!.trim();
  expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/);

  const viewerPage = await (await browser.newContext()).newPage();
  await viewerPage.goto(link);
  await viewerPage.getByLabel("Username").fill(VIEWER.username);
  await viewerPage.getByLabel("Password", { exact: true }).fill(VIEWER.password);
  await viewerPage.getByLabel("Repeat password").fill(VIEWER.password);
  await viewerPage.getByRole("button", { name: "Create account" }).click();
  await expect(viewerPage).toHaveURL(/\/$/);
  return viewerPage;
}

test.describe.serial("authentication", () => {
  // Several sign-ins, an invite and a second browser per test: allow for a busy machine.
  test.describe.configure({ timeout: 120_000 });

  test("every page needs a session; sign-in returns to the page asked for", async ({ page }) => {
    await page.goto("/audit");
    await expect(page).toHaveURL(/\/login\?next=%2Faudit$/);
    expect((await page.request.get("/api/auth/session")).status()).toBe(401);

    await page.getByLabel("Username").fill(E2E_ADMIN.username);
    await page.getByLabel("Password", { exact: true }).fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("form", { name: "Sign in" }).getByRole("alert")).toHaveText("Wrong username or password.");

    await page.getByLabel("Password", { exact: true }).fill(E2E_ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/audit$/);
    await expect(page.getByRole("table", { name: "Audit entries" })).toContainText("auth.login");
  });

  test("the owner signs in, sees the dashboard with the kill switch, and signs out", async ({ page, context }) => {
    await loginAs(page, E2E_ADMIN.username, E2E_ADMIN.password);
    await expect(page.getByRole("heading", { name: "Kestrel", level: 1 })).toBeVisible();
    await expect(page.getByRole("button", { name: "Flatten all" })).toBeVisible();

    const cookie = (await context.cookies()).find((candidate) => candidate.name === "kestrel_session");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/" });

    await logout(page);
    expect((await context.cookies()).find((candidate) => candidate.name === "kestrel_session")).toBeUndefined();
    await page.goto("/");
    await expect(page).toHaveURL(/\/login$/);
  });

  test("pages carry the security headers and a per-request script nonce", async ({ page }) => {
    const first = await page.goto("/login");
    const second = await page.goto("/login");
    const csp = first!.headers()["content-security-policy"];
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(second!.headers()["content-security-policy"]).not.toBe(csp);
    expect(first!.headers()["x-content-type-options"]).toBe("nosniff");
    expect(first!.headers()["referrer-policy"]).toBe("strict-origin");
    // The page still works under that policy: Next's own scripts carry the nonce.
    await page.getByLabel("Username").fill("nobody");
    await page.getByLabel("Password", { exact: true }).fill("not a password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("form", { name: "Sign in" }).getByRole("alert")).toHaveText("Wrong username or password.");
  });

  test("a viewer joins by invite, sees no kill switch, and cannot flatten", async ({ page, browser }) => {
    await loginAs(page, E2E_ADMIN.username, E2E_ADMIN.password);
    const viewerPage = await inviteViewer(page, browser);

    await expect(viewerPage.getByRole("heading", { name: "Kestrel", level: 1 })).toBeVisible();
    await expect(viewerPage.getByRole("navigation", { name: "Account" })).toContainText("(view only)");
    await expect(viewerPage.getByRole("button", { name: "Flatten all" })).toHaveCount(0);
    await expect(viewerPage.getByRole("button", { name: /flatten|halt/i })).toHaveCount(0);

    const attempt = await viewerPage.request.post("/api/flatten", {
      data: { confirm: true },
      headers: { Origin: new URL(viewerPage.url()).origin },
    });
    expect(attempt.status()).toBe(403);
    expect((await attempt.json()).error.message).toMatch(/viewer role may not trade/);

    await viewerPage.goto("/settings/security");
    await expect(viewerPage.getByRole("heading", { name: "API tokens" })).toHaveCount(0);
    await viewerPage.context().close();
  });

  test("a forged cross-site request is refused, with or without the cookie", async ({ page, baseURL }) => {
    await loginAs(page, E2E_ADMIN.username, E2E_ADMIN.password);

    // A script that somehow had the cookie still fails the Origin check.
    const forged = await page.request.post("/api/flatten", { data: { confirm: true }, headers: { Origin: "https://evil.example" } });
    expect(forged.status()).toBe(403);
    expect((await forged.json()).error.message).toMatch(/came from https:\/\/evil\.example/);

    // A real cross-site form post from another site's page: the browser withholds the
    // SameSite=Strict cookie and announces the foreign origin; Kestrel refuses it.
    await page.route("http://evil.example.test/**", (route) =>
      route.fulfill({
        contentType: "text/html",
        body: `<form id="f" method="post" action="${baseURL}/api/flatten" enctype="text/plain"><input name='{"confirm":true,"x":"' value='"}'></form>`,
      }),
    );
    await page.goto("http://evil.example.test/");
    const [response] = await Promise.all([
      page.waitForResponse((candidate) => candidate.url() === `${baseURL}/api/flatten`),
      page.evaluate(() => (document.getElementById("f") as HTMLFormElement).submit()),
    ]);
    expect(response.status()).toBe(403);
    expect(await response.request().headerValue("cookie")).toBeNull();
    await page.waitForURL(`${baseURL}/api/flatten`);

    await page.goto("/");
    await expect(page.getByRole("button", { name: "Flatten all" })).toBeVisible();
  });
});
