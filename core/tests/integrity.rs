//! Every id in the bundled rules and catalogs, checked against the authoritative copies in
//! ../shared/data (ATT&CK v18.1, NIST SP 800-53 rev5, CWE 4.15, CAPEC 3.9). Skips with a clear
//! message where ../shared is absent.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use threatgraph::Engine;

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

#[test]
fn rule_ids_exist_and_are_current_in_authoritative_data() {
    let Some(dir) = shared() else { return };
    let attack = load(&dir, "attack/enterprise-attack-18.1.compact.json");
    let nist = load(&dir, "nist-800-53/nist-800-53-rev5-controls.compact.json");
    let cwe = load(&dir, "cwe/cwe-4.15.compact.json");
    let capec = load(&dir, "capec/capec-3.9.compact.json");
    let (techniques, controls, weaknesses, patterns) = (
        index(&attack, "techniques"),
        index(&nist, "controls"),
        index(&cwe, "weaknesses"),
        index(&capec, "attack_patterns"),
    );
    let engine = Engine::bundled().unwrap();
    let mut problems = Vec::new();
    let mut checked = 0usize;
    for r in &engine.rules().rules {
        let s = &r.spec;
        for t in &s.attack {
            checked += 1;
            match techniques.get(t.as_str()) {
                None => problems.push(format!("{}: ATT&CK {t} does not exist in v18.1", s.id)),
                Some(x) if x["revoked"] == true || x["deprecated"] == true => {
                    problems.push(format!("{}: ATT&CK {t} is revoked or deprecated", s.id))
                }
                _ => {}
            }
        }
        for c in &s.controls.nist_800_53 {
            checked += 1;
            match controls.get(c.as_str()) {
                None => problems.push(format!("{}: 800-53 {c} does not exist", s.id)),
                Some(x) if x["withdrawn"] == true => problems.push(format!("{}: 800-53 {c} is withdrawn", s.id)),
                _ => {}
            }
        }
        for c in &s.cwe {
            checked += 1;
            match weaknesses.get(c.as_str()) {
                None => problems.push(format!("{}: {c} is not a CWE weakness", s.id)),
                Some(x) if x["status"].as_str().is_some_and(|st| st.eq_ignore_ascii_case("deprecated")) => {
                    problems.push(format!("{}: {c} is deprecated", s.id))
                }
                _ => {}
            }
        }
        for c in &s.capec {
            checked += 1;
            match patterns.get(c.as_str()) {
                None => problems.push(format!("{}: {c} does not exist", s.id)),
                Some(x) if x["deprecated"] == true => problems.push(format!("{}: {c} is deprecated", s.id)),
                _ => {}
            }
        }
    }
    for (id, t) in &engine.catalogs().tokens {
        for c in &t.nist_800_53 {
            checked += 1;
            if controls.get(c.as_str()).is_none_or(|x| x["withdrawn"] == true) {
                problems.push(format!("control token {id}: 800-53 {c} missing or withdrawn"));
            }
        }
    }
    assert!(problems.is_empty(), "{} of {checked} ids are not valid:\n{}", problems.len(), problems.join("\n"));
    eprintln!("checked {checked} catalog ids against ../shared/data: 100% valid");
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
