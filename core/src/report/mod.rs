//! The report: threats with stable ids and their mappings, the assumptions register, counts and
//! provenance. One JSON shape in every language; Markdown and a plain-text table for people.

mod compliance;
mod coverage;
mod description;
mod id;
mod json;
mod markdown;
mod table;

pub(crate) use compliance::compliance;
pub use compliance::{Findings, FrameworkEvidence, RequirementEvidence};
pub(crate) use coverage::coverage;
pub use coverage::{CoverageCell, STRIDE_PER_ELEMENT};
pub use description::Description;
pub(crate) use description::{Slot, Template};
pub use id::ThreatId;

pub use markdown::to_markdown;
pub use table::to_table;

use crate::scoring::{Impact, Likelihood, Severity, ThreatStatus};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Report format version.
pub const REPORT_FORMAT_VERSION: u32 = 1;

/// The result of one analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    pub format_version: u32,
    pub provenance: Provenance,
    pub model: ModelSummary,
    pub methodology: Methodology,
    pub summary: Summary,
    pub threats: Vec<Threat>,
    /// Every rule evaluated, sorted by id, with the mappings its threats share (ATT&CK,
    /// controls, weaknesses, requirements): each threat names its rule instead of repeating them.
    pub rules: Vec<RuleSummary>,
    pub assumptions: Vec<AssumptionEntry>,
    /// STRIDE-per-element coverage: the rules that consider each applicable category.
    pub coverage: Vec<CoverageCell>,
    /// Per compliance framework, the requirements this report evidences.
    pub compliance: Vec<FrameworkEvidence>,
}

/// Where the report came from: enough to re-perform it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Provenance {
    pub tool: String,
    pub version: String,
    pub rule_packs: Vec<SourceRef>,
    pub catalogs: Vec<SourceRef>,
    /// `sha256:` of the model's canonical JSON (independent of element order).
    pub model_hash: String,
}

/// A catalog or rule pack with its version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct SourceRef {
    pub id: String,
    pub version: String,
}

/// What was analysed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ModelSummary {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub counts: ModelCounts,
    /// Zones with their components, sorted by trust then id.
    pub zones: Vec<ZoneSummary>,
    /// Flows that cross a trust boundary.
    pub crossings: Vec<CrossingSummary>,
    /// Components reachable from the internet.
    pub internet_exposed: Vec<Arc<str>>,
    /// Data assets with their classification and tags.
    pub data_assets: Vec<DataAssetSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ModelCounts {
    pub components: usize,
    pub flows: usize,
    pub zones: usize,
    pub data_assets: usize,
    pub boundary_crossings: usize,
    pub internet_exposed: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ZoneSummary {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub trust: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub components: Vec<Arc<str>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CrossingSummary {
    pub flow: Arc<str>,
    pub source: Arc<str>,
    pub target: Arc<str>,
    pub direction: crate::graph::Crossing,
    pub encrypted: bool,
    pub authentication: crate::model::Authentication,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DataAssetSummary {
    pub id: String,
    pub name: String,
    pub classification: String,
    pub tags: Vec<String>,
    pub confidentiality: u8,
    pub integrity: u8,
    pub availability: u8,
}

/// How the analysis was done (for ISO 27001 6.1.2 "consistent, valid, comparable").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Methodology {
    pub method: String,
    pub likelihood_scale: String,
    pub impact_scale: String,
    pub severity_matrix: String,
    pub residual_risk: String,
    pub attack_version: String,
}

/// Counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    pub threats: usize,
    /// By residual severity; every level present.
    pub by_severity: BTreeMap<String, usize>,
    /// By inherent severity; every level present.
    pub by_inherent_severity: BTreeMap<String, usize>,
    /// By STRIDE category (every category present) and LINDDUN category (when found).
    pub by_category: BTreeMap<String, usize>,
    pub by_status: BTreeMap<String, usize>,
    pub rules_evaluated: usize,
}

/// An element a threat concerns.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct ElementRef {
    pub id: Arc<str>,
    pub kind: ElementRefKind,
    pub name: Arc<str>,
}

named_enum! {
    /// What kind of element a threat concerns.
    ElementRefKind {
        Component => "component",
        Flow => "flow",
        Zone => "zone",
        DataAsset => "data_asset",
    }
}

/// An ATT&CK technique.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TechniqueRef {
    pub id: String,
    pub name: String,
    pub tactics: Vec<String>,
    pub url: String,
}

/// A catalog entry (CWE, CAPEC, ISO, CIS).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CatalogRef {
    pub id: String,
    pub title: String,
}

/// The controls a rule recommends, per framework.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct RuleControls {
    pub nist_800_53: Vec<CatalogRef>,
    pub iso_27001: Vec<CatalogRef>,
    pub cis_v8: Vec<CatalogRef>,
}

/// A rule of the analysis with its mappings, shared by every threat it finds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RuleSummary {
    pub id: String,
    pub version: String,
    pub title: String,
    pub stride: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub linddun: Vec<String>,
    pub attack: Vec<TechniqueRef>,
    pub recommended_controls: RuleControls,
    pub cwe: Vec<CatalogRef>,
    pub capec: Vec<CatalogRef>,
    /// Compliance requirements the rule checks, by framework id.
    pub requirements: BTreeMap<String, Vec<String>>,
    /// Control tokens that earn residual-risk credit against its threats.
    pub mitigations: Vec<String>,
}

/// A NIST SP 800-53 control a threat's rule recommends that a declared control implements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ImplementedControl {
    pub id: Arc<str>,
    /// Declared control tokens (on the threat's elements or their zones) that implement it.
    pub implemented_by: Vec<Arc<str>>,
}

/// A control that earned residual-risk credit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CreditedControl {
    pub control: Arc<str>,
    pub effect: crate::rules::Effect,
    /// Element that declares it.
    pub on: Arc<str>,
    pub status: crate::model::ControlStatus,
    pub evidence: usize,
}

/// One threat. Its rule's mappings (ATT&CK techniques, recommended controls, CWE, CAPEC,
/// requirements) are in the report's `rules` section: see [`Report::rule_of`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Threat {
    /// Stable fingerprint of rule id and element ids.
    pub id: ThreatId,
    pub rule: Arc<SourceRef>,
    pub title: Arc<str>,
    // The rule's description filled in for this threat, written out when serialized. (A plain
    // comment: a doc comment would change the report's JSON Schema and the generated TS types.)
    #[schemars(with = "String")]
    pub description: Description,
    pub stride: Arc<Vec<String>>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub linddun: Arc<Vec<String>>,
    // Shared by the threats on the same element. (A plain comment: see `description`.)
    pub elements: Arc<[ElementRef]>,
    pub severity: Severity,
    pub inherent_severity: Severity,
    pub likelihood: Likelihood,
    pub impact: Impact,
    /// `open`, `partially_mitigated` or `mitigated`.
    pub status: ThreatStatus,
    pub controls_credited: Box<[CreditedControl]>,
    /// Mitigation tokens the rule names that the model does not declare.
    pub controls_missing: Arc<[Arc<str>]>,
    /// The rule's recommended SP 800-53 controls that declared controls implement (the others
    /// are missing).
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub controls_implemented: Box<[ImplementedControl]>,
    /// Assumptions this threat depends on.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub assumptions: Box<[Arc<str>]>,
}

named_enum! {
    /// Where an assumption of the register comes from.
    AssumptionSource {
        /// Stated in the model.
        Declared => "declared",
        /// Made by the engine for an attribute or fact the model leaves unstated.
        Automatic => "automatic",
    }
}

/// An entry of the assumptions register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AssumptionEntry {
    pub id: String,
    pub statement: String,
    /// `declared` (from the model) or `automatic` (the engine's).
    pub source: AssumptionSource,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Arc<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_by: Option<String>,
    pub elements: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub threats: Vec<ThreatId>,
}

fn is_empty(v: &Arc<Vec<String>>) -> bool {
    v.is_empty()
}

impl Report {
    /// Canonical JSON (pretty, stable key order, trailing newline).
    pub fn to_json(&self) -> String {
        let mut out = Vec::with_capacity(4096 + self.threats.len() * 1024);
        // Writing into a Vec cannot fail, and serde_json writes UTF-8.
        let _ = self.write_json(&mut out);
        String::from_utf8(out).unwrap_or_default()
    }
    /// Writes the canonical JSON of [`Report::to_json`] to `w` as it is produced, without
    /// holding the whole text in memory. Wrap files in a `BufWriter`.
    pub fn write_json<W: std::io::Write>(&self, mut w: W) -> std::io::Result<()> {
        json::write_pretty(&mut w, self).map_err(std::io::Error::from)?;
        w.write_all(b"\n")
    }
    /// Compact JSON.
    pub fn to_json_compact(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
    /// Markdown for auditors.
    pub fn to_markdown(&self) -> String {
        to_markdown(self)
    }
    /// A plain-text table for terminals.
    pub fn to_table(&self) -> String {
        to_table(self)
    }
    /// The rule of the report with this id.
    pub fn rule(&self, id: &str) -> Option<&RuleSummary> {
        self.rule_index(id).and_then(|i| self.rules.get(i))
    }
    /// Position in `rules` (sorted by id) of the rule with this id.
    pub(crate) fn rule_index(&self, id: &str) -> Option<usize> {
        self.rules.binary_search_by(|r| r.id.as_str().cmp(id)).ok()
    }
    /// The rule that found `threat`, with its mappings.
    pub fn rule_of(&self, threat: &Threat) -> Option<&RuleSummary> {
        self.rule(&threat.rule.id)
    }
    /// Threats whose residual severity is at or above `level`.
    pub fn count_at_or_above(&self, level: Severity) -> usize {
        self.threats.iter().filter(|t| t.severity >= level).count()
    }
}
