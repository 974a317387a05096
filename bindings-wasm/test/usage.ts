// Type-checked with `tsc -p test` (never run): pkg/index.d.ts and the shared types fit how a
// browser front-end uses the package.

import init, { analyze, analyzeJson, Answer, Authentication, Engine, loadModel, Model, Report, Severity, Threat, ThreatgraphError, toMarkdown, validate, version } from '../pkg/index.js';

async function main(text: string): Promise<number> {
  await init();
  await init(new URL('https://example.invalid/threatgraph_wasm_bg.wasm'));
  const model: Model = loadModel(text, { format: 'yaml' });
  model.flows?.push({ source: 'shop', target: 'db', protocol: 'postgres', encrypted: true });
  const engine = new Engine({ rules: [{ name: 'org.yaml', text: '...' }, 'rules: []'], noBundledRules: false });
  const report: Report = engine.analyze(model);
  engine.free();
  const worst: Severity[] = report.threats.map((t: Threat) => t.severity);
  // The report's vocabularies are unions of their names; the flow authentication type is the model's.
  const open: number = report.threats.filter((t) => t.status === 'open').length;
  const logins: Authentication[] = report.model.crossings.map((c) => c.authentication);
  // @ts-expect-error: a status outside the schema's enum is refused at compile time
  const badStatus: Threat['status'] = 'accepted';
  void [open, logins, badStatus];
  const markdown: string = toMarkdown(report);
  validate('title: x', { format: 'yaml' });
  try {
    analyze({ title: 'x', flows: [{ source: 'a', target: 'b' }] });
  } catch (e) {
    if (e instanceof ThreatgraphError) {
      const where: string = `${e.kind} ${e.code} at ${e.path} (${e.details.length})`;
      void where;
    }
  }
  const answer = JSON.parse(analyzeJson(JSON.stringify({ model_text: text }))) as Answer;
  // @ts-expect-error: unknown options are refused
  analyze(model, { noBundled: true });
  return worst.length + markdown.length + version.length + (answer.ok ? answer.report.threats.length : 0);
}

void main;
