/**
 * The layout rules of the README's Architecture section, checked over every file of `src/`: no file
 * over 300 lines, no function over 80; `src/schema/` imports nothing from `loaders/`, `cache/`,
 * `live/` or `upstream/` but types; one module opens Redis connections; no `issue N` pointers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const MAX_FILE_LINES = 300;
const MAX_FUNCTION_LINES = 80;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const files = sourceFiles(join(root, 'src')).map((path) => {
  const text = readFileSync(path, 'utf8');
  return { name: relative(root, path), text, ast: ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true) };
});

type Parsed = (typeof files)[number];

const lineOf = (file: Parsed, position: number) => file.ast.getLineAndCharacterOfPosition(position).line + 1;

/** Every function-like node (declarations, methods, arrows, accessors) longer than the limit, as `file: name`. */
function longFunctions(file: Parsed): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const lines = lineOf(file, node.end) - lineOf(file, node.getStart(file.ast)) + 1;
      const name = (node as { name?: ts.Node }).name?.getText(file.ast) ?? '(anonymous)';
      if (lines > MAX_FUNCTION_LINES) found.push(`${file.name}: ${name}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file.ast);
  return found;
}

/** Module specifiers imported for their values (not `import type`, not type-only named imports). */
function valueImports(file: Parsed): string[] {
  const specifiers: string[] = [];
  for (const statement of file.ast.statements) {
    if (!ts.isImportDeclaration(statement) && !ts.isExportDeclaration(statement)) continue;
    const module = statement.moduleSpecifier;
    if (!module || !ts.isStringLiteral(module)) continue;
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.isTypeOnly) continue;
      const named = clause?.namedBindings;
      const onlyTypes = !clause?.name && named && ts.isNamedImports(named) && named.elements.every((e) => e.isTypeOnly);
      if (onlyTypes) continue;
    } else if (statement.isTypeOnly) continue;
    specifiers.push(module.text);
  }
  return specifiers;
}

describe('the layout of src/', () => {
  test(`no file is over ${MAX_FILE_LINES} lines and no function over ${MAX_FUNCTION_LINES}`, () => {
    const lines = (f: Parsed) => f.text.split('\n').length - (f.text.endsWith('\n') ? 1 : 0);
    const over = [...files.filter((f) => lines(f) > MAX_FILE_LINES).map((f) => `${f.name}: file`), ...files.flatMap(longFunctions)];
    expect(over, 'over a limit (split it by job)').toEqual([]);
  });

  test('src/schema/ imports nothing from loaders/, cache/, live/ or upstream/ but types', () => {
    const forbidden = /(^|\/)(loaders|cache|live|upstream)\//;
    const found = files
      .filter((f) => f.name.startsWith('src/schema/'))
      .flatMap((f) => valueImports(f).filter((m) => forbidden.test(m)).map((m) => `${f.name} imports ${m}`));
    expect(found).toEqual([]);
  });

  test('one module opens Redis connections: src/redis.ts', () => {
    const found = files.filter((f) => valueImports(f).includes('ioredis')).map((f) => f.name);
    expect(found).toEqual(['src/redis.ts']);
  });

  test('src/ never imports emulators/', () => {
    expect(files.flatMap((f) => valueImports(f).filter((m) => m.includes('emulators/')).map((m) => `${f.name} imports ${m}`))).toEqual([]);
  });

  test('no comment points at an issue number instead of saying why', () => {
    const found = files.flatMap((f) =>
      f.text.split('\n').flatMap((line, i) => (/\bissues? \d+/i.test(line) ? [`${f.name}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(found).toEqual([]);
  });
});
