//! Prints the measured composition of the benchmarked synthetic model next to issue #4's spec:
//! `cargo run --release -p threatgraph-benches --example mix -- 10000`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args().nth(1).map(|a| a.parse()).transpose()?.unwrap_or(10_000);
    let model = threatgraph_benches::model(n);
    println!("synthetic(n={n}, seed={})", threatgraph_benches::SEED);
    print!("{}", threatgraph_benches::Mix::of(&model));
    Ok(())
}
