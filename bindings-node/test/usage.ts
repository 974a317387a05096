// Type-checked with `tsc --noEmit -p test` (never run): the declarations in index.d.ts and the
// generated types/ fit how a TypeScript back-end uses the package.

import { readFileSync } from 'fs';
import {
  analyze,
  analyzeAsync,
  analyzeJson,
  Answer,
  Authentication,
  Engine,
  loadModel,
  Model,
  Report,
  Severity,
  Threat,
  ThreatgraphError,
  toMarkdown,
  validate,
  version,
} from '..';

const model: Model = loadModel(readFileSync('shop.yaml', 'utf8'), { format: 'yaml' });
model.components?.push({ id: 'db', type: 'database', zone: 'app', stores: ['card'] });
model.flows?.push({ source: 'shop', target: 'db', protocol: 'postgres', data: ['card'], encrypted: true });

const engine = new Engine({ rules: [{ name: 'org.yaml', text: '...' }, 'rules: []'], noBundledRules: false });
const report: Report = engine.analyze(model);
const worst: Severity[] = report.threats.map((t: Threat) => t.severity);
const rules = new Map(report.rules.map((r) => [r.id, r]));
const ids: string[] = report.threats.flatMap((t) => rules.get(t.rule.id)?.attack.map((a) => a.id) ?? []);
const critical: number = report.summary.by_severity.critical ?? 0;
const markdown: string = toMarkdown(report);
validate('title: x', { format: 'yaml', noBundledRules: true });
engine.validate(model);

async function checkAll(models: Model[]): Promise<number> {
  const reports: Report[] = await Promise.all(models.map((m) => engine.analyzeAsync(m)));
  const one: Report = await analyzeAsync('{"title": "x"}', { rules: [] });
  return reports.length + one.threats.length;
}

try {
  analyze({ title: 'x', flows: [{ source: 'a', target: 'b' }] });
} catch (e) {
  if (e instanceof ThreatgraphError) {
    const where: string = `${e.kind} ${e.code} at ${e.path}`;
    const all: string[] = e.details.map((d) => `${d.path}: ${d.message} [${d.code}]`);
    void where, all;
  }
}

const answer = JSON.parse(analyzeJson(JSON.stringify({ model_text: 'title: x' }))) as Answer;
const count: number = answer.ok ? answer.report.threats.length : answer.error.details.length;

// The report's vocabularies are unions of their names; the flow authentication type is the model's.
const open: number = report.threats.filter((t) => t.status === 'open').length;
const logins: Authentication[] = report.model.crossings.map((c) => c.authentication);
model.flows?.push({ source: 'shop', target: 'db', authentication: logins[0] ?? 'mtls' });
// @ts-expect-error: a status outside the schema's enum is refused at compile time
const badStatus: Threat['status'] = 'accepted';

// @ts-expect-error: a zone kind outside the schema's enum is refused at compile time
const badZone: Model = { title: 'x', zones: [{ id: 'z', kind: 'moon' }] };
// @ts-expect-error: unknown options are refused
analyze(model, { noBundled: true });

void [worst, ids, critical, markdown, checkAll, count, badZone, version.length, open, badStatus];
