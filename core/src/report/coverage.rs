//! STRIDE-per-element coverage (Microsoft SDL chart): for each element kind and each STRIDE
//! category that applies to it, the rules that consider it and how many elements have findings.

use super::{ElementRefKind, Threat};
use crate::model::{ElementKind, Model};
use crate::rules::{AppliesTo, RuleSet, Stride};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One cell of the STRIDE-per-element chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CoverageCell {
    /// `external_entity`, `process`, `data_store` or `flow`.
    pub element: String,
    pub category: Stride,
    /// Rules of the pack that consider this category for this element kind.
    pub rules: Vec<String>,
    /// Elements of this kind in the model.
    pub elements: usize,
    /// Of those, elements with at least one threat in this category.
    pub with_findings: usize,
}

/// The chart: which STRIDE categories apply to which DFD element (S, R for external entities;
/// all six for processes; T, R, I, D for data stores; T, I, D for data flows).
pub const STRIDE_PER_ELEMENT: &[(&str, &[Stride])] = &[
    ("external_entity", &[Stride::Spoofing, Stride::Repudiation]),
    ("process", &Stride::ALL),
    ("data_store", &[Stride::Tampering, Stride::Repudiation, Stride::InformationDisclosure, Stride::DenialOfService]),
    ("flow", &[Stride::Tampering, Stride::InformationDisclosure, Stride::DenialOfService]),
];

fn kind_name(k: ElementKind) -> &'static str {
    match k {
        ElementKind::ExternalEntity => "external_entity",
        ElementKind::Process => "process",
        ElementKind::DataStore => "data_store",
    }
}

/// The coverage of `rules` over `model`, given the report's threats.
pub(crate) fn coverage(model: &Model, threats: &[Threat], rules: &RuleSet) -> Vec<CoverageCell> {
    let kind_of: HashMap<&str, &'static str> =
        model.components.iter().map(|c| (c.id.as_str(), kind_name(c.effective_kind()))).collect();
    let mut counts: HashMap<&str, usize> = HashMap::default();
    for c in &model.components {
        *counts.entry(kind_name(c.effective_kind())).or_default() += 1;
    }
    counts.insert("flow", model.flows.len());
    // (kind, category) → elements with a finding; the subject is the threat's first element.
    let mut found: HashMap<(&str, Stride), HashSet<&str>> = HashMap::default();
    for t in threats {
        let Some(subject) = t.elements.first() else { continue };
        let kind = if subject.kind == ElementRefKind::Flow { Some("flow") } else { kind_of.get(&*subject.id).copied() };
        let Some(kind) = kind else { continue };
        for s in t.stride.iter() {
            if let Some(cat) = Stride::ALL.into_iter().find(|c| c.as_str() == s) {
                found.entry((kind, cat)).or_default().insert(&*subject.id);
            }
        }
    }
    let mut out = Vec::new();
    for (kind, cats) in STRIDE_PER_ELEMENT {
        for &cat in *cats {
            let rules: Vec<String> = rules
                .rules
                .iter()
                .filter(|r| r.spec.stride.contains(&cat) && considers(&r.spec.applies_to, &r.spec.kinds, kind))
                .map(|r| r.spec.id.clone())
                .collect();
            out.push(CoverageCell {
                element: (*kind).to_owned(),
                category: cat,
                rules,
                elements: counts.get(kind).copied().unwrap_or(0),
                with_findings: found.get(&(*kind, cat)).map_or(0, HashSet::len),
            });
        }
    }
    out
}

fn considers(applies: &AppliesTo, kinds: &[ElementKind], kind: &str) -> bool {
    match applies {
        AppliesTo::Flow => kind == "flow",
        AppliesTo::Component => kind != "flow" && (kinds.is_empty() || kinds.iter().any(|k| kind_name(*k) == kind)),
        AppliesTo::DataAsset | AppliesTo::Zone | AppliesTo::Model => false,
    }
}
