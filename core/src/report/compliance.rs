//! Compliance evidence: per framework of the catalog, which requirements the report's content
//! evidences, and the findings of the rules that cite each requirement.

use super::Report;
use crate::catalog::{Catalogs, EvidenceKind, Framework, Requirement};
use crate::model::{DataTag, Model};
use crate::rules::RuleSet;
use crate::scoring::Severity;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a report evidences for one framework.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FrameworkEvidence {
    pub id: String,
    pub name: String,
    pub version: String,
    /// Whether the framework applies to this model (regulated data present, or always).
    pub applicable: bool,
    /// Why it applies or not.
    pub reason: String,
    /// Requirements evidenced in full.
    pub evidenced: usize,
    /// Requirements of the framework (only listed when applicable).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requirements: Vec<RequirementEvidence>,
}

/// What a report evidences for one requirement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RequirementEvidence {
    pub id: String,
    /// Our paraphrase of the requirement.
    pub title: String,
    /// `evidenced`, `partial` or `not_evidenced`.
    pub status: String,
    /// The report content that evidences it, one sentence each.
    pub evidence: Vec<String>,
    /// Evidence the requirement asks for that this report lacks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<String>,
    /// Rules of the pack that cite the requirement (all were evaluated).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
    /// Threats found by those rules, by residual severity.
    pub findings: Findings,
    /// What a person must add beyond the report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outside_report: Option<String>,
}

/// Threat counts for a requirement.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Findings {
    pub threats: usize,
    /// Threats not fully mitigated.
    pub open: usize,
    /// Highest residual severity among them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub highest: Option<Severity>,
}

/// Data facts every requirement reads, computed once per report.
struct DataFacts {
    /// Tags present in the model.
    tags: u64,
    /// Per tag bit set: number of flows carrying data with it; `u64::MAX` key = any data.
    flows_with: HashMap<u64, usize>,
    assets_with: HashMap<u64, usize>,
}

fn tag_set(tags: &[DataTag]) -> u64 {
    tags.iter().fold(0, |acc, t| acc | t.bit())
}

fn tag_names(tags: &[DataTag]) -> String {
    tags.iter().map(|t| t.as_str()).collect::<Vec<_>>().join("/")
}

impl DataFacts {
    fn new(model: &Model, frameworks: &[Framework]) -> DataFacts {
        let asset_tags: HashMap<&str, u64> =
            model.data_assets.iter().map(|a| (a.id.as_str(), tag_set(&a.tags))).collect();
        let tags = asset_tags.values().fold(0, |acc, t| acc | t);
        let flow_tags: Vec<u64> = model
            .flows
            .iter()
            .map(|f| f.data.iter().filter_map(|d| asset_tags.get(d.as_str())).fold(0, |acc, t| acc | t))
            .collect();
        let mut filters: HashSet<u64> = frameworks
            .iter()
            .flat_map(|f| &f.requirements)
            .filter(|r| !r.data_tags.is_empty())
            .map(|r| tag_set(&r.data_tags))
            .collect();
        filters.insert(u64::MAX);
        let mut flows_with = HashMap::default();
        let mut assets_with = HashMap::default();
        for filter in filters {
            flows_with.insert(filter, flow_tags.iter().filter(|&&t| t & filter != 0).count());
            assets_with.insert(filter, asset_tags.values().filter(|&&t| t & filter != 0).count());
        }
        // `u64::MAX` counts flows that carry any declared data, tagged or not.
        let carrying = model.flows.iter().filter(|f| !f.data.is_empty()).count();
        flows_with.insert(u64::MAX, carrying);
        assets_with.insert(u64::MAX, model.data_assets.len());
        DataFacts { tags, flows_with, assets_with }
    }
}

/// Counts of the report that evidence statements read.
struct ReportFacts {
    threats: usize,
    privacy: usize,
    with_attack: usize,
    techniques: usize,
    credited: usize,
    lowered: usize,
    missing_controls: usize,
    nist: usize,
    iso: usize,
    cis: usize,
}

impl ReportFacts {
    fn new(report: &Report) -> ReportFacts {
        let threats = &report.threats;
        let mut techniques = HashSet::default();
        let mut nist = HashSet::default();
        let mut iso = HashSet::default();
        let mut cis = HashSet::default();
        let mut f = ReportFacts {
            threats: threats.len(),
            privacy: 0,
            with_attack: 0,
            techniques: 0,
            credited: 0,
            lowered: 0,
            missing_controls: 0,
            nist: 0,
            iso: 0,
            cis: 0,
        };
        // Rules whose mappings are counted, by position in `report.rules`.
        let mut seen_rules = vec![false; report.rules.len()];
        for (t, at) in threats.iter().zip(rule_positions(report)) {
            let rule = at.and_then(|i| report.rules.get(i));
            let recommended = rule.map_or(0, |r| r.recommended_controls.nist_800_53.len());
            f.privacy += usize::from(!t.linddun.is_empty());
            f.with_attack += usize::from(rule.is_some_and(|r| !r.attack.is_empty()));
            f.credited += usize::from(!t.controls_credited.is_empty());
            f.lowered += usize::from(t.severity < t.inherent_severity);
            f.missing_controls += usize::from(t.controls_implemented.len() < recommended);
            if let Some(r) = rule
                && let Some(seen) = at.and_then(|i| seen_rules.get_mut(i))
                && !std::mem::replace(seen, true)
            {
                techniques.extend(r.attack.iter().map(|a| a.id.as_str()));
                nist.extend(r.recommended_controls.nist_800_53.iter().map(|c| c.id.as_str()));
                iso.extend(r.recommended_controls.iso_27001.iter().map(|c| c.id.as_str()));
                cis.extend(r.recommended_controls.cis_v8.iter().map(|c| c.id.as_str()));
            }
        }
        f.techniques = techniques.len();
        f.nist = nist.len();
        f.iso = iso.len();
        f.cis = cis.len();
        f
    }
}

/// The position in `report.rules` of each threat's rule (`None`: not there). The threats of a
/// rule share one `rule` reference and come in runs, so the search by id runs once per run.
fn rule_positions(report: &Report) -> impl Iterator<Item = Option<usize>> + '_ {
    let mut last: Option<(*const super::SourceRef, Option<usize>)> = None;
    report.threats.iter().map(move |t| {
        let at = std::sync::Arc::as_ptr(&t.rule);
        match last {
            Some((p, i)) if p == at => i,
            _ => {
                let i = report.rule_index(&t.rule.id);
                last = Some((at, i));
                i
            }
        }
    })
}

/// Builds the compliance section of `report` for `model`.
pub(crate) fn compliance(model: &Model, report: &Report, rules: &RuleSet, cat: &Catalogs) -> Vec<FrameworkEvidence> {
    let data = DataFacts::new(model, &cat.frameworks);
    let facts = ReportFacts::new(report);
    // (framework, requirement) → citing rules; rule → threat indices.
    let mut citing: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
    for r in &rules.rules {
        for (fw, ids) in &r.spec.requirements {
            for id in ids {
                citing.entry((fw.as_str(), id.as_str())).or_default().push(r.spec.id.as_str());
            }
        }
    }
    // Counted per position in `report.rules`, then keyed by rule id.
    let mut per_rule = vec![Findings::default(); report.rules.len()];
    let mut by_rule: HashMap<&str, Findings> = HashMap::default();
    for (t, rule) in report.threats.iter().zip(rule_positions(report)) {
        let f = match rule.and_then(|i| per_rule.get_mut(i)) {
            Some(f) => f,
            None => by_rule.entry(t.rule.id.as_str()).or_default(),
        };
        f.threats += 1;
        f.open += usize::from(t.status != crate::scoring::ThreatStatus::Mitigated);
        f.highest = f.highest.max(Some(t.severity));
    }
    for (r, f) in report.rules.iter().zip(per_rule) {
        if f.threats > 0 {
            by_rule.insert(r.id.as_str(), f);
        }
    }
    cat.frameworks
        .iter()
        .map(|fw| {
            let (applicable, reason) = match &fw.applies_when {
                None => (true, "applies to every model".to_owned()),
                Some(a) => {
                    let present: Vec<DataTag> =
                        a.data_tags.iter().copied().filter(|t| data.tags & t.bit() != 0).collect();
                    if present.is_empty() {
                        (false, format!("no data asset is tagged {}", tag_names(&a.data_tags)))
                    } else {
                        (true, format!("the model holds data tagged {}", tag_names(&present)))
                    }
                }
            };
            let requirements: Vec<RequirementEvidence> = if applicable {
                fw.requirements
                    .iter()
                    .map(|req| {
                        let cited = citing.get(&(fw.id.as_str(), req.id.as_str())).cloned().unwrap_or_default();
                        requirement(req, &cited, &by_rule, &data, &facts, report)
                    })
                    .collect()
            } else {
                Vec::new()
            };
            FrameworkEvidence {
                id: fw.id.clone(),
                name: fw.name.clone(),
                version: fw.version.clone(),
                applicable,
                reason,
                evidenced: requirements.iter().filter(|r| r.status == "evidenced").count(),
                requirements,
            }
        })
        .collect()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn requirement(
    req: &Requirement,
    cited: &[&str],
    by_rule: &HashMap<&str, Findings>,
    data: &DataFacts,
    f: &ReportFacts,
    report: &Report,
) -> RequirementEvidence {
    let mut evidence = Vec::new();
    let mut gaps = Vec::new();
    let filter = if req.data_tags.is_empty() { u64::MAX } else { tag_set(&req.data_tags) };
    let tagged = if req.data_tags.is_empty() { String::new() } else { format!(" {} data", tag_names(&req.data_tags)) };
    let m = &report.model.counts;
    for kind in &req.evidence {
        let (ok, text) = match kind {
            EvidenceKind::Architecture => (
                m.components > 0,
                format!(
                    "scope: {}, {}, {} described",
                    plural(m.components, "component", "components"),
                    plural(m.flows, "data flow", "data flows"),
                    plural(m.zones, "trust zone", "trust zones")
                ),
            ),
            EvidenceKind::DataFlows => {
                let n = data.flows_with.get(&filter).copied().unwrap_or(0);
                (
                    n > 0,
                    format!(
                        "{} carrying{} described with protocol, encryption and authentication",
                        plural(n, "data flow", "data flows"),
                        if tagged.is_empty() { " data" } else { &tagged }
                    ),
                )
            }
            EvidenceKind::TrustBoundaries => (
                m.zones > 0,
                format!(
                    "{} with trust levels; {} crossing them, with direction",
                    plural(m.zones, "trust zone", "trust zones"),
                    plural(m.boundary_crossings, "flow", "flows")
                ),
            ),
            EvidenceKind::DataInventory => {
                let n = data.assets_with.get(&filter).copied().unwrap_or(0);
                let with = if tagged.is_empty() { String::new() } else { format!(" holding{tagged}") };
                (
                    n > 0,
                    format!(
                        "data inventory: {}{with} with classification, tags and C/I/A levels",
                        plural(n, "data asset", "data assets")
                    ),
                )
            }
            EvidenceKind::ThreatRegister => (
                true,
                format!(
                    "threat register: {} from {} rules evaluated (STRIDE per element)",
                    plural(f.threats, "threat", "threats"),
                    report.summary.rules_evaluated
                ),
            ),
            EvidenceKind::PrivacyThreats => {
                (true, format!("{} assessed with LINDDUN", plural(f.privacy, "privacy threat", "privacy threats")))
            }
            EvidenceKind::AttackMapping => (
                f.threats == 0 || f.with_attack > 0,
                format!(
                    "{} linked to {} MITRE ATT&CK techniques",
                    plural(f.with_attack, "threat", "threats"),
                    f.techniques
                ),
            ),
            EvidenceKind::RiskRating => (
                true,
                format!(
                    "likelihood, impact and severity with contributing factors for each of {}",
                    plural(f.threats, "threat", "threats")
                ),
            ),
            EvidenceKind::ResidualRisk => (
                true,
                format!(
                    "inherent and residual severity per threat; declared controls credited on {}, lowering {}",
                    plural(f.credited, "threat", "threats"),
                    f.lowered
                ),
            ),
            EvidenceKind::ControlMapping => (
                f.threats == 0 || f.nist > 0,
                format!(
                    "recommended controls: {} NIST SP 800-53, {} ISO 27001 Annex A, {} CIS v8.1; {} with controls missing",
                    f.nist,
                    f.iso,
                    f.cis,
                    plural(f.missing_controls, "threat", "threats")
                ),
            ),
            EvidenceKind::Assumptions => {
                (true, format!("assumptions register: {}", plural(report.assumptions.len(), "entry", "entries")))
            }
            EvidenceKind::Methodology => {
                (true, format!("methodology: {}; scales and catalog versions stated", report.methodology.method))
            }
            EvidenceKind::Provenance => (
                true,
                format!(
                    "provenance: {} {}, model hash {}",
                    report.provenance.tool, report.provenance.version, report.provenance.model_hash
                ),
            ),
        };
        if ok {
            evidence.push(text);
        } else {
            gaps.push(format!("{}: {text}", kind.as_str()));
        }
    }
    let mut findings = Findings::default();
    for r in cited {
        if let Some(x) = by_rule.get(r) {
            findings.threats += x.threats;
            findings.open += x.open;
            findings.highest = findings.highest.max(x.highest);
        }
    }
    if !cited.is_empty() {
        evidence.push(format!(
            "checked by {} {}: {}, {} open",
            if cited.len() == 1 { "rule" } else { "rules" },
            cited.join(", "),
            plural(findings.threats, "threat", "threats"),
            findings.open
        ));
    }
    let status = if !gaps.is_empty() {
        if evidence.is_empty() { "not_evidenced" } else { "partial" }
    } else if evidence.is_empty() {
        "not_evidenced"
    } else {
        "evidenced"
    };
    RequirementEvidence {
        id: req.id.clone(),
        title: req.title.clone(),
        status: status.to_owned(),
        evidence,
        gaps,
        rules: cited.iter().map(|s| (*s).to_owned()).collect(),
        findings,
        outside_report: req.outside_report.clone(),
    }
}
