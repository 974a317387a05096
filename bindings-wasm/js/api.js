// threatgraph's JavaScript API over the wasm module (src/lib.rs), shared by the web and the Node
// builds: scripts/build-pkg.mjs wraps this file into pkg/web/index.js (ES module) and
// pkg/node/index.cjs (CommonJS). It mirrors bindings-node/index.js: the same names, the same
// options, the same ThreatgraphError with kind, code, path and details, the same JSON.
//
// `getNative()` returns the wasm-bindgen exports, or throws when the module is not initialized.
// A trap (a panic in Rust aborts on wasm32) leaves the instance unusable: it becomes an
// `internal.panic` error, and every later call answers the same until the module is loaded anew.

/* exported makeApi */
// eslint-disable-next-line no-unused-vars
function makeApi(getNative) {
  const HEADLINES = {
    model: 'invalid model',
    rule: 'invalid rules',
    catalog: 'invalid catalog',
    request: 'invalid request',
    internal: 'internal error',
  };
  const MAX_LISTED = 20;
  const PANIC = {
    kind: 'internal',
    code: 'internal.panic',
    path: '',
    message: 'internal error in threatgraph (a bug; please report it with the input); load the module again to continue',
    details: [],
  };
  let trapped = false;

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

  function requestError(where, message, code = 'request.invalid') {
    return new ThreatgraphError({
      kind: 'request',
      code,
      path: where,
      message: `invalid request: ${message}`,
      details: [{ code, path: where, message }],
    });
  }

  /** Runs a call into the wasm module; a trap becomes ThreatgraphError `internal.panic`. */
  function call(f) {
    if (trapped) throw new ThreatgraphError(PANIC);
    const native = getNative();
    try {
      return f(native);
    } catch (e) {
      if (typeof WebAssembly !== 'undefined' && e instanceof WebAssembly.RuntimeError) {
        trapped = true;
        throw new ThreatgraphError(PANIC);
      }
      throw e;
    }
  }

  /** Parses an answer; returns `answer[key]` or throws its error. */
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
    if (f === undefined || f === null) return undefined;
    if (typeof f !== 'string') throw requestError('format', `format must be a string, not ${typeName(f)}`);
    return f;
  }

  /** A model object or JSON/YAML text → [text, format] for the module. */
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
      const rules = JSON.stringify(ruleFiles(o.rules));
      this.#native = call((native) => {
        try {
          return native.compileEngine(rules, noBundled);
        } catch (e) {
          if (typeof e === 'string') unwrap(e, 'engine');
          throw e;
        }
      });
    }

    /** Validates and analyzes a model (object or JSON/YAML text). */
    analyze(model, options) {
      const [text, format] = modelInput(model, formatOf(checkOptions(options, MODEL_OPTIONS)));
      return unwrap(
        call(() => this.#native.analyze(text, format)),
        'report',
      );
    }

    /** Checks a model against this engine's vocabulary; throws ThreatgraphError listing every problem. */
    validate(model, options) {
      const [text, format] = modelInput(model, formatOf(checkOptions(options, MODEL_OPTIONS)));
      unwrap(
        call(() => this.#native.validate(text, format)),
        'ok',
      );
    }

    /** Frees the engine's memory in the wasm module now (else it is freed when garbage-collected). */
    free() {
      this.#native.free();
    }
  }

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
    return unwrap(
      call((native) => native.loadModelJson(t, format)),
      'model',
    );
  }

  /** Analyzes a model with the bundled rules, or with `rules` / `noBundledRules`. */
  function analyze(model, options) {
    const engine = engineFor(options);
    try {
      return engine.analyze(model, modelOptions(options));
    } finally {
      engine.free();
    }
  }

  /** Validates a model (structure, references, values) without analyzing it. */
  function validate(model, options) {
    const engine = engineFor(options);
    try {
      engine.validate(model, modelOptions(options));
    } finally {
      engine.free();
    }
  }

  /** A failed answer of analyzeJson for an error raised on this side of the module. */
  function errorAnswer(e) {
    const error =
      e instanceof ThreatgraphError
        ? { kind: e.kind, code: e.code, path: e.path, message: e.message, details: e.details }
        : { kind: 'internal', code: 'internal.error', path: '', message: String(e && e.message), details: [] };
    return JSON.stringify({ ok: false, error });
  }

  /** The JSON entry point every binding shares; never throws. */
  function analyzeJson(request) {
    try {
      if (typeof request !== 'string') throw requestError('', `the request must be JSON text, not ${typeName(request)}`);
      return call((native) => native.analyzeJson(request));
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
    return unwrap(
      call((native) => native.reportToMarkdown(text)),
      'markdown',
    );
  }

  /** The JSON Schemas of the model format and of the report. */
  function schemas() {
    return JSON.parse(call((native) => native.schemas()));
  }

  /** The version of the threatgraph core in the module. */
  function coreVersion() {
    return call((native) => native.coreVersion());
  }

  return {
    Engine,
    ThreatgraphError,
    loadModel,
    analyze,
    validate,
    analyzeJson,
    toMarkdown,
    schemas,
    coreVersion,
    requestError,
  };
}
