// `npm pack` produces a package that installs into an empty project, where require('threatgraph')
// works and the README's JavaScript and TypeScript examples run and type-check.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageDir } from './helpers.mjs';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** The fenced code blocks of README.md in `lang`. */
function readmeBlocks(lang) {
  const text = readFileSync(join(packageDir, 'README.md'), 'utf8');
  return [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
}

test('npm pack: the package installs and works in an empty project', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'threatgraph-pack-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  const [packed] = JSON.parse(run(npm, ['pack', '--json', '--pack-destination', dir], packageDir));
  const files = packed.files.map((f) => f.path).sort();
  assert.deepEqual(files, [
    'README.md',
    'index.d.ts',
    'index.js',
    'package.json',
    'threatgraph.node',
    'types/model.d.ts',
    'types/report.d.ts',
  ]);

  const app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  run(npm, ['install', '--no-audit', '--no-fund', '--offline', join(dir, packed.filename)], app);

  const out = run(
    process.execPath,
    ['-e', "const tg = require('threatgraph'); console.log(tg.version, tg.analyze('title: x').threats.length)"],
    app,
  );
  assert.match(out, /^\d+\.\d+\.\d+ 0\n$/);

  // The README's JavaScript example runs against the installed package.
  const [js] = readmeBlocks('js');
  writeFileSync(join(app, 'example.js'), js);
  const printed = run(process.execPath, ['example.js'], app);
  assert.match(printed, /TM-\d{3}/);
  assert.match(printed, /model\.unknown_reference flows\[2\]\.target/);

  // The README's TypeScript example type-checks against the installed declarations.
  const [ts] = readmeBlocks('ts');
  writeFileSync(join(app, 'example.ts'), ts);
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: 'es2022', lib: ['es2022'], module: 'node16', types: [] },
      files: ['example.ts'],
    }),
  );
  run(process.execPath, [join(packageDir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], app);
});
