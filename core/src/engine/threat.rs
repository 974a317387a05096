//! Runs the compiled rules over the facts and turns every hit into a scored, mapped threat; then
//! builds the assumptions register, the counts and the provenance.

use super::eval::{Ctx, Evaluator, Unset};
use super::facts::{Decl, ElementIds, Facts};
use crate::catalog::Catalogs;
use crate::model::Model;
use crate::report::*;
use crate::rules::ast::{Collection, Exists};
use crate::rules::{Access, AssetScope, Complexity, ExposureOf, Property, Rule, RuleSet, Stride};
use crate::scoring::{self, Impact, Likelihood, LikelihoodFactors, Modifier, SecurityProperty, Severity, ThreatStatus};
use rustc_hash::FxHashMap;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::BTreeMap;
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
    /// Where the unset attributes the condition read start in [`Hits::reads`]; they end where
    /// the next hit's begin (16 bytes a hit: a large model has hundreds of thousands).
    reads: u32,
}

/// Every hit, and the unset attributes their conditions read, in one list.
#[derive(Default)]
struct Hits {
    hits: Vec<Hit>,
    reads: Vec<Unset>,
}

/// A rule's mappings, resolved against the catalogs once per engine and shared by every threat.
#[derive(Debug, Clone)]
pub(crate) struct RuleInfo {
    rule: Arc<SourceRef>,
    title: Arc<str>,
    stride: Arc<Vec<String>>,
    linddun: Arc<Vec<String>>,
    /// The description template, split at its placeholders.
    template: Arc<Template>,
    /// (label, token ids that implement the control)
    nist: Vec<(Arc<str>, Vec<u16>)>,
    /// The control tokens a threat of the rule looks for in reach (its mitigations and the
    /// tokens that implement its SP 800-53 controls), sorted.
    tokens: Box<[u16]>,
    /// What the report's `rules` section says of the rule.
    pub(crate) summary: RuleSummary,
}

/// Resolves every rule's mappings.
pub(crate) fn rule_infos(rules: &RuleSet, cat: &Catalogs) -> Vec<RuleInfo> {
    rules
        .rules
        .iter()
        .map(|r| {
            let s = &r.spec;
            let refs = |ids: &[String], title: &dyn Fn(&str) -> Option<String>| -> Vec<CatalogRef> {
                ids.iter().map(|i| CatalogRef { id: i.clone(), title: title(i).unwrap_or_default() }).collect()
            };
            let nist_label = |id: &String| cat.nist.get(id).map_or_else(|| id.clone(), |c| c.label.clone());
            let summary = RuleSummary {
                id: s.id.clone(),
                version: s.version.clone(),
                title: s.title.clone(),
                stride: s.stride.iter().map(|x| x.as_str().to_owned()).collect(),
                linddun: s.linddun.iter().map(|x| x.as_str().to_owned()).collect(),
                attack: s
                    .attack
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
                recommended_controls: RuleControls {
                    nist_800_53: s
                        .controls
                        .nist_800_53
                        .iter()
                        .map(|id| CatalogRef {
                            id: nist_label(id),
                            title: cat.nist.get(id).map_or_else(String::new, |c| c.title.clone()),
                        })
                        .collect(),
                    iso_27001: refs(&s.controls.iso_27001, &|i| cat.iso.get(i).map(|c| c.title.clone())),
                    cis_v8: refs(&s.controls.cis_v8, &|i| {
                        cat.cis
                            .get(i)
                            .map(|c| c.title.clone())
                            .or_else(|| cat.cis_controls.get(i).map(|c| c.title.clone()))
                    }),
                },
                cwe: refs(&s.cwe, &|i| cat.cwe.get(i).map(|w| w.name.clone())),
                capec: refs(&s.capec, &|i| cat.capec.get(i).map(|w| w.name.clone())),
                requirements: s.requirements.clone(),
                mitigations: r
                    .mitigation_ids
                    .iter()
                    .filter_map(|(t, _)| rules.token_names.get(usize::from(*t)).cloned())
                    .collect(),
            };
            let nist: Vec<(Arc<str>, Vec<u16>)> = s
                .controls
                .nist_800_53
                .iter()
                .map(|id| {
                    let tokens: Vec<u16> = cat
                        .tokens
                        .values()
                        .filter(|t| t.nist_800_53.iter().any(|n| n == id))
                        .filter_map(|t| rules.token_ids.get(&t.id).copied())
                        .collect();
                    (Arc::from(nist_label(id)), tokens)
                })
                .collect();
            let mut tokens: Vec<u16> = r.mitigation_ids.iter().map(|(t, _)| *t).collect();
            tokens.extend(nist.iter().flat_map(|(_, t)| t.iter().copied()));
            tokens.sort_unstable();
            tokens.dedup();
            RuleInfo {
                rule: Arc::new(SourceRef { id: s.id.clone(), version: s.version.clone() }),
                title: Arc::from(s.title.as_str()),
                stride: Arc::new(summary.stride.clone()),
                linddun: Arc::new(summary.linddun.clone()),
                template: Arc::new(Template::parse(&s.description)),
                nist,
                tokens: tokens.into(),
                summary,
            }
        })
        .collect()
}

/// Hops followed for `assets: reachable`.
const REACH_HOPS: u32 = 3;
/// Most components visited for `assets: reachable`.
const REACH_CAP: usize = 10_000;

/// The first 8 bytes of SHA-256 over the parts, each followed by a NUL. A part is the
/// concatenation of its pieces, hashed without joining them first.
fn fingerprint(parts: &[&[&str]]) -> [u8; 8] {
    let mut h = Sha256::new();
    for pieces in parts {
        for p in *pieces {
            h.update(p.as_bytes());
        }
        h.update([0u8]);
    }
    let d = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(d.get(..8).unwrap_or(&[0; 8]));
    first
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

fn collect_hits(facts: &Facts, rules: &RuleSet) -> Hits {
    let exists: Vec<Vec<bool>> =
        rules.rules.iter().map(|r| r.exists.iter().map(|e| eval_exists(facts, e)).collect()).collect();
    let mut hits = Hits::default();
    let mut ev = Evaluator { facts, exists: &[], reads: Vec::new() };
    for (ci, cf) in facts.classes.iter().enumerate() {
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
        // Type and kind of each endpoint, for the rules' endpoint masks.
        let ends = facts.graph.edges.get(fi).and_then(|e| {
            let (s, t) = (facts.classes.get(e.source as usize)?, facts.classes.get(e.target as usize)?);
            Some([(s.type_ix, s.kind_ix), (t.type_ix, t.kind_ix)])
        });
        let (flags, carried) = facts.flows.get(fi).map_or((0, 0), |f| (f.flags, f.data.count()));
        for &ri in &rules.flow_rules {
            let Some(rule) = rules.rules.get(ri as usize) else { continue };
            if !rule.flow.admits(flags, carried) {
                continue;
            }
            if let Some(ends) = ends
                && !ends.iter().zip(rule.endpoints.iter()).all(|(&(ty, kind), m)| m.admits(ty, kind))
            {
                continue;
            }
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
    // The lists live until the last threat is built, at the peak of memory: sized to their
    // contents (grown by doubling, they can be up to twice as large).
    hits.hits.shrink_to_fit();
    hits.reads.shrink_to_fit();
    hits
}

fn try_rule<'f, 'm>(
    ev: &mut Evaluator<'f, 'm>,
    exists: &'f [Vec<bool>],
    rules: &RuleSet,
    ri: u32,
    (subject, ctx, have): (Subject, Ctx, u8),
    hits: &mut Hits,
) {
    let Some(rule) = rules.rules.get(ri as usize) else { return };
    if rule.requires & have != rule.requires {
        return;
    }
    ev.exists = exists.get(ri as usize).map_or(&[], Vec::as_slice);
    ev.reads.clear();
    if ev.eval(&rule.cond, ctx) {
        ev.reads.sort_unstable();
        ev.reads.dedup();
        hits.hits.push(Hit { rule: ri, subject, reads: hits.reads.len() as u32 });
        hits.reads.extend_from_slice(&ev.reads);
    }
}

/// Builds the report.
pub(crate) fn run(mut facts: Facts, rules: &RuleSet, cat: &Catalogs, infos: &[RuleInfo]) -> Report {
    let model = facts.model;
    let Hits { hits, reads } = collect_hits(&facts, rules);
    // The walks use the graph's own successor lists: petgraph's copy is done with.
    facts.graph.graph = Default::default();
    let mut b = Builder::new(&facts, rules, infos);
    let mut built: Vec<Threat> = Vec::with_capacity(hits.len());
    // STRIDE categories found on each component and flow (bit `1 << category`), for coverage.
    let mut comp_found = vec![0u8; facts.comps.len()];
    let mut flow_found = vec![0u8; facts.flows.len()];
    let stride_bits: Vec<u8> =
        rules.rules.iter().map(|r| r.spec.stride.iter().fold(0u8, |acc, s| acc | 1 << *s as u8)).collect();
    let mut hits = hits.into_iter().peekable();
    while let Some(h) = hits.next() {
        let end = hits.peek().map_or(reads.len() as u32, |next| next.reads);
        let found = match h.subject {
            Subject::Comp(c) => comp_found.get_mut(c as usize),
            Subject::Flow(f) => flow_found.get_mut(f as usize),
            _ => None,
        };
        if let Some(x) = found {
            *x |= stride_bits.get(h.rule as usize).copied().unwrap_or(0);
        }
        let read = reads.get(h.reads as usize..end as usize).unwrap_or(&[]);
        built.extend(b.threat(&h, read));
    }
    drop(hits);
    drop(reads);
    // The threats hold the shared lists: the lookup tables are done with.
    b.drop_lookups();
    // The architecture summary shares the builder's id strings. After it the builder and the
    // facts (graph included) are done with: freed before the register is built, but for the
    // flows' effective ids, which assumptions name.
    let model_summary = model_summary(&mut b);
    let provenance = provenance(&facts, rules, cat);
    let found = b.take_auto();
    drop(b);
    let element_ids = ElementIds { model, flows: std::mem::take(&mut facts.ids.flows) };
    drop(facts);
    // Report order (sorted once the facts are freed, which the peak of memory would otherwise
    // hold): descending severity, inherent severity and likelihood (7 - level), then rule
    // id, then threat id. A threat's rule rank (by id) is found by its shared rule reference, its
    // id number read from its id.
    let mut by_id: Vec<&Arc<SourceRef>> = infos.iter().map(|info| &info.rule).collect();
    by_id.sort_by(|a, b| a.id.cmp(&b.id));
    let mut rule_ranks: Vec<(*const SourceRef, u32)> =
        by_id.iter().enumerate().map(|(r, rule)| (Arc::as_ptr(rule), r as u32)).collect();
    rule_ranks.sort_unstable();
    let rule_rank = |t: &Threat| {
        let found = rule_ranks.binary_search_by_key(&Arc::as_ptr(&t.rule), |&(p, _)| p).ok();
        found.and_then(|i| rule_ranks.get(i)).map_or(u32::MAX, |&(_, r)| r)
    };
    let mut keys: Vec<(u64, u64, u32)> = Vec::with_capacity(built.len());
    keys.extend(built.iter().enumerate().map(|(i, t)| {
        let key = (7 - t.severity as u64) << 61
            | (7 - t.inherent_severity as u64) << 58
            | (7 - u64::from(t.likelihood.residual.min(7))) << 55
            | u64::from(rule_rank(t));
        (key, id_number(&t.id), i as u32)
    }));
    keys.sort_unstable();
    let order: Vec<u32> = keys.iter().map(|k| k.2).collect();
    // Id number of each threat, by report position (ordering by it orders by threat id).
    let id_numbers: Vec<u64> = keys.iter().map(|k| k.1).collect();
    drop(keys);
    // Into report order in place (no second list of threats at the peak of memory).
    let mut threats = built;
    permute(&mut threats, &order);
    // Position in the report of each threat, by build order.
    let mut position = vec![0u32; order.len()];
    for (pos, &i) in order.iter().enumerate() {
        if let Some(p) = position.get_mut(i as usize) {
            *p = pos as u32;
        }
    }
    drop(order);
    let assumptions = register(&element_ids, found, &rules.token_names, &mut threats, &position, &id_numbers);
    drop(element_ids);
    let summary = summary(&threats, rules);
    let mut rule_list: Vec<RuleSummary> = infos.iter().map(|i| i.summary.clone()).collect();
    rule_list.sort_by(|a, b| a.id.cmp(&b.id));
    let mut report = Report {
        format_version: REPORT_FORMAT_VERSION,
        provenance,
        model: model_summary,
        methodology: methodology(cat),
        summary,
        threats,
        rules: rule_list,
        assumptions,
        coverage: Vec::new(),
        compliance: Vec::new(),
    };
    report.coverage = crate::report::coverage(model, rules, &comp_found, &flow_found);
    report.compliance = crate::report::compliance(model, &report, rules, cat);
    report
}

/// Reorders `items` in place so that position `p` holds the item that was at `from[p]`
/// (`from` is a permutation of the positions), following each cycle with swaps.
fn permute<T>(items: &mut [T], from: &[u32]) {
    let mut done = vec![false; items.len()];
    for start in 0..items.len() {
        let mut cur = start;
        while done.get(cur) == Some(&false) {
            if let Some(d) = done.get_mut(cur) {
                *d = true;
            }
            let src = from.get(cur).map_or(start, |&s| s as usize);
            if src == start || src >= items.len() {
                break;
            }
            items.swap(cur, src);
            cur = src;
        }
    }
}

/// Shared copies of what threats repeat (element ids and names, element lists), one per
/// element index, made on first use so that a threat holds reference counts instead of copies.
struct Interned<T: ?Sized = str>(Vec<Option<Arc<T>>>);

impl<T: ?Sized> Interned<T> {
    fn new(n: usize) -> Interned<T> {
        Interned(vec![None; n])
    }
    fn get(&mut self, i: u32, make: impl FnOnce() -> Arc<T>) -> Arc<T> {
        match self.cached(i) {
            Some(v) => v,
            None => self.put(i, make()),
        }
    }
    /// Whether `v` is the value kept for index `i` (the same allocation).
    fn holds(&self, i: u32, v: &Arc<T>) -> bool {
        self.0.get(i as usize).and_then(Option::as_ref).is_some_and(|x| Arc::ptr_eq(x, v))
    }
    fn cached(&self, i: u32) -> Option<Arc<T>> {
        self.0.get(i as usize).and_then(Option::clone)
    }
    /// Keeps `v` for index `i` (if in range) and returns it.
    fn put(&mut self, i: u32, v: Arc<T>) -> Arc<T> {
        if let Some(slot) = self.0.get_mut(i as usize) {
            *slot = Some(v.clone());
        }
        v
    }
}

/// Who declares a control in reach of a threat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Owner {
    Comp(u32),
    Flow(u32),
    Zone(u32),
}

impl Owner {
    /// The id of the declaring element.
    fn id<'s>(self, ids: &'s ElementIds) -> &'s str {
        match self {
            Owner::Comp(c) => ids.comp(c),
            Owner::Flow(f) => ids.flow(f),
            Owner::Zone(z) => ids.zone(z),
        }
    }
}

struct Builder<'a, 'm> {
    facts: &'a Facts<'m>,
    rules: &'a RuleSet,
    infos: &'a [RuleInfo],
    /// Automatic assumptions the threats depend on: (what it is about, threat index in build
    /// order), one pair per dependency. Their statements are written with the register, once the
    /// facts are freed: the end of the build is where memory peaks.
    auto: Vec<(AutoKey, u32)>,
    /// Controls credited without evidence: (declaring element, token, threat index in build
    /// order), one per credit.
    no_evidence: Vec<(Owner, u16, u32)>,
    /// Index of the threat being built (in build order).
    current: u32,
    asset_handlers: Option<Vec<Vec<u32>>>,
    zone_members: Option<Vec<Vec<u32>>>,
    comp_ids: Interned,
    comp_names: Interned,
    flow_ids: Interned,
    asset_ids: Interned,
    asset_names: Interned,
    zone_names: Interned,
    tokens: Vec<Arc<str>>,
    /// Scratch list of the controls in reach of the threat being built.
    scope: Vec<(Owner, Decl)>,
    /// Assets within reach of a component (`assets: reachable`), by component.
    reach: FxHashMap<u32, Box<[u32]>>,
    walk: crate::graph::Walk,
    /// Assets already collected by the current `reachable_assets` walk: (round of each asset,
    /// current round).
    asset_seen: (Vec<u32>, u32),
    /// Scratch list of the unset attributes the threat being built reads.
    reads: Vec<Unset>,
    /// Scratch text for names made up of other names.
    text: String,
    /// The element list of the last component and of the last flow threats were built on,
    /// shared by them: the hits on one element come one after the other.
    last_comp: Option<(u32, Arc<[ElementRef]>)>,
    last_flow: Option<(u32, Arc<[ElementRef]>)>,
    /// Missing-mitigation lists, shared by every threat of a rule with the same mitigations
    /// credited: (rule, bit `1 << i` for each credited `mitigation_ids[i]`) → list.
    missing_lists: FxHashMap<(u32, u64), Arc<[Arc<str>]>>,
    /// Lists of data assets at stake, by a hash of their indices: (ids, names), shared by every
    /// threat with the same list (in its impact and its description).
    asset_lists: FxHashMap<u64, AssetList>,
}

/// A list of data assets as threats show it: ids (the impact's `assets`) and names (the
/// description's `{data}`), in the same order.
#[derive(Clone)]
struct AssetList {
    ids: Arc<[Arc<str>]>,
    names: Arc<[Arc<str>]>,
}

/// What an automatic assumption is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AutoKey {
    Unset(Unset),
    /// A component whose controls are not stated.
    Controls(u32),
    /// A component with no zone.
    Zone(u32),
}

impl AutoKey {
    /// One number per key, to group equal keys by sorting numbers.
    fn packed(self) -> u64 {
        let (kind, i) = match self {
            AutoKey::Unset(Unset::FlowEncrypted(i)) => (0, i),
            AutoKey::Unset(Unset::FlowAuthentication(i)) => (1, i),
            AutoKey::Unset(Unset::FlowAuthorization(i)) => (2, i),
            AutoKey::Unset(Unset::FlowMfa(i)) => (3, i),
            AutoKey::Unset(Unset::AssetClassification(i)) => (4, i),
            AutoKey::Controls(i) => (5, i),
            AutoKey::Zone(i) => (6, i),
        };
        kind << 32 | u64::from(i)
    }
}

/// What the register lists automatically, as found while the threats are built (threats by
/// build index). The entries are written after the facts and the lookup tables are freed.
struct AutoFound {
    /// (what is assumed, a threat that depends on it), one pair per dependency.
    pairs: Vec<(AutoKey, u32)>,
    /// Controls credited without evidence: (declaring element, token, threat), one per credit.
    no_evidence: Vec<(Owner, u16, u32)>,
}

/// The automatic assumption `key`: (the prefix of the stable key its id is derived from, such as
/// `encrypted` of `encrypted:f3`; its statement; its element, the key's rest).
fn assumption<'s>(ids: &'s ElementIds, key: AutoKey) -> (&'static str, String, &'s str) {
    use Unset::{AssetClassification, FlowAuthentication, FlowAuthorization, FlowEncrypted, FlowMfa};
    let comp = |c: u32| ("component", ids.comp(c));
    let flow = |f: u32| ("flow", ids.flow(f));
    let asset = |a: u32| ("data asset", ids.asset(a));
    // (the stable key's prefix, the element, what is assumed)
    let (prefix, (noun, id), assumed) = match key {
        AutoKey::Controls(c) => ("controls", comp(c), "controls not stated; assumed none"),
        AutoKey::Zone(c) => ("zone", comp(c), "zone not stated; assumed exposed to the internet (trust 0)"),
        AutoKey::Unset(FlowEncrypted(f)) => ("encrypted", flow(f), "encryption not stated; assumed unencrypted"),
        AutoKey::Unset(FlowAuthentication(f)) => ("authentication", flow(f), "authentication not stated; assumed none"),
        AutoKey::Unset(FlowAuthorization(f)) => ("authorization", flow(f), "authorization not stated; assumed none"),
        AutoKey::Unset(FlowMfa(f)) => ("mfa", flow(f), "multi-factor authentication not stated; assumed absent"),
        AutoKey::Unset(AssetClassification(a)) => {
            ("classification", asset(a), "classification not stated; assumed restricted")
        }
    };
    // `{noun} `{id}`: {assumed}`, allocated at its length (the register of a large model holds
    // tens of thousands).
    (prefix, [noun, " `", id, "`: ", assumed].concat(), id)
}

/// The property a rule's threats are measured on: the rule's, or for `auto` the one its first
/// STRIDE category threatens.
fn property_of(rule: &Rule) -> SecurityProperty {
    match rule.spec.impact.property {
        Property::Auto => match rule.spec.stride.first() {
            Some(Stride::Spoofing) => SecurityProperty::Authenticity,
            Some(Stride::Tampering | Stride::Repudiation) => SecurityProperty::Integrity,
            Some(Stride::InformationDisclosure) | None => SecurityProperty::Confidentiality,
            Some(Stride::DenialOfService) => SecurityProperty::Availability,
            Some(Stride::ElevationOfPrivilege) => SecurityProperty::Authorization,
        },
        Property::Confidentiality => SecurityProperty::Confidentiality,
        Property::Integrity => SecurityProperty::Integrity,
        Property::Availability => SecurityProperty::Availability,
        Property::Authenticity => SecurityProperty::Authenticity,
        Property::Authorization => SecurityProperty::Authorization,
    }
}

/// The declaration in `scope` that earns credit for control `token`, with who declares it.
fn credited_in(scope: &[(Owner, Decl)], token: u16) -> Option<&(Owner, Decl)> {
    scope.iter().find(|(_, d)| d.token == token && d.status.credited())
}

/// `TG-` and the first 8 bytes of SHA-256(rule id NUL subject id NUL), as hex ([`id_number`]
/// reads them back as a number).
fn threat_id(rule: &str, subject: &str) -> ThreatId {
    ThreatId::new(HexId::new(b"TG-", fingerprint(&[&[rule], &[subject]])).as_str())
}

/// The threat id whose [`id_number`] is `n`.
fn threat_id_of(n: u64) -> ThreatId {
    ThreatId::new(HexId::new(b"TG-", n.to_be_bytes()).as_str())
}

/// A prefix and the 16 hex digits of 8 bytes (a threat's or an automatic assumption's id),
/// written on the stack.
struct HexId {
    text: [u8; 24],
    len: usize,
}

impl HexId {
    /// `prefix` (up to 8 bytes) and the lower-case hex digits of `first`.
    fn new(prefix: &[u8], first: [u8; 8]) -> HexId {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut text = [0u8; 24];
        let prefix = prefix.get(..8).unwrap_or(prefix);
        for (slot, &b) in text.iter_mut().zip(prefix) {
            *slot = b;
        }
        let n = u64::from_be_bytes(first);
        for (i, slot) in text.iter_mut().skip(prefix.len()).enumerate().take(16) {
            let nibble = n >> (60 - 4 * i as u32) & 15;
            *slot = DIGITS.get(nibble as usize).copied().unwrap_or(b'0');
        }
        HexId { text, len: prefix.len() + 16 }
    }

    fn as_str(&self) -> &str {
        self.text.get(..self.len).and_then(|t| std::str::from_utf8(t).ok()).unwrap_or_default()
    }
}

/// The number a threat id of [`threat_id`] writes in hex (ids order as their numbers).
fn id_number(id: &ThreatId) -> u64 {
    let hex = id.as_bytes().get(3..).unwrap_or_default();
    hex.iter().fold(0, |n, &c| n << 4 | u64::from(char::from(c).to_digit(16).unwrap_or(0)))
}

impl<'a, 'm> Builder<'a, 'm> {
    fn new(facts: &'a Facts<'m>, rules: &'a RuleSet, infos: &'a [RuleInfo]) -> Self {
        Builder {
            facts,
            rules,
            infos,
            auto: Vec::new(),
            no_evidence: Vec::new(),
            current: 0,
            asset_handlers: None,
            zone_members: None,
            comp_ids: Interned::new(facts.comps.len()),
            comp_names: Interned::new(facts.comps.len()),
            flow_ids: Interned::new(facts.flows.len()),
            asset_ids: Interned::new(facts.assets.len()),
            asset_names: Interned::new(facts.assets.len()),
            zone_names: Interned::new(facts.zones.len() + 1),
            tokens: rules.token_names.iter().map(|t| Arc::from(t.as_str())).collect(),
            scope: Vec::new(),
            reach: FxHashMap::default(),
            walk: crate::graph::Walk::default(),
            asset_seen: (Vec::new(), 0),
            reads: Vec::new(),
            text: String::new(),
            last_comp: None,
            last_flow: None,
            missing_lists: FxHashMap::default(),
            asset_lists: FxHashMap::default(),
        }
    }

    fn comp_id(&self, c: u32) -> &'m str {
        self.facts.ids.comp(c)
    }

    fn comp_name(&self, c: u32) -> &'m str {
        self.facts.model.components.get(c as usize).map_or("", |c| c.display_name())
    }

    // The shared strings below read the model only when not made yet: its element records are
    // scattered over memory, and most calls find the string made.
    fn comp_id_arc(&mut self, c: u32) -> Arc<str> {
        let facts = self.facts;
        self.comp_ids.get(c, || Arc::from(facts.ids.comp(c)))
    }

    /// A component's name, shared; a component without a name shows its id (the same string).
    fn comp_name_arc(&mut self, c: u32) -> Arc<str> {
        if let Some(name) = self.comp_names.cached(c) {
            return name;
        }
        let name = self.comp_name(c);
        let name = if name == self.comp_id(c) { self.comp_id_arc(c) } else { Arc::from(name) };
        self.comp_names.put(c, name)
    }

    /// A flow's name as element references show it: declared, or `source → target`.
    fn flow_name_arc(&mut self, f: u32) -> Arc<str> {
        match self.facts.model.flows.get(f as usize).and_then(|fl| fl.name.as_deref()) {
            Some(n) => Arc::from(n),
            None => {
                // Joined in a reused buffer (one allocation, the shared string's), not `format!`.
                let (s, t) = self.endpoints(f);
                let mut name = std::mem::take(&mut self.text);
                name.clear();
                name.push_str(self.comp_name(s));
                name.push_str(" → ");
                name.push_str(self.comp_name(t));
                let shared = Arc::from(name.as_str());
                self.text = name;
                shared
            }
        }
    }

    /// A data asset's name, shared; an asset without a name shows its id (the same string).
    fn asset_name_arc(&mut self, a: u32) -> Arc<str> {
        if let Some(name) = self.asset_names.cached(a) {
            return name;
        }
        let Some(d) = self.facts.model.data_assets.get(a as usize) else { return Arc::from("") };
        let name = if d.display_name() == d.id { self.asset_id_arc(a) } else { Arc::from(d.display_name()) };
        self.asset_names.put(a, name)
    }

    fn asset_id_arc(&mut self, a: u32) -> Arc<str> {
        let facts = self.facts;
        self.asset_ids.get(a, || Arc::from(facts.ids.asset(a)))
    }

    fn owner_id(&self, o: Owner) -> &'a str {
        let facts: &'a Facts<'m> = self.facts;
        o.id(&facts.ids)
    }

    fn owner_arc(&mut self, o: Owner) -> Arc<str> {
        match o {
            Owner::Comp(c) => self.comp_id_arc(c),
            Owner::Flow(f) => {
                let facts = self.facts;
                self.flow_ids.get(f, || Arc::from(facts.ids.flow(f)))
            }
            Owner::Zone(_) => Arc::from(self.owner_id(o)),
        }
    }

    fn token_name(&self, t: u16) -> &str {
        self.tokens.get(usize::from(t)).map_or("", |s| s)
    }

    fn token(&self, t: u16) -> Arc<str> {
        self.tokens.get(usize::from(t)).cloned().unwrap_or_else(|| Arc::from(""))
    }

    /// A zone's name (`None`: the components without a zone), shared.
    fn zone_name_arc(&mut self, z: Option<usize>) -> Arc<str> {
        let slot = z.filter(|&z| z < self.facts.zones.len()).unwrap_or(self.facts.zones.len());
        if let Some(name) = self.zone_names.cached(slot as u32) {
            return name;
        }
        let name = Arc::from(self.zone_name(z));
        self.zone_names.put(slot as u32, name)
    }

    fn zone_name(&self, z: Option<usize>) -> &'m str {
        let model: &'m Model = self.facts.model;
        match z.and_then(|z| model.zones.get(z)) {
            Some(z) => z.name.as_deref().unwrap_or(&z.id),
            None => "(no zone)",
        }
    }

    fn handlers(&mut self, asset: u32) -> &[u32] {
        let facts = self.facts;
        let map = self.asset_handlers.get_or_insert_with(|| {
            let mut m = vec![Vec::new(); facts.assets.len()];
            for (ci, c) in facts.comps.iter().enumerate() {
                for &a in facts.asset_lists.get(c.handled) {
                    if let Some(v) = m.get_mut(a as usize) {
                        v.push(ci as u32);
                    }
                }
            }
            m
        });
        map.get(asset as usize).map_or(&[], Vec::as_slice)
    }

    fn members(&mut self, zone: u32) -> &[u32] {
        let facts = self.facts;
        let m = self.zone_members.get_or_insert_with(|| facts.graph.zone_members(facts.zones.len()));
        m.get(zone as usize).map_or(&[], Vec::as_slice)
    }

    fn endpoints(&self, f: u32) -> (u32, u32) {
        self.facts.graph.edges.get(f as usize).map_or((0, 0), |e| (e.source, e.target))
    }

    /// The threat for `hit`.
    fn threat(&mut self, hit: &Hit, read: &[Unset]) -> Option<Threat> {
        let rules = self.rules;
        let infos = self.infos;
        let rule = rules.rules.get(hit.rule as usize)?;
        let info = infos.get(hit.rule as usize)?;
        let spec = &rule.spec;
        let facts = self.facts;
        let mut reads = std::mem::take(&mut self.reads);
        reads.clear();
        reads.extend_from_slice(read);

        // Elements and the id fingerprint.
        let (elements, primary_comp): (Arc<[ElementRef]>, Option<u32>) = match hit.subject {
            Subject::Comp(c) => (self.comp_elements(c), Some(c)),
            Subject::Flow(f) => (self.flow_elements(f), Some(self.endpoints(f).1)),
            Subject::Asset(a) => {
                facts.model.data_assets.get(a as usize)?;
                let (id, name) = (self.asset_id_arc(a), self.asset_name_arc(a));
                (Arc::new([ElementRef { id, kind: ElementRefKind::DataAsset, name }]), None)
            }
            Subject::Zone(z) => {
                let zm = facts.model.zones.get(z as usize)?;
                let name = self.zone_name_arc(Some(z as usize));
                (Arc::new([ElementRef { id: Arc::from(zm.id.as_str()), kind: ElementRefKind::Zone, name }]), None)
            }
            Subject::Model => (Arc::new([]), None),
        };
        let id = threat_id(&spec.id, elements.first().map_or("model", |e| &e.id));

        let likelihood = self.likelihood(rule, hit.subject, &mut reads);
        let (assets, prop) = self.assets_at_stake(rule, hit.subject);
        let AssetList { ids: asset_ids, names: asset_names } = self.asset_list(&assets);
        let impact = self.impact(rule, hit.subject, &assets, asset_ids, prop, &mut reads);

        // Controls in reach, with the element that declares them.
        let mut scope = std::mem::take(&mut self.scope);
        self.control_scope(hit.subject, &info.tokens, &mut scope);
        // Lists sized exactly (a pushed-to list reserves room for four: a large report holds
        // hundreds of thousands of them).
        let credited_count = rule.mitigation_ids.iter().filter(|(tok, _)| credited_in(&scope, *tok).is_some()).count();
        let mut credited = Vec::with_capacity(credited_count);
        // Bit `1 << i` for each credited `mitigation_ids[i]` (the missing list's cache key).
        let mut credited_bits = 0u64;
        let (mut lc, mut ic) = (0u8, 0u8);
        let mut strong = false;
        for (i, (tok, effect)) in rule.mitigation_ids.iter().enumerate() {
            let Some((on, d)) = credited_in(&scope, *tok) else {
                continue;
            };
            credited_bits |= 1u64.checked_shl(i as u32).unwrap_or(0);
            let (l, im) = effect.credit();
            lc = lc.saturating_add(l);
            ic = ic.saturating_add(im);
            strong |= effect.is_strong();
            if d.evidence == 0 {
                self.no_evidence.push((*on, *tok, self.current));
            }
            credited.push(CreditedControl {
                control: self.token(*tok),
                effect: *effect,
                on: self.owner_arc(*on),
                status: d.status,
                evidence: d.evidence,
            });
        }
        let missing = self.missing_list(hit.rule, rule, credited_bits, &scope);
        let mut likelihood = likelihood;
        likelihood.residual = scoring::residual(likelihood.inherent, lc);
        let mut impact = impact;
        impact.residual = scoring::residual(impact.inherent, ic);
        let inherent_severity = scoring::severity(likelihood.inherent, impact.inherent);
        let severity = scoring::severity(likelihood.residual, impact.residual).min(inherent_severity);
        let all_declared = !rule.mitigation_ids.is_empty() && missing.is_empty();
        let status = if strong || all_declared {
            ThreatStatus::Mitigated
        } else if lc > 0 || ic > 0 {
            ThreatStatus::PartiallyMitigated
        } else {
            ThreatStatus::Open
        };
        // Unstated controls on the threatened element, when the rule names mitigations.
        if !missing.is_empty()
            && let Some(c) = primary_comp
            && facts.comps.get(c as usize).is_some_and(|m| !m.controls_stated)
        {
            self.auto.push((AutoKey::Controls(c), self.current));
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
                self.auto.push((AutoKey::Zone(c), self.current));
            }
        }
        let current = self.current;
        self.auto.extend(reads.iter().map(|&r| (AutoKey::Unset(r), current)));
        self.reads = reads;

        let description = self.describe(info, hit.subject, &elements, &asset_names, &missing);
        let implemented = self.implemented(info, &scope);
        scope.clear();
        self.scope = scope;
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
            status,
            controls_credited: credited.into_boxed_slice(),
            controls_missing: missing,
            controls_implemented: implemented.into_boxed_slice(),
            assumptions: Box::default(),
        })
    }

    /// The rule's mitigations that `scope` does not credit, in the rule's order: one shared list
    /// per rule and set of credited mitigations (`credited_bits`, see `threat`).
    fn missing_list(&mut self, r: u32, rule: &Rule, credited_bits: u64, scope: &[(Owner, Decl)]) -> Arc<[Arc<str>]> {
        // Rules with more mitigations than the key has bits get a list of their own.
        let cacheable = rule.mitigation_ids.len() <= 64;
        if cacheable && let Some(list) = self.missing_lists.get(&(r, credited_bits)) {
            return list.clone();
        }
        let list: Arc<[Arc<str>]> = rule
            .mitigation_ids
            .iter()
            .filter(|(tok, _)| credited_in(scope, *tok).is_none())
            .map(|(tok, _)| self.token(*tok))
            .collect();
        if cacheable {
            self.missing_lists.insert((r, credited_bits), list.clone());
        }
        list
    }

    /// The shared ids and names of the data assets `assets`.
    fn asset_list(&mut self, assets: &[u32]) -> AssetList {
        // Keyed by a hash of the indices (no copy of them at the peak of memory); a list found is
        // the one for `assets` when it holds their shared ids, the same strings.
        let key = {
            use std::hash::{Hash, Hasher};
            let mut h = rustc_hash::FxHasher::default();
            assets.hash(&mut h);
            h.finish()
        };
        if let Some(list) = self.asset_lists.get(&key)
            && list.ids.len() == assets.len()
            && list.ids.iter().zip(assets).all(|(id, &a)| self.asset_ids.holds(a, id))
        {
            return list.clone();
        }
        let ids: Arc<[Arc<str>]> = assets.iter().map(|&a| self.asset_id_arc(a)).collect();
        let names: Vec<Arc<str>> = assets.iter().map(|&a| self.asset_name_arc(a)).collect();
        // Assets without names: the names are the ids, one list.
        let names =
            if names.iter().zip(ids.iter()).all(|(n, i)| Arc::ptr_eq(n, i)) { ids.clone() } else { names.into() };
        let list = AssetList { ids, names };
        self.asset_lists.insert(key, list.clone());
        list
    }

    fn comp_ref(&mut self, c: u32) -> ElementRef {
        ElementRef { id: self.comp_id_arc(c), kind: ElementRefKind::Component, name: self.comp_name_arc(c) }
    }

    /// The elements of a threat on component `c`, shared by the threats on it.
    fn comp_elements(&mut self, c: u32) -> Arc<[ElementRef]> {
        if let Some((last, e)) = &self.last_comp
            && *last == c
        {
            return e.clone();
        }
        let e: Arc<[ElementRef]> = Arc::new([self.comp_ref(c)]);
        self.last_comp = Some((c, e.clone()));
        e
    }

    /// The elements of a threat on flow `f` (the flow, its source, its target), shared by all of
    /// them.
    fn flow_elements(&mut self, f: u32) -> Arc<[ElementRef]> {
        if let Some((last, e)) = &self.last_flow
            && *last == f
        {
            return e.clone();
        }
        let (s, t) = self.endpoints(f);
        let id = self.owner_arc(Owner::Flow(f));
        let name = self.flow_name_arc(f);
        let e: Arc<[ElementRef]> =
            Arc::new([ElementRef { id, kind: ElementRefKind::Flow, name }, self.comp_ref(s), self.comp_ref(t)]);
        self.last_flow = Some((f, e.clone()));
        e
    }

    fn likelihood(&mut self, rule: &Rule, subject: Subject, reads: &mut Vec<Unset>) -> Likelihood {
        let spec = &rule.spec.likelihood;
        if let Some(f) = spec.fixed {
            return Likelihood { inherent: f, residual: f, factors: None };
        }
        let facts = self.facts;
        let node_exp = |c: u32| facts.graph.nodes.get(c as usize).map_or(1, |n| n.exposure);
        let anon = |c: u32| facts.graph.nodes.get(c as usize).is_some_and(|n| n.anon_reachable);
        // The most exposed of several components (ties: the smallest id).
        let comp_rank = |c: u32| facts.comp_rank.get(c as usize).copied().unwrap_or(u32::MAX);
        let most_exposed =
            |cs: &[u32]| cs.iter().copied().max_by_key(|&c| (node_exp(c), std::cmp::Reverse(comp_rank(c))));
        let (exposure, exposure_of, auto_access) = match subject {
            Subject::Comp(c) => (node_exp(c), Some(c), if anon(c) { 2 } else { 1 }),
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
                        if x.auth == crate::model::Authentication::None { 2 } else { 1 }
                    }
                    None => 1,
                };
                (exp, Some(who), access)
            }
            Subject::Asset(a) => match most_exposed(self.handlers(a)) {
                Some(c) => (node_exp(c), Some(c), if anon(c) { 2 } else { 1 }),
                None => (1, None, 1),
            },
            Subject::Zone(z) => match most_exposed(self.members(z)) {
                Some(c) => (node_exp(c), Some(c), if anon(c) { 2 } else { 1 }),
                None => (1, None, 1),
            },
            Subject::Model => (2, None, 1),
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
        let exposure_of = match exposure_of {
            Some(c) => self.comp_id_arc(c),
            None => Arc::from(""),
        };
        Likelihood {
            inherent,
            residual: inherent,
            factors: Some(LikelihoodFactors { exposure, exposure_of, access, complexity, threat_activity: 0, sum }),
        }
    }

    /// Data assets handled by `c` or by a component within `REACH_HOPS` flows of it, in id
    /// order; computed once per component.
    fn reachable_assets(&mut self, c: u32) -> &[u32] {
        let facts = self.facts;
        let (walk, seen) = (&mut self.walk, &mut self.asset_seen);
        self.reach.entry(c).or_insert_with(|| {
            // Each asset once (marked with the round number), then in id order.
            if seen.0.len() != facts.assets.len() || seen.1 == u32::MAX {
                *seen = (vec![0; facts.assets.len()], 0);
            }
            seen.1 += 1;
            let round = seen.1;
            let handled = |c: usize| facts.comps.get(c).map_or(&[][..], |x| facts.asset_lists.get(x.handled));
            let mut v = Vec::new();
            let mut add = |assets: &[u32]| {
                for &a in assets {
                    if let Some(m) = seen.0.get_mut(a as usize)
                        && *m != round
                    {
                        *m = round;
                        v.push(a);
                    }
                }
            };
            add(handled(c as usize));
            for &r in walk.within(&facts.graph, c as usize, REACH_HOPS, REACH_CAP) {
                add(handled(r as usize));
            }
            v.sort_unstable_by_key(|&a| facts.asset_rank.get(a as usize).copied().unwrap_or(u32::MAX));
            v.into_boxed_slice()
        })
    }

    fn assets_at_stake(&mut self, rule: &Rule, subject: Subject) -> (Vec<u32>, SecurityProperty) {
        let prop = property_of(rule);
        let facts = self.facts;
        let handled = |c: u32| facts.comps.get(c as usize).map_or(&[][..], |x| facts.asset_lists.get(x.handled));
        let stored = |c: u32| facts.comps.get(c as usize).map_or(&[][..], |x| facts.asset_lists.get(x.stores));
        let scope = rule.spec.impact.assets;
        if rule.spec.impact.fixed.is_some() || scope == AssetScope::None {
            return (Vec::new(), prop);
        }
        let mut v = Vec::new();
        match subject {
            Subject::Comp(c) => match scope {
                AssetScope::Stored => v.extend_from_slice(stored(c)),
                AssetScope::Reachable => v.extend_from_slice(self.reachable_assets(c)),
                _ => v.extend_from_slice(handled(c)),
            },
            Subject::Flow(f) => {
                let (s, t) = self.endpoints(f);
                let carried = facts.flows.get(f as usize).map_or(&[][..], |x| facts.asset_lists.get(x.data));
                match scope {
                    AssetScope::Carried => v.extend_from_slice(carried),
                    AssetScope::Auto => v.extend_from_slice(if carried.is_empty() { handled(t) } else { carried }),
                    AssetScope::Handled | AssetScope::Target => v.extend_from_slice(handled(t)),
                    AssetScope::Stored => v.extend_from_slice(stored(t)),
                    AssetScope::Source => v.extend_from_slice(handled(s)),
                    AssetScope::Reachable => {
                        v.extend_from_slice(carried);
                        v.extend_from_slice(self.reachable_assets(t));
                    }
                    AssetScope::None => {}
                }
            }
            Subject::Asset(a) => v.push(a),
            Subject::Zone(z) => {
                for &c in self.members(z) {
                    v.extend_from_slice(handled(c));
                }
            }
            Subject::Model => {}
        }
        // Ordered by id (asset rank), so descriptions do not depend on the order of the model file.
        if v.len() > 1 {
            v.sort_unstable_by_key(|&a| facts.asset_rank.get(a as usize).copied().unwrap_or(u32::MAX));
            v.dedup();
        }
        (v, prop)
    }

    fn impact(
        &mut self,
        rule: &Rule,
        subject: Subject,
        assets: &[u32],
        asset_ids: Arc<[Arc<str>]>,
        prop: SecurityProperty,
        reads: &mut Vec<Unset>,
    ) -> Impact {
        let facts = self.facts;
        let spec = &rule.spec.impact;
        if let Some(f) = spec.fixed {
            return Impact {
                inherent: f,
                residual: f,
                property: prop,
                base: f,
                assets: asset_ids,
                modifiers: Box::default(),
            };
        }
        let mut base = 0u8;
        let mut very_many = false;
        for &a in assets {
            let Some(af) = facts.assets.get(a as usize) else { continue };
            if af.class_assumed {
                reads.push(Unset::AssetClassification(a));
            }
            let level = match prop {
                SecurityProperty::Confidentiality => af.c,
                SecurityProperty::Integrity => af.i,
                SecurityProperty::Availability => af.a,
                SecurityProperty::Authenticity => af.c.max(af.i),
                SecurityProperty::Authorization => af.c.max(af.i).max(af.a),
            };
            base = base.max(level);
            very_many |= af.quantity == Some(crate::model::Quantity::VeryMany as u8);
        }
        if base == 0 {
            base = spec.default.unwrap_or(2);
        }
        let threatened = match subject {
            Subject::Comp(c) => Some(c),
            Subject::Flow(f) => Some(self.endpoints(f).1),
            _ => None,
        };
        let multi_tenant = threatened.filter(|&c| {
            facts.comps.get(c as usize).is_some_and(|x| x.flags & crate::model::ComponentFlag::MultiTenant.bit() != 0)
        });
        let mut modifiers = Vec::with_capacity(usize::from(very_many) + usize::from(multi_tenant.is_some()));
        let mut level = base;
        if very_many {
            modifiers.push(Modifier {
                reason: Cow::Borrowed("scale: a data asset at stake has quantity very_many"),
                delta: 1,
            });
            level += 1;
        }
        if let Some(c) = multi_tenant {
            modifiers.push(Modifier {
                reason: Cow::Owned(format!("blast radius: `{}` is multi-tenant", self.comp_id(c))),
                delta: 1,
            });
            level += 1;
        }
        let level = level.min(5);
        Impact {
            inherent: level,
            residual: level,
            property: prop,
            base,
            assets: asset_ids,
            modifiers: modifiers.into_boxed_slice(),
        }
    }

    /// Declared controls in reach of a threat, with the element that declares them, into `out`.
    /// A data asset's or the model's scope spans many elements (all of them for the model) and is
    /// sorted by element id: it keeps only the credited declarations of `tokens` (the rule's, see
    /// [`RuleInfo::tokens`]), the only ones a threat reads.
    fn control_scope(&mut self, subject: Subject, tokens: &[u16], out: &mut Vec<(Owner, Decl)>) {
        let facts = self.facts;
        let narrow = matches!(subject, Subject::Asset(_) | Subject::Model);
        let add = |out: &mut Vec<(Owner, Decl)>, owner: Owner, decls: super::facts::Span| {
            let read = |d: &&Decl| !narrow || (d.status.credited() && tokens.binary_search(&d.token).is_ok());
            out.extend(facts.decls.get(decls).iter().filter(read).map(|d| (owner, d.clone())));
        };
        let comp = |out: &mut Vec<(Owner, Decl)>, c: u32| {
            if let Some(cf) = facts.comps.get(c as usize) {
                add(out, Owner::Comp(c), cf.decls);
            }
            let z = facts.graph.nodes.get(c as usize).and_then(|n| n.zone);
            if let Some((zi, zf)) = z.and_then(|z| facts.zones.get(z).map(|zf| (z, zf))) {
                add(out, Owner::Zone(zi as u32), zf.decls);
            }
        };
        match subject {
            Subject::Comp(c) => comp(out, c),
            Subject::Flow(f) => {
                if let Some(fl) = facts.flows.get(f as usize) {
                    add(out, Owner::Flow(f), fl.decls);
                }
                let (src, tgt) = self.endpoints(f);
                comp(out, tgt);
                // The source's own controls (e.g. masking before sending), not its zone's.
                if let Some(cf) = facts.comps.get(src as usize) {
                    add(out, Owner::Comp(src), cf.decls);
                }
            }
            Subject::Asset(a) => {
                for &c in self.handlers(a) {
                    comp(out, c);
                }
                out.sort_by(|x, y| self.owner_id(x.0).cmp(self.owner_id(y.0)));
            }
            Subject::Zone(z) => {
                if let Some(zf) = facts.zones.get(z as usize) {
                    add(out, Owner::Zone(z), zf.decls);
                }
            }
            Subject::Model => {
                for (c, cf) in facts.comps.iter().enumerate() {
                    add(out, Owner::Comp(c as u32), cf.decls);
                }
                for (z, zf) in facts.zones.iter().enumerate() {
                    add(out, Owner::Zone(z as u32), zf.decls);
                }
                out.sort_by(|x, y| self.owner_id(x.0).cmp(self.owner_id(y.0)));
            }
        }
    }

    /// The rule's SP 800-53 controls that a credited control in reach implements.
    fn implemented(&self, info: &RuleInfo, scope: &[(Owner, Decl)]) -> Vec<ImplementedControl> {
        let by_tokens = |tokens: &[u16]| {
            let mut by: Vec<u16> = scope
                .iter()
                .filter(|(_, d)| d.status.credited() && tokens.contains(&d.token))
                .map(|(_, d)| d.token)
                .collect();
            by.sort_unstable_by(|a, b| self.token_name(*a).cmp(self.token_name(*b)));
            by.dedup();
            by
        };
        let found: Vec<(&Arc<str>, Vec<u16>)> = info
            .nist
            .iter()
            .map(|(label, tokens)| (label, by_tokens(tokens)))
            .filter(|(_, by)| !by.is_empty())
            .collect();
        // Sized exactly: the lists live as long as the report.
        let mut out = Vec::with_capacity(found.len());
        out.extend(found.into_iter().map(|(label, by)| ImplementedControl {
            id: label.clone(),
            implemented_by: by.iter().map(|&t| self.token(t)).collect(),
        }));
        out
    }

    /// The threat's description: its rule's template, filled from the threat's `elements`, data
    /// assets and missing mitigations (shared; the text is written when the report is). A threat
    /// on a component whose template names `{zone}` gets the zone added to a list of its own.
    fn describe(
        &mut self,
        info: &RuleInfo,
        subject: Subject,
        elements: &Arc<[ElementRef]>,
        data: &Arc<[Arc<str>]>,
        missing: &Arc<[Arc<str>]>,
    ) -> Description {
        let template = &info.template;
        let facts = self.facts;
        let mut flow_by_id = false;
        let mut own = None;
        match subject {
            Subject::Comp(c) if template.uses(Slot::Zone) => {
                let z = facts.graph.nodes.get(c as usize).and_then(|n| n.zone);
                let name = self.zone_name_arc(z);
                let zone = ElementRef { id: name.clone(), kind: ElementRefKind::Zone, name };
                let list: Arc<[ElementRef]> = elements.iter().cloned().chain([zone]).collect();
                own = Some(list);
            }
            // The flow's declared name, or its id (its element shows `source → target`).
            Subject::Flow(f) => flow_by_id = facts.model.flows.get(f as usize).is_some_and(|fl| fl.name.is_none()),
            _ => {}
        }
        Description::filled(template.clone(), own.as_ref().unwrap_or(elements), flow_by_id, data, missing)
    }

    /// Frees what only building threats needs (the architecture summary and the register need
    /// the interned ids and the collected assumptions).
    fn drop_lookups(&mut self) {
        self.missing_lists = FxHashMap::default();
        self.asset_lists = FxHashMap::default();
        self.reach = FxHashMap::default();
        self.walk = crate::graph::Walk::default();
        self.asset_seen = (Vec::new(), 0);
        self.asset_handlers = None;
        self.zone_members = None;
        self.last_comp = None;
        self.last_flow = None;
    }

    /// The automatic assumptions and the controls credited without evidence found while
    /// building the threats.
    fn take_auto(&mut self) -> AutoFound {
        AutoFound { pairs: std::mem::take(&mut self.auto), no_evidence: std::mem::take(&mut self.no_evidence) }
    }
}

/// The assumptions register from the model's assumptions and the automatic ones `found`; also
/// links each threat to the assumptions it depends on. `position[i]` is the report position of
/// the threat built `i`-th; `id_numbers[p]` orders the threat at position `p` by id.
fn register(
    element_ids: &ElementIds,
    found: AutoFound,
    token_names: &[String],
    threats: &mut [Threat],
    position: &[u32],
    id_numbers: &[u64],
) -> Vec<AssumptionEntry> {
    let model = element_ids.model;
    let AutoFound { mut pairs, mut no_evidence } = found;
    no_evidence.sort_unstable();
    // Grouped by key (the order of the groups does not matter: the register is sorted by id).
    pairs.sort_unstable_by_key(|p| p.0.packed());
    // (threat position, index of the assumption in the register), declared assumptions first.
    let mut links: Vec<(u32, u32)> = Vec::with_capacity(pairs.len());
    // Links the threats at `positions` (any order, may repeat) to assumption `number`; their ids
    // in id order.
    let mut link = |positions: &mut Vec<u32>, number: usize| -> Vec<ThreatId> {
        positions.sort_unstable();
        positions.dedup();
        links.extend(positions.iter().map(|&p| (p, number as u32)));
        positions.sort_unstable_by_key(|&p| id_numbers.get(p as usize).copied().unwrap_or(0));
        // Written from the id numbers, not read from the threats (at random places in memory).
        let mut ids = Vec::with_capacity(positions.len());
        ids.extend(positions.iter().filter_map(|&p| id_numbers.get(p as usize)).map(|&n| threat_id_of(n)));
        ids
    };
    let auto_count = pairs.chunk_by(|a, b| a.0 == b.0).count() + no_evidence.chunk_by(|a, b| a.0 == b.0).count();
    let mut register: Vec<AssumptionEntry> = Vec::with_capacity(model.assumptions.len() + auto_count);
    // The fingerprint of each entry's id (`AUTO-` and its hex digits); `None` for a declared one.
    let mut fingerprints: Vec<Option<u64>> = vec![None; model.assumptions.len()];
    fingerprints.reserve(auto_count);
    if !model.assumptions.is_empty() {
        let mut by_element: FxHashMap<&str, Vec<u32>> = FxHashMap::default();
        for (pos, t) in threats.iter().enumerate() {
            for e in t.elements.iter() {
                by_element.entry(&*e.id).or_default().push(pos as u32);
            }
        }
        for a in &model.assumptions {
            let mut linked = a.elements.iter().filter_map(|e| by_element.get(e.as_str())).flatten().copied().collect();
            let ids = link(&mut linked, register.len());
            let mut elements = a.elements.clone();
            elements.sort();
            register.push(AssumptionEntry {
                id: a.id.clone(),
                statement: a.statement.clone(),
                source: AssumptionSource::Declared,
                owner: a.owner.as_deref().map(Arc::from),
                review_by: a.review_by.clone(),
                elements,
                threats: ids,
            });
        }
    }
    let first_auto = register.len();
    // Every automatic assumption names the model's owner: one shared copy.
    let model_owner: Option<Arc<str>> = model.owner.as_deref().map(Arc::from);
    // Adds the automatic assumption whose id derives from the stable key (given in pieces), on
    // which the threats built `built`-th depend (their build indices become report positions in
    // place).
    let mut automatic = |register: &mut Vec<AssumptionEntry>,
                         key: &[&str],
                         mut statement: String,
                         element: &str,
                         built: &mut Vec<u32>| {
        built.retain_mut(|i| match position.get(*i as usize) {
            Some(&p) => {
                *i = p;
                true
            }
            None => false,
        });
        let threats = link(built, register.len());
        let first = fingerprint(&[key]);
        fingerprints.push(Some(u64::from_be_bytes(first)));
        let id = HexId::new(b"AUTO-", first).as_str().to_owned();
        // Kept at their length: the register of a large model holds tens of thousands.
        statement.shrink_to_fit();
        register.push(AssumptionEntry {
            id,
            statement,
            source: AssumptionSource::Automatic,
            owner: model_owner.clone(),
            review_by: None,
            elements: vec![element.to_owned()],
            threats,
        });
    };
    let mut built = Vec::new();
    for group in pairs.chunk_by(|a, b| a.0 == b.0) {
        if let Some(&(key, _)) = group.first() {
            let (prefix, statement, element) = assumption(element_ids, key);
            built.clear();
            built.extend(group.iter().map(|p| p.1));
            automatic(&mut register, &[prefix, ":", element], statement, element, &mut built);
        }
    }
    drop(pairs);
    let mut tokens: Vec<u16> = Vec::new();
    for group in no_evidence.chunk_by(|a, b| a.0 == b.0) {
        let Some(&(on, _, _)) = group.first() else { continue };
        let on = on.id(element_ids);
        // The group is sorted by token: each token once, in order.
        tokens.clear();
        tokens.extend(group.iter().map(|e| e.1));
        tokens.dedup();
        built.clear();
        built.extend(group.iter().map(|e| e.2));
        let list: Vec<String> =
            tokens.iter().filter_map(|t| token_names.get(usize::from(*t))).map(|t| format!("`{t}`")).collect();
        let (noun, verb) = if list.len() == 1 { ("control", "is") } else { ("controls", "are") };
        let statement =
            format!("`{on}`: {noun} {} {verb} declared without evidence; credited as implemented", list.join(", "));
        automatic(&mut register, &["evidence:", on], statement, on, &mut built);
    }
    // Each threat lists its assumptions by id: rank the assumptions by id once (equal ids
    // share a rank) and sort the links as numbers. Two automatic ids order as their
    // fingerprints (the same prefix, then the same number of hex digits), read from one list
    // instead of from the entries' texts.
    let id_of = |i: usize| register.get(i).map_or("", |a| a.id.as_str());
    let fingerprint_of = |i: usize| fingerprints.get(i).copied().flatten();
    let id_order = |a: usize, b: usize| match (fingerprint_of(a), fingerprint_of(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => id_of(a).cmp(id_of(b)),
    };
    let mut by_rank: Vec<u32> = (0..register.len() as u32).collect();
    by_rank.sort_unstable_by(|&a, &b| id_order(a as usize, b as usize).then(a.cmp(&b)));
    let mut rank = vec![0u32; register.len()];
    let mut shared: Vec<Arc<str>> = Vec::with_capacity(register.len());
    let mut previous: Option<usize> = None;
    for &i in &by_rank {
        let i = i as usize;
        if previous.is_none_or(|p| id_order(p, i).is_ne()) {
            shared.push(match fingerprint_of(i) {
                Some(f) => Arc::from(HexId::new(b"AUTO-", f.to_be_bytes()).as_str()),
                None => Arc::from(id_of(i)),
            });
        }
        previous = Some(i);
        if let Some(r) = rank.get_mut(i) {
            *r = shared.len() as u32 - 1;
        }
    }
    for (_, n) in &mut links {
        *n = rank.get(*n as usize).copied().unwrap_or(0);
    }
    links.sort_unstable();
    links.dedup();
    for group in links.chunk_by(|a, b| a.0 == b.0) {
        if let Some(t) = group.first().and_then(|&(pos, _)| threats.get_mut(pos as usize)) {
            let mut ids = Vec::with_capacity(group.len());
            ids.extend(group.iter().filter_map(|&(_, r)| shared.get(r as usize)).cloned());
            t.assumptions = ids.into_boxed_slice();
        }
    }
    // Declared assumptions by id, then automatic ones by id.
    let order: Vec<u32> = [false, true]
        .into_iter()
        .flat_map(|auto| by_rank.iter().copied().filter(move |&i| ((i as usize) >= first_auto) == auto))
        .collect();
    permute(&mut register, &order);
    register
}

fn summary(threats: &[Threat], rules: &RuleSet) -> Summary {
    let mut severity = [0usize; 5];
    let mut inherent = [0usize; 5];
    let mut status = [0usize; 3];
    let mut by_category: BTreeMap<String, usize> = Stride::ALL.iter().map(|s| (s.as_str().to_owned(), 0)).collect();
    type Lists<'t> = (&'t Arc<Vec<String>>, &'t Arc<Vec<String>>, usize);
    let mut per_list: FxHashMap<(*const Vec<String>, *const Vec<String>), Lists<'_>> = FxHashMap::default();
    for t in threats {
        if let Some(n) = severity.get_mut(t.severity as usize) {
            *n += 1;
        }
        if let Some(n) = inherent.get_mut(t.inherent_severity as usize) {
            *n += 1;
        }
        if let Some(n) = status.get_mut(t.status as usize) {
            *n += 1;
        }
        // Threats of one rule share their category lists: count per list, expand once below.
        per_list.entry((Arc::as_ptr(&t.stride), Arc::as_ptr(&t.linddun))).or_insert((&t.stride, &t.linddun, 0)).2 += 1;
    }
    for (stride, linddun, n) in per_list.into_values() {
        for s in stride.iter().chain(linddun.iter()) {
            *by_category.entry(s.clone()).or_default() += n;
        }
    }
    let levels = |counts: &[usize; 5]| -> BTreeMap<String, usize> {
        Severity::ALL.iter().map(|s| (s.as_str().to_owned(), counts.get(*s as usize).copied().unwrap_or(0))).collect()
    };
    Summary {
        threats: threats.len(),
        by_severity: levels(&severity),
        by_inherent_severity: levels(&inherent),
        by_category,
        by_status: ThreatStatus::ALL.iter().zip(status).map(|(s, n)| (s.as_str().to_owned(), n)).collect(),
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
        // The id orders are the inverses of the ranks the facts hold (ids are unique once valid).
        model_hash: crate::model_hash_in(
            facts.model,
            &crate::ModelOrder {
                components: crate::model::ranks(&facts.comp_rank),
                data_assets: crate::model::ranks(&facts.asset_rank),
                flows: crate::model::ranks(&facts.graph.flow_rank),
            },
        ),
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

/// The architecture summary; its element ids are the ones the threats share (`b`'s).
fn model_summary(b: &mut Builder) -> ModelSummary {
    let facts = b.facts;
    let m = facts.model;
    let g = &facts.graph;
    // Component ids in id order.
    let mut by_comp_id = |mut cs: Vec<u32>| -> Vec<Arc<str>> {
        cs.sort_unstable_by_key(|&c| facts.comp_rank.get(c as usize).copied().unwrap_or(u32::MAX));
        cs.iter().filter(|&&c| (c as usize) < m.components.len()).map(|&c| b.comp_id_arc(c)).collect()
    };
    let members = g.zone_members(m.zones.len());
    let mut zones: Vec<ZoneSummary> = m
        .zones
        .iter()
        .enumerate()
        .map(|(zi, z)| {
            let comps = by_comp_id(members.get(zi).cloned().unwrap_or_default());
            ZoneSummary {
                id: z.id.clone(),
                name: z.name.clone().unwrap_or_else(|| z.id.clone()),
                kind: z.kind.as_str().to_owned(),
                trust: g.zone_trust.get(zi).copied().unwrap_or(0),
                parent: z.parent.clone(),
                components: comps,
            }
        })
        .collect();
    let unzoned =
        by_comp_id(g.nodes.iter().enumerate().filter(|(_, n)| n.zone.is_none()).map(|(i, _)| i as u32).collect());
    if !unzoned.is_empty() {
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
    let exposed = by_comp_id(g.nodes.iter().enumerate().filter(|(_, n)| n.reachable).map(|(i, _)| i as u32).collect());
    let mut crossing_flows: Vec<(u32, usize)> = g
        .edges
        .iter()
        .enumerate()
        .filter(|(_, e)| e.crossing != crate::graph::Crossing::None)
        .map(|(fi, _)| (g.flow_rank.get(fi).copied().unwrap_or(u32::MAX), fi))
        .collect();
    crossing_flows.sort_unstable();
    // Sized exactly: a filtered iterator would grow the list by doubling (a third too large).
    let mut crossings: Vec<CrossingSummary> = Vec::with_capacity(crossing_flows.len());
    crossings.extend(crossing_flows.into_iter().filter_map(|(_, fi)| g.edges.get(fi).map(|e| (fi, e))).map(
        |(fi, e)| {
            let f = facts.flows.get(fi);
            CrossingSummary {
                flow: b.owner_arc(Owner::Flow(fi as u32)),
                source: b.comp_id_arc(e.source),
                target: b.comp_id_arc(e.target),
                direction: e.crossing,
                encrypted: f.is_some_and(|f| f.encrypted),
                authentication: f.map_or(crate::model::Authentication::None, |f| f.auth),
            }
        },
    ));
    let mut asset_order: Vec<(u32, usize)> =
        (0..m.data_assets.len()).map(|i| (facts.asset_rank.get(i).copied().unwrap_or(u32::MAX), i)).collect();
    asset_order.sort_unstable();
    let data_assets: Vec<DataAssetSummary> = asset_order
        .into_iter()
        .filter_map(|(_, i)| Some((m.data_assets.get(i)?, facts.assets.get(i)?)))
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

#[cfg(test)]
mod tests {
    /// The register and the report order read each threat's id number from its id.
    #[test]
    fn id_numbers_are_the_fingerprints_and_order_as_the_ids() {
        let ids: Vec<_> = ["a", "b", "c", "d", "e"].iter().map(|s| super::threat_id("TM-001", s)).collect();
        for x in &ids {
            for y in &ids {
                assert_eq!(x.cmp(y), super::id_number(x).cmp(&super::id_number(y)));
            }
        }
        assert_eq!(super::id_number(&ids[0]), u64::from_be_bytes(super::fingerprint(&[&["TM-001"], &["a"]])));
        assert_ne!(super::id_number(&ids[0]), super::id_number(&ids[1]));
        // The register writes the threats' ids back from their numbers.
        for id in &ids {
            assert_eq!(&super::threat_id_of(super::id_number(id)), id);
        }
    }

    /// Ids are `TG-`/`AUTO-` and 16 lower-case hex digits, most significant first, so that two
    /// automatic assumption ids order as their fingerprints (the register ranks them so).
    #[test]
    fn hex_ids_spell_the_fingerprint_and_order_as_it() {
        assert_eq!(super::HexId::new(b"TG-", 0x0123_4567_89ab_cdef_u64.to_be_bytes()).as_str(), "TG-0123456789abcdef");
        assert_eq!(super::HexId::new(b"AUTO-", [0xff; 8]).as_str(), "AUTO-ffffffffffffffff");
        assert_eq!(super::HexId::new(b"", [0; 8]).as_str(), "0000000000000000");
        let numbers = [0u64, 1, 0xf, 0x10, 0xabc, u64::MAX >> 1, u64::MAX - 1, u64::MAX, 0x8000_0000_0000_0000];
        for x in numbers {
            for y in numbers {
                let (a, b) =
                    (super::HexId::new(b"AUTO-", x.to_be_bytes()), super::HexId::new(b"AUTO-", y.to_be_bytes()));
                assert_eq!(a.as_str().cmp(b.as_str()), x.cmp(&y), "{x:#x} {y:#x}");
            }
        }
    }

    /// A part given in pieces (an automatic assumption's key) has the fingerprint of the joined
    /// part, and differs from the pieces as parts.
    #[test]
    fn a_part_in_pieces_has_the_fingerprint_of_the_joined_part() {
        let f = super::fingerprint;
        assert_eq!(f(&[&["encrypted", ":", "f3"]]), f(&[&["encrypted:f3"]]));
        assert_eq!(f(&[&["evidence:", "api"]]), f(&[&["evidence:api"]]));
        assert_ne!(f(&[&["a", "b"]]), f(&[&["a"], &["b"]]));
    }

    #[test]
    fn permute_puts_each_item_where_the_permutation_says() {
        let from: Vec<u32> = vec![3, 0, 4, 1, 2, 6, 5, 7];
        let mut items: Vec<char> = "abcdefgh".chars().collect();
        super::permute(&mut items, &from);
        let want: Vec<char> = from.iter().map(|&i| "abcdefgh".chars().nth(i as usize).unwrap_or('?')).collect();
        assert_eq!(items, want);
    }
}
