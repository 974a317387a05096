//! Compliance frameworks: for each requirement that a threat model evidences, its id, a
//! one-line paraphrase and which report content satisfies it (`catalogs/frameworks/`).

use crate::model::DataTag;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A part of the report that can evidence a requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// Components, zones and flows counted and described (the scope).
    Architecture,
    /// The data flows with protocol, encryption, authentication and the data they carry.
    DataFlows,
    /// Zones with trust levels and the flows crossing them.
    TrustBoundaries,
    /// Data assets with classification, regulatory tags and C/I/A levels.
    DataInventory,
    /// Threats found with STRIDE (and LINDDUN), per element.
    ThreatRegister,
    /// LINDDUN privacy threats.
    PrivacyThreats,
    /// Threats linked to MITRE ATT&CK techniques.
    AttackMapping,
    /// Likelihood, impact and severity per threat with their factors.
    RiskRating,
    /// Inherent and residual severity, declared controls credited.
    ResidualRisk,
    /// Recommended controls in NIST SP 800-53, ISO 27001 Annex A and CIS, declared vs missing.
    ControlMapping,
    /// The assumptions register.
    Assumptions,
    /// Method, scales, severity matrix, catalog and rule-pack versions.
    Methodology,
    /// Tool and rule-pack versions and the model's content hash.
    Provenance,
}

impl EvidenceKind {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Architecture => "architecture",
            EvidenceKind::DataFlows => "data_flows",
            EvidenceKind::TrustBoundaries => "trust_boundaries",
            EvidenceKind::DataInventory => "data_inventory",
            EvidenceKind::ThreatRegister => "threat_register",
            EvidenceKind::PrivacyThreats => "privacy_threats",
            EvidenceKind::AttackMapping => "attack_mapping",
            EvidenceKind::RiskRating => "risk_rating",
            EvidenceKind::ResidualRisk => "residual_risk",
            EvidenceKind::ControlMapping => "control_mapping",
            EvidenceKind::Assumptions => "assumptions",
            EvidenceKind::Methodology => "methodology",
            EvidenceKind::Provenance => "provenance",
        }
    }
}

/// When a framework applies to a model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Applicability {
    /// The framework applies when a data asset carries one of these tags.
    pub data_tags: Vec<DataTag>,
}

/// A requirement of a framework that a threat-model report can evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub id: String,
    /// Our one-line paraphrase (never the publisher's text).
    pub title: String,
    /// The report content that evidences it; rules that cite the requirement add their findings.
    #[serde(default)]
    pub evidence: Vec<EvidenceKind>,
    /// Narrows data-flow and data-inventory evidence to data carrying these tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_tags: Vec<DataTag>,
    /// What a person must add beyond the report (sign-off, frequency, review on change, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outside_report: Option<String>,
}

/// A compliance framework.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    /// The key rules use in `requirements` (`pci_dss`, `hipaa`, ...).
    pub id: String,
    pub name: String,
    pub version: String,
    pub publisher: String,
    /// Omitted: the framework is always listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies_when: Option<Applicability>,
    pub requirements: Vec<Requirement>,
}

impl Framework {
    /// The requirement with this id.
    pub fn requirement(&self, id: &str) -> Option<&Requirement> {
        self.requirements.iter().find(|r| r.id == id)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FrameworksBody {
    pub(super) frameworks: Vec<Framework>,
}
