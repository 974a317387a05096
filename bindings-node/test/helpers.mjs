// Shared by the tests: the repository's paths, the vector summary of tests/src/vectors.rs, and a
// seeded synthetic-model generator.

import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

export const here = dirname(fileURLToPath(import.meta.url));
export const packageDir = join(here, '..');
export const repoDir = join(packageDir, '..');
export const vectorsDir = join(repoDir, 'tests', 'vectors');
export const examplesDir = join(repoDir, 'examples');

/** The package under test (index.js and the addon next to it). */
export const tg = createRequire(import.meta.url)(packageDir);

/** Every vector file under `dir`, sorted by path (as `vector_files` in tests/src/vectors.rs). */
export function vectorFiles(dir = vectorsDir) {
  const out = [];
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop();
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) stack.push(p);
      else if (name.endsWith('.json')) out.push(p);
    }
  }
  // Rust sorts the paths component-wise; with these file names that is plain code-unit order.
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const orNull = (v) => (v === undefined ? null : v);

/** `summarize` of tests/src/vectors.rs: `{threats: [...]}` or `{error: {kind, code, path}}`. */
export function summarize(answer) {
  if (answer !== null && typeof answer === 'object' && answer.ok === true) {
    const ts = answer.report && Array.isArray(answer.report.threats) ? answer.report.threats : [];
    return {
      threats: ts.map((t) => ({
        rule: orNull(t?.rule?.id),
        element: Array.isArray(t?.elements) && t.elements.length > 0 ? orNull(t.elements[0]?.id) : null,
        severity: orNull(t?.severity),
        inherent: orNull(t?.inherent_severity),
        status: orNull(t?.status),
      })),
    };
  }
  const e = answer?.error;
  return { error: { kind: orNull(e?.kind), code: orNull(e?.code), path: orNull(e?.path) } };
}

/** A seeded synthetic architecture of `n` components: zones, data assets, flows (many crossing zones). */
export function synthetic(n, seed = 42) {
  let x = BigInt(seed) * 0x9e3779b97f4a7c15n | 1n;
  const mask = (1n << 64n) - 1n;
  const next = () => {
    x ^= x >> 12n;
    x = (x ^ (x << 25n)) & mask;
    x ^= x >> 27n;
    return Number(((x * 0x2545f4914f6cdd1dn) & mask) >> 11n) / 2 ** 53;
  };
  const below = (k) => Math.floor(next() * k);
  const pick = (items) => items[below(items.length)];
  const zoneKinds = ['dmz', 'internal', 'restricted', 'cloud_account', 'third_party', 'ci'];
  const types = ['web_app', 'api', 'service', 'database', 'queue', 'object_storage', 'cache', 'browser', 'idp'];
  const protocols = ['https', 'http', 'grpc', 'postgres', 'amqp', 'tcp'];
  const auths = ['none', 'password', 'token', 'mtls', 'oidc'];
  const zones = [{ id: 'internet', kind: 'internet' }];
  for (let i = 0; i < Math.max(2, Math.ceil(n / 50)); i++) zones.push({ id: `z${i}`, kind: pick(zoneKinds) });
  const assets = [
    { id: 'card', classification: 'restricted', tags: ['pci_chd'] },
    { id: 'pii', classification: 'confidential', tags: ['pii'] },
    { id: 'logs', classification: 'internal' },
  ];
  const components = [];
  for (let i = 0; i < n; i++) {
    const type = pick(types);
    const c = { id: `c${i}`, type, zone: type === 'browser' ? 'internet' : pick(zones.slice(1)).id };
    if (next() < 0.5) c.controls = next() < 0.5 ? ['waf', 'mfa'] : [];
    if (['database', 'object_storage', 'cache'].includes(type)) c.stores = [pick(assets).id];
    components.push(c);
  }
  const flows = [];
  for (let i = 1; i < n; i++) {
    const f = { id: `f${i}`, source: `c${below(i)}`, target: `c${i}`, protocol: pick(protocols) };
    if (next() < 0.7) f.authentication = pick(auths);
    if (next() < 0.5) f.data = [pick(assets).id];
    flows.push(f);
  }
  return { title: `synthetic ${n}`, zones, components, data_assets: assets, flows };
}
