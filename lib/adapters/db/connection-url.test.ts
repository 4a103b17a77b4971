import { describe, expect, it } from "vitest";
import { assertLocalDatabase, describeDatabase, parseDatabaseUrl, pgConnectionOptions, withDatabaseName } from "./connection-url";

describe("connection URLs", () => {
  it("reads host, port, database, user and Prisma's ?schema=", () => {
    expect(parseDatabaseUrl("postgresql://kestrel:secret@db.internal:6543/trading?schema=bot&sslmode=require")).toEqual({
      host: "db.internal",
      port: 6543,
      database: "trading",
      user: "kestrel",
      schema: "bot",
    });
    expect(parseDatabaseUrl("postgres://127.0.0.1/kestrel")).toMatchObject({ port: 5432, user: "postgres", schema: "public" });
  });

  it("describes a database for people without its password", () => {
    expect(describeDatabase("postgresql://kestrel:s%40cret@[::1]:5433/trading")).toBe("kestrel@::1:5433/trading");
    expect(describeDatabase("not a url with password hunter2")).toBe("(not a URL)");
  });

  it("swaps the database and keeps credentials and parameters", () => {
    expect(withDatabaseName("postgresql://kestrel:secret@127.0.0.1:5432/postgres?sslmode=disable", "kestrel_test_1")).toBe(
      "postgresql://kestrel:secret@127.0.0.1:5432/kestrel_test_1?sslmode=disable",
    );
  });

  it("sets search_path for a non-default schema, which pg would otherwise ignore", () => {
    expect(pgConnectionOptions("postgresql://u@h/d?schema=bot").options).toBe('-c search_path="bot"');
    expect(pgConnectionOptions("postgresql://u@h/d").options).toBeUndefined();
  });

  it("accepts only databases on this machine where that is asked for", () => {
    for (const host of ["127.0.0.1", "localhost", "[::1]"]) expect(() => assertLocalDatabase(`postgresql://u@${host}/d`)).not.toThrow();
    expect(() => assertLocalDatabase("postgresql://u@prod.example.com/d", "DATABASE_URL")).toThrow(/DATABASE_URL points at "prod.example.com"/);
  });
});
