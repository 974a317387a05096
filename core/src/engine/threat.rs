//! Runs the compiled rules over the facts and turns every hit into a scored, mapped threat; then
//! builds the assumptions register, the counts and the provenance.

use super::eval::{Ctx, Evaluator, Unset};
use super::facts::{Decl, Facts};
use crate::catalog::Catalogs;
use crate::model::Model;
use crate::report::*;
use crate::rules::ast::{Collection, Exists};
use crate::rules::{Access, AssetScope, Complexity, ExposureOf, Property, Rule, RuleSet, Stride};
use crate::scoring::{self, Impact, Likelihood, LikelihoodFactors, Modifier, Severity};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Subject {
    Comp(u32),
    Flow(u32),
    Asset(u32),
    Zone(u32),
    Model,
}

struct Hit {
    rule: u32,
    subject: Subject,
    reads: Vec<Unset>,
}

/// A rule's mappings, resolved against the catalogs once per engine and shared by every threat.
#[derive(Debug, Clone)]
pub(crate) struct RuleInfo {
    rule: Arc<SourceRef>,
    title: Arc<str>,
    stride: Arc<Vec<String>>,
    linddun: Arc<Vec<String>>,
    attack: Arc<Vec<TechniqueRef>>,
    cwe: Arc<Vec<CatalogRef>>,
    capec: Arc<Vec<CatalogRef>>,
    iso: Arc<Vec<CatalogRef>>,
    cis: Arc<Vec<CatalogRef>>,
    requirements: Arc<BTreeMap<String, Vec<String>>>,
    /// (label, title, token ids that implement the control)
    nist: Vec<(String, String, Vec<u16>)>,
}

/// Resolves every rule's mappings.
pub(crate) fn rule_infos(rules: &RuleSet, cat: &Catalogs) -> Vec<RuleInfo> {
    rules
        .rules
        .iter()
        .map(|r| {
            let s = &r.spec;
            let refs = |ids: &[String], title: &dyn Fn(&str) -> Option<String>| -> Arc<Vec<CatalogRef>> {
                Arc::new(
                    ids.iter().map(|i| CatalogRef { id: i.clone(), title: title(i).unwrap_or_default() }).collect(),
                )
            };
            RuleInfo {
                rule: Arc::new(SourceRef { id: s.id.clone(), version: s.version.clone() }),
                title: Arc::from(s.title.as_str()),
                stride: Arc::new(s.stride.iter().map(|x| x.as_str().to_owned()).collect()),
                linddun: Arc::new(s.linddun.iter().map(|x| x.as_str().to_owned()).collect()),
                attack: Arc::new(
                    s.attack
                        .iter()
                        .filter_map(|t| cat.techniques.get(t))
                        .map(|t| TechniqueRef {
                            id: t.id.clone(),
                            name: t.name.clone(),
                            tactics: t
                                .tactics
                                .iter()
                                .map(|x| cat.tactics.get(x).map_or_else(|| x.clone(), |y| y.name.clone()))
                                .collect(),
                            url: t.url(),
                        })
                        .collect(),
                ),
                cwe: refs(&s.cwe, &|i| cat.cwe.get(i).map(|w| w.name.clone())),
                capec: refs(&s.capec, &|i| cat.capec.get(i).map(|w| w.name.clone())),
                iso: refs(&s.controls.iso_27001, &|i| cat.iso.get(i).map(|c| c.title.clone())),
                cis: refs(&s.controls.cis_v8, &|i| {
                    cat.cis.get(i).map(|c| c.title.clone()).or_else(|| cat.cis_controls.get(i).map(|c| c.title.clone()))
                }),
                requirements: Arc::new(s.requirements.clone()),
                nist: s
                    .controls
                    .nist_800_53
                    .iter()
                    .map(|id| {
                        let c = cat.nist.get(id);
                        let tokens: Vec<u16> = cat
                            .tokens
                            .values()
                            .filter(|t| t.nist_800_53.iter().any(|n| n == id))
                            .filter_map(|t| rules.token_ids.get(&t.id).copied())
                            .collect();
                        (
                            c.map_or_else(|| id.clone(), |c| c.label.clone()),
                            c.map_or_else(String::new, |c| c.title.clone()),
                            tokens,
                        )
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Hops followed for `assets: reachable`.
const REACH_HOPS: u32 = 3;
/// Most components visited for `assets: reachable`.
const REACH_CAP: usize = 10_000;

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        for nibble in [b >> 4, b & 15] {
            s.push(DIGITS.get(usize::from(nibble)).map_or('0', |&d| char::from(d)));
        }
    }
    s
}

fn short_hash(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    let d = h.finalize();
    hex(d.get(..8).unwrap_or(&[]))
}

fn eval_exists(facts: &Facts, e: &Exists) -> bool {
    let mut ev = Evaluator { facts, exists: &[], reads: Vec::new() };
    let n = match e.collection {
        Collection::Components => facts.comps.len(),
        Collection::Flows => facts.flows.len(),
        Collection::DataAssets => facts.assets.len(),
        Collection::Zones => facts.zones.len(),
    };
    let mut count = 0u32;
    for i in 0..n {
        let i32_ = i as u32;
        let ctx = match e.collection {
            Collection::Components => Ctx {
                comp: Some(i32_),
                zone: facts.graph.nodes.get(i).and_then(|n| n.zone).map(|z| z as u32),
                ..Ctx::default()
            },
            Collection::Flows => Ctx { flow: Some(i32_), ..Ctx::default() },
            Collection::DataAssets => Ctx { asset: Some(i32_), ..Ctx::default() },
            Collection::Zones => Ctx { zone: Some(i32_), ..Ctx::default() },
        };
        if ev.eval(&e.cond, ctx) {
            count += 1;
            if e.max.is_none() && count >= e.min {
                return true;
            }
            if e.max.is_some_and(|m| count > m) {
                return false;
            }
        }
    }
    count >= e.min && e.max.is_none_or(|m| count <= m)
}

fn collect_hits(facts: &Facts, rules: &RuleSet) -> Vec<Hit> {
    let exists: Vec<Vec<bool>> =
        rules.rules.iter().map(|r| r.exists.iter().map(|e| eval_exists(facts, e)).collect()).collect();
    let mut hits = Vec::new();
    let mut ev = Evaluator { facts, exists: &[], reads: Vec::new() };
    for (ci, cf) in facts.comps.iter().enumerate() {
        let Some(bucket) = rules.by_type.get(usize::from(cf.type_ix)) else { continue };
        let zone = facts.graph.nodes.get(ci).and_then(|n| n.zone).map(|z| z as u32);
        let ctx = Ctx { comp: Some(ci as u32), zone, ..Ctx::default() };
        let have = facts.graph.nodes.get(ci).map_or(0, |n| {
            use crate::rules::facts::*;
            (if n.reachable { REACHABLE } else { 0 })
                | (if n.anon_reachable { ANON_REACHABLE } else { 0 })
                | (if n.internet_facing { INTERNET_FACING } else { 0 })
        });
        for &ri in bucket {
            let Some(rule) = rules.rules.get(ri as usize) else { continue };
            if !rule.spec.kinds.is_empty() && !rule.spec.kinds.iter().any(|k| *k as u8 == cf.kind_ix) {
                continue;
            }
            try_rule(&mut ev, &exists, rules, ri, (Subject::Comp(ci as u32), ctx, have), &mut hits);
        }
    }
    for fi in 0..facts.flows.len() {
        let ctx = Ctx { flow: Some(fi as u32), ..Ctx::default() };
        let have = facts.graph.edges.get(fi).map_or(0, |e| {
            use crate::rules::facts::*;
            match e.crossing {
                crate::graph::Crossing::None => 0,
                crate::graph::Crossing::Up => CROSSES | UP,
                _ => CROSSES,
            }
        });
        for &ri in &rules.flow_rules {
            try_rule(&mut ev, &exists, rules, ri, (Subject::Flow(fi as u32), ctx, have), &mut hits);
        }
    }
    for ai in 0..facts.assets.len() {
        let ctx = Ctx { asset: Some(ai as u32), ..Ctx::default() };
        for &ri in &rules.asset_rules {
            try_rule(&mut ev, &exists, rules, ri, (Subject::Asset(ai as u32), ctx, 0), &mut hits);
        }
    }
    for zi in 0..facts.zones.len() {
        let ctx = Ctx { zone: Some(zi as u32), ..Ctx::default() };
        for &ri in &rules.zone_rules {
            try_rule(&mut ev, &exists, rules, ri, (Subject::Zone(zi as u32), ctx, 0), &mut hits);
        }
    }
    for &ri in &rules.model_rules {
        try_rule(&mut ev, &exists, rules, ri, (Subject::Model, Ctx::default(), 0), &mut hits);
    }
    hits
}

fn try_rule<'f, 'm>(
    ev: &mut Evaluator<'f, 'm>,
    exists: &'f [Vec<bool>],
    rules: &RuleSet,
    ri: u32,
    (subject, ctx, have): (Subject, Ctx, u8),
    hits: &mut Vec<Hit>,
) {
    let Some(rule) = rules.rules.get(ri as usize) else { return };
    if rule.requires & have != rule.requires {
        return;
    }
    ev.exists = exists.get(ri as usize).map_or(&[], Vec::as_slice);
    ev.reads.clear();
    if ev.eval(&rule.cond, ctx) {
        let mut reads = std::mem::take(&mut ev.reads);
        reads.sort_unstable();
        reads.dedup();
        hits.push(Hit { rule: ri, subject, reads });
    }
}

/// Builds the report.
pub(crate) fn run(facts: &Facts, rules: &RuleSet, cat: &Catalogs, infos: &[RuleInfo]) -> Report {
    let hits = collect_hits(facts, rules);
    let mut b = Builder::new(facts, rules, infos);
    let built: Vec<Threat> = hits.iter().filter_map(|h| b.threat(h)).collect();
    // Sort small keys, then move each threat once.
    let mut order: Vec<usize> = (0..built.len()).collect();
    order.sort_unstable_by(|&x, &y| {
        let (Some(a), Some(b)) = (built.get(x), built.get(y)) else { return std::cmp::Ordering::Equal };
        b.severity
            .cmp(&a.severity)
            .then(b.inherent_severity.cmp(&a.inherent_severity))
            .then(b.likelihood.residual.cmp(&a.likelihood.residual))
            .then(a.rule.id.cmp(&b.rule.id))
            .then_with(|| a.elements.first().map(|e| &e.id).cmp(&b.elements.first().map(|e| &e.id)))
            .then(a.id.cmp(&b.id))
    });
    let mut slots: Vec<Option<Threat>> = built.into_iter().map(Some).collect();
    let mut threats: Vec<Threat> = order.iter().filter_map(|&i| slots.get_mut(i).and_then(Option::take)).collect();
    // Position in the report of each threat, by build order.
    let mut position = vec![0u32; order.len()];
    for (pos, &i) in order.iter().enumerate() {
        if let Some(p) = position.get_mut(i) {
            *p = pos as u32;
        }
    }
    let assumptions = b.assumptions(&mut threats, &position);
    let summary = summary(&threats, rules);
    let mut report = Report {
        format_version: REPORT_FORMAT_VERSION,
        provenance: provenance(facts, rules, cat),
        model: model_summary(facts),
        methodology: methodology(cat),
        summary,
        threats,
        assumptions,
        coverage: Vec::new(),
        compliance: Vec::new(),
    };
    report.coverage = crate::report::coverage(facts.model, &report.threats, rules);
    report.compliance = crate::report::compliance(facts.model, &report, rules, cat);
    report
}

struct Builder<'a, 'm> {
    facts: &'a Facts<'m>,
    rules: &'a RuleSet,
    infos: &'a [RuleInfo],
    /// Automatic assumptions, by what they are about; threats are indices in build order.
    auto: HashMap<AutoKey, AutoEntry>,
    /// Controls credited without evidence: element id → (tokens, threats in build order).
    no_evidence: HashMap<&'a str, (BTreeSet<u16>, Vec<u32>)>,
    /// Index of the threat being built (in build order).
    current: u32,
    asset_handlers: Option<Vec<Vec<u32>>>,
    zone_members: Option<Vec<Vec<u32>>>,
}

/// What an automatic assumption is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum AutoKey {
    Unset(Unset),
    /// A component whose controls are not stated.
    Controls(u32),
    /// A component with no zone.
    Zone(u32),
}

/// An automatic assumption being collected.
struct AutoEntry {
    /// Stable key the assumption id is derived from (`encrypted:f3`).
    key: String,
    statement: String,
    element: String,
    /// Threats that depend on it, in build order (may repeat).
    threats: Vec<u32>,
}

fn property_of(rule: &Rule) -> Property {
    match rule.spec.impact.property {
        Property::Auto => match rule.spec.stride.first() {
            Some(Stride::Spoofing) => Property::Authenticity,
            Some(Stride::Tampering | Stride::Repudiation) => Property::Integrity,
            Some(Stride::InformationDisclosure) | None => Property::Confidentiality,
            Some(Stride::DenialOfService) => Property::Availability,
            Some(Stride::ElevationOfPrivilege) => Property::Authorization,
        },
        p => p,
    }
}

fn property_name(p: Property) -> &'static str {
    match p {
        Property::Confidentiality | Property::Auto => "confidentiality",
        Property::Integrity => "integrity",
        Property::Availability => "availability",
        Property::Authenticity => "authenticity",
        Property::Authorization => "authorization",
    }
}

impl<'a, 'm> Builder<'a, 'm> {
    fn new(facts: &'a Facts<'m>, rules: &'a RuleSet, infos: &'a [RuleInfo]) -> Self {
        Builder {
            facts,
            rules,
            infos,
            auto: HashMap::new(),
            no_evidence: HashMap::new(),
            current: 0,
            asset_handlers: None,
            zone_members: None,
        }
    }

    fn comp_id(&self, c: u32) -> &'m str {
        self.facts.model.components.get(c as usize).map_or("", |c| c.id.as_str())
    }

    fn comp_name(&self, c: u32) -> &'m str {
        self.facts.model.components.get(c as usize).map_or("", |c| c.display_name())
    }

    fn zone_name(&self, z: Option<usize>) -> String {
        match z.and_then(|z| self.facts.model.zones.get(z)) {
            Some(z) => z.name.clone().unwrap_or_else(|| z.id.clone()),
            None => "(no zone)".to_owned(),
        }
    }

    fn handlers(&mut self, asset: u32) -> Vec<u32> {
        let facts = self.facts;
        let map = self.asset_handlers.get_or_insert_with(|| {
            let mut m = vec![Vec::new(); facts.assets.len()];
            for (ci, c) in facts.comps.iter().enumerate() {
                for &a in &c.handled {
                    if let Some(v) = m.get_mut(a as usize) {
                        v.push(ci as u32);
                    }
                }
            }
            m
        });
        map.get(asset as usize).cloned().unwrap_or_default()
    }

    fn members(&mut self, zone: u32) -> Vec<u32> {
        let facts = self.facts;
        let m = self.zone_members.get_or_insert_with(|| facts.graph.zone_members(facts.zones.len()));
        m.get(zone as usize).cloned().unwrap_or_default()
    }

    fn endpoints(&self, f: u32) -> (u32, u32) {
        self.facts.graph.edges.get(f as usize).map_or((0, 0), |e| (e.source, e.target))
    }

    fn threat(&mut self, hit: &Hit) -> Option<Threat> {
        let rule = self.rules.rules.get(hit.rule as usize)?;
        let info = self.infos.get(hit.rule as usize)?;
        let spec = &rule.spec;
        let facts = self.facts;
        let mut reads = hit.reads.clone();

        // Elements and the id fingerprint.
        let (elements, subject_id, primary_comp): (Vec<ElementRef>, String, Option<u32>) = match hit.subject {
            Subject::Comp(c) => (vec![self.comp_ref(c)], self.comp_id(c).to_owned(), Some(c)),
            Subject::Flow(f) => {
                let (s, t) = self.endpoints(f);
                let fid = facts.flow_ids.get(f as usize).cloned().unwrap_or_default();
                let flow = facts.model.flows.get(f as usize);
                let name = flow
                    .and_then(|fl| fl.name.clone())
                    .unwrap_or_else(|| format!("{} → {}", self.comp_name(s), self.comp_name(t)));
                (
                    vec![ElementRef { id: fid.clone(), kind: "flow".into(), name }, self.comp_ref(s), self.comp_ref(t)],
                    fid,
                    Some(t),
                )
            }
            Subject::Asset(a) => {
                let d = facts.model.data_assets.get(a as usize)?;
                (
                    vec![ElementRef { id: d.id.clone(), kind: "data_asset".into(), name: d.display_name().to_owned() }],
                    d.id.clone(),
                    None,
                )
            }
            Subject::Zone(z) => {
                let zm = facts.model.zones.get(z as usize)?;
                (
                    vec![ElementRef { id: zm.id.clone(), kind: "zone".into(), name: self.zone_name(Some(z as usize)) }],
                    zm.id.clone(),
                    None,
                )
            }
            Subject::Model => (Vec::new(), "model".to_owned(), None),
        };
        let id = format!("TG-{}", short_hash(&[&spec.id, &subject_id]));

        let likelihood = self.likelihood(rule, hit.subject, &mut reads);
        let (assets, prop) = self.assets_at_stake(rule, hit.subject);
        let impact = self.impact(rule, hit.subject, &assets, prop, &mut reads);

        // Controls in scope, with the element that declares them.
        let scope = self.control_scope(hit.subject);
        let mut credited = Vec::new();
        let mut missing = Vec::new();
        let (mut lc, mut ic) = (0u8, 0u8);
        let mut strong = false;
        for (tok, effect) in &rule.mitigation_ids {
            let name = self.rules.token_names.get(usize::from(*tok)).cloned().unwrap_or_default();
            let found = scope.iter().find(|(_, d)| d.token == *tok && d.status.credited());
            match found {
                Some((on, d)) => {
                    let (l, i) = effect.credit();
                    lc = lc.saturating_add(l);
                    ic = ic.saturating_add(i);
                    strong |= effect.is_strong();
                    if d.evidence == 0 {
                        let e = self.no_evidence.entry(on).or_default();
                        e.0.insert(*tok);
                        e.1.push(self.current);
                    }
                    credited.push(CreditedControl {
                        control: name,
                        effect: effect.as_str().to_owned(),
                        on: (*on).to_owned(),
                        status: if d.status == crate::model::ControlStatus::Verified {
                            "verified".into()
                        } else {
                            "implemented".into()
                        },
                        evidence: d.evidence,
                    });
                }
                None => missing.push(name),
            }
        }
        let mut likelihood = likelihood;
        likelihood.residual = scoring::residual(likelihood.inherent, lc);
        let mut impact = impact;
        impact.residual = scoring::residual(impact.inherent, ic);
        let inherent_severity = scoring::severity(likelihood.inherent, impact.inherent);
        let severity = scoring::severity(likelihood.residual, impact.residual).min(inherent_severity);
        let all_declared = !rule.mitigation_ids.is_empty() && missing.is_empty();
        let status = if strong || all_declared {
            "mitigated"
        } else if lc > 0 || ic > 0 {
            "partially_mitigated"
        } else {
            "open"
        };
        // Unstated controls on the threatened element, when the rule names mitigations.
        if !missing.is_empty()
            && let Some(c) = primary_comp
            && facts.model.components.get(c as usize).is_some_and(|m| m.controls.is_none())
        {
            self.auto_assumption(AutoKey::Controls(c), |b| {
                let cid = b.comp_id(c);
                (
                    format!("controls:{cid}"),
                    format!("component `{cid}`: controls not stated; assumed none"),
                    cid.to_owned(),
                )
            });
        }
        // Components with no zone.
        let comps: [Option<u32>; 2] = match hit.subject {
            Subject::Comp(c) => [Some(c), None],
            Subject::Flow(f) => {
                let (s, t) = self.endpoints(f);
                [Some(s), Some(t)]
            }
            _ => [None, None],
        };
        for c in comps.into_iter().flatten() {
            if facts.graph.nodes.get(c as usize).is_some_and(|n| n.zone.is_none()) {
                self.auto_assumption(AutoKey::Zone(c), |b| {
                    let cid = b.comp_id(c);
                    (
                        format!("zone:{cid}"),
                        format!("component `{cid}`: zone not stated; assumed exposed to the internet (trust 0)"),
                        cid.to_owned(),
                    )
                });
            }
        }
        for r in &reads {
            let r = *r;
            self.auto_assumption(AutoKey::Unset(r), |b| b.unset_statement(r));
        }

        let description = self.render(&spec.description, hit.subject, &assets, &missing);
        let recommended = self.recommended(info, &scope);
        self.current += 1;
        Some(Threat {
            id,
            rule: info.rule.clone(),
            title: info.title.clone(),
            description,
            stride: info.stride.clone(),
            linddun: info.linddun.clone(),
            elements,
            severity,
            inherent_severity,
            likelihood,
            impact,
            status: status.to_owned(),
            controls_credited: credited,
            controls_missing: missing,
            attack: info.attack.clone(),
            recommended_controls: recommended,
            cwe: info.cwe.clone(),
            capec: info.capec.clone(),
            requirements: info.requirements.clone(),
            assumptions: Vec::new(),
        })
    }

    fn comp_ref(&self, c: u32) -> ElementRef {
        ElementRef { id: self.comp_id(c).to_owned(), kind: "component".into(), name: self.comp_name(c).to_owned() }
    }

    /// Records that the current threat depends on the automatic assumption `key`; `describe`
    /// gives (stable key, statement, element id) the first time the key is seen.
    fn auto_assumption(&mut self, key: AutoKey, describe: impl FnOnce(&Self) -> (String, String, String)) {
        let current = self.current;
        if let Some(e) = self.auto.get_mut(&key) {
            e.threats.push(current);
            return;
        }
        let (k, statement, element) = describe(self);
        self.auto.insert(key, AutoEntry { key: k, statement, element, threats: vec![current] });
    }

    fn unset_statement(&self, u: Unset) -> (String, String, String) {
        let flow = |f: u32| self.facts.flow_ids.get(f as usize).cloned().unwrap_or_default();
        match u {
            Unset::FlowEncrypted(f) => {
                let id = flow(f);
                (format!("encrypted:{id}"), format!("flow `{id}`: encryption not stated; assumed unencrypted"), id)
            }
            Unset::FlowAuthentication(f) => {
                let id = flow(f);
                (format!("authentication:{id}"), format!("flow `{id}`: authentication not stated; assumed none"), id)
            }
            Unset::FlowAuthorization(f) => {
                let id = flow(f);
                (format!("authorization:{id}"), format!("flow `{id}`: authorization not stated; assumed none"), id)
            }
            Unset::FlowMfa(f) => {
                let id = flow(f);
                (
                    format!("mfa:{id}"),
                    format!("flow `{id}`: multi-factor authentication not stated; assumed absent"),
                    id,
                )
            }
            Unset::AssetClassification(a) => {
                let id = self.facts.model.data_assets.get(a as usize).map_or_else(String::new, |d| d.id.clone());
                (
                    format!("classification:{id}"),
                    format!("data asset `{id}`: classification not stated; assumed restricted"),
                    id,
                )
            }
        }
    }

    fn likelihood(&mut self, rule: &Rule, subject: Subject, reads: &mut Vec<Unset>) -> Likelihood {
        let spec = &rule.spec.likelihood;
        if let Some(f) = spec.fixed {
            return Likelihood { inherent: f, residual: f, factors: None };
        }
        let facts = self.facts;
        let node_exp = |c: u32| facts.graph.nodes.get(c as usize).map_or(1, |n| n.exposure);
        let anon = |c: u32| facts.graph.nodes.get(c as usize).is_some_and(|n| n.anon_reachable);
        let (exposure, exposure_of, auto_access) = match subject {
            Subject::Comp(c) => (node_exp(c), self.comp_id(c).to_owned(), if anon(c) { 2 } else { 1 }),
            Subject::Flow(f) => {
                let (s, t) = self.endpoints(f);
                let fl = facts.flows.get(f as usize);
                let who = match spec.exposure_of {
                    ExposureOf::Target => t,
                    _ => s,
                };
                let exp = if fl.is_some_and(|x| x.in_process) { 0 } else { node_exp(who) };
                let access = match fl {
                    Some(x) => {
                        if x.auth_assumed {
                            reads.push(Unset::FlowAuthentication(f));
                        }
                        if x.auth == 0 { 2 } else { 1 }
                    }
                    None => 1,
                };
                (exp, self.comp_id(who).to_owned(), access)
            }
            Subject::Asset(a) => {
                let hs = self.handlers(a);
                let best = hs.iter().copied().max_by_key(|&c| (node_exp(c), std::cmp::Reverse(self.comp_id(c))));
                match best {
                    Some(c) => (node_exp(c), self.comp_id(c).to_owned(), if anon(c) { 2 } else { 1 }),
                    None => (1, String::new(), 1),
                }
            }
            Subject::Zone(z) => {
                let best =
                    self.members(z).into_iter().max_by_key(|&i| (node_exp(i), std::cmp::Reverse(self.comp_id(i))));
                match best {
                    Some(i) => (node_exp(i), self.comp_id(i).to_owned(), if anon(i) { 2 } else { 1 }),
                    None => (1, String::new(), 1),
                }
            }
            Subject::Model => (2, String::new(), 1),
        };
        let access = match spec.access {
            Access::Auto => auto_access,
            Access::Anonymous => 2,
            Access::Authenticated => 1,
            Access::Privileged => 0,
        };
        let complexity = match spec.complexity {
            Complexity::Commodity => 2,
            Complexity::Specific => 1,
            Complexity::Advanced => 0,
        };
        let sum = exposure + access + complexity;
        let inherent = scoring::band(sum);
        Likelihood {
            inherent,
            residual: inherent,
            factors: Some(LikelihoodFactors { exposure, exposure_of, access, complexity, threat_activity: 0, sum }),
        }
    }

    fn assets_at_stake(&mut self, rule: &Rule, subject: Subject) -> (Vec<u32>, Property) {
        let prop = property_of(rule);
        let facts = self.facts;
        let handled = |c: u32| facts.comps.get(c as usize).map_or_else(Vec::new, |x| x.handled.clone());
        let stored = |c: u32| facts.comps.get(c as usize).map_or_else(Vec::new, |x| x.stores.clone());
        let reachable = |c: u32| {
            let mut v = handled(c);
            for r in facts.graph.reachable_within(c as usize, REACH_HOPS, REACH_CAP) {
                v.extend(handled(r as u32));
            }
            v
        };
        let scope = rule.spec.impact.assets;
        if rule.spec.impact.fixed.is_some() || scope == AssetScope::None {
            return (Vec::new(), prop);
        }
        let mut v = match subject {
            Subject::Comp(c) => match scope {
                AssetScope::Stored => stored(c),
                AssetScope::Reachable => reachable(c),
                _ => handled(c),
            },
            Subject::Flow(f) => {
                let (s, t) = self.endpoints(f);
                let carried = facts.flows.get(f as usize).map_or_else(Vec::new, |x| x.data.clone());
                match scope {
                    AssetScope::Carried => carried,
                    AssetScope::Auto => {
                        if carried.is_empty() {
                            handled(t)
                        } else {
                            carried
                        }
                    }
                    AssetScope::Handled | AssetScope::Target => handled(t),
                    AssetScope::Stored => stored(t),
                    AssetScope::Source => handled(s),
                    AssetScope::Reachable => {
                        let mut v = carried;
                        v.extend(reachable(t));
                        v
                    }
                    AssetScope::None => Vec::new(),
                }
            }
            Subject::Asset(a) => vec![a],
            Subject::Zone(z) => self.members(z).into_iter().flat_map(handled).collect(),
            Subject::Model => Vec::new(),
        };
        v.sort_unstable();
        v.dedup();
        // Order by id, so descriptions do not depend on the order of the model file.
        v.sort_by(|a, b| {
            let id = |x: &u32| facts.model.data_assets.get(*x as usize).map(|d| d.id.as_str());
            id(a).cmp(&id(b))
        });
        (v, prop)
    }

    fn impact(
        &mut self,
        rule: &Rule,
        subject: Subject,
        assets: &[u32],
        prop: Property,
        reads: &mut Vec<Unset>,
    ) -> Impact {
        let facts = self.facts;
        let spec = &rule.spec.impact;
        let name = property_name(prop).to_owned();
        if let Some(f) = spec.fixed {
            return Impact {
                inherent: f,
                residual: f,
                property: name,
                base: f,
                assets: Vec::new(),
                modifiers: Vec::new(),
            };
        }
        let mut base = 0u8;
        let mut very_many = false;
        let mut ids = Vec::with_capacity(assets.len());
        for &a in assets {
            let (Some(af), Some(d)) = (facts.assets.get(a as usize), facts.model.data_assets.get(a as usize)) else {
                continue;
            };
            if af.class_assumed {
                reads.push(Unset::AssetClassification(a));
            }
            let level = match prop {
                Property::Confidentiality | Property::Auto => af.c,
                Property::Integrity => af.i,
                Property::Availability => af.a,
                Property::Authenticity => af.c.max(af.i),
                Property::Authorization => af.c.max(af.i).max(af.a),
            };
            base = base.max(level);
            very_many |= af.quantity == Some(crate::model::Quantity::VeryMany as u8);
            ids.push(d.id.clone());
        }
        ids.sort();
        let mut modifiers = Vec::new();
        if base == 0 {
            base = spec.default.unwrap_or(2);
        }
        let mut level = base;
        if very_many {
            modifiers.push(Modifier { reason: "scale: a data asset at stake has quantity very_many".into(), delta: 1 });
            level += 1;
        }
        let threatened = match subject {
            Subject::Comp(c) => Some(c),
            Subject::Flow(f) => Some(self.endpoints(f).1),
            _ => None,
        };
        if let Some(c) = threatened
            && facts
                .comps
                .get(c as usize)
                .is_some_and(|x| x.flags & crate::model::ComponentFlag::MultiTenant.bit() != 0)
        {
            modifiers
                .push(Modifier { reason: format!("blast radius: `{}` is multi-tenant", self.comp_id(c)), delta: 1 });
            level += 1;
        }
        let level = level.min(5);
        Impact { inherent: level, residual: level, property: name, base, assets: ids, modifiers }
    }

    /// Declared controls in reach of a threat: (declaring element id, declaration).
    fn control_scope(&mut self, subject: Subject) -> Vec<(&'a str, Decl)> {
        let facts = self.facts;
        let model: &'a Model = facts.model;
        let mut out: Vec<(&'a str, Decl)> = Vec::new();
        let comp = |out: &mut Vec<(&'a str, Decl)>, c: u32| {
            if let (Some(cf), Some(m)) = (facts.comps.get(c as usize), model.components.get(c as usize)) {
                out.extend(cf.decls.iter().map(|d| (m.id.as_str(), d.clone())));
            }
            let z = facts.graph.nodes.get(c as usize).and_then(|n| n.zone);
            if let (Some(zf), Some(zm)) = (z.and_then(|z| facts.zones.get(z)), z.and_then(|z| model.zones.get(z))) {
                out.extend(zf.decls.iter().map(|d| (zm.id.as_str(), d.clone())));
            }
        };
        match subject {
            Subject::Comp(c) => comp(&mut out, c),
            Subject::Flow(f) => {
                if let Some(fl) = facts.flows.get(f as usize) {
                    let id: &'a str = facts.flow_ids.get(f as usize).map_or("", |s| s.as_str());
                    out.extend(fl.decls.iter().map(|d| (id, d.clone())));
                }
                let (src, tgt) = self.endpoints(f);
                comp(&mut out, tgt);
                // The source's own controls (e.g. masking before sending), not its zone's.
                if let (Some(cf), Some(m)) = (facts.comps.get(src as usize), model.components.get(src as usize)) {
                    out.extend(cf.decls.iter().map(|d| (m.id.as_str(), d.clone())));
                }
            }
            Subject::Asset(a) => {
                for c in self.handlers(a) {
                    comp(&mut out, c);
                }
                out.sort_by(|x, y| x.0.cmp(y.0));
            }
            Subject::Zone(z) => {
                if let (Some(zf), Some(zm)) = (facts.zones.get(z as usize), model.zones.get(z as usize)) {
                    out.extend(zf.decls.iter().map(|d| (zm.id.as_str(), d.clone())));
                }
            }
            Subject::Model => {
                for c in 0..facts.comps.len() {
                    if let (Some(cf), Some(m)) = (facts.comps.get(c), model.components.get(c)) {
                        out.extend(cf.decls.iter().map(|d| (m.id.as_str(), d.clone())));
                    }
                }
                for (zf, zm) in facts.zones.iter().zip(model.zones.iter()) {
                    out.extend(zf.decls.iter().map(|d| (zm.id.as_str(), d.clone())));
                }
                out.sort_by(|x, y| x.0.cmp(y.0));
            }
        }
        out
    }

    fn recommended(&self, info: &RuleInfo, scope: &[(&'a str, Decl)]) -> Recommended {
        let nist = info
            .nist
            .iter()
            .map(|(label, title, tokens)| {
                let mut implemented_by: Vec<String> = scope
                    .iter()
                    .filter(|(_, d)| d.status.credited() && tokens.contains(&d.token))
                    .filter_map(|(_, d)| self.rules.token_names.get(usize::from(d.token)).cloned())
                    .collect();
                implemented_by.sort();
                implemented_by.dedup();
                ControlRef {
                    id: label.clone(),
                    title: title.clone(),
                    status: if implemented_by.is_empty() { "missing".into() } else { "implemented".into() },
                    implemented_by,
                }
            })
            .collect();
        Recommended { nist_800_53: nist, iso_27001: info.iso.clone(), cis_v8: info.cis.clone() }
    }

    fn render(&self, template: &str, subject: Subject, assets: &[u32], missing: &[String]) -> String {
        let facts = self.facts;
        let asset_name =
            |a: u32| facts.model.data_assets.get(a as usize).map_or_else(String::new, |d| d.display_name().to_owned());
        let mut out = String::with_capacity(template.len() + 64);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(rest.get(..open).unwrap_or(""));
            let after = rest.get(open + 1..).unwrap_or("");
            let Some(close) = after.find('}') else {
                out.push_str(rest.get(open..).unwrap_or(""));
                rest = "";
                break;
            };
            let key = after.get(..close).unwrap_or("");
            let value = match (key, subject) {
                ("self", Subject::Comp(c)) => self.comp_name(c).to_owned(),
                ("zone", Subject::Comp(c)) => self.zone_name(facts.graph.nodes.get(c as usize).and_then(|n| n.zone)),
                ("zone", Subject::Zone(z)) => self.zone_name(Some(z as usize)),
                ("flow", Subject::Flow(f)) => facts
                    .model
                    .flows
                    .get(f as usize)
                    .and_then(|fl| fl.name.clone())
                    .unwrap_or_else(|| facts.flow_ids.get(f as usize).cloned().unwrap_or_default()),
                ("source", Subject::Flow(f)) => self.comp_name(self.endpoints(f).0).to_owned(),
                ("target", Subject::Flow(f)) => self.comp_name(self.endpoints(f).1).to_owned(),
                ("asset", Subject::Asset(a)) => {
                    facts.model.data_assets.get(a as usize).map_or_else(String::new, |d| d.display_name().to_owned())
                }
                ("data", _) => {
                    if assets.is_empty() {
                        "no declared data asset".to_owned()
                    } else {
                        assets.iter().map(|&a| asset_name(a)).collect::<Vec<_>>().join(", ")
                    }
                }
                ("missing", _) => {
                    if missing.is_empty() {
                        "none".to_owned()
                    } else {
                        missing.join(", ")
                    }
                }
                _ => String::new(),
            };
            out.push_str(&value);
            rest = after.get(close + 1..).unwrap_or("");
        }
        out.push_str(rest);
        out
    }

    /// The assumptions register; also links each threat to the assumptions it depends on.
    /// `position[i]` is the report position of the threat built `i`-th.
    fn assumptions(&mut self, threats: &mut [Threat], position: &[u32]) -> Vec<AssumptionEntry> {
        let facts = self.facts;
        let mut entries: Vec<AutoEntry> = std::mem::take(&mut self.auto).into_values().collect();
        for (on, (tokens, ids)) in std::mem::take(&mut self.no_evidence) {
            let list: Vec<String> = tokens
                .iter()
                .filter_map(|t| self.rules.token_names.get(usize::from(*t)))
                .map(|t| format!("`{t}`"))
                .collect();
            let (noun, verb) = if list.len() == 1 { ("control", "is") } else { ("controls", "are") };
            let statement =
                format!("`{on}`: {noun} {} {verb} declared without evidence; credited as implemented", list.join(", "));
            entries.push(AutoEntry { key: format!("evidence:{on}"), statement, element: on.to_owned(), threats: ids });
        }
        // Declared assumptions link the threats on their elements.
        let mut by_element: HashMap<&str, Vec<u32>> = HashMap::new();
        for (pos, t) in threats.iter().enumerate() {
            for e in &t.elements {
                by_element.entry(e.id.as_str()).or_default().push(pos as u32);
            }
        }
        let mut links: Vec<(u32, String)> = Vec::new();
        let mut declared: Vec<AssumptionEntry> = facts
            .model
            .assumptions
            .iter()
            .map(|a| {
                let mut linked: Vec<u32> =
                    a.elements.iter().filter_map(|e| by_element.get(e.as_str())).flatten().copied().collect();
                linked.sort_unstable();
                linked.dedup();
                links.extend(linked.iter().map(|&p| (p, a.id.clone())));
                let mut ids: Vec<String> =
                    linked.iter().filter_map(|&p| threats.get(p as usize)).map(|t| t.id.clone()).collect();
                ids.sort();
                let mut elements = a.elements.clone();
                elements.sort();
                AssumptionEntry {
                    id: a.id.clone(),
                    statement: a.statement.clone(),
                    source: "declared".into(),
                    owner: a.owner.clone(),
                    review_by: a.review_by.clone(),
                    elements,
                    threats: ids,
                }
            })
            .collect();
        declared.sort_by(|a, b| a.id.cmp(&b.id));
        let mut auto: Vec<AssumptionEntry> = entries
            .into_iter()
            .map(|e| {
                let id = format!("AUTO-{}", short_hash(&[&e.key]));
                let mut positions: Vec<u32> =
                    e.threats.iter().filter_map(|&i| position.get(i as usize)).copied().collect();
                positions.sort_unstable();
                positions.dedup();
                links.extend(positions.iter().map(|&p| (p, id.clone())));
                let mut ids: Vec<String> =
                    positions.iter().filter_map(|&p| threats.get(p as usize)).map(|t| t.id.clone()).collect();
                ids.sort();
                AssumptionEntry {
                    id,
                    statement: e.statement,
                    source: "automatic".into(),
                    owner: facts.model.owner.clone(),
                    review_by: None,
                    elements: vec![e.element],
                    threats: ids,
                }
            })
            .collect();
        auto.sort_by(|a, b| a.id.cmp(&b.id));
        links.sort_unstable();
        links.dedup();
        for (pos, id) in links {
            if let Some(t) = threats.get_mut(pos as usize) {
                t.assumptions.push(id);
            }
        }
        declared.extend(auto);
        declared
    }
}

fn summary(threats: &[Threat], rules: &RuleSet) -> Summary {
    let mut by_severity: BTreeMap<String, usize> = Severity::ALL.iter().map(|s| (s.as_str().to_owned(), 0)).collect();
    let mut by_inherent = by_severity.clone();
    let mut by_category: BTreeMap<String, usize> = Stride::ALL.iter().map(|s| (s.as_str().to_owned(), 0)).collect();
    let mut by_status: BTreeMap<String, usize> =
        ["open", "partially_mitigated", "mitigated"].iter().map(|s| ((*s).to_owned(), 0)).collect();
    for t in threats {
        *by_severity.entry(t.severity.as_str().to_owned()).or_default() += 1;
        *by_inherent.entry(t.inherent_severity.as_str().to_owned()).or_default() += 1;
        for s in t.stride.iter().chain(t.linddun.iter()) {
            *by_category.entry(s.clone()).or_default() += 1;
        }
        *by_status.entry(t.status.clone()).or_default() += 1;
    }
    Summary {
        threats: threats.len(),
        by_severity,
        by_inherent_severity: by_inherent,
        by_category,
        by_status,
        rules_evaluated: rules.rules.len(),
    }
}

fn provenance(facts: &Facts, rules: &RuleSet, cat: &Catalogs) -> Provenance {
    let mut catalogs: Vec<SourceRef> =
        cat.sources.iter().map(|s| SourceRef { id: s.id.clone(), version: s.version.clone() }).collect();
    catalogs.sort();
    Provenance {
        tool: "threatgraph".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        rule_packs: rules.packs.iter().map(|s| SourceRef { id: s.id.clone(), version: s.version.clone() }).collect(),
        catalogs,
        model_hash: crate::model_hash(facts.model),
    }
}

fn methodology(cat: &Catalogs) -> Methodology {
    let attack = cat.sources.iter().find(|s| s.id.contains("attack")).map_or_else(String::new, |s| s.version.clone());
    Methodology {
        method: "STRIDE per element and per interaction over the data-flow graph, LINDDUN for privacy; declarative rules evaluated on every component, flow, data asset and zone".into(),
        likelihood_scale: "1-5: band(exposure 0-3 + attacker access 0-2 + complexity 0-2 + threat activity 0-1); 0-1 -> 1, 2-3 -> 2, 4 -> 3, 5-6 -> 4, 7-8 -> 5".into(),
        impact_scale: "1-5: highest C/I/A level of the data assets at stake for the threatened property (public 1, internal 2, confidential 3, restricted 4, regulated 5), +1 very many records, +1 multi-tenant; unset attributes scored as worst case".into(),
        severity_matrix: "likelihood x impact, 5x5 matrix: critical, high, medium, low, info (threatgraph scoring v1)".into(),
        residual_risk: "declared controls with status implemented or verified that a rule names as mitigations: preventive strong L-2, preventive partial L-1, impact limiting I-1 or I-2; at most -3 per axis, never below 1".into(),
        attack_version: attack,
    }
}

fn model_summary(facts: &Facts) -> ModelSummary {
    let m = facts.model;
    let g = &facts.graph;
    let mut zones: Vec<ZoneSummary> = m
        .zones
        .iter()
        .enumerate()
        .map(|(zi, z)| {
            let mut comps: Vec<String> = m
                .components
                .iter()
                .zip(g.nodes.iter())
                .filter(|(_, n)| n.zone == Some(zi))
                .map(|(c, _)| c.id.clone())
                .collect();
            comps.sort();
            ZoneSummary {
                id: z.id.clone(),
                name: z.name.clone().unwrap_or_else(|| z.id.clone()),
                kind: crate::rules::ast::ZONE_KIND_NAMES.get(z.kind as usize).copied().unwrap_or("").to_owned(),
                trust: g.zone_trust.get(zi).copied().unwrap_or(0),
                parent: z.parent.clone(),
                components: comps,
            }
        })
        .collect();
    let mut unzoned: Vec<String> =
        m.components.iter().zip(g.nodes.iter()).filter(|(_, n)| n.zone.is_none()).map(|(c, _)| c.id.clone()).collect();
    if !unzoned.is_empty() {
        unzoned.sort();
        zones.push(ZoneSummary {
            id: String::new(),
            name: "(no zone)".into(),
            kind: "internet".into(),
            trust: 0,
            parent: None,
            components: unzoned,
        });
    }
    zones.sort_by(|a, b| a.trust.cmp(&b.trust).then(a.id.cmp(&b.id)));
    let mut crossings: Vec<CrossingSummary> = g
        .edges
        .iter()
        .enumerate()
        .filter(|(_, e)| e.crossing != crate::graph::Crossing::None)
        .map(|(fi, e)| {
            let f = facts.flows.get(fi);
            CrossingSummary {
                flow: facts.flow_ids.get(fi).cloned().unwrap_or_default(),
                source: m.components.get(e.source as usize).map_or_else(String::new, |c| c.id.clone()),
                target: m.components.get(e.target as usize).map_or_else(String::new, |c| c.id.clone()),
                direction: crate::rules::ast::CROSSING_NAMES.get(e.crossing as usize).copied().unwrap_or("").to_owned(),
                encrypted: f.is_some_and(|f| f.encrypted),
                authentication: f
                    .and_then(|f| crate::rules::ast::AUTHENTICATION_NAMES.get(usize::from(f.auth)))
                    .copied()
                    .unwrap_or("none")
                    .to_owned(),
            }
        })
        .collect();
    crossings.sort_by(|a, b| a.flow.cmp(&b.flow));
    let mut exposed: Vec<String> =
        m.components.iter().zip(g.nodes.iter()).filter(|(_, n)| n.reachable).map(|(c, _)| c.id.clone()).collect();
    exposed.sort();
    let mut data_assets: Vec<DataAssetSummary> = m
        .data_assets
        .iter()
        .zip(facts.assets.iter())
        .map(|(d, a)| DataAssetSummary {
            id: d.id.clone(),
            name: d.display_name().to_owned(),
            classification: crate::rules::ast::CLASSIFICATION_NAMES
                .get(usize::from(a.class))
                .copied()
                .unwrap_or("")
                .to_owned(),
            tags: d.tags.iter().map(|t| t.as_str().to_owned()).collect(),
            confidentiality: a.c,
            integrity: a.i,
            availability: a.a,
        })
        .collect();
    data_assets.sort_by(|a, b| a.id.cmp(&b.id));
    ModelSummary {
        title: m.title.clone(),
        id: m.id.clone(),
        version: m.version.clone(),
        owner: m.owner.clone(),
        description: m.description.clone(),
        counts: ModelCounts {
            components: m.components.len(),
            flows: m.flows.len(),
            zones: m.zones.len(),
            data_assets: m.data_assets.len(),
            boundary_crossings: crossings.len(),
            internet_exposed: exposed.len(),
        },
        zones,
        crossings,
        internet_exposed: exposed,
        data_assets,
    }
}
