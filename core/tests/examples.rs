//! The bundled examples, analyzed as a security engineer would read them: the threats they must
//! show, with their mappings, and a report with real differentiation.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeSet;
use threatgraph::report::Threat;
use threatgraph::{Engine, Model, Report, Severity, ThreatStatus};

fn analyze(name: &str) -> Report {
    let path = format!("{}/../examples/{name}.yaml", env!("CARGO_MANIFEST_DIR"));
    let model = Model::from_yaml(&std::fs::read_to_string(&path).unwrap()).unwrap();
    Engine::bundled().unwrap().analyze(&model).unwrap()
}

fn find<'a>(r: &'a Report, rule: &str, element: &str) -> &'a Threat {
    r.threats
        .iter()
        .find(|t| t.rule.id == rule && t.elements.iter().any(|e| &*e.id == element))
        .unwrap_or_else(|| panic!("expected {rule} on {element}"))
}

fn attack<'a>(r: &'a Report, t: &Threat) -> BTreeSet<&'a str> {
    r.rule_of(t).unwrap().attack.iter().map(|a| a.id.as_str()).collect()
}

fn nist<'a>(r: &'a Report, t: &Threat) -> BTreeSet<&'a str> {
    r.rule_of(t).unwrap().recommended_controls.nist_800_53.iter().map(|c| c.id.as_str()).collect()
}

fn cites(r: &Report, t: &Threat, framework: &str) -> bool {
    r.rule_of(t).unwrap().requirements.contains_key(framework)
}

#[test]
fn webshop_names_the_threats_a_security_engineer_expects() {
    let r = analyze("webshop");

    // Card data on an unencrypted internal flow: information disclosure, T1040/T1557, SC-8.
    let t = find(&r, "TM-002", "f-order-payment");
    assert!(t.stride.contains(&"information_disclosure".to_owned()));
    assert!(attack(&r, t).is_superset(&BTreeSet::from(["T1040", "T1557"])));
    assert!(nist(&r, t).contains("SC-8"));
    assert!(t.impact.assets.iter().any(|a| &**a == "cardholder-data" || a.contains("card")), "{:?}", t.impact.assets);
    assert_eq!(t.status, "open");
    assert!(t.severity >= Severity::High);

    // Internet-facing login without MFA: spoofing with T1110/T1078 and IA-2(1).
    let login: Vec<&Threat> = r
        .threats
        .iter()
        .filter(|t| {
            &*t.elements[0].id == "f-customer-login" && t.stride.first().map(String::as_str) == Some("spoofing")
        })
        .collect();
    let techniques: BTreeSet<&str> = login.iter().flat_map(|t| attack(&r, t)).collect();
    assert!(techniques.contains("T1110") && techniques.contains("T1078"), "{techniques:?}");
    assert!(login.iter().any(|t| nist(&r, t).contains("IA-2(1)")));

    // Card database without encryption at rest: SC-28, open; the orders database declares it.
    let vault = find(&r, "TM-018", "card-vault");
    assert!(nist(&r, vault).contains("SC-28"));
    assert_eq!(vault.status, "open");
    assert!(vault.controls_missing.iter().any(|c| &**c == "encryption_at_rest"));
    let orders = find(&r, "TM-018", "orders-db");
    assert_eq!(orders.status, "mitigated");
    assert!(orders.impact.residual < orders.impact.inherent);
    assert!(orders.controls_credited.iter().any(|c| &*c.control == "encryption_at_rest"));

    // Differentiation: at least three residual levels, and mitigated threats ranked lower.
    let levels: BTreeSet<Severity> = r.threats.iter().map(|t| t.severity).collect();
    assert!(levels.len() >= 3, "{levels:?}");
    assert!(r.threats.iter().any(|t| t.status == "mitigated" && t.severity < t.inherent_severity));
    let critical = r.count_at_or_above(Severity::Critical);
    assert!(critical * 4 < r.threats.len(), "a wall of criticals: {critical} of {}", r.threats.len());

    // PCI DSS requirements are cited.
    assert!(r.threats.iter().any(|t| cites(&r, t, "pci_dss")));
}

#[test]
fn patient_portal_shows_privacy_and_phi_threats() {
    let r = analyze("patient-portal");
    let rules: BTreeSet<&str> = r.threats.iter().map(|t| t.rule.id.as_str()).collect();
    for expected in ["TM-035", "TM-043", "TM-044", "TM-047"] {
        assert!(rules.contains(expected), "{expected} missing from {rules:?}");
    }
    assert!(r.threats.iter().any(|t| !t.linddun.is_empty()), "LINDDUN findings expected");
    assert!(r.threats.iter().any(|t| cites(&r, t, "hipaa")));
    assert!(r.threats.iter().any(|t| cites(&r, t, "gdpr")));
}

#[test]
fn data_asset_and_model_threats_credit_controls_declared_on_any_element_in_reach() {
    let r = analyze("patient-portal");
    let credited = |t: &Threat| -> Vec<(String, String)> {
        t.controls_credited.iter().map(|c| (c.control.to_string(), c.on.to_string())).collect()
    };
    // The model's threat reads every element's controls; each is credited to the first element
    // (by id) that declares it.
    let model = r.threats.iter().find(|t| t.rule.id == "TM-045" && t.elements.is_empty()).expect("TM-045");
    assert_eq!(model.status, ThreatStatus::Mitigated);
    let on_web = |c: &str| (c.to_owned(), "portal-web".to_owned());
    assert_eq!(credited(model), [on_web("privacy_notice"), on_web("consent_capture"), on_web("dsr_handling")]);
    let implemented: Vec<&str> = model.controls_implemented.iter().map(|c| &*c.id).collect();
    assert_eq!(implemented, ["PT-4", "PT-5", "SI-18"]);
    // A data asset's threat reads the controls of the components that handle it.
    let asset = r
        .threats
        .iter()
        .find(|t| t.rule.id == "TM-046" && t.elements.first().is_some_and(|e| &*e.id == "appointments"))
        .expect("TM-046 on appointments");
    assert_eq!(asset.status, "mitigated");
    assert_eq!(credited(asset), [("dpia".to_owned(), "appointments-api".to_owned())]);
}

#[test]
fn saas_platform_shows_supply_chain_and_tenant_threats() {
    let r = analyze("saas-platform");
    let rules: BTreeSet<&str> = r.threats.iter().map(|t| t.rule.id.as_str()).collect();
    for expected in ["TM-036", "TM-038", "TM-019"] {
        assert!(rules.contains(expected), "{expected} missing from {rules:?}");
    }
}

#[test]
fn every_example_report_is_explained_and_deterministic() {
    for name in ["webshop", "patient-portal", "saas-platform"] {
        let r = analyze(name);
        assert_eq!(r.to_json(), analyze(name).to_json());
        assert!(!r.threats.is_empty());
        for t in &r.threats {
            assert!(t.id.starts_with("TG-") && t.id.len() == 19, "{}", t.id);
            assert!(
                !t.description.to_string().contains('{'),
                "unrendered placeholder in {}: {}",
                t.rule.id,
                t.description
            );
            assert!(t.severity <= t.inherent_severity);
            if t.likelihood.factors.is_none() {
                continue;
            }
            let f = t.likelihood.factors.as_ref().unwrap();
            assert_eq!(f.sum, f.exposure + f.access + f.complexity + f.threat_activity);
        }
        // Declared assumptions are in the register, with their owners.
        assert!(r.assumptions.iter().any(|a| a.source == "declared" && a.owner.is_some()));
        assert_eq!(r.summary.threats, r.threats.len());
        let md = r.to_markdown();
        for section in
            ["## Summary", "## Scope and architecture", "## Methodology", "## Threats", "## Assumptions register"]
        {
            assert!(md.contains(section), "{name}: {section}");
        }
    }
}

#[test]
fn report_json_is_what_serde_json_writes() {
    // `to_json` has its own pretty writer (for speed); the format is serde_json's pretty output
    // plus a newline, and writing through any `io::Write` gives the same bytes.
    for name in ["webshop", "patient-portal", "saas-platform"] {
        let r = analyze(name);
        let json = r.to_json();
        assert!(json == serde_json::to_string_pretty(&r).unwrap() + "\n", "{name}");
        let mut streamed = std::io::BufWriter::with_capacity(7, Vec::new());
        r.write_json(&mut streamed).unwrap();
        assert!(streamed.into_inner().unwrap() == json.as_bytes(), "{name}");
    }
}

fn framework<'a>(r: &'a Report, id: &str) -> &'a threatgraph::report::FrameworkEvidence {
    r.compliance.iter().find(|f| f.id == id).unwrap_or_else(|| panic!("framework {id} listed"))
}

#[test]
fn reports_cite_the_frameworks_their_data_brings_in() {
    let shop = analyze("webshop");
    let pci = framework(&shop, "pci_dss");
    assert!(pci.applicable, "{}", pci.reason);
    let req = |f: &threatgraph::report::FrameworkEvidence, id: &str| {
        f.requirements.iter().find(|q| q.id == id).cloned().unwrap_or_else(|| panic!("{} {id}", f.id))
    };
    // Card-data flow diagrams (1.2.4) are evidenced by the flows that carry card data.
    let r124 = req(pci, "1.2.4");
    assert_eq!(r124.status, "evidenced", "{r124:?}");
    assert!(r124.evidence.iter().any(|e| e.contains("carrying pci_chd/pci_sad data")), "{r124:?}");
    // 4.2.1 (strong cryptography in transit) is checked by TM-002, which finds the cleartext card flow.
    let r421 = req(pci, "4.2.1");
    assert!(r421.rules.contains(&"TM-002".to_owned()) && r421.findings.open > 0, "{r421:?}");
    assert!(!framework(&shop, "hipaa").applicable, "no PHI in the shop");
    // Threats carry their requirement ids too.
    assert!(shop.threats.iter().any(|t| {
        shop.rule_of(t).and_then(|r| r.requirements.get("pci_dss")).is_some_and(|v| v.contains(&"4.2.1".to_owned()))
    }));

    let portal = analyze("patient-portal");
    let hipaa = framework(&portal, "hipaa");
    assert!(hipaa.applicable && hipaa.reason.contains("phi"), "{}", hipaa.reason);
    let risk_analysis = req(hipaa, "164.308(a)(1)(ii)(A)");
    assert_eq!(risk_analysis.status, "evidenced", "{risk_analysis:?}");
    let gdpr = framework(&portal, "gdpr");
    assert!(gdpr.applicable);
    assert!(gdpr.requirements.iter().any(|q| q.id.starts_with("Art. 35") && q.findings.threats > 0), "DPIA trigger");
    assert!(!framework(&portal, "pci_dss").applicable);

    for r in [&shop, &portal, &analyze("saas-platform")] {
        for f in r.compliance.iter().filter(|f| f.applicable) {
            assert!(!f.requirements.is_empty(), "{}", f.id);
            assert_eq!(f.evidenced, f.requirements.iter().filter(|q| q.status == "evidenced").count());
            // A requirement nobody can evidence from the report says what a person must add.
            for q in f.requirements.iter().filter(|q| q.status == "not_evidenced") {
                assert!(q.outside_report.is_some() || !q.gaps.is_empty(), "{} {} says nothing", f.id, q.id);
            }
        }
    }
    let md = shop.to_markdown();
    assert!(md.contains("## Compliance evidence") && md.contains("### PCI DSS 4.0.1"), "markdown lists frameworks");
}

#[test]
fn crosswalk_queries_answer_for_threats_controls_and_requirements() {
    use threatgraph::catalog::ControlFramework;
    let engine = Engine::bundled().unwrap();
    let shop = analyze("webshop");
    let cleartext = shop.threats.iter().find(|t| t.rule.id == "TM-002").expect("TM-002 in the shop");
    let ids = |fw| engine.controls_for_threat(cleartext, fw).into_iter().map(|i| i.id).collect::<Vec<_>>();
    assert!(ids(ControlFramework::Nist80053).contains(&"SC-8".to_owned()));
    assert!(ids(ControlFramework::Csf).contains(&"PR.DS-02".to_owned()), "{:?}", ids(ControlFramework::Csf));
    assert!(!ids(ControlFramework::PciDss).is_empty());
    let by_sc8 = engine.threats_for_control(&shop, ControlFramework::Nist80053, "SC-8");
    assert!(by_sc8.iter().any(|t| t.id == cleartext.id));
    assert!(by_sc8.iter().all(|t| nist(&shop, t).contains("SC-8")));
    let by_csf = engine.threats_for_control(&shop, ControlFramework::Csf, "PR.DS-02");
    assert!(by_csf.iter().any(|t| t.id == cleartext.id));
    let ev = engine.evidence_for_requirement(&shop, "pci_dss", "1.2.4").expect("PCI 1.2.4");
    assert_eq!(ev.status, "evidenced");
    assert!(engine.evidence_for_requirement(&shop, "hipaa", "164.312(b)").is_none(), "HIPAA does not apply");
}

#[test]
fn every_stride_per_element_cell_is_considered_by_a_rule() {
    let r = analyze("webshop");
    let cells: usize = threatgraph::report::STRIDE_PER_ELEMENT.iter().map(|(_, c)| c.len()).sum();
    assert_eq!(r.coverage.len(), cells);
    for c in &r.coverage {
        assert!(!c.rules.is_empty(), "{} / {:?} is considered by no rule", c.element, c.category);
        assert!(c.with_findings <= c.elements);
    }
    let flows_t = r.coverage.iter().find(|c| c.element == "flow" && c.category.as_str() == "tampering").unwrap();
    assert!(flows_t.rules.contains(&"TM-002".to_owned()) && flows_t.with_findings > 0);
}

#[test]
fn threats_and_assumptions_link_both_ways() {
    for name in ["webshop", "patient-portal", "saas-platform"] {
        let r = analyze(name);
        let mut links = 0;
        for a in &r.assumptions {
            for tid in &a.threats {
                let t = r.threats.iter().find(|t| &t.id == tid).expect("linked threat exists");
                assert!(t.assumptions.iter().any(|x| **x == *a.id), "{name}: {tid} should list {}", a.id);
                links += 1;
            }
        }
        let listed: usize = r.threats.iter().map(|t| t.assumptions.len()).sum();
        assert_eq!(listed, links, "{name}: every threat-side link has its register entry");
        assert!(links > 0, "{name}");
    }
}

/// The model hash identifies a model across releases (a GRC platform stores it next to each
/// report to tell whether the architecture changed): its value for a given model never changes.
#[test]
fn model_hash_of_the_webshop_is_stable() {
    assert_eq!(
        analyze("webshop").provenance.model_hash,
        "sha256:8ded7185339415f9493d016c212ad511f67c68e3749807fc09eaa4cfa82bc905"
    );
}

/// `threatgraph::model_hash` is the hash the report's provenance carries, flows without an id
/// (named `source->target`) included, and the order of the model file does not change it.
#[test]
fn model_hash_matches_the_report_and_ignores_file_order() {
    let engine = Engine::bundled().unwrap();
    let flows = [
        r#"{"source": "a", "target": "b", "protocol": "https"}"#,
        r#"{"source": "b", "target": "c", "protocol": "https"}"#,
        r#"{"id": "f-ac", "source": "a", "target": "c", "protocol": "https"}"#,
    ];
    let model = |order: [usize; 3]| {
        let flows: Vec<&str> = order.iter().map(|&i| flows[i]).collect();
        Model::from_json(&format!(
            r#"{{"title": "t", "components": [{{"id": "a", "type": "web_app"}}, {{"id": "b", "type": "api"}},
                {{"id": "c", "type": "database"}}], "flows": [{}]}}"#,
            flows.join(", ")
        ))
        .unwrap()
    };
    let (m1, m2) = (model([0, 1, 2]), model([2, 1, 0]));
    let hash = threatgraph::model_hash(&m1);
    assert!(hash.starts_with("sha256:") && hash.len() == 7 + 64, "{hash}");
    assert_eq!(threatgraph::model_hash(&m2), hash);
    assert_eq!(engine.analyze(&m1).unwrap().provenance.model_hash, hash);
    assert_eq!(engine.analyze(&m2).unwrap().provenance.model_hash, hash);
    for name in ["webshop", "patient-portal", "saas-platform"] {
        let path = format!("{}/../examples/{name}.yaml", env!("CARGO_MANIFEST_DIR"));
        let m = Model::from_yaml(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(threatgraph::model_hash(&m), engine.analyze(&m).unwrap().provenance.model_hash, "{name}");
    }
}

/// Threats of one rule list the mitigations their own elements miss, whatever other threats of
/// the rule credit (the engine shares one list per set of credited mitigations), and their
/// descriptions and data assets follow their own flows.
#[test]
fn each_threat_lists_its_own_missing_mitigations_and_data() {
    let yaml = r#"
format_version: 1
title: three cleartext flows
zones:
  - {id: corp, kind: internal}
data_assets:
  - {id: cards, name: Card data, classification: restricted, tags: [pci_chd]}
  - {id: people, name: Customer records, classification: confidential, tags: [pii]}
components:
  - {id: app, name: App, type: service, zone: corp}
  - {id: db1, name: Ledger, type: database, zone: corp}
  - {id: db2, name: Archive, type: database, zone: corp}
  - {id: db3, name: Vault, type: database, zone: corp}
flows:
  - {id: f1, name: Bare, source: app, target: db1, protocol: tcp, encrypted: false, data: [cards]}
  - {id: f2, name: Over VPN, source: app, target: db2, protocol: tcp, encrypted: false, data: [cards, people], controls: [vpn]}
  - {id: f3, name: Also bare, source: app, target: db3, protocol: tcp, encrypted: false, data: [people, cards]}
"#;
    let model = Model::from_yaml(yaml).unwrap();
    let r = Engine::bundled().unwrap().analyze(&model).unwrap();
    let missing = |flow: &str| -> Vec<String> {
        find(&r, "TM-002", flow).controls_missing.iter().map(|c| c.to_string()).collect()
    };
    assert_eq!(missing("f1"), ["tls", "mtls", "message_encryption", "vpn"]);
    assert_eq!(missing("f2"), ["tls", "mtls", "message_encryption"]);
    assert_eq!(missing("f3"), ["tls", "mtls", "message_encryption", "vpn"]);
    let f2 = find(&r, "TM-002", "f2");
    assert_eq!(f2.controls_credited.iter().map(|c| &*c.control).collect::<Vec<_>>(), ["vpn"]);
    let text = f2.description.to_string();
    assert!(text.contains("Card data, Customer records"), "{text}");
    assert!(text.ends_with("Missing controls: tls, mtls, message_encryption."), "{text}");
    let f1 = find(&r, "TM-002", "f1").description.to_string();
    assert!(f1.contains("carries Card data from App to Ledger"), "{f1}");
    assert!(f1.ends_with("Missing controls: tls, mtls, message_encryption, vpn."), "{f1}");
    // The same data assets in another order are the same list, ordered by id.
    let assets =
        |flow: &str| -> Vec<String> { find(&r, "TM-002", flow).impact.assets.iter().map(|a| a.to_string()).collect() };
    assert_eq!(assets("f1"), ["cards"]);
    assert_eq!(assets("f2"), ["cards", "people"]);
    assert_eq!(assets("f3"), ["cards", "people"]);
}
