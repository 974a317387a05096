//! Every validation error class: its stable code and the path it points at.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use threatgraph::{Engine, EngineOptions, Error, Model};

const BASE: &str = r#"
title: T
zones:
  - {id: internet, kind: internet}
  - {id: app, kind: internal}
components:
  - {id: user, type: browser, zone: internet}
  - {id: web, type: web_app, zone: app, controls: []}
  - {id: db, type: database, zone: app}
data_assets:
  - {id: pii, classification: confidential, tags: [pii]}
flows:
  - {id: f1, source: user, target: web, protocol: https, authentication: password}
  - {id: f2, source: web, target: db, data: [pii]}
"#;

/// Parses and validates; returns every (code, path).
fn problems(yaml: &str) -> Vec<(String, String)> {
    let engine = Engine::bundled().expect("bundled engine");
    let result = Model::from_yaml(yaml).and_then(|m| engine.validate(&m));
    match result {
        Ok(()) => Vec::new(),
        Err(e) => e.diagnostics().iter().map(|d| (d.code.clone(), d.path.clone())).collect(),
    }
}

fn has(yaml: &str, code: &str, path: &str) {
    let p = problems(yaml);
    assert!(p.iter().any(|(c, pa)| c == code && pa == path), "expected {code} at {path}, got {p:?}");
}

#[test]
fn base_model_is_valid() {
    assert_eq!(problems(BASE), Vec::<(String, String)>::new());
}

#[test]
fn syntax_errors() {
    has("title: [unclosed", "model.syntax", "");
    let e = Model::from_json("{\"title\": \"x\", ").unwrap_err();
    assert_eq!((e.code(), e.path()), ("model.syntax", ""));
    let e = Model::from_yaml("").unwrap_err();
    assert_eq!(e.code(), "model.syntax");
}

#[test]
fn not_a_mapping() {
    has("- just\n- a list\n", "model.invalid_type", "");
}

#[test]
fn missing_field() {
    has("components: []\n", "model.missing_field", "");
    let p = problems(&BASE.replace("{id: db, type: database, zone: app}", "{id: db, zone: app}"));
    assert!(p.iter().any(|(c, path)| c == "model.missing_field" && path == "components[2]"), "{p:?}");
}

#[test]
fn unknown_field() {
    has(
        &BASE.replace("{id: web, type: web_app,", "{id: web, colour: red, type: web_app,"),
        "model.unknown_field",
        "components[1].colour",
    );
    has(&format!("{BASE}\nextra: 1\n"), "model.unknown_field", "extra");
}

#[test]
fn unknown_enum_value_lists_allowed_values() {
    let yaml = BASE.replace("authentication: password", "authentication: pasword");
    has(&yaml, "model.unknown_value", "flows[0].authentication");
    let e = Model::from_yaml(&yaml).unwrap_err();
    let msg = &e.diagnostics()[0].message;
    assert!(msg.contains("did you mean `password`") && msg.contains("allowed: none, password"), "{msg}");
    has(&BASE.replace("type: database", "type: databse"), "model.unknown_value", "components[2].type");
}

#[test]
fn invalid_type() {
    has(
        &BASE.replace("protocol: https,", "protocol: https, encrypted: maybe,"),
        "model.invalid_type",
        "flows[0].encrypted",
    );
}

#[test]
fn all_structural_errors_at_once() {
    let yaml = BASE
        .replace("type: web_app", "type: webapp")
        .replace("authentication: password", "authentication: pasword")
        .replace("kind: internal", "kind: intranet");
    let p = problems(&yaml);
    let paths: Vec<&str> = p.iter().map(|(_, p)| p.as_str()).collect();
    assert_eq!(paths, ["zones[1].kind", "components[1].type", "flows[0].authentication"]);
}

#[test]
fn duplicate_ids() {
    has(&BASE.replace("{id: db, type: database", "{id: web, type: database"), "model.duplicate_id", "components[2].id");
    has(&BASE.replace("{id: f2,", "{id: f1,"), "model.duplicate_id", "flows[1].id");
    // A zone and a component may share a name.
    assert_eq!(
        problems(
            &BASE
                .replace("{id: web, type: web_app, zone: app", "{id: app, type: web_app, zone: app")
                .replace("target: web", "target: app")
                .replace("source: web", "source: app")
        ),
        Vec::<(String, String)>::new()
    );
    let yaml = format!("{BASE}assumptions:\n  - {{id: A1, statement: s}}\n  - {{id: A1, statement: t}}\n");
    has(&yaml, "model.duplicate_id", "assumptions[1].id");
}

#[test]
fn generated_flow_ids_must_be_unique() {
    let yaml = BASE.replace("{id: f2, source: web", "{source: web").replace("{id: f1, source: user", "{source: web");
    let yaml = yaml.replace("target: web, protocol", "target: db, protocol");
    has(&yaml, "model.duplicate_id", "flows[1]");
}

#[test]
fn unknown_reference_with_suggestion() {
    let yaml = BASE.replace("target: db,", "target: db2,");
    has(&yaml, "model.unknown_reference", "flows[1].target");
    let e = Engine::bundled().unwrap().validate(&Model::from_yaml(&yaml).unwrap()).unwrap_err();
    assert!(e.diagnostics()[0].message.contains("did you mean `db`"), "{e}");
    has(&BASE.replace("zone: app, controls", "zone: ap, controls"), "model.unknown_reference", "components[1].zone");
    has(&BASE.replace("data: [pii]", "data: [pi]"), "model.unknown_reference", "flows[1].data[0]");
    has(
        &BASE.replace("{id: db, type: database, zone: app}", "{id: db, type: database, zone: app, stores: [x]}"),
        "model.unknown_reference",
        "components[2].stores[0]",
    );
}

#[test]
fn wrong_kind_of_reference() {
    has(&BASE.replace("target: db,", "target: pii,"), "model.wrong_reference", "flows[1].target");
}

#[test]
fn zone_nesting_cycle() {
    let yaml = BASE.replace(
        "{id: app, kind: internal}",
        "{id: app, kind: internal, parent: inner}\n  - {id: inner, kind: restricted, parent: app}",
    );
    let p = problems(&yaml);
    assert!(p.contains(&("model.zone_cycle".into(), "zones[1].parent".into())), "{p:?}");
    assert!(p.contains(&("model.zone_cycle".into(), "zones[2].parent".into())), "{p:?}");
    has(
        &BASE.replace("{id: app, kind: internal}", "{id: app, kind: internal, parent: app}"),
        "model.zone_cycle",
        "zones[1].parent",
    );
}

#[test]
fn out_of_range_values() {
    has(&BASE.replace("tags: [pii]}", "tags: [pii], integrity: 7}"), "model.out_of_range", "data_assets[0].integrity");
    has(
        &BASE.replace("{id: app, kind: internal}", "{id: app, kind: internal, trust: 101}"),
        "model.out_of_range",
        "zones[1].trust",
    );
}

#[test]
fn invalid_date() {
    let yaml = format!("{BASE}assumptions:\n  - {{id: A1, statement: s, review_by: 2027-02-30}}\n");
    has(&yaml, "model.invalid_date", "assumptions[0].review_by");
}

#[test]
fn unknown_and_duplicate_controls() {
    let yaml = BASE.replace("controls: []", "controls: [mfaa, waf, waf]");
    has(&yaml, "model.unknown_control", "components[1].controls[0]");
    has(&yaml, "model.duplicate_control", "components[1].controls[2]");
}

#[test]
fn duplicate_flag() {
    has(
        &BASE.replace("controls: []", "controls: [], flags: [custom_code, custom_code]"),
        "model.duplicate_value",
        "components[1].flags[1]",
    );
}

#[test]
fn invalid_id_and_version() {
    has(&BASE.replace("{id: db,", "{id: '',"), "model.invalid_id", "components[2].id");
    has(&format!("format_version: 9\n{BASE}"), "model.unsupported_version", "format_version");
}

#[test]
fn hostile_yaml_is_bounded() {
    // An alias bomb must be refused quickly, not expanded.
    let mut y = String::from("a: &a [1,1,1,1,1,1,1,1,1,1]\n");
    for (i, c) in ["b", "c", "d", "e", "f", "g", "h"].iter().enumerate() {
        let prev = ["a", "b", "c", "d", "e", "f", "g"][i];
        y.push_str(&format!("{c}: &{c} [{}]\n", vec![format!("*{prev}"); 10].join(",")));
    }
    let e = Model::from_yaml(&y).unwrap_err();
    assert_eq!(e.code(), "model.syntax");
    // Deep nesting is refused too.
    let deep = format!("title: {}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(Model::from_yaml(&deep).is_err());
    let deep_json = format!("{{\"title\": {}{}}}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(Model::from_json(&deep_json).is_err());
}

fn rule_error(rules: &str) -> Error {
    Engine::with_options(&EngineOptions {
        rule_files: vec![("custom.yaml".into(), rules.into())],
        no_bundled_rules: true,
        ..Default::default()
    })
    .expect_err("rule file should be rejected")
}

const RULE: &str = r#"
format_version: 1
id: custom
version: 1.0.0
source: test
licence: Apache-2.0
rules:
  - id: X-1
    version: 1.0.0
    title: t
    description: "{flow} is bad"
    stride: [tampering]
    applies_to: flow
    when:
      field: flow.encrypted
      eq: false
    attack: [T1040]
"#;

#[test]
fn custom_rule_file_compiles() {
    let engine = Engine::with_options(&EngineOptions {
        rule_files: vec![("custom.yaml".into(), RULE.into())],
        no_bundled_rules: true,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(engine.rules().rules.len(), 1);
}

#[test]
fn rule_errors_name_file_and_pointer() {
    let cases: &[(&str, &str, &str, &str)] = &[
        ("field: flow.encrypted", "field: flow.encrypt", "rule.unknown_field", "custom.yaml#/rules/0/when/field"),
        (
            "field: flow.encrypted",
            "field: self.encrypted",
            "rule.unavailable_subject",
            "custom.yaml#/rules/0/when/field",
        ),
        ("      eq: false", "      eq: maybe", "rule.invalid_value", "custom.yaml#/rules/0/when/eq"),
        ("      eq: false", "      contains: x", "rule.invalid_operator", "custom.yaml#/rules/0/when/contains"),
        ("attack: [T1040]", "attack: [T9999]", "rule.unknown_technique", "custom.yaml#/rules/0/attack/0"),
        // T1574.002 was revoked in favour of T1574.001.
        ("attack: [T1040]", "attack: [T1574.002]", "rule.retired_technique", "custom.yaml#/rules/0/attack/0"),
        ("{flow} is bad", "{flw} is bad", "rule.invalid_template", "custom.yaml#/rules/0/description"),
        (
            "stride: [tampering]",
            "stride: [tampering]\n    colour: red",
            "rule.unknown_field",
            "custom.yaml#/rules/0/colour",
        ),
        (
            "stride: [tampering]",
            "stride: [tampering]\n    controls: {nist_800_53: [sc-99]}",
            "rule.unknown_control",
            "custom.yaml#/rules/0/controls/nist_800_53/0",
        ),
        (
            "stride: [tampering]",
            "stride: [tampering]\n    cwe: [CWE-99999]",
            "rule.unknown_reference",
            "custom.yaml#/rules/0/cwe/0",
        ),
        ("format_version: 1", "format_version: 2", "rule.unsupported_version", "custom.yaml#/format_version"),
        (
            "stride: [tampering]",
            "stride: [tampering]\n    requirements: {pci: [\"4.2.1\"]}",
            "rule.unknown_framework",
            "custom.yaml#/rules/0/requirements/pci",
        ),
        (
            "stride: [tampering]",
            "stride: [tampering]\n    requirements: {pci_dss: [\"4.2.1\", \"4.2.9\"]}",
            "rule.unknown_requirement",
            "custom.yaml#/rules/0/requirements/pci_dss/1",
        ),
    ];
    for (from, to, code, path) in cases {
        let e = rule_error(&RULE.replace(from, to));
        let d = &e.diagnostics()[0];
        assert_eq!((d.code.as_str(), d.path.as_str()), (*code, *path), "replacing {from:?} with {to:?}: {e}");
    }
}

#[test]
fn retired_technique_names_its_replacement() {
    let e = rule_error(&RULE.replace("attack: [T1040]", "attack: [T1574.002]"));
    assert!(e.diagnostics()[0].message.contains("T1574.001"), "{e}");
}

#[test]
fn rule_language_bounds() {
    let deep = format!("{}field: flow.encrypted, eq: false{}", "not: {".repeat(20), "}".repeat(20));
    let e = rule_error(&RULE.replace("field: flow.encrypted\n      eq: false", &deep));
    assert!(e.diagnostics().iter().any(|d| d.code == "rule.too_complex"), "{e}");
    let nested = RULE.replace(
        "when:\n      field: flow.encrypted\n      eq: false",
        "applies_to: component\n    when:\n      inbound: {where: {outbound: {where: {field: flow.encrypted, eq: false}}}}",
    ).replace("applies_to: flow\n    applies_to", "applies_to");
    let e = rule_error(&nested.replace("description: \"{flow} is bad\"", "description: \"{self} is bad\""));
    assert!(e.diagnostics().iter().any(|d| d.code == "rule.too_complex"), "{e}");
}

#[test]
fn duplicate_rule_ids_in_one_file() {
    let dup = format!("{RULE}{}", &RULE[RULE.find("  - id: X-1").unwrap()..]);
    let e = rule_error(&dup);
    assert_eq!(e.code(), "rule.duplicate_id");
    assert_eq!(e.path(), "custom.yaml#/rules/1/id");
}

#[test]
fn later_rule_file_replaces_a_rule() {
    let replacement = RULE.replace("title: t", "title: replaced");
    let engine = Engine::with_options(&EngineOptions {
        rule_files: vec![("a.yaml".into(), RULE.into()), ("b.yaml".into(), replacement)],
        no_bundled_rules: true,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(engine.rules().rules.len(), 1);
    assert_eq!(engine.rules().get("X-1").unwrap().spec.title, "replaced");
}

#[test]
fn unknown_requirement_suggests_the_framework_key() {
    let e = rule_error(
        &RULE.replace("stride: [tampering]", "stride: [tampering]\n    requirements: {hipa: [\"164.312(b)\"]}"),
    );
    assert!(e.to_string().contains("did you mean `hipaa`"), "{e}");
}

#[test]
fn catalog_files_are_checked_with_file_and_pointer() {
    let frameworks =
        |body: &str| format!("format_version: 1\nid: f\nversion: \"1\"\nsource: s\nlicence: l\nframeworks:\n{body}");
    let fw = "  - id: acme\n    name: Acme\n    version: \"1\"\n    publisher: Acme\n    requirements:\n";
    let cases: Vec<(String, String, &str, &str)> = vec![
        (
            "frameworks/x.yaml".into(),
            frameworks(&format!("{fw}      - {{id: \"1\", title: t, evidence: [magic]}}\n")),
            "catalog.unknown_value",
            "frameworks/x.yaml#/frameworks/0/requirements/0/evidence/0",
        ),
        (
            "frameworks/x.yaml".into(),
            frameworks(&format!("{fw}      - {{id: \"1\", title: t}}\n      - {{id: \"1\", title: u}}\n")),
            "catalog.duplicate_id",
            "frameworks/x.yaml#/frameworks/0/requirements/1/id",
        ),
        (
            "frameworks/x.yaml".into(),
            frameworks("  - id: pci_dss\n    name: P\n    version: \"4\"\n    publisher: P\n    requirements: []\n"),
            "catalog.duplicate_id",
            "frameworks/x.yaml#/frameworks/0/id",
        ),
        (
            "frameworks/x.yaml".into(),
            frameworks("  - id: nist_csf\n    name: C\n    version: \"2\"\n    publisher: N\n    requirements: [{id: ID.RA-99, title: t}]\n"),
            "catalog.unknown_reference",
            "frameworks/frameworks.yaml#/frameworks/",
        ),
        (
            "crosswalks/attack-extra.json".into(),
            r#"{"format_version":1,"id":"x","version":"1","source":"s","licence":"l","mappings":[{"technique":"T1574.002","controls":["sc-8"]}]}"#.into(),
            "catalog.unknown_reference",
            "crosswalks/attack-nist-800-53.json#/mappings/",
        ),
    ];
    for (name, text, code, path) in cases {
        let e =
            Engine::with_options(&EngineOptions { catalog_files: vec![(name.clone(), text)], ..Default::default() })
                .expect_err(&name);
        let d = e.diagnostics().iter().find(|d| d.code == code).unwrap_or_else(|| panic!("{code} expected: {e}"));
        assert!(d.path.starts_with(path), "{} does not start with {path}: {e}", d.path);
    }
}

#[test]
fn yaml_booleans_follow_yaml_1_2() {
    // `NO` (Norway) and `n` stay strings; `yes` is not a boolean and is refused where one is expected.
    let m = Model::from_yaml("title: NO\ncomponents: [{id: n, type: web_app}]\n").unwrap();
    assert_eq!((m.title.as_str(), m.components[0].id.as_str()), ("NO", "n"));
    let e = Model::from_yaml(
        "title: t\ncomponents: [{id: a, type: web_app}, {id: b, type: database}]\nflows: [{source: a, target: b, encrypted: yes}]\n",
    )
    .unwrap_err();
    let d = &e.diagnostics()[0];
    assert_eq!((d.code.as_str(), d.path.as_str()), ("model.invalid_type", "flows[0].encrypted"), "{e}");
}
