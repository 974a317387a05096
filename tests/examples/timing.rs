//! Stage timings on a synthetic model: `cargo run --release -p threatgraph-conformance --example timing -- N`
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing)]

use std::time::Instant;

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let model = threatgraph_conformance::generate::synthetic(n, 42);
    let json = serde_json::to_string(&model).unwrap_or_default();
    let t = Instant::now();
    let m = threatgraph::Model::from_json(&json).expect("parse");
    let parse = t.elapsed();
    let engine = threatgraph::Engine::bundled().expect("engine");
    let t = Instant::now();
    engine.validate(&m).expect("valid");
    let validate = t.elapsed();
    if std::env::var_os("VALIDATE_ONLY").is_some() {
        println!("n={n} validate={validate:?}");
        return;
    }
    let t = Instant::now();
    let r = engine.analyze(&m).expect("analyze");
    let analyze = t.elapsed();
    let t = Instant::now();
    let out = r.to_json();
    let export = t.elapsed();
    println!(
        "n={n} json={}MB parse={parse:?} validate={validate:?} analyze(incl. validate)={analyze:?} threats={} to_json={export:?} ({}MB)",
        json.len() / 1_000_000,
        r.threats.len(),
        out.len() / 1_000_000
    );
}
