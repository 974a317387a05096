//! `threatgraph._threatgraph`: the native half of the Python package `threatgraph`. It stays
//! thin: convert in, call the core (with the GIL released), convert out, map errors. The
//! builder, the exception classes and the pandas export are Python (`python/threatgraph/`).

mod convert;
mod engine;
mod errors;
mod model;
mod report;

pub use engine::Engine;
pub use model::CoreModel;
pub use report::{Report, Threat};

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

/// mimalloc instead of the system allocator, as in the CLI: a large analysis makes millions of
/// small allocations. Memory handed to the host is copied into its own objects.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The JSON call every binding shares: a request (`{"model": {...}}` or `{"model_text": "...",
/// "format": "yaml"}`, optional `rules` and `no_bundled_rules`) in, `{"ok": true, "report": ...}`
/// or `{"ok": false, "error": {kind, code, path, message, details}}` out. Never raises.
#[pyfunction]
fn analyze_json(py: Python<'_>, request: PyBackedStr) -> String {
    let run = || std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| threatgraph::api::analyze_json(&request)));
    match py.detach(run) {
        Ok(answer) => answer,
        Err(payload) => {
            let error = serde_json::json!({
                "ok": false,
                "error": {
                    "kind": "internal",
                    "code": "internal.panic",
                    "path": "",
                    "message": format!("internal error: {}", errors::panic_message(payload.as_ref())),
                    "details": [],
                }
            });
            error.to_string()
        }
    }
}

/// The native module.
#[pymodule]
mod _threatgraph {
    #[pymodule_export]
    use super::{CoreModel, Engine, Report, Threat, analyze_json};

    /// The version of the threatgraph core this module was built with.
    #[pymodule_export]
    const VERSION: &str = threatgraph::VERSION;
}
