//! Runs every shared vector through `threatgraph::api::analyze_json`, the JSON entry point the
//! Python, Node and WebAssembly bindings also use. `UPDATE_VECTORS=1` rewrites the expectations
//! (review the diff before committing).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use threatgraph_conformance::vectors::{Vector, summarize, vector_files, vectors_dir};

#[test]
fn shared_vectors() {
    let files = vector_files(&vectors_dir());
    assert!(files.len() >= 30, "expected at least 30 vectors, found {}", files.len());
    let update = std::env::var_os("UPDATE_VECTORS").is_some();
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read vector");
        let mut v: Vector = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let answer: serde_json::Value =
            serde_json::from_str(&threatgraph::api::analyze_json(&v.request.to_string())).expect("answer is JSON");
        let got = summarize(&answer);
        if update {
            v.expect = got;
            let mut s = serde_json::to_string_pretty(&v).expect("serialize");
            s.push('\n');
            std::fs::write(path, s).expect("write vector");
        } else if got != v.expect {
            failures.push(format!(
                "{}: {}\n  expected {}\n  got      {}",
                path.display(),
                v.description,
                v.expect,
                got
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} vectors failed:\n{}", failures.len(), files.len(), failures.join("\n"));
}
