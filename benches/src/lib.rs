//! Shared helpers for threatgraph's benches (issue #4): the benchmarked sizes, the seeded models
//! and their JSON/YAML texts, the generator's measured mix, and peak-RSS reading.
//!
//! Every bench, example and the pytm comparison use [`model`] (the conformance crate's
//! [`threatgraph_conformance::generate::synthetic`] with seed [`SEED`]), so the numbers of one
//! size refer to one and the same model.

use std::collections::BTreeMap;
use std::fmt;
use threatgraph::graph::{Crossing, Graph};
use threatgraph::model::{ElementKind, Model};

/// The allocator of the shipped artifacts (CLI, Python and Node modules), so that the benches
/// measure what users run: every bench and example links this crate.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The seed of every benchmarked model.
pub const SEED: u64 = 42;

/// The sizes of issue #4 (components).
pub const SIZES: &[usize] = &[100, 1_000, 10_000, 100_000];

/// Largest size run in criterion's test mode (`cargo test --all-targets`, debug build).
pub const TEST_MODE_MAX_N: usize = 1_000;

/// Environment variable capping the benchmarked sizes (default 100000).
pub const MAX_N_VAR: &str = "THREATGRAPH_BENCH_MAX_N";

/// The cap from [`MAX_N_VAR`], or 100000 when unset or not a number.
pub fn max_n() -> usize {
    std::env::var(MAX_N_VAR).ok().and_then(|v| v.trim().replace('_', "").parse().ok()).unwrap_or(100_000)
}

/// Whether a criterion bench binary runs in test mode: `cargo test` runs bench targets without
/// `--bench` (criterion then runs each bench once), and `cargo bench -- --test` passes `--test`.
pub fn criterion_test_mode<S: AsRef<str>>(args: &[S]) -> bool {
    let has = |flag: &str| args.iter().any(|a| a.as_ref() == flag);
    has("--test") || !has("--bench")
}

/// The sizes to run: [`SIZES`] up to `max_n`, and up to [`TEST_MODE_MAX_N`] in test mode.
pub fn sizes(max_n: usize, test_mode: bool) -> Vec<usize> {
    let cap = if test_mode { max_n.min(TEST_MODE_MAX_N) } else { max_n };
    SIZES.iter().copied().filter(|&n| n <= cap).collect()
}

/// The benchmarked model with `n` components.
pub fn model(n: usize) -> Model {
    threatgraph_conformance::generate::synthetic(n, SEED)
}

/// The model as JSON (what `threatgraph analyze model.json` reads).
pub fn to_json(model: &Model) -> Result<String, serde_json::Error> {
    serde_json::to_string(model)
}

/// The model as YAML.
pub fn to_yaml(model: &Model) -> Result<String, serde_saphyr::ser_error::Error> {
    serde_saphyr::to_string(model)
}

/// Peak resident set size of this process so far (`VmHWM`), in KiB, where `/proc` has it.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The measured composition of a model, to compare with issue #4's specification.
#[derive(Debug, Clone, Default)]
pub struct Mix {
    pub components: usize,
    pub external_entities: usize,
    pub processes: usize,
    pub data_stores: usize,
    pub flows: usize,
    /// Flows whose endpoints sit in different zones.
    pub crossing_flows: usize,
    pub zones: usize,
    /// Zones with a parent.
    pub nested_zones: usize,
    /// Deepest nesting (0: no zone has a parent).
    pub max_zone_depth: usize,
    pub data_assets: usize,
    /// Assets by classification (`unset` when none is declared).
    pub classifications: BTreeMap<String, usize>,
    /// Assets with at least one tag, and tag counts.
    pub tagged_assets: usize,
    pub tags: BTreeMap<String, usize>,
    /// Components whose controls are not stated at all.
    pub components_controls_unstated: usize,
    /// Components with a stated but empty control list.
    pub components_controls_empty: usize,
    /// Control tokens declared on components, in all and by token.
    pub component_tokens: usize,
    pub component_token_counts: BTreeMap<String, usize>,
    pub zones_with_controls: usize,
    pub flows_with_controls: usize,
    pub flows_encrypted_unset: usize,
    pub flows_authentication_unset: usize,
    pub components_without_zone: usize,
}

impl Mix {
    /// Measures a (valid) model.
    pub fn of(model: &Model) -> Mix {
        let mut m = Mix {
            components: model.components.len(),
            flows: model.flows.len(),
            zones: model.zones.len(),
            data_assets: model.data_assets.len(),
            ..Mix::default()
        };
        for c in &model.components {
            match c.kind.unwrap_or_else(|| c.component_type.default_kind()) {
                ElementKind::ExternalEntity => m.external_entities += 1,
                ElementKind::Process => m.processes += 1,
                ElementKind::DataStore => m.data_stores += 1,
            }
            match &c.controls {
                None => m.components_controls_unstated += 1,
                Some(list) if list.is_empty() => m.components_controls_empty += 1,
                Some(list) => {
                    m.component_tokens += list.len();
                    for d in list {
                        *m.component_token_counts.entry(d.token().to_owned()).or_default() += 1;
                    }
                }
            }
            if c.zone.is_none() {
                m.components_without_zone += 1;
            }
        }
        let graph = Graph::build(model);
        m.crossing_flows = graph.edges.iter().filter(|e| e.crossing != Crossing::None).count();
        let parents: BTreeMap<&str, Option<&str>> =
            model.zones.iter().map(|z| (z.id.as_str(), z.parent.as_deref())).collect();
        for z in &model.zones {
            let mut depth = 0;
            let mut at = z.parent.as_deref();
            while let Some(p) = at {
                depth += 1;
                if depth > model.zones.len() {
                    break; // a cycle; validation reports it
                }
                at = parents.get(p).copied().flatten();
            }
            if depth > 0 {
                m.nested_zones += 1;
            }
            m.max_zone_depth = m.max_zone_depth.max(depth);
            if z.controls.as_ref().is_some_and(|c| !c.is_empty()) {
                m.zones_with_controls += 1;
            }
        }
        for a in &model.data_assets {
            let class = a.classification.map_or("unset", |c| c.as_str());
            *m.classifications.entry(class.to_owned()).or_default() += 1;
            if !a.tags.is_empty() {
                m.tagged_assets += 1;
            }
            for t in &a.tags {
                *m.tags.entry(t.as_str().to_owned()).or_default() += 1;
            }
        }
        for f in &model.flows {
            if f.controls.as_ref().is_some_and(|c| !c.is_empty()) {
                m.flows_with_controls += 1;
            }
            if f.encrypted.is_none() {
                m.flows_encrypted_unset += 1;
            }
            if f.authentication.is_none() {
                m.flows_authentication_unset += 1;
            }
        }
        m
    }
}

fn pct(part: usize, whole: usize) -> f64 {
    if whole == 0 { 0.0 } else { 100.0 * part as f64 / whole as f64 }
}

/// One line of the mix: label, count, share of `whole` and what issue #4 asks for.
fn row(f: &mut fmt::Formatter<'_>, label: &str, count: usize, whole: usize, spec: &str) -> fmt::Result {
    let spec = if spec.is_empty() { String::new() } else { format!("; spec {spec}") };
    writeln!(f, "{label:<26}{count:>7} ({:.1}%{spec})", pct(count, whole))
}

impl fmt::Display for Mix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.components;
        let per_n = |x: usize| n as f64 / x.max(1) as f64;
        writeln!(f, "{:<26}{n:>7}", "components")?;
        row(f, "  external entities", self.external_entities, n, "~15%")?;
        row(f, "  processes", self.processes, n, "~60%")?;
        row(f, "  data stores", self.data_stores, n, "~25%")?;
        row(f, "  without a zone", self.components_without_zone, n, "")?;
        let per_component = self.flows as f64 / n.max(1) as f64;
        writeln!(f, "{:<26}{:>7} ({per_component:.2} per component; spec ~2)", "flows", self.flows)?;
        row(f, "  crossing zones", self.crossing_flows, self.flows, "about half")?;
        row(f, "  with controls", self.flows_with_controls, self.flows, "")?;
        row(f, "  encryption unset", self.flows_encrypted_unset, self.flows, "")?;
        row(f, "  authentication unset", self.flows_authentication_unset, self.flows, "")?;
        writeln!(f, "{:<26}{:>7} (N/{:.1}; spec ~N/20)", "zones", self.zones, per_n(self.zones))?;
        row(f, "  nested", self.nested_zones, self.zones, "")?;
        writeln!(f, "{:<26}{:>7}", "  deepest nesting", self.max_zone_depth)?;
        row(f, "  with controls", self.zones_with_controls, self.zones, "")?;
        writeln!(f, "{:<26}{:>7} (N/{:.1}; spec ~N/10)", "data assets", self.data_assets, per_n(self.data_assets))?;
        for (c, k) in &self.classifications {
            row(f, &format!("  classification {c}"), *k, self.data_assets, "")?;
        }
        row(f, "  tagged", self.tagged_assets, self.data_assets, "")?;
        for (t, k) in &self.tags {
            row(f, &format!("    tag {t}"), *k, self.data_assets, "")?;
        }
        row(f, "components, controls unset", self.components_controls_unstated, n, "")?;
        row(f, "  controls stated, empty", self.components_controls_empty, n, "")?;
        let per_component = self.component_tokens as f64 / n.max(1) as f64;
        writeln!(f, "{:<26}{:>7} ({per_component:.2} per component)", "  control tokens", self.component_tokens)?;
        for (t, k) in &self.component_token_counts {
            row(f, &format!("    {t}"), *k, n, "")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_mode_caps_sizes() {
        assert_eq!(sizes(100_000, true), vec![100, 1_000]);
        assert_eq!(sizes(100_000, false), SIZES.to_vec());
        assert_eq!(sizes(10_000, false), vec![100, 1_000, 10_000]);
        assert_eq!(sizes(50, false), Vec::<usize>::new());
    }

    #[test]
    fn test_mode_detection_follows_criterion() {
        assert!(criterion_test_mode(&["pipeline"]));
        assert!(criterion_test_mode(&["pipeline", "--bench", "--test"]));
        assert!(!criterion_test_mode(&["pipeline", "--bench"]));
    }

    #[test]
    fn mix_of_a_small_model_adds_up() {
        let m = Mix::of(&model(200));
        assert_eq!(m.external_entities + m.processes + m.data_stores, 200);
        assert_eq!(m.flows, 400);
        assert!(m.crossing_flows <= m.flows);
    }

    #[test]
    fn json_and_yaml_round_trip() {
        let m = model(100);
        let json = to_json(&m).unwrap();
        let yaml = to_yaml(&m).unwrap();
        assert_eq!(threatgraph::Model::from_json(&json).unwrap().components.len(), 100);
        assert_eq!(threatgraph::Model::from_yaml(&yaml).unwrap().flows.len(), 200);
    }
}
