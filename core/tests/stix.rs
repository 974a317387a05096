//! The ATT&CK catalog rebuilt from MITRE's STIX bundles: the official 18.1 bundle (when the shared
//! data directory is present) must give exactly the committed catalog; a small STIX 2.1 bundle
//! covers every status; bad inputs give error codes, never a panic.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use serde_json::Value;
use threatgraph::catalog::EntryStatus;
use threatgraph::catalog::stix::{AttackCatalogFile, attack_from_stix};

fn committed_catalog() -> String {
    let path = format!("{}/../catalogs/attack/enterprise-attack.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn official_18_1_bundle_gives_the_committed_catalog() {
    let path = format!("{}/../../shared/data/attack/enterprise-attack-18.1.stix20.json", env!("CARGO_MANIFEST_DIR"));
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!("skipping: ../shared/data not found ({path})");
        return;
    };
    let start = std::time::Instant::now();
    let built = attack_from_stix(&text, Some("18.1")).unwrap();
    eprintln!("parsed {} MB of STIX in {:?}", text.len() / 1_000_000, start.elapsed());

    assert_eq!(built.version, "18.1");
    assert_eq!(
        built.source,
        "MITRE ATT&CK Enterprise v18.1 (STIX 2.0 bundle bundle--cb55babe-e48e-5257-bb14-9f802914616e)"
    );
    let committed_text = committed_catalog();
    let committed: Value = serde_json::from_str(&committed_text).unwrap();
    let ours: Value = serde_json::from_str(&built.to_json()).unwrap();
    assert_eq!(ours["tactics"], committed["tactics"]);
    assert_eq!(ours["techniques"], committed["techniques"]);
    assert_eq!(ours["licence"], committed["licence"]);
    assert_eq!(built.tactics.len(), 14);
    assert_eq!(built.techniques.len(), 835);

    // Byte for byte the same file, apart from the `source` line.
    let source_line = |s: &str| s.lines().find(|l| l.trim_start().starts_with("\"source\":")).unwrap().to_owned();
    let ours_text = built.to_json().replace(&source_line(&built.to_json()), &source_line(&committed_text));
    assert!(ours_text == committed_text, "to_json() formatting differs from the committed catalog");

    // The version is not in a STIX 2.0 bundle of mitre/cti.
    let err = attack_from_stix(&text, None).unwrap_err();
    assert_eq!(err.code(), "catalog.missing_version");
}

const SMALL_21: &str = r#"{
  "type": "bundle",
  "id": "bundle--11111111-1111-4111-8111-111111111111",
  "objects": [
    {
      "type": "x-mitre-collection", "spec_version": "2.1",
      "id": "x-mitre-collection--1f5f1533-f617-4ca8-9ab4-6a02367fa019",
      "name": "Enterprise ATT&CK", "x_mitre_version": "19.0",
      "x_mitre_contents": [{"object_ref": "attack-pattern--a", "object_modified": "2026-01-01T00:00:00.000Z"}]
    },
    {
      "type": "x-mitre-tactic", "spec_version": "2.1", "id": "x-mitre-tactic--persistence",
      "name": "Persistence", "x_mitre_shortname": "persistence", "x_mitre_domains": ["enterprise-attack"],
      "external_references": [{"source_name": "mitre-attack", "external_id": "TA0003", "url": "https://attack.mitre.org/tactics/TA0003"}]
    },
    {
      "type": "x-mitre-tactic", "spec_version": "2.1", "id": "x-mitre-tactic--execution",
      "name": "Execution", "x_mitre_shortname": "execution", "x_mitre_domains": ["enterprise-attack"],
      "external_references": [{"source_name": "mitre-attack", "external_id": "TA0002"}]
    },
    {
      "type": "x-mitre-tactic", "spec_version": "2.1", "id": "x-mitre-tactic--mobile",
      "name": "Mobile Only", "x_mitre_shortname": "mobile-only", "x_mitre_domains": ["mobile-attack"],
      "external_references": [{"source_name": "mitre-attack", "external_id": "TA0099"}]
    },
    {
      "type": "attack-pattern", "spec_version": "2.1", "id": "attack-pattern--sub",
      "name": "Scheduled Task", "x_mitre_is_subtechnique": true, "x_mitre_domains": ["enterprise-attack"],
      "kill_chain_phases": [{"kill_chain_name": "mitre-attack", "phase_name": "execution"}],
      "external_references": [{"source_name": "mitre-attack", "external_id": "T1053.005"}],
      "description": "Adversaries may abuse the Windows Task Scheduler \u00e9 \"quoted\"."
    },
    {
      "type": "attack-pattern", "spec_version": "2.1", "id": "attack-pattern--a",
      "name": "Scheduled Task/Job", "revoked": false, "x_mitre_deprecated": false,
      "x_mitre_domains": ["enterprise-attack", "ics-attack"],
      "kill_chain_phases": [
        {"kill_chain_name": "mitre-attack", "phase_name": "persistence"},
        {"kill_chain_name": "mitre-ics-attack", "phase_name": "execution-ics"},
        {"kill_chain_name": "mitre-attack", "phase_name": "execution"}
      ],
      "external_references": [
        {"source_name": "capec", "external_id": "CAPEC-557"},
        {"source_name": "mitre-attack", "external_id": "T1053", "url": "https://attack.mitre.org/techniques/T1053"}
      ]
    },
    {
      "type": "attack-pattern", "spec_version": "2.1", "id": "attack-pattern--deprecated",
      "name": "Process Doppelgänging", "x_mitre_deprecated": true,
      "kill_chain_phases": [{"kill_chain_name": "mitre-attack", "phase_name": "persistence"}],
      "external_references": [{"source_name": "mitre-attack", "external_id": "T1186"}]
    },
    {
      "type": "attack-pattern", "spec_version": "2.1", "id": "attack-pattern--revoked",
      "name": "At (Windows)", "revoked": true, "x_mitre_deprecated": true,
      "kill_chain_phases": [{"kill_chain_name": "mitre-attack", "phase_name": "execution"}],
      "external_references": [{"source_name": "mitre-attack", "external_id": "T1053.002"}]
    },
    {
      "type": "attack-pattern", "spec_version": "2.1", "id": "attack-pattern--mobile",
      "name": "Mobile Technique", "x_mitre_domains": ["mobile-attack"],
      "kill_chain_phases": [{"kill_chain_name": "mitre-mobile-attack", "phase_name": "mobile-only"}],
      "external_references": [{"source_name": "mitre-attack", "external_id": "T1053"}]
    },
    {
      "type": "relationship", "spec_version": "2.1", "id": "relationship--r1", "relationship_type": "revoked-by",
      "source_ref": "attack-pattern--revoked", "target_ref": "attack-pattern--sub"
    },
    {
      "type": "relationship", "spec_version": "2.1", "id": "relationship--r2", "relationship_type": "revoked-by",
      "source_ref": "attack-pattern--revoked", "target_ref": "attack-pattern--a"
    },
    {
      "type": "relationship", "spec_version": "2.1", "id": "relationship--r3", "relationship_type": "revoked-by",
      "source_ref": "attack-pattern--revoked", "target_ref": "intrusion-set--x"
    },
    {
      "type": "relationship", "spec_version": "2.1", "id": "relationship--r4", "relationship_type": "uses",
      "source_ref": "intrusion-set--x", "target_ref": "attack-pattern--a"
    },
    {
      "type": "intrusion-set", "spec_version": "2.1", "id": "intrusion-set--x", "name": "APT0",
      "external_references": [{"source_name": "mitre-attack", "external_id": "G0000"}]
    }
  ]
}"#;

fn technique<'a>(c: &'a AttackCatalogFile, id: &str) -> &'a threatgraph::catalog::Technique {
    c.techniques.iter().find(|t| t.id == id).unwrap_or_else(|| panic!("no technique {id}"))
}

#[test]
fn small_stix_2_1_bundle() {
    let c = attack_from_stix(SMALL_21, None).unwrap();
    assert_eq!(c.format_version, 1);
    assert_eq!(c.id, "mitre-attack-enterprise");
    assert_eq!(c.version, "19.0");
    assert_eq!(
        c.source,
        "MITRE ATT&CK Enterprise v19.0 (STIX 2.1 bundle bundle--11111111-1111-4111-8111-111111111111)"
    );

    let tactics: Vec<(&str, &str, &str)> =
        c.tactics.iter().map(|t| (t.id.as_str(), t.shortname.as_str(), t.name.as_str())).collect();
    assert_eq!(tactics, [("TA0002", "execution", "Execution"), ("TA0003", "persistence", "Persistence")]);

    let ids: Vec<&str> = c.techniques.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["T1053", "T1053.002", "T1053.005", "T1186"], "the mobile-only T1053 is skipped");

    let active = technique(&c, "T1053");
    assert_eq!(active.status, EntryStatus::Active);
    assert_eq!(active.tactics, ["persistence", "execution"], "kill chain order is kept");
    assert_eq!(active.parent, None);
    assert!(active.revoked_by.is_empty());

    let sub = technique(&c, "T1053.005");
    assert_eq!(sub.status, EntryStatus::Active);
    assert_eq!(sub.parent.as_deref(), Some("T1053"));
    assert_eq!(sub.tactics, ["execution"]);

    let deprecated = technique(&c, "T1186");
    assert_eq!(deprecated.status, EntryStatus::Deprecated);
    assert_eq!(deprecated.name, "Process Doppelgänging");

    let revoked = technique(&c, "T1053.002");
    assert_eq!(revoked.status, EntryStatus::Revoked, "revoked wins over deprecated");
    assert_eq!(revoked.revoked_by, ["T1053", "T1053.005"], "natural order, attack-pattern targets only");
    assert_eq!(revoked.parent.as_deref(), Some("T1053"));

    // The version given wins over the collection's.
    let c2 = attack_from_stix(SMALL_21, Some(" 19.1 ")).unwrap();
    assert_eq!(c2.version, "19.1");
    assert!(c2.source.starts_with("MITRE ATT&CK Enterprise v19.1 (STIX 2.1 bundle "));

    // The output is valid for the catalog loader, non-ASCII is written as-is, 2-space indent.
    let json = c.to_json();
    assert!(json.ends_with("}\n"));
    assert!(json.contains("\"name\": \"Process Doppelgänging\""));
    assert!(json.contains("\n  \"tactics\": [\n    {\n      \"id\": \"TA0002\",\n"));
    assert!(!json.contains("\"parent\": null"), "absent fields are omitted");
    threatgraph::Catalogs::from_files(&[("attack/enterprise-attack.json", &json)]).unwrap();
}

fn code(text: &str, version: Option<&str>) -> String {
    match attack_from_stix(text, version) {
        Ok(c) => panic!("expected an error for {text:.80}, got {} techniques", c.techniques.len()),
        Err(e) => {
            assert_eq!(e.kind(), "catalog");
            assert!(!e.diagnostics().is_empty());
            e.code().to_owned()
        }
    }
}

#[test]
fn bad_inputs_give_error_codes() {
    let v = Some("18.1");
    assert_eq!(code("", v), "catalog.syntax");
    assert_eq!(code("not json", v), "catalog.syntax");
    assert_eq!(code("{\"type\": \"bundle\",", v), "catalog.syntax");
    assert_eq!(code("{\"type\": \"bundle\", \"objects\": []} trailing", v), "catalog.syntax");
    assert_eq!(code("[]", v), "catalog.invalid_stix");
    assert_eq!(code("[{\"type\": \"bundle\"}]", v), "catalog.invalid_stix");
    assert_eq!(code("\"bundle\"", v), "catalog.invalid_stix");
    assert_eq!(code("42", v), "catalog.invalid_stix");
    assert_eq!(code("null", v), "catalog.invalid_stix");
    assert_eq!(code("{}", v), "catalog.invalid_stix");
    assert_eq!(code(r#"{"type": "x-mitre-collection", "id": "x", "objects": []}"#, v), "catalog.invalid_stix");
    assert_eq!(code(r#"{"type": "bundle", "id": "bundle--1"}"#, v), "catalog.invalid_stix");
    assert_eq!(code(r#"{"type": "bundle", "objects": []}"#, v), "catalog.invalid_stix");
    assert_eq!(code(r#"{"type": "bundle", "id": "bundle--1", "objects": []}"#, v), "catalog.invalid_stix");
    assert_eq!(code(r#"{"type": "bundle", "id": "bundle--1", "objects": {}}"#, v), "catalog.invalid_stix");
    assert_eq!(code(r#"{"type": "bundle", "id": "bundle--1", "objects": [42]}"#, v), "catalog.invalid_stix");
    let err =
        attack_from_stix(r#"{"type": "bundle", "id": "b", "objects": [{"type": "attack-pattern", "name": 5}]}"#, v)
            .unwrap_err();
    assert_eq!(err.code(), "catalog.invalid_stix");
    assert_eq!(err.path(), "objects[0].name");

    // An attack-pattern without a `mitre-attack` external id.
    let no_id = r#"{"type": "bundle", "id": "bundle--1", "spec_version": "2.0", "objects": [
        {"type": "attack-pattern", "id": "attack-pattern--1", "name": "X",
         "external_references": [{"source_name": "capec", "external_id": "CAPEC-1"},
                                 {"source_name": "mitre-attack", "url": "https://attack.mitre.org/"}]}]}"#;
    let err = attack_from_stix(no_id, v).unwrap_err();
    assert_eq!(err.code(), "catalog.invalid_stix");
    assert_eq!(err.path(), "objects[0].external_references");

    // A STIX 2.0 bundle without an x-mitre-collection: the version must be given.
    let no_version = r#"{"type": "bundle", "id": "bundle--1", "spec_version": "2.0", "objects": [
        {"type": "attack-pattern", "id": "attack-pattern--1", "name": "X",
         "external_references": [{"source_name": "mitre-attack", "external_id": "T1000"}]}]}"#;
    assert_eq!(code(no_version, None), "catalog.missing_version");
    assert_eq!(code(no_version, Some("  ")), "catalog.missing_version");
    let ok = attack_from_stix(no_version, Some("18.1")).unwrap();
    assert_eq!(ok.source, "MITRE ATT&CK Enterprise v18.1 (STIX 2.0 bundle bundle--1)");
    assert_eq!(ok.techniques[0].status, EntryStatus::Active);
    assert!(ok.techniques[0].tactics.is_empty());

    // Duplicate technique ids, unknown tactics, missing parents: errors, in a stable order.
    let dup = r#"{"type": "bundle", "id": "bundle--1", "objects": [
        {"type": "attack-pattern", "id": "attack-pattern--2", "name": "B",
         "external_references": [{"source_name": "mitre-attack", "external_id": "T1000"}]},
        {"type": "attack-pattern", "id": "attack-pattern--1", "name": "A",
         "external_references": [{"source_name": "mitre-attack", "external_id": "T1000"}]}]}"#;
    let e1 = attack_from_stix(dup, v).unwrap_err();
    assert_eq!(e1.code(), "catalog.invalid_stix");
    assert_eq!(e1.path(), "objects[1].external_references");
    assert_eq!(e1, attack_from_stix(dup, v).unwrap_err());
    let unknown_tactic = r#"{"type": "bundle", "id": "bundle--1", "objects": [
        {"type": "attack-pattern", "id": "attack-pattern--1", "name": "A",
         "kill_chain_phases": [{"kill_chain_name": "mitre-attack", "phase_name": "nowhere"}],
         "external_references": [{"source_name": "mitre-attack", "external_id": "T1000"}]}]}"#;
    assert_eq!(code(unknown_tactic, v), "catalog.invalid_stix");
    let orphan = r#"{"type": "bundle", "id": "bundle--1", "objects": [
        {"type": "attack-pattern", "id": "attack-pattern--1", "name": "A",
         "external_references": [{"source_name": "mitre-attack", "external_id": "T1000.001"}]}]}"#;
    assert_eq!(code(orphan, v), "catalog.invalid_stix");
    let mobile_only = r#"{"type": "bundle", "id": "bundle--1", "objects": [
        {"type": "attack-pattern", "id": "attack-pattern--1", "name": "A", "x_mitre_domains": ["mobile-attack"],
         "external_references": [{"source_name": "mitre-attack", "external_id": "T1000"}]}]}"#;
    assert_eq!(code(mobile_only, v), "catalog.invalid_stix");

    // Deep nesting (100,000 levels): skipped without recursion or refused by the parser's recursion
    // limit; never a stack overflow.
    let nested = |open: &str, close: &str| format!("{}1{}", open.repeat(100_000), close.repeat(100_000));
    let deep =
        format!(r#"{{"type": "bundle", "id": "b", "objects": [{{"type": "malware", "x": {}}}]}}"#, nested("[", "]"));
    assert_eq!(code(&deep, v), "catalog.invalid_stix", "no attack-pattern");
    let deep =
        format!(r#"{{"type": "bundle", "id": "b", "objects": [{{"type": "malware", "x": {}}}]}}"#, nested("[", ""));
    assert_eq!(code(&deep, v), "catalog.syntax");
    assert_eq!(code(&nested("[", "]"), v), "catalog.invalid_stix", "valid JSON, not an object");
    assert_eq!(code(&nested("{\"a\":", "}"), v), "catalog.invalid_stix", "an object without `type`");
    assert_eq!(code(&nested("{\"type\":", "}"), v), "catalog.invalid_stix", "`type` is not a string");
}

#[test]
fn every_truncation_of_a_bundle_is_an_error_not_a_panic() {
    for (i, _) in SMALL_21.char_indices() {
        let prefix = &SMALL_21[..i];
        let e = attack_from_stix(prefix, None).unwrap_err();
        assert!(["catalog.syntax", "catalog.invalid_stix"].contains(&e.code()), "{i}: {}", e.code());
    }
}
