import { execFileSync } from "node:child_process";

/** The code a result came from: KESTREL_CODE_VERSION, else the git commit, else "unknown". */
export function currentCodeVersion(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KESTREL_CODE_VERSION) return env.KESTREL_CODE_VERSION;
  try {
    return execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() || "unknown";
  } catch {
    return "unknown";
  }
}
