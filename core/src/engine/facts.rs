//! Per-analysis facts: the model resolved to indices, effective (worst-case) values of unset
//! attributes, control token ids and the graph facts. Built once, read by every rule.

use crate::graph::Graph;
use crate::model::{Authentication, Authorization, Classification, ControlDecl, ControlStatus, DataTag, Model};
use crate::model::{Resolved, order_by_key, ranks};
use crate::rules::RuleSet;
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::num::NonZeroU32;

/// A declared control, resolved.
#[derive(Debug, Clone)]
pub struct Decl {
    pub token: u16,
    pub status: ControlStatus,
    pub evidence: usize,
}

/// A list inside one of the [`Facts`]' pools: `len` items from `start`. Every component and flow
/// has several short lists; keeping them in a few shared vectors saves an allocation and a
/// 24-byte header per list (millions of them at 100k components).
#[derive(Debug, Clone, Copy, Default)]
pub struct Span {
    start: u32,
    len: u32,
}

impl Span {
    /// Number of items in the list.
    pub fn count(&self) -> usize {
        self.len as usize
    }
}

/// The items of many [`Span`]s, one after the other.
#[derive(Debug, Clone)]
pub struct Pool<T>(Vec<T>);

impl<T> Pool<T> {
    fn with_capacity(n: usize) -> Pool<T> {
        Pool(Vec::with_capacity(n))
    }

    /// Appends `items` as one list.
    fn add(&mut self, items: impl IntoIterator<Item = T>) -> Span {
        let start = self.0.len();
        self.0.extend(items);
        self.span_from(start)
    }

    /// The list of the items appended since `start`.
    fn span_from(&self, start: usize) -> Span {
        let len = self.0.len().saturating_sub(start);
        Span { start: u32::try_from(start).unwrap_or(u32::MAX), len: u32::try_from(len).unwrap_or(0) }
    }

    pub fn get(&self, s: Span) -> &[T] {
        let start = s.start as usize;
        self.0.get(start..start + s.len as usize).unwrap_or(&[])
    }
}

impl<T: Copy> Pool<T> {
    /// Appends `items` as one list, in the order of `key`, without repeats.
    fn add_sorted<K: Ord>(&mut self, items: impl IntoIterator<Item = T>, key: impl Fn(&T) -> K) -> Span
    where
        T: PartialEq,
    {
        let start = self.0.len();
        self.0.extend(items);
        if let Some(tail) = self.0.get_mut(start..)
            && tail.len() > 1
        {
            tail.sort_unstable_by_key(|x| key(x));
            // Dedup the tail in place.
            let mut kept = 1;
            for i in 1..tail.len() {
                if tail.get(i) != tail.get(kept - 1) {
                    tail.swap(kept, i);
                    kept += 1;
                }
            }
            self.0.truncate(start + kept);
        }
        self.span_from(start)
    }
}

/// A string of [`Words`]: its position plus one (an `Option<Word>` takes four bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word(NonZeroU32);

/// The distinct protocols, formats, technologies and locations of a model, in ASCII lower case,
/// each held once. Rules compare them on every flow and component: read from this small table
/// they stay in cache, where a large model's own strings are scattered over memory.
#[derive(Debug, Default)]
pub struct Words<'m> {
    list: Vec<Cow<'m, str>>,
    index: FxHashMap<Cow<'m, str>, Word>,
}

impl<'m> Words<'m> {
    /// The word for `s` (lower-cased), added on first sight.
    fn add(&mut self, s: Option<&'m str>) -> Option<Word> {
        let s = lower(s?);
        if let Some(&w) = self.index.get(&s) {
            return Some(w);
        }
        let w = Word(u32::try_from(self.list.len() + 1).ok().and_then(NonZeroU32::new)?);
        self.list.push(s.clone());
        self.index.insert(s, w);
        Some(w)
    }

    pub fn get(&self, w: Option<Word>) -> Option<&str> {
        self.list.get(w?.0.get() as usize - 1).map(|s| s.as_ref())
    }
}

/// A component's type and kind, which most rules test first. They have a table of their own (two
/// bytes per component): evaluating a large model's flows in order reads their endpoints from
/// anywhere in the model, and this table stays in cache where the component facts do not.
#[derive(Debug, Clone, Copy)]
pub struct CompClass {
    pub type_ix: u8,
    pub kind_ix: u8,
}

#[derive(Debug, Clone)]
pub struct CompFacts {
    pub flags: u64,
    /// Credited tokens of the component and its zone, sorted ([`Facts::tokens`]).
    pub controls: Span,
    /// [`Facts::decls`].
    pub decls: Span,
    /// Data assets in id order ([`Facts::asset_lists`]).
    pub stores: Span,
    pub processes: Span,
    pub handled: Span,
    /// [`Facts::words`].
    pub technology: Option<Word>,
    pub location: Option<Word>,
    /// Whether the model states the component's controls (an empty list counts).
    pub controls_stated: bool,
}

#[derive(Debug, Clone)]
pub struct FlowFacts {
    pub encrypted: bool,
    pub encrypted_assumed: bool,
    pub auth: Authentication,
    pub auth_assumed: bool,
    pub authz: u8,
    pub authz_assumed: bool,
    pub mfa: bool,
    pub mfa_assumed: bool,
    pub flags: u64,
    /// [`Facts::tokens`].
    pub controls: Span,
    /// [`Facts::decls`].
    pub decls: Span,
    /// [`Facts::words`].
    pub protocol: Option<Word>,
    pub format: Option<Word>,
    /// Data assets carried, in id order ([`Facts::asset_lists`]).
    pub data: Span,
    pub in_process: bool,
}

// A cache line each at most: rules read the facts of a flow's endpoints from anywhere in a large
// model, and the build of a threat reads its component's.
const _: () = assert!(std::mem::size_of::<CompFacts>() <= 64 && std::mem::size_of::<FlowFacts>() <= 64);

#[derive(Debug, Clone)]
pub struct AssetFacts {
    pub class: u8,
    pub class_assumed: bool,
    pub tags: u64,
    pub c: u8,
    pub i: u8,
    pub a: u8,
    pub quantity: Option<u8>,
    pub handlers: u32,
    pub carriers: u32,
}

#[derive(Debug, Clone)]
pub struct ZoneFacts {
    /// [`Facts::words`].
    pub location: Option<Word>,
    pub kind: u8,
    pub trust: u8,
    pub env: Option<u8>,
    /// Credited tokens, sorted ([`Facts::tokens`]).
    pub controls: Span,
    /// [`Facts::decls`].
    pub decls: Span,
}

/// Everything the evaluator reads.
pub struct Facts<'m> {
    pub model: &'m Model,
    pub graph: Graph,
    pub comps: Vec<CompFacts>,
    /// Type and kind of each component.
    pub classes: Vec<CompClass>,
    pub flows: Vec<FlowFacts>,
    pub assets: Vec<AssetFacts>,
    pub zones: Vec<ZoneFacts>,
    /// Protocols, formats, technologies and locations.
    pub words: Words<'m>,
    /// The elements' ids, flows' effective ids included.
    pub ids: ElementIds<'m>,
    /// The lists of zone, component and flow facts.
    pub tokens: Pool<u16>,
    pub decls: Pool<Decl>,
    pub asset_lists: Pool<u32>,
    /// Position of each data asset in id order.
    pub asset_rank: Vec<u32>,
    /// Position of each component in id order.
    pub comp_rank: Vec<u32>,
}

/// Protocols whose transport is encrypted by definition.
const ENCRYPTED_PROTOCOLS: &[&str] =
    &["https", "tls", "ssh", "sftp", "ldaps", "wss", "grpcs", "mqtts", "amqps", "ftps", "imaps", "smtps", "scp", "rdp"];
/// Protocols that are cleartext by definition.
const CLEARTEXT_PROTOCOLS: &[&str] =
    &["http", "ftp", "telnet", "ws", "smtp", "ldap", "mqtt", "amqp", "snmp", "tftp", "nfs"];
/// Flows that never leave a process or host.
const LOCAL_PROTOCOLS: &[&str] = &["in_process", "ipc", "loopback", "unix_socket"];

fn decls(list: &Option<Vec<ControlDecl>>, rules: &RuleSet) -> Vec<Decl> {
    list.iter()
        .flatten()
        .filter_map(|d| {
            rules.token_ids.get(d.token()).map(|&token| Decl {
                token,
                status: d.status(),
                evidence: d.evidence().len(),
            })
        })
        .collect()
}

/// The tokens of the declarations that earn credit (unsorted, may repeat).
fn credited<'a>(d: impl IntoIterator<Item = &'a Decl>) -> impl Iterator<Item = u16> {
    d.into_iter().filter(|d| d.status.credited()).map(|d| d.token)
}

/// `s` in ASCII lower case, copied only when it has upper-case letters.
fn lower(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) { Cow::Owned(s.to_ascii_lowercase()) } else { Cow::Borrowed(s) }
}

fn bits<T: Copy>(items: &[T], bit: impl Fn(T) -> u64) -> u64 {
    items.iter().fold(0, |acc, &x| acc | bit(x))
}

impl<'m> Facts<'m> {
    /// The facts of a valid model whose references validation resolved (`resolved`).
    pub fn build(model: &'m Model, rules: &RuleSet, resolved: &Resolved) -> Facts<'m> {
        let flow_ids: Vec<Cow<'m, str>> = model.flows.iter().map(crate::model::Flow::effective_id_ref).collect();
        let graph = Graph::build_resolved(model, &flow_ids, &resolved.comp_zone, &resolved.flow_ends);
        let asset_rank =
            ranks(&order_by_key(model.data_assets.len(), |i| model.data_assets.get(i).map_or("", |d| d.id.as_str())));
        let comp_rank =
            ranks(&order_by_key(model.components.len(), |i| model.components.get(i).map_or("", |c| c.id.as_str())));
        // Asset lists in id order, so evaluation never depends on the model file's order.
        let rank = |a: &u32| asset_rank.get(*a as usize).copied().unwrap_or(u32::MAX);
        let list_len = |c: &Option<Vec<ControlDecl>>| c.as_ref().map_or(0, Vec::len);
        let comp_lists: usize = model.components.iter().map(|c| 2 * (c.stores.len() + c.processes.len())).sum();
        let flow_lists: usize = model.flows.iter().map(|f| f.data.len()).sum();
        let mut asset_lists = Pool::with_capacity(comp_lists + flow_lists);
        let decl_count: usize = model.zones.iter().map(|z| list_len(&z.controls)).sum::<usize>()
            + model.components.iter().map(|c| list_len(&c.controls)).sum::<usize>()
            + model.flows.iter().map(|f| list_len(&f.controls)).sum::<usize>();
        let mut decl_pool = Pool::with_capacity(decl_count);
        let mut tokens = Pool::with_capacity(decl_count);

        let mut words = Words::default();
        let zones: Vec<ZoneFacts> = model
            .zones
            .iter()
            .zip(graph.zone_trust.iter())
            .map(|(z, &trust)| {
                let decls = decl_pool.add(decls(&z.controls, rules));
                ZoneFacts {
                    location: words.add(z.location.as_deref()),
                    kind: z.kind as u8,
                    trust,
                    env: z.environment.map(|e| e as u8),
                    controls: tokens.add_sorted(credited(decl_pool.get(decls)), |t| *t),
                    decls,
                }
            })
            .collect();

        let mut assets: Vec<AssetFacts> = model
            .data_assets
            .iter()
            .map(|d| {
                let class = d.classification.unwrap_or(Classification::Restricted);
                let regulated = d.tags.iter().any(|t| t.is_regulated());
                let base = class.default_level();
                let c_default = if regulated { 5 } else { base };
                AssetFacts {
                    class: class as u8,
                    class_assumed: d.classification.is_none(),
                    tags: bits(&d.tags, DataTag::bit),
                    c: d.confidentiality.unwrap_or(c_default).clamp(1, 5),
                    i: d.integrity.unwrap_or(base).clamp(1, 5),
                    a: d.availability.unwrap_or(base).clamp(1, 5),
                    quantity: d.quantity.map(|q| q as u8),
                    handlers: 0,
                    carriers: 0,
                }
            })
            .collect();

        let mut comps: Vec<CompFacts> = Vec::with_capacity(model.components.len());
        let mut classes: Vec<CompClass> = Vec::with_capacity(model.components.len());
        let mut scratch: Vec<u32> = Vec::new();
        for (ci, (c, n)) in model.components.iter().zip(graph.nodes.iter()).enumerate() {
            let decls = decl_pool.add(decls(&c.controls, rules));
            let zone_decls = n.zone.and_then(|z| zones.get(z)).map_or(&[][..], |z| decl_pool.get(z.decls));
            let stores = asset_lists.add_sorted(resolved.stores(ci).iter().copied(), rank);
            let processes = asset_lists.add_sorted(resolved.processes(ci).iter().copied(), rank);
            scratch.clear();
            scratch.extend_from_slice(asset_lists.get(stores));
            scratch.extend_from_slice(asset_lists.get(processes));
            let handled = asset_lists.add_sorted(scratch.iter().copied(), rank);
            for &a in asset_lists.get(handled) {
                if let Some(af) = assets.get_mut(a as usize) {
                    af.handlers += 1;
                }
            }
            let zone_loc = n.zone.and_then(|z| model.zones.get(z)).and_then(|z| z.location.as_deref());
            let controls = tokens.add_sorted(credited(decl_pool.get(decls).iter().chain(zone_decls)), |t| *t);
            classes.push(CompClass { type_ix: c.component_type as u8, kind_ix: c.effective_kind() as u8 });
            comps.push(CompFacts {
                flags: bits(&c.flags, crate::model::ComponentFlag::bit),
                controls,
                decls,
                stores,
                processes,
                handled,
                technology: words.add(c.technology.as_deref()),
                location: words.add(c.location.as_deref().or(zone_loc)),
                controls_stated: c.controls.is_some(),
            });
        }

        let mut flows: Vec<FlowFacts> = Vec::with_capacity(model.flows.len());
        for (fi, f) in model.flows.iter().enumerate() {
            let protocol = words.add(f.protocol.as_deref());
            let proto = words.get(protocol).unwrap_or("");
            let in_process = LOCAL_PROTOCOLS.contains(&proto);
            let inferred = if ENCRYPTED_PROTOCOLS.contains(&proto) {
                Some(true)
            } else if CLEARTEXT_PROTOCOLS.contains(&proto) {
                Some(false)
            } else {
                None
            };
            let (encrypted, encrypted_assumed) = match (f.encrypted, inferred) {
                (Some(e), _) => (e, false),
                (None, Some(e)) => (e, false),
                (None, None) => (false, true),
            };
            let data = asset_lists.add_sorted(resolved.data(fi).iter().copied(), rank);
            for &a in asset_lists.get(data) {
                if let Some(af) = assets.get_mut(a as usize) {
                    af.carriers += 1;
                }
            }
            let decls = decl_pool.add(decls(&f.controls, rules));
            let controls = tokens.add_sorted(credited(decl_pool.get(decls)), |t| *t);
            flows.push(FlowFacts {
                encrypted,
                encrypted_assumed,
                auth: f.authentication.unwrap_or(Authentication::None),
                auth_assumed: f.authentication.is_none(),
                authz: f.authorization.unwrap_or(Authorization::None) as u8,
                authz_assumed: f.authorization.is_none(),
                mfa: f.mfa.unwrap_or(false),
                mfa_assumed: f.mfa.is_none(),
                flags: bits(&f.flags, crate::model::FlowFlag::bit),
                controls,
                decls,
                protocol,
                format: words.add(f.format.as_deref()),
                data,
                in_process,
            });
        }

        Facts {
            model,
            graph,
            comps,
            classes,
            flows,
            assets,
            zones,
            words,
            ids: ElementIds { model, flows: flow_ids },
            tokens,
            decls: decl_pool,
            asset_lists,
            asset_rank,
            comp_rank,
        }
    }
}

/// The model's element ids by index, and each flow's effective id (borrowed from the model when
/// declared); an index out of range has the empty id. Kept apart from the other facts so that the
/// assumptions register can name elements after the facts are freed.
pub struct ElementIds<'m> {
    pub model: &'m Model,
    pub flows: Vec<Cow<'m, str>>,
}

impl<'m> ElementIds<'m> {
    pub fn comp(&self, c: u32) -> &'m str {
        self.model.components.get(c as usize).map_or("", |c| c.id.as_str())
    }

    pub fn flow(&self, f: u32) -> &str {
        self.flows.get(f as usize).map_or("", AsRef::as_ref)
    }

    pub fn asset(&self, a: u32) -> &'m str {
        self.model.data_assets.get(a as usize).map_or("", |d| d.id.as_str())
    }

    pub fn zone(&self, z: u32) -> &'m str {
        self.model.zones.get(z as usize).map_or("", |z| z.id.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pools_keep_each_list_apart() {
        let mut pool = Pool::with_capacity(0);
        let a = pool.add([3u32, 1, 2]);
        let empty = pool.add([]);
        let b = pool.add_sorted([9u32, 7, 9, 8, 7], |x| *x);
        let c = pool.add_sorted([5u32], |x| *x);
        assert_eq!(pool.get(a), [3, 1, 2], "add keeps the given order");
        assert!(pool.get(empty).is_empty());
        assert_eq!(pool.get(b), [7, 8, 9], "sorted, each item once");
        assert_eq!(pool.get(c), [5]);
        // Sorted by the key, not by the item: descending here.
        let d = pool.add_sorted([1u32, 3, 2, 3], |x| std::cmp::Reverse(*x));
        assert_eq!(pool.get(d), [3, 2, 1]);
        assert_eq!(pool.get(a), [3, 1, 2], "later lists leave earlier ones alone");
        assert!(pool.get(Span { start: 1000, len: 2 }).is_empty(), "a span outside the pool is empty");
    }

    #[test]
    fn words_hold_each_lower_cased_string_once() {
        let mut words = Words::default();
        let https = words.add(Some("HTTPS"));
        assert_eq!(words.add(Some("https")), https, "compared in lower case");
        assert_eq!(words.add(Some("Https")), https);
        let grpc = words.add(Some("grpc"));
        assert_ne!(grpc, https);
        assert_eq!(words.add(None), None);
        assert_eq!(words.get(https), Some("https"));
        assert_eq!(words.get(grpc), Some("grpc"));
        assert_eq!(words.get(None), None);
        assert_eq!(words.list.len(), 2);
    }
}
