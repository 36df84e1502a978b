/**
 * memgate as production runs it: compiled to JavaScript by tsc and run on plain Node (`node
 * dist/main.js`), not through tsx, whose loader also turns source maps on for every error stack.
 * The bench compiles its own memgate entry (bench/servers/memgate.ts) with everything it imports
 * from src/ into `<checkout>/bench/.build/`, so that a baseline checkout builds the same way.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** The entry to run for the checkout at `dir`: compiled JS, or the TypeScript source with `tsx` true. */
export function memgateEntry(dir: string, options: { tsx?: boolean; compilerDir: string }): string {
  const source = join(dir, 'bench/servers/memgate.ts');
  if (options.tsx) return source;
  const outDir = join(dir, 'bench/.build');
  const tsc = join(options.compilerDir, 'node_modules/typescript/bin/tsc');
  // The project's compiler options (tsconfig.json), given on the command line because a file
  // list there makes tsc ignore tsconfig.json: only this entry and what it imports are compiled.
  execFileSync(process.execPath, [
    tsc, source,
    '--outDir', outDir, '--rootDir', dir,
    '--target', 'ES2023', '--module', 'NodeNext', '--moduleResolution', 'NodeNext',
    '--lib', 'ES2023,DOM,DOM.Iterable,ESNext.Disposable', '--types', 'node',
    '--strict', '--skipLibCheck', '--esModuleInterop', '--resolveJsonModule', '--isolatedModules',
  ], { stdio: 'inherit' });
  return join(outDir, 'bench/servers/memgate.js');
}
