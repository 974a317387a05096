//! Likelihood × impact → severity (../shared/reference/domain.md §3), with residual risk after
//! credited controls. Every number is kept with the factors that produced it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::sync::Arc;

named_enum! {
    /// Whether declared controls treat a threat.
    ThreatStatus {
        /// No declared control earns credit against it.
        Open => "open",
        /// Declared controls lower its likelihood or impact.
        PartiallyMitigated => "partially_mitigated",
        /// A strong control, or every mitigation its rule names, is declared.
        Mitigated => "mitigated",
    }
}

named_enum! {
    /// The security property a threat's impact is measured on. The impact of `authenticity` is the
    /// higher of the data's confidentiality and integrity levels; of `authorization`, the highest of
    /// confidentiality, integrity and availability.
    SecurityProperty {
        Confidentiality => "confidentiality",
        Integrity => "integrity",
        Availability => "availability",
        Authenticity => "authenticity",
        Authorization => "authorization",
    }
}

/// Severity on five levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] =
        [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info];
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "info" | "informational" => Some(Severity::Info),
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
    /// GitHub/SARIF `security-severity` value (mid-band).
    pub fn security_severity(self) -> &'static str {
        match self {
            Severity::Critical => "9.5",
            Severity::High => "8.0",
            Severity::Medium => "5.5",
            Severity::Low => "3.0",
            Severity::Info => "1.0",
        }
    }
}

/// The 5×5 matrix of domain.md §3.4, indexed [likelihood-1][impact-1].
const MATRIX: [[Severity; 5]; 5] = {
    use Severity::*;
    [
        [Info, Info, Low, Low, Low],
        [Info, Low, Medium, Medium, Medium],
        [Low, Medium, Medium, High, High],
        [Low, Medium, High, High, Critical],
        [Low, Medium, High, Critical, Critical],
    ]
};

/// Severity of a likelihood and an impact, each 1..=5 (clamped).
pub fn severity(likelihood: u8, impact: u8) -> Severity {
    let l = usize::from(likelihood.clamp(1, 5) - 1);
    let i = usize::from(impact.clamp(1, 5) - 1);
    MATRIX.get(l).and_then(|row| row.get(i)).copied().unwrap_or(Severity::Info)
}

/// Likelihood band of a factor sum (0..=8): 0-1 → 1, 2-3 → 2, 4 → 3, 5-6 → 4, 7-8 → 5.
pub fn band(sum: u8) -> u8 {
    match sum {
        0..=1 => 1,
        2..=3 => 2,
        4 => 3,
        5..=6 => 4,
        _ => 5,
    }
}

/// The factors behind a likelihood.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LikelihoodFactors {
    /// 0..=3: 3 anonymously reachable from the internet, 2 through authenticated hops or from a
    /// third-party/partner/workstation zone, 1 internal only, 0 in-process.
    pub exposure: u8,
    /// Element whose exposure counts.
    pub exposure_of: Arc<str>,
    /// 0..=2: 2 anonymous, 1 authenticated, 0 privileged.
    pub access: u8,
    /// 0..=2: 2 commodity, 1 specific, 0 advanced.
    pub complexity: u8,
    /// 0..=1: known threat activity (not derived in this release: always 0).
    pub threat_activity: u8,
    pub sum: u8,
}

/// Likelihood of a threat, inherent and residual.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Likelihood {
    pub inherent: u8,
    pub residual: u8,
    /// Absent when the rule fixes the likelihood (compliance findings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factors: Option<LikelihoodFactors>,
}

/// An impact modifier (+1 scale, +1 multi-tenant, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Modifier {
    pub reason: Cow<'static, str>,
    pub delta: i8,
}

/// Impact of a threat, inherent and residual.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Impact {
    pub inherent: u8,
    pub residual: u8,
    /// Security property threatened.
    pub property: SecurityProperty,
    /// Level before modifiers.
    pub base: u8,
    /// Data assets at stake (ids).
    pub assets: Arc<[Arc<str>]>,
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub modifiers: Box<[Modifier]>,
}

/// Applies credits (capped at 3 per axis, floored at 1).
pub fn residual(inherent: u8, credit: u8) -> u8 {
    inherent.saturating_sub(credit.min(3)).max(1).min(inherent.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_matches_domain_table() {
        assert_eq!(severity(5, 5), Severity::Critical);
        assert_eq!(severity(5, 4), Severity::Critical);
        assert_eq!(severity(4, 4), Severity::High);
        assert_eq!(severity(4, 5), Severity::Critical);
        assert_eq!(severity(3, 3), Severity::Medium);
        assert_eq!(severity(2, 5), Severity::Medium);
        assert_eq!(severity(1, 2), Severity::Info);
        assert_eq!(severity(1, 3), Severity::Low);
        assert_eq!(severity(0, 9), Severity::Low);
    }

    #[test]
    fn bands() {
        assert_eq!([0, 1, 2, 3, 4, 5, 6, 7, 8].map(band), [1, 1, 2, 2, 3, 4, 4, 5, 5]);
    }

    #[test]
    fn residual_never_exceeds_inherent_and_floors_at_one() {
        for i in 1..=5 {
            for c in 0..=6 {
                let r = residual(i, c);
                assert!(r <= i && r >= 1);
            }
        }
        assert_eq!(residual(5, 2), 3);
        assert_eq!(residual(5, 9), 2);
    }
}
