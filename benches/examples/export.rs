//! Writes the benchmarked synthetic model to a file (JSON, or YAML when the name ends in `.yaml`):
//! `cargo run --release -p threatgraph-benches --example export -- 1000 model.json`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: export N FILE.json|FILE.yaml";
    let n: usize = args.next().ok_or(usage)?.parse()?;
    let path = args.next().ok_or(usage)?;
    let model = threatgraph_benches::model(n);
    let text = if path.ends_with(".yaml") || path.ends_with(".yml") {
        threatgraph_benches::to_yaml(&model)?
    } else {
        threatgraph_benches::to_json(&model)?
    };
    std::fs::write(&path, &text)?;
    eprintln!(
        "wrote {path}: {} components, {} flows, {} zones, {} data assets, {} bytes",
        model.components.len(),
        model.flows.len(),
        model.zones.len(),
        model.data_assets.len(),
        text.len()
    );
    Ok(())
}
