// The web build (pkg/web, an ES module) loaded in Node from the .wasm's bytes: init() once, then
// the same answers as the Node build.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tg, pkgDir, examplesDir } from './helpers.mjs';

const webshop = readFileSync(join(examplesDir, 'webshop.yaml'), 'utf8');

test('web build: init(bytes), then the reports and errors of the Node build', async () => {
  const web = await import(new URL('../pkg/web/index.js', import.meta.url));
  assert.equal(web.version, '');
  const bytes = readFileSync(join(pkgDir, 'web', 'threatgraph_wasm_bg.wasm'));
  await Promise.all([web.init(bytes), web.default(bytes)]);
  assert.equal(web.version, tg.version);
  const request = JSON.stringify({ model_text: webshop, format: 'yaml' });
  assert.equal(web.analyzeJson(request), tg.analyzeJson(request));
  assert.deepEqual(new web.Engine().analyze(webshop), tg.analyze(webshop));
  assert.throws(
    () => web.analyze({ title: 'x', flows: [{ id: 'f', source: 'a', target: 'b' }] }),
    (e) => e instanceof web.ThreatgraphError && e instanceof Error && e.code === 'model.unknown_reference' && e.path === 'flows[0].source',
  );
});

test('the web and Node builds carry the same optimized module', () => {
  const a = readFileSync(join(pkgDir, 'web', 'threatgraph_wasm_bg.wasm'));
  const b = readFileSync(join(pkgDir, 'node', 'threatgraph_wasm_bg.wasm'));
  assert.ok(a.equals(b));
  assert.ok(a.length < 6 * 1024 * 1024, `${a.length} bytes`);
});
