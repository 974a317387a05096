//! Peak memory of loading a model versus loading and analyzing it. `load` reads and parses the
//! file and compiles the bundled engine; `analyze` does the same and then `Engine::analyze`
//! (validation, graph facts, threats), keeping the report alive. Prints the process's peak RSS
//! (`VmHWM`); run it under `/usr/bin/time -v` for an outside reading.
//! `cargo run --release -p threatgraph-benches --example peak_rss -- load|analyze model.json`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: peak_rss load|analyze MODEL.json";
    let mode = args.next().ok_or(usage)?;
    let path = args.next().ok_or(usage)?;
    let text = std::fs::read_to_string(&path)?;
    let model = threatgraph::Model::from_str(&text, threatgraph::Format::from_path(&path))?;
    let engine = threatgraph::Engine::bundled()?;
    let threats = match mode.as_str() {
        "load" => 0,
        "analyze" => {
            let report = engine.analyze(&model)?;
            std::hint::black_box(&report).threats.len()
        }
        _ => return Err(usage.into()),
    };
    let rss = threatgraph_benches::peak_rss_kib().map_or_else(|| "unknown".to_owned(), |k| k.to_string());
    println!(
        "{{\"mode\": \"{mode}\", \"components\": {}, \"threats\": {threats}, \"peak_rss_kib\": {rss}}}",
        model.components.len()
    );
    Ok(())
}
