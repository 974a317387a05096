//! Writes a seeded synthetic model as JSON: `cargo run --release -p threatgraph-conformance --example synth -- N [SEED] > model.json`

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(42);
    let model = threatgraph_conformance::generate::synthetic(n, seed);
    println!("{}", serde_json::to_string(&model).unwrap_or_default());
}
