/**
 * `INTROSPECTION=off`: queries that select `__schema` or `__type` (any field of an introspection
 * type) are refused at validation, with a code. `__typename` still works. The schema is public
 * (schema.graphql), so introspection is on by default; GraphiQL needs it to know the schema.
 */
import { GraphQLError, getNamedType, isIntrospectionType, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const noIntrospection: ValidationRule = (context) => ({
  Field(node) {
    const type = getNamedType(context.getType());
    const parent = context.getParentType();
    // Reported once, where a query enters introspection (`__schema`, `__type`), not for every field inside.
    if (type && isIntrospectionType(type) && !(parent && isIntrospectionType(parent))) {
      context.reportError(
        new GraphQLError(
          `Introspection is turned off on this server (INTROSPECTION=off): "${node.name.value}" cannot be queried.`,
          {
            nodes: node,
            extensions: { code: 'FORBIDDEN' },
          },
        ),
      );
    }
  },
});

export function noIntrospectionPlugin(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(noIntrospection);
    },
  };
}
