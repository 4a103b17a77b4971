/**
 * Test fixture: starts the embedded Postgres in the cluster directory given as argv[2],
 * prints "ready <port> <postmaster pid>", then waits to be killed, as a Kestrel process would,
 * or with argv[3] = "exit" exits at once without stopping it.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { startEmbeddedPostgres } from "../embedded";

const clusterDir = process.argv[2];
if (!clusterDir) throw new Error("usage: embedded-child.ts <clusterDir>");
const quiet = { info: () => undefined, warn: () => undefined, debug: () => undefined };
const database = await startEmbeddedPostgres({ clusterDir, log: quiet });
const postmasterPid = (await readFile(path.join(clusterDir, "postmaster.pid"), "utf8")).split("\n")[0];
console.log(`ready ${database.port} ${postmasterPid}`);
if (process.argv[3] === "exit") process.exit(0);
setInterval(() => undefined, 60_000);
