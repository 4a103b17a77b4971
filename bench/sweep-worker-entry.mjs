// Worker threads do not inherit the parent's TypeScript loader: register it, then load the worker.
import { tsImport } from "tsx/esm/api";

await tsImport("./sweep-worker.ts", import.meta.url);
