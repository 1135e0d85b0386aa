/**
 * GraphQL Code Generator's configuration for the typed-client example: the client preset reads
 * the operations written with `graphql(...)` in this folder and writes their result and variable
 * types, from the checked-in schema.graphql, to generated/ (committed; test/typed-client.test.ts
 * fails when it is stale). `npm run typed-client:generate` rewrites it.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

export const codegenConfig: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['scripts/typed-client/*.ts', '!scripts/typed-client/codegen.ts'],
  ignoreNoDocuments: false,
  generates: {
    'scripts/typed-client/generated/': {
      preset: 'client',
      // Plain strings with their types attached: a browser's fetch sends them as they are, with no
      // GraphQL library on the page.
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: 'string',
        useTypeImports: true,
        enumsAsTypes: true,
        // NodeNext resolution: relative imports with their .js extension.
        emitLegacyCommonJSImports: false,
        scalars: { DateTime: 'string', JSON: 'unknown' },
      },
    },
  },
};

export default codegenConfig;
