// The shared vectors of tests/vectors/: every file through analyzeJson (and analyzeJsonAsync),
// through the object API (loadModel + Engine) and through analyzeAsync gives the summary in its
// `expect`, as the Rust runner tests/tests/vectors.rs does.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { tg, vectorFiles, vectorsDir, summarize } from './helpers.mjs';

const files = vectorFiles();
const vectors = files.map((path) => ({ name: relative(vectorsDir, path), ...JSON.parse(readFileSync(path, 'utf8')) }));

test('at least 30 vectors are found', () => {
  assert.ok(vectors.length >= 30, `expected at least 30 vectors in ${vectorsDir}, found ${vectors.length}`);
});

/** The request's options for the object API. */
function options(request) {
  const o = {};
  if (request.rules !== undefined) o.rules = request.rules;
  if (request.no_bundled_rules !== undefined) o.noBundledRules = request.no_bundled_rules;
  return o;
}

/** A thrown ThreatgraphError as the summary of an error answer. */
function errorSummary(e) {
  assert.ok(e instanceof tg.ThreatgraphError, `expected a ThreatgraphError, got ${e && e.stack}`);
  return summarize({ ok: false, error: { kind: e.kind, code: e.code, path: e.path } });
}

for (const v of vectors) {
  test(`analyzeJson: ${v.name}: ${v.description}`, async () => {
    const request = JSON.stringify(v.request);
    const text = tg.analyzeJson(request);
    assert.deepStrictEqual(summarize(JSON.parse(text)), v.expect);
    assert.equal(await tg.analyzeJsonAsync(request), text, 'analyzeJsonAsync answers the same text');
  });

  test(`object API: ${v.name}`, () => {
    const r = v.request;
    let got;
    try {
      // The order of analyze_json: parse the model, build the engine, validate and analyze.
      const model = r.model !== undefined ? tg.loadModel(r.model) : tg.loadModel(r.model_text, { format: r.format });
      const engine = new tg.Engine(options(r));
      got = summarize({ ok: true, report: engine.analyze(model) });
    } catch (e) {
      got = errorSummary(e);
    }
    assert.deepStrictEqual(got, v.expect);
  });

  test(`analyzeAsync: ${v.name}`, async () => {
    const r = v.request;
    const model = r.model !== undefined ? r.model : r.model_text;
    const o = options(r);
    if (r.format !== undefined) o.format = r.format;
    let got;
    try {
      got = summarize({ ok: true, report: await tg.analyzeAsync(model, o) });
    } catch (e) {
      got = errorSummary(e);
    }
    assert.deepStrictEqual(got, v.expect);
  });
}

test('the object API returns the same report as analyzeJson', () => {
  for (const v of vectors.filter((x) => x.expect.threats !== undefined)) {
    const answer = JSON.parse(tg.analyzeJson(JSON.stringify(v.request)));
    const r = v.request;
    const o = options(r);
    if (r.format !== undefined) o.format = r.format;
    assert.deepStrictEqual(tg.analyze(r.model ?? r.model_text, o), answer.report, v.name);
  }
});
