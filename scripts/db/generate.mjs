// `prisma generate` without network access. The CLI checks for its native schema-engine
// binary (and tries to download it) before any command, although generate itself runs on
// WebAssembly; naming an existing file in PRISMA_SCHEMA_ENGINE_BINARY satisfies that check.
// Extra arguments are passed through: node scripts/db/generate.mjs --watch
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const prismaCli = createRequire(import.meta.url).resolve("prisma/build/index.js");
const result = spawnSync(process.execPath, [prismaCli, "generate", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || process.execPath,
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
  },
});
if (result.error) console.error(`prisma generate could not run: ${result.error.message}`);
process.exit(result.status ?? 1);
