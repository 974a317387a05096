//! Per-analysis facts: the model resolved to indices, effective (worst-case) values of unset
//! attributes, control token ids and the graph facts. Built once, read by every rule.

use crate::graph::Graph;
use crate::model::{Authentication, Authorization, Classification, ControlDecl, ControlStatus, DataTag, Model};
use crate::model::{order_by_key, ranks};
use crate::rules::RuleSet;
use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;

/// A declared control, resolved.
#[derive(Debug, Clone)]
pub struct Decl {
    pub token: u16,
    pub status: ControlStatus,
    pub evidence: usize,
}

#[derive(Debug, Clone)]
pub struct CompFacts<'m> {
    pub type_ix: u8,
    pub kind_ix: u8,
    pub flags: u64,
    /// Credited tokens of the component and its zone, sorted.
    pub controls: Vec<u16>,
    pub decls: Vec<Decl>,
    pub stores: Vec<u32>,
    pub processes: Vec<u32>,
    pub handled: Vec<u32>,
    pub technology: Option<Cow<'m, str>>,
    pub location: Option<Cow<'m, str>>,
}

#[derive(Debug, Clone)]
pub struct FlowFacts<'m> {
    pub encrypted: bool,
    pub encrypted_assumed: bool,
    pub auth: u8,
    pub auth_assumed: bool,
    pub authz: u8,
    pub authz_assumed: bool,
    pub mfa: bool,
    pub mfa_assumed: bool,
    pub flags: u64,
    pub controls: Vec<u16>,
    pub decls: Vec<Decl>,
    pub protocol: Option<Cow<'m, str>>,
    pub format: Option<Cow<'m, str>>,
    pub data: Vec<u32>,
    pub in_process: bool,
}

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
pub struct ZoneFacts<'m> {
    pub location: Option<Cow<'m, str>>,
    pub kind: u8,
    pub trust: u8,
    pub env: Option<u8>,
    pub controls: Vec<u16>,
    pub decls: Vec<Decl>,
}

/// Everything the evaluator reads.
pub struct Facts<'m> {
    pub model: &'m Model,
    pub graph: Graph,
    pub comps: Vec<CompFacts<'m>>,
    pub flows: Vec<FlowFacts<'m>>,
    pub assets: Vec<AssetFacts>,
    pub zones: Vec<ZoneFacts<'m>>,
    pub flow_ids: Vec<String>,
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

fn credited<'a>(d: impl IntoIterator<Item = &'a Decl>) -> Vec<u16> {
    let mut v: Vec<u16> = d.into_iter().filter(|d| d.status.credited()).map(|d| d.token).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// `s` in ASCII lower case, copied only when it has upper-case letters.
fn lower(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) { Cow::Owned(s.to_ascii_lowercase()) } else { Cow::Borrowed(s) }
}

fn bits<T: Copy>(items: &[T], bit: impl Fn(T) -> u64) -> u64 {
    items.iter().fold(0, |acc, &x| acc | bit(x))
}

impl<'m> Facts<'m> {
    pub fn build(model: &'m Model, rules: &RuleSet) -> Facts<'m> {
        let flow_ids: Vec<String> = model.flows.iter().map(crate::model::Flow::effective_id).collect();
        let graph = Graph::build_with_flow_ids(model, &flow_ids);
        let asset_rank =
            ranks(&order_by_key(model.data_assets.len(), |i| model.data_assets.get(i).map_or("", |d| d.id.as_str())));
        let comp_rank =
            ranks(&order_by_key(model.components.len(), |i| model.components.get(i).map_or("", |c| c.id.as_str())));
        let asset_index: HashMap<&str, u32> = model
            .data_assets
            .iter()
            .enumerate()
            .map(|(i, d)| (d.id.as_str(), u32::try_from(i).unwrap_or(u32::MAX)))
            .collect();
        // Asset lists in id order, so evaluation never depends on the model file's order.
        let resolve = |ids: &[String]| -> Vec<u32> {
            let mut v: Vec<u32> = ids.iter().filter_map(|d| asset_index.get(d.as_str()).copied()).collect();
            if v.len() > 1 {
                v.sort_unstable_by_key(|&i| asset_rank.get(i as usize).copied().unwrap_or(u32::MAX));
                v.dedup();
            }
            v
        };

        let zones: Vec<ZoneFacts<'m>> = model
            .zones
            .iter()
            .zip(graph.zone_trust.iter())
            .map(|(z, &trust)| {
                let d = decls(&z.controls, rules);
                ZoneFacts {
                    location: z.location.as_deref().map(lower),
                    kind: z.kind as u8,
                    trust,
                    env: z.environment.map(|e| e as u8),
                    controls: credited(&d),
                    decls: d,
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

        let comps: Vec<CompFacts<'m>> = model
            .components
            .iter()
            .zip(graph.nodes.iter())
            .map(|(c, n)| {
                let mut d = decls(&c.controls, rules);
                let zone_decls = n.zone.and_then(|z| zones.get(z)).map_or(&[][..], |z| z.decls.as_slice());
                let stores = resolve(&c.stores);
                let processes = resolve(&c.processes);
                let mut handled: Vec<u32> = stores.iter().chain(processes.iter()).copied().collect();
                if handled.len() > 1 {
                    handled.sort_unstable_by_key(|&a| asset_rank.get(a as usize).copied().unwrap_or(u32::MAX));
                    handled.dedup();
                }
                for &a in &handled {
                    if let Some(af) = assets.get_mut(a as usize) {
                        af.handlers += 1;
                    }
                }
                let zone_loc = n.zone.and_then(|z| model.zones.get(z)).and_then(|z| z.location.as_deref());
                let controls = credited(d.iter().chain(zone_decls));
                d.shrink_to_fit();
                CompFacts {
                    type_ix: c.component_type as u8,
                    kind_ix: c.effective_kind() as u8,
                    flags: bits(&c.flags, crate::model::ComponentFlag::bit),
                    controls,
                    decls: d,
                    stores,
                    processes,
                    handled,
                    technology: c.technology.as_deref().map(lower),
                    location: c.location.as_deref().or(zone_loc).map(lower),
                }
            })
            .collect();

        let flows: Vec<FlowFacts<'m>> = model
            .flows
            .iter()
            .map(|f| {
                let protocol = f.protocol.as_deref().map(lower);
                let proto = protocol.as_deref().unwrap_or("");
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
                let data = resolve(&f.data);
                for &a in &data {
                    if let Some(af) = assets.get_mut(a as usize) {
                        af.carriers += 1;
                    }
                }
                let d = decls(&f.controls, rules);
                FlowFacts {
                    encrypted,
                    encrypted_assumed,
                    auth: f.authentication.unwrap_or(Authentication::None) as u8,
                    auth_assumed: f.authentication.is_none(),
                    authz: f.authorization.unwrap_or(Authorization::None) as u8,
                    authz_assumed: f.authorization.is_none(),
                    mfa: f.mfa.unwrap_or(false),
                    mfa_assumed: f.mfa.is_none(),
                    flags: bits(&f.flags, crate::model::FlowFlag::bit),
                    controls: credited(&d),
                    decls: d,
                    protocol,
                    format: f.format.as_deref().map(lower),
                    data,
                    in_process,
                }
            })
            .collect();

        Facts { model, graph, comps, flows, assets, zones, flow_ids, asset_rank, comp_rank }
    }
}
