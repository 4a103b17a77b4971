/** Throws a RangeError unless `value` is a positive integer; the message names the parameter. */
export function requirePeriod(indicator: string, parameter: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${indicator}: ${parameter} must be a positive integer, got ${String(value)}`);
  }
}

/** Throws a RangeError unless `value` is a finite number that is not negative. */
export function requireNonNegative(indicator: string, parameter: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${indicator}: ${parameter} must be a finite number >= 0, got ${String(value)}`);
  }
}

/** Throws a RangeError unless every named series has the length of the first one. */
export function requireEqualLengths(indicator: string, series: Record<string, ArrayLike<number>>): void {
  const entries = Object.entries(series);
  const [firstName, first] = entries[0];
  for (const [name, values] of entries.slice(1)) {
    if (values.length !== first.length) {
      throw new RangeError(
        `${indicator}: ${name} has ${values.length} values but ${firstName} has ${first.length}; they must be equal`,
      );
    }
  }
}

/** True for finite numbers; NaN and ±Infinity count as missing observations. */
export function isObserved(x: number): boolean {
  return x - x === 0;
}
