//! Prints `{"<vector path relative to tests/vectors>": "<answer text>", ...}`: the answer of
//! `threatgraph::api::analyze_json` (the call the Rust runner `tests/tests/vectors.rs` makes) to
//! every shared vector, so `test/vectors.test.mjs` can check that the wasm build answers the very
//! same bytes.
//!
//!     cargo run -p threatgraph-wasm --example vector-answers

use std::collections::BTreeMap;
use std::process::ExitCode;
use threatgraph_conformance::vectors::{vector_files, vectors_dir};

fn main() -> ExitCode {
    let dir = vectors_dir();
    let mut answers = BTreeMap::new();
    for path in vector_files(&dir) {
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        };
        let request = match serde_json::from_str::<serde_json::Value>(&text).map(|v| v.get("request").cloned()) {
            Ok(Some(r)) => r,
            _ => {
                eprintln!("error: {} is not a vector with a `request`", path.display());
                return ExitCode::FAILURE;
            }
        };
        let name = path.strip_prefix(&dir).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        answers.insert(name, threatgraph::api::analyze_json(&request.to_string()));
    }
    match serde_json::to_string(&answers) {
        Ok(s) => {
            println!("{s}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
