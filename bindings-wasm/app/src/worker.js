// Runs threatgraph off the main thread: typing in the editor never waits for an analysis.
// Messages in:  {id, type: 'analyze', text}  {id, type: 'markdown'}  {id, type: 'json'}
// Messages out: {id, ok: true, model, report} | {id, ok: true, text} | {id, ok: false, error}
import init, { Engine, loadModel, toMarkdown, ThreatgraphError } from '../threatgraph/index.js';

let engine = null;
let lastReport = null;
const ready = init().then(() => {
  engine = new Engine();
});

function errorBody(e) {
  if (e instanceof ThreatgraphError) return { kind: e.kind, code: e.code, path: e.path, message: e.message, details: e.details };
  return { kind: 'internal', code: 'internal.error', path: '', message: String((e && e.message) || e), details: [] };
}

self.onmessage = async ({ data }) => {
  const { id, type } = data;
  try {
    await ready;
    if (type === 'analyze') {
      const model = loadModel(data.text);
      const started = performance.now();
      const report = engine.analyze(model);
      lastReport = report;
      self.postMessage({ id, ok: true, model, report, ms: performance.now() - started });
    } else if (type === 'markdown') {
      self.postMessage({ id, ok: true, text: lastReport ? toMarkdown(lastReport) : '' });
    } else if (type === 'json') {
      self.postMessage({ id, ok: true, text: lastReport ? `${JSON.stringify(lastReport, null, 2)}\n` : '' });
    }
  } catch (e) {
    self.postMessage({ id, ok: false, error: errorBody(e) });
  }
};
