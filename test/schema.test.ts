import { readFileSync } from 'node:fs';
import { isEnumType, isInputObjectType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../src/graphql/index.js';
import { printSchemaFile, schemaFile } from '../src/graphql/print.js';

describe('schema.graphql', () => {
  it('is current (run `npm run schema:print` after changing the schema)', () => {
    expect(readFileSync(schemaFile, 'utf8')).toBe(printSchemaFile());
  });

  it('describes every type and field of our own', () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__')) continue;
      if (!type.description && !['Boolean', 'Float', 'ID', 'Int', 'String'].includes(type.name)) missing.push(type.name);
      if (isObjectType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
        }
      }
      if (isEnumType(type)) {
        for (const value of type.getValues()) if (!value.description) missing.push(`${type.name}.${value.name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
