//! Shared test vectors: a model in, the expected threats (rule, element, severities, status) or
//! the expected error (kind, code, path) out. Every binding runs the same files through its own
//! `analyzeJson` and compares the same summary.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// One vector file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vector {
    pub description: String,
    /// The request given to `analyze_json` (`model` or `model_text`, optional `format`, `rules`).
    pub request: Value,
    pub expect: Value,
}

/// The summary every runner compares: `{"threats": [...]}` or `{"error": {...}}`.
pub fn summarize(answer: &Value) -> Value {
    if answer.get("ok") == Some(&Value::Bool(true)) {
        let threats: Vec<Value> = answer["report"]["threats"]
            .as_array()
            .map(|ts| {
                ts.iter()
                    .map(|t| {
                        json!({
                            "rule": t["rule"]["id"],
                            "element": t["elements"].get(0).map_or(Value::Null, |e| e["id"].clone()),
                            "severity": t["severity"],
                            "inherent": t["inherent_severity"],
                            "status": t["status"],
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        json!({ "threats": threats })
    } else {
        let e = &answer["error"];
        json!({ "error": { "kind": e["kind"], "code": e["code"], "path": e["path"] } })
    }
}

/// Every vector file under `dir`, sorted by path.
pub fn vector_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The directory of the shared vectors.
pub fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors")
}
