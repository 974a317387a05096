//! Criterion benches of every stage of threatgraph's pipeline on the seeded synthetic models of
//! issue #4 (N = 100, 1k, 10k, 100k components, 2N flows):
//!
//! | group | what one iteration does | throughput |
//! |---|---|---|
//! | `parse_json/N` | `Model::from_json` of the model's JSON text | bytes of text |
//! | `parse_yaml/N` | `Model::from_yaml` of the model's YAML text | bytes of text |
//! | `validate/N` | `Engine::validate` | components |
//! | `graph_build/N` | `graph::Graph::build` (zones, crossings, reachability, exposure) | components |
//! | `analyze/N` | `Engine::analyze` on the loaded model (validation included) | components |
//! | `export_json/N` | `Report::to_json` of that model's report | components |
//! | `export_markdown/N` | `Report::to_markdown` | components |
//! | `compile/...` | the bundled catalogs, the rule pack, a whole engine (independent of N) | – |
//!
//! Outputs (models, reports, texts) are dropped outside the timed region (`iter_with_large_drop`).
//! `THREATGRAPH_BENCH_MAX_N` caps the sizes; criterion's test mode (`cargo test --all-targets`)
//! caps them at 1000. Run with `cargo bench -p threatgraph-benches --bench pipeline`.

use criterion::{BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput, measurement::WallTime};
use std::hint::black_box;
use std::time::Duration;
use threatgraph::catalog::{BUNDLED_FILES, BUNDLED_RULES};
use threatgraph::graph::Graph;
use threatgraph::rules::{RuleFile, RuleSet};
use threatgraph::{Catalogs, Engine, EngineOptions, Model};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Modest settings on a shared 2-core machine; at 10k and above one iteration per sample and the
/// minimum criterion allows (10 samples, a token warm-up).
fn configure(group: &mut BenchmarkGroup<'_, WallTime>, n: usize) {
    match n {
        0..=1_000 => {
            group.sample_size(20).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
        }
        1_001..=10_000 => {
            group
                .sample_size(10)
                .warm_up_time(Duration::from_millis(500))
                .measurement_time(Duration::from_secs(4))
                .sampling_mode(SamplingMode::Flat);
        }
        _ => {
            group
                .sample_size(10)
                .warm_up_time(Duration::from_millis(1))
                .measurement_time(Duration::from_millis(1))
                .sampling_mode(SamplingMode::Flat);
        }
    }
}

/// One stage's group at size `n`.
fn stage<'a>(c: &'a mut Criterion, n: usize, name: &str, throughput: Throughput) -> BenchmarkGroup<'a, WallTime> {
    let mut g = c.benchmark_group(name);
    configure(&mut g, n);
    g.throughput(throughput);
    g
}

fn bench_compile(c: &mut Criterion) {
    let mut g = c.benchmark_group("compile");
    g.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    g.bench_function("catalogs", |b| b.iter_with_large_drop(|| Catalogs::from_files(black_box(BUNDLED_FILES))));
    if let Ok(catalogs) = Catalogs::bundled() {
        g.bench_function("rule_pack", |b| {
            b.iter_with_large_drop(|| {
                let files: Vec<RuleFile> =
                    BUNDLED_RULES.iter().filter_map(|(name, text)| RuleFile::parse(name, text).ok()).collect();
                RuleSet::compile(black_box(&files), &catalogs)
            })
        });
    }
    g.bench_function("engine", |b| {
        b.iter_with_large_drop(|| Engine::with_options(black_box(&EngineOptions::default())))
    });
    g.finish();
}

fn bench_size(c: &mut Criterion, engine: &Engine, n: usize) -> Result<()> {
    let model = threatgraph_benches::model(n);
    let json = threatgraph_benches::to_json(&model)?;
    let yaml = threatgraph_benches::to_yaml(&model)?;
    // What the benches below run on: the model as a user's file would give it. Every stage is run
    // once first: a stage that fails is an error, never a fast benchmark of an error path.
    let model = Model::from_json(&json)?;
    engine.validate(&model)?;
    let elements = Throughput::Elements(model.components.len() as u64);
    let id = BenchmarkId::from_parameter(n);

    let mut g = stage(c, n, "parse_json", Throughput::Bytes(json.len() as u64));
    g.bench_function(id.clone(), |b| b.iter_with_large_drop(|| Model::from_json(black_box(&json))));
    g.finish();

    match Model::from_yaml(&yaml) {
        Ok(_) => {
            let mut g = stage(c, n, "parse_yaml", Throughput::Bytes(yaml.len() as u64));
            g.bench_function(id.clone(), |b| b.iter_with_large_drop(|| Model::from_yaml(black_box(&yaml))));
            g.finish();
        }
        // A limit of the YAML reader, reported rather than timed as a fast error path.
        Err(e) => eprintln!("parse_yaml/{n}: skipped, the YAML text does not parse: {e}"),
    }
    let yaml_len = yaml.len();
    drop(yaml);

    let mut g = stage(c, n, "validate", elements.clone());
    g.bench_function(id.clone(), |b| b.iter(|| engine.validate(black_box(&model))));
    g.finish();

    let mut g = stage(c, n, "graph_build", elements.clone());
    g.bench_function(id.clone(), |b| b.iter_with_large_drop(|| Graph::build(black_box(&model))));
    g.finish();

    let mut g = stage(c, n, "analyze", elements.clone());
    g.bench_function(id.clone(), |b| b.iter_with_large_drop(|| engine.analyze(black_box(&model))));
    g.finish();

    let report = engine.analyze(&model)?;
    eprintln!(
        "N={n}: {} components, {} flows, JSON {} bytes, YAML {yaml_len} bytes, {} threats",
        model.components.len(),
        model.flows.len(),
        json.len(),
        report.threats.len()
    );
    let mut g = stage(c, n, "export_json", elements.clone());
    g.bench_function(id.clone(), |b| b.iter_with_large_drop(|| black_box(&report).to_json()));
    g.finish();

    let mut g = stage(c, n, "export_markdown", elements);
    g.bench_function(id, |b| b.iter_with_large_drop(|| black_box(&report).to_markdown()));
    g.finish();
    Ok(())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let test_mode = threatgraph_benches::criterion_test_mode(&args);
    let sizes = threatgraph_benches::sizes(threatgraph_benches::max_n(), test_mode);
    let mut c = Criterion::default().without_plots().configure_from_args();
    let engine = Engine::bundled()?;
    bench_compile(&mut c);
    for n in sizes {
        bench_size(&mut c, &engine, n)?;
    }
    c.final_summary();
    Ok(())
}
