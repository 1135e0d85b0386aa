/** Operators prove themselves with `Authorization: Bearer <API_TOKEN>`. */
import { timingSafeEqual } from 'node:crypto';
import { GraphQLError } from 'graphql';

export type OperatorAuth = 'operator' | 'anonymous' | 'wrong-token' | 'disabled';

export function authenticate(authorization: string | null, apiToken: string | undefined): OperatorAuth {
  if (!apiToken) return 'disabled';
  if (!authorization) return 'anonymous';
  const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
  if (!match) return 'wrong-token';
  const given = Buffer.from(match[1]);
  const expected = Buffer.from(apiToken);
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'operator' : 'wrong-token';
}

/**
 * Why a request is not an operator's, as the error the caller can act on; null for an operator.
 * The `operator` auth scope (builder.ts) answers its refusals with it. `queryField`: the operator
 * query field refused (a mutation when absent).
 */
export function operatorRefusal(auth: OperatorAuth, queryField?: string): GraphQLError | null {
  switch (auth) {
    case 'operator':
      return null;
    case 'disabled':
      return new GraphQLError(
        `${queryField === undefined ? 'Mutations are' : `The operator field "${queryField}" is`} disabled: ` +
          'start the server with API_TOKEN=<secret> and send "Authorization: Bearer <secret>".',
        { extensions: { code: 'FORBIDDEN' } },
      );
    case 'anonymous':
      return new GraphQLError(
        `${queryField === undefined ? 'This mutation' : `The operator field "${queryField}"`} needs "Authorization: Bearer <API_TOKEN>".`,
        { extensions: { code: 'UNAUTHENTICATED' } },
      );
    case 'wrong-token':
      return new GraphQLError('The bearer token is not valid.', { extensions: { code: 'UNAUTHENTICATED' } });
  }
}
