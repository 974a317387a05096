// End to end: the built app (app-dist/) served on localhost and driven in real headless Chromium
// (Debian's /usr/bin/chromium through playwright-core). Loads the webshop example, checks the
// threat rows and the diagram, types a declared `tls` control into a flow so its cleartext threat
// becomes mitigated, then types a broken reference and checks the error and its path next to the
// editor. Saves a screenshot to docs/img/app.png (or $THREATGRAPH_SCREENSHOT).
//
//   HOME=$(mktemp -d) node --test e2e/app.e2e.test.mjs     (after scripts/build-wasm.sh)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { serve } from '../scripts/serve.mjs';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = join(packageDir, '..');
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const screenshot = process.env.THREATGRAPH_SCREENSHOT || join(repoDir, 'docs', 'img', 'app.png');
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const webshop = readFileSync(join(repoDir, 'examples', 'webshop.yaml'), 'utf8');
const tg = createRequire(import.meta.url)(join(packageDir, 'pkg', 'node', 'index.cjs'));
const flowIndex = tg.loadModel(webshop).flows.findIndex((f) => f.id === 'f-order-payment');

test('the app in headless Chromium: example, diagram, threats, live re-analysis, errors', async (t) => {
  assert.ok(existsSync(join(packageDir, 'app-dist', 'index.html')), 'app-dist/ is not built: run scripts/build-wasm.sh');
  assert.ok(existsSync(executablePath), `${executablePath} is missing: apt-get install chromium`);
  assert.ok(flowIndex >= 0, 'examples/webshop.yaml has no flow f-order-payment');

  const server = await serve({ dir: join(packageDir, 'app-dist'), port: 0 });
  const profile = mkdtempSync(join(tmpdir(), 'threatgraph-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: FLAGS,
    env: { ...process.env, HOME: profile },
    viewport: { width: 1600, height: 1000 },
  });
  t.after(async () => {
    await context.close();
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  });
  const page = context.pages()[0] || (await context.newPage());
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && !/^Failed to load resource/.test(m.text()) && problems.push(`console error: ${m.text()}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));

  await page.goto(server.url);
  const analyses = async () => Number((await page.locator('body').getAttribute('data-analyses')) || 0);

  // 1. Load an example: threat rows and the diagram appear.
  await page.selectOption('#example', 'webshop.yaml');
  await page.waitForSelector('body[data-state="ready"]', { timeout: 30000 });
  const rows = page.locator('#threats tbody tr');
  assert.equal(await rows.count(), 50, 'all 50 threats of the webshop on the first page');
  assert.equal(await page.locator('#threat-count').textContent(), '50 of 50');
  await page.waitForSelector('#diagram svg', { timeout: 30000 });
  const diagram = await page.locator('#diagram svg').textContent();
  for (const name of ['Order service', 'Payment service', 'Cardholder data environment']) assert.ok(diagram.includes(name), name);
  const firstSeverity = await rows.first().locator('td').first().textContent();
  assert.equal(firstSeverity, 'critical', 'sorted by severity');
  assert.ok((await page.locator('#assumptions tbody tr').count()) >= 2, 'assumptions register');

  const cleartext = page.locator('#threats tbody tr[data-rule="TM-002"][data-elements^="f-order-payment"]');
  assert.equal(await cleartext.count(), 1);
  assert.equal(await cleartext.getAttribute('data-status'), 'open');
  assert.equal(await cleartext.locator('td').first().textContent(), 'critical');

  // Filters: the PCI DSS framework and the element narrow the table.
  await page.selectOption('#f-framework', 'pci_dss');
  const pci = await rows.count();
  assert.ok(pci > 0 && pci < 50, `${pci} rows for pci_dss`);
  await page.selectOption('#f-framework', '');
  await page.selectOption('#f-element', 'f-order-payment');
  assert.equal(await rows.count(), 3);
  await page.selectOption('#f-element', '');

  // 2. Type a declared control into the flow: the threat becomes mitigated, the table changes.
  const anchor = '    authorization: role_based\n    data: [cardholder-data, order-data]';
  const at = webshop.indexOf(anchor, webshop.indexOf('- id: f-order-payment'));
  assert.ok(at > 0);
  const before = await analyses();
  await page.locator('#editor').focus();
  await page.evaluate((pos) => document.getElementById('editor').setSelectionRange(pos, pos), at + '    authorization: role_based'.length);
  await page.keyboard.type('\n    controls: [tls]', { delay: 5 });
  await page.waitForFunction((n) => Number(document.body.dataset.analyses) > n && document.body.dataset.state === 'ready', before, {
    timeout: 30000,
  });
  assert.ok((await page.inputValue('#editor')).includes('authorization: role_based\n    controls: [tls]\n'));
  assert.equal(await cleartext.getAttribute('data-status'), 'mitigated');
  assert.equal(await cleartext.locator('td.status').textContent(), 'mitigated');
  assert.equal(await cleartext.locator('td').first().textContent(), 'medium');
  await cleartext.click();
  const detail = await page.locator('#detail').textContent();
  for (const s of ['T1040', 'Network Sniffing', 'SC-8', 'pci dss', 'Controls credited', 'tls']) assert.ok(detail.includes(s), `detail pane shows ${s}`);
  await page.locator('#threats tbody tr').nth(1).click();
  await page.evaluate(() => {
    document.getElementById('results').scrollTop = 0;
    document.getElementById('diagram').scrollLeft = 0;
  });
  mkdirSync(dirname(screenshot), { recursive: true });
  await page.screenshot({ path: screenshot });

  // 3. Break a reference: the error and its path appear next to the editor.
  const text = await page.inputValue('#editor');
  const target = text.indexOf('target: payment-service', text.indexOf('- id: f-order-payment'));
  await page.locator('#editor').focus();
  await page.evaluate(
    ([a, b]) => document.getElementById('editor').setSelectionRange(a, b),
    [target + 'target: '.length, target + 'target: payment-service'.length],
  );
  await page.keyboard.type('payment-servce');
  const error = page.locator(`#errors li[data-path="flows[${flowIndex}].target"]`);
  await error.waitFor({ timeout: 30000 });
  assert.equal(await error.getAttribute('data-code'), 'model.unknown_reference');
  const message = await error.textContent();
  assert.match(message, new RegExp(`^flows\\[${flowIndex}\\]\\.target: .*\`payment-servce\``));
  assert.ok(await page.locator('#errors').isVisible());
  const box = await page.locator('#errors').boundingBox();
  const ed = await page.locator('#editor').boundingBox();
  assert.ok(box.y >= ed.y + ed.height - 1 && Math.abs(box.x - ed.x) < 2, 'the error list is right under the editor');

  // Fix it again: the error goes away.
  await page.locator('#editor').fill(text);
  await page.waitForSelector('#errors', { state: 'hidden', timeout: 30000 });

  assert.deepEqual(problems, []);
});
