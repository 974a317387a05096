// threatgraph for the browser (and any host with ES modules and fetch): `await init()` once, then
// the same API as the Node packages. Assembled by scripts/build-pkg.mjs from js/api.js.
import initModule, * as native from './threatgraph_wasm.js';

let ready = null;
let loaded = false;

/* API */

const api = makeApi(() => {
  if (!loaded) throw api.requestError('', 'threatgraph is not initialized: `await init()` first', 'request.not_initialized');
  return native;
});

/** The version of the threatgraph core in the module ('' until `init()` resolves). */
export let version = '';

/**
 * Loads and instantiates the wasm module (by default threatgraph_wasm_bg.wasm next to this file;
 * or give a URL, Response, BufferSource or WebAssembly.Module). Safe to call more than once.
 */
export function init(moduleOrPath) {
  if (!ready) {
    const arg = moduleOrPath === undefined ? undefined : { module_or_path: moduleOrPath };
    ready = initModule(arg).then(() => {
      loaded = true;
      version = api.coreVersion();
    });
    ready.catch(() => {
      ready = null;
    });
  }
  return ready;
}

export default init;
export const { Engine, ThreatgraphError, loadModel, analyze, validate, analyzeJson, toMarkdown, schemas } = api;
