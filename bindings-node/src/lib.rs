//! The Node.js binding of threatgraph (napi-rs). Thin: convert in, call the core, convert out,
//! map errors.
//!
//! Every call answers with JSON text in the wire shape of `threatgraph::api::analyze_json`
//! (`{"ok":true,...}` or `{"ok":false,"error":{kind,code,path,message,details}}`); `index.js`
//! parses it and throws `ThreatgraphError` for a failure. Crossing the boundary as one string and
//! parsing it with `JSON.parse` was 1.5-1.8 times faster than building the report object property
//! by property through napi (1k and 10k-component models, see README.md), and lets the async
//! calls serialize off the main thread.

use napi::bindgen_prelude::{AsyncTask, Either};
use napi::{Env, Task};
use napi_derive::napi;
use std::panic::{AssertUnwindSafe, catch_unwind};
use threatgraph::api::{
    ErrorBody, RuleFileText, body_answer, engine_for, error_answer, load_model, ok_answer, request_error,
};
use threatgraph::{Engine, Model, Report};

/// mimalloc instead of the system allocator, as in the CLI: a large analysis makes millions of
/// small allocations. Memory handed to the host is copied into its own objects.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A rule file given as text.
#[napi(object)]
pub struct RuleFile {
    pub name: String,
    pub text: String,
}

/// `threatgraph::api::analyze_json`: JSON in, JSON out, never an exception.
#[napi]
pub fn analyze_json(request: String) -> String {
    guarded(|| threatgraph::api::analyze_json(&request))
}

/// `analyze_json` on the libuv thread pool; the promise resolves with the answer, never rejects.
#[napi(ts_return_type = "Promise<string>")]
pub fn analyze_json_async(request: String) -> AsyncTask<AnalyzeJsonTask> {
    AsyncTask::new(AnalyzeJsonTask { request })
}

pub struct AnalyzeJsonTask {
    request: String,
}

impl Task for AnalyzeJsonTask {
    type Output = String;
    type JsValue = String;

    fn compute(&mut self) -> napi::Result<String> {
        let request = std::mem::take(&mut self.request);
        Ok(guarded(|| threatgraph::api::analyze_json(&request)))
    }

    fn resolve(&mut self, _env: Env, output: String) -> napi::Result<String> {
        Ok(output)
    }
}

/// Parses a model (structure only): `{"ok":true,"model":{...}}` or an error.
#[napi]
pub fn load_model_json(text: String, format: Option<String>) -> String {
    guarded(|| match load_model(&text, format.as_deref()) {
        Ok(model) => ok_answer("model", &model),
        Err(e) => error_answer(&e),
    })
}

/// Renders a report (as JSON text) as Markdown: `{"ok":true,"markdown":"..."}` or an error.
#[napi]
pub fn report_to_markdown(report: String) -> String {
    guarded(|| match serde_json::from_str::<Report>(&report) {
        Ok(r) => ok_answer("markdown", &r.to_markdown()),
        Err(e) => error_answer(&request_error("report", format!("not a threatgraph report: {e}"))),
    })
}

/// The JSON Schemas of the model and of the report: `{"model":{...},"report":{...}}`.
#[napi]
pub fn schemas() -> String {
    let both = serde_json::json!({
        "model": schemars::schema_for!(Model),
        "report": schemars::schema_for!(Report),
    });
    serde_json::to_string(&both).unwrap_or_default()
}

/// The version of the core library.
#[napi]
pub fn core_version() -> String {
    threatgraph::VERSION.to_owned()
}

/// A compiled engine: catalogs plus rules, compiled once, shared by every analysis.
#[napi]
pub struct NativeEngine {
    engine: Engine,
}

/// Compiles an engine, or answers the error as JSON text.
#[napi]
pub fn compile_engine(rules: Vec<RuleFile>, no_bundled_rules: bool) -> Either<NativeEngine, String> {
    let rules: Vec<RuleFileText> = rules.into_iter().map(|r| RuleFileText { name: r.name, text: r.text }).collect();
    match catch_unwind(|| engine_for(&rules, no_bundled_rules)) {
        Ok(Ok(engine)) => Either::A(NativeEngine { engine }),
        Ok(Err(e)) => Either::B(error_answer(&e)),
        Err(_) => Either::B(panicked()),
    }
}

#[napi]
impl NativeEngine {
    /// Validates a model: `{"ok":true}` or an error.
    #[napi]
    pub fn validate(&self, text: String, format: Option<String>) -> String {
        guarded(|| match load_model(&text, format.as_deref()).and_then(|m| self.engine.validate(&m)) {
            Ok(()) => r#"{"ok":true}"#.to_owned(),
            Err(e) => error_answer(&e),
        })
    }

    /// Analyzes a model on the calling thread: `{"ok":true,"report":{...}}` or an error.
    #[napi]
    pub fn analyze(&self, text: String, format: Option<String>) -> String {
        analyze(&self.engine, &text, format.as_deref())
    }

    /// Analyzes a model on the libuv thread pool; the promise resolves with the same answer as
    /// `analyze` (parsing, analysis and serialization all run off the main thread).
    #[napi(ts_return_type = "Promise<string>")]
    pub fn analyze_async(&self, text: String, format: Option<String>) -> AsyncTask<AnalyzeTask> {
        AsyncTask::new(AnalyzeTask { engine: self.engine.clone(), text, format })
    }
}

pub struct AnalyzeTask {
    engine: Engine,
    text: String,
    format: Option<String>,
}

impl Task for AnalyzeTask {
    type Output = String;
    type JsValue = String;

    fn compute(&mut self) -> napi::Result<String> {
        let text = std::mem::take(&mut self.text);
        Ok(analyze(&self.engine, &text, self.format.as_deref()))
    }

    fn resolve(&mut self, _env: Env, output: String) -> napi::Result<String> {
        Ok(output)
    }
}

fn analyze(engine: &Engine, text: &str, format: Option<&str>) -> String {
    guarded(|| match load_model(text, format).and_then(|m| engine.analyze(&m)) {
        Ok(report) => ok_answer("report", &report),
        Err(e) => error_answer(&e),
    })
}

/// Runs a call that answers JSON text; a panic (a bug) becomes an `internal.panic` answer instead
/// of unwinding into Node.
fn guarded(f: impl FnOnce() -> String) -> String {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| panicked())
}

fn panicked() -> String {
    body_answer(&ErrorBody {
        kind: "internal".into(),
        code: "internal.panic".into(),
        path: String::new(),
        message: "internal error in threatgraph (a bug; please report it with the input)".into(),
        details: Vec::new(),
    })
}
