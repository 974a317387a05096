//! STRIDE-per-element coverage (Microsoft SDL chart): for each element kind and each STRIDE
//! category that applies to it, the rules that consider it and how many elements have findings.

use crate::model::{ElementKind, Model};
use crate::rules::{AppliesTo, RuleSet, Stride};
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
    ("process", Stride::ALL),
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

/// The coverage of `rules` over `model`. `comp_found[c]` and `flow_found[f]` hold, as bit
/// `1 << category`, the STRIDE categories of the threats whose subject is component `c` or flow
/// `f`.
pub(crate) fn coverage(model: &Model, rules: &RuleSet, comp_found: &[u8], flow_found: &[u8]) -> Vec<CoverageCell> {
    // Per kind: elements, and elements with a finding in each category.
    let mut elements = [0usize; 4];
    let mut with = [[0usize; 6]; 4];
    let kind_ix = |k: ElementKind| match k {
        ElementKind::ExternalEntity => 0,
        ElementKind::Process => 1,
        ElementKind::DataStore => 2,
    };
    let mut tally = |k: usize, bits: u8| {
        if let (Some(n), Some(w)) = (elements.get_mut(k), with.get_mut(k)) {
            *n += 1;
            for (i, x) in w.iter_mut().enumerate() {
                *x += usize::from(bits >> i & 1);
            }
        }
    };
    for (i, c) in model.components.iter().enumerate() {
        tally(kind_ix(c.effective_kind()), comp_found.get(i).copied().unwrap_or(0));
    }
    for i in 0..model.flows.len() {
        tally(3, flow_found.get(i).copied().unwrap_or(0));
    }
    let mut out = Vec::new();
    for (k, (kind, cats)) in STRIDE_PER_ELEMENT.iter().enumerate() {
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
                elements: elements.get(k).copied().unwrap_or(0),
                with_findings: with.get(k).and_then(|w| w.get(cat as usize)).copied().unwrap_or(0),
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
