import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, rmSync, writeSync, existsSync } from "node:fs";
import path from "node:path";

/**
 * A local append-only file of writes that could not reach Postgres: one JSON object per
 * line, fsync'd before append returns. Replayed from the start in order; the count of lines
 * already replayed is kept beside it so a crash mid-replay does not apply a line twice.
 */
export class Spool<T> {
  private readonly file: string;
  private readonly progressFile: string;

  constructor(directory: string, name = "journal-spool") {
    mkdirSync(directory, { recursive: true });
    this.file = path.join(directory, `${name}.jsonl`);
    this.progressFile = path.join(directory, `${name}.replayed`);
  }

  get location(): string {
    return this.file;
  }

  append(entry: T): void {
    const fd = openSync(this.file, "a");
    try {
      writeSync(fd, `${JSON.stringify(entry)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** Entries not yet replayed, oldest first. */
  pending(): T[] {
    if (!existsSync(this.file)) return [];
    const lines = readFileSync(this.file, "utf8").split("\n").filter(Boolean);
    return lines.slice(this.replayedCount()).map((line) => JSON.parse(line) as T);
  }

  get isEmpty(): boolean {
    return this.pending().length === 0;
  }

  /**
   * Applies pending entries in order, stopping at the first that fails (it is kept for the
   * next attempt). Returns how many were applied; the file is removed once all are.
   */
  async replay(apply: (entry: T) => Promise<void>): Promise<number> {
    const entries = this.pending();
    let applied = 0;
    for (const entry of entries) {
      await apply(entry);
      applied++;
      this.writeProgress(this.replayedCount() + 1);
    }
    if (applied === entries.length) this.clear();
    return applied;
  }

  private replayedCount(): number {
    if (!existsSync(this.progressFile)) return 0;
    return Number(readFileSync(this.progressFile, "utf8").trim()) || 0;
  }

  private writeProgress(count: number): void {
    const fd = openSync(this.progressFile, "w");
    try {
      writeSync(fd, String(count));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  private clear(): void {
    rmSync(this.file, { force: true });
    rmSync(this.progressFile, { force: true });
  }
}
