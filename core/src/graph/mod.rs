//! Graph facts, computed once per model: zone trust and nesting, boundary crossings and their
//! direction, reachability from internet zones (any path, and anonymous paths), hop counts and
//! exposure. Built on petgraph; every fact is independent of the order of the model file.

use crate::model::{Authentication, Model, ZoneKind};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use rustc_hash::FxHashMap;
use std::collections::VecDeque;

/// Hop count used for "not reachable".
pub const UNREACHABLE: u32 = 1_000_000;

named_enum! {
    /// Direction of a flow relative to trust boundaries.
    Crossing {
        /// Same zone.
        None => "none",
        /// Into a more trusted zone.
        Up => "up",
        /// Into a less trusted zone.
        Down => "down",
        /// Between different zones of equal trust.
        Lateral => "lateral",
    }
}

/// Facts about one component.
#[derive(Debug, Clone, Default)]
pub struct NodeFacts {
    /// Index of its zone in `model.zones`, if any.
    pub zone: Option<usize>,
    /// Effective trust of its zone (0 when it has none).
    pub trust: u8,
    pub internet_facing: bool,
    pub reachable: bool,
    pub anon_reachable: bool,
    /// Shortest number of flows from an internet-zone component (UNREACHABLE if none).
    pub hops: u32,
    /// Reachable from a third-party, partner or user-workstation zone.
    pub semi_trusted_reachable: bool,
    /// Likelihood exposure factor, 0..=3.
    pub exposure: u8,
}

/// Facts about one flow.
#[derive(Debug, Clone, Copy)]
pub struct EdgeFacts {
    pub source: u32,
    pub target: u32,
    pub crossing: Crossing,
    pub trust_delta: i32,
}

/// The graph view of a validated model.
#[derive(Debug, Clone)]
pub struct Graph {
    pub graph: DiGraph<u32, u32>,
    pub nodes: Vec<NodeFacts>,
    pub edges: Vec<EdgeFacts>,
    /// Effective trust of each zone.
    pub zone_trust: Vec<u8>,
    /// Position of each flow in flow-id order.
    pub flow_rank: Vec<u32>,
    /// Flows into and out of each component ([`Graph::in_flows`], [`Graph::out_flows`]).
    flows_in: Lists,
    flows_out: Lists,
    /// Targets of every component's outgoing flows, in the order `graph.edges(n)` gives them.
    /// Contiguous, so the many short walks of an analysis do not chase petgraph's edge links
    /// through memory.
    succ: Lists,
}

/// A list of `u32`s per owner, all in one allocation: owner `i`'s are
/// `values[start[i]..start[i + 1]]`.
#[derive(Debug, Clone, Default)]
struct Lists {
    values: Vec<u32>,
    start: Vec<u32>,
}

impl Lists {
    /// Groups `(owner, value)` pairs by owner (owners below `owners`), keeping their order within
    /// each owner; `pairs` is walked twice (to count, then to place).
    fn build<I: Iterator<Item = (usize, u32)> + Clone>(owners: usize, pairs: I) -> Lists {
        let mut start = vec![0u32; owners + 1];
        for (o, _) in pairs.clone() {
            if let Some(c) = start.get_mut(o + 1) {
                *c += 1;
            }
        }
        for i in 1..start.len() {
            let prev = start.get(i - 1).copied().unwrap_or(0);
            if let Some(c) = start.get_mut(i) {
                *c += prev;
            }
        }
        // The next free slot of each owner's range.
        let mut next: Vec<u32> = start.get(..owners).unwrap_or(&[]).to_vec();
        let mut values = vec![0u32; start.last().copied().unwrap_or(0) as usize];
        for (o, v) in pairs {
            if let Some(at) = next.get_mut(o) {
                if let Some(slot) = values.get_mut(*at as usize) {
                    *slot = v;
                }
                *at += 1;
            }
        }
        Lists { values, start }
    }

    fn range(&self, i: usize) -> std::ops::Range<usize> {
        match (self.start.get(i), self.start.get(i + 1)) {
            (Some(&a), Some(&b)) => a as usize..b as usize,
            _ => 0..0,
        }
    }

    fn get(&self, i: usize) -> &[u32] {
        self.values.get(self.range(i)).unwrap_or(&[])
    }

    fn get_mut(&mut self, i: usize) -> &mut [u32] {
        let r = self.range(i);
        self.values.get_mut(r).unwrap_or(&mut [])
    }
}

fn is_internet(kind: Option<ZoneKind>) -> bool {
    matches!(kind, Some(ZoneKind::Internet) | None)
}

fn is_semi_trusted(kind: Option<ZoneKind>) -> bool {
    matches!(kind, Some(ZoneKind::ThirdParty | ZoneKind::Partner | ZoneKind::UserWorkstation))
}

impl Graph {
    /// Builds the graph. The model must be valid (references resolve).
    pub fn build(model: &Model) -> Graph {
        let flow_ids: Vec<_> = model.flows.iter().map(crate::model::Flow::effective_id_ref).collect();
        Graph::build_with_flow_ids(model, &flow_ids)
    }

    /// [`Graph::build`] given each flow's effective id (`flow_ids[i]` of `model.flows[i]`).
    pub fn build_with_flow_ids<S: AsRef<str>>(model: &Model, flow_ids: &[S]) -> Graph {
        let zone_index: FxHashMap<&str, u32> =
            model.zones.iter().enumerate().map(|(i, z)| (z.id.as_str(), i as u32)).collect();
        let comp_index: FxHashMap<&str, u32> =
            model.components.iter().enumerate().map(|(i, c)| (c.id.as_str(), i as u32)).collect();
        let comp_zone: Vec<Option<u32>> =
            model.components.iter().map(|c| c.zone.as_deref().and_then(|z| zone_index.get(z).copied())).collect();
        let flow_ends: Vec<Option<(u32, u32)>> = model
            .flows
            .iter()
            .map(|f| comp_index.get(f.source.as_str()).copied().zip(comp_index.get(f.target.as_str()).copied()))
            .collect();
        Graph::build_resolved(model, flow_ids, &comp_zone, &flow_ends)
    }

    /// [`Graph::build_with_flow_ids`] given each component's zone and each flow's source and
    /// target as indices (`None`: unknown; such a flow is left out).
    pub(crate) fn build_resolved<S: AsRef<str>>(
        model: &Model,
        flow_ids: &[S],
        comp_zone: &[Option<u32>],
        flow_ends: &[Option<(u32, u32)>],
    ) -> Graph {
        let zone_trust: Vec<u8> =
            model.zones.iter().map(|z| z.trust.unwrap_or_else(|| z.kind.default_trust())).collect();
        let mut graph = DiGraph::<u32, u32>::with_capacity(model.components.len(), model.flows.len());
        let mut nodes: Vec<NodeFacts> = Vec::with_capacity(model.components.len());
        for i in 0..model.components.len() {
            graph.add_node(u32::try_from(i).unwrap_or(u32::MAX));
            let zone = comp_zone.get(i).copied().flatten().map(|z| z as usize).filter(|&z| z < model.zones.len());
            let trust = zone.and_then(|z| zone_trust.get(z).copied()).unwrap_or(0);
            nodes.push(NodeFacts { zone, trust, hops: UNREACHABLE, ..NodeFacts::default() });
        }
        let zone_kind = |n: &NodeFacts| n.zone.and_then(|z| model.zones.get(z)).map(|z| z.kind);

        let mut edges = Vec::with_capacity(model.flows.len());
        for fi in 0..model.flows.len() {
            let Some((s, t)) = flow_ends.get(fi).copied().flatten() else {
                continue;
            };
            let (s, t) = (s as usize, t as usize);
            if s >= nodes.len() || t >= nodes.len() {
                continue;
            }
            let fi32 = u32::try_from(fi).unwrap_or(u32::MAX);
            graph.add_edge(NodeIndex::new(s), NodeIndex::new(t), fi32);
            let (sn, tn) = (nodes.get(s), nodes.get(t));
            let (sz, tz) = (sn.and_then(|n| n.zone), tn.and_then(|n| n.zone));
            let (st, tt) = (i32::from(sn.map_or(0, |n| n.trust)), i32::from(tn.map_or(0, |n| n.trust)));
            let crossing = if sz == tz {
                Crossing::None
            } else if tt > st {
                Crossing::Up
            } else if tt < st {
                Crossing::Down
            } else {
                Crossing::Lateral
            };
            edges.push(EdgeFacts { source: s as u32, target: t as u32, crossing, trust_delta: tt - st });
        }

        // Canonical order (by flow id) so that evaluation never depends on the model file's order.
        let flow_rank = crate::model::ranks(&crate::model::order_by_key(flow_ids.len(), |i| {
            flow_ids.get(i).map_or("", AsRef::as_ref)
        }));
        let rank = &flow_rank;
        // Each edge's weight is its flow's index.
        let raw = graph.raw_edges();
        let mut flows_in = Lists::build(nodes.len(), raw.iter().map(|e| (e.target().index(), e.weight)));
        let mut flows_out = Lists::build(nodes.len(), raw.iter().map(|e| (e.source().index(), e.weight)));
        for lists in [&mut flows_in, &mut flows_out] {
            for n in 0..nodes.len() {
                let list = lists.get_mut(n);
                if list.len() > 1 {
                    list.sort_unstable_by_key(|f| rank.get(*f as usize).copied().unwrap_or(u32::MAX));
                }
            }
        }

        // Entry points: components in internet zones (or in no zone: assumed on the internet).
        let sources: Vec<usize> =
            (0..nodes.len()).filter(|&i| nodes.get(i).is_some_and(|n| is_internet(zone_kind(n)))).collect();
        let hops = bfs(&graph, &sources, |_| true);
        let anon = bfs(&graph, &sources, |flow| {
            model
                .flows
                .get(flow as usize)
                .is_some_and(|f| f.authentication.unwrap_or(Authentication::None) == Authentication::None)
        });
        let semi_sources: Vec<usize> =
            (0..nodes.len()).filter(|&i| nodes.get(i).is_some_and(|n| is_semi_trusted(zone_kind(n)))).collect();
        let semi = bfs(&graph, &semi_sources, |_| true);

        for (i, n) in nodes.iter_mut().enumerate() {
            let h = hops.get(i).copied().unwrap_or(UNREACHABLE);
            n.hops = h;
            n.reachable = h != UNREACHABLE;
            n.anon_reachable = anon.get(i).copied().unwrap_or(UNREACHABLE) != UNREACHABLE;
            n.semi_trusted_reachable = semi.get(i).copied().unwrap_or(UNREACHABLE) != UNREACHABLE;
        }
        for (i, c) in model.components.iter().enumerate() {
            let declared = c.flags.contains(&crate::model::ComponentFlag::InternetFacing);
            let from_internet = flows_in.get(i).iter().any(|&f| {
                edges_source(&edges, f).and_then(|s| nodes.get(s as usize)).is_some_and(|sn| is_internet(zone_kind(sn)))
            });
            if let Some(n) = nodes.get_mut(i) {
                n.internet_facing = declared || from_internet;
                n.exposure = if n.anon_reachable {
                    3
                } else if n.reachable || n.semi_trusted_reachable || n.internet_facing {
                    2
                } else {
                    1
                };
            }
        }
        // petgraph lists a node's outgoing edges newest first: the same order, from the edges
        // taken newest first.
        let succ = Lists::build(
            graph.node_count(),
            graph.raw_edges().iter().rev().map(|e| (e.source().index(), e.target().index() as u32)),
        );
        Graph { graph, nodes, edges, zone_trust, flow_rank, flows_in, flows_out, succ }
    }

    /// Flows into component `n` (flow indices), in flow-id order.
    pub fn in_flows(&self, n: usize) -> &[u32] {
        self.flows_in.get(n)
    }

    /// Flows out of component `n` (flow indices), in flow-id order.
    pub fn out_flows(&self, n: usize) -> &[u32] {
        self.flows_out.get(n)
    }

    /// Targets of the flows out of component `n`, in the order of `graph.edges(n)`.
    fn successors(&self, n: usize) -> &[u32] {
        self.succ.get(n)
    }

    /// Components reachable from `start` within `k` flows (excluding `start`), at most `cap` of
    /// them, in BFS order. Cost is proportional to what is visited, not to the model size.
    pub fn reachable_within(&self, start: usize, k: u32, cap: usize) -> Vec<usize> {
        let mut seen = rustc_hash::FxHashSet::default();
        seen.insert(start);
        let mut out = Vec::new();
        let mut q = VecDeque::new();
        q.push_back((start, 0u32));
        while let Some((n, d)) = q.pop_front() {
            if d == k {
                continue;
            }
            for e in self.graph.edges(NodeIndex::new(n)) {
                let t = e.target().index();
                if seen.insert(t) {
                    out.push(t);
                    if out.len() >= cap {
                        return out;
                    }
                    q.push_back((t, d + 1));
                }
            }
        }
        out
    }

    /// Components of each zone (index = zone index), in model order.
    pub fn zone_members(&self, zones: usize) -> Vec<Vec<u32>> {
        let mut m = vec![Vec::new(); zones];
        for (i, n) in self.nodes.iter().enumerate() {
            if let Some(v) = n.zone.and_then(|z| m.get_mut(z)) {
                v.push(i as u32);
            }
        }
        m
    }
}

/// Reusable state for many bounded walks over one graph: [`Graph::reachable_within`] without an
/// allocation per walk.
#[derive(Debug, Default)]
pub struct Walk {
    /// `seen[n] == round` when node `n` was visited in the current walk.
    seen: Vec<u32>,
    round: u32,
    queue: VecDeque<(usize, u32)>,
    out: Vec<u32>,
}

impl Walk {
    /// Same components, in the same order, as [`Graph::reachable_within`].
    pub fn within(&mut self, g: &Graph, start: usize, k: u32, cap: usize) -> &[u32] {
        let n = g.nodes.len();
        if self.seen.len() != n || self.round == u32::MAX {
            self.seen = vec![0; n];
            self.round = 0;
        }
        self.round += 1;
        let round = self.round;
        self.out.clear();
        self.queue.clear();
        if let Some(s) = self.seen.get_mut(start) {
            *s = round;
        }
        self.queue.push_back((start, 0));
        while let Some((node, d)) = self.queue.pop_front() {
            if d == k {
                continue;
            }
            for &t in g.successors(node) {
                let t = t as usize;
                let Some(s) = self.seen.get_mut(t) else { continue };
                if *s != round {
                    *s = round;
                    self.out.push(t as u32);
                    if self.out.len() >= cap {
                        return &self.out;
                    }
                    self.queue.push_back((t, d + 1));
                }
            }
        }
        &self.out
    }
}

fn edges_source(edges: &[EdgeFacts], flow: u32) -> Option<u32> {
    // Flows that failed to resolve are skipped when building, so look the flow up by index
    // only when indices line up (they do for validated models).
    edges.get(flow as usize).map(|e| e.source)
}

/// Multi-source BFS over flows accepted by `follow`; returns hop counts (UNREACHABLE if none).
fn bfs(graph: &DiGraph<u32, u32>, sources: &[usize], follow: impl Fn(u32) -> bool) -> Vec<u32> {
    let mut dist = vec![UNREACHABLE; graph.node_count()];
    let mut q = VecDeque::with_capacity(sources.len());
    for &s in sources {
        if let Some(d) = dist.get_mut(s) {
            *d = 0;
            q.push_back(s);
        }
    }
    while let Some(n) = q.pop_front() {
        let dn = dist.get(n).copied().unwrap_or(UNREACHABLE);
        for e in graph.edges(NodeIndex::new(n)) {
            if !follow(*e.weight()) {
                continue;
            }
            let t = e.target().index();
            if let Some(dt) = dist.get_mut(t)
                && *dt == UNREACHABLE
            {
                *dt = dn + 1;
                q.push_back(t);
            }
        }
    }
    dist
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flows_in_and_out_of_each_component_in_flow_id_order() {
        // Flows declared out of id order, one without an id (`a->c`), and a component with none.
        let m = Model::from_json(
            r#"{"title": "t",
                "components": [{"id": "a", "type": "service"}, {"id": "b", "type": "service"},
                               {"id": "c", "type": "database"}, {"id": "lonely", "type": "service"}],
                "flows": [{"id": "f3", "source": "a", "target": "b"},
                          {"id": "f1", "source": "b", "target": "c"},
                          {"source": "a", "target": "c"},
                          {"id": "f2", "source": "a", "target": "c"},
                          {"id": "b0", "source": "c", "target": "a"}]}"#,
        )
        .unwrap();
        let g = Graph::build(&m);
        // Flow ids in order: a->c (2), b0 (4), f1 (1), f2 (3), f3 (0).
        assert_eq!(g.out_flows(0), [2, 3, 0]);
        assert_eq!(g.in_flows(0), [4]);
        assert_eq!((g.out_flows(1), g.in_flows(1)), (&[1][..], &[0][..]));
        assert_eq!((g.out_flows(2), g.in_flows(2)), (&[4][..], &[2, 1, 3][..]));
        let none: &[u32] = &[];
        assert_eq!((g.out_flows(3), g.in_flows(3)), (none, none));
        assert_eq!((g.out_flows(4), g.in_flows(4)), (none, none), "out of range: nothing");
    }
}
