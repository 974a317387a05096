//! Prints the first difference between the reports of a model and a shuffled copy.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]
fn main() {
    let a: Vec<u64> = std::env::args().skip(1).filter_map(|x| x.parse().ok()).collect();
    let (n, seed, sh) = (a[0] as usize, a[1], a[2]);
    let m = threatgraph_conformance::generate::synthetic(n, seed);
    let e = threatgraph::Engine::bundled().unwrap();
    let x = e.analyze(&m).unwrap().to_json();
    let y = e.analyze(&threatgraph_conformance::generate::shuffled(&m, sh)).unwrap().to_json();
    for (i, (l1, l2)) in x.lines().zip(y.lines()).enumerate() {
        if l1 != l2 {
            println!("line {i}:\n  {l1}\n  {l2}");
            break;
        }
    }
}
