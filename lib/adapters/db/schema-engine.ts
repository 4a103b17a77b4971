import { readdir, readFile } from "node:fs/promises";
import { AsyncLocalStorage } from "node:async_hooks";
import { createRequire } from "node:module";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import type { Pool, QueryResult } from "pg";
import {
  bindMigrationAwareSqlAdapterFactory,
  ColumnTypeEnum,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import type {
  MigrationList,
  SchemaContainer,
  SchemaEngine,
  SchemaFilter,
} from "@prisma/schema-engine-wasm";
import { DEFAULT_SCHEMA, parseDatabaseUrl, pgConnectionOptions } from "./connection-url";
import { LOCK_FILE, MIGRATION_SCRIPT, readLockFile, readMigrationFiles } from "./migration-files";
import { createScratchDatabase, dropStaleScratchDatabases } from "./scratch-database";

/**
 * Prisma's schema engine compiled to WebAssembly, driven through `@prisma/adapter-pg`: the
 * same differ and SQL renderer as `prisma migrate`, without the native engine binary.
 * Development tooling only (new migrations, drift checks, tests); start-up never loads it.
 */
export interface SchemaEngineOptions {
  /** Server on which the engine's throw-away databases (its own and shadows) are made and dropped. */
  serverUrl: string;
  /** The Prisma schema files (a multi-file schema directory is read whole). */
  schemaFiles: SchemaContainer[];
  /**
   * The database the engine works on instead of a fresh one: to inspect it (`diffDatabaseToSchema`)
   * or, in tests, to check it the way Prisma Migrate would. Never a database holding real data.
   */
  databaseUrl?: string;
}

export const NO_FILTER: SchemaFilter = { externalTables: [], externalEnums: [] };

/**
 * Runs `work` with an engine whose database is a fresh, empty scratch database (unless
 * `databaseUrl` names one), then drops it and every shadow database the engine asked for. When the engine
 * fails on SQL it ran, the Postgres error is added to its message, which only names an id.
 */
export async function withSchemaEngine<T>(
  options: SchemaEngineOptions,
  work: (engine: SchemaEngine, scratchUrl: string) => Promise<T>,
): Promise<T> {
  if (options.schemaFiles.length === 0) throw new Error("the schema engine needs at least one .prisma file");
  const wasm = await loadSchemaEngineModule();
  await dropStaleScratchDatabases(options.serverUrl);
  const scratch = options.databaseUrl ? null : await createScratchDatabase(options.serverUrl, "kestrel_engine", { unique: true });
  const engineUrl = options.databaseUrl ?? scratch!.url;
  const factory = new KestrelPgFactory(engineUrl, options.serverUrl);
  try {
    const datamodels = options.schemaFiles.map((file): [string, string] => [file.path, file.content]);
    const engine = await wasm.SchemaEngine.new({ datamodels }, () => undefined, bindMigrationAwareSqlAdapterFactory(factory));
    try {
      return await work(engine, engineUrl);
    } catch (error) {
      throw withDatabaseCause(error, factory.lastScriptError);
    } finally {
      engine.free();
    }
  } finally {
    await factory.disposeAll();
    await scratch?.drop();
  }
}

function withDatabaseCause(error: unknown, cause: Error | undefined): unknown {
  if (!(error instanceof Error) || !cause || !/External error id#/.test(error.message)) return error;
  return new Error(`${error.message.split("\n")[0].trim()}\n${cause.message}`, { cause });
}

/** Every `*.prisma` file of a schema directory (or the one file named), in name order. */
export async function readSchemaFiles(schemaPath: string): Promise<SchemaContainer[]> {
  const isFile = schemaPath.endsWith(".prisma");
  const names = isFile ? [path.basename(schemaPath)] : (await readdir(schemaPath)).filter((name) => name.endsWith(".prisma")).sort();
  const dir = isFile ? path.dirname(schemaPath) : schemaPath;
  return Promise.all(
    names.map(async (name) => ({ path: path.join(dir, name), content: await readFile(path.join(dir, name), "utf8") })),
  );
}

/** The migrations directory in the shape the engine expects. */
export async function readMigrationList(migrationsDir: string): Promise<MigrationList> {
  const files = await readMigrationFiles(migrationsDir);
  return {
    baseDir: migrationsDir,
    lockfile: { path: LOCK_FILE, content: (await readLockFile(migrationsDir)) ?? `provider = "postgresql"\n` },
    shadowDbInitScript: "",
    migrationDirectories: files.map((file) => ({
      path: file.name,
      migrationFile: { path: MIGRATION_SCRIPT, content: { tag: "ok" as const, value: file.script } },
    })),
  };
}

/** SQL that takes a database shaped like the migrations to the schema; "" when there is nothing to do. */
export async function diffMigrationsToSchema(engine: SchemaEngine, migrations: MigrationList, schemaFiles: SchemaContainer[]): Promise<string> {
  const result = await engine.diff({
    from: { tag: "migrations", ...migrations },
    to: { tag: "schemaDatamodel", files: schemaFiles },
    script: true,
    exitCode: true,
    filters: NO_FILTER,
  });
  return result.exitCode === 2 ? (result.stdout ?? "") : "";
}

/**
 * SQL that takes the engine's database (open it with `databaseUrl`) to the schema; "" when the
 * database already matches it.
 */
export async function diffDatabaseToSchema(engine: SchemaEngine, schemaFiles: SchemaContainer[]): Promise<string> {
  const result = await engine.diff({
    from: { tag: "schemaDatasource", files: schemaFiles, configDir: process.cwd() },
    to: { tag: "schemaDatamodel", files: schemaFiles },
    script: true,
    exitCode: true,
    filters: NO_FILTER,
  });
  return result.exitCode === 2 ? (result.stdout ?? "") : "";
}

type SchemaEngineModule = typeof import("@prisma/schema-engine-wasm");
let schemaEngineModule: Promise<SchemaEngineModule> | undefined;

/**
 * The package imports its .wasm as an ES module, which Node 20 cannot do; the bindings are
 * instantiated by hand instead, once per process.
 */
function loadSchemaEngineModule(): Promise<SchemaEngineModule> {
  schemaEngineModule ??= (async () => {
    const packageDir = path.dirname(createRequire(import.meta.url).resolve("@prisma/schema-engine-wasm"));
    const bindings = (await import(path.join(packageDir, "schema_engine_bg.js"))) as SchemaEngineModule & {
      __wbg_set_wasm(exports: WebAssembly.Exports): void;
    };
    const bytes = await readFile(path.join(packageDir, "schema_engine_bg.wasm"));
    const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": bindings as unknown as WebAssembly.ModuleImports });
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bindings;
  })();
  return schemaEngineModule;
}

/**
 * adapter-pg, with three corrections for migration work: scripts go to Postgres whole (its
 * `executeScript` splits on every `;`, which breaks `$$` function bodies); the catalog's
 * internal `"char"` columns, which it refuses, are read; and each shadow
 * database is a fresh scratch database on the chosen server, dropped when released.
 */
class KestrelPgFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = "postgres";
  readonly adapterName = "@prisma/adapter-pg";
  private readonly releases: Array<() => Promise<void>> = [];
  /** The last error Postgres returned for a script, which the engine reports only by id. */
  lastScriptError: Error | undefined;

  constructor(
    private readonly databaseUrl: string,
    private readonly shadowServerUrl: string,
  ) {}


  connect(): Promise<SqlDriverAdapter> {
    return this.open(this.databaseUrl);
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const shadow = await createScratchDatabase(this.shadowServerUrl, "kestrel_shadow", { unique: true });
    return this.open(shadow.url, shadow.drop);
  }

  async disposeAll(): Promise<void> {
    for (const release of this.releases.splice(0).reverse()) await release().catch(() => undefined);
  }

  private async open(url: string, afterDispose?: () => Promise<void>): Promise<SqlDriverAdapter> {
    const { schema } = parseDatabaseUrl(url);
    const factory = new PrismaPg(pgConnectionOptions(url), schema === DEFAULT_SCHEMA ? undefined : { schema });
    const adapter = await factory.connect();
    const pool = adapter.underlyingDriver();
    readInternalCharColumns(adapter, pool);
    adapter.executeScript = async (script: string) => {
      await pool.query(script).catch((error: Error) => {
        this.lastScriptError = error;
        throw error;
      });
    };
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      // A client the engine left checked out would make end() wait forever; the scratch
      // database is dropped WITH (FORCE) anyway.
      await Promise.race([pool.end().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
      await afterDispose?.();
    };
    adapter.dispose = release;
    this.releases.push(release);
    return adapter;
  }
}

const INTERNAL_CHAR_OID = 18;
const TEXT_OID = 25;
const charColumnsOfQuery = new AsyncLocalStorage<{ indexes: number[] }>();

/**
 * The engine reads catalog columns of Postgres's internal `"char"` type (pg_constraint.contype
 * and others), which adapter-pg refuses. Such columns are let through as text by the pool,
 * then reported to the engine as the single characters they are.
 */
function readInternalCharColumns(adapter: SqlDriverAdapter, pool: Pool): void {
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<QueryResult>;
  pool.query = (async (...args: unknown[]) => {
    const seen = charColumnsOfQuery.getStore();
    const result = await query(...args);
    (result.fields ?? []).forEach((field, index) => {
      if (field.dataTypeID !== INTERNAL_CHAR_OID) return;
      field.dataTypeID = TEXT_OID;
      seen?.indexes.push(index);
    });
    return result;
  }) as Pool["query"];

  const queryRaw = adapter.queryRaw.bind(adapter);
  adapter.queryRaw = (sqlQuery) => {
    const seen = { indexes: [] as number[] };
    return charColumnsOfQuery.run(seen, async () => {
      const result = await queryRaw(sqlQuery);
      for (const index of seen.indexes) result.columnTypes[index] = ColumnTypeEnum.Character;
      return result;
    });
  };
}
