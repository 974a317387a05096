//! The command line as a user (or a CI pipeline) runs it: exit codes, outputs, error messages.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn tg(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_threatgraph")).args(args).current_dir(root()).output().expect("run threatgraph")
}

fn tmp(name: &str, content: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("threatgraph-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

const SMALL: &str = "title: t\nzones: [{id: net, kind: internet}, {id: app, kind: internal}]\ncomponents:\n  - {id: b, type: browser, zone: net}\n  - {id: w, type: web_app, zone: app, controls: []}\ndata_assets: [{id: card, classification: restricted, tags: [pci_chd]}]\nflows: [{id: f, source: b, target: w, protocol: http, authentication: none, data: [card]}]\n";

#[test]
fn analyze_prints_json_that_is_identical_across_runs() {
    let m = tmp("small.yaml", SMALL.as_bytes());
    let a = tg(&["analyze", m.to_str().unwrap(), "--format", "json"]);
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    let b = tg(&["analyze", m.to_str().unwrap(), "--format", "json"]);
    assert_eq!(a.stdout, b.stdout);
    let v: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    assert!(v["threats"].as_array().unwrap().iter().any(|t| t["rule"]["id"] == "TM-002"));
}

#[test]
fn fail_on_sets_exit_code_one() {
    let m = tmp("fail.yaml", SMALL.as_bytes());
    let out = tg(&["analyze", m.to_str().unwrap(), "--fail-on", "high"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at or above high"));
    let safe = SMALL.replace("protocol: http", "protocol: https");
    let m = tmp("ok.yaml", safe.as_bytes());
    let out = tg(&["analyze", m.to_str().unwrap(), "--fail-on", "critical", "--format", "markdown"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn invalid_model_exits_two_with_every_problem() {
    let bad = SMALL.replace("target: w", "target: ww").replace("type: browser", "type: browsr");
    let m = tmp("bad.yaml", bad.as_bytes());
    let out = tg(&["analyze", m.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("components[0].type: unknown value `browsr`; did you mean `browser`?"), "{err}");
    assert!(out.stdout.is_empty());
    let bad = SMALL.replace("target: w", "target: ww");
    let m = tmp("bad2.yaml", bad.as_bytes());
    let out = tg(&["validate", m.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("flows[0].target: unknown component `ww`; did you mean `w`? [model.unknown_reference]"),
        "{err}"
    );
}

#[test]
fn hostile_files_exit_two_without_panic() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("binary.yaml", vec![0xff, 0xfe, 0x00, 0x01]),
        ("bomb.yaml", {
            let mut y = String::from("a: &a [1,1,1,1,1,1,1,1,1,1]\n");
            for (c, p) in [("b", "a"), ("c", "b"), ("d", "c"), ("e", "d"), ("f", "e"), ("g", "f"), ("h", "g")] {
                y.push_str(&format!("{c}: &{c} [{}]\n", vec![format!("*{p}"); 10].join(",")));
            }
            y.into_bytes()
        }),
        ("deep.json", format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes()),
        ("empty.yaml", Vec::new()),
        ("list.json", b"[1, 2, 3]".to_vec()),
        ("trailing.json", b"{\"title\": \"x\"} garbage".to_vec()),
    ];
    for (name, content) in cases {
        let p = tmp(name, &content);
        let out = tg(&["analyze", p.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(err.starts_with("error: "), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
    let out = tg(&["analyze", "/no/such/model.yaml"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn bad_rule_file_exits_two_with_pointer() {
    let rules = tmp("rules.yaml", b"format_version: 1\nid: x\nversion: '1'\nsource: s\nlicence: l\nrules:\n  - id: R1\n    version: '1'\n    title: t\n    description: d\n    stride: [spoofing]\n    applies_to: flow\n    when: {field: flow.encryptd, eq: false}\n");
    let m = tmp("m.yaml", SMALL.as_bytes());
    let out = tg(&["analyze", m.to_str().unwrap(), "--rules", rules.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("rules.yaml#/rules/0/when/field: unknown attribute `encryptd`"), "{err}");
    assert!(err.contains("did you mean `encrypted`"), "{err}");
}

#[test]
fn schema_command_matches_the_committed_schema() {
    let out = tg(&["schema"]);
    assert!(out.status.success());
    let committed = std::fs::read(root().join("catalogs/schema/model.schema.json")).unwrap();
    assert!(
        out.stdout == committed,
        "catalogs/schema/model.schema.json is stale: run `threatgraph schema > catalogs/schema/model.schema.json`"
    );
}

#[test]
fn rules_list_and_controls() {
    let out = tg(&["rules", "list"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("TM-002"), "{text}");
    let out = tg(&["rules", "list", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.as_array().unwrap().len() >= 55, "every starter rule is listed");
    let out = tg(&["controls"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("mfa"));
}

#[test]
fn readme_example_model_analyzes() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme.find("```yaml\n# shop.yaml\n").expect("README has the shop.yaml example") + "```yaml\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let m = tmp("readme-shop.yaml", &readme.as_bytes()[start..end]);
    let out = tg(&["analyze", m.to_str().unwrap(), "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!v["threats"].as_array().unwrap().is_empty());
    for format in ["markdown", "table"] {
        assert!(tg(&["analyze", m.to_str().unwrap(), "--format", format]).status.success());
    }
}
