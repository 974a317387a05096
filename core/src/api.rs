//! The JSON calls every binding shares: one canonical wire shape, so one set of test vectors
//! checks Rust, Python, Node and WebAssembly alike.

use crate::engine::{Engine, EngineOptions};
use crate::error::{Diagnostic, Error, Result};
use crate::model::{Format, Model};
use crate::report::Report;
use serde::{Deserialize, Serialize};

/// A request to `analyze_json`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalyzeRequest {
    /// The model as text (`model_text`) or as a JSON value (`model`).
    #[serde(default)]
    pub model: Option<serde_json::Value>,
    #[serde(default)]
    pub model_text: Option<String>,
    /// `json` or `yaml` for `model_text` (default: sniffed).
    #[serde(default)]
    pub format: Option<String>,
    /// Extra rule files as `{name, text}`.
    #[serde(default)]
    pub rules: Vec<RuleFileText>,
    #[serde(default)]
    pub no_bundled_rules: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFileText {
    pub name: String,
    pub text: String,
}

/// An error on the wire.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ErrorBody {
    /// `model`, `rule`, `catalog` or `request`.
    pub kind: String,
    pub code: String,
    pub path: String,
    pub message: String,
    pub details: Vec<Diagnostic>,
}

impl From<&Error> for ErrorBody {
    fn from(e: &Error) -> Self {
        ErrorBody {
            kind: e.kind().to_owned(),
            code: e.code().to_owned(),
            path: e.path().to_owned(),
            message: e.to_string(),
            details: e.diagnostics().to_vec(),
        }
    }
}

/// Parses a model from text in the named format (`json`, `yaml`, or None to sniff).
pub fn load_model(text: &str, format: Option<&str>) -> Result<Model> {
    let fmt = match format {
        None => Format::sniff(text),
        Some(f) => Format::parse(f).ok_or_else(|| {
            Error::Request(vec![Diagnostic::new(
                "request.unknown_format",
                "format",
                format!("unknown format `{f}` (allowed: json, yaml)"),
            )])
        })?,
    };
    Model::from_str(text, fmt)
}

/// Builds the engine a request asks for (the bundled one when it adds no rules).
pub fn engine_for(rules: &[RuleFileText], no_bundled_rules: bool) -> Result<Engine> {
    if rules.is_empty() && !no_bundled_rules {
        return Engine::bundled();
    }
    Engine::with_options(&EngineOptions {
        rule_files: rules.iter().map(|r| (r.name.clone(), r.text.clone())).collect(),
        no_bundled_rules,
        ..Default::default()
    })
}

fn analyze_request(req: &str) -> Result<Report> {
    let req: AnalyzeRequest =
        serde_json::from_str(req).map_err(|e| request_error("", format!("invalid request: {e}")))?;
    let model = match (&req.model, &req.model_text) {
        (Some(v), None) => Model::from_json(&v.to_string())?,
        (None, Some(t)) => load_model(t, req.format.as_deref())?,
        _ => return Err(request_error("", "give exactly one of `model` and `model_text`".into())),
    };
    engine_for(&req.rules, req.no_bundled_rules)?.analyze(&model)
}

/// JSON in, JSON out; never fails: `{"ok": true, "report": ...}` or
/// `{"ok": false, "error": {kind, code, path, message, details}}`.
pub fn analyze_json(request: &str) -> String {
    match analyze_request(request) {
        Ok(r) => ok_answer("report", &r),
        Err(e) => error_answer(&e),
    }
}

/// `{"ok":true,"<key>":<value>}`, written in one pass (not through `serde_json::Value`: a
/// 10k-component report is ~100 MB).
pub fn ok_answer<T: Serialize>(key: &str, value: &T) -> String {
    let mut out = Vec::with_capacity(4096);
    out.extend_from_slice(b"{\"ok\":true,\"");
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
    if let Err(e) = serde_json::to_writer(&mut out, value) {
        return error_answer(&request_error("", format!("cannot serialize the answer: {e}")));
    }
    out.push(b'}');
    String::from_utf8(out).unwrap_or_default()
}

/// `{"ok":false,"error":{kind,code,path,message,details}}` for `e`.
pub fn error_answer(e: &Error) -> String {
    body_answer(&ErrorBody::from(e))
}

/// `{"ok":false,"error":<body>}`.
pub fn body_answer(body: &ErrorBody) -> String {
    let body = serde_json::to_string(body).unwrap_or_default();
    format!("{{\"ok\":false,\"error\":{body}}}")
}

/// A `request.invalid` error at `path`.
pub fn request_error(path: &str, message: String) -> Error {
    Error::Request(vec![Diagnostic::new("request.invalid", path, message)])
}
