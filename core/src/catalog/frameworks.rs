//! Compliance frameworks: for each requirement that a threat model evidences, its id, a
//! one-line paraphrase and which report content satisfies it (`catalogs/frameworks/`).

use crate::model::DataTag;
use serde::{Deserialize, Serialize};

named_enum! {
    /// A part of the report that can evidence a requirement.
    EvidenceKind {
        /// Components, zones and flows counted and described (the scope).
        Architecture => "architecture",
        /// The data flows with protocol, encryption, authentication and the data they carry.
        DataFlows => "data_flows",
        /// Zones with trust levels and the flows crossing them.
        TrustBoundaries => "trust_boundaries",
        /// Data assets with classification, regulatory tags and C/I/A levels.
        DataInventory => "data_inventory",
        /// Threats found with STRIDE (and LINDDUN), per element.
        ThreatRegister => "threat_register",
        /// LINDDUN privacy threats.
        PrivacyThreats => "privacy_threats",
        /// Threats linked to MITRE ATT&CK techniques.
        AttackMapping => "attack_mapping",
        /// Likelihood, impact and severity per threat with their factors.
        RiskRating => "risk_rating",
        /// Inherent and residual severity, declared controls credited.
        ResidualRisk => "residual_risk",
        /// Recommended controls in NIST SP 800-53, ISO 27001 Annex A and CIS, declared vs missing.
        ControlMapping => "control_mapping",
        /// The assumptions register.
        Assumptions => "assumptions",
        /// Method, scales, severity matrix, catalog and rule-pack versions.
        Methodology => "methodology",
        /// Tool and rule-pack versions and the model's content hash.
        Provenance => "provenance",
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
