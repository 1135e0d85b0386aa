/**
 * External measures of agreement between two partitions of the same items (e.g. topics against
 * editorial categories), defined as in scikit-learn's metrics module so figures are comparable.
 */

export type ClassLabel = string | number;

interface Contingency {
  /** counts[i][j]: items in class i of the first partition and class j of the second. */
  counts: number[][];
  rowTotals: number[];
  columnTotals: number[];
  total: number;
}

function contingency(first: ArrayLike<ClassLabel>, second: ArrayLike<ClassLabel>): Contingency {
  if (first.length !== second.length) {
    throw new Error(`Partitions differ in length: ${first.length} and ${second.length}`);
  }
  const rowOf = new Map<ClassLabel, number>();
  const columnOf = new Map<ClassLabel, number>();
  const counts: number[][] = [];
  for (let i = 0; i < first.length; i++) {
    let row = rowOf.get(first[i]);
    if (row === undefined) {
      row = rowOf.size;
      rowOf.set(first[i], row);
      counts.push([]);
    }
    let column = columnOf.get(second[i]);
    if (column === undefined) {
      column = columnOf.size;
      columnOf.set(second[i], column);
    }
    counts[row][column] = (counts[row][column] ?? 0) + 1;
  }
  const rowTotals = counts.map((row) => row.reduce((sum, count) => sum + (count ?? 0), 0));
  const columnTotals = new Array<number>(columnOf.size).fill(0);
  for (const row of counts) row.forEach((count, column) => (columnTotals[column] += count ?? 0));
  return { counts, rowTotals, columnTotals, total: first.length };
}

function entropy(totals: number[], total: number): number {
  let sum = 0;
  for (const count of totals) if (count > 0) sum -= (count / total) * Math.log(count / total);
  return sum;
}

function mutualInformation({ counts, rowTotals, columnTotals, total }: Contingency): number {
  let sum = 0;
  counts.forEach((row, i) =>
    row.forEach((count, j) => {
      if (count) sum += (count / total) * Math.log((count * total) / (rowTotals[i] * columnTotals[j]));
    }),
  );
  return Math.max(0, sum);
}

/** NMI with the arithmetic mean of the entropies (scikit-learn's default). */
export function normalizedMutualInformation(truth: ArrayLike<ClassLabel>, predicted: ArrayLike<ClassLabel>): number {
  const table = contingency(truth, predicted);
  const truthEntropy = entropy(table.rowTotals, table.total);
  const predictedEntropy = entropy(table.columnTotals, table.total);
  // Two single-class partitions agree perfectly.
  if (truthEntropy === 0 && predictedEntropy === 0) return 1;
  const mean = (truthEntropy + predictedEntropy) / 2;
  return mean === 0 ? 0 : mutualInformation(table) / mean;
}

function pairs(count: number): number {
  return (count * (count - 1)) / 2;
}

/** Rand index adjusted for chance (Hubert & Arabie): 1 for identical partitions, ~0 for random. */
export function adjustedRandIndex(truth: ArrayLike<ClassLabel>, predicted: ArrayLike<ClassLabel>): number {
  const { counts, rowTotals, columnTotals, total } = contingency(truth, predicted);
  let index = 0;
  for (const row of counts) for (const count of row) if (count) index += pairs(count);
  const rowPairs = rowTotals.reduce((sum, count) => sum + pairs(count), 0);
  const columnPairs = columnTotals.reduce((sum, count) => sum + pairs(count), 0);
  const expected = (rowPairs * columnPairs) / pairs(total);
  const maximum = (rowPairs + columnPairs) / 2;
  if (maximum === expected) return 1;
  return (index - expected) / (maximum - expected);
}

export interface VMeasure {
  /** Each cluster holds members of a single class. */
  homogeneity: number;
  /** All members of a class are in the same cluster. */
  completeness: number;
  /** Harmonic mean of the two (equals NMI with the arithmetic mean). */
  vMeasure: number;
}

/** Rosenberg & Hirschberg's V-measure (beta = 1). */
export function vMeasure(truth: ArrayLike<ClassLabel>, predicted: ArrayLike<ClassLabel>): VMeasure {
  const table = contingency(truth, predicted);
  const truthEntropy = entropy(table.rowTotals, table.total);
  const predictedEntropy = entropy(table.columnTotals, table.total);
  const information = mutualInformation(table);
  const homogeneity = truthEntropy === 0 ? 1 : information / truthEntropy;
  const completeness = predictedEntropy === 0 ? 1 : information / predictedEntropy;
  const sum = homogeneity + completeness;
  return { homogeneity, completeness, vMeasure: sum === 0 ? 0 : (2 * homogeneity * completeness) / sum };
}
