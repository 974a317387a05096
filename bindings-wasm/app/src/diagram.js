// The data-flow diagram as Mermaid flowchart text: trust zones as (nested) boxes, components as
// nodes shaped by type, flows as labelled arrows. Built from the loaded model (the model format,
// not the report); node colours come from the worst open severity per element (report-view.js).

/** Models bigger than this are not drawn (Mermaid's layout grows too slow to follow typing). */
export const MAX_DIAGRAM_COMPONENTS = 150;

const STORE = ['[(', ')]'];
const EXTERNAL = ['{{', '}}'];
const CLIENT = ['[/', '/]'];
const PERSON = ['([', '])'];
const SHAPES = {
  database: STORE,
  nosql_database: STORE,
  search_index: STORE,
  ldap_directory: STORE,
  identity_store: STORE,
  object_storage: STORE,
  file_store: STORE,
  cache: STORE,
  log_store: STORE,
  artifact_registry: STORE,
  source_repository: STORE,
  data_warehouse: STORE,
  backup: STORE,
  queue: ['[[', ']]'],
  event_bus: ['[[', ']]'],
  browser: CLIENT,
  mobile_app: CLIENT,
  desktop_app: CLIENT,
  iot_device: CLIENT,
  human_user: PERSON,
  data_subject: PERSON,
  external_system: EXTERNAL,
  third_party_service: EXTERNAL,
  payment_provider: EXTERNAL,
};

/** Text safe inside a quoted Mermaid label. */
function label(text) {
  return `"${String(text)
    .replace(/&/g, '#amp;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/[\r\n]+/g, ' ')}"`;
}

/**
 * `{text, nodes}`: the Mermaid source, and the node id given to each element id; or
 * `{skipped}` when the model is too big to draw.
 */
export function modelToMermaid(model, severityOf = () => null) {
  const components = Array.isArray(model.components) ? model.components : [];
  if (components.length > MAX_DIAGRAM_COMPONENTS) {
    return { skipped: `${components.length} components: the diagram is drawn for up to ${MAX_DIAGRAM_COMPONENTS}` };
  }
  const zones = Array.isArray(model.zones) ? model.zones : [];
  const flows = Array.isArray(model.flows) ? model.flows : [];
  const nodes = new Map();
  components.forEach((c, i) => nodes.set(c.id, `n${i}`));
  const zoneIds = new Map(zones.map((z, i) => [z.id, `z${i}`]));
  const lines = ['flowchart LR'];

  const byZone = new Map();
  for (const c of components) {
    const z = zoneIds.has(c.zone) ? c.zone : '';
    if (!byZone.has(z)) byZone.set(z, []);
    byZone.get(z).push(c);
  }
  const children = new Map();
  for (const z of zones) {
    const p = zoneIds.has(z.parent) && z.parent !== z.id ? z.parent : '';
    if (!children.has(p)) children.set(p, []);
    children.get(p).push(z);
  }
  const node = (c) => {
    const [open, close] = SHAPES[c.type] || ['[', ']'];
    const name = c.name || c.id;
    return `${nodes.get(c.id)}${open}${label(name)}${close}`;
  };
  const seen = new Set();
  const emitZone = (z, depth) => {
    if (seen.has(z.id) || depth > 20) return;
    seen.add(z.id);
    const pad = '  '.repeat(depth);
    lines.push(`${pad}subgraph ${zoneIds.get(z.id)}[${label(`${z.name || z.id} (${z.kind})`)}]`);
    for (const c of byZone.get(z.id) || []) lines.push(`${pad}  ${node(c)}`);
    for (const child of children.get(z.id) || []) emitZone(child, depth + 1);
    lines.push(`${pad}end`);
  };
  for (const z of children.get('') || []) emitZone(z, 1);
  for (const z of zones) emitZone(z, 1); // zones in a parent cycle
  for (const c of byZone.get('') || []) lines.push(`  ${node(c)}`);

  for (const f of flows) {
    const s = nodes.get(f.source);
    const t = nodes.get(f.target);
    if (!s || !t) continue;
    const text = [f.name || f.id, f.protocol].filter(Boolean).join(' · ');
    const arrow = f.encrypted === false || ['http', 'ftp', 'telnet', 'tcp'].includes(f.protocol) ? '-.->' : '-->';
    lines.push(text ? `  ${s} ${arrow}|${label(text)}| ${t}` : `  ${s} ${arrow} ${t}`);
  }

  lines.push('  classDef critical fill:#f8d0d0,stroke:#b00020,stroke-width:2px');
  lines.push('  classDef high fill:#fde2c8,stroke:#c25400,stroke-width:2px');
  lines.push('  classDef medium fill:#fff3bf,stroke:#8a6d00');
  for (const c of components) {
    const s = severityOf(c.id);
    if (s === 'critical' || s === 'high' || s === 'medium') lines.push(`  class ${nodes.get(c.id)} ${s}`);
  }
  return { text: lines.join('\n'), nodes };
}
