//! Condition evaluation. Cost is bounded by the condition size times the degree of the element
//! (adjacency quantifiers are never nested; `exists` results are computed once per analysis).

use super::facts::Facts;
use crate::graph::UNREACHABLE;
use crate::rules::ast::*;
use std::cmp::Ordering;

/// What is under evaluation.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ctx {
    pub comp: Option<u32>,
    pub zone: Option<u32>,
    pub flow: Option<u32>,
    pub asset: Option<u32>,
}

/// An unset attribute read with its worst-case value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Unset {
    FlowEncrypted(u32),
    FlowAuthentication(u32),
    FlowAuthorization(u32),
    FlowMfa(u32),
    AssetClassification(u32),
}

/// A runtime value.
#[derive(Debug, Clone, Copy)]
enum Val<'a> {
    Null,
    Bool(bool),
    Num(i64),
    Str(&'a str),
    Sym(u8),
    Bits(u64),
    Tokens(&'a [u16]),
    Strs(&'a [String]),
}

pub struct Evaluator<'f, 'm> {
    pub facts: &'f Facts<'m>,
    /// `exists` results of the rule being evaluated.
    pub exists: &'f [bool],
    pub reads: Vec<Unset>,
}

impl<'f, 'm> Evaluator<'f, 'm> {
    pub fn eval(&mut self, c: &Cond, ctx: Ctx) -> bool {
        match c {
            Cond::All(cs) => cs.iter().all(|c| self.eval(c, ctx)),
            Cond::Any(cs) => cs.iter().any(|c| self.eval(c, ctx)),
            Cond::Not(c) => !self.eval(c, ctx),
            Cond::Cmp(f, Op::Unset(want)) => self.is_unset(f, ctx) == *want,
            Cond::Cmp(f, op) => {
                let v = self.value(f, ctx);
                apply(op, v)
            }
            Cond::Data(p) => self.data(p, ctx),
            Cond::Adjacent(a) => self.adjacent(a, ctx),
            Cond::Exists(i) => self.exists.get(*i).copied().unwrap_or(false),
        }
    }

    /// `unset: true`: no value, or a security attribute the model leaves unstated (read as its
    /// worst case elsewhere).
    fn is_unset(&mut self, f: &Field, ctx: Ctx) -> bool {
        if let (Holder::Flow, Some(fl)) = (f.holder, ctx.flow.and_then(|fi| self.facts.flows.get(fi as usize))) {
            match f.attr {
                Attr::Encrypted => return fl.encrypted_assumed,
                Attr::Authentication => return fl.auth_assumed,
                Attr::Authorization => return fl.authz_assumed,
                Attr::Mfa => return fl.mfa_assumed,
                _ => {}
            }
        }
        if let (Holder::Asset, Attr::Classification, Some(ai)) = (f.holder, f.attr, ctx.asset) {
            return self.facts.assets.get(ai as usize).is_some_and(|a| a.class_assumed);
        }
        matches!(self.value(f, ctx), Val::Null)
    }

    fn comp_of(&self, r: CompRef, ctx: Ctx) -> Option<u32> {
        match r {
            CompRef::This => ctx.comp,
            CompRef::Source => ctx.flow.and_then(|f| self.facts.graph.edges.get(f as usize)).map(|e| e.source),
            CompRef::Target => ctx.flow.and_then(|f| self.facts.graph.edges.get(f as usize)).map(|e| e.target),
        }
    }

    fn zone_of(&self, comp: Option<u32>) -> Option<u32> {
        comp.and_then(|c| self.facts.graph.nodes.get(c as usize)).and_then(|n| n.zone).map(|z| z as u32)
    }

    fn value(&mut self, f: &Field, ctx: Ctx) -> Val<'f> {
        let facts = self.facts;
        match f.holder {
            Holder::Comp(r) => match self.comp_of(r, ctx) {
                Some(c) => self.comp_value(c, f.attr),
                None => Val::Null,
            },
            Holder::ZoneOf(r) => {
                let c = self.comp_of(r, ctx);
                self.zone_value(self.zone_of(c), f.attr)
            }
            Holder::Zone => self.zone_value(ctx.zone, f.attr),
            Holder::Flow => {
                let Some(fi) = ctx.flow else { return Val::Null };
                // The edge facts are a separate table: read them only for the attributes there.
                if let Attr::Crossing | Attr::CrossesBoundary | Attr::TrustDelta | Attr::Id = f.attr {
                    let Some(e) = facts.graph.edges.get(fi as usize) else { return Val::Null };
                    return match f.attr {
                        Attr::Id => facts.ids.flows.get(fi as usize).map_or(Val::Null, |s| Val::Str(s.as_ref())),
                        Attr::Crossing => Val::Sym(e.crossing as u8),
                        Attr::CrossesBoundary => Val::Bool(e.crossing != crate::graph::Crossing::None),
                        _ => Val::Num(i64::from(e.trust_delta)),
                    };
                }
                let Some(fl) = facts.flows.get(fi as usize) else { return Val::Null };
                match f.attr {
                    Attr::Protocol => facts.words.get(fl.protocol).map_or(Val::Null, Val::Str),
                    Attr::Format => facts.words.get(fl.format).map_or(Val::Null, Val::Str),
                    Attr::Encrypted => {
                        if fl.encrypted_assumed {
                            self.reads.push(Unset::FlowEncrypted(fi));
                        }
                        Val::Bool(fl.encrypted)
                    }
                    Attr::Mfa => {
                        if fl.mfa_assumed {
                            self.reads.push(Unset::FlowMfa(fi));
                        }
                        Val::Bool(fl.mfa)
                    }
                    Attr::Authentication => {
                        if fl.auth_assumed {
                            self.reads.push(Unset::FlowAuthentication(fi));
                        }
                        Val::Sym(fl.auth as u8)
                    }
                    Attr::Authorization => {
                        if fl.authz_assumed {
                            self.reads.push(Unset::FlowAuthorization(fi));
                        }
                        Val::Sym(fl.authz)
                    }
                    Attr::Flags => Val::Bits(fl.flags),
                    Attr::Controls => Val::Tokens(facts.tokens.get(fl.controls)),
                    _ => Val::Null,
                }
            }
            Holder::Asset => {
                let Some(ai) = ctx.asset else { return Val::Null };
                let (Some(a), Some(d)) = (facts.assets.get(ai as usize), facts.model.data_assets.get(ai as usize))
                else {
                    return Val::Null;
                };
                match f.attr {
                    Attr::Id => Val::Str(&d.id),
                    Attr::Classification => {
                        if a.class_assumed {
                            self.reads.push(Unset::AssetClassification(ai));
                        }
                        Val::Sym(a.class)
                    }
                    Attr::Tags => Val::Bits(a.tags),
                    Attr::Confidentiality => Val::Num(i64::from(a.c)),
                    Attr::Integrity => Val::Num(i64::from(a.i)),
                    Attr::Availability => Val::Num(i64::from(a.a)),
                    Attr::Quantity => a.quantity.map_or(Val::Null, Val::Sym),
                    Attr::LawfulBasis => d.lawful_basis.as_deref().map_or(Val::Null, Val::Str),
                    Attr::Retention => d.retention.as_deref().map_or(Val::Null, Val::Str),
                    Attr::Purposes if d.purposes.is_empty() => Val::Null,
                    Attr::Purposes => Val::Strs(&d.purposes),
                    Attr::Handlers => Val::Num(i64::from(a.handlers)),
                    Attr::Carriers => Val::Num(i64::from(a.carriers)),
                    _ => Val::Null,
                }
            }
        }
    }

    /// Reads only the fact table the attribute lives in (the analysis is memory-bound).
    fn comp_value(&self, c: u32, attr: Attr) -> Val<'f> {
        let facts = self.facts;
        let cf = || facts.comps.get(c as usize);
        let node = || facts.graph.nodes.get(c as usize);
        let model = || facts.model.components.get(c as usize);
        let v = match attr {
            Attr::Id => model().map(|m| Val::Str(&m.id)),
            Attr::Type => facts.classes.get(c as usize).map(|x| Val::Sym(x.type_ix)),
            Attr::Kind => facts.classes.get(c as usize).map(|x| Val::Sym(x.kind_ix)),
            Attr::Technology => cf().and_then(|x| facts.words.get(x.technology)).map(Val::Str),
            Attr::Location => cf().and_then(|x| facts.words.get(x.location)).map(Val::Str),
            Attr::Flags => cf().map(|x| Val::Bits(x.flags)),
            Attr::Controls => cf().map(|x| Val::Tokens(facts.tokens.get(x.controls))),
            Attr::Replicas => model().map(|m| Val::Num(i64::from(m.replicas.unwrap_or(1)))),
            Attr::InternetFacing => node().map(|n| Val::Bool(n.internet_facing)),
            Attr::Reachable => node().map(|n| Val::Bool(n.reachable)),
            Attr::AnonReachable => node().map(|n| Val::Bool(n.anon_reachable)),
            Attr::InternetHops => node().map(|n| Val::Num(i64::from(n.hops.min(UNREACHABLE)))),
            Attr::Exposure => node().map(|n| Val::Num(i64::from(n.exposure))),
            Attr::InDegree => node().map(|_| Val::Num(facts.graph.in_flows(c as usize).len() as i64)),
            Attr::OutDegree => node().map(|_| Val::Num(facts.graph.out_flows(c as usize).len() as i64)),
            _ => None,
        };
        v.unwrap_or(Val::Null)
    }

    fn zone_value(&self, z: Option<u32>, attr: Attr) -> Val<'f> {
        let facts = self.facts;
        let Some(z) = z else {
            // No zone: assumed on the internet, trust 0.
            return match attr {
                Attr::ZoneKind => Val::Sym(0),
                Attr::Trust => Val::Num(0),
                Attr::Controls => Val::Tokens(&[]),
                _ => Val::Null,
            };
        };
        let (Some(zf), Some(m)) = (facts.zones.get(z as usize), facts.model.zones.get(z as usize)) else {
            return Val::Null;
        };
        match attr {
            Attr::Id => Val::Str(&m.id),
            Attr::ZoneKind => Val::Sym(zf.kind),
            Attr::Trust => Val::Num(i64::from(zf.trust)),
            Attr::Environment => zf.env.map_or(Val::Null, Val::Sym),
            Attr::Location => facts.words.get(zf.location).map_or(Val::Null, Val::Str),
            Attr::Controls => Val::Tokens(facts.tokens.get(zf.controls)),
            Attr::Parent => m.parent.as_deref().map_or(Val::Null, Val::Str),
            _ => Val::Null,
        }
    }

    /// Assets in scope of a data predicate.
    pub fn scope_assets(&self, of: Option<CompRef>, scope: DataScope, ctx: Ctx) -> &'f [u32] {
        let facts = self.facts;
        match of {
            None => ctx.flow.and_then(|f| facts.flows.get(f as usize)).map_or(&[], |f| facts.asset_lists.get(f.data)),
            Some(r) => match self.comp_of(r, ctx).and_then(|c| facts.comps.get(c as usize)) {
                Some(cf) => match scope {
                    DataScope::Stored => facts.asset_lists.get(cf.stores),
                    DataScope::Processed => facts.asset_lists.get(cf.processes),
                    _ => facts.asset_lists.get(cf.handled),
                },
                None => &[],
            },
        }
    }

    fn data(&mut self, p: &DataPred, ctx: Ctx) -> bool {
        let assets = self.scope_assets(p.of, p.scope, ctx);
        let mut n = 0u32;
        for &ai in assets {
            let Some(a) = self.facts.assets.get(ai as usize) else { continue };
            let mut ok = true;
            if let Some(c) = p.classification_gte {
                if a.class_assumed {
                    self.reads.push(Unset::AssetClassification(ai));
                }
                ok &= a.class >= c;
            }
            if p.tags_any != 0 {
                ok &= a.tags & p.tags_any != 0;
            }
            ok &= a.tags & p.tags_all == p.tags_all;
            ok &= p.confidentiality_gte.is_none_or(|l| a.c >= l);
            ok &= p.integrity_gte.is_none_or(|l| a.i >= l);
            ok &= p.availability_gte.is_none_or(|l| a.a >= l);
            ok &= p.quantity_gte.is_none_or(|q| a.quantity.is_some_and(|aq| aq >= q));
            if ok {
                n += 1;
                if n >= p.min {
                    return true;
                }
            }
        }
        false
    }

    fn adjacent(&mut self, a: &Adjacent, ctx: Ctx) -> bool {
        let Some(c) = self.comp_of(a.of, ctx) else { return false };
        let graph = &self.facts.graph;
        if graph.nodes.get(c as usize).is_none() {
            return false;
        }
        let flows = if a.dir == Dir::In { graph.in_flows(c as usize) } else { graph.out_flows(c as usize) };
        let mut count = 0u32;
        let mut zones: Vec<Option<usize>> = Vec::new();
        for &f in flows {
            let inner = Ctx { flow: Some(f), ..ctx };
            if !self.eval(&a.cond, inner) {
                continue;
            }
            if a.distinct_zone {
                let peer =
                    self.facts.graph.edges.get(f as usize).map(|e| if a.dir == Dir::In { e.source } else { e.target });
                let z = peer.and_then(|p| self.facts.graph.nodes.get(p as usize)).and_then(|n| n.zone);
                if zones.contains(&z) {
                    continue;
                }
                zones.push(z);
            }
            count += 1;
            if a.max.is_none() && count >= a.min {
                return true;
            }
        }
        count >= a.min && a.max.is_none_or(|m| count <= m)
    }
}

fn apply(op: &Op, v: Val<'_>) -> bool {
    match (op, v) {
        (Op::Unset(want), v) => matches!(v, Val::Null) == *want,
        (_, Val::Null) => false,
        (Op::Eq(c), v) => eq(c, v),
        (Op::Ne(c), v) => !eq(c, v),
        (Op::InStr(set, neg), Val::Str(s)) => set.iter().any(|x| x == s) != *neg,
        (Op::InSym(bits, neg), Val::Sym(i)) => (bits >> i & 1 == 1) != *neg,
        (Op::Cmp(ord, incl, n), v) => {
            let x = match v {
                Val::Num(x) => x,
                Val::Sym(i) => i64::from(i),
                _ => return false,
            };
            let o = x.cmp(n);
            o == *ord || (*incl && o == Ordering::Equal)
        }
        (Op::BitsAny(m), Val::Bits(b)) => b & m != 0,
        (Op::BitsAll(m), Val::Bits(b)) => b & m == *m,
        (Op::BitsNone(m), Val::Bits(b)) => b & m == 0,
        (Op::TokAny(ts), Val::Tokens(have)) => ts.iter().any(|t| have.binary_search(t).is_ok()),
        (Op::TokAll(ts), Val::Tokens(have)) => ts.iter().all(|t| have.binary_search(t).is_ok()),
        (Op::TokNone(ts), Val::Tokens(have)) => !ts.iter().any(|t| have.binary_search(t).is_ok()),
        (Op::StrsAny(ss), Val::Strs(have)) => ss.iter().any(|s| have.iter().any(|h| h.eq_ignore_ascii_case(s))),
        (Op::StrsAll(ss), Val::Strs(have)) => ss.iter().all(|s| have.iter().any(|h| h.eq_ignore_ascii_case(s))),
        (Op::StrsNone(ss), Val::Strs(have)) => !ss.iter().any(|s| have.iter().any(|h| h.eq_ignore_ascii_case(s))),
        _ => false,
    }
}

fn eq(c: &Const, v: Val<'_>) -> bool {
    match (c, v) {
        (Const::Bool(a), Val::Bool(b)) => *a == b,
        (Const::Num(a), Val::Num(b)) => *a == b,
        (Const::Str(a), Val::Str(b)) => a.eq_ignore_ascii_case(b),
        (Const::Sym(a), Val::Sym(b)) => *a == b,
        _ => false,
    }
}
