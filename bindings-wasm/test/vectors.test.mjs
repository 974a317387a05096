// The shared vectors of tests/vectors/ through the wasm build under Node: analyzeJson answers the
// very bytes `threatgraph::api::analyze_json` answers natively (the call of the Rust runner
// tests/tests/vectors.rs, printed by `cargo run -p threatgraph-wasm --example vector-answers`),
// and analyzeJson and the object API (loadModel + Engine) give the summary in each vector's `expect`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { tg, vectorFiles, vectorsDir, summarize, repoDir } from './helpers.mjs';

const files = vectorFiles();
const vectors = files.map((path) => ({
  name: relative(vectorsDir, path).split('\\').join('/'),
  ...JSON.parse(readFileSync(path, 'utf8')),
}));

/** The native answers: from THREATGRAPH_RUST_ANSWERS (a file), else from cargo. */
function rustAnswers() {
  const file = process.env.THREATGRAPH_RUST_ANSWERS;
  const text = file
    ? readFileSync(file, 'utf8')
    : execFileSync('cargo', ['run', '-q', '--locked', '-p', 'threatgraph-wasm', '--example', 'vector-answers'], {
        cwd: repoDir,
        encoding: 'utf8',
        maxBuffer: 1 << 30,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
  return JSON.parse(text);
}

test('at least 30 vectors are found', () => {
  assert.ok(vectors.length >= 30, `expected at least 30 vectors in ${vectorsDir}, found ${vectors.length}`);
});

test('analyzeJson answers byte for byte what the Rust runner gets natively', () => {
  const native = rustAnswers();
  assert.deepEqual(Object.keys(native).sort(), vectors.map((v) => v.name).sort());
  let reports = 0;
  for (const v of vectors) {
    const wasm = tg.analyzeJson(JSON.stringify(v.request));
    assert.equal(wasm, native[v.name], `${v.name}: the wasm answer differs from the native one`);
    if (wasm.startsWith('{"ok":true')) reports++;
  }
  assert.ok(reports >= 10, `only ${reports} vectors produce a report`);
});

function options(request) {
  const o = {};
  if (request.rules !== undefined) o.rules = request.rules;
  if (request.no_bundled_rules !== undefined) o.noBundledRules = request.no_bundled_rules;
  return o;
}

for (const v of vectors) {
  test(`analyzeJson: ${v.name}: ${v.description}`, () => {
    const text = tg.analyzeJson(JSON.stringify(v.request));
    assert.deepStrictEqual(summarize(JSON.parse(text)), v.expect);
    assert.equal(tg.analyzeJson(JSON.stringify(v.request)), text, 'same input, same bytes');
  });

  test(`object API: ${v.name}`, () => {
    const r = v.request;
    let got;
    try {
      const model = r.model !== undefined ? tg.loadModel(r.model) : tg.loadModel(r.model_text, { format: r.format });
      const engine = new tg.Engine(options(r));
      got = summarize({ ok: true, report: engine.analyze(model) });
    } catch (e) {
      assert.ok(e instanceof tg.ThreatgraphError, `expected a ThreatgraphError, got ${e && e.stack}`);
      got = summarize({ ok: false, error: { kind: e.kind, code: e.code, path: e.path } });
    }
    assert.deepStrictEqual(got, v.expect);
  });
}
