import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { parseRlModel, type RlModel } from "@/lib/core/rl/model";

const modelName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "model name may hold letters, digits, dot, dash and underscore (max 64)");

const versionEntrySchema = z.object({
  version: z.number().int().positive(),
  createdAt: z.string(),
  note: z.string().default(""),
  /** False for an online update that evaluated worse than the model it would replace. */
  accepted: z.boolean().default(true),
  evaluation: z.record(z.string(), z.unknown()).optional(),
});

const manifestSchema = z.object({
  current: z.number().int().positive().nullable(),
  versions: z.array(versionEntrySchema),
});

export type VersionEntry = z.infer<typeof versionEntrySchema>;
export type Manifest = z.infer<typeof manifestSchema>;

export interface StoredModel {
  readonly name: string;
  readonly manifest: Manifest;
}

export interface CurvePoint {
  readonly episode: number;
  readonly steps: number;
  readonly return: number;
}

/**
 * Versioned policies on disk: `<root>/<name>/v<N>/{model.json,curve.csv}` and a
 * `versions.json` naming the current version. Rollback only moves that pointer.
 */
export class ModelStore {
  constructor(readonly root: string) {}

  list(): StoredModel[] {
    if (!existsSync(this.root)) return [];
    return readdirSync(this.root, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(this.root, entry.name, "versions.json")))
      .map((entry) => ({ name: entry.name, manifest: this.manifest(entry.name) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  manifest(name: string): Manifest {
    const file = join(this.folder(name), "versions.json");
    if (!existsSync(file)) return { current: null, versions: [] };
    const parsed = manifestSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
    if (!parsed.success) throw new Error(`${file} is not a valid version list: ${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`);
    return parsed.data;
  }

  /** Writes a new version; it becomes current unless `accepted` is false. */
  save(name: string, model: RlModel, options: { curveCsv?: string; note?: string; accepted?: boolean; evaluation?: Record<string, unknown>; now: Date }): VersionEntry {
    const manifest = this.manifest(name);
    const version = Math.max(0, ...manifest.versions.map((entry) => entry.version)) + 1;
    const folder = join(this.folder(name), `v${version}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, "model.json"), JSON.stringify(model));
    if (options.curveCsv !== undefined) writeFileSync(join(folder, "curve.csv"), options.curveCsv);
    const entry: VersionEntry = { version, createdAt: options.now.toISOString(), note: options.note ?? "", accepted: options.accepted ?? true, ...(options.evaluation ? { evaluation: options.evaluation } : {}) };
    const current = entry.accepted ? version : manifest.current;
    this.writeManifest(name, { current, versions: [...manifest.versions, entry] });
    return entry;
  }

  load(name: string, version?: number): RlModel {
    const chosen = version ?? this.manifest(name).current;
    if (chosen === null || chosen === undefined) throw new Error(`model "${name}" has no current version`);
    const file = join(this.folder(name), `v${chosen}`, "model.json");
    if (!existsSync(file)) throw new Error(`model "${name}" has no version ${chosen}`);
    return parseRlModel(JSON.parse(readFileSync(file, "utf8")));
  }

  curve(name: string, version: number): CurvePoint[] {
    const file = join(this.folder(name), `v${version}`, "curve.csv");
    if (!existsSync(file)) return [];
    return readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => line.split(",").map(Number))
      .filter((row) => row.length === 3 && row.every(Number.isFinite))
      .map(([episode, steps, value]) => ({ episode, steps, return: value }));
  }

  setCurrent(name: string, version: number): void {
    const manifest = this.manifest(name);
    if (!manifest.versions.some((entry) => entry.version === version)) throw new Error(`model "${name}" has no version ${version}`);
    this.writeManifest(name, { ...manifest, current: version });
  }

  /** Makes the accepted version before the current one current again; returns it. */
  rollback(name: string): number {
    const manifest = this.manifest(name);
    const earlier = manifest.versions.filter((entry) => entry.accepted && manifest.current !== null && entry.version < manifest.current);
    if (earlier.length === 0) throw new Error(`model "${name}" has no earlier accepted version to roll back to`);
    const target = earlier[earlier.length - 1].version;
    this.writeManifest(name, { ...manifest, current: target });
    return target;
  }

  private folder(name: string): string {
    return join(this.root, modelName.parse(name));
  }

  private writeManifest(name: string, manifest: Manifest): void {
    mkdirSync(this.folder(name), { recursive: true });
    const file = join(this.folder(name), "versions.json");
    writeFileSync(`${file}.tmp`, JSON.stringify(manifest, null, 2));
    renameSync(`${file}.tmp`, file);
  }
}
