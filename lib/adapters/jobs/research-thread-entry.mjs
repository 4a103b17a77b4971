// Worker threads do not inherit the parent's TypeScript loader: register it, then load the thread.
import { tsImport } from "tsx/esm/api";

await tsImport("./research-thread.ts", import.meta.url);
