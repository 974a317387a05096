// The object API of the wasm build (Node): loadModel, analyze, Engine, validate, toMarkdown,
// schemas; the same names, options and reports as the native Node package.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tg, examplesDir, repoDir } from './helpers.mjs';

const webshop = readFileSync(join(examplesDir, 'webshop.yaml'), 'utf8');

const shop = `
title: Tiny shop
zones:
  - {id: internet, kind: internet}
  - {id: app, kind: internal}
components:
  - {id: browser, type: browser, zone: internet}
  - {id: shop, type: web_app, zone: app, controls: []}
data_assets:
  - {id: card, classification: restricted, tags: [pci_chd]}
flows:
  - {id: checkout, source: browser, target: shop, protocol: http, data: [card]}
`;

test('the exports are those of the Node package, plus init', () => {
  const node = ['Engine', 'ThreatgraphError', 'loadModel', 'analyze', 'validate', 'analyzeJson', 'toMarkdown', 'schemas', 'version'];
  for (const name of node) assert.ok(name in tg, name);
  assert.equal(typeof tg.init, 'function');
  assert.match(tg.version, /^\d+\.\d+\.\d+/);
});

test('loadModel reads YAML and JSON into the same plain model object', () => {
  const fromYaml = tg.loadModel(shop);
  assert.equal(fromYaml.title, 'Tiny shop');
  assert.deepEqual(fromYaml.components.map((c) => c.id), ['browser', 'shop']);
  assert.deepEqual(tg.loadModel(JSON.stringify(fromYaml)), fromYaml);
  assert.deepEqual(tg.loadModel(shop, { format: 'yaml' }), fromYaml);
  assert.deepEqual(tg.loadModel(fromYaml), fromYaml);
});

test('analyze finds cleartext card data in the tiny shop', () => {
  const report = tg.analyze(shop);
  const tm002 = report.threats.find((t) => t.rule.id === 'TM-002');
  assert.ok(tm002);
  assert.equal(tm002.status, 'open');
  assert.equal(report.provenance.version, tg.version);
});

test('a declared control mitigates the threat it answers', () => {
  const withTls = shop.replace('protocol: http, data: [card]', 'protocol: http, data: [card], controls: [tls]');
  assert.notEqual(withTls, shop);
  const before = tg.analyze(shop).threats.find((t) => t.rule.id === 'TM-002');
  const after = tg.analyze(withTls).threats.find((t) => t.rule.id === 'TM-002');
  assert.equal(before.status, 'open');
  assert.ok(after === undefined || after.status !== 'open', `TM-002 still ${after && after.status}`);
});

test('one report whatever the input: text, loaded object, Engine, analyzeJson', () => {
  const engine = new tg.Engine();
  const fromText = tg.analyze(webshop, { format: 'yaml' });
  assert.deepEqual(tg.analyze(tg.loadModel(webshop)), fromText);
  assert.deepEqual(engine.analyze(webshop), fromText);
  const answer = JSON.parse(tg.analyzeJson(JSON.stringify({ model_text: webshop, format: 'yaml' })));
  assert.equal(answer.ok, true);
  assert.deepEqual(fromText, answer.report);
  assert.ok(fromText.threats.length > 10);
});

test('analysis is deterministic and an engine is reusable', () => {
  const engine = new tg.Engine();
  const a = JSON.stringify(engine.analyze(webshop));
  engine.analyze(shop);
  assert.equal(JSON.stringify(engine.analyze(webshop)), a);
});

const orgRules = `format_version: 1
id: custom
version: '1.0.0'
source: test
licence: Apache-2.0
rules:
  - id: ORG-001
    version: 1.0.0
    title: Legacy FTP in use
    description: "{flow} uses FTP between {source} and {target}"
    stride: [information_disclosure]
    applies_to: flow
    when: {field: flow.protocol, in: [ftp, telnet]}
    likelihood: {complexity: commodity}
    attack: [T1040]
    controls: {nist_800_53: [sc-8]}
`;

test('custom rules: added to the bundled pack, or alone', () => {
  const model = tg.loadModel(shop);
  model.flows.push({ id: 'legacy', source: 'shop', target: 'browser', protocol: 'ftp' });
  const withBundled = new tg.Engine({ rules: [{ name: 'org.yaml', text: orgRules }] }).analyze(model);
  assert.ok(withBundled.threats.some((t) => t.rule.id === 'ORG-001'));
  assert.ok(withBundled.threats.some((t) => t.rule.id === 'TM-002'));
  const alone = tg.analyze(model, { rules: [orgRules], noBundledRules: true });
  assert.deepEqual([...new Set(alone.threats.map((t) => t.rule.id))], ['ORG-001']);
});

test('validate accepts a good model and returns nothing', () => {
  assert.equal(tg.validate(webshop), undefined);
  assert.equal(new tg.Engine().validate(tg.loadModel(webshop)), undefined);
});

test('toMarkdown renders a report object (or its JSON text)', () => {
  const report = tg.analyze(webshop);
  const md = tg.toMarkdown(report);
  assert.match(md, /^# /);
  assert.ok(md.includes('Acme Outdoor webshop'));
  assert.equal(tg.toMarkdown(JSON.stringify(report)), md);
});

test('schemas() are the committed JSON Schemas', () => {
  const { model, report } = tg.schemas();
  assert.deepEqual(model, JSON.parse(readFileSync(join(repoDir, 'catalogs', 'schema', 'model.schema.json'), 'utf8')));
  assert.equal(report.title, 'Report');
});
