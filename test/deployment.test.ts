import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { envSchema, parseEnv } from "@/lib/runtime/env";

const composeBinary = ["docker-compose", "docker"].find((binary) => spawnSync("which", [binary]).status === 0);
const composeArgs = composeBinary === "docker" ? ["compose"] : [];
const composeEnv = { PATH: process.env.PATH, NODE_ENV: "test" } as const;
const composeWorks = composeBinary !== undefined && spawnSync(composeBinary, [...composeArgs, "version"]).status === 0;

describe("production deployment files", () => {
  it.skipIf(!composeWorks)("docker-compose.yml validates with no .env filled in", () => {
    const result = spawnSync(composeBinary!, [...composeArgs, "-f", "docker-compose.yml", "config", "-q"], { encoding: "utf8", env: composeEnv });
    expect(result.stderr).not.toMatch(/error|invalid/i);
    expect(result.status).toBe(0);
  });

  it.skipIf(!composeWorks)("defines Postgres, the app, and IB Gateway only under its profile", () => {
    const config = execFileSync(composeBinary!, [...composeArgs, "-f", "docker-compose.yml", "config"], { encoding: "utf8", env: composeEnv, stdio: ["ignore", "pipe", "ignore"] });
    const serviceBlocks = config.split(/\n  (?=[a-z-]+:\n)/).slice(1);
    const profilesOf = (name: string) => serviceBlocks.find((block) => block.startsWith(`${name}:`))?.match(/profiles:\n\s+- (\S+)/)?.[1] ?? null;
    expect(profilesOf("postgres")).toBeNull();
    expect(profilesOf("app")).toBeNull();
    expect(profilesOf("ib-gateway")).toBe("ibgateway");
  });

  it.skipIf(!composeWorks)("passes the app only variables Kestrel reads, and .env.example's blanks start it on its defaults", () => {
    const env = { ...composeEnv, POSTGRES_PASSWORD: "example", KESTREL_ADMIN_PASSWORD: "an example password" };
    const config = execFileSync(composeBinary!, [...composeArgs, "-f", "docker-compose.yml", "--env-file", ".env.example", "config"], { encoding: "utf8", env, stdio: ["ignore", "pipe", "ignore"] });
    const appEnvironment = config.split(/\n  app:\n/)[1].split(/\n    environment:\n/)[1].split(/\n    [a-z_]+:/)[0];
    const variables = Object.fromEntries(
      appEnvironment.split("\n").map((line) => {
        const [, name, value] = /^\s+([A-Z_]+): ['"]?(.*?)['"]?$/.exec(line)!;
        return [name, value];
      }),
    );
    expect(Object.keys(variables).filter((name) => !(name in envSchema.shape))).toEqual([]);
    expect(Object.keys(variables)).toEqual(expect.arrayContaining(["KESTREL_SECRET_KEY", "KESTREL_SECURE_COOKIES", "DISCORD_WEBHOOK_URL", "DISCORD_BOT_TOKEN"]));
    const parsed = parseEnv(variables);
    expect(parsed.KESTREL_SECRET_KEY).toBeUndefined();
    expect(parsed.KESTREL_SECURE_COOKIES).toBe(false);
    expect(parsed.HOST).toBe("0.0.0.0");
  });

  it("publishes the dashboard on loopback only and never the IB API port", () => {
    const compose = readFileSync("docker-compose.yml", "utf8");
    expect(compose).toMatch(/"127\.0\.0\.1:3000:3000"/);
    expect(compose).not.toMatch(/400[12]:400[12]|4004:4004/);
  });

  it("keeps secrets out of the image and the repository", () => {
    const ignored = readFileSync(".dockerignore", "utf8").split("\n");
    expect(ignored).toEqual(expect.arrayContaining([".env", "node_modules", ".data"]));
    expect(readFileSync(".gitignore", "utf8")).toMatch(/^\.env$/m);
  });
});
