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
import { MAX_PREPARED_TEXTS } from './prepared-statements.js';

/**
 * Shapes prepared at most per database (an LRU beyond it): as many as the statements PostgreSQL
 * keeps prepared per connection (prepared-statements.ts), since clients choose the shapes.
 */
const MAX_PREPARED_SHAPES = MAX_PREPARED_TEXTS;
/** Shapes seen once that are remembered; beyond that the count starts over. */
const MAX_SEEN_ONCE = 5_000;

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

/** Reads a config into a shape; throws Uncacheable for anything it cannot tell apart by shape. */
function shapeOf(config: unknown): Shape {
  const values: unknown[] = [];
  const placeholder = (value: unknown) => {
    values.push(value);
    return sql.placeholder(`p${values.length - 1}`);
  };
  const parts: string[] = [];

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
    if (Array.isArray(value)) {
      parts.push('[');
      const copy = value.map(literal);
      parts.push(']');
      return copy;
    }
    if (Object.getPrototypeOf(value) === Object.prototype) {
      parts.push('{');
      const copy: Record<string, unknown> = {};
      for (const [key, entry] of Object.entries(value)) {
        parts.push(JSON.stringify(key));
        copy[key] = literal(entry);
      }
      parts.push('}');
      return copy;
    }
    throw new Uncacheable();
  }

  /** A filter: values compared to columns become placeholders. */
  function filter(where: unknown): unknown {
    if (
      typeof where !== 'object' ||
      where === null ||
      Array.isArray(where) ||
      Object.getPrototypeOf(where) !== Object.prototype
    ) {
      throw new Uncacheable();
    }
    parts.push('{');
    const copy: Record<string, unknown> = {};
    for (const [key, condition] of Object.entries(where)) {
      parts.push(JSON.stringify(key));
      if (key === 'RAW') copy[key] = literal(condition);
      else if (key === 'AND' || key === 'OR') {
        if (!Array.isArray(condition)) throw new Uncacheable();
        parts.push('[');
        copy[key] = condition.map(filter);
        parts.push(']');
      } else if (key === 'NOT') copy[key] = filter(condition);
      else if (isValue(condition)) {
        parts.push('?');
        copy[key] = placeholder(condition);
      } else if (typeof condition === 'object' && condition !== null && !Array.isArray(condition)) {
        copy[key] = operand(condition);
      } else copy[key] = literal(condition);
    }
    parts.push('}');
    return copy;
  }

  /** A column's (or a relation's) condition: `{ gt: 5 }`, or a nested filter. */
  function operand(condition: object): unknown {
    if (Object.getPrototypeOf(condition) !== Object.prototype) throw new Uncacheable();
    const entries = Object.entries(condition);
    if (!entries.every(([operator]) => VALUE_OPERATORS.has(operator) || operator === 'isNull' || operator === 'isNotNull')) {
      // A relation's filter (or an operator over a list): a nested filter.
      return filter(condition);
    }
    parts.push('(');
    const copy: Record<string, unknown> = {};
    for (const [operator, value] of entries) {
      parts.push(operator);
      if (VALUE_OPERATORS.has(operator) && isValue(value)) {
        parts.push('?');
        copy[operator] = placeholder(value);
      } else copy[operator] = literal(value);
    }
    parts.push(')');
    return copy;
  }

  /** A query's config, or a relation's under `with`. */
  function query(value: unknown): unknown {
    if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return literal(value);
    parts.push('{');
    const copy: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) {
      parts.push(JSON.stringify(key));
      if (key === 'where') copy[key] = filter(entry);
      else if ((key === 'limit' || key === 'offset') && typeof entry === 'number') {
        parts.push('?');
        copy[key] = placeholder(entry);
      } else if (key === 'with' && typeof entry === 'object' && entry !== null) {
        parts.push('{');
        const relations: Record<string, unknown> = {};
        for (const [name, relation] of Object.entries(entry)) {
          parts.push(JSON.stringify(name));
          relations[name] = query(relation);
        }
        parts.push('}');
        copy[key] = relations;
      } else copy[key] = literal(entry);
    }
    parts.push('}');
    return copy;
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
  const seenOnce = new Set<string>();

  function run(table: string, queries: TableQueries, mode: Mode, config: unknown): PromiseLike<unknown> {
    let shape: Shape;
    try {
      shape = shapeOf(config ?? {});
    } catch (error) {
      if (error instanceof Uncacheable) return queries[mode](config);
      throw error;
    }
    const key = `${table}.${mode}:${shape.key}`;
    const values = Object.fromEntries(shape.values.map((value, index) => [`p${index}`, value]));
    let statement = prepared.get(key);
    if (statement) {
      // Least recently used first.
      prepared.delete(key);
      prepared.set(key, statement);
      return statement.execute(values);
    }
    if (!seenOnce.has(key)) {
      if (seenOnce.size >= MAX_SEEN_ONCE) seenOnce.clear();
      seenOnce.add(key);
      return queries[mode](config);
    }
    seenOnce.delete(key);
    statement = queries[mode](shape.config).prepare(`plan_${prepared.size}`);
    if (prepared.size >= MAX_PREPARED_SHAPES) prepared.delete(prepared.keys().next().value as string);
    prepared.set(key, statement);
    return statement.execute(values);
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
