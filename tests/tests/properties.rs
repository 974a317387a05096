//! Invariants users rely on: determinism, independence from element order, stable threat ids,
//! serde round-trips, controls never raising residual risk, and no panic on any input.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use proptest::prelude::*;
use std::collections::BTreeMap;
use threatgraph::model::ControlDecl;
use threatgraph::{Engine, Model, Report};
use threatgraph_conformance::generate::{Rng, TOKENS, shuffled, synthetic};

fn engine() -> Engine {
    Engine::bundled().expect("bundled engine")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn same_model_same_bytes(n in 2usize..40, seed in any::<u64>()) {
        let m = synthetic(n, seed);
        let a = engine().analyze(&m).unwrap().to_json();
        let fresh = Engine::with_options(&threatgraph::EngineOptions::default()).unwrap();
        let b = fresh.analyze(&m).unwrap().to_json();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn element_order_does_not_matter(n in 2usize..40, seed in any::<u64>(), shuffle in any::<u64>()) {
        let m = synthetic(n, seed);
        let a = engine().analyze(&m).unwrap();
        let b = engine().analyze(&shuffled(&m, shuffle)).unwrap();
        // Byte-identical reports, hence identical threat ids.
        prop_assert_eq!(a.to_json(), b.to_json());
    }

    #[test]
    fn threat_ids_are_unique_and_stable(n in 2usize..40, seed in any::<u64>()) {
        let m = synthetic(n, seed);
        let r = engine().analyze(&m).unwrap();
        let mut ids: Vec<&str> = r.threats.iter().map(|t| t.id.as_str()).collect();
        ids.sort_unstable();
        let len = ids.len();
        ids.dedup();
        prop_assert_eq!(ids.len(), len);
        // Adding an unrelated, isolated component keeps every existing threat id.
        let mut m2 = m.clone();
        let mut extra = m.components[0].clone();
        extra.id = "isolated-extra".into();
        m2.components.push(extra);
        let r2 = engine().analyze(&m2).unwrap();
        let after: std::collections::BTreeSet<&str> = r2.threats.iter().map(|t| t.id.as_str()).collect();
        for t in &r.threats {
            prop_assert!(after.contains(t.id.as_str()), "threat {} disappeared", t.id);
        }
    }

    #[test]
    fn reusable_walk_visits_what_reachable_within_does(n in 2usize..60, seed in any::<u64>(), k in 0u32..5, cap in 1usize..40) {
        let m = synthetic(n, seed);
        let g = threatgraph::graph::Graph::build(&m);
        let mut walk = threatgraph::graph::Walk::default();
        for start in 0..m.components.len() {
            let want: Vec<u32> = g.reachable_within(start, k, cap).into_iter().map(|x| x as u32).collect();
            prop_assert_eq!(walk.within(&g, start, k, cap), want.as_slice());
        }
    }

    #[test]
    fn model_serde_round_trip(n in 2usize..30, seed in any::<u64>()) {
        let m = synthetic(n, seed);
        let json = serde_json::to_string(&m).unwrap();
        let back = Model::from_json(&json).unwrap();
        prop_assert_eq!(&m, &back);
        let report = engine().analyze(&m).unwrap();
        // The report's own pretty writer writes serde_json's format.
        prop_assert_eq!(report.to_json(), serde_json::to_string_pretty(&report).unwrap() + "\n");
        let back: Report = serde_json::from_str(&report.to_json()).unwrap();
        prop_assert_eq!(report, back);
    }

    #[test]
    fn adding_a_control_never_raises_residual(n in 2usize..40, seed in any::<u64>(), pick in any::<u64>()) {
        let m = synthetic(n, seed);
        let before = engine().analyze(&m).unwrap();
        let mut rng = Rng::new(pick);
        let mut m2 = m.clone();
        let token = (*rng.pick(TOKENS)).to_owned();
        let on_flow = rng.chance(50) && !m2.flows.is_empty();
        let list = if on_flow {
            let i = rng.below(m2.flows.len());
            &mut m2.flows[i].controls
        } else {
            let i = rng.below(m2.components.len());
            &mut m2.components[i].controls
        };
        let l = list.get_or_insert_with(Vec::new);
        if !l.iter().any(|c| c.token() == token) {
            l.push(ControlDecl::Token(token));
        }
        let after = engine().analyze(&m2).unwrap();
        let old: BTreeMap<&str, &threatgraph::report::Threat> = before.threats.iter().map(|t| (t.id.as_str(), t)).collect();
        for t in &after.threats {
            if let Some(o) = old.get(t.id.as_str()) {
                prop_assert!(t.severity <= o.severity, "{}: {:?} -> {:?}", t.id, o.severity, t.severity);
                prop_assert!(t.likelihood.residual <= o.likelihood.residual);
                prop_assert!(t.impact.residual <= o.impact.residual);
                prop_assert_eq!(t.inherent_severity, o.inherent_severity);
            }
        }
    }

    #[test]
    fn residual_never_above_inherent(n in 2usize..40, seed in any::<u64>()) {
        let r = engine().analyze(&synthetic(n, seed)).unwrap();
        for t in &r.threats {
            prop_assert!(t.severity <= t.inherent_severity);
            prop_assert!(t.likelihood.residual <= t.likelihood.inherent);
            prop_assert!(t.impact.residual <= t.impact.inherent);
        }
    }

    #[test]
    fn arbitrary_text_never_panics(s in ".{0,400}") {
        let _ = Model::from_yaml(&s);
        let _ = Model::from_json(&s);
        let _ = threatgraph::api::analyze_json(&s);
    }

    #[test]
    fn mangled_models_give_errors_not_panics(n in 2usize..20, seed in any::<u64>(), cut in any::<u64>(), byte in any::<u8>()) {
        let json = serde_json::to_string(&synthetic(n, seed)).unwrap();
        let mut bytes = json.into_bytes();
        let i = (cut as usize) % bytes.len();
        bytes[i] = byte;
        if let Some(m) = String::from_utf8(bytes).ok().and_then(|t| Model::from_json(&t).ok()) {
            let _ = engine().analyze(&m);
        }
    }
}
