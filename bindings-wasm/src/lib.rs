//! The WebAssembly binding of threatgraph (wasm-bindgen). Thin: convert in, call the core, convert
//! out, map errors.
//!
//! Like the Node binding, every call answers with JSON text in the wire shape of
//! `threatgraph::api::analyze_json` (`{"ok":true,...}` or
//! `{"ok":false,"error":{kind,code,path,message,details}}`); the JavaScript layer (`js/api.js`)
//! parses it and throws a `ThreatgraphError` with `code`, `path` and `details` for a failure. One
//! string across the boundary keeps the glue small and the answers byte-identical to the Rust
//! runner's.
//!
//! The crate also builds on the host (as an `rlib`), so `cargo test --workspace` checks it there.
//! On `wasm32-unknown-unknown` a panic aborts (traps) instead of unwinding; the JavaScript layer
//! turns the trap into an `internal.panic` error. The core is written not to panic.

use threatgraph::api::{RuleFileText, engine_for, error_answer, load_model, ok_answer, request_error};
use threatgraph::{Engine, Model, Report};
use wasm_bindgen::prelude::wasm_bindgen;

/// `threatgraph::api::analyze_json`: JSON in, JSON out, never an exception.
#[wasm_bindgen(js_name = analyzeJson)]
pub fn analyze_json(request: &str) -> String {
    threatgraph::api::analyze_json(request)
}

/// Parses a model (structure only): `{"ok":true,"model":{...}}` or an error.
#[wasm_bindgen(js_name = loadModelJson)]
pub fn load_model_json(text: &str, format: Option<String>) -> String {
    match load_model(text, format.as_deref()) {
        Ok(model) => ok_answer("model", &model),
        Err(e) => error_answer(&e),
    }
}

/// Renders a report (as JSON text) as Markdown: `{"ok":true,"markdown":"..."}` or an error.
#[wasm_bindgen(js_name = reportToMarkdown)]
pub fn report_to_markdown(report: &str) -> String {
    match serde_json::from_str::<Report>(report) {
        Ok(r) => ok_answer("markdown", &r.to_markdown()),
        Err(e) => error_answer(&request_error("report", format!("not a threatgraph report: {e}"))),
    }
}

/// The JSON Schemas of the model and of the report: `{"model":{...},"report":{...}}`.
#[wasm_bindgen]
pub fn schemas() -> String {
    let both = serde_json::json!({
        "model": schemars::schema_for!(Model),
        "report": schemars::schema_for!(Report),
    });
    serde_json::to_string(&both).unwrap_or_default()
}

/// The version of the core library.
#[wasm_bindgen(js_name = coreVersion)]
pub fn core_version() -> String {
    threatgraph::VERSION.to_owned()
}

/// A compiled engine: catalogs plus rules, compiled once, shared by every analysis.
#[wasm_bindgen]
pub struct WasmEngine {
    engine: Engine,
}

/// Compiles an engine from `rules` (JSON text of `[{"name","text"}]`); a failure is thrown as the
/// JSON text of the error answer.
#[wasm_bindgen(js_name = compileEngine)]
pub fn compile_engine(rules: &str, no_bundled_rules: bool) -> Result<WasmEngine, String> {
    let rules: Vec<RuleFileText> = serde_json::from_str(rules)
        .map_err(|e| error_answer(&request_error("rules", format!("rules must be `[{{name, text}}]`: {e}"))))?;
    match engine_for(&rules, no_bundled_rules) {
        Ok(engine) => Ok(WasmEngine { engine }),
        Err(e) => Err(error_answer(&e)),
    }
}

#[wasm_bindgen]
impl WasmEngine {
    /// Validates a model: `{"ok":true}` or an error.
    pub fn validate(&self, text: &str, format: Option<String>) -> String {
        match load_model(text, format.as_deref()).and_then(|m| self.engine.validate(&m)) {
            Ok(()) => r#"{"ok":true}"#.to_owned(),
            Err(e) => error_answer(&e),
        }
    }

    /// Analyzes a model: `{"ok":true,"report":{...}}` or an error.
    pub fn analyze(&self, text: &str, format: Option<String>) -> String {
        match load_model(text, format.as_deref()).and_then(|m| self.engine.analyze(&m)) {
            Ok(report) => ok_answer("report", &report),
            Err(e) => error_answer(&e),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

    use super::*;
    use serde_json::Value;

    const SHOP: &str = "title: Tiny shop
zones:
  - {id: internet, kind: internet}
  - {id: app, kind: internal}
components:
  - {id: browser, type: browser, zone: internet}
  - {id: shop, type: web_app, zone: app, controls: []}
data_assets:
  - {id: card, classification: restricted, tags: [pci_chd]}
flows:
  - {id: checkout, source: browser, target: shop, protocol: http, data: [card]}
";

    fn parse(text: &str) -> Value {
        serde_json::from_str(text).expect("answers are JSON")
    }

    #[test]
    fn engine_analyze_answers_like_analyze_json() {
        let engine = compile_engine("[]", false).map_err(|e| e.to_string()).unwrap();
        let request = serde_json::json!({ "model_text": SHOP, "format": "yaml" }).to_string();
        assert_eq!(engine.analyze(SHOP, Some("yaml".into())), analyze_json(&request));
        let answer = parse(&engine.analyze(SHOP, None));
        assert!(answer["report"]["threats"].as_array().unwrap().iter().any(|t| t["rule"]["id"] == "TM-002"));
    }

    #[test]
    fn model_errors_carry_code_and_path() {
        let bad = SHOP.replace("target: shop", "target: shopp");
        let engine = compile_engine("[]", false).map_err(|e| e.to_string()).unwrap();
        for text in [engine.analyze(&bad, None), engine.validate(&bad, None)] {
            let error = &parse(&text)["error"];
            assert_eq!(error["code"], "model.unknown_reference");
            assert_eq!(error["path"], "flows[0].target");
            assert_eq!(error["details"][0]["path"], "flows[0].target");
        }
        assert_eq!(engine.validate(SHOP, None), r#"{"ok":true}"#);
    }

    #[test]
    fn bad_rules_and_reports_are_errors_not_panics() {
        let Err(e) = compile_engine("{}", false) else { panic!("expected an error") };
        assert_eq!(parse(&e)["error"]["path"], "rules");
        let Err(e) = compile_engine(r#"[{"name":"bad.yaml","text":"rules: ["}]"#, false) else {
            panic!("expected an error")
        };
        assert_eq!(parse(&e)["error"]["code"], "rule.syntax");
        assert_eq!(parse(&report_to_markdown("{}"))["error"]["code"], "request.invalid");
        assert_eq!(parse(&load_model_json("title: x", Some("toml".into())))["error"]["code"], "request.unknown_format");
    }

    #[test]
    fn markdown_and_schemas() {
        let report = parse(&analyze_json(&serde_json::json!({ "model_text": SHOP }).to_string()))["report"].to_string();
        let md = parse(&report_to_markdown(&report));
        assert!(md["markdown"].as_str().unwrap().starts_with("# "));
        let s = parse(&schemas());
        assert_eq!(s["model"]["title"], "Model");
        assert_eq!(s["report"]["title"], "Report");
        assert_eq!(core_version(), threatgraph::VERSION);
    }
}
