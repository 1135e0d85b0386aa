/**
 * Prepared relational queries for the shapes of query the API repeats. plugin-drizzle plans a
 * relational query (`db.query.<table>.findFirst/findMany(config)`) from each request's selection,
 * and drizzle built and rendered its SQL again every time, with the request's values inlined as
 * parameters: for an article page that was a quarter of the server's CPU. Here a query's config is
 * reduced to its shape (the tables, columns, relations, orders and functions it names) and its
 * values (the numbers and strings it filters on, its limit and offset); from a shape's second use
 * on, its query is prepared once with placeholders in place of the values, and only executed.
 *
 * A value is only taken out of a filter where it is compared to a column (`{ id: 5 }`,
 * `{ score: { lt: 0.5 } }`) and from `limit` / `offset`; everything else is part of the shape, so a
 * shape never stands for two different queries. Functions (RAW filters, computed extras, order
 * callbacks) are part of it by identity: those the schema defines once repeat, a closure made for
 * one request never does and is executed as usual. A config holding anything else (an SQL object,
 * a value of another type) is not cached.
 */
import { sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { preparePolicy } from './prepared-statements.js';

/** Operators whose operand is a value (a placeholder can stand for it). */
const VALUE_OPERATORS = new Set(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'like', 'notLike', 'ilike', 'notIlike']);

interface Shape {
  key: string;
  /** The config with placeholders `p0`, `p1`… in place of its values. */
  config: unknown;
  values: unknown[];
}

class Uncacheable extends Error {}

const functionIds = new WeakMap<object, number>();
let nextFunctionId = 0;

function functionId(fn: object): number {
  let id = functionIds.get(fn);
  if (id === undefined) {
    id = nextFunctionId++;
    functionIds.set(fn, id);
  }
  return id;
}

const isValue = (value: unknown): value is number | string => typeof value === 'number' || typeof value === 'string';

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

/** Reads a config into a shape; throws Uncacheable for anything it cannot tell apart by shape. */
function shapeOf(config: unknown): Shape {
  const values: unknown[] = [];
  const parts: string[] = [];

  /** A value compared to a column (or a limit): a placeholder, and `?` in the key. */
  function placeholder(value: unknown) {
    parts.push('?');
    values.push(value);
    return sql.placeholder(`p${values.length - 1}`);
  }

  /** A copy of a plain object, its keys in the key, each entry read by `read`. */
  function entries(object: unknown, read: (entry: unknown, key: string) => unknown): Record<string, unknown> {
    if (!isPlainObject(object)) throw new Uncacheable();
    parts.push('{');
    const copy: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(object)) {
      parts.push(JSON.stringify(key));
      copy[key] = read(entry, key);
    }
    parts.push('}');
    return copy;
  }

  /** A copy of a list, each item read by `read`. */
  function items(list: unknown, read: (item: unknown) => unknown): unknown[] {
    if (!Array.isArray(list)) throw new Uncacheable();
    parts.push('[');
    const copy = list.map((item) => read(item));
    parts.push(']');
    return copy;
  }

  /** A literal (structure, flags, names) that goes into the key as it is. */
  function literal(value: unknown): unknown {
    if (value === null || value === undefined || typeof value === 'boolean' || isValue(value)) {
      parts.push(JSON.stringify(value) ?? 'u');
      return value;
    }
    if (typeof value === 'function') {
      parts.push(`f${functionId(value)}`);
      return value;
    }
    return Array.isArray(value) ? items(value, literal) : entries(value, literal);
  }

  /** A filter: values compared to columns become placeholders. */
  function filter(where: unknown): unknown {
    return entries(where, (condition, key) => {
      if (key === 'RAW') return literal(condition);
      if (key === 'AND' || key === 'OR') return items(condition, filter);
      if (key === 'NOT') return filter(condition);
      if (isValue(condition)) return placeholder(condition);
      return isPlainObject(condition) ? operand(condition) : literal(condition);
    });
  }

  /** A column's (or a relation's) condition: `{ gt: 5 }`, or a nested filter. */
  function operand(condition: Record<string, unknown>): unknown {
    const operators = Object.keys(condition);
    if (!operators.every((operator) => VALUE_OPERATORS.has(operator) || operator === 'isNull' || operator === 'isNotNull')) {
      // A relation's filter (or an operator over a list): a nested filter.
      return filter(condition);
    }
    return entries(condition, (value, operator) =>
      VALUE_OPERATORS.has(operator) && isValue(value) ? placeholder(value) : literal(value),
    );
  }

  /** A query's config, or a relation's under `with`. */
  function query(value: unknown): unknown {
    if (!isPlainObject(value)) return literal(value);
    return entries(value, (entry, key) => {
      if (key === 'where') return filter(entry);
      if ((key === 'limit' || key === 'offset') && typeof entry === 'number') return placeholder(entry);
      if (key === 'with' && isPlainObject(entry)) return entries(entry, query);
      return literal(entry);
    });
  }

  const shaped = query(config);
  return { key: parts.join(''), config: shaped, values };
}

type Mode = 'findFirst' | 'findMany';
type Prepared = { execute(values: Record<string, unknown>): Promise<unknown> };
type TableQueries = Record<Mode, (config?: unknown) => PromiseLike<unknown> & { prepare(name: string): Prepared }>;

/** The prepared shapes of each caching database (for its tests and diagnostics). */
const preparedOf = new WeakMap<Database, Map<string, Prepared>>();

/** How many shapes a database from cachingRelationalPlans has prepared. */
export function preparedShapeCount(db: Database): number {
  return preparedOf.get(db)?.size ?? 0;
}

/**
 * The database with its relational queries (`db.query.<table>.findFirst/findMany`) going through
 * the cache of prepared shapes; everything else is the database's own.
 */
export function cachingRelationalPlans(db: Database): Database {
  const prepared = new Map<string, Prepared>();
  // The statements' own policy (prepared-statements.ts): from a shape's second use, and no more
  // shapes than PostgreSQL keeps statements per connection, since clients choose them.
  const shouldPrepare = preparePolicy();

  function run(table: string, queries: TableQueries, mode: Mode, config: unknown): PromiseLike<unknown> {
    let shape: Shape;
    try {
      shape = shapeOf(config ?? {});
    } catch (error) {
      if (error instanceof Uncacheable) return queries[mode](config);
      throw error;
    }
    const key = `${table}.${mode}:${shape.key}`;
    if (!shouldPrepare(key)) return queries[mode](config);
    let statement = prepared.get(key);
    if (!statement) {
      statement = queries[mode](shape.config).prepare(`plan_${prepared.size}`);
      prepared.set(key, statement);
    }
    return statement.execute(Object.fromEntries(shape.values.map((value, index) => [`p${index}`, value])));
  }

  const tables = new Map<string, TableQueries>();
  const query = new Proxy(db.query, {
    get(target, table, receiver) {
      const queries = Reflect.get(target, table, receiver) as TableQueries | undefined;
      if (typeof table !== 'string' || !queries) return queries;
      let wrapped = tables.get(table);
      if (!wrapped) {
        wrapped = {
          findFirst: (config) => run(table, queries, 'findFirst', config),
          findMany: (config) => run(table, queries, 'findMany', config),
        } as TableQueries;
        tables.set(table, wrapped);
      }
      return wrapped;
    },
  });
  const caching = new Proxy(db, {
    get: (target, property, receiver) => (property === 'query' ? query : Reflect.get(target, property, receiver)),
  });
  preparedOf.set(caching, prepared);
  return caching;
}
