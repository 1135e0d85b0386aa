/**
 * The layering of src/ (README, "How it is built") as data, and a checker for it that
 * test/layering.test.ts runs over the real sources and over small made-up ones.
 *
 * A unit is a top-level entry of src/: a directory (`text`) or a file (`server.ts`). Every module
 * reference counts, whether or not it survives compilation: `import` and `import type`,
 * `export … from`, `import()` in code and in types, and the module paths a file hands to a worker
 * or child process as `new URL('./x.ts', import.meta.url)` or `import.meta.resolve('./x.js')`.
 * Only literal relative paths can be followed; a computed `import(url)` is not.
 */
import path from 'node:path';
import ts from 'typescript';

export type ReferenceKind = 'import' | 'export from' | 'import()' | 'new URL' | 'import.meta.resolve';

export interface ModuleReference {
  kind: ReferenceKind;
  specifier: string;
  line: number;
}

/** What a unit may import besides itself: only the `allowed` units, or anything but the `forbidden`. */
export type LayerRule = { layer: string; allowed: readonly string[] } | { layer: string; forbidden: readonly string[] };

export const LAYER_RULES: readonly LayerRule[] = [
  // The pure core, from the bottom. Allow-lists, so none of them can reach db/, graphql/, jobs/,
  // http/, seed/, config.ts or server.ts.
  { layer: 'numeric', allowed: [] },
  { layer: 'text', allowed: ['numeric'] },
  // project-root.ts (a leaf) says where the helper thread's module is: the source or its bundle.
  { layer: 'parallel', allowed: ['numeric', 'text', 'project-root.ts'] },
  { layer: 'clustering', allowed: ['numeric', 'text', 'parallel'] },
  // Feed documents (Atom, RSS 2.0, JSON Feed), written from plain data and read into article
  // fields: graphql/feeds.ts supplies the data and jobs/ fetches and stores, so both stay pure.
  { layer: 'feeds', allowed: [] },
  // The product around it: each layer stays below the ones that use it.
  { layer: 'db', forbidden: ['graphql', 'jobs', 'http', 'server.ts'] },
  { layer: 'jobs', forbidden: ['graphql', 'http', 'server.ts'] },
  { layer: 'graphql', forbidden: ['http', 'server.ts'] },
  // The explorer is a browser client of the public GraphQL API, bundled by Vite: it imports
  // nothing of the server, so it stays a real client, and no Node code ends up in the bundle.
  { layer: 'explorer', allowed: [] },
];

/** Project folders that nothing in src/ may import: the product must run without them. */
const OUT_OF_BOUNDS = ['scripts', 'test'];

/** A relative module reference and the project file it names, both as paths from the project root. */
export interface Dependency extends ModuleReference {
  file: string;
  target: string;
}

export interface Violation {
  file: string;
  line: number;
  specifier: string;
  message: string;
}

/** Units of src/ that import each other in a ring, with one import for each step between them. */
export interface Cycle {
  units: string[];
  steps: Dependency[];
}

const MODULE_PATH = /\.[cm]?[jt]sx?$/;

function stringLiteral(node: ts.Node | undefined): string | undefined {
  return node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;
}

function isImportMeta(node: ts.Node): boolean {
  return ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.ImportKeyword && node.name.text === 'meta';
}

function isImportMetaProperty(node: ts.Node, name: string): boolean {
  return ts.isPropertyAccessExpression(node) && isImportMeta(node.expression) && node.name.text === name;
}

/** The module paths a source file refers to, in source order. */
export function moduleReferences(fileName: string, sourceText: string): ModuleReference[] {
  const kind = fileName.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const source = ts.createSourceFile(fileName, sourceText, ts.ScriptTarget.Latest, false, kind);
  const references: ModuleReference[] = [];
  const add = (kind: ReferenceKind, specifier: string | undefined, node: ts.Node) => {
    if (specifier === undefined) return;
    references.push({ kind, specifier, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      add('import', stringLiteral(node.moduleSpecifier), node);
    } else if (ts.isExportDeclaration(node)) {
      add('export from', stringLiteral(node.moduleSpecifier), node);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add('import()', stringLiteral(node.argument.literal), node);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add('import()', stringLiteral(node.arguments[0]), node);
    } else if (ts.isCallExpression(node) && isImportMetaProperty(node.expression, 'resolve')) {
      add('import.meta.resolve', stringLiteral(node.arguments[0]), node);
    } else if (
      ts.isNewExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'URL' &&
      node.arguments?.length === 2 &&
      isImportMetaProperty(node.arguments[1], 'url')
    ) {
      // Only module files: `new URL('../../drizzle', import.meta.url)` names a folder of data.
      const specifier = stringLiteral(node.arguments[0]);
      if (specifier !== undefined && MODULE_PATH.test(specifier)) add('new URL', specifier, node);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return references;
}

/** The project file a relative specifier names: NodeNext code imports `x.js` for the source `x.ts`. */
function resolve(file: string, specifier: string): string {
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
  return target.replace(/\.([cm]?)js$/, '.$1ts');
}

/** The relative module references of `files` (paths from the project root → source text), resolved. */
export function dependencies(files: ReadonlyMap<string, string>): Dependency[] {
  const found: Dependency[] = [];
  for (const [file, text] of files) {
    for (const reference of moduleReferences(file, text)) {
      if (!reference.specifier.startsWith('./') && !reference.specifier.startsWith('../')) continue;
      found.push({ ...reference, file, target: resolve(file, reference.specifier) });
    }
  }
  return found;
}

/** The unit of src/ a project path belongs to (`text`, `server.ts`), or undefined outside src/. */
export function unitOf(projectPath: string): string | undefined {
  const [top, unit, ...rest] = projectPath.split('/');
  // A bundler's import may leave out the extension (`../graphql/ids`): a top-level name without
  // one is a directory of src/ all the same.
  return top === 'src' && unit !== undefined && (rest.length > 0 || unit.endsWith('.ts') || !unit.includes('.'))
    ? unit
    : undefined;
}

/** How a message names a unit: directories with a slash, files as they are. */
function shown(unit: string): string {
  return unit.endsWith('.ts') ? unit : `${unit}/`;
}

function describeRule(rule: LayerRule): string {
  return 'allowed' in rule
    ? `${shown(rule.layer)} may import only ${[rule.layer, ...rule.allowed].map(shown).join(', ')}`
    : `${shown(rule.layer)} must not import ${rule.forbidden.map(shown).join(', ')}`;
}

/** Every import that breaks a rule, or reaches from src/ into scripts/ or test/. */
export function findViolations(found: readonly Dependency[], rules: readonly LayerRule[] = LAYER_RULES): Violation[] {
  const ruleOf = new Map(rules.map((rule) => [rule.layer, rule]));
  const violations: Violation[] = [];
  for (const { file, line, specifier, target } of found) {
    const from = unitOf(file);
    if (from === undefined) continue;
    const outside = OUT_OF_BOUNDS.find((folder) => target.startsWith(`${folder}/`));
    if (outside !== undefined) {
      violations.push({ file, line, specifier, message: `src/ must not import ${outside}/` });
      continue;
    }
    const to = unitOf(target);
    const rule = ruleOf.get(from);
    if (to === undefined || to === from || rule === undefined) continue;
    const broken = 'allowed' in rule ? !rule.allowed.includes(to) : rule.forbidden.includes(to);
    if (broken) violations.push({ file, line, specifier, message: describeRule(rule) });
  }
  return violations;
}

/** Rings of units of src/ that import each other: the units that reach one another along imports. */
export function findUnitCycles(found: readonly Dependency[]): Cycle[] {
  const steps = new Map<string, Map<string, Dependency>>(); // from → to → the first import that takes that step
  for (const dependency of found) {
    const from = unitOf(dependency.file);
    const to = unitOf(dependency.target);
    if (from === undefined || to === undefined || from === to) continue;
    const out = steps.get(from) ?? new Map<string, Dependency>();
    if (!out.has(to)) out.set(to, dependency);
    steps.set(from, out);
  }
  // src/ has a dozen units, so a walk from each one is all it takes.
  const reachableFrom = (start: string): Set<string> => {
    const seen = new Set<string>();
    const pending = [start];
    for (let unit = pending.pop(); unit !== undefined; unit = pending.pop()) {
      for (const other of steps.get(unit)?.keys() ?? []) {
        if (seen.has(other)) continue;
        seen.add(other);
        pending.push(other);
      }
    }
    return seen;
  };
  const reach = new Map([...steps.keys()].map((unit) => [unit, reachableFrom(unit)]));
  const cycles: Cycle[] = [];
  const placed = new Set<string>();
  for (const unit of [...reach.keys()].sort()) {
    if (placed.has(unit) || !reach.get(unit)?.has(unit)) continue;
    const units = [...(reach.get(unit) ?? [])].filter((other) => reach.get(other)?.has(unit)).sort();
    for (const member of units) placed.add(member);
    const inside = units.flatMap((from) => units.flatMap((to) => steps.get(from)?.get(to) ?? []));
    cycles.push({ units, steps: inside });
  }
  return cycles;
}

export function formatViolation({ file, line, specifier, message }: Violation): string {
  return `${file}:${line} imports '${specifier}': ${message}`;
}

export function formatCycle({ units, steps }: Cycle): string {
  const through = steps.map(
    ({ file, line, specifier, target }) => `${file}:${line} '${specifier}' → ${shown(unitOf(target) ?? target)}`,
  );
  return `${units.map(shown).join(' ⇄ ')} import each other: ${through.join('; ')}`;
}
