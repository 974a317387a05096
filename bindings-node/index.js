'use strict';
// threatgraph for Node.js: a thin layer over the native addon (threatgraph.node, built from
// src/lib.rs). Models go in as JSON text, answers come back as JSON text in the wire shape of
// `threatgraph::api::analyze_json` and are parsed here; failures become ThreatgraphError.

const path = require('node:path');

function loadNative() {
  const file = process.env.THREATGRAPH_NODE_ADDON || path.join(__dirname, 'threatgraph.node');
  try {
    return require(file);
  } catch (cause) {
    throw new Error(
      `threatgraph: cannot load the native addon ${file} (${cause && cause.message}). ` +
        'Build it from the repository with scripts/test-node.sh, or: ' +
        'cargo build -p threatgraph-node --release && ' +
        'cp "${CARGO_TARGET_DIR:-target}/release/libthreatgraph_node.so" bindings-node/threatgraph.node',
      { cause },
    );
  }
}

const native = loadNative();

const HEADLINES = {
  model: 'invalid model',
  rule: 'invalid rules',
  catalog: 'invalid catalog',
  request: 'invalid request',
  internal: 'internal error',
};
const MAX_LISTED = 20;

/** Every failure of threatgraph: `kind`, `code` and `path` of the first problem, all problems in `details`. */
class ThreatgraphError extends Error {
  constructor(body) {
    const details = Array.isArray(body.details)
      ? body.details.map((d) => ({ code: d.code, path: d.path, message: d.message }))
      : [];
    super(describe(body, details));
    this.name = 'ThreatgraphError';
    this.kind = body.kind;
    this.code = body.code;
    this.path = body.path;
    this.details = details;
  }
}

function describe(body, details) {
  if (details.length === 0) return body.message;
  const head = HEADLINES[body.kind] || body.kind;
  const n = details.length;
  const lines = details.slice(0, MAX_LISTED).map((d) => `  ${d.path ? `${d.path}: ` : ''}${d.message} [${d.code}]`);
  if (n > MAX_LISTED) lines.push(`  ... and ${n - MAX_LISTED} more`);
  return `${head} (${n} problem${n === 1 ? '' : 's'})\n${lines.join('\n')}`;
}

function requestError(where, message) {
  return new ThreatgraphError({
    kind: 'request',
    code: 'request.invalid',
    path: where,
    message: `invalid request: ${message}`,
    details: [{ code: 'request.invalid', path: where, message }],
  });
}

/** Parses a native answer; returns `answer[key]` or throws its error. */
function unwrap(text, key) {
  const answer = JSON.parse(text);
  if (answer.ok) return answer[key];
  throw new ThreatgraphError(answer.error);
}

function typeName(v) {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`;
}

function checkOptions(options, allowed) {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw requestError('options', `options must be an object, not ${typeName(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw requestError(`options.${key}`, `unknown option \`${key}\` (allowed: ${allowed.join(', ')})`);
    }
  }
  return options;
}

function formatOf(options) {
  const f = options.format;
  if (f === undefined || f === null) return null;
  if (typeof f !== 'string') throw requestError('format', `format must be a string, not ${typeName(f)}`);
  return f;
}

/** A model object or JSON/YAML text → [text, format] for the addon. */
function modelInput(model, format) {
  if (typeof model === 'string') return [model, format];
  if (model !== null && typeof model === 'object' && !Array.isArray(model)) {
    let text;
    try {
      text = JSON.stringify(model);
    } catch (e) {
      throw requestError('model', `the model cannot be written as JSON: ${e.message}`);
    }
    return [text, 'json'];
  }
  throw requestError('model', `the model must be an object or JSON/YAML text, not ${typeName(model)}`);
}

function ruleFiles(rules) {
  if (rules === undefined || rules === null) return [];
  if (!Array.isArray(rules)) throw requestError('rules', `rules must be an array, not ${typeName(rules)}`);
  return rules.map((r, i) => {
    if (typeof r === 'string') return { name: `rules[${i}]`, text: r };
    if (r && typeof r === 'object' && typeof r.name === 'string' && typeof r.text === 'string') {
      return { name: r.name, text: r.text };
    }
    throw requestError(`rules[${i}]`, 'a rule file is `{name, text}` or its text');
  });
}

const ENGINE_OPTIONS = ['rules', 'noBundledRules'];
const MODEL_OPTIONS = ['format'];

/** A compiled engine: catalogs and rules compiled once, for many analyses. Immutable. */
class Engine {
  #native;

  constructor(options) {
    const o = checkOptions(options, ENGINE_OPTIONS);
    const noBundled = o.noBundledRules ?? false;
    if (typeof noBundled !== 'boolean') {
      throw requestError('noBundledRules', `noBundledRules must be a boolean, not ${typeName(noBundled)}`);
    }
    const compiled = native.compileEngine(ruleFiles(o.rules), noBundled);
    if (typeof compiled === 'string') unwrap(compiled, 'engine');
    this.#native = compiled;
  }

  /** Validates and analyzes a model (object or JSON/YAML text) on the calling thread. */
  analyze(model, options) {
    const [text, format] = modelInput(model, formatOf(checkOptions(options, MODEL_OPTIONS)));
    return unwrap(this.#native.analyze(text, format), 'report');
  }

  /** Like `analyze`, but parsing, analysis and serialization run on the libuv thread pool. */
  async analyzeAsync(model, options) {
    const [text, format] = modelInput(model, formatOf(checkOptions(options, MODEL_OPTIONS)));
    return unwrap(await this.#native.analyzeAsync(text, format), 'report');
  }

  /** Checks a model against this engine's vocabulary; throws ThreatgraphError listing every problem. */
  validate(model, options) {
    const [text, format] = modelInput(model, formatOf(checkOptions(options, MODEL_OPTIONS)));
    unwrap(this.#native.validate(text, format), 'ok');
  }
}

/** The engine for one call: the bundled one (compiled once per process by the core) or one with `rules`. */
function engineFor(options) {
  const o = checkOptions(options, [...ENGINE_OPTIONS, ...MODEL_OPTIONS]);
  return new Engine({ rules: o.rules, noBundledRules: o.noBundledRules });
}

function modelOptions(options) {
  return options && options.format !== undefined ? { format: options.format } : undefined;
}

/** Parses a model from JSON or YAML text (`format`: 'json' | 'yaml', default sniffed) and checks its structure. */
function loadModel(text, options) {
  const [t, format] = modelInput(text, formatOf(checkOptions(options, MODEL_OPTIONS)));
  return unwrap(native.loadModelJson(t, format), 'model');
}

/** Analyzes a model with the bundled rules, or with `rules` / `noBundledRules`. */
function analyze(model, options) {
  return engineFor(options).analyze(model, modelOptions(options));
}

/** `analyze` off the main thread: a Promise of the report. */
async function analyzeAsync(model, options) {
  return engineFor(options).analyzeAsync(model, modelOptions(options));
}

/** Validates a model (structure, references, values) without analyzing it. */
function validate(model, options) {
  engineFor(options).validate(model, modelOptions(options));
}

/** A failed answer of analyzeJson for an error raised on this side of the addon. */
function errorAnswer(e) {
  const error =
    e instanceof ThreatgraphError
      ? { kind: e.kind, code: e.code, path: e.path, message: e.message, details: e.details }
      : { kind: 'internal', code: 'internal.error', path: '', message: String(e && e.message), details: [] };
  return JSON.stringify({ ok: false, error });
}

function requestText(request) {
  if (typeof request !== 'string') throw requestError('', `the request must be JSON text, not ${typeName(request)}`);
  return request;
}

/** The JSON entry point every binding shares; never throws. */
function analyzeJson(request) {
  try {
    return native.analyzeJson(requestText(request));
  } catch (e) {
    return errorAnswer(e);
  }
}

/** analyzeJson on the libuv thread pool: a Promise of the answer text that never rejects. */
async function analyzeJsonAsync(request) {
  try {
    return await native.analyzeJsonAsync(requestText(request));
  } catch (e) {
    return errorAnswer(e);
  }
}

/** The report as Markdown for auditors. */
function toMarkdown(report) {
  let text;
  if (typeof report === 'string') text = report;
  else if (report !== null && typeof report === 'object' && !Array.isArray(report)) text = JSON.stringify(report);
  else throw requestError('report', `the report must be an object, not ${typeName(report)}`);
  return unwrap(native.reportToMarkdown(text), 'markdown');
}

/** The JSON Schemas of the model format and of the report. */
function schemas() {
  return JSON.parse(native.schemas());
}

module.exports = {
  Engine,
  ThreatgraphError,
  loadModel,
  analyze,
  analyzeAsync,
  validate,
  analyzeJson,
  analyzeJsonAsync,
  toMarkdown,
  schemas,
  version: native.coreVersion(),
};
