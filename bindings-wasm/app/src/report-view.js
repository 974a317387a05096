// Every read of a report's fields by the app is in this module, so a change of the report's shape
// is adapted here and nowhere else.
//
// Each threat names its rule (`rule: {id, version}`); the rule's shared data (title, stride,
// linddun, attack, recommended_controls, cwe, capec, requirements) is in the report's `rules`
// section, stated once. `ruleOf` also reads older reports whose threats carry that data.
// A threat's own `controls_implemented` says which recommended SP 800-53 controls its declared
// controls implement; the others are missing.

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];
export const STATUSES = ['open', 'partially_mitigated', 'mitigated', 'accepted'];

const severityRank = (s) => {
  const i = SEVERITIES.indexOf(s);
  return i < 0 ? SEVERITIES.length : i;
};

function ruleId(threat) {
  const r = threat.rule;
  return typeof r === 'string' ? r : (r && r.id) || '';
}

/** The rule data of a threat: from a report-level `rules` section when there is one. */
const ruleIndex = new WeakMap();

function ruleOf(report, threat) {
  const id = ruleId(threat);
  const rules = report.rules;
  let shared;
  if (Array.isArray(rules)) {
    let index = ruleIndex.get(rules);
    if (!index) {
      index = new Map(rules.filter((r) => r && r.id).map((r) => [r.id, r]));
      ruleIndex.set(rules, index);
    }
    shared = index.get(id);
  } else if (rules && typeof rules === 'object') shared = rules[id];
  return shared || {};
}

/** Status of a recommended control for a threat: per threat when the report says so. */
function controlStatus(threat, catalog, control) {
  if (control.status) return control.status;
  if (catalog !== 'nist_800_53') return '';
  const impl = (threat.controls_implemented || []).find((c) => c.id === control.id);
  return impl ? 'implemented' : 'missing';
}

/** A per-rule field of a threat, wherever the report keeps it. */
function ruleField(report, threat, key, fallback) {
  if (threat[key] !== undefined) return threat[key];
  const v = ruleOf(report, threat)[key];
  return v === undefined ? fallback : v;
}

/** Frameworks a threat maps requirements in (keys of `requirements`). */
function frameworksOfThreat(report, threat) {
  return Object.keys(ruleField(report, threat, 'requirements', {}) || {}).sort();
}

/** Short table rows of every threat, sorted by residual severity, inherent severity, rule, id. */
export function threatRows(report) {
  const threats = Array.isArray(report && report.threats) ? report.threats : [];
  const rows = threats.map((t, index) => ({
    index,
    id: t.id,
    rule: ruleId(t),
    title: ruleField(report, t, 'title', ruleId(t)),
    severity: t.severity,
    inherent: t.inherent_severity,
    status: t.status,
    categories: [...ruleField(report, t, 'stride', []), ...ruleField(report, t, 'linddun', [])],
    elements: (t.elements || []).map((e) => ({ id: e.id, kind: e.kind, name: e.name || e.id })),
    frameworks: frameworksOfThreat(report, t),
  }));
  rows.sort(
    (a, b) =>
      severityRank(a.severity) - severityRank(b.severity) ||
      severityRank(a.inherent) - severityRank(b.inherent) ||
      (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return rows;
}

/** Everything the detail pane shows for the threat of a row. */
export function threatDetail(report, row) {
  const t = report.threats[row.index];
  const rec = ruleField(report, t, 'recommended_controls', {}) || {};
  return {
    id: t.id,
    rule: ruleId(t),
    title: ruleField(report, t, 'title', ruleId(t)),
    description: t.description || '',
    severity: t.severity,
    inherent: t.inherent_severity,
    status: t.status,
    likelihood: t.likelihood ? { inherent: t.likelihood.inherent, residual: t.likelihood.residual } : null,
    impact: t.impact ? { inherent: t.impact.inherent, residual: t.impact.residual, property: t.impact.property } : null,
    categories: row.categories,
    elements: row.elements,
    controlsCredited: (t.controls_credited || []).map((c) =>
      typeof c === 'string'
        ? { control: c, on: '', status: '', effect: '' }
        : { control: c.control, on: c.on || '', status: c.status || '', effect: (c.effect || '').replace(/_/g, ' ') },
    ),
    controlsMissing: t.controls_missing || [],
    attack: (ruleField(report, t, 'attack', []) || []).map((a) => ({
      id: a.id,
      name: a.name || '',
      tactics: a.tactics || [],
      url: a.url || '',
    })),
    controls: Object.entries(rec).map(([catalog, list]) => ({
      catalog,
      items: (list || []).map((c) => ({ id: c.id, title: c.title || '', status: controlStatus(t, catalog, c) })),
    })),
    weaknesses: [...(ruleField(report, t, 'cwe', []) || []), ...(ruleField(report, t, 'capec', []) || [])].map((w) => ({
      id: w.id,
      title: w.title || '',
    })),
    requirements: Object.entries(ruleField(report, t, 'requirements', {}) || {}).map(([framework, ids]) => ({
      framework,
      ids: ids || [],
    })),
    assumptions: t.assumptions || [],
  };
}

/** The frameworks that any threat maps requirements in, sorted. */
export function frameworksOf(report) {
  const all = new Set();
  for (const t of report.threats || []) for (const f of frameworksOfThreat(report, t)) all.add(f);
  return [...all].sort();
}

/** The STRIDE (and LINDDUN) categories found, sorted. */
export function categoriesOf(rows) {
  return [...new Set(rows.flatMap((r) => r.categories))].sort();
}

/** The elements threats are about: `[{id, name, kind}]` sorted by name. */
export function elementsOf(rows) {
  const seen = new Map();
  for (const r of rows) for (const e of r.elements) if (!seen.has(e.id)) seen.set(e.id, e);
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The rows that pass the filters (`''` = any). */
export function filterRows(rows, { category = '', severity = '', status = '', element = '', framework = '', text = '' }) {
  const needle = text.trim().toLowerCase();
  return rows.filter(
    (r) =>
      (!category || r.categories.includes(category)) &&
      (!severity || r.severity === severity) &&
      (!status || r.status === status) &&
      (!element || r.elements.some((e) => e.id === element)) &&
      (!framework || r.frameworks.includes(framework)) &&
      (!needle || `${r.rule} ${r.title} ${r.id} ${r.elements.map((e) => e.name).join(' ')}`.toLowerCase().includes(needle)),
  );
}

/** The assumptions register. */
export function assumptionsOf(report) {
  return (report.assumptions || []).map((a) => ({
    id: a.id,
    statement: a.statement || '',
    source: a.source || '',
    owner: a.owner || '',
    reviewBy: a.review_by || '',
    elements: a.elements || [],
    threats: (a.threats || []).length,
  }));
}

/** Headline counts. */
export function summaryOf(report) {
  const s = report.summary || {};
  return {
    title: (report.model && report.model.title) || '',
    threats: s.threats ?? (report.threats || []).length,
    bySeverity: s.by_severity || {},
    byStatus: s.by_status || {},
  };
}

/** The worst residual severity of the open or partially mitigated threats on each element id. */
export function worstOpenSeverityByElement(report) {
  const worst = new Map();
  for (const t of report.threats || []) {
    if (t.status === 'mitigated' || t.status === 'accepted') continue;
    for (const e of t.elements || []) {
      const old = worst.get(e.id);
      if (old === undefined || severityRank(t.severity) < severityRank(old)) worst.set(e.id, t.severity);
    }
  }
  return worst;
}
