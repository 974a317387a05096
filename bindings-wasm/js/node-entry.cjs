'use strict';
// threatgraph for Node.js as WebAssembly: the same API as the native package `threatgraph`
// (bindings-node), loaded synchronously. Assembled by scripts/build-pkg.mjs from js/api.js.

const native = require('./threatgraph_wasm.js');

/* API */

const api = makeApi(() => native);

module.exports = {
  Engine: api.Engine,
  ThreatgraphError: api.ThreatgraphError,
  loadModel: api.loadModel,
  analyze: api.analyze,
  validate: api.validate,
  analyzeJson: api.analyzeJson,
  toMarkdown: api.toMarkdown,
  schemas: api.schemas,
  /** Resolves at once: the Node build is ready when required (for code shared with the web build). */
  init: () => Promise.resolve(),
  version: api.coreVersion(),
};
