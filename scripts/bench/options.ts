/** Command-line numbers the benchmarks take, checked with a message that names the option. */
export function positiveNumber(name: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`${name} must be a positive number, got "${value}"`);
  return parsed;
}

export function positiveInteger(name: string, value: string): number {
  const parsed = positiveNumber(name, value);
  if (!Number.isSafeInteger(parsed)) throw new Error(`${name} must be a positive integer, got "${value}"`);
  return parsed;
}
