/** Field encoding conventions of the TWS protocol, both directions. */

/** Java's Double.MAX_VALUE as TWS prints it: "unset" in many double fields. */
export const UNSET_DOUBLE = "1.7976931348623157E308";
/** Java's Integer.MAX_VALUE: "unset" in many integer fields. */
export const UNSET_INT = "2147483647";
/** Java's Long.MAX_VALUE, seen in open-order fields that are longs. */
export const UNSET_LONG = "9223372036854775807";

export type Field = string;

export const int = (value: number): Field => String(Math.trunc(value));
export const bool = (value: boolean): Field => (value ? "1" : "0");
/** A double as TWS writes it; whole numbers keep a ".0" as Java's Double.toString does. */
export const dbl = (value: number): Field => (Number.isInteger(value) ? value.toFixed(1) : String(value));
export const dblOrUnset = (value: number | undefined): Field => (value === undefined ? UNSET_DOUBLE : dbl(value));
export const dblOrEmpty = (value: number | undefined): Field => (value === undefined ? "" : dbl(value));
/** Decimal quantities (positions, sizes) are written without a trailing ".0". */
export const decimal = (value: number): Field => String(value);

export class FieldUnderrunError extends Error {
  constructor(what: string) {
    super(`message ended before field "${what}"`);
    this.name = "FieldUnderrunError";
  }
}

export class FieldFormatError extends Error {
  constructor(what: string, raw: string) {
    super(`field "${what}" has an invalid value "${raw}"`);
    this.name = "FieldFormatError";
  }
}

const MAX_DOUBLE = Number.MAX_VALUE;
const MAX_INT = 2147483647;

/** Sequential reader over the fields of one inbound message, with typed reads. */
export class FieldReader {
  private index = 0;
  constructor(private readonly fields: readonly string[]) {}

  get remaining(): number {
    return this.fields.length - this.index;
  }

  str(what: string): string {
    if (this.index >= this.fields.length) throw new FieldUnderrunError(what);
    return this.fields[this.index++];
  }

  skip(count: number, what: string): void {
    for (let i = 0; i < count; i++) this.str(what);
  }

  /** Empty reads as 0, as the reference client does. */
  int(what: string): number {
    const raw = this.str(what);
    if (raw === "") return 0;
    const value = Number(raw);
    if (!Number.isInteger(value)) throw new FieldFormatError(what, raw);
    return value;
  }

  /** Empty or Integer.MAX_VALUE read as undefined. */
  intOrUnset(what: string): number | undefined {
    const raw = this.str(what);
    if (raw === "") return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value)) throw new FieldFormatError(what, raw);
    return value === MAX_INT ? undefined : value;
  }

  /** Empty or Double.MAX_VALUE read as undefined. */
  dblOrUnset(what: string): number | undefined {
    const raw = this.str(what);
    if (raw === "") return undefined;
    const value = Number(raw);
    if (Number.isNaN(value)) throw new FieldFormatError(what, raw);
    return value >= MAX_DOUBLE || value === Infinity ? undefined : value;
  }

  bool(what: string): boolean {
    const raw = this.str(what);
    if (raw === "" || raw === "0" || raw.toLowerCase() === "false") return false;
    if (raw === "1" || raw.toLowerCase() === "true") return true;
    const value = Number(raw);
    if (Number.isNaN(value)) throw new FieldFormatError(what, raw);
    return value !== 0;
  }
}
