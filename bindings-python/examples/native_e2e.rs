//! The native baseline of `bench/bench_10k.py`, warm and in one process like the Python side:
//! `cargo run --release -p threatgraph-python --example native_e2e -- MODEL.json RUNS` prints,
//! per run, the milliseconds of `Model::from_json` + `Engine::analyze` from the JSON text.

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: native_e2e MODEL.json [RUNS]")?;
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let text = std::fs::read_to_string(path)?;
    let engine = threatgraph::Engine::bundled()?;
    for _ in 0..runs {
        let t = Instant::now();
        let model = threatgraph::Model::from_json(&text)?;
        let parse = t.elapsed();
        let report = engine.analyze(&model)?;
        let total = t.elapsed();
        println!(
            "parse_ms={:.1} analyze_ms={:.1} total_ms={:.1} threats={}",
            parse.as_secs_f64() * 1e3,
            (total - parse).as_secs_f64() * 1e3,
            total.as_secs_f64() * 1e3,
            report.threats.len()
        );
        drop(report);
    }
    Ok(())
}
