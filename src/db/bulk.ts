/**
 * Bulk inserts through `unnest`: one parameter per column instead of one per value, so a batch of
 * tens of thousands of rows is a single short statement on both drivers.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';

type ColumnType = 'int' | 'real' | 'boolean';

export interface BulkColumn {
  name: string;
  type: ColumnType;
  values: ArrayLike<number | boolean>;
}

function arrayLiteral(column: BulkColumn): string {
  const parts: string[] = new Array(column.values.length);
  for (let i = 0; i < column.values.length; i++) {
    const value = column.values[i];
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new Error(`column ${column.name}: row ${i} is not a finite number`);
    }
    parts[i] = String(value);
  }
  return `{${parts.join(',')}}`;
}

/** A column that takes the same value in every row (e.g. an enum label). */
export interface FixedColumn {
  name: string;
  value: SQL;
}

export function bulkInsert(table: PgTable, columns: BulkColumn[], fixed: FixedColumn[] = []): SQL {
  const names = sql.join(
    [...columns, ...fixed].map((column) => sql.identifier(column.name)),
    sql`, `,
  );
  const arrays = sql.join(
    columns.map((column) => sql`${arrayLiteral(column)}::${sql.raw(column.type)}[]`),
    sql`, `,
  );
  const values = sql.join([sql`*`, ...fixed.map((column) => column.value)], sql`, `);
  return sql`insert into ${table} (${names}) select ${values} from unnest(${arrays})`;
}

/** Splits row indexes [0, total) into chunks, so no single statement grows without bound. */
export function* chunks(total: number, size: number): Generator<[number, number]> {
  for (let start = 0; start < total; start += size) yield [start, Math.min(total, start + size)];
}
