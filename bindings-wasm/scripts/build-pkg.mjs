// Assembles the npm package pkg/ from the wasm-bindgen outputs (already through wasm-opt):
//
//   node scripts/build-pkg.mjs <bindgen-web-dir> <bindgen-node-dir>
//
// pkg/web/   ES module for browsers: index.js (js/api.js + js/web-entry.js), the glue and the .wasm
// pkg/node/  CommonJS for Node.js: index.cjs (js/api.js + js/node-entry.cjs), the glue and the .wasm
// pkg/index.d.ts and pkg/types/ (the types generated for bindings-node, shared, not rewritten)

import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [webDir, nodeDir] = process.argv.slice(2);
if (!webDir || !nodeDir) {
  console.error('usage: node scripts/build-pkg.mjs <bindgen-web-dir> <bindgen-node-dir>');
  process.exit(2);
}
const pkg = join(root, 'pkg');
const read = (...p) => readFileSync(join(...p), 'utf8');
const api = read(root, 'js', 'api.js');
const withApi = (entry) => {
  const text = read(root, 'js', entry);
  if (!text.includes('/* API */')) throw new Error(`js/${entry} has no /* API */ marker`);
  return text.replace('/* API */', api.trim());
};

rmSync(pkg, { recursive: true, force: true });
for (const [dir, from, entry, out] of [
  ['web', webDir, 'web-entry.js', 'index.js'],
  ['node', nodeDir, 'node-entry.cjs', 'index.cjs'],
]) {
  mkdirSync(join(pkg, dir), { recursive: true });
  for (const f of ['threatgraph_wasm.js', 'threatgraph_wasm_bg.wasm']) copyFileSync(join(from, f), join(pkg, dir, f));
  writeFileSync(join(pkg, dir, out), withApi(entry));
}
// wasm-bindgen's nodejs glue is CommonJS in a .js file; the package is otherwise ES modules.
writeFileSync(join(pkg, 'node', 'package.json'), '{\n  "type": "commonjs"\n}\n');
mkdirSync(join(pkg, 'types'), { recursive: true });
for (const f of ['model.d.ts', 'report.d.ts']) copyFileSync(join(root, '..', 'bindings-node', 'types', f), join(pkg, 'types', f));
copyFileSync(join(root, 'js', 'index.d.ts'), join(pkg, 'index.d.ts'));
copyFileSync(join(root, 'README.md'), join(pkg, 'README.md'));

const version = JSON.parse(read(root, 'package.json')).version;
const manifest = {
  name: 'threatgraph-wasm',
  version,
  description:
    'Embeddable threat-modeling engine as WebAssembly: architecture model -> STRIDE threats -> ATT&CK and controls -> severity -> report, in the browser or Node.js',
  license: 'Apache-2.0',
  type: 'module',
  types: './index.d.ts',
  main: './node/index.cjs',
  browser: './web/index.js',
  exports: {
    '.': {
      types: './index.d.ts',
      node: './node/index.cjs',
      default: './web/index.js',
    },
    './web': { types: './index.d.ts', default: './web/index.js' },
    './node': { types: './index.d.ts', default: './node/index.cjs' },
    './threatgraph_wasm_bg.wasm': './web/threatgraph_wasm_bg.wasm',
  },
  files: ['web/', 'node/', 'types/', 'index.d.ts', 'README.md'],
  sideEffects: false,
  engines: { node: '>=18' },
};
writeFileSync(join(pkg, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`assembled ${pkg}`);
