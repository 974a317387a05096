//! Building the ATT&CK Enterprise catalog (`catalogs/attack/enterprise-attack.json`) from MITRE's
//! official STIX bundle: STIX 2.0 (`mitre/cti`) or STIX 2.1 (`mitre-attack/attack-stix-data`).
//!
//! The semantics follow `build_attack` in `catalogs/tools/build_catalogs.py`: tactics and techniques
//! sorted naturally by ATT&CK id, status `revoked` / `deprecated` / `active`, `revoked_by` from
//! `revoked-by` relationships, tactics from the `mitre-attack` kill chain phases in bundle order and
//! the parent of a sub-technique taken from its id (`T1001.001` -> `T1001`).
//!
//! The bundle is read into typed structs that keep only the fields needed; every other field (and
//! the descriptions that make up most of the 30+ MB) is skipped by the parser.

use super::{EntryStatus, Tactic, Technique, natural_cmp};
use crate::error::{Diagnostic, Error, Result};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// Licence line of the ATT&CK catalog (the same as the committed catalog file).
const ATTACK_LICENCE: &str = "ATT&CK Terms of Use. © 2025 The MITRE Corporation. This work is reproduced and distributed with the permission of The MITRE Corporation.";

/// The ATT&CK domain kept from bundles that mix domains.
const ENTERPRISE: &str = "enterprise-attack";

/// The ATT&CK catalog file built from a STIX bundle, ready to serialize.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AttackCatalogFile {
    pub format_version: u32,
    pub id: String,
    pub version: String,
    pub source: String,
    pub licence: String,
    pub tactics: Vec<super::Tactic>,
    pub techniques: Vec<super::Technique>,
}

impl AttackCatalogFile {
    /// Pretty JSON with a 2-space indent, non-ASCII characters written as-is and a trailing newline:
    /// byte for byte the format of the committed catalog files (Python's
    /// `json.dumps(data, indent=2, ensure_ascii=False) + "\n"`).
    pub fn to_json(&self) -> String {
        // Serializing plain structs of strings into a String cannot fail.
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

#[derive(Deserialize)]
struct Bundle {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    spec_version: Option<String>,
    #[serde(default)]
    objects: Option<Vec<StixObject>>,
}

/// The fields of a STIX object that the catalog needs; every other field is skipped.
#[derive(Deserialize, Default)]
#[serde(default)]
struct StixObject {
    #[serde(rename = "type")]
    kind: Option<String>,
    id: Option<String>,
    spec_version: Option<String>,
    name: Option<String>,
    revoked: Option<bool>,
    x_mitre_deprecated: Option<bool>,
    x_mitre_domains: Option<Vec<String>>,
    external_references: Vec<ExternalReference>,
    kill_chain_phases: Vec<KillChainPhase>,
    x_mitre_shortname: Option<String>,
    x_mitre_version: Option<String>,
    relationship_type: Option<String>,
    source_ref: Option<String>,
    target_ref: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ExternalReference {
    source_name: Option<String>,
    external_id: Option<String>,
}

#[derive(Deserialize)]
struct KillChainPhase {
    kill_chain_name: String,
    phase_name: String,
}

impl StixObject {
    fn is(&self, kind: &str) -> bool {
        self.kind.as_deref() == Some(kind)
    }

    /// Objects of other ATT&CK domains (mobile, ICS) in a bundle that mixes domains.
    fn outside_enterprise(&self) -> bool {
        self.x_mitre_domains.as_ref().is_some_and(|d| !d.iter().any(|d| d == ENTERPRISE))
    }

    /// The ATT&CK id: `external_id` of the `mitre-attack` external reference.
    fn attack_id(&self) -> Option<&str> {
        self.external_references
            .iter()
            .filter(|r| r.source_name.as_deref() == Some("mitre-attack"))
            .find_map(|r| r.external_id.as_deref().map(str::trim).filter(|s| !s.is_empty()))
    }

    fn text(field: &Option<String>) -> Option<&str> {
        field.as_deref().filter(|s| !s.trim().is_empty())
    }
}

fn invalid(path: impl Into<String>, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new("catalog.invalid_stix", path, message)
}

fn syntax(e: &serde_json::Error) -> Diagnostic {
    Diagnostic::new("catalog.syntax", "", format!("the file is not valid JSON: {e}"))
}

/// Parses the text into a [`Bundle`]. The fast path does not track paths; on failure the text is
/// parsed again with `serde_path_to_error` to say where the problem is.
fn parse_bundle(text: &str) -> Result<Bundle> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let start = text.trim_start_matches([' ', '\t', '\n', '\r']).chars().next();
    if start != Some('{') {
        // serde would also read a struct from a JSON array: say plainly that a bundle is an object.
        return Err(Error::Catalog(vec![match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Ok(_) => {
                let found = match start {
                    Some('[') => "an array",
                    Some('"') => "a string",
                    Some('t' | 'f') => "a boolean",
                    Some('n') => "null",
                    _ => "a number",
                };
                invalid("", format!("the file is not a STIX bundle: expected a JSON object, found {found}"))
            }
            Err(e) => syntax(&e),
        }]));
    }
    let first = match serde_json::from_str::<Bundle>(text) {
        Ok(b) => return Ok(b),
        Err(e) => e,
    };
    if first.is_syntax() || first.is_eof() {
        return Err(Error::Catalog(vec![syntax(&first)]));
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let (path, err) = match serde_path_to_error::deserialize::<_, Bundle>(&mut de) {
        Ok(_) => (String::new(), first),
        Err(e) => {
            let path = e.path().to_string();
            (if path == "." { String::new() } else { path }, e.into_inner())
        }
    };
    let message = if path.is_empty() {
        format!("the file is not a STIX bundle (a JSON object with `type: bundle` and `objects`): {err}")
    } else {
        format!("unexpected STIX content: {err}")
    };
    Err(Error::Catalog(vec![invalid(path, message)]))
}

/// Parses a STIX 2.0 or 2.1 bundle of ATT&CK Enterprise. `version` overrides the ATT&CK version
/// (otherwise taken from the bundle's x-mitre-collection object's x_mitre_version, else error with a clear message asking for the version).
pub fn attack_from_stix(text: &str, version: Option<&str>) -> Result<AttackCatalogFile> {
    let bundle = parse_bundle(text)?;
    if bundle.kind.as_deref() != Some("bundle") {
        let found = bundle.kind.as_deref().map_or_else(|| "no `type`".to_owned(), |k| format!("type `{k}`"));
        return Err(Error::Catalog(vec![invalid(
            "type",
            format!("the file is not a STIX bundle: expected `type: bundle`, found {found}"),
        )]));
    }
    let Some(bundle_id) = StixObject::text(&bundle.id).map(str::to_owned) else {
        return Err(Error::Catalog(vec![invalid("id", "the STIX bundle has no `id`")]));
    };
    let Some(objects) = bundle.objects else {
        return Err(Error::Catalog(vec![invalid("objects", "the STIX bundle has no `objects`")]));
    };

    let mut diags = Vec::new();
    let version = attack_version(&objects, version, &mut diags);
    // STIX 2.0 bundles carry `spec_version`; STIX 2.1 moved it onto each object.
    let spec = StixObject::text(&bundle.spec_version)
        .or_else(|| objects.iter().find_map(|o| StixObject::text(&o.spec_version)))
        .unwrap_or("2.1")
        .trim()
        .to_owned();

    let tactics = collect_tactics(&objects, &mut diags);
    let techniques = collect_techniques(&objects, &tactics, &mut diags);

    if !diags.is_empty() {
        return Err(Error::Catalog(diags));
    }
    Ok(AttackCatalogFile {
        format_version: 1,
        id: "mitre-attack-enterprise".to_owned(),
        source: format!("MITRE ATT&CK Enterprise v{version} (STIX {spec} bundle {bundle_id})"),
        version,
        licence: ATTACK_LICENCE.to_owned(),
        tactics,
        techniques,
    })
}

/// The ATT&CK version: the override, else the `x_mitre_version` of the `x-mitre-collection` object.
fn attack_version(objects: &[StixObject], version: Option<&str>, diags: &mut Vec<Diagnostic>) -> String {
    if let Some(v) = version {
        let v = v.trim();
        if v.is_empty() {
            diags.push(Diagnostic::new(
                "catalog.missing_version",
                "",
                "the ATT&CK version given is empty; pass the release, e.g. `18.1`",
            ));
        }
        return v.to_owned();
    }
    let found: BTreeSet<&str> = objects
        .iter()
        .filter(|o| o.is("x-mitre-collection"))
        .filter_map(|o| StixObject::text(&o.x_mitre_version))
        .map(str::trim)
        .collect();
    let mut found = found.into_iter();
    match (found.next(), found.next()) {
        (Some(v), None) => v.to_owned(),
        (None, _) => {
            diags.push(Diagnostic::new(
                "catalog.missing_version",
                "",
                "the bundle does not say which ATT&CK release it is (no `x-mitre-collection` object with \
                 `x_mitre_version`, as in STIX 2.0 bundles of mitre/cti); pass the version, e.g. `18.1`",
            ));
            String::new()
        }
        (Some(a), Some(b)) => {
            diags.push(Diagnostic::new(
                "catalog.missing_version",
                "",
                format!("the bundle has several `x-mitre-collection` versions (`{a}`, `{b}`); pass the version to use"),
            ));
            String::new()
        }
    }
}

fn collect_tactics(objects: &[StixObject], diags: &mut Vec<Diagnostic>) -> Vec<Tactic> {
    let mut tactics: Vec<Tactic> = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        if !o.is("x-mitre-tactic") || o.outside_enterprise() {
            continue;
        }
        let path = format!("objects[{i}]");
        let Some(id) = o.attack_id() else {
            diags.push(invalid(
                format!("{path}.external_references"),
                format!("tactic `{}` has no `mitre-attack` external id", o.id.as_deref().unwrap_or("?")),
            ));
            continue;
        };
        let (Some(shortname), Some(name)) = (StixObject::text(&o.x_mitre_shortname), StixObject::text(&o.name)) else {
            diags.push(invalid(path, format!("tactic `{id}` needs `name` and `x_mitre_shortname`")));
            continue;
        };
        tactics.push(Tactic { id: id.to_owned(), shortname: shortname.trim().to_owned(), name: name.to_owned() });
    }
    tactics.sort_by(|a, b| natural_cmp(&a.id, &b.id));
    let mut ids = BTreeSet::new();
    let mut shortnames = BTreeSet::new();
    for t in &tactics {
        if !ids.insert(t.id.as_str()) {
            diags.push(invalid("objects", format!("duplicate tactic id `{}`", t.id)));
        }
        if !shortnames.insert(t.shortname.as_str()) {
            diags.push(invalid("objects", format!("duplicate tactic shortname `{}`", t.shortname)));
        }
    }
    tactics
}

fn collect_techniques(objects: &[StixObject], tactics: &[Tactic], diags: &mut Vec<Diagnostic>) -> Vec<Technique> {
    let shortnames: BTreeSet<&str> = tactics.iter().map(|t| t.shortname.as_str()).collect();
    // ATT&CK id -> (technique, STIX id, index of the object in the bundle).
    let mut techniques: BTreeMap<String, (Technique, &str, usize)> = BTreeMap::new();
    // STIX id -> ATT&CK id, for the relationships.
    let mut by_stix_id: BTreeMap<&str, String> = BTreeMap::new();
    let mut ambiguous: BTreeSet<&str> = BTreeSet::new();

    for (i, o) in objects.iter().enumerate() {
        if !o.is("attack-pattern") || o.outside_enterprise() {
            continue;
        }
        let path = format!("objects[{i}]");
        let stix_id = StixObject::text(&o.id).unwrap_or("");
        let Some(id) = o.attack_id() else {
            let shown = if stix_id.is_empty() { "without `id`" } else { stix_id };
            diags.push(invalid(
                format!("{path}.external_references"),
                format!("attack-pattern `{shown}` has no `mitre-attack` external id"),
            ));
            continue;
        };
        if stix_id.is_empty() {
            diags.push(invalid(format!("{path}.id"), format!("technique `{id}` has no STIX `id`")));
            continue;
        }
        let Some(name) = StixObject::text(&o.name) else {
            diags.push(invalid(format!("{path}.name"), format!("technique `{id}` has no `name`")));
            continue;
        };
        let status = if o.revoked == Some(true) {
            EntryStatus::Revoked
        } else if o.x_mitre_deprecated == Some(true) {
            EntryStatus::Deprecated
        } else {
            EntryStatus::Active
        };
        let mut phases: Vec<String> = Vec::new();
        for (k, p) in o.kill_chain_phases.iter().enumerate() {
            if p.kill_chain_name != "mitre-attack" {
                continue;
            }
            let phase = p.phase_name.trim();
            if !shortnames.contains(phase) {
                diags.push(invalid(
                    format!("{path}.kill_chain_phases[{k}].phase_name"),
                    format!("technique `{id}` refers to unknown tactic `{phase}`"),
                ));
            } else if !phases.iter().any(|x| x == phase) {
                phases.push(phase.to_owned());
            }
        }
        let parent = id.split_once('.').map(|(p, _)| p.to_owned());
        let technique = Technique {
            id: id.to_owned(),
            name: name.to_owned(),
            tactics: phases,
            status,
            revoked_by: Vec::new(),
            parent,
        };
        match techniques.entry(id.to_owned()) {
            std::collections::btree_map::Entry::Occupied(e) => {
                let (_, first_stix, first_index) = e.get();
                diags.push(invalid(
                    format!("{path}.external_references"),
                    format!(
                        "duplicate technique id `{id}`: objects `{first_stix}` (objects[{first_index}]) and `{stix_id}`"
                    ),
                ));
                continue;
            }
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert((technique, stix_id, i));
            }
        }
        if by_stix_id.insert(stix_id, id.to_owned()).is_some() {
            ambiguous.insert(stix_id);
        }
    }
    for stix_id in ambiguous {
        diags.push(invalid("objects", format!("several techniques share the STIX id `{stix_id}`")));
        by_stix_id.remove(stix_id);
    }

    if !objects.iter().any(|o| o.is("attack-pattern") && !o.outside_enterprise()) {
        diags.push(invalid("objects", "the bundle has no ATT&CK Enterprise `attack-pattern` objects"));
    }

    // `revoked-by`: source_ref is the revoked object, target_ref its replacement.
    for o in objects {
        if !o.is("relationship")
            || o.relationship_type.as_deref() != Some("revoked-by")
            || o.revoked == Some(true)
            || o.x_mitre_deprecated == Some(true)
        {
            continue;
        }
        let (Some(source), Some(target)) = (o.source_ref.as_deref(), o.target_ref.as_deref()) else {
            continue;
        };
        let (Some(source), Some(target)) = (by_stix_id.get(source), by_stix_id.get(target)) else {
            continue;
        };
        if let Some((t, _, _)) = techniques.get_mut(source.as_str())
            && t.status == EntryStatus::Revoked
            && !t.revoked_by.contains(target)
        {
            t.revoked_by.push(target.clone());
        }
    }

    let mut out: Vec<Technique> = techniques.into_values().map(|(t, _, _)| t).collect();
    out.sort_by(|a, b| natural_cmp(&a.id, &b.id));
    let ids: BTreeSet<&str> = out.iter().map(|t| t.id.as_str()).collect();
    for t in &out {
        if let Some(parent) = &t.parent
            && !ids.contains(parent.as_str())
        {
            diags.push(invalid("objects", format!("sub-technique `{}` has no parent technique `{parent}`", t.id)));
        }
    }
    for t in &mut out {
        t.revoked_by.sort_by(|a, b| natural_cmp(a, b));
    }
    out
}
