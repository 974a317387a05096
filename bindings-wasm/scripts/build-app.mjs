// Builds the static app into app-dist/ (no bundler, no server-side code):
//   app/*                    -> app-dist/
//   pkg/web/                 -> app-dist/threatgraph/        (run scripts/build-pkg.mjs first)
//   mermaid's ES module dist -> app-dist/vendor/mermaid/     (no CDN: the app works offline)
//   ../examples/*.yaml       -> app-dist/examples/ + examples/index.json
//
//   node scripts/build-app.mjs

import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'app-dist');
const web = join(root, 'pkg', 'web');
if (!existsSync(join(web, 'index.js'))) {
  console.error('error: pkg/web is missing: build the package first (scripts/build-wasm.sh)');
  process.exit(1);
}

rmSync(dist, { recursive: true, force: true });
cpSync(join(root, 'app'), dist, { recursive: true });
cpSync(web, join(dist, 'threatgraph'), { recursive: true });

const mermaid = join(root, 'node_modules', 'mermaid');
const vendor = join(dist, 'vendor', 'mermaid');
const noMaps = (src) => !src.endsWith('.map');
cpSync(join(mermaid, 'dist', 'mermaid.esm.min.mjs'), join(vendor, 'mermaid.esm.min.mjs'));
cpSync(join(mermaid, 'dist', 'chunks', 'mermaid.esm.min'), join(vendor, 'chunks', 'mermaid.esm.min'), {
  recursive: true,
  filter: noMaps,
});
cpSync(join(mermaid, 'LICENSE'), join(vendor, 'LICENSE'));
const mermaidVersion = JSON.parse(readFileSync(join(mermaid, 'package.json'), 'utf8')).version;
writeFileSync(join(vendor, 'VERSION'), `mermaid ${mermaidVersion} (MIT), copied from node_modules by scripts/build-app.mjs\n`);

const examples = join(root, '..', 'examples');
mkdirSync(join(dist, 'examples'), { recursive: true });
const index = [];
for (const name of readdirSync(examples).filter((n) => /\.(ya?ml|json)$/.test(n)).sort()) {
  const text = readFileSync(join(examples, name), 'utf8');
  writeFileSync(join(dist, 'examples', name), text);
  const title = /^title:\s*(.+)$/m.exec(text);
  index.push({ file: name, title: title ? title[1].replace(/^["']|["']$/g, '') : name });
}
writeFileSync(join(dist, 'examples', 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
console.log(`built ${dist} (${index.length} examples, mermaid ${mermaidVersion})`);
