//! Reference catalogs: MITRE ATT&CK, NIST SP 800-53 rev5, ISO/IEC 27001:2022 Annex A,
//! CIS Controls v8.1, CWE, CAPEC and the control-token vocabulary. The files live under
//! `catalogs/` and are bundled into the library; every rule id is checked against them.

mod crosswalk;
mod frameworks;
pub mod stix;

pub use crosswalk::{
    ControlFramework, Crosswalks, CsfCategory, CsfFunction, CsfReferences, CsfSubcategory, Dropped, Remapped,
    TechniqueMapping, natural_cmp,
};
pub use frameworks::{Applicability, EvidenceKind, Framework, Requirement};

use crate::error::{Diagnostic, Error, Result};
use crate::model::Format;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};

macro_rules! bundled {
    ($path:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../catalogs/", $path))
    };
}

/// The catalog files compiled into the library, by name. A `static`, not a `const`: each use
/// of a `const` may get its own copy of the text (0.95 MB), and with several codegen units a
/// build did (the CLI grew by 0.9 MB when an unrelated change moved code between units).
pub static BUNDLED_FILES: &[(&str, &str)] = &[
    ("attack/enterprise-attack.json", bundled!("attack/enterprise-attack.json")),
    ("nist-800-53/controls.json", bundled!("nist-800-53/controls.json")),
    ("iso-27001/annex-a.json", bundled!("iso-27001/annex-a.json")),
    ("cis/controls.json", bundled!("cis/controls.json")),
    ("cwe/cwe.json", bundled!("cwe/cwe.json")),
    ("capec/capec.json", bundled!("capec/capec.json")),
    ("controls/tokens.yaml", bundled!("controls/tokens.yaml")),
    ("nist-csf/csf-2.0.json", bundled!("nist-csf/csf-2.0.json")),
    ("crosswalks/attack-nist-800-53.json", bundled!("crosswalks/attack-nist-800-53.json")),
    ("crosswalks/csf-2.0-references.json", bundled!("crosswalks/csf-2.0-references.json")),
    ("frameworks/frameworks.yaml", bundled!("frameworks/frameworks.yaml")),
];

/// The rule files compiled into the library (a `static` for the same reason).
pub static BUNDLED_RULES: &[(&str, &str)] = &[("rules/starter.yaml", bundled!("rules/starter.yaml"))];

/// Identity of a loaded catalog or rule pack (reported in provenance).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SourceInfo {
    pub id: String,
    pub version: String,
}

/// Header fields every catalog and rule file carries.
#[derive(Debug, Clone)]
pub(crate) struct Header<T> {
    pub(crate) id: String,
    pub(crate) version: String,
    pub(crate) body: T,
}

/// An ATT&CK tactic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tactic {
    pub id: String,
    pub shortname: String,
    pub name: String,
}

named_enum! {
    /// Status of a catalog entry.
    EntryStatus {
        Active => "active",
        Revoked => "revoked",
        Deprecated => "deprecated",
        Withdrawn => "withdrawn",
    }
}

/// An ATT&CK technique or sub-technique.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Technique {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub tactics: Vec<String>,
    pub status: EntryStatus,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revoked_by: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

impl Technique {
    /// The technique's page on attack.mitre.org.
    pub fn url(&self) -> String {
        format!("https://attack.mitre.org/techniques/{}/", self.id.replace('.', "/"))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct AttackBody {
    tactics: Vec<Tactic>,
    techniques: Vec<Technique>,
}

/// A NIST SP 800-53 control family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Family {
    pub id: String,
    pub title: String,
}

/// A NIST SP 800-53 rev5 control or enhancement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NistControl {
    /// OSCAL id, e.g. `ia-2.1`.
    pub id: String,
    /// Display label, e.g. `IA-2(1)`.
    pub label: String,
    pub title: String,
    pub family: String,
    pub status: EntryStatus,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withdrawn_to: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub baselines: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct NistBody {
    families: Vec<Family>,
    controls: Vec<NistControl>,
}

/// An ISO/IEC 27001:2022 Annex A control (id and our own short title).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IsoControl {
    pub id: String,
    pub title: String,
    pub theme: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct IsoBody {
    controls: Vec<IsoControl>,
}

/// A CIS Controls v8.1 control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CisControl {
    pub id: String,
    pub title: String,
}

/// A CIS Controls v8.1 safeguard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CisSafeguard {
    pub id: String,
    pub control: String,
    pub title: String,
    /// Lowest implementation group that includes it.
    pub ig: u8,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CisBody {
    controls: Vec<CisControl>,
    safeguards: Vec<CisSafeguard>,
}

/// A CWE weakness.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weakness {
    pub id: String,
    pub name: String,
    pub status: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CweBody {
    weaknesses: Vec<Weakness>,
}

/// A CAPEC attack pattern.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttackPattern {
    pub id: String,
    pub name: String,
    pub status: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deprecated: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CapecBody {
    patterns: Vec<AttackPattern>,
}

/// A control token that models declare (`mfa`, `waf`, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlToken {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub nist_800_53: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenBody {
    tokens: Vec<ControlToken>,
}

/// All reference catalogs, indexed by id.
#[derive(Debug, Clone, Default)]
pub struct Catalogs {
    pub sources: Vec<SourceInfo>,
    pub tactics: BTreeMap<String, Tactic>,
    pub techniques: BTreeMap<String, Technique>,
    pub nist_families: BTreeMap<String, Family>,
    pub nist: BTreeMap<String, NistControl>,
    pub iso: BTreeMap<String, IsoControl>,
    pub cis_controls: BTreeMap<String, CisControl>,
    pub cis: BTreeMap<String, CisSafeguard>,
    pub cwe: BTreeMap<String, Weakness>,
    pub capec: BTreeMap<String, AttackPattern>,
    pub tokens: BTreeMap<String, ControlToken>,
    pub csf_functions: BTreeMap<String, CsfFunction>,
    pub csf_categories: BTreeMap<String, CsfCategory>,
    /// CSF 2.0 subcategories.
    pub csf: BTreeMap<String, CsfSubcategory>,
    pub crosswalks: Crosswalks,
    /// Compliance frameworks, in file order.
    pub frameworks: Vec<Framework>,
}

/// Reads a catalog or rule file: the header (`format_version`, `id`, `version`, `source`,
/// `licence`) is checked here, the rest is deserialized as `T` with unknown fields rejected.
pub(crate) fn load_file<T: serde::de::DeserializeOwned>(name: &str, text: &str, family: &str) -> Result<Header<T>> {
    let wrap = |d: Vec<Diagnostic>| if family == "rule" { Error::Rule(d) } else { Error::Catalog(d) };
    let format = Format::from_path(name);
    let value: serde_json::Value = crate::model::parse_document(text, format, family, |_, _| Vec::new())
        .map_err(|e| wrap(e.diagnostics().iter().map(|d| in_file(name, d)).collect()))?;
    let serde_json::Value::Object(mut obj) = value else {
        return Err(wrap(vec![Diagnostic::new(
            &format!("{family}.invalid_type"),
            format!("{name}#"),
            "the file must be a mapping",
        )]));
    };
    let mut diags = Vec::new();
    let mut header = |key: &str| -> String {
        match obj.remove(key) {
            Some(serde_json::Value::String(s)) if !s.trim().is_empty() => s,
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => {
                diags.push(Diagnostic::new(
                    &format!("{family}.missing_field"),
                    format!("{name}#/{key}"),
                    format!("missing required field `{key}`"),
                ));
                String::new()
            }
        }
    };
    let fv = header("format_version");
    let id = header("id");
    let version = header("version");
    header("source");
    header("licence");
    if !fv.is_empty() && fv != "1" {
        diags.push(Diagnostic::new(
            &format!("{family}.unsupported_version"),
            format!("{name}#/format_version"),
            format!("format version `{fv}` is not supported; this release reads version 1"),
        ));
    }
    if !diags.is_empty() {
        return Err(wrap(diags));
    }
    let body: T = serde_path_to_error::deserialize(serde_json::Value::Object(obj)).map_err(|e| {
        let d = crate::model::serde_diag(family, "", &e.path().to_string(), &e.inner().to_string());
        wrap(vec![in_file(name, &d)])
    })?;
    Ok(Header { id, version, body })
}

fn load<T: serde::de::DeserializeOwned>(name: &str, text: &str) -> Result<Header<T>> {
    load_file(name, text, "catalog")
}

fn in_file(name: &str, d: &Diagnostic) -> Diagnostic {
    let pointer = json_pointer(&d.path);
    Diagnostic::new(&d.code, format!("{name}#{pointer}"), d.message.clone())
}

/// `a.b[3].c` -> `/a/b/3/c`.
pub(crate) fn json_pointer(path: &str) -> String {
    let mut out = String::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let mut rest = part;
        if let Some(i) = rest.find('[') {
            out.push('/');
            out.push_str(rest.get(..i).unwrap_or(""));
            rest = rest.get(i..).unwrap_or("");
            for idx in rest.split('[').filter(|s| !s.is_empty()) {
                out.push('/');
                out.push_str(idx.trim_end_matches(']'));
            }
        } else {
            out.push('/');
            out.push_str(rest);
        }
    }
    out
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn index<T, F: Fn(&T) -> &str>(
    name: &str,
    list_name: &str,
    items: Vec<T>,
    key: F,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, T> {
    let mut map = BTreeMap::new();
    for (i, item) in items.into_iter().enumerate() {
        let k = key(&item).to_owned();
        match map.entry(k) {
            std::collections::btree_map::Entry::Occupied(e) => diags.push(Diagnostic::new(
                "catalog.duplicate_id",
                format!("{name}#/{list_name}/{i}/id"),
                format!("duplicate id `{}`", e.key()),
            )),
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(item);
            }
        }
    }
    map
}

impl Catalogs {
    /// The catalogs bundled with this release (parsed once per process).
    pub fn bundled() -> Result<Arc<Catalogs>> {
        static BUNDLED: OnceLock<std::result::Result<Arc<Catalogs>, Error>> = OnceLock::new();
        BUNDLED.get_or_init(|| Catalogs::from_files(BUNDLED_FILES).map(Arc::new)).clone()
    }

    /// Loads catalogs from `(file name, text)` pairs; the file name decides the catalog type
    /// (`attack/`, `nist-800-53/`, `iso-27001/`, `cis/`, `cwe/`, `capec/`, `controls/`).
    pub fn from_files(files: &[(&str, &str)]) -> Result<Catalogs> {
        let mut c = Catalogs::default();
        let mut diags = Vec::new();
        for (name, text) in files {
            if let Err(e) = c.add_file(name, text, &mut diags) {
                diags.extend(e.diagnostics().iter().cloned());
            }
        }
        c.check_references(&mut diags);
        c.check_crosswalk_references(&mut diags);
        if diags.is_empty() { Ok(c) } else { Err(Error::Catalog(diags)) }
    }

    fn add_file(&mut self, name: &str, text: &str, diags: &mut Vec<Diagnostic>) -> Result<()> {
        let dir = name.split('/').next().unwrap_or("");
        macro_rules! src {
            ($h:expr) => {
                self.sources.push(SourceInfo { id: $h.id.clone(), version: $h.version.clone() })
            };
        }
        match dir {
            "attack" => {
                let h: Header<AttackBody> = load(name, text)?;
                src!(h);
                self.tactics = index(name, "tactics", h.body.tactics, |t| &t.shortname, diags);
                self.techniques = index(name, "techniques", h.body.techniques, |t| &t.id, diags);
            }
            "nist-800-53" => {
                let h: Header<NistBody> = load(name, text)?;
                src!(h);
                self.nist_families = index(name, "families", h.body.families, |f| &f.id, diags);
                self.nist = index(name, "controls", h.body.controls, |c| &c.id, diags);
            }
            "iso-27001" => {
                let h: Header<IsoBody> = load(name, text)?;
                src!(h);
                self.iso = index(name, "controls", h.body.controls, |c| &c.id, diags);
            }
            "cis" => {
                let h: Header<CisBody> = load(name, text)?;
                src!(h);
                self.cis_controls = index(name, "controls", h.body.controls, |c| &c.id, diags);
                self.cis = index(name, "safeguards", h.body.safeguards, |c| &c.id, diags);
            }
            "cwe" => {
                let h: Header<CweBody> = load(name, text)?;
                src!(h);
                self.cwe = index(name, "weaknesses", h.body.weaknesses, |c| &c.id, diags);
            }
            "capec" => {
                let h: Header<CapecBody> = load(name, text)?;
                src!(h);
                self.capec = index(name, "patterns", h.body.patterns, |c| &c.id, diags);
            }
            "controls" => {
                let h: Header<TokenBody> = load(name, text)?;
                src!(h);
                self.tokens = index(name, "tokens", h.body.tokens, |c| &c.id, diags);
            }
            "nist-csf" => {
                let h: Header<crosswalk::CsfBody> = load(name, text)?;
                src!(h);
                self.csf_functions = index(name, "functions", h.body.functions, |f| &f.id, diags);
                self.csf_categories = index(name, "categories", h.body.categories, |c| &c.id, diags);
                self.csf = index(name, "subcategories", h.body.subcategories, |s| &s.id, diags);
            }
            "crosswalks" if file_name(name).starts_with("attack-") => {
                let h: Header<crosswalk::AttackMappingBody> = load(name, text)?;
                src!(h);
                let mappings = index(name, "mappings", h.body.mappings, |m| &m.technique, diags);
                self.crosswalks.set_attack(mappings.into_values().collect());
                self.crosswalks.remapped.extend(h.body.remapped);
                self.crosswalks.dropped.extend(h.body.dropped);
            }
            "crosswalks" if file_name(name).starts_with("csf-") => {
                let h: Header<crosswalk::CsfReferencesBody> = load(name, text)?;
                src!(h);
                let refs = index(name, "references", h.body.references, |r| &r.subcategory, diags);
                self.crosswalks.set_csf(refs);
                self.crosswalks.dropped.extend(h.body.dropped);
            }
            "frameworks" => {
                let h: Header<frameworks::FrameworksBody> = load(name, text)?;
                src!(h);
                let mut seen: BTreeSet<String> = self.frameworks.iter().map(|f| f.id.clone()).collect();
                for (i, f) in h.body.frameworks.iter().enumerate() {
                    if !seen.insert(f.id.clone()) {
                        diags.push(Diagnostic::new(
                            "catalog.duplicate_id",
                            format!("{name}#/frameworks/{i}/id"),
                            format!("duplicate framework `{}`", f.id),
                        ));
                    }
                    let mut reqs = BTreeSet::new();
                    for (j, r) in f.requirements.iter().enumerate() {
                        if !reqs.insert(r.id.as_str()) {
                            diags.push(Diagnostic::new(
                                "catalog.duplicate_id",
                                format!("{name}#/frameworks/{i}/requirements/{j}/id"),
                                format!("duplicate requirement `{}` in framework `{}`", r.id, f.id),
                            ));
                        }
                    }
                }
                self.frameworks.extend(h.body.frameworks);
            }
            _ => diags.push(Diagnostic::new(
                "catalog.unknown_file",
                name.to_owned(),
                format!(
                    "cannot tell which catalog `{name}` is; put it under attack/, nist-800-53/, iso-27001/, cis/, \
                     cwe/, capec/, controls/, nist-csf/, crosswalks/ (attack-*.json or csf-*.json) or frameworks/"
                ),
            )),
        }
        Ok(())
    }

    fn check_references(&self, diags: &mut Vec<Diagnostic>) {
        for (id, t) in &self.techniques {
            for tac in &t.tactics {
                if !self.tactics.is_empty() && !self.tactics.contains_key(tac) {
                    diags.push(Diagnostic::new(
                        "catalog.unknown_reference",
                        format!("attack/enterprise-attack.json#/techniques/{id}/tactics"),
                        format!("unknown tactic `{tac}`"),
                    ));
                }
            }
        }
        for (id, t) in &self.tokens {
            for n in &t.nist_800_53 {
                if !self.nist.is_empty() && !self.nist.contains_key(n) {
                    diags.push(Diagnostic::new(
                        "catalog.unknown_reference",
                        format!("controls/tokens.yaml#/tokens/{id}/nist_800_53"),
                        format!("unknown NIST SP 800-53 control `{n}`"),
                    ));
                }
            }
        }
        for (id, s) in &self.cis {
            if !self.cis_controls.is_empty() && !self.cis_controls.contains_key(&s.control) {
                diags.push(Diagnostic::new(
                    "catalog.unknown_reference",
                    format!("cis/controls.json#/safeguards/{id}/control"),
                    format!("unknown CIS control `{}`", s.control),
                ));
            }
        }
    }

    fn check_crosswalk_references(&self, diags: &mut Vec<Diagnostic>) {
        let mut unknown =
            |path: String, msg: String| diags.push(Diagnostic::new("catalog.unknown_reference", path, msg));
        let active_nist =
            |c: &str| self.nist.is_empty() || self.nist.get(c).is_some_and(|n| n.status == EntryStatus::Active);
        let known_iso = |c: &str| self.iso.is_empty() || self.iso.contains_key(c);
        let known_cis = |c: &str| self.cis.is_empty() || self.cis.contains_key(c) || self.cis_controls.contains_key(c);
        let known_csf =
            |c: &str| self.csf.is_empty() || self.csf.contains_key(c) || self.csf_categories.contains_key(c);
        for (i, c) in self.csf_categories.values().enumerate() {
            if !self.csf_functions.contains_key(&c.function) {
                unknown(
                    format!("nist-csf/csf-2.0.json#/categories/{i}/function"),
                    format!("unknown CSF function `{}`", c.function),
                );
            }
        }
        for (i, s) in self.csf.values().enumerate() {
            if !self.csf_categories.contains_key(&s.category) {
                unknown(
                    format!("nist-csf/csf-2.0.json#/subcategories/{i}/category"),
                    format!("unknown CSF category `{}`", s.category),
                );
            }
        }
        for (i, (t, controls)) in self.crosswalks.attack_to_nist.iter().enumerate() {
            let file = "crosswalks/attack-nist-800-53.json#/mappings";
            if !self.techniques.is_empty() && self.techniques.get(t).is_none_or(|x| x.status != EntryStatus::Active) {
                unknown(format!("{file}/{i}/technique"), format!("`{t}` is not an active ATT&CK technique"));
            }
            for (j, c) in controls.iter().enumerate() {
                if !active_nist(c) {
                    unknown(
                        format!("{file}/{i}/controls/{j}"),
                        format!("`{c}` is not an active NIST SP 800-53 control"),
                    );
                }
            }
        }
        for (i, r) in self.crosswalks.csf_refs.values().enumerate() {
            let file = "crosswalks/csf-2.0-references.json#/references";
            if !self.csf.is_empty() && !self.csf.contains_key(&r.subcategory) {
                unknown(format!("{file}/{i}/subcategory"), format!("unknown CSF 2.0 subcategory `{}`", r.subcategory));
            }
            type Known<'c> = &'c dyn Fn(&str) -> bool;
            let lists: [(&str, &Vec<String>, Known, &str); 3] = [
                ("nist_800_53", &r.nist_800_53, &active_nist, "active NIST SP 800-53 control"),
                ("iso_27001", &r.iso_27001, &known_iso, "ISO/IEC 27001:2022 Annex A control"),
                ("cis_v8", &r.cis_v8, &known_cis, "CIS Controls v8.1 safeguard"),
            ];
            for (key, list, known, what) in lists {
                for (j, c) in list.iter().enumerate() {
                    if !known(c) {
                        unknown(format!("{file}/{i}/{key}/{j}"), format!("`{c}` is not an {what}"));
                    }
                }
            }
        }
        for (i, f) in self.frameworks.iter().enumerate() {
            type Known<'c> = &'c dyn Fn(&str) -> bool;
            let (known, what): (Known, &str) = match f.id.as_str() {
                "nist_csf" => (&known_csf, "NIST CSF 2.0 category or subcategory"),
                "cis_v8" => (&known_cis, "CIS Controls v8.1 safeguard"),
                "iso_27001" => (&|c: &str| !c.starts_with("A.") || known_iso(c), "ISO/IEC 27001:2022 Annex A control"),
                "nist_800_53" => (&active_nist, "active NIST SP 800-53 control"),
                _ => continue,
            };
            for (j, r) in f.requirements.iter().enumerate() {
                if !known(&r.id) {
                    unknown(
                        format!("frameworks/frameworks.yaml#/frameworks/{i}/requirements/{j}/id"),
                        format!("`{}` is not a {what}", r.id),
                    );
                }
            }
        }
    }

    /// The compliance framework with this id.
    pub fn framework(&self, id: &str) -> Option<&Framework> {
        self.frameworks.iter().find(|f| f.id == id)
    }

    /// The known control tokens.
    pub fn token_ids(&self) -> BTreeSet<String> {
        self.tokens.keys().cloned().collect()
    }
}
