//! Floors of an analysis (issue #4): pieces of work that any analysis of the model must do to
//! write the report threatgraph's format defines, each timed alone with plain, fast code (a hash
//! map, a breadth-first walk, serde_json, SHA-NI, the standard sort). Their sum estimates from
//! below what an analysis costs on the machine before it evaluates a single rule: nothing here
//! evaluates a rule, scores a threat, credits a control or builds the assumptions register.
//! Specialized code could beat a piece (a hand-written canonical writer, say), not the sum by
//! much.
//!
//! - `index`: every component, zone, data asset and flow id in one hash map (uniqueness), and
//!   every flow's endpoints and every component's zone looked up in it (references);
//! - `reach`: the flows as adjacency lists and a breadth-first walk from the internet zones
//!   (the reachability and exposure facts rules read);
//! - `canonical`: components, data assets and flows sorted by id and written as compact JSON with
//!   serde_json (what the report's `model_hash` is defined on);
//! - `sha256 model`: SHA-256 of that text;
//! - `threat ids`: SHA-256 of rule id and subject id for each threat of the report (its id);
//! - `sort`: the threats' sort keys (severities, rule, id) copied from build order and sorted;
//! - `records`: one 48-byte record per threat written (a report with nothing but indices).
//!
//! Prints one JSON line: the median seconds of each piece over RUNS runs and their sum.
//! `cargo run --release -p threatgraph-benches --example floors -- model.json [RUNS]`

use rustc_hash::FxHashMap;
use sha2::{Digest, Sha256};
use std::time::Instant;
use threatgraph::model::{Model, ZoneKind};
// Links the benches crate for its global allocator (mimalloc, as in the CLI and the bindings).
use threatgraph_benches as _;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: floors MODEL.json [RUNS]")?;
    let runs: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(5).max(1);
    let text = std::fs::read_to_string(&path)?;
    let model = Model::from_str(&text, threatgraph::Format::from_path(&path))?;
    drop(text);
    let report = threatgraph::Engine::bundled()?.analyze(&model)?;
    // (rule id, subject id) of each threat, and its sort key, in a build-like order: by subject.
    let mut subjects: Vec<(&str, &str)> = report
        .threats
        .iter()
        .map(|t| (t.rule.id.as_str(), t.elements.first().map_or("model", |e| e.id.as_ref())))
        .collect();
    subjects.sort_unstable_by(|a, b| (a.1, a.0).cmp(&(b.1, b.0)));
    let keys: Vec<(u64, u64, u32)> = report
        .threats
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let sev = (7 - t.severity as u64) << 61 | (7 - t.inherent_severity as u64) << 58;
            (sev, id_number(&t.id), i as u32)
        })
        .collect();
    // Build order is by subject, not by severity: shuffle (deterministically) before sorting.
    let mut shuffled = keys.clone();
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    for i in (1..shuffled.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        shuffled.swap(i, (state % (i as u64 + 1)) as usize);
    }

    let edges = index(&model);
    let mut canonical_text = Vec::new();
    canonical(&model, |block| canonical_text.extend_from_slice(block));
    let pieces: [(&str, &dyn Fn() -> u64); 7] = [
        ("index", &|| index(&model).len() as u64),
        ("reach", &|| reach(&model, &edges)),
        ("canonical", &|| {
            let mut n = 0;
            canonical(&model, |block| n += block.len() as u64);
            n
        }),
        ("sha256 model", &|| u64::from(Sha256::digest(&canonical_text).first().copied().unwrap_or(0))),
        ("threat ids", &|| threat_ids(&subjects)),
        ("sort", &|| {
            let mut k = shuffled.clone();
            k.sort_unstable();
            k.first().map_or(0, |k| k.1)
        }),
        ("records", &|| records(&keys)),
    ];
    let mut medians = serde_json::Map::new();
    let mut total = 0.0;
    for (name, piece) in pieces {
        let mut secs: Vec<f64> = (0..runs)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(piece());
                t.elapsed().as_secs_f64()
            })
            .collect();
        secs.sort_by(f64::total_cmp);
        let median = secs.get(secs.len() / 2).copied().unwrap_or(f64::NAN);
        total += median;
        medians.insert(name.to_owned(), median.into());
    }
    let out = serde_json::json!({
        "components": model.components.len(),
        "flows": model.flows.len(),
        "threats": report.threats.len(),
        "median_s": medians,
        "sum_s": total,
    });
    println!("{out}");
    Ok(())
}

/// The number the hex digits of a threat id (`TG-` and 16 digits) write.
fn id_number(id: &str) -> u64 {
    id.get(3..).and_then(|hex| u64::from_str_radix(hex, 16).ok()).unwrap_or(0)
}

/// Each flow's source and target, resolved, with each component's zone checked on the way
/// (`u32::MAX`: unknown, as validation would report it).
fn index(model: &Model) -> Vec<(u32, u32)> {
    let mut ids: FxHashMap<&str, u32> = FxHashMap::default();
    let n = model.components.len() + model.zones.len() + model.data_assets.len() + model.flows.len();
    ids.reserve(n);
    let mut duplicates = 0u32;
    for (i, c) in model.components.iter().enumerate() {
        duplicates += u32::from(ids.insert(&c.id, i as u32).is_some());
    }
    let mut zones: FxHashMap<&str, u32> = FxHashMap::default();
    for (i, z) in model.zones.iter().enumerate() {
        duplicates += u32::from(zones.insert(&z.id, i as u32).is_some());
    }
    for (i, d) in model.data_assets.iter().enumerate() {
        duplicates += u32::from(ids.insert(&d.id, i as u32).is_some());
    }
    for (i, f) in model.flows.iter().enumerate() {
        if let Some(id) = &f.id {
            duplicates += u32::from(ids.insert(id, i as u32).is_some());
        }
    }
    let unknown_zones =
        model.components.iter().filter(|c| c.zone.as_deref().is_some_and(|z| !zones.contains_key(z))).count();
    let get = |s: &str| ids.get(s).copied().unwrap_or(u32::MAX);
    let mut edges: Vec<(u32, u32)> = model.flows.iter().map(|f| (get(&f.source), get(&f.target))).collect();
    // Keep the counts observable, so that nothing above is optimized away.
    if duplicates > 0 || unknown_zones > 0 {
        edges.push((duplicates, unknown_zones as u32));
    }
    edges
}

/// Components reached from the internet zones (and from components without a zone), walking
/// the flows: adjacency lists by counting sort, then one breadth-first walk.
fn reach(model: &Model, edges: &[(u32, u32)]) -> u64 {
    let n = model.components.len();
    let mut start = vec![0u32; n + 1];
    for &(s, _) in edges {
        if let Some(x) = start.get_mut(s as usize + 1) {
            *x += 1;
        }
    }
    for i in 1..start.len() {
        let prev = start.get(i - 1).copied().unwrap_or(0);
        if let Some(x) = start.get_mut(i) {
            *x += prev;
        }
    }
    let mut fill = start.clone();
    let mut targets = vec![0u32; edges.len()];
    for &(s, t) in edges {
        if let Some(at) = fill.get_mut(s as usize)
            && let Some(slot) = targets.get_mut(*at as usize)
        {
            *slot = t;
            *at += 1;
        }
    }
    let internet: Vec<bool> = model.zones.iter().map(|z| z.kind == ZoneKind::Internet).collect();
    let zone_ix: FxHashMap<&str, usize> = model.zones.iter().enumerate().map(|(i, z)| (z.id.as_str(), i)).collect();
    let mut hops = vec![u32::MAX; n];
    let mut queue: Vec<u32> = Vec::with_capacity(n);
    for (i, c) in model.components.iter().enumerate() {
        let outside = c.zone.as_deref().and_then(|z| zone_ix.get(z)).is_none_or(|&z| internet.get(z) == Some(&true));
        if outside && let Some(h) = hops.get_mut(i) {
            *h = 0;
            queue.push(i as u32);
        }
    }
    let mut head = 0;
    while let Some(&c) = queue.get(head) {
        head += 1;
        let d = hops.get(c as usize).copied().unwrap_or(0);
        let (a, b) = (start.get(c as usize).copied().unwrap_or(0), start.get(c as usize + 1).copied().unwrap_or(0));
        for &t in targets.get(a as usize..b as usize).unwrap_or_default() {
            if let Some(h) = hops.get_mut(t as usize)
                && *h == u32::MAX
            {
                *h = d + 1;
                queue.push(t);
            }
        }
    }
    queue.len() as u64
}

/// Components, data assets and flows in id order, as compact JSON lines, handed to `sink` in
/// blocks of 64 KiB (as the model hash takes them).
fn canonical(model: &Model, mut sink: impl FnMut(&[u8])) {
    use std::borrow::Cow;
    fn by_id<'m, T>(items: &'m [T], id: impl Fn(&'m T) -> Cow<'m, str>) -> Vec<(Cow<'m, str>, &'m T)> {
        let mut v: Vec<_> = items.iter().map(|x| (id(x), x)).collect();
        v.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        v
    }
    let mut buf = Vec::with_capacity(1 << 17);
    let mut line = |buf: &mut Vec<u8>, write: &dyn Fn(&mut Vec<u8>)| {
        write(buf);
        buf.push(b'\n');
        if buf.len() >= 1 << 16 {
            sink(buf);
            buf.clear();
        }
    };
    for (_, c) in by_id(&model.components, |c| c.id.as_str().into()) {
        line(&mut buf, &|b| drop(serde_json::to_writer(b, c)));
    }
    for (_, d) in by_id(&model.data_assets, |d| d.id.as_str().into()) {
        line(&mut buf, &|b| drop(serde_json::to_writer(b, d)));
    }
    for (_, f) in by_id(&model.flows, |f| f.effective_id_ref()) {
        line(&mut buf, &|b| drop(serde_json::to_writer(b, f)));
    }
    sink(&buf);
}

/// SHA-256 of `rule NUL subject NUL` for each threat: its id's fingerprint.
fn threat_ids(subjects: &[(&str, &str)]) -> u64 {
    let mut acc = 0u64;
    for (rule, subject) in subjects {
        let mut h = Sha256::new();
        h.update(rule.as_bytes());
        h.update([0]);
        h.update(subject.as_bytes());
        h.update([0]);
        let d = h.finalize();
        acc ^= u64::from_be_bytes(d.first_chunk::<8>().copied().unwrap_or_default());
    }
    acc
}

/// One 48-byte record per threat, written in order: the least a report holds.
fn records(keys: &[(u64, u64, u32)]) -> u64 {
    let recs: Vec<[u64; 6]> = keys.iter().map(|&(k, id, i)| [k, id, u64::from(i), k ^ id, id >> 3, k >> 7]).collect();
    recs.last().map_or(0, |r| r[0] ^ r[5])
}
