//! Queries across the rule pack, the catalogs and the crosswalks: what is mapped to an id, the
//! controls of a threat in any framework, the threats a control mitigates, the evidence for a
//! framework requirement.

use super::Engine;
use crate::catalog::{ControlFramework, EntryStatus, natural_cmp};
use crate::report::{Report, RequirementEvidence, Threat};
use crate::rules::Rule;
use serde::Serialize;

/// An id with its title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub id: String,
    pub title: String,
}

/// A group of items related to a catalog entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Related {
    /// How they relate (`rules`, `mitigated_by_nist_800_53`, ...).
    pub relation: String,
    /// Where the relation comes from (`rule pack`, `CTID`, `CSF 2.0 informative references`).
    pub source: String,
    pub items: Vec<Item>,
}

/// A catalog entry and everything mapped to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// `attack_technique`, `attack_tactic`, `nist_800_53`, `iso_27001`, `cis_v8`, `csf`, `cwe`,
    /// `capec`, `control_token` or `requirement`.
    pub kind: String,
    pub id: String,
    pub title: String,
    /// Key facts (`status`, `tactics`, `baselines`, `url`, ...), in display order.
    pub facts: Vec<(String, String)>,
    pub related: Vec<Related>,
}

fn item(id: &str, title: &str) -> Item {
    Item { id: id.to_owned(), title: title.to_owned() }
}

fn sorted(mut items: Vec<Item>) -> Vec<Item> {
    items.sort_by(|a, b| natural_cmp(&a.id, &b.id));
    items.dedup_by(|a, b| a.id == b.id);
    items
}

/// The SP 800-53 OSCAL id for `SC-8`, `sc-08`, `SC-8(1)`, `sc-8.1`.
fn nist_id(s: &str) -> String {
    let lower = s.trim().to_ascii_lowercase();
    let (base, enh) = match lower.split_once('(') {
        Some((b, rest)) => (b.to_owned(), Some(rest.trim_end_matches(')').to_owned())),
        None => match lower.split_once('.') {
            Some((b, e)) => (b.to_owned(), Some(e.to_owned())),
            None => (lower.clone(), None),
        },
    };
    let strip = |n: &str| {
        let t = n.trim_start_matches('0');
        if t.is_empty() { "0".to_owned() } else { t.to_owned() }
    };
    let base = match base.split_once('-') {
        Some((fam, num)) => format!("{fam}-{}", strip(num)),
        None => base,
    };
    match enh {
        Some(e) => format!("{base}.{}", strip(&e)),
        None => base,
    }
}

impl Engine {
    fn rules_where(&self, pred: impl Fn(&Rule) -> bool) -> Vec<Item> {
        sorted(self.rules().rules.iter().filter(|r| pred(r)).map(|r| item(&r.spec.id, &r.spec.title)).collect())
    }

    fn nist_items<'a>(&self, ids: impl IntoIterator<Item = &'a String>) -> Vec<Item> {
        let cat = self.catalogs();
        sorted(
            ids.into_iter()
                .map(|id| match cat.nist.get(id) {
                    Some(c) => item(&c.label, &c.title),
                    None => item(id, ""),
                })
                .collect(),
        )
    }

    fn framework_items(&self, fw: ControlFramework, ids: &[String]) -> Vec<Item> {
        let cat = self.catalogs();
        match fw {
            ControlFramework::Nist80053 => self.nist_items(ids),
            ControlFramework::Iso27001 => {
                sorted(ids.iter().map(|i| item(i, cat.iso.get(i).map_or("", |c| c.title.as_str()))).collect())
            }
            ControlFramework::CisV8 => sorted(
                ids.iter()
                    .map(|i| {
                        let title = cat.cis.get(i).map(|s| s.title.as_str());
                        item(i, title.or(cat.cis_controls.get(i).map(|c| c.title.as_str())).unwrap_or(""))
                    })
                    .collect(),
            ),
            ControlFramework::Csf => {
                sorted(ids.iter().map(|i| item(i, cat.csf.get(i).map_or("", |s| s.title.as_str()))).collect())
            }
            ControlFramework::PciDss => {
                let pci = cat.framework("pci_dss");
                sorted(
                    ids.iter()
                        .map(|i| item(i, pci.and_then(|f| f.requirement(i)).map_or("", |r| r.title.as_str())))
                        .collect(),
                )
            }
        }
    }

    /// Related groups through CSF 2.0: the subcategories citing `id` of `fw`, and the other
    /// frameworks' references of those subcategories.
    fn via_csf(&self, fw: ControlFramework, id: &str) -> Vec<Related> {
        let cw = &self.catalogs().crosswalks;
        let subcats = cw.csf_citing(fw, id).to_vec();
        let mut out = Vec::new();
        if subcats.is_empty() {
            return out;
        }
        out.push(Related {
            relation: "nist_csf".into(),
            source: "CSF 2.0 informative references".into(),
            items: self.framework_items(ControlFramework::Csf, &subcats),
        });
        for to in [ControlFramework::Nist80053, ControlFramework::Iso27001, ControlFramework::CisV8] {
            if to == fw {
                continue;
            }
            let ids = cw.translate(fw, &[id.to_owned()], to);
            if !ids.is_empty() {
                out.push(Related {
                    relation: to.key().into(),
                    source: "via CSF 2.0 informative references".into(),
                    items: self.framework_items(to, &ids),
                });
            }
        }
        out
    }

    /// Every catalog entry matching `query`, with what is mapped to it. Ids are matched without
    /// regard to case (`t1190`, `SC-8`, `sc-08`, `SC-8(1)`, `a.8.24`, `id.ra-03`, `cwe-79`);
    /// a framework prefix narrows the search (`pci_dss:6.3.2`, `cis_v8:16.14`, `iso_27001:A.8.24`).
    pub fn lookup(&self, query: &str) -> Vec<Entry> {
        let q = query.trim();
        let (scope, id) = match q.split_once(':') {
            Some((s, rest)) if !s.contains(' ') => (Some(s.trim().to_ascii_lowercase()), rest.trim()),
            _ => (None, q),
        };
        let in_scope = |names: &[&str]| scope.as_deref().is_none_or(|s| names.contains(&s));
        let upper = id.to_ascii_uppercase();
        let cat = self.catalogs();
        let cw = &cat.crosswalks;
        let mut out = Vec::new();

        if in_scope(&["attack", "mitre", "technique"]) {
            if let Some(t) = cat.techniques.get(&upper) {
                let mut facts = vec![("tactics".to_owned(), t.tactics.join(", ")), ("url".to_owned(), t.url())];
                if t.status != EntryStatus::Active {
                    let by = if t.revoked_by.is_empty() {
                        String::new()
                    } else {
                        format!(" by {}", t.revoked_by.join(", "))
                    };
                    facts.insert(0, ("status".into(), format!("{}{by}", t.status.as_str())));
                }
                if let Some(p) = &t.parent {
                    facts.push(("parent".into(), p.clone()));
                }
                let mut related = vec![Related {
                    relation: "rules".into(),
                    source: "rule pack".into(),
                    items: self.rules_where(|r| r.spec.attack.iter().any(|a| a == &t.id)),
                }];
                let controls = cw.controls_for_technique(&t.id);
                if !controls.is_empty() {
                    related.push(Related {
                        relation: "mitigated_by_nist_800_53".into(),
                        source: "CTID ATT&CK to NIST SP 800-53 mapping".into(),
                        items: self.nist_items(controls),
                    });
                }
                out.push(Entry {
                    kind: "attack_technique".into(),
                    id: t.id.clone(),
                    title: t.name.clone(),
                    facts,
                    related,
                });
            }
            if let Some(t) = cat.tactics.values().find(|t| t.id == upper || t.shortname == id.to_ascii_lowercase()) {
                let techniques: Vec<Item> = cat
                    .techniques
                    .values()
                    .filter(|x| x.status == EntryStatus::Active && x.tactics.contains(&t.shortname))
                    .map(|x| item(&x.id, &x.name))
                    .collect();
                out.push(Entry {
                    kind: "attack_tactic".into(),
                    id: t.id.clone(),
                    title: t.name.clone(),
                    facts: vec![
                        ("shortname".into(), t.shortname.clone()),
                        ("techniques".into(), techniques.len().to_string()),
                    ],
                    related: vec![Related {
                        relation: "rules".into(),
                        source: "rule pack".into(),
                        items: self.rules_where(|r| {
                            r.spec
                                .attack
                                .iter()
                                .any(|a| cat.techniques.get(a).is_some_and(|x| x.tactics.contains(&t.shortname)))
                        }),
                    }],
                });
            }
        }
        if in_scope(&["nist", "nist_800_53", "800-53", "sp800-53"]) {
            let nid = nist_id(id);
            if let Some(c) = cat.nist.get(&nid) {
                let mut facts = vec![
                    (
                        "family".to_owned(),
                        cat.nist_families.get(&c.family).map_or(c.family.clone(), |f| f.title.clone()),
                    ),
                    (
                        "baselines".to_owned(),
                        if c.baselines.is_empty() { "none".into() } else { c.baselines.join(", ") },
                    ),
                ];
                if c.status != EntryStatus::Active {
                    facts.insert(0, ("status".into(), format!("withdrawn to {}", c.withdrawn_to.join(", "))));
                }
                let mut related = vec![Related {
                    relation: "rules".into(),
                    source: "rule pack".into(),
                    items: self.rules_where(|r| r.spec.controls.nist_800_53.iter().any(|x| x == &c.id)),
                }];
                let tokens: Vec<Item> = cat
                    .tokens
                    .values()
                    .filter(|t| t.nist_800_53.contains(&c.id))
                    .map(|t| item(&t.id, &t.title))
                    .collect();
                if !tokens.is_empty() {
                    related.push(Related {
                        relation: "implemented_by_control_tokens".into(),
                        source: "control tokens".into(),
                        items: sorted(tokens),
                    });
                }
                let techniques = cw.techniques_for_control(&c.id);
                if !techniques.is_empty() {
                    related.push(Related {
                        relation: "mitigates_attack_techniques".into(),
                        source: "CTID ATT&CK to NIST SP 800-53 mapping".into(),
                        items: sorted(
                            techniques
                                .iter()
                                .map(|t| item(t, cat.techniques.get(t).map_or("", |x| x.name.as_str())))
                                .collect(),
                        ),
                    });
                }
                related.extend(self.via_csf(ControlFramework::Nist80053, &c.id));
                out.push(Entry {
                    kind: "nist_800_53".into(),
                    id: c.label.clone(),
                    title: c.title.clone(),
                    facts,
                    related,
                });
            }
        }
        if in_scope(&["iso", "iso_27001", "iso27001"]) {
            let iid = if upper.starts_with("A.") { upper.clone() } else { format!("A.{upper}") };
            if let Some(c) = cat.iso.get(&iid).filter(|_| upper.starts_with("A.") || scope.is_some()) {
                let mut related = vec![Related {
                    relation: "rules".into(),
                    source: "rule pack".into(),
                    items: self.rules_where(|r| r.spec.controls.iso_27001.iter().any(|x| x == &c.id)),
                }];
                related.extend(self.via_csf(ControlFramework::Iso27001, &c.id));
                out.push(Entry {
                    kind: "iso_27001".into(),
                    id: c.id.clone(),
                    title: c.title.clone(),
                    facts: vec![("theme".into(), c.theme.clone())],
                    related,
                });
            }
        }
        if in_scope(&["cis", "cis_v8"])
            && let Some(s) = cat.cis.get(id)
        {
            let mut related = vec![Related {
                relation: "rules".into(),
                source: "rule pack".into(),
                items: self.rules_where(|r| r.spec.controls.cis_v8.iter().any(|x| x == &s.id)),
            }];
            related.extend(self.via_csf(ControlFramework::CisV8, &s.id));
            let control =
                cat.cis_controls.get(&s.control).map_or(s.control.clone(), |c| format!("{} {}", c.id, c.title));
            out.push(Entry {
                kind: "cis_v8".into(),
                id: s.id.clone(),
                title: s.title.clone(),
                facts: vec![("control".into(), control), ("implementation_group".into(), format!("IG{}", s.ig))],
                related,
            });
        }
        if in_scope(&["csf", "nist_csf"]) {
            if let Some(s) = cat.csf.get(&upper) {
                let refs = cw.csf_refs.get(&s.id);
                let mut related = Vec::new();
                if let Some(r) = refs {
                    for (fw, ids) in [
                        (ControlFramework::Nist80053, &r.nist_800_53),
                        (ControlFramework::Iso27001, &r.iso_27001),
                        (ControlFramework::CisV8, &r.cis_v8),
                        (ControlFramework::PciDss, &r.pci_dss),
                    ] {
                        if !ids.is_empty() {
                            related.push(Related {
                                relation: fw.key().into(),
                                source: "CSF 2.0 informative references".into(),
                                items: self.framework_items(fw, ids),
                            });
                        }
                    }
                    let nist = &r.nist_800_53;
                    related.push(Related {
                        relation: "rules".into(),
                        source: "rule pack, through the subcategory's SP 800-53 references".into(),
                        items: self.rules_where(|rule| rule.spec.controls.nist_800_53.iter().any(|c| nist.contains(c))),
                    });
                }
                let category =
                    cat.csf_categories.get(&s.category).map_or(s.category.clone(), |c| format!("{} {}", c.id, c.title));
                out.push(Entry {
                    kind: "csf".into(),
                    id: s.id.clone(),
                    title: s.title.clone(),
                    facts: vec![("category".into(), category)],
                    related,
                });
            } else if let Some(c) = cat.csf_categories.get(&upper) {
                let subs: Vec<Item> =
                    cat.csf.values().filter(|s| s.category == c.id).map(|s| item(&s.id, &s.title)).collect();
                out.push(Entry {
                    kind: "csf".into(),
                    id: c.id.clone(),
                    title: c.title.clone(),
                    facts: vec![("function".into(), c.function.clone())],
                    related: vec![Related { relation: "subcategories".into(), source: "CSF 2.0".into(), items: subs }],
                });
            }
        }
        if in_scope(&["cwe"])
            && let Some(w) = cat.cwe.get(&upper)
        {
            out.push(Entry {
                kind: "cwe".into(),
                id: w.id.clone(),
                title: w.name.clone(),
                facts: vec![("status".into(), w.status.clone())],
                related: vec![Related {
                    relation: "rules".into(),
                    source: "rule pack".into(),
                    items: self.rules_where(|r| r.spec.cwe.contains(&w.id)),
                }],
            });
        }
        if in_scope(&["capec"])
            && let Some(p) = cat.capec.get(&upper)
        {
            out.push(Entry {
                kind: "capec".into(),
                id: p.id.clone(),
                title: p.name.clone(),
                facts: vec![("status".into(), p.status.clone())],
                related: vec![Related {
                    relation: "rules".into(),
                    source: "rule pack".into(),
                    items: self.rules_where(|r| r.spec.capec.contains(&p.id)),
                }],
            });
        }
        if in_scope(&["token", "control"])
            && let Some(t) = cat.tokens.get(&id.to_ascii_lowercase())
        {
            out.push(Entry {
                kind: "control_token".into(),
                id: t.id.clone(),
                title: t.title.clone(),
                facts: Vec::new(),
                related: vec![
                    Related {
                        relation: "nist_800_53".into(),
                        source: "control tokens".into(),
                        items: self.nist_items(&t.nist_800_53),
                    },
                    Related {
                        relation: "mitigates_rules".into(),
                        source: "rule pack".into(),
                        items: self.rules_where(|r| r.spec.mitigations.iter().any(|m| m.control == t.id)),
                    },
                ],
            });
        }
        for fw in &cat.frameworks {
            if scope.as_deref().is_some_and(|s| s != fw.id) {
                continue;
            }
            let Some(req) = fw.requirements.iter().find(|r| r.id.eq_ignore_ascii_case(id)) else { continue };
            let mut facts = vec![("framework".to_owned(), format!("{} {}", fw.name, fw.version))];
            if !req.evidence.is_empty() {
                let kinds: Vec<&str> = req.evidence.iter().map(|k| k.as_str()).collect();
                facts.push(("evidenced_by".into(), kinds.join(", ")));
            }
            if !req.data_tags.is_empty() {
                let tags: Vec<&str> = req.data_tags.iter().map(|t| t.as_str()).collect();
                facts.push(("data".into(), tags.join(", ")));
            }
            if let Some(o) = &req.outside_report {
                facts.push(("outside_report".into(), o.clone()));
            }
            let mut related = vec![Related {
                relation: "rules".into(),
                source: "rule pack".into(),
                items: self.rules_where(|r| r.spec.requirements.get(&fw.id).is_some_and(|ids| ids.contains(&req.id))),
            }];
            if fw.id == "pci_dss" {
                let subcats: Vec<String> = cw
                    .csf_refs
                    .values()
                    .filter(|r| r.pci_dss.contains(&req.id))
                    .map(|r| r.subcategory.clone())
                    .collect();
                if !subcats.is_empty() {
                    related.push(Related {
                        relation: "nist_csf".into(),
                        source: "CSF 2.0 informative references".into(),
                        items: self.framework_items(ControlFramework::Csf, &subcats),
                    });
                }
            }
            out.push(Entry {
                kind: "requirement".into(),
                id: format!("{}:{}", fw.id, req.id),
                title: req.title.clone(),
                facts,
                related,
            });
        }
        out
    }

    /// The controls of `threat` in `framework`: the rule's own mapping for SP 800-53, ISO 27001 and
    /// CIS; for CSF 2.0 and PCI DSS, the CSF subcategories whose informative references cite the
    /// rule's SP 800-53, ISO or CIS controls (and those subcategories' PCI references).
    pub fn controls_for_threat(&self, threat: &Threat, framework: ControlFramework) -> Vec<Item> {
        let empty = crate::report::RuleControls::default();
        let rc = self
            .infos
            .iter()
            .find(|i| i.summary.id == threat.rule.id)
            .map_or(&empty, |i| &i.summary.recommended_controls);
        let nist: Vec<String> = rc.nist_800_53.iter().map(|c| c.id.clone()).collect();
        let iso: Vec<String> = rc.iso_27001.iter().map(|c| c.id.clone()).collect();
        let cis: Vec<String> = rc.cis_v8.iter().map(|c| c.id.clone()).collect();
        let ids = match framework {
            ControlFramework::Nist80053 => nist.iter().map(|c| nist_id(c)).collect(),
            ControlFramework::Iso27001 => iso,
            ControlFramework::CisV8 => cis,
            ControlFramework::Csf | ControlFramework::PciDss => {
                let cw = &self.catalogs().crosswalks;
                let nist: Vec<String> = nist.iter().map(|c| nist_id(c)).collect();
                let mut ids = cw.translate(ControlFramework::Nist80053, &nist, framework);
                ids.extend(cw.translate(ControlFramework::Iso27001, &iso, framework));
                ids.extend(cw.translate(ControlFramework::CisV8, &cis, framework));
                ids
            }
        };
        self.framework_items(framework, &ids)
    }

    /// The threats of `report` that `id` of `framework` mitigates, directly (the rule recommends
    /// it) or, for CSF 2.0 and PCI DSS, through the crosswalk.
    pub fn threats_for_control<'r>(
        &self,
        report: &'r Report,
        framework: ControlFramework,
        id: &str,
    ) -> Vec<&'r Threat> {
        let want = if framework == ControlFramework::Nist80053 { nist_id(id) } else { id.to_owned() };
        let mut memo: std::collections::HashMap<&str, bool> = std::collections::HashMap::new();
        report
            .threats
            .iter()
            .filter(|t| {
                *memo.entry(t.rule.id.as_str()).or_insert_with(|| {
                    self.controls_for_threat(t, framework).iter().any(|c| self.item_is(framework, c, &want))
                })
            })
            .collect()
    }

    fn item_is(&self, framework: ControlFramework, c: &Item, want: &str) -> bool {
        match framework {
            ControlFramework::Nist80053 => nist_id(&c.id) == want,
            _ => c.id.eq_ignore_ascii_case(want),
        }
    }

    /// The evidence `report` holds for requirement `id` of compliance framework `framework`
    /// (`pci_dss`, `hipaa`, `gdpr`, ...), if the framework applies to the model.
    pub fn evidence_for_requirement<'r>(
        &self,
        report: &'r Report,
        framework: &str,
        id: &str,
    ) -> Option<&'r RequirementEvidence> {
        report.compliance.iter().find(|f| f.id == framework)?.requirements.iter().find(|r| r.id == id)
    }
}

/// A reference to an ATT&CK technique that a new ATT&CK release retired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetiredReference {
    /// `rule TM-001` or `crosswalk attack-nist-800-53`.
    pub referrer: String,
    pub technique: String,
    /// `revoked`, `deprecated` or `missing`.
    pub status: String,
    /// The techniques that replace it (ATT&CK's revoked-by).
    pub replaced_by: Vec<String>,
}

/// How far a rule's SP 800-53 controls agree with CTID's mitigations for its techniques.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsistencyRow {
    pub rule: String,
    pub techniques: Vec<String>,
    pub controls: Vec<String>,
    /// The rule's controls (at base-control level) that CTID lists for at least one of its techniques.
    pub listed_by_ctid: Vec<String>,
    /// `listed_by_ctid / controls`, when the rule has controls and CTID maps its techniques.
    pub share: Option<f64>,
}

impl Engine {
    /// Checks the rule pack and the ATT&CK → SP 800-53 crosswalk against the techniques of a
    /// new ATT&CK release: every reference to a technique that is revoked, deprecated or absent.
    pub fn retired_references(&self, techniques: &[crate::catalog::Technique]) -> Vec<RetiredReference> {
        let by_id: std::collections::HashMap<&str, &crate::catalog::Technique> =
            techniques.iter().map(|t| (t.id.as_str(), t)).collect();
        let check = |referrer: String, id: &str, out: &mut Vec<RetiredReference>| {
            let (status, replaced_by) = match by_id.get(id) {
                None => ("missing", Vec::new()),
                Some(t) if t.status == EntryStatus::Active => return,
                Some(t) => (t.status.as_str(), t.revoked_by.clone()),
            };
            out.push(RetiredReference { referrer, technique: id.to_owned(), status: status.to_owned(), replaced_by });
        };
        let mut out = Vec::new();
        for r in &self.rules().rules {
            for t in &r.spec.attack {
                check(format!("rule {}", r.spec.id), t, &mut out);
            }
        }
        for t in self.catalogs().crosswalks.attack_to_nist.keys() {
            check("crosswalk attack-nist-800-53".to_owned(), t, &mut out);
        }
        out
    }

    /// For each rule, the share of its SP 800-53 controls that CTID lists as mitigations of its
    /// ATT&CK techniques (compared at base-control level: CTID maps base controls only).
    pub fn consistency(&self) -> Vec<ConsistencyRow> {
        let cw = &self.catalogs().crosswalks;
        let base = |c: &str| c.split('.').next().unwrap_or(c).to_owned();
        let mut rows: Vec<ConsistencyRow> = self
            .rules()
            .rules
            .iter()
            .map(|r| {
                let ctid: std::collections::HashSet<String> =
                    r.spec.attack.iter().flat_map(|t| cw.controls_for_technique(t)).map(|c| base(c)).collect();
                let listed: Vec<String> =
                    r.spec.controls.nist_800_53.iter().filter(|c| ctid.contains(&base(c))).cloned().collect();
                let n = r.spec.controls.nist_800_53.len();
                let share = (n > 0 && !ctid.is_empty()).then(|| listed.len() as f64 / n as f64);
                ConsistencyRow {
                    rule: r.spec.id.clone(),
                    techniques: r.spec.attack.clone(),
                    controls: r.spec.controls.nist_800_53.clone(),
                    listed_by_ctid: listed,
                    share,
                }
            })
            .collect();
        rows.sort_by(|a, b| natural_cmp(&a.rule, &b.rule));
        rows
    }

    /// The consistency table as Markdown (committed as `catalogs/consistency.md`).
    pub fn consistency_markdown(&self) -> String {
        use std::fmt::Write;
        let rows = self.consistency();
        let label = |c: &str| self.catalogs().nist.get(c).map_or(c.to_owned(), |x| x.label.clone());
        let mut o = String::new();
        let _ = writeln!(
            o,
            "# Rule ↔ CTID consistency
"
        );
        let _ = writeln!(
            o,
            "Generated by `threatgraph catalog consistency`; do not edit. For each rule, the share of its NIST SP \
             800-53 controls that the Center for Threat-Informed Defense's ATT&CK → 800-53 mapping lists as \
             mitigations of the rule's ATT&CK techniques (compared at base-control level, since CTID maps base \
             controls only). A low share is not an error: CTID maps controls that mitigate techniques, while a \
             rule also names controls that address the design flaw itself (e.g. secure development, privacy). \
             `n/a`: the rule has no techniques CTID maps, or no 800-53 controls.\n"
        );
        let _ = writeln!(o, "| Rule | ATT&CK | SP 800-53 controls | Listed by CTID | Share |\n|---|---|---|---|---:|");
        let (mut num, mut den) = (0usize, 0usize);
        for r in &rows {
            let controls: Vec<String> = r.controls.iter().map(|c| label(c)).collect();
            let listed: Vec<String> = r.listed_by_ctid.iter().map(|c| label(c)).collect();
            let share = match r.share {
                Some(s) => {
                    num += r.listed_by_ctid.len();
                    den += r.controls.len();
                    format!("{:.0}%", s * 100.0)
                }
                None => "n/a".to_owned(),
            };
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {share} |",
                r.rule,
                r.techniques.join(", "),
                controls.join(", "),
                listed.join(", ")
            );
        }
        let rated = rows.iter().filter(|r| r.share.is_some()).count();
        let overall = if den == 0 { 0.0 } else { num as f64 * 100.0 / den as f64 };
        let _ = writeln!(
            o,
            "\n{rated} of {} rules rated; overall {num} of {den} controls of rated rules ({overall:.0}%) are listed by CTID.",
            rows.len()
        );
        o
    }
}

#[cfg(test)]
mod tests {
    use super::nist_id;

    #[test]
    fn nist_ids_normalise() {
        for (a, b) in
            [("SC-8", "sc-8"), ("sc-08", "sc-8"), ("SC-8(1)", "sc-8.1"), ("ac-02(01)", "ac-2.1"), ("ia-2.1", "ia-2.1")]
        {
            assert_eq!(nist_id(a), b, "{a}");
        }
    }
}
