// Shared by the tests: the repository's paths, the built package (pkg/, from scripts/build-wasm.sh)
// and the vector summary of tests/src/vectors.rs.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

export const here = dirname(fileURLToPath(import.meta.url));
export const packageDir = join(here, '..');
export const pkgDir = join(packageDir, 'pkg');
export const repoDir = join(packageDir, '..');
export const vectorsDir = join(repoDir, 'tests', 'vectors');
export const examplesDir = join(repoDir, 'examples');

if (!existsSync(join(pkgDir, 'node', 'index.cjs'))) {
  throw new Error(`${pkgDir} is not built: run scripts/build-wasm.sh first`);
}

/** The Node build of the package under test. */
export const tg = createRequire(import.meta.url)(join(pkgDir, 'node', 'index.cjs'));

/** Every vector file under `dir`, sorted by path (as `vector_files` in tests/src/vectors.rs). */
export function vectorFiles(dir = vectorsDir) {
  const out = [];
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop();
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) stack.push(p);
      else if (name.endsWith('.json')) out.push(p);
    }
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const orNull = (v) => (v === undefined ? null : v);

/** `summarize` of tests/src/vectors.rs: `{threats: [...]}` or `{error: {kind, code, path}}`. */
export function summarize(answer) {
  if (answer !== null && typeof answer === 'object' && answer.ok === true) {
    const ts = answer.report && Array.isArray(answer.report.threats) ? answer.report.threats : [];
    return {
      threats: ts.map((t) => ({
        rule: orNull(t?.rule?.id),
        element: Array.isArray(t?.elements) && t.elements.length > 0 ? orNull(t.elements[0]?.id) : null,
        severity: orNull(t?.severity),
        inherent: orNull(t?.inherent_severity),
        status: orNull(t?.status),
      })),
    };
  }
  const e = answer?.error;
  return { error: { kind: orNull(e?.kind), code: orNull(e?.code), path: orNull(e?.path) } };
}
