import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "./env";

describe("environment", () => {
  it("defaults to loopback, port 3000, paper trading and the simulator", () => {
    const env = parseEnv({});
    expect(env).toMatchObject({ HOST: "127.0.0.1", PORT: 3000, TRADING_MODE: "paper", IB_PORT: 4002 });
    expect(env.IB_HOST).toBeUndefined();
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it("names every bad variable", () => {
    try {
      parseEnv({ PORT: "70000", TRADING_MODE: "yolo", DATABASE_URL: "not a url" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EnvError);
      const message = (error as EnvError).message;
      expect(message).toMatch(/PORT/);
      expect(message).toMatch(/TRADING_MODE/);
      expect(message).toMatch(/DATABASE_URL/);
    }
  });

  it("treats empty strings as unset", () => {
    expect(parseEnv({ IB_HOST: "", DATABASE_URL: "" }).IB_HOST).toBeUndefined();
  });

  it("parses the watchlist and refuses a malformed symbol", () => {
    expect(parseEnv({ KESTREL_WATCHLIST: " aapl, brk.b ,," }).KESTREL_WATCHLIST).toEqual(["AAPL", "BRK.B"]);
    expect(() => parseEnv({ KESTREL_WATCHLIST: "AAPL,DROP TABLE" })).toThrow(/KESTREL_WATCHLIST/);
  });

  it("reads on/off flags as true/false or 1/0, off by default, and refuses anything else", () => {
    expect(parseEnv({})).toMatchObject({ KESTREL_BUSY_POLL: false, KESTREL_SECURE_COOKIES: false });
    expect(parseEnv({ KESTREL_BUSY_POLL: "1", KESTREL_SECURE_COOKIES: "true" })).toMatchObject({ KESTREL_BUSY_POLL: true, KESTREL_SECURE_COOKIES: true });
    expect(parseEnv({ KESTREL_BUSY_POLL: "0" }).KESTREL_BUSY_POLL).toBe(false);
    expect(() => parseEnv({ KESTREL_BUSY_POLL: "yes" })).toThrow(/KESTREL_BUSY_POLL/);
  });

  it("refuses an unknown time zone", () => {
    expect(() => parseEnv({ KESTREL_TIME_ZONE: "Mars/Olympus" })).toThrow(/KESTREL_TIME_ZONE/);
  });

  it("refuses paper mode against a live account and live mode against a paper (DU) account, naming both", () => {
    expect(() => parseEnv({ TRADING_MODE: "paper", IB_ACCOUNT: "U7654321" })).toThrow(/TRADING_MODE=paper but account U7654321 is not a paper \(DU\) account/);
    expect(() => parseEnv({ TRADING_MODE: "live", IB_ACCOUNT: "DU1234567" })).toThrow(/TRADING_MODE=live but account DU1234567 is a paper \(DU\) account/);
    expect(parseEnv({ TRADING_MODE: "live", IB_ACCOUNT: "U7654321" }).IB_ACCOUNT).toBe("U7654321");
    expect(() => parseEnv({ IB_ACCOUNT: "not an account" })).toThrow(/IB_ACCOUNT/);
  });
});
