/**
 * `npm test`: lint, type-check, unit + integration tests, production build, end-to-end tests.
 * Every step runs even when an earlier one failed; the last line sums them all.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

interface StepResult {
  name: string;
  passed: number;
  failed: number;
  skipped: number;
}

const resultsDir = path.resolve(".data/test-results");
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });

function run(command: string, args: string[], env: Record<string, string> = {}): boolean {
  console.log(`\n$ ${[command, ...args].join(" ")}`);
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, ...env } });
  return result.status === 0;
}

function check(name: string, command: string, args: string[], env?: Record<string, string>): StepResult {
  const ok = run(command, args, env);
  return { name, passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0 };
}

function vitest(): StepResult {
  const report = path.join(resultsDir, "vitest.json");
  const ok = run("npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`]);
  try {
    const json = JSON.parse(readFileSync(report, "utf8")) as {
      numPassedTests: number;
      numFailedTests: number;
      numPendingTests: number;
      numTodoTests: number;
    };
    const failed = json.numFailedTests + (ok || json.numFailedTests > 0 ? 0 : 1);
    return { name: "vitest", passed: json.numPassedTests, failed, skipped: json.numPendingTests + json.numTodoTests };
  } catch {
    return { name: "vitest", passed: 0, failed: 1, skipped: 0 };
  }
}

function playwright(): StepResult {
  const report = path.join(resultsDir, "playwright.json");
  const ok = run("npx", ["playwright", "test", "--reporter=list,json"], { PLAYWRIGHT_JSON_OUTPUT_NAME: report });
  try {
    const json = JSON.parse(readFileSync(report, "utf8")) as { stats: { expected: number; unexpected: number; flaky: number; skipped: number } };
    const failed = json.stats.unexpected + (ok || json.stats.unexpected > 0 ? 0 : 1);
    return { name: "playwright", passed: json.stats.expected + json.stats.flaky, failed, skipped: json.stats.skipped };
  } catch {
    return { name: "playwright", passed: 0, failed: 1, skipped: 0 };
  }
}

const steps: StepResult[] = [];
process.env.NEXT_TELEMETRY_DISABLED = "1";
steps.push(check("prisma generate", "node", ["scripts/db/generate.mjs"]));
steps.push(check("eslint", "npx", ["eslint", ".", "--max-warnings=0"]));
steps.push(check("tsc", "npx", ["tsc", "--noEmit", "-p", "."]));
steps.push(vitest());
const built = check("next build", "npx", ["next", "build"]);
steps.push(built);
steps.push(built.failed === 0 ? playwright() : { name: "playwright", passed: 0, failed: 1, skipped: 0 });

console.log("\nSummary");
for (const step of steps) {
  console.log(`  ${step.name.padEnd(16)} ${step.passed} passed, ${step.failed} failed${step.skipped ? `, ${step.skipped} skipped` : ""}`);
}
const total = steps.reduce((sum, step) => ({ passed: sum.passed + step.passed, failed: sum.failed + step.failed, skipped: sum.skipped + step.skipped }), { passed: 0, failed: 0, skipped: 0 });
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ""}`);
process.exit(total.failed === 0 ? 0 : 1);
