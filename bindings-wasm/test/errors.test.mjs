// Errors of the wasm build: the Node package's ThreatgraphError with kind, code, path and details
// (a JS Error), thrown by the calls; analyzeJson never throws. Codes and paths are compared; the
// message format is checked once, as in bindings-node/test/errors.test.mjs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tg } from './helpers.mjs';

const { ThreatgraphError } = tg;

const base = () => ({
  title: 'errors',
  zones: [{ id: 'internet', kind: 'internet' }, { id: 'app', kind: 'internal' }],
  components: [
    { id: 'browser', type: 'browser', zone: 'internet' },
    { id: 'shop', type: 'web_app', zone: 'app', controls: [] },
  ],
  flows: [{ id: 'checkout', source: 'browser', target: 'shop', protocol: 'https' }],
});

/** assert.throws with a ThreatgraphError of this kind, code and path. */
function throwsTg(f, kind, code, path) {
  assert.throws(f, (e) => {
    assert.ok(e instanceof ThreatgraphError && e instanceof Error, String(e));
    assert.equal(e.name, 'ThreatgraphError');
    assert.deepEqual({ kind: e.kind, code: e.code, path: e.path }, { kind, code, path });
    assert.ok(Array.isArray(e.details) && e.details.length >= 1);
    assert.deepEqual(Object.keys(e.details[0]).sort(), ['code', 'message', 'path']);
    assert.equal(e.details[0].code, code);
    return true;
  });
}

test('an unknown reference: code, path, details and a message listing it', () => {
  const m = base();
  m.flows[0].target = 'shopp';
  throwsTg(() => tg.analyze(m), 'model', 'model.unknown_reference', 'flows[0].target');
  throwsTg(() => new tg.Engine().validate(m), 'model', 'model.unknown_reference', 'flows[0].target');
  throwsTg(() => tg.validate(m), 'model', 'model.unknown_reference', 'flows[0].target');
  try {
    tg.analyze(m);
  } catch (e) {
    assert.match(e.message, /^invalid model \(1 problem\)\n  flows\[0\]\.target: .*`shopp`.*\[model\.unknown_reference\]$/);
  }
});

test('every problem is reported at once, the first one in code and path', () => {
  const m = base();
  m.components[0].zone = 'internt';
  m.flows[0].target = 'db2';
  try {
    tg.validate(m);
    assert.fail('expected a ThreatgraphError');
  } catch (e) {
    assert.ok(e instanceof ThreatgraphError);
    assert.deepEqual(
      e.details.map((d) => [d.code, d.path]),
      [
        ['model.unknown_reference', 'components[0].zone'],
        ['model.unknown_reference', 'flows[0].target'],
      ],
    );
    assert.equal(e.code, 'model.unknown_reference');
    assert.equal(e.path, 'components[0].zone');
    assert.match(e.message, /^invalid model \(2 problems\)\n {2}components\[0\]\.zone: .*did you mean `internet`.*\n {2}flows\[0\]\.target: /);
  }
});

test('a long list of problems is cut in the message but complete in details', () => {
  const m = base();
  m.flows = Array.from({ length: 30 }, (_, i) => ({ id: `f${i}`, source: 'browser', target: `nowhere${i}` }));
  try {
    tg.validate(m);
    assert.fail('expected a ThreatgraphError');
  } catch (e) {
    assert.equal(e.details.length, 30);
    assert.match(e.message, /\(30 problems\)/);
    assert.match(e.message, /\.\.\. and 10 more$/);
  }
});

test('structure errors from loadModel (JSON and YAML text)', () => {
  throwsTg(() => tg.loadModel('{"title": "x",'), 'model', 'model.syntax', '');
  throwsTg(() => tg.loadModel('title: [x', { format: 'yaml' }), 'model', 'model.syntax', '');
  throwsTg(() => tg.loadModel('title: x\ncolour: red\n'), 'model', 'model.unknown_field', 'colour');
  throwsTg(() => tg.loadModel({ ...base(), zones: [{ id: 'z', kind: 'moon' }] }), 'model', 'model.unknown_value', 'zones[0].kind');
  throwsTg(() => tg.loadModel('title: x', { format: 'toml' }), 'request', 'request.unknown_format', 'format');
});

test('a bad rule file is refused when the engine is built', () => {
  const rules = [{ name: 'bad.yaml', text: 'rules: [' }];
  throwsTg(() => new tg.Engine({ rules }), 'rule', 'rule.syntax', 'bad.yaml#');
  throwsTg(() => tg.analyze(base(), { rules }), 'rule', 'rule.syntax', 'bad.yaml#');
});

test('bad arguments are request errors, not crashes', () => {
  throwsTg(() => tg.analyze(42), 'request', 'request.invalid', 'model');
  throwsTg(() => tg.analyze(null), 'request', 'request.invalid', 'model');
  throwsTg(() => tg.analyze([base()]), 'request', 'request.invalid', 'model');
  throwsTg(() => tg.analyze(base(), { noBundled: true }), 'request', 'request.invalid', 'options.noBundled');
  throwsTg(() => tg.analyze(base(), 'yaml'), 'request', 'request.invalid', 'options');
  throwsTg(() => tg.analyze('title: x', { format: 7 }), 'request', 'request.invalid', 'format');
  throwsTg(() => tg.analyze(base(), { rules: 'x' }), 'request', 'request.invalid', 'rules');
  throwsTg(() => tg.analyze(base(), { rules: [{ name: 1 }] }), 'request', 'request.invalid', 'rules[0]');
  throwsTg(() => new tg.Engine({ noBundledRules: 'yes' }), 'request', 'request.invalid', 'noBundledRules');
  const cyclic = base();
  cyclic.self = cyclic;
  throwsTg(() => tg.analyze(cyclic), 'request', 'request.invalid', 'model');
  throwsTg(() => tg.toMarkdown(3), 'request', 'request.invalid', 'report');
  throwsTg(() => tg.toMarkdown({ threats: [] }), 'request', 'request.invalid', 'report');
});

test('hostile input: deep nesting and huge garbage are errors', () => {
  throwsTg(() => tg.loadModel('['.repeat(100000), { format: 'json' }), 'model', 'model.syntax', '');
  throwsTg(() => tg.loadModel('['.repeat(100000), { format: 'yaml' }), 'model', 'model.syntax', '');
  throwsTg(() => tg.loadModel('- '.repeat(100000)), 'model', 'model.syntax', '');
  throwsTg(() => tg.loadModel('\u0000'.repeat(1 << 20)), 'model', 'model.syntax', '');
});

test('analyzeJson never throws: every failure is a tagged answer', () => {
  const cases = [
    [undefined, 'request', 'request.invalid'],
    [42, 'request', 'request.invalid'],
    [{ model: base() }, 'request', 'request.invalid'],
    ['', 'request', 'request.invalid'],
    ['not json', 'request', 'request.invalid'],
    ['{"model": {}, "model_text": "title: x"}', 'request', 'request.invalid'],
    ['{"model_text": "title: x", "colour": 1}', 'request', 'request.invalid'],
    ['{"model_text": "title: [x"}', 'model', 'model.syntax'],
  ];
  for (const [request, kind, code] of cases) {
    const text = tg.analyzeJson(request);
    assert.equal(typeof text, 'string');
    const answer = JSON.parse(text);
    assert.equal(answer.ok, false, String(request));
    assert.deepEqual([answer.error.kind, answer.error.code], [kind, code], String(request));
    assert.deepEqual(Object.keys(answer.error).sort(), ['code', 'details', 'kind', 'message', 'path']);
  }
});

test('the web build before init(): a request error, and analyzeJson still answers', async () => {
  const web = await import(new URL('../pkg/web/index.js', import.meta.url));
  assert.throws(
    () => web.analyze('title: x'),
    (e) => e instanceof web.ThreatgraphError && e.kind === 'request' && e.code === 'request.not_initialized' && e.path === '',
  );
  assert.equal(JSON.parse(web.analyzeJson('{}')).error.code, 'request.not_initialized');
});
