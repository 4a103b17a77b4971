/**
 * Test fixture: starts the embedded Postgres in the cluster directory given as argv[2],
 * prints "ready <port>" and waits to be killed, as a Kestrel process would.
 */
import { startEmbeddedPostgres } from "../embedded";

const clusterDir = process.argv[2];
if (!clusterDir) throw new Error("usage: embedded-child.ts <clusterDir>");
const quiet = { info: () => undefined, warn: () => undefined, debug: () => undefined };
const database = await startEmbeddedPostgres({ clusterDir, log: quiet });
console.log(`ready ${database.port}`);
setInterval(() => undefined, 60_000);
