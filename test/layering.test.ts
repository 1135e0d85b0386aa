/**
 * The layering rule of the README ("How it is built"), enforced on every .ts file under src/.
 *
 * A test rather than dependency-cruiser: its current major (18) no longer supports Node 20, which
 * this project runs on, and the rule needs nothing but TypeScript's own parser, already here for the
 * type check. The rules and the checker live in test/helpers/layering.ts; the cases at the end run
 * it on made-up files to show that it reports what it should.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import {
  dependencies,
  findUnitCycles,
  findViolations,
  formatCycle,
  formatViolation,
  moduleReferences,
  unitOf,
} from './helpers/layering.js';

const root = fileURLToPath(new URL('..', import.meta.url));

function sourcesUnder(folder: string): Map<string, string> {
  const files = readdirSync(`${root}${folder}`, { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.tsx?$/.test(name))
    .map((name) => `${folder}/${name.split('\\').join('/')}`)
    .sort();
  return new Map(files.map((file) => [file, readFileSync(`${root}${file}`, 'utf8')]));
}

describe('src/ layering', () => {
  const found = dependencies(sourcesUnder('src'));

  it('reads the real sources', () => {
    // Guards against a vacuous pass: server.ts wires every layer of the product together.
    const used = new Set(found.filter(({ file }) => file === 'src/server.ts').map(({ target }) => unitOf(target)));
    expect([...used]).toEqual(expect.arrayContaining(['config.ts', 'db', 'graphql', 'http', 'jobs']));
  });

  it('keeps each layer to what it may import, and src/ out of scripts/ and test/', () => {
    expect(findViolations(found).map(formatViolation)).toEqual([]);
  });

  it('has no import cycles between the top-level entries of src/', () => {
    expect(findUnitCycles(found).map(formatCycle)).toEqual([]);
  });
});

describe('the layering checker', () => {
  it('sees every way a module names another', () => {
    const source = [
      "import { a } from './a.js';",
      "import type { B } from '../text/b.js';",
      "export { c } from './c.js';",
      "export * from './d.js';",
      "const e = await import('./e.js');",
      "type F = typeof import('./f.js');",
      "const worker = new URL('./worker.ts', import.meta.url);",
      "const child = import.meta.resolve('./child.js');",
      "const data = new URL('../../drizzle', import.meta.url);",
      'const computed = await import(someUrl);',
      "import { parseArgs } from 'node:util';",
    ].join('\n');
    expect(moduleReferences('src/clustering/x.ts', source)).toEqual([
      { kind: 'import', specifier: './a.js', line: 1 },
      { kind: 'import', specifier: '../text/b.js', line: 2 },
      { kind: 'export from', specifier: './c.js', line: 3 },
      { kind: 'export from', specifier: './d.js', line: 4 },
      { kind: 'import()', specifier: './e.js', line: 5 },
      { kind: 'import()', specifier: './f.js', line: 6 },
      { kind: 'new URL', specifier: './worker.ts', line: 7 },
      { kind: 'import.meta.resolve', specifier: './child.js', line: 8 },
      { kind: 'import', specifier: 'node:util', line: 11 },
    ]);
  });

  it('reports each broken rule with its file, line and import', () => {
    const files = new Map([
      ['src/numeric/matrix.ts', "import { tokenize } from '../text/tokenize.js';"],
      [
        'src/text/tokenize.ts',
        "import { random } from '../numeric/random.js';\nimport type { T } from '../clustering/types.js';",
      ],
      ['src/clustering/types.ts', "import { tokenize } from '../text/tokenize.js';"],
      ['src/parallel/pool.ts', "const worker = new URL('../jobs/worker.ts', import.meta.url);"],
      ['src/db/schema.ts', "export { schema } from '../graphql/schema.js';"],
      ['src/jobs/run.ts', "const server = await import('../server.js');"],
      ['src/graphql/builder.ts', "import { gate } from '../http/gate.js';\nimport { run } from '../jobs/run.js';"],
      ['src/seed/articles.ts', "import { fixture } from '../../test/helpers/fixture.js';"],
      [
        'src/explorer/pages/topic.tsx',
        "import { query } from '../api';\nimport { decodeId } from '../../graphql/ids';\nconst page = <p>{config}</p>;\nimport { config } from '../../config';",
      ],
    ]);
    expect(findViolations(dependencies(files)).map(formatViolation)).toEqual([
      "src/numeric/matrix.ts:1 imports '../text/tokenize.js': numeric/ may import only numeric/",
      "src/text/tokenize.ts:2 imports '../clustering/types.js': text/ may import only text/, numeric/",
      "src/parallel/pool.ts:1 imports '../jobs/worker.ts': parallel/ may import only parallel/, numeric/, text/, project-root.ts",
      "src/db/schema.ts:1 imports '../graphql/schema.js': db/ must not import graphql/, jobs/, http/, server.ts",
      "src/jobs/run.ts:1 imports '../server.js': jobs/ must not import graphql/, http/, server.ts",
      "src/graphql/builder.ts:1 imports '../http/gate.js': graphql/ must not import http/, server.ts",
      "src/seed/articles.ts:1 imports '../../test/helpers/fixture.js': src/ must not import test/",
      "src/explorer/pages/topic.tsx:2 imports '../../graphql/ids': explorer/ may import only explorer/",
      "src/explorer/pages/topic.tsx:4 imports '../../config': explorer/ may import only explorer/",
    ]);
  });

  it('finds a cycle between top-level entries, however many steps it takes', () => {
    const files = new Map([
      ['src/db/schema.ts', "import type { Topic } from '../clustering/types.js';"],
      ['src/clustering/types.ts', "import { slug } from '../jobs/slug.js';\nimport { corpus } from '../text/corpus.js';"],
      ['src/jobs/slug.ts', "import { schema } from '../db/schema.js';"],
      ['src/text/corpus.ts', 'export const corpus = 1;'],
    ]);
    expect(findUnitCycles(dependencies(files)).map(formatCycle)).toEqual([
      'clustering/ ⇄ db/ ⇄ jobs/ import each other: ' +
        "src/clustering/types.ts:1 '../jobs/slug.js' → jobs/; " +
        "src/db/schema.ts:1 '../clustering/types.js' → clustering/; " +
        "src/jobs/slug.ts:1 '../db/schema.js' → db/",
    ]);
    files.delete('src/jobs/slug.ts');
    expect(findUnitCycles(dependencies(files))).toEqual([]);
  });
});
