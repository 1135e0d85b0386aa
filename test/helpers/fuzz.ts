/**
 * A schema-driven GraphQL fuzzer: each case is a document built from the schema (a root field, its
 * arguments, a random selection beneath it) with variables filled with hostile values chosen by
 * the argument's type. Seeded with a small PRNG, so a failing case reproduces from its seed.
 */
import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  getNamedType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
} from 'graphql';

/** mulberry32: a tiny, fast, seedable PRNG with a period of 2^32. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface FuzzCase {
  query: string;
  variables: Record<string, unknown>;
  /** Send the operator token with it. */
  operator: boolean;
}

/** Real ids (by type name) and cursors taken from the server, so that some cases reach real rows. */
export interface FuzzSamples {
  ids: Record<string, string[]>;
  cursors: string[];
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** How deep selections go below the root field. */
const MAX_DEPTH = 3;

export function createFuzzer(schema: GraphQLSchema, samples: FuzzSamples, seed: number) {
  const random = mulberry32(seed);
  const chance = (p: number) => random() < p;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));

  const realIds = () => Object.values(samples.ids).flat();
  const randomText = (length: number) =>
    Array.from({ length }, () => String.fromCharCode(chance(0.1) ? int(0, 0xffff) : int(0x20, 0x7e))).join('');
  const randomBase64 = () => Buffer.from(Array.from({ length: int(1, 24) }, () => int(0, 255))).toString('base64');

  const hostileIds = [
    b64('Article:0'),
    b64('Topic:-1'),
    b64('Nope:1'),
    b64('Article:99999999999'),
    b64('Article:2147483648'),
    b64('Article:2147483647'),
    b64('Topic:2147483647'),
    b64('ClusteringRun:999999'),
    b64('Source:999999'),
    b64('Article:abc'),
    b64('Article:1.5'),
    b64('Article:1e3'),
    b64('Article: 1'),
    b64('Article:'),
    b64(':1'),
    b64('Article:1:2'),
    b64('Query:1'),
    b64('Keyword:1'),
    b64('ArticleTopic:1'),
    b64('__Schema:1'),
    b64('Article:NaN'),
    b64('Article:\u00001'),
    'not base64!',
    '',
    '=',
    'QXJ0aWNsZTox====',
  ];
  const idValue = (): unknown => {
    if (chance(0.35) && realIds().length > 0) return pick(realIds());
    if (chance(0.1)) return randomBase64();
    return pick(hostileIds);
  };

  const drizzle = (chunk: string) => b64(`DC:${chunk}`);
  const hostileCursors = () => [
    'not-a-cursor',
    '',
    randomBase64(),
    drizzle(''),
    drizzle('garbage'),
    drizzle('N:abc'),
    drizzle('N:NaN'),
    drizzle('N:1e400'),
    drizzle('N:1.5'),
    drizzle('N:99999999999'),
    drizzle('N:-1'),
    drizzle('S:abc'),
    drizzle('S:\u0000'),
    drizzle('D:1e400'),
    drizzle('D:abc'),
    drizzle('I:12'),
    drizzle('I:x'),
    drizzle('B:AAAA'),
    drizzle('O:{"a":1}'),
    drizzle('Z:'),
    drizzle('T:[]'),
    drizzle('T:["N:1","N:2","N:3","N:4"]'),
    drizzle('T:["S:x","N:1"]'),
    drizzle('T:["N:1","S:x"]'),
    drizzle('T:["N:0.5","N:1"]'),
    drizzle('T:[null,null]'),
    drizzle('T:notjson'),
    drizzle('J:[1,2]'),
    drizzle('J:["x","y"]'),
    b64(`feed:1:${drizzle('T:["N:0.5","N:1"]')}`),
    b64(`feed:0:${drizzle('N:1')}`),
    b64(`feed:99999999999:${drizzle('N:1')}`),
    b64('feed:1:notdc'),
    b64(`feed:1:${drizzle('T:["S:x","S:y"]')}`),
    b64('arrayconnection:5'),
    b64('OC:-1'),
  ];
  const cursorValue = (): unknown =>
    chance(0.35) && samples.cursors.length > 0 ? pick(samples.cursors) : pick(hostileCursors());

  const hostileStrings = () => [
    '',
    ' ',
    'a',
    'election',
    'a & | !',
    '!!!',
    '"unterminated',
    '-',
    'or',
    '(a | b) & !c <-> d:*',
    "'; drop table articles; --",
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udc00y',
    '\u0007\u001b[31m',
    '<b>bold</b><script>alert(1)</script>',
    'x'.repeat(10_000),
    'word '.repeat(400),
    'zebra zoo',
    '30d',
    '0d',
    '-1d',
    '1e400d',
    '99999999999999d',
    '%',
    '\\',
    '日本語のニュース',
    randomText(int(1, 40)),
  ];

  const hostileInts = [
    0, 1, -1, 2, 3, 5, 20, 100, 101, 1000, -2_147_483_648, 2_147_483_647, 2_147_483_648, 1e10,
    // biome-ignore lint/correctness/noPrecisionLoss: 2⁵³ + 1 is hostile because a double cannot hold it.
    9_007_199_254_740_993, 0.5, 1.5, -0.5, 1e308,
  ];
  // biome-ignore lint/correctness/noPrecisionLoss: 1e400 is hostile because it overflows to Infinity.
  const hostileFloats = [0, -1, 0.5, 1e308, -1e308, 5e-324, 1e400];
  const hostileDates = [
    '1',
    '0000-01-01T00:00:00Z',
    '0000-01-01',
    '2020-02-30',
    '2020-02-29',
    '2021-02-29',
    '2020-01-01',
    '2020-01-01T00:00:00Z',
    '2020-01-01T00:00:00.123456789Z',
    '2020-01-01T00:00:00',
    '2020-01-01T24:00:00Z',
    '2020-01-01T23:59:60Z',
    '2020-01-01T00:00:00+25:00',
    '2020-13-01',
    '9999-12-31T23:59:59Z',
    '10000-01-01T00:00:00Z',
    '+275760-09-13T00:00:00Z',
    '-000001-01-01T00:00:00Z',
    '0999-12-31T23:59:59Z',
    'now',
    '',
    'Tue, 01 Jan 2020 00:00:00 GMT',
    '2020-01-01 00:00:00Z',
    new Date(Date.UTC(2004, int(0, 11), int(1, 28))).toISOString(),
    0,
    1e15,
    true,
  ];
  const wrongTypes = [0, 1.5, -1, 'x', true, false, {}, [], [1], { a: 1 }, 'null', null];

  /** A value for an input type; `name` is the argument or field it is for. */
  function inputValue(type: GraphQLInputType, name: string, depth = 0): unknown {
    if (isNonNullType(type)) return chance(0.03) ? null : inputValue(type.ofType, name, depth);
    if (chance(0.04)) return null;
    if (chance(0.03)) return pick(wrongTypes);
    if (isListType(type)) {
      if (chance(0.1)) return inputValue(type.ofType, name, depth + 1);
      const length = chance(0.05) ? int(20, 200) : int(0, 3);
      return Array.from({ length }, () => inputValue(type.ofType, name, depth + 1));
    }
    if (isInputObjectType(type)) {
      const value: Record<string, unknown> = {};
      for (const field of Object.values(type.getFields())) {
        if (isNonNullType(field.type) ? chance(0.95) : chance(0.5))
          value[field.name] = inputValue(field.type, field.name, depth + 1);
      }
      if (chance(0.03)) value.unknownField = 1;
      return value;
    }
    if (isEnumType(type)) return chance(0.9) ? pick(type.getValues()).name : pick(['NOPE', 'size', '', 1]);
    return scalarValue(type.name, name);
  }

  function scalarValue(scalar: string, name: string): unknown {
    switch (scalar) {
      case 'ID':
        return idValue();
      case 'String':
        if (name === 'after' || name === 'before') return cursorValue();
        if (name === 'publishedAt') return pick(hostileDates);
        return pick(hostileStrings());
      case 'Int':
        return chance(0.5) ? int(0, 30) : pick(hostileInts);
      case 'Float':
        return pick(hostileFloats);
      case 'Boolean':
        return chance(0.9) ? chance(0.5) : pick(['true', 1]);
      case 'DateTime':
        return pick(hostileDates);
      default:
        return pick(wrongTypes);
    }
  }

  /** A JS value as a GraphQL literal of the given type (enum values bare). */
  function literal(value: unknown, type: GraphQLInputType): string {
    const named = getNamedType(type);
    if (value === null || value === undefined) return 'null';
    if (Array.isArray(value)) {
      const item = isListType(isNonNullType(type) ? type.ofType : type) ? (isNonNullType(type) ? type.ofType : type) : type;
      return `[${value.map((entry) => literal(entry, isListType(item) ? item.ofType : item)).join(', ')}]`;
    }
    if (typeof value === 'object') {
      const fields = isInputObjectType(named) ? named.getFields() : {};
      return `{ ${Object.entries(value)
        .map(([key, entry]) => `${key}: ${literal(entry, fields[key]?.type ?? named)}`)
        .join(', ')} }`;
    }
    if (typeof value === 'string' && isEnumType(named) && /^[A-Za-z_]\w*$/.test(value)) return value;
    if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'NaN';
    return JSON.stringify(value);
  }

  function build(root: GraphQLObjectType, operation: 'query' | 'mutation'): FuzzCase {
    const definitions: string[] = [];
    const variables: Record<string, unknown> = {};

    function argument(arg: GraphQLArgument): string {
      const value = inputValue(arg.type, arg.name);
      if (chance(0.2)) return `${arg.name}: ${literal(value, arg.type)}`;
      const variable = `v${definitions.length}`;
      // Now and then a variable declared with the wrong type, or left out.
      const declared = chance(0.03) ? pick(['String', 'Int', 'ID!', '[ID]', 'Boolean']) : String(arg.type);
      definitions.push(`$${variable}: ${declared}`);
      if (!chance(0.03)) variables[variable] = value;
      return `${arg.name}: $${variable}`;
    }

    function field(definition: GraphQLField<unknown, unknown>, depth: number): string {
      const args = definition.args
        .filter((arg) => (isNonNullType(arg.type) ? !chance(0.03) : chance(0.5)))
        .map((arg) => argument(arg));
      const selection = selectionOf(definition.type, depth + 1);
      return `${definition.name}${args.length > 0 ? `(${args.join(', ')})` : ''}${selection}`;
    }

    function selectionOf(type: GraphQLOutputType, depth: number): string {
      const named = getNamedType(type) as GraphQLNamedType;
      if (isLeafType(named)) return '';
      if (isAbstractType(named)) {
        const possible = schema.getPossibleTypes(named);
        const chosen = [pick(possible), pick(possible)].filter((value, index, all) => all.indexOf(value) === index);
        return ` { __typename ${chosen.map((object) => `... on ${object.name} ${objectSelection(object, depth)}`).join(' ')} }`;
      }
      return ` ${objectSelection(named as GraphQLObjectType, depth)}`;
    }

    function objectSelection(type: GraphQLObjectType, depth: number): string {
      const fields = Object.values(type.getFields());
      const leaves = fields.filter((entry) => isLeafType(getNamedType(entry.type)));
      const composite = fields.filter((entry) => !isLeafType(getNamedType(entry.type)));
      const chosen = new Set<GraphQLField<unknown, unknown>>();
      if (leaves.length > 0) for (let i = int(1, 3); i > 0; i--) chosen.add(pick(leaves));
      if (depth < MAX_DEPTH && composite.length > 0)
        for (let i = int(leaves.length === 0 ? 1 : 0, 2); i > 0; i--) chosen.add(pick(composite));
      if (chosen.size === 0) return '{ __typename }';
      return `{ ${[...chosen].map((entry) => field(entry, depth)).join(' ')} }`;
    }

    const selected = field(pick(Object.values(root.getFields())), 0);
    const signature = definitions.length > 0 ? `(${definitions.join(', ')})` : '';
    return {
      query: `${operation} Fuzz${signature} { ${selected} }`,
      variables,
      operator: operation === 'mutation' ? chance(0.15) : chance(0.05),
    };
  }

  const query = schema.getQueryType();
  const mutation = schema.getMutationType();
  if (!query) throw new Error('the schema has no Query type');
  return {
    next(): FuzzCase {
      return mutation && chance(0.08) ? build(mutation, 'mutation') : build(query, 'query');
    },
  };
}

export interface FuzzResponse {
  status: number;
  body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] } | null;
  text: string;
}

/** What is wrong with a response: nothing, an error without a code, an internal error, or no GraphQL answer. */
export function offence(response: FuzzResponse): string | null {
  if (response.status >= 500) return `HTTP ${response.status}`;
  if (!response.body || (response.body.data === undefined && !response.body.errors)) return 'not a GraphQL response';
  for (const error of response.body.errors ?? []) {
    const code = error.extensions?.code;
    if (!code) return `error without a code: ${error.message.slice(0, 200)}`;
    if (code === 'INTERNAL_SERVER_ERROR' || error.message === 'Unexpected error.')
      return `${code}: ${error.message.slice(0, 200)}`;
  }
  return null;
}

/** Runs `count` cases against a server, `concurrency` at a time. */
export async function runFuzz(options: {
  url: string;
  token: string;
  cases: () => FuzzCase;
  count: number;
  concurrency: number;
}): Promise<{
  sent: number;
  errors: number;
  withoutCode: number;
  internal: number;
  offending: { fuzzCase: FuzzCase; response: FuzzResponse; offence: string }[];
  /** Milliseconds spent per root field, to see what a run spends its time on. */
  timeByField: Map<string, number>;
}> {
  const result = {
    sent: 0,
    errors: 0,
    withoutCode: 0,
    internal: 0,
    offending: [] as { fuzzCase: FuzzCase; response: FuzzResponse; offence: string }[],
    timeByField: new Map<string, number>(),
  };
  // Generated up front, in order: the seed alone decides the cases, whatever the timing.
  const cases = Array.from({ length: options.count }, () => options.cases());
  let next = 0;
  async function worker() {
    while (next < cases.length) {
      const fuzzCase = cases[next++];
      const started = performance.now();
      const response = await fetch(`${options.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          ...(fuzzCase.operator ? { authorization: `Bearer ${options.token}` } : {}),
        },
        body: JSON.stringify({ query: fuzzCase.query, variables: fuzzCase.variables }),
      });
      const text = await response.text();
      let body: FuzzResponse['body'] = null;
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
      const answer = { status: response.status, body, text };
      const root = /\{ (\w+)/.exec(fuzzCase.query)?.[1] ?? '?';
      result.timeByField.set(root, (result.timeByField.get(root) ?? 0) + performance.now() - started);
      result.sent++;
      for (const error of body?.errors ?? []) {
        result.errors++;
        if (!error.extensions?.code) result.withoutCode++;
        if (error.extensions?.code === 'INTERNAL_SERVER_ERROR' || error.message === 'Unexpected error.') result.internal++;
      }
      const wrong = offence(answer);
      if (wrong) result.offending.push({ fuzzCase, response: answer, offence: wrong });
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
  return result;
}
