//! Every id in the bundled rules and catalogs, checked against the authoritative copies in
//! ../shared/data (ATT&CK v18.1, NIST SP 800-53 rev5, CSF 2.0, CWE 4.15, CAPEC 3.9): rules,
//! crosswalks, control tokens and framework requirements. Skips with a clear
//! message where ../shared is absent.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use threatgraph::Engine;
use threatgraph::rules::RuleSpec;

fn shared() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!(
            "SKIPPED: ../shared/data not found next to the checkout; catalog integrity not checked against authoritative data"
        );
        None
    }
}

fn load(dir: &std::path::Path, file: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join(file)).expect(file)).expect(file)
}

fn index<'a>(v: &'a Value, list: &str) -> HashMap<&'a str, &'a Value> {
    v[list].as_array().expect(list).iter().map(|x| (x["id"].as_str().expect("id"), x)).collect()
}

/// The authoritative copies, indexed by id.
struct Authority {
    attack: Value,
    nist: Value,
    cwe: Value,
    capec: Value,
    csf: Value,
}

impl Authority {
    fn load(dir: &std::path::Path) -> Authority {
        Authority {
            attack: load(dir, "attack/enterprise-attack-18.1.compact.json"),
            nist: load(dir, "nist-800-53/nist-800-53-rev5-controls.compact.json"),
            cwe: load(dir, "cwe/cwe-4.15.compact.json"),
            capec: load(dir, "capec/capec-3.9.compact.json"),
            csf: load(dir, "nist-csf/csf-2.0-core.compact.json"),
        }
    }
}

/// Every id the rules and catalogs use that is absent, revoked, deprecated or withdrawn in the
/// authoritative data, and the number of ids checked.
fn problems(a: &Authority, rules: &[RuleSpec], cat: &threatgraph::Catalogs) -> (Vec<String>, usize) {
    let techniques = index(&a.attack, "techniques");
    let controls = index(&a.nist, "controls");
    let weaknesses = index(&a.cwe, "weaknesses");
    let patterns = index(&a.capec, "attack_patterns");
    let csf = index(&a.csf, "elements");
    let mut problems = Vec::new();
    let mut checked = 0usize;
    let mut technique = |who: &str, t: &str, problems: &mut Vec<String>| {
        checked += 1;
        match techniques.get(t) {
            None => problems.push(format!("{who}: ATT&CK {t} does not exist in v18.1")),
            Some(x) if x["revoked"] == true || x["deprecated"] == true => {
                problems.push(format!("{who}: ATT&CK {t} is revoked or deprecated in v18.1"))
            }
            _ => {}
        }
    };
    let mut control_checks = Vec::new();
    for s in rules {
        for t in &s.attack {
            technique(&s.id, t, &mut problems);
        }
        control_checks.extend(s.controls.nist_800_53.iter().map(|c| (s.id.clone(), c.clone())));
        for c in &s.cwe {
            match weaknesses.get(c.as_str()) {
                None => problems.push(format!("{}: {c} is not a CWE weakness", s.id)),
                Some(x) if x["status"].as_str().is_some_and(|st| st.eq_ignore_ascii_case("deprecated")) => {
                    problems.push(format!("{}: {c} is deprecated", s.id))
                }
                _ => {}
            }
        }
        for c in &s.capec {
            match patterns.get(c.as_str()) {
                None => problems.push(format!("{}: {c} does not exist", s.id)),
                Some(x) if x["deprecated"] == true => problems.push(format!("{}: {c} is deprecated", s.id)),
                _ => {}
            }
        }
    }
    for (t, list) in &cat.crosswalks.attack_to_nist {
        technique("crosswalk attack-nist-800-53", t, &mut problems);
        control_checks.extend(list.iter().map(|c| (format!("crosswalk attack-nist-800-53 {t}"), c.clone())));
    }
    for (id, t) in &cat.tokens {
        control_checks.extend(t.nist_800_53.iter().map(|c| (format!("control token {id}"), c.clone())));
    }
    for (sub, r) in &cat.crosswalks.csf_refs {
        control_checks.extend(r.nist_800_53.iter().map(|c| (format!("crosswalk csf {sub}"), c.clone())));
    }
    for (who, c) in control_checks {
        checked += 1;
        match controls.get(c.as_str()) {
            None => problems.push(format!("{who}: 800-53 {c} does not exist")),
            Some(x) if x["withdrawn"] == true => problems.push(format!("{who}: 800-53 {c} is withdrawn")),
            _ => {}
        }
    }
    let mut csf_ids: Vec<(String, String)> = cat.csf.keys().map(|k| ("CSF catalog".to_owned(), k.clone())).collect();
    csf_ids.extend(cat.csf_categories.keys().map(|k| ("CSF catalog".to_owned(), k.clone())));
    csf_ids.extend(cat.crosswalks.csf_refs.keys().map(|k| ("crosswalk csf".to_owned(), k.clone())));
    if let Some(f) = cat.framework("nist_csf") {
        csf_ids.extend(f.requirements.iter().map(|r| ("framework nist_csf".to_owned(), r.id.clone())));
    }
    for (who, id) in csf_ids {
        checked += 1;
        match csf.get(id.as_str()) {
            None => problems.push(format!("{who}: CSF 2.0 {id} does not exist")),
            Some(x) if x["withdrawn"] == true => problems.push(format!("{who}: CSF 2.0 {id} is withdrawn")),
            _ => {}
        }
    }
    (problems, checked + rules.iter().map(|s| s.cwe.len() + s.capec.len()).sum::<usize>())
}

#[test]
fn every_catalog_id_exists_and_is_current_in_authoritative_data() {
    let Some(dir) = shared() else { return };
    let engine = Engine::bundled().unwrap();
    let specs: Vec<RuleSpec> = engine.rules().rules.iter().map(|r| r.spec.clone()).collect();
    let (problems, checked) = problems(&Authority::load(&dir), &specs, engine.catalogs());
    assert!(problems.is_empty(), "{} of {checked} ids are not valid:\n{}", problems.len(), problems.join("\n"));
    eprintln!("checked {checked} catalog ids against ../shared/data: 100% valid");
}

#[test]
fn a_revoked_technique_in_a_rule_fails_the_integrity_check() {
    let Some(dir) = shared() else { return };
    let engine = Engine::bundled().unwrap();
    let mut specs: Vec<RuleSpec> = engine.rules().rules.iter().map(|r| r.spec.clone()).collect();
    // T1574.002 (DLL Side-Loading) was revoked in favour of T1574.001.
    specs[0].attack.push("T1574.002".into());
    // AC-13 (Supervision and Review) was withdrawn into AC-2 and AU-6.
    specs[1].controls.nist_800_53.push("ac-13".into());
    let (problems, _) = problems(&Authority::load(&dir), &specs, engine.catalogs());
    assert_eq!(
        problems,
        [
            format!("{}: ATT&CK T1574.002 is revoked or deprecated in v18.1", specs[0].id),
            format!("{}: 800-53 ac-13 is withdrawn", specs[1].id),
        ]
    );
}

#[test]
fn bundled_catalogs_match_authoritative_names() {
    let Some(dir) = shared() else { return };
    let attack = load(&dir, "attack/enterprise-attack-18.1.compact.json");
    let nist = load(&dir, "nist-800-53/nist-800-53-rev5-controls.compact.json");
    let cat = threatgraph::Catalogs::bundled().unwrap();
    let techniques = index(&attack, "techniques");
    assert_eq!(cat.techniques.len(), techniques.len());
    for (id, t) in &cat.techniques {
        let a = techniques.get(id.as_str()).unwrap_or_else(|| panic!("{id} not in ATT&CK 18.1"));
        assert_eq!(a["name"].as_str(), Some(t.name.as_str()), "{id}");
    }
    let controls = index(&nist, "controls");
    assert_eq!(cat.nist.len(), controls.len());
    for (id, c) in &cat.nist {
        let a = controls.get(id.as_str()).unwrap_or_else(|| panic!("{id} not in 800-53"));
        assert_eq!(a["title"].as_str(), Some(c.title.as_str()), "{id}");
    }
}
