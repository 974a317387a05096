//! Times `Engine::analyze` (validation included) on a model already loaded from a file; reading,
//! parsing and compiling the engine are not timed. Prints one JSON line with the wall-clock time
//! and the process CPU time of each run (CPU time leaves out waiting for a busy machine's cores).
//! `cargo run --release -p threatgraph-benches --example analyze_timed -- model.json [RUNS]`

use std::time::Instant;
// Links the benches crate for its global allocator (mimalloc, as in the CLI and the bindings).
use threatgraph_benches as _;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: analyze_timed MODEL.json [RUNS]")?;
    let runs: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(10).max(1);
    let text = std::fs::read_to_string(&path)?;
    let model = threatgraph::Model::from_str(&text, threatgraph::Format::from_path(&path))?;
    let engine = threatgraph::Engine::bundled()?;
    // One untimed warm-up run, then `runs` timed runs; each report is dropped outside the timing.
    let warm = engine.analyze(&model)?;
    let threats = warm.threats.len();
    drop(warm);
    let mut secs = Vec::with_capacity(runs);
    let mut cpu_secs = Vec::with_capacity(runs);
    for _ in 0..runs {
        let cpu = cpu_time::ProcessTime::now();
        let t = Instant::now();
        let report = engine.analyze(&model)?;
        secs.push(t.elapsed().as_secs_f64());
        cpu_secs.push(cpu.elapsed().as_secs_f64());
        drop(std::hint::black_box(report));
    }
    let (median, min) = median_min(&secs);
    let (cpu_median, _) = median_min(&cpu_secs);
    let out = serde_json::json!({
        "components": model.components.len(),
        "flows": model.flows.len(),
        "threats": threats,
        "runs_s": secs,
        "median_s": median,
        "min_s": min,
        "cpu_runs_s": cpu_secs,
        "cpu_median_s": cpu_median,
    });
    println!("{out}");
    Ok(())
}

/// Median (upper median for an even count) and minimum.
fn median_min(xs: &[f64]) -> (f64, f64) {
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    (sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN), sorted.first().copied().unwrap_or(f64::NAN))
}
