/** npm run schema:print: writes schema.graphql, the checked-in contract of the API. */
import { writeFileSync } from 'node:fs';
import { printSchemaFile, schemaFile } from '../src/graphql/print.js';

writeFileSync(schemaFile, printSchemaFile());
console.log(`wrote ${schemaFile}`);
