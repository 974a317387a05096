// The app: an editor, re-analysis in a Web Worker as the text changes (debounced), the diagram,
// the threat table with filters, paging and a detail pane, the assumptions register and the
// downloads. Report fields are read only through report-view.js.

import {
  SEVERITIES,
  STATUSES,
  threatRows,
  threatDetail,
  frameworksOf,
  categoriesOf,
  elementsOf,
  filterRows,
  assumptionsOf,
  summaryOf,
  worstOpenSeverityByElement,
} from './report-view.js';
import { modelToMermaid } from './diagram.js';

const DEBOUNCE_MS = 300;
const PAGE_SIZE = 50;

const $ = (id) => document.getElementById(id);
const editor = $('editor');

const state = {
  report: null,
  rows: [],
  shown: [],
  page: 0,
  selected: null, // threat id
  diagramText: '',
};

// ---- the worker ---------------------------------------------------------------------------------

let worker = null;
let nextId = 1;
const pending = new Map();

function startWorker() {
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = ({ data }) => {
    const resolve = pending.get(data.id);
    pending.delete(data.id);
    if (resolve) resolve(data);
  };
  worker.onerror = (e) => {
    for (const resolve of pending.values()) {
      resolve({ ok: false, error: { kind: 'internal', code: 'internal.worker', path: '', message: e.message || 'the analysis worker failed', details: [] } });
    }
    pending.clear();
  };
}

function ask(message) {
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    worker.postMessage({ ...message, id });
  });
}

// ---- analysis -----------------------------------------------------------------------------------

let timer = null;
let latest = 0;

function scheduleAnalysis() {
  clearTimeout(timer);
  $('status').textContent = 'editing…';
  timer = setTimeout(analyzeNow, DEBOUNCE_MS);
}

async function analyzeNow() {
  const text = editor.value;
  const mine = ++latest;
  if (!text.trim()) {
    showErrors(null);
    $('status').textContent = '';
    return;
  }
  $('status').textContent = 'analyzing…';
  const answer = await ask({ type: 'analyze', text });
  if (mine !== latest) return; // a newer edit is on its way
  if (!answer.ok) {
    if (answer.error.code === 'internal.panic') {
      worker.terminate();
      startWorker();
    }
    showErrors(answer.error);
    $('status').textContent = 'error';
    document.body.dataset.state = 'error';
    return;
  }
  showErrors(null);
  state.report = answer.report;
  state.rows = threatRows(answer.report);
  $('status').textContent = `${state.rows.length} threats · ${Math.round(answer.ms)} ms`;
  $('download-md').disabled = false;
  $('download-json').disabled = false;
  renderSummary();
  refreshFilters();
  applyFilters(false);
  renderAssumptions();
  await renderDiagram(answer.model);
  document.body.dataset.state = 'ready';
  document.body.dataset.analyses = String(Number(document.body.dataset.analyses || 0) + 1);
}

// ---- errors next to the editor ------------------------------------------------------------------

function showErrors(error) {
  const box = $('errors');
  editor.classList.toggle('invalid', !!error);
  $('diagram').classList.toggle('stale', !!error);
  if (!error) {
    box.hidden = true;
    return;
  }
  const details = error.details && error.details.length ? error.details : [{ code: error.code, path: error.path, message: error.message }];
  $('error-title').textContent = `${details.length} problem${details.length === 1 ? '' : 's'} in the model (the results show the last valid model)`;
  const list = $('error-list');
  list.replaceChildren(
    ...details.slice(0, 100).map((d) => {
      const li = document.createElement('li');
      li.className = 'error';
      li.dataset.code = d.code;
      li.dataset.path = d.path;
      if (d.path) {
        const code = document.createElement('code');
        code.className = 'path';
        code.textContent = d.path;
        li.append(code, ': ');
      }
      li.append(`${d.message} `);
      const c = document.createElement('span');
      c.className = 'muted';
      c.textContent = `[${d.code}]`;
      li.append(c);
      return li;
    }),
  );
  box.hidden = false;
}

// ---- summary, filters, table, detail ------------------------------------------------------------

function badge(severity) {
  const b = document.createElement('span');
  b.className = `badge sev-${severity}`;
  b.textContent = severity;
  return b;
}

function renderSummary() {
  const s = summaryOf(state.report);
  const box = $('summary');
  const title = document.createElement('span');
  title.className = 'title';
  title.textContent = s.title;
  const parts = [title];
  for (const sev of SEVERITIES) {
    const n = s.bySeverity[sev] || 0;
    if (!n) continue;
    const b = badge(sev);
    b.textContent = `${n} ${sev}`;
    parts.push(b);
  }
  const st = document.createElement('span');
  st.className = 'muted';
  st.textContent = STATUSES.filter((k) => s.byStatus[k]).map((k) => `${s.byStatus[k]} ${k.replace('_', ' ')}`).join(' · ');
  parts.push(st);
  box.replaceChildren(...parts);
}

function fillSelect(select, values, labelOf = (v) => v) {
  const keep = select.value;
  const first = select.options[0];
  select.replaceChildren(
    first,
    ...values.map((v) => {
      const o = document.createElement('option');
      o.value = typeof v === 'string' ? v : v.id;
      o.textContent = labelOf(v);
      return o;
    }),
  );
  select.value = [...select.options].some((o) => o.value === keep) ? keep : '';
}

function refreshFilters() {
  fillSelect($('f-category'), categoriesOf(state.rows), (v) => v.replace(/_/g, ' '));
  fillSelect($('f-severity'), SEVERITIES);
  fillSelect($('f-status'), STATUSES, (v) => v.replace('_', ' '));
  fillSelect($('f-element'), elementsOf(state.rows), (e) => `${e.name} (${e.kind})`);
  fillSelect($('f-framework'), frameworksOf(state.report), (v) => v.replace(/_/g, ' '));
}

function applyFilters(resetPage = true) {
  state.shown = filterRows(state.rows, {
    category: $('f-category').value,
    severity: $('f-severity').value,
    status: $('f-status').value,
    element: $('f-element').value,
    framework: $('f-framework').value,
    text: $('f-text').value,
  });
  const pages = Math.max(1, Math.ceil(state.shown.length / PAGE_SIZE));
  state.page = resetPage ? 0 : Math.min(state.page, pages - 1);
  renderTable();
  const still = state.selected && state.rows.find((r) => r.id === state.selected);
  renderDetail(still || null);
}

function renderTable() {
  const start = state.page * PAGE_SIZE;
  const rows = state.shown.slice(start, start + PAGE_SIZE);
  const tbody = $('threats').tBodies[0];
  tbody.replaceChildren(
    ...rows.map((r) => {
      const tr = document.createElement('tr');
      tr.dataset.threat = r.id;
      tr.dataset.rule = r.rule;
      tr.dataset.status = r.status;
      tr.dataset.elements = r.elements.map((e) => e.id).join(' ');
      if (r.id === state.selected) tr.className = 'selected';
      const cells = [badge(r.severity), r.rule, r.title, r.elements[0] ? r.elements[0].name : '', r.status.replace('_', ' ')];
      cells.forEach((c, i) => {
        const td = document.createElement('td');
        td.append(c);
        if (i === 4) td.className = `status st-${r.status}`;
        tr.append(td);
      });
      return tr;
    }),
  );
  const pages = Math.max(1, Math.ceil(state.shown.length / PAGE_SIZE));
  $('threat-count').textContent = `${state.shown.length} of ${state.rows.length}`;
  $('page').textContent = `page ${state.page + 1} of ${pages}`;
  $('prev').disabled = state.page === 0;
  $('next').disabled = state.page >= pages - 1;
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function list(items, render) {
  const ul = el('ul');
  for (const item of items) {
    const li = el('li');
    li.append(...[].concat(render(item)));
    ul.append(li);
  }
  return ul;
}

function renderDetail(row) {
  const box = $('detail');
  if (!row) {
    state.selected = null;
    box.replaceChildren(el('p', 'Select a threat to see its ATT&CK techniques, controls and requirements.', 'muted'));
    return;
  }
  state.selected = row.id;
  const d = threatDetail(state.report, row);
  const parts = [el('h3', `${d.rule} · ${d.title}`)];
  const line = el('p');
  line.append(badge(d.severity), ` residual, ${d.inherent} inherent · `, el('span', d.status.replace('_', ' '), `st-${d.status}`));
  if (d.likelihood && d.impact) line.append(` · likelihood ${d.likelihood.residual}/5, impact ${d.impact.residual}/5 (${d.impact.property})`);
  parts.push(line, el('p', d.description), el('p', `${d.categories.join(', ').replace(/_/g, ' ')} · ${d.id}`, 'muted'));
  parts.push(el('h4', 'Elements'), list(d.elements, (e) => `${e.name} (${e.kind}, ${e.id})`));
  if (d.controlsCredited.length) {
    parts.push(
      el('h4', 'Controls credited'),
      list(d.controlsCredited, (c) => [el('code', c.control), el('span', ` ${[c.on && `on ${c.on}`, c.status, c.effect].filter(Boolean).join(', ')}`, 'muted')]),
    );
  }
  if (d.controlsMissing.length) parts.push(el('h4', 'Controls missing'), el('p', d.controlsMissing.join(', ')));
  if (d.attack.length) {
    parts.push(
      el('h4', 'ATT&CK techniques'),
      list(d.attack, (a) => {
        const link = el('a', a.id);
        if (/^https:\/\//.test(a.url)) {
          link.href = a.url;
          link.target = '_blank';
          link.rel = 'noopener noreferrer';
        }
        return [link, ` ${a.name}`, el('span', a.tactics.length ? ` (${a.tactics.join(', ')})` : '', 'muted')];
      }),
    );
  }
  for (const c of d.controls) {
    if (!c.items.length) continue;
    parts.push(el('h4', `Controls · ${c.catalog.replace(/_/g, ' ')}`), list(c.items, (i) => [el('code', i.id), ` ${i.title}`, el('span', i.status ? ` (${i.status})` : '', 'muted')]));
  }
  if (d.requirements.length) {
    parts.push(el('h4', 'Requirements'), list(d.requirements, (r) => [el('b', r.framework.replace(/_/g, ' ')), `: ${r.ids.join(', ')}`]));
  }
  if (d.weaknesses.length) parts.push(el('h4', 'CWE / CAPEC'), list(d.weaknesses, (w) => [el('code', w.id), ` ${w.title}`]));
  if (d.assumptions.length) parts.push(el('h4', 'Assumptions'), el('p', d.assumptions.join(', ')));
  box.replaceChildren(...parts);
  for (const tr of $('threats').tBodies[0].rows) tr.classList.toggle('selected', tr.dataset.threat === row.id);
}

function renderAssumptions() {
  const rows = assumptionsOf(state.report);
  $('assumption-count').textContent = `${rows.length}`;
  $('assumptions').tBodies[0].replaceChildren(
    ...rows.map((a) => {
      const tr = el('tr');
      tr.append(el('td', a.id), el('td', a.statement), el('td', a.owner), el('td', a.reviewBy), el('td', a.elements.join(', ')), el('td', String(a.threats)));
      return tr;
    }),
  );
}

// ---- diagram ------------------------------------------------------------------------------------

let mermaid = null;
let diagramCount = 0;

async function renderDiagram(model) {
  const worst = worstOpenSeverityByElement(state.report);
  const d = modelToMermaid(model, (id) => worst.get(id) || null);
  const box = $('diagram');
  if (d.skipped) {
    state.diagramText = '';
    box.replaceChildren(el('p', d.skipped, 'muted'));
    return;
  }
  if (d.text === state.diagramText) return;
  state.diagramText = d.text;
  try {
    if (!mermaid) {
      mermaid = (await import('../vendor/mermaid/mermaid.esm.min.mjs')).default;
      mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral', flowchart: { htmlLabels: false } });
    }
    const { svg } = await mermaid.render(`tg-diagram-${++diagramCount}`, d.text);
    if (state.diagramText !== d.text) return; // a newer model was drawn meanwhile
    box.innerHTML = svg; // mermaid's sanitized output (securityLevel 'strict')
    const drawn = box.querySelector('svg');
    const width = drawn && drawn.viewBox && drawn.viewBox.baseVal ? drawn.viewBox.baseVal.width : 0;
    if (width) {
      drawn.dataset.naturalWidth = String(Math.round(width));
      fitDiagram(drawn);
    }
  } catch (e) {
    box.replaceChildren(el('p', `The diagram could not be drawn: ${e.message || e}`, 'muted'));
  }
}

/** Fits the diagram to the box, or (toggled by a click) shows it at its natural size, scrolled. */
let diagramZoomed = false;
function fitDiagram(svg) {
  svg.style.maxWidth = diagramZoomed ? 'none' : '100%';
  svg.setAttribute('width', diagramZoomed ? svg.dataset.naturalWidth : '100%');
  svg.style.cursor = diagramZoomed ? 'zoom-out' : 'zoom-in';
}
$('diagram').addEventListener('click', () => {
  const svg = $('diagram').querySelector('svg');
  if (!svg || !svg.dataset.naturalWidth) return;
  diagramZoomed = !diagramZoomed;
  fitDiagram(svg);
});

// ---- inputs and downloads -----------------------------------------------------------------------

function setText(text) {
  editor.value = text;
  clearTimeout(timer);
  analyzeNow();
}

async function loadExamples() {
  try {
    const res = await fetch('examples/index.json');
    const examples = await res.json();
    const select = $('example');
    for (const ex of examples) {
      const o = el('option', ex.title);
      o.value = ex.file;
      select.append(o);
    }
  } catch {
    // no examples next to the app: open or paste a model instead
  }
}

function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function reportName(ext) {
  const title = (state.report && state.report.model && (state.report.model.id || state.report.model.title)) || 'threat-model';
  return `${String(title).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'threat-model'}-report.${ext}`;
}

editor.addEventListener('input', scheduleAnalysis);
editor.addEventListener('keydown', (e) => {
  if (e.key === 'Tab' && !e.shiftKey) {
    e.preventDefault();
    editor.setRangeText('  ', editor.selectionStart, editor.selectionEnd, 'end');
    scheduleAnalysis();
  }
});
$('example').addEventListener('change', async (e) => {
  if (!e.target.value) return;
  const res = await fetch(`examples/${encodeURIComponent(e.target.value)}`);
  setText(await res.text());
});
$('file').addEventListener('change', async (e) => {
  const f = e.target.files && e.target.files[0];
  if (f) setText(await f.text());
  e.target.value = '';
});
for (const id of ['f-category', 'f-severity', 'f-status', 'f-element', 'f-framework']) $(id).addEventListener('change', () => applyFilters());
$('f-text').addEventListener('input', () => applyFilters());
$('prev').addEventListener('click', () => {
  state.page = Math.max(0, state.page - 1);
  renderTable();
});
$('next').addEventListener('click', () => {
  state.page += 1;
  renderTable();
});
$('threats').tBodies[0].addEventListener('click', (e) => {
  const tr = e.target.closest('tr');
  const row = tr && state.rows.find((r) => r.id === tr.dataset.threat);
  if (row) renderDetail(row);
});
$('download-md').addEventListener('click', async () => {
  const a = await ask({ type: 'markdown' });
  if (a.ok) download(reportName('md'), a.text, 'text/markdown');
});
$('download-json').addEventListener('click', async () => {
  const a = await ask({ type: 'json' });
  if (a.ok) download(reportName('json'), a.text, 'application/json');
});

startWorker();
loadExamples();
const fromHash = new URLSearchParams(location.hash.slice(1)).get('example');
if (fromHash) {
  fetch(`examples/${encodeURIComponent(fromHash)}`)
    .then((r) => r.text())
    .then(setText);
}
document.body.dataset.state = 'idle';
