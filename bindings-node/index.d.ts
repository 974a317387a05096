// threatgraph for Node.js. The data types (Model, Report and everything in them) are generated
// from the Rust types' JSON Schemas into types/ (`npm run gen-types`); the functions below are
// written by hand.

import type { Model } from './types/model';
import type { Report } from './types/report';

export * from './types/model';
export * from './types/report';
// Both schemas name the flow authentication type: one type, exported once.
export type { Authentication } from './types/model';

/** A model: a model object, or its text in JSON or YAML. */
export type ModelInput = Model | string;

/** A rule file: `{name, text}` (the name appears in error paths) or just its YAML text. */
export type RuleFile = { name: string; text: string } | string;

export interface ModelOptions {
  /** Format of a model given as text; sniffed when absent (text starting with `{` is JSON). */
  format?: 'json' | 'yaml' | 'yml';
}

export interface EngineOptions {
  /** Extra rule files; a rule with the id of a bundled rule replaces it. */
  rules?: RuleFile[];
  /** Leave out the bundled rule pack (use only `rules`). */
  noBundledRules?: boolean;
}

export type AnalyzeOptions = EngineOptions & ModelOptions;

/** One problem: a stable code, where it is, and a lower-case sentence. */
export interface Diagnostic {
  code: string;
  path: string;
  message: string;
}

/** The error family: malformed model, rule file, catalog or call; `internal` is a bug. */
export type ErrorKind = 'model' | 'rule' | 'catalog' | 'request' | 'internal';

/** An error on the wire (`analyzeJson`). */
export interface ErrorBody {
  kind: ErrorKind;
  code: string;
  path: string;
  message: string;
  details: Diagnostic[];
}

/** Every failure of threatgraph. `code` and `path` are those of the first problem; `details` has them all. */
export class ThreatgraphError extends Error {
  readonly name: 'ThreatgraphError';
  readonly kind: ErrorKind;
  /** Stable machine code, e.g. `model.unknown_reference`: compare this, never the message. */
  readonly code: string;
  /** Where, e.g. `flows[3].target` (empty for the whole document). */
  readonly path: string;
  readonly details: Diagnostic[];
}

/** A compiled engine: catalogs and rules compiled once, immutable, for many analyses. */
export class Engine {
  /** Throws ThreatgraphError (kind `rule`) for a bad rule file. */
  constructor(options?: EngineOptions);
  /** Validates and analyzes a model on the calling thread. */
  analyze(model: ModelInput, options?: ModelOptions): Report;
  /** Like `analyze`, with the work on the libuv thread pool; rejects with ThreatgraphError. */
  analyzeAsync(model: ModelInput, options?: ModelOptions): Promise<Report>;
  /** Checks structure, references and values; throws ThreatgraphError listing every problem. */
  validate(model: ModelInput, options?: ModelOptions): void;
}

/** Parses a model from JSON or YAML text and checks its structure (an object is checked too). */
export function loadModel(text: ModelInput, options?: ModelOptions): Model;
/** Analyzes a model with the bundled rules (or `rules` / `noBundledRules`). */
export function analyze(model: ModelInput, options?: AnalyzeOptions): Report;
/** `analyze` off the main thread. */
export function analyzeAsync(model: ModelInput, options?: AnalyzeOptions): Promise<Report>;
/** Validates a model without analyzing it. */
export function validate(model: ModelInput, options?: AnalyzeOptions): void;

/** The answer of `analyzeJson`, parsed. */
export type Answer = { ok: true; report: Report } | { ok: false; error: ErrorBody };

/**
 * The JSON entry point every binding shares. Never throws: the answer is the JSON text of
 * `{"ok": true, "report": ...}` or `{"ok": false, "error": {kind, code, path, message, details}}`.
 * The request: `{"model": {...}}` or `{"model_text": "...", "format": "yaml"}`, plus optional
 * `"rules": [{"name", "text"}]` and `"no_bundled_rules": true`.
 */
export function analyzeJson(request: string): string;

/**
 * `analyzeJson` on the libuv thread pool; the promise never rejects. For hosts that store or send
 * the report as JSON: nothing is parsed on the main thread.
 */
export function analyzeJsonAsync(request: string): Promise<string>;

/** The report as Markdown for auditors. */
export function toMarkdown(report: Report | string): string;

/** The JSON Schemas (draft 2020-12) of the model format and of the report. */
export function schemas(): { model: object; report: object };

/** The version of the threatgraph core in the addon. */
export const version: string;
