//! NIST CSF 2.0 and the crosswalks between catalogs: ATT&CK → SP 800-53 (Center for
//! Threat-Informed Defense) and SP 800-53 ↔ CSF 2.0 ↔ ISO 27001:2022 ↔ CIS v8.1 ↔ PCI DSS (the
//! informative references of CSF 2.0).

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// A CSF 2.0 function (`GV`, `ID`, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsfFunction {
    pub id: String,
    pub title: String,
}

/// A CSF 2.0 category (`ID.RA`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsfCategory {
    pub id: String,
    pub function: String,
    pub title: String,
}

/// A CSF 2.0 subcategory (`ID.RA-03`) and its outcome statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsfSubcategory {
    pub id: String,
    pub category: String,
    pub title: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CsfBody {
    pub(super) functions: Vec<CsfFunction>,
    pub(super) categories: Vec<CsfCategory>,
    pub(super) subcategories: Vec<CsfSubcategory>,
}

/// One technique of the ATT&CK → SP 800-53 mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TechniqueMapping {
    pub technique: String,
    pub controls: Vec<String>,
}

/// A technique id of the source mapping that was replaced by its ATT&CK 18.1 successor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Remapped {
    pub from: String,
    pub to: String,
    pub rows: u32,
}

/// Source rows left out, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dropped {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technique: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subcategory: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AttackMappingBody {
    pub(super) mappings: Vec<TechniqueMapping>,
    #[serde(default)]
    pub(super) remapped: Vec<Remapped>,
    #[serde(default)]
    pub(super) dropped: Vec<Dropped>,
}

/// The informative references of one CSF 2.0 subcategory.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsfReferences {
    pub subcategory: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nist_800_53: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub iso_27001: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub iso_27001_clauses: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cis_v8: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pci_dss: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CsfReferencesBody {
    pub(super) references: Vec<CsfReferences>,
    #[serde(default)]
    pub(super) dropped: Vec<Dropped>,
}

/// A control framework a crosswalk query can answer in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlFramework {
    /// NIST SP 800-53 rev5 (OSCAL ids, `sc-8`).
    Nist80053,
    /// ISO/IEC 27001:2022 Annex A (`A.8.24`).
    Iso27001,
    /// CIS Controls v8.1 safeguards (`3.10`).
    CisV8,
    /// NIST CSF 2.0 subcategories (`PR.DS-02`).
    Csf,
    /// PCI DSS v4 requirements as cited by CSF 2.0's informative references.
    PciDss,
}

impl ControlFramework {
    /// Every framework, in display order.
    pub const ALL: [ControlFramework; 5] = [
        ControlFramework::Nist80053,
        ControlFramework::Iso27001,
        ControlFramework::CisV8,
        ControlFramework::Csf,
        ControlFramework::PciDss,
    ];

    /// The key used in rules, crosswalk files and on the command line.
    pub fn key(self) -> &'static str {
        match self {
            ControlFramework::Nist80053 => "nist_800_53",
            ControlFramework::Iso27001 => "iso_27001",
            ControlFramework::CisV8 => "cis_v8",
            ControlFramework::Csf => "nist_csf",
            ControlFramework::PciDss => "pci_dss",
        }
    }

    /// A display name.
    pub fn name(self) -> &'static str {
        match self {
            ControlFramework::Nist80053 => "NIST SP 800-53 rev5",
            ControlFramework::Iso27001 => "ISO/IEC 27001:2022 Annex A",
            ControlFramework::CisV8 => "CIS Controls v8.1",
            ControlFramework::Csf => "NIST CSF 2.0",
            ControlFramework::PciDss => "PCI DSS v4",
        }
    }

    /// Parses a key (`nist_800_53`, `iso_27001`, `cis_v8`, `nist_csf`, `pci_dss`).
    pub fn parse(s: &str) -> Option<ControlFramework> {
        ControlFramework::ALL.into_iter().find(|f| f.key() == s)
    }

    fn refs(self, r: &CsfReferences) -> &[String] {
        match self {
            ControlFramework::Nist80053 => &r.nist_800_53,
            ControlFramework::Iso27001 => &r.iso_27001,
            ControlFramework::CisV8 => &r.cis_v8,
            ControlFramework::PciDss => &r.pci_dss,
            ControlFramework::Csf => std::slice::from_ref(&r.subcategory),
        }
    }
}

/// Indexed crosswalks.
#[derive(Debug, Clone, Default)]
pub struct Crosswalks {
    /// ATT&CK technique → SP 800-53 controls that mitigate it (CTID).
    pub attack_to_nist: BTreeMap<String, Vec<String>>,
    /// SP 800-53 control → ATT&CK techniques it mitigates (CTID).
    pub nist_to_attack: BTreeMap<String, Vec<String>>,
    /// CSF 2.0 subcategory → its informative references.
    pub csf_refs: BTreeMap<String, CsfReferences>,
    /// (framework, id) → CSF subcategories that cite it.
    csf_by_ref: BTreeMap<(ControlFramework, String), Vec<String>>,
    /// Source technique ids the crosswalk files moved to their ATT&CK successor.
    pub remapped: Vec<Remapped>,
    /// Source rows the crosswalk files left out, and why.
    pub dropped: Vec<Dropped>,
}

impl Crosswalks {
    pub(super) fn set_attack(&mut self, mappings: Vec<TechniqueMapping>) {
        let mut reverse: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for m in &mappings {
            for c in &m.controls {
                reverse.entry(c.clone()).or_default().push(m.technique.clone());
            }
        }
        for list in reverse.values_mut() {
            list.sort_by(|a, b| natural_cmp(a, b));
            list.dedup();
        }
        self.attack_to_nist = mappings.into_iter().map(|m| (m.technique, m.controls)).collect();
        self.nist_to_attack = reverse;
    }

    pub(super) fn set_csf(&mut self, refs: BTreeMap<String, CsfReferences>) {
        let mut by_ref: BTreeMap<(ControlFramework, String), Vec<String>> = BTreeMap::new();
        for r in refs.values() {
            for fw in ControlFramework::ALL {
                if fw == ControlFramework::Csf {
                    continue;
                }
                for id in fw.refs(r) {
                    by_ref.entry((fw, id.clone())).or_default().push(r.subcategory.clone());
                }
            }
        }
        self.csf_refs = refs;
        self.csf_by_ref = by_ref;
    }

    /// CSF 2.0 subcategories whose informative references cite `id` of `framework`.
    pub fn csf_citing(&self, framework: ControlFramework, id: &str) -> &[String] {
        if framework == ControlFramework::Csf {
            return &[];
        }
        self.csf_by_ref.get(&(framework, id.to_owned())).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Translates ids of one framework into another through CSF 2.0's informative references:
    /// `ids` → the CSF subcategories citing them → their references in `to`. Sorted, unique.
    pub fn translate(&self, from: ControlFramework, ids: &[String], to: ControlFramework) -> Vec<String> {
        if from == to {
            let mut out = ids.to_vec();
            out.sort_by(|a, b| natural_cmp(a, b));
            out.dedup();
            return out;
        }
        let mut subcats: Vec<&str> = Vec::new();
        for id in ids {
            if from == ControlFramework::Csf {
                subcats.push(id);
            } else {
                subcats.extend(self.csf_citing(from, id).iter().map(String::as_str));
            }
        }
        let mut out: Vec<String> =
            subcats.into_iter().filter_map(|s| self.csf_refs.get(s)).flat_map(|r| to.refs(r).iter().cloned()).collect();
        out.sort_by(|a, b| natural_cmp(a, b));
        out.dedup();
        out
    }

    /// SP 800-53 controls that CTID maps to `technique`.
    pub fn controls_for_technique(&self, technique: &str) -> &[String] {
        self.attack_to_nist.get(technique).map(Vec::as_slice).unwrap_or(&[])
    }

    /// ATT&CK techniques CTID maps to the SP 800-53 `control`.
    pub fn techniques_for_control(&self, control: &str) -> &[String] {
        self.nist_to_attack.get(control).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// One run of an id split for natural ordering: digits (leading zeros dropped) sort before text.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum Part<'a> {
    Number(usize, &'a str),
    Text(&'a str),
}

fn parts(s: &str) -> impl Iterator<Item = Part<'_>> {
    let mut rest = s;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let digit = first.is_ascii_digit();
        let end = rest.find(|c: char| c.is_ascii_digit() != digit).unwrap_or(rest.len());
        let (run, tail) = rest.split_at(end);
        rest = tail;
        Some(if digit {
            let n = run.trim_start_matches('0');
            Part::Number(n.len(), n)
        } else {
            Part::Text(run)
        })
    })
}

/// Natural order, as `natural_key` in `build_catalogs.py`: `T1001 < T1001.001 < T1002`, `TA0002 < TA0010`.
/// Ties (`T01` and `T1`) are broken by the plain string order so that the result is total.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    parts(a).cmp(parts(b)).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_cases() {
        use std::cmp::Ordering;
        assert_eq!(natural_cmp("T1001", "T1001.001"), Ordering::Less);
        assert_eq!(natural_cmp("T1001.001", "T1002"), Ordering::Less);
        assert_eq!(natural_cmp("T1001.002", "T1001.010"), Ordering::Less);
        assert_eq!(natural_cmp("TA0002", "TA0010"), Ordering::Less);
        assert_eq!(natural_cmp("T99", "T100"), Ordering::Less);
        assert_eq!(natural_cmp("T1", "T1"), Ordering::Equal);
        assert_eq!(natural_cmp("1", "a"), Ordering::Less);
        assert_eq!(natural_cmp("", "T1"), Ordering::Less);
        assert_eq!(natural_cmp("T99999999999999999999999999999999999999", "T1"), Ordering::Greater);
    }

    #[test]
    fn natural_order() {
        let mut v = vec!["T1002", "T1001.001", "T1001", "ac-10", "ac-2.1", "ac-2", "A.8.10", "A.8.9"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, ["A.8.9", "A.8.10", "T1001", "T1001.001", "T1002", "ac-2", "ac-2.1", "ac-10"]);
    }

    #[test]
    fn translate_goes_through_csf() {
        let mut cw = Crosswalks::default();
        let refs = [
            CsfReferences {
                subcategory: "PR.DS-02".into(),
                nist_800_53: vec!["sc-8".into(), "sc-13".into()],
                iso_27001: vec!["A.8.24".into()],
                cis_v8: vec!["3.10".into()],
                ..Default::default()
            },
            CsfReferences {
                subcategory: "PR.DS-01".into(),
                nist_800_53: vec!["sc-28".into(), "sc-13".into()],
                iso_27001: vec!["A.8.24".into(), "A.5.33".into()],
                ..Default::default()
            },
        ];
        cw.set_csf(refs.into_iter().map(|r| (r.subcategory.clone(), r)).collect());
        let iso = cw.translate(ControlFramework::Nist80053, &["sc-8".into()], ControlFramework::Iso27001);
        assert_eq!(iso, ["A.8.24"]);
        let nist = cw.translate(ControlFramework::Iso27001, &["A.8.24".into()], ControlFramework::Nist80053);
        assert_eq!(nist, ["sc-8", "sc-13", "sc-28"]);
        assert_eq!(cw.csf_citing(ControlFramework::Nist80053, "sc-13"), ["PR.DS-01", "PR.DS-02"]);
        assert!(cw.translate(ControlFramework::CisV8, &["9.9".into()], ControlFramework::Iso27001).is_empty());
    }
}
