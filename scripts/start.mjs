// `npm start`: make sure the Prisma client and the production build are current, then run
// server.ts. The build is redone only when a source file changed since the last one.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

process.env.NEXT_TELEMETRY_DISABLED ??= "1";

const BUILD_INPUTS = ["app", "lib", "public", "next.config.ts", "postcss.config.mjs", "package-lock.json", "tsconfig.json", "proxy.ts"];
const IGNORED = new Set(["node_modules", ".next", ".data", "generated"]);
const FINGERPRINT_FILE = path.join(".next", "kestrel-build-fingerprint");

function filesUnder(entry) {
  if (!existsSync(entry)) return [];
  const stat = statSync(entry);
  if (!stat.isDirectory()) return [`${entry}:${stat.size}:${stat.mtimeMs}`];
  return readdirSync(entry)
    .filter((name) => !IGNORED.has(name) && !name.endsWith(".test.ts"))
    .sort()
    .flatMap((name) => filesUnder(path.join(entry, name)));
}

function fingerprint() {
  return createHash("sha256").update(BUILD_INPUTS.flatMap(filesUnder).join("\n")).digest("hex");
}

function runOrExit(command, args) {
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!existsSync("lib/generated/prisma/client.ts")) runOrExit(process.execPath, ["scripts/db/generate.mjs"]);

const current = fingerprint();
const built = existsSync(FINGERPRINT_FILE) ? readFileSync(FINGERPRINT_FILE, "utf8") : "";
if (current !== built || !existsSync(path.join(".next", "BUILD_ID"))) {
  console.log("Building the dashboard (first start, or the source changed)…");
  runOrExit(process.execPath, [path.join("node_modules", "next", "dist", "bin", "next"), "build"]);
  writeFileSync(FINGERPRINT_FILE, current);
}

const server = spawn(process.execPath, ["--import", "tsx", "server.ts", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, NODE_ENV: "production" },
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
