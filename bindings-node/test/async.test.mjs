// analyzeAsync: the work runs on the libuv thread pool, so the event loop keeps turning.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tg, examplesDir, synthetic } from './helpers.mjs';

const webshop = readFileSync(join(examplesDir, 'webshop.yaml'), 'utf8');

test('analyzeAsync resolves with the report analyze returns', async () => {
  const engine = new tg.Engine();
  const expected = engine.analyze(webshop);
  const pending = engine.analyzeAsync(webshop);
  assert.ok(pending instanceof Promise);
  assert.deepEqual(await pending, expected);
  assert.deepEqual(await tg.analyzeAsync(webshop, { format: 'yaml' }), expected);
});

test('analyzeJsonAsync answers as analyzeJson and never rejects', async () => {
  const request = JSON.stringify({ model_text: webshop, format: 'yaml' });
  assert.equal(await tg.analyzeJsonAsync(request), tg.analyzeJson(request));
  for (const bad of [42, undefined, 'not json', '{"model_text": "title: [x"}']) {
    const answer = JSON.parse(await tg.analyzeJsonAsync(bad));
    assert.equal(answer.ok, false);
    assert.ok(['request.invalid', 'model.syntax'].includes(answer.error.code), answer.error.code);
  }
});

test('concurrent analyses share one engine', async () => {
  const engine = new tg.Engine();
  const names = ['webshop', 'patient-portal', 'saas-platform'];
  const texts = names.map((n) => readFileSync(join(examplesDir, `${n}.yaml`), 'utf8'));
  const all = await Promise.all([...texts, ...texts].map((t) => engine.analyzeAsync(t)));
  all.forEach((r, i) => assert.deepEqual(r, engine.analyze(texts[i % texts.length])));
});

test('a 10k-component model does not block the event loop', async (t) => {
  const model = synthetic(10000);
  assert.equal(model.components.length, 10000);
  const engine = new tg.Engine();
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const started = performance.now();
  let report;
  try {
    report = await engine.analyzeAsync(model);
  } finally {
    clearInterval(timer);
  }
  const ms = performance.now() - started;
  t.diagnostic(`${report.threats.length} threats in ${ms.toFixed(0)} ms; ${ticks} timer ticks meanwhile`);
  assert.ok(report.threats.length > 1000, `${report.threats.length} threats`);
  // A blocked loop sees no tick at all; a free one sees one per 5 ms of native work (about 40 for
  // this model on the 2-core CI machine). Five leaves room for much faster machines.
  assert.ok(ticks >= 5, `only ${ticks} timer ticks during a ${ms.toFixed(0)} ms analysis: the event loop was blocked`);
});
