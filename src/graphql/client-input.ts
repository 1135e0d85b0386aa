/**
 * What clients send, checked where the schema's own types cannot: an error a client can fix
 * carries a code; everything else is a bug, masked in production as INTERNAL_SERVER_ERROR.
 *
 * - No string argument of a query may hold NUL: PostgreSQL text cannot, and the statement would
 *   fail. One check for every argument (and input field) of every query and subscription field;
 *   mutations validate their own input (an import rejects the bad article and stores the others).
 * - A connection's `after` / `before` must be a cursor of its own order (cursors.ts): each
 *   connection field declares its order's keys in `extensions.cursorKeys` (the schema does not
 *   build without it), or `'feed'` when it reads its cursors itself (feed-cursors.ts).
 * - Pothos reports a malformed cursor, an id of the wrong type or impossible page arguments as a
 *   PothosValidationError without a code (thrown while it maps arguments or builds a connection's
 *   query). The schema plugin below gives those BAD_USER_INPUT. Pothos uses the same class for
 *   its own internal failures (a selection it cannot map, say): those become plain errors, so that
 *   production masks them like any other bug instead of sending their message without a code.
 * - graphql-js refuses variables that do not fit their declared type (a string for an Int, null
 *   for a non-null, a variable left out) before anything runs, with no code; the envelop plugin
 *   gives those BAD_USER_INPUT.
 */
import SchemaBuilder, {
  BasePlugin,
  isThenable,
  PothosError,
  type PothosOutputFieldConfig,
  PothosSchemaError,
  type SchemaTypes,
} from '@pothos/core';
import { GraphQLError, type GraphQLFieldResolver } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { type CursorKeys, checkCursor } from './cursors.js';

/** The messages of the PothosValidationErrors that come from what the client sent. */
const CLIENT_INPUT_MESSAGES = [
  /^ID: .* is not of type: /s,
  /^Invalid (cursor|offset cursor|serialized data|base64 string)/,
  /^Cursor (must be a string|contains no values)/,
  /^Expected (compound )?cursor to contain /,
  /^Arguments? "(first|last)"/,
];

function classified(error: unknown): unknown {
  if (!(error instanceof PothosError) || error.extensions.code) return error;
  if (error.name === 'PothosValidationError' && CLIENT_INPUT_MESSAGES.some((pattern) => pattern.test(error.message))) {
    return new GraphQLError(error.message.slice(0, 300), { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return new Error(error.message, { cause: error });
}

function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(containsNul);
  if (typeof value === 'object' && value !== null) return Object.values(value).some(containsNul);
  return false;
}

/** The argument mapper that checks a connection field's cursors against its declared keys. */
function cursorCheck<Types extends SchemaTypes>(fieldConfig: PothosOutputFieldConfig<Types>) {
  if (!('after' in fieldConfig.args || 'before' in fieldConfig.args)) return null;
  const declared = fieldConfig.extensions?.cursorKeys as CursorKeys | 'feed' | undefined;
  if (declared === 'feed') return null;
  if (!declared) {
    throw new PothosSchemaError(
      `${fieldConfig.parentType}.${fieldConfig.name} takes cursors: declare its order's keys in extensions.cursorKeys`,
    );
  }
  return (args: Record<string, unknown>) => {
    const keys = typeof declared === 'function' ? declared(args) : declared;
    for (const cursor of [args.after, args.before]) if (typeof cursor === 'string') checkCursor(cursor, keys);
    return args;
  };
}

const pluginName = 'clientInput';

export class ClientInputPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override onOutputFieldConfig(fieldConfig: PothosOutputFieldConfig<Types>): PothosOutputFieldConfig<Types> {
    if (fieldConfig.parentType === 'Mutation' || Object.keys(fieldConfig.args).length === 0) return fieldConfig;
    const refuseNul = (args: Record<string, unknown>) => {
      if (containsNul(args)) {
        throw new GraphQLError(`the arguments of ${fieldConfig.name} contain a NUL character (\\u0000)`, {
          extensions: { code: 'BAD_USER_INPUT' },
        });
      }
      return args;
    };
    const checkCursors = cursorCheck(fieldConfig);
    // NUL first, before the other mappers decode ids from the strings; the cursors last, with the
    // ids decoded (an order may depend on the arguments), before plugin-drizzle reads them.
    return {
      ...fieldConfig,
      argMappers: [refuseNul, ...(fieldConfig.argMappers ?? []), ...(checkCursors ? [checkCursors] : [])],
    };
  }

  /** Outside the argument mappers, so that errors of decoding ids are classified too. */
  override wrapArgMappers(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object> | undefined,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> | undefined {
    if (!resolver) return resolver;
    const settle = (value: unknown) =>
      isThenable(value)
        ? Promise.resolve(value).catch((error: unknown) => {
            throw classified(error);
          })
        : value;
    return (parent, args, context, info) => {
      try {
        const result = resolver(parent, args, context, info);
        // A list may hold a promise per item (nodes(ids:) does).
        return Array.isArray(result) ? result.map(settle) : settle(result);
      } catch (error) {
        throw classified(error);
      }
    };
  }
}

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      clientInput: ClientInputPlugin<Types>;
    }
  }
}

SchemaBuilder.registerPlugin(pluginName, ClientInputPlugin);

export const clientInputPlugin = pluginName;

/** The errors of a request refused before execution started: its result has no `data`. */
function codeRequestErrors(result: unknown): void {
  if (typeof result !== 'object' || result === null || 'data' in result || !('errors' in result)) return;
  for (const error of (result as { errors: readonly GraphQLError[] }).errors) {
    if (!error.extensions.code) Object.assign(error.extensions, { code: 'BAD_USER_INPUT' });
  }
}

/**
 * Codes the errors of a request refused before execution started: graphql-js found its
 * variables invalid, or its operation name matches no operation.
 */
export function requestErrorCodePlugin(): Plugin {
  return {
    onExecute: () => ({ onExecuteDone: ({ result }) => codeRequestErrors(result) }),
    onSubscribe: () => ({ onSubscribeResult: ({ result }) => codeRequestErrors(result) }),
  };
}
