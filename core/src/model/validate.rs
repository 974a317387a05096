//! Semantic validation: ids, references, zone nesting, value ranges, dates and control tokens.
//! Every problem is reported, in document order, each with a stable code and a path.

use super::types::{ControlDecl, Model};
use crate::error::{Diagnostic, Error, Result, suggestion};
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeSet;

/// Knows which control tokens exist (from the token catalog and the loaded rules).
pub trait TokenVocabulary {
    fn is_known(&self, token: &str) -> bool;
    /// Candidates for "did you mean".
    fn tokens(&self) -> Box<dyn Iterator<Item = &str> + '_>;
}

impl TokenVocabulary for BTreeSet<String> {
    fn is_known(&self, token: &str) -> bool {
        self.contains(token)
    }
    fn tokens(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        Box::new(self.iter().map(String::as_str))
    }
}

const MAX_ID_LEN: usize = 200;

/// Validates a parsed model. `tokens`, when given, checks declared control tokens.
pub fn validate(model: &Model, tokens: Option<&dyn TokenVocabulary>) -> Result<()> {
    validate_resolved(model, tokens).map(drop)
}

/// [`validate`], and what the model's references name, as indices.
pub(crate) fn validate_resolved(model: &Model, tokens: Option<&dyn TokenVocabulary>) -> Result<Resolved> {
    let mut v = Validator { diags: Vec::new(), ids: Ids::with_capacity(model), resolved: Resolved::default() };
    v.run(model, tokens);
    if v.diags.is_empty() { Ok(v.resolved) } else { Err(Error::Model(v.diags)) }
}

/// The references of a model resolved to element indices, found while validating it, so that
/// the analysis does not look the ids up again.
#[derive(Debug, Default)]
pub(crate) struct Resolved {
    /// Zone of each component (`None`: no zone).
    pub comp_zone: Vec<Option<u32>>,
    /// Source and target component of each flow.
    pub flow_ends: Vec<Option<(u32, u32)>>,
    /// The data assets components and flows name: component `c`'s `stores` are
    /// `assets[comp_assets[c][0]..comp_assets[c][1]]` and its `processes` run on to
    /// `comp_assets[c][2]`; flow `f`'s `data` are `assets[flow_data[f][0]..flow_data[f][1]]`.
    assets: Vec<u32>,
    comp_assets: Vec<[u32; 3]>,
    flow_data: Vec<[u32; 2]>,
}

impl Resolved {
    fn span(&self, from: u32, to: u32) -> &[u32] {
        self.assets.get(from as usize..to as usize).unwrap_or(&[])
    }
    /// Data assets component `c` stores.
    pub fn stores(&self, c: usize) -> &[u32] {
        self.comp_assets.get(c).map_or(&[], |&[a, b, _]| self.span(a, b))
    }
    /// Data assets component `c` processes.
    pub fn processes(&self, c: usize) -> &[u32] {
        self.comp_assets.get(c).map_or(&[], |&[_, b, e]| self.span(b, e))
    }
    /// Data assets flow `f` carries.
    pub fn data(&self, f: usize) -> &[u32] {
        self.flow_data.get(f).map_or(&[], |&[a, b]| self.span(a, b))
    }
    fn mark(&self) -> u32 {
        u32::try_from(self.assets.len()).unwrap_or(u32::MAX)
    }
}

struct Validator<'m> {
    diags: Vec<Diagnostic>,
    ids: Ids<'m>,
    resolved: Resolved,
}

/// Per collection, id -> index of its first definition. Ids are unique within a collection; a
/// zone and a component may share a name. One table per collection keeps the small ones (zones,
/// data assets) in cache while a large model's component references are looked up.
struct Ids<'m> {
    zones: IdMap<'m>,
    components: IdMap<'m>,
    data_assets: IdMap<'m>,
    /// Declared or generated (`source->target`) flow ids.
    flows: IdMap<'m>,
}

type IdMap<'m> = HashMap<std::borrow::Cow<'m, str>, usize>;

impl<'m> Ids<'m> {
    fn with_capacity(m: &Model) -> Ids<'m> {
        let map = |n: usize| IdMap::with_capacity_and_hasher(n, Default::default());
        Ids {
            zones: map(m.zones.len()),
            components: map(m.components.len()),
            data_assets: map(m.data_assets.len()),
            flows: map(m.flows.len()),
        }
    }

    fn map(&self, c: Coll) -> &IdMap<'m> {
        match c {
            Coll::Zones => &self.zones,
            Coll::Components => &self.components,
            Coll::DataAssets => &self.data_assets,
            Coll::Flows => &self.flows,
        }
    }

    fn get(&self, c: Coll, id: &str) -> Option<usize> {
        self.map(c).get(id).copied()
    }

    /// Records the first definition of `id`; a repeated id gives back the index of its first
    /// definition and the id.
    fn define(&mut self, c: Coll, id: std::borrow::Cow<'m, str>, index: usize) -> Result<(), (usize, String)> {
        let map = match c {
            Coll::Zones => &mut self.zones,
            Coll::Components => &mut self.components,
            Coll::DataAssets => &mut self.data_assets,
            Coll::Flows => &mut self.flows,
        };
        match map.entry(id) {
            std::collections::hash_map::Entry::Occupied(e) => Err((*e.get(), e.key().to_string())),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(index);
                Ok(())
            }
        }
    }

    /// Ids of the collection `want` (every collection for `None`), for "did you mean".
    fn candidates(&self, want: Option<Coll>) -> Vec<&str> {
        Coll::ALL
            .iter()
            .filter(|&&c| want.is_none_or(|w| w == c))
            .flat_map(|&c| self.map(c).keys().map(|k| k.as_ref()))
            .collect()
    }
}

/// The collections element ids live in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Coll {
    Zones,
    Components,
    DataAssets,
    Flows,
}

impl Coll {
    const ALL: [Coll; 4] = [Coll::Zones, Coll::Components, Coll::DataAssets, Coll::Flows];
    fn singular(self) -> &'static str {
        match self {
            Coll::Zones => "zone",
            Coll::Components => "component",
            Coll::DataAssets => "data asset",
            Coll::Flows => "flow",
        }
    }
}

impl<'m> Validator<'m> {
    fn push(&mut self, code: &str, path: String, message: String) {
        self.diags.push(Diagnostic::new(code, path, message));
    }

    /// Registers an id; `path` is only built when there is a problem to report.
    fn define(
        &mut self,
        collection: Coll,
        id: std::borrow::Cow<'m, str>,
        index: usize,
        path: impl Fn(usize) -> String,
    ) {
        if id.trim().is_empty() {
            let path = path(index);
            self.push("model.invalid_id", path, "id is empty".into());
            return;
        }
        if id.len() > MAX_ID_LEN || id.chars().any(char::is_control) {
            let path = path(index);
            self.push(
                "model.invalid_id",
                path,
                format!("id `{}` must be at most {MAX_ID_LEN} characters without control characters", truncate(&id)),
            );
            return;
        }
        if let Err((first, id)) = self.ids.define(collection, id, index) {
            let msg = format!("duplicate id `{id}` (first defined at {})", path(first));
            self.push("model.duplicate_id", path(index), msg);
        }
    }

    /// Checks a reference and returns the index of the element it names in its collection;
    /// `path` is only built when there is a problem to report. `want`: the collection the id
    /// must be in, or `None` for any.
    fn reference(&mut self, path: impl FnOnce() -> String, id: &str, want: Option<Coll>, what: &str) -> Option<u32> {
        let known = |c: Coll| self.ids.get(c, id);
        let found = match want {
            Some(c) => known(c),
            None => Coll::ALL.iter().find_map(|&c| known(c)),
        };
        if let Some(i) = found {
            return u32::try_from(i).ok();
        }
        if let Some(other) = Coll::ALL.iter().find(|&&c| want.is_some() && known(c).is_some()) {
            let msg = format!("`{id}` is a {}, not a {what}", other.singular());
            self.push("model.wrong_reference", path(), msg);
            return None;
        }
        let mut cands = self.ids.candidates(want);
        cands.sort_unstable();
        let hint = suggestion(id, cands.iter().copied());
        self.push("model.unknown_reference", path(), format!("unknown {what} `{id}`{hint}"));
        None
    }

    /// Checks a list of data-asset references (`path(j)` names the `j`-th) and appends the
    /// assets found to the resolved asset list.
    fn asset_references(&mut self, ids: &[String], path: impl Fn(usize) -> String) {
        for (j, d) in ids.iter().enumerate() {
            let a = self.reference(|| path(j), d, Some(Coll::DataAssets), "data asset");
            self.resolved.assets.extend(a);
        }
    }

    fn run(&mut self, m: &'m Model, tokens: Option<&dyn TokenVocabulary>) {
        if let Some(v) = m.format_version
            && v != super::types::FORMAT_VERSION
        {
            self.push(
                "model.unsupported_version",
                "format_version".into(),
                format!(
                    "format version `{v}` is not supported; this release reads version {}",
                    super::types::FORMAT_VERSION
                ),
            );
        }
        if m.title.trim().is_empty() {
            self.push("model.missing_field", "title".into(), "title is empty".into());
        }
        // Definitions first, so references can point forwards.
        for (i, z) in m.zones.iter().enumerate() {
            self.define(Coll::Zones, z.id.as_str().into(), i, |i| format!("zones[{i}].id"));
        }
        for (i, c) in m.components.iter().enumerate() {
            self.define(Coll::Components, c.id.as_str().into(), i, |i| format!("components[{i}].id"));
        }
        for (i, d) in m.data_assets.iter().enumerate() {
            self.define(Coll::DataAssets, d.id.as_str().into(), i, |i| format!("data_assets[{i}].id"));
        }
        let flow_path = |i: usize| {
            if m.flows.get(i).is_some_and(|f| f.id.is_some()) {
                format!("flows[{i}].id")
            } else {
                format!("flows[{i}]")
            }
        };
        for (i, f) in m.flows.iter().enumerate() {
            let id = f.effective_id_ref();
            if f.id.is_none() && self.ids.flows.contains_key(&id) {
                self.push(
                    "model.duplicate_id",
                    flow_path(i),
                    format!("generated flow id `{id}` is not unique; give the flow an explicit `id`"),
                );
                continue;
            }
            self.define(Coll::Flows, id, i, flow_path);
        }
        let mut assumption_ids: HashMap<&str, usize> = HashMap::default();
        for (i, a) in m.assumptions.iter().enumerate() {
            if let Some(first) = assumption_ids.insert(a.id.as_str(), i) {
                self.push(
                    "model.duplicate_id",
                    format!("assumptions[{i}].id"),
                    format!("duplicate assumption id `{}` (first defined at assumptions[{first}].id)", a.id),
                );
            }
        }

        for (i, z) in m.zones.iter().enumerate() {
            if let Some(t) = z.trust
                && t > 100
            {
                self.push(
                    "model.out_of_range",
                    format!("zones[{i}].trust"),
                    format!("trust `{t}` must be between 0 and 100"),
                );
            }
            if let Some(p) = &z.parent {
                self.reference(|| format!("zones[{i}].parent"), p, Some(Coll::Zones), "zone");
            }
            self.controls(&z.controls, || format!("zones[{i}].controls"), tokens);
        }
        self.zone_cycles(m);
        for (i, c) in m.components.iter().enumerate() {
            let zone = c
                .zone
                .as_ref()
                .and_then(|z| self.reference(|| format!("components[{i}].zone"), z, Some(Coll::Zones), "zone"));
            self.resolved.comp_zone.push(zone);
            let stores = self.resolved.mark();
            self.asset_references(&c.stores, |j| format!("components[{i}].stores[{j}]"));
            let processes = self.resolved.mark();
            self.asset_references(&c.processes, |j| format!("components[{i}].processes[{j}]"));
            let end = self.resolved.mark();
            self.resolved.comp_assets.push([stores, processes, end]);
            duplicates(&c.flags, || format!("components[{i}].flags"), &mut self.diags);
            self.controls(&c.controls, || format!("components[{i}].controls"), tokens);
        }
        for (i, d) in m.data_assets.iter().enumerate() {
            for (name, level) in
                [("confidentiality", d.confidentiality), ("integrity", d.integrity), ("availability", d.availability)]
            {
                if let Some(l) = level
                    && !(1..=5).contains(&l)
                {
                    self.push(
                        "model.out_of_range",
                        format!("data_assets[{i}].{name}"),
                        format!("{name} level `{l}` must be between 1 and 5"),
                    );
                }
            }
            duplicates(&d.tags, || format!("data_assets[{i}].tags"), &mut self.diags);
        }
        for (i, f) in m.flows.iter().enumerate() {
            let s = self.reference(|| format!("flows[{i}].source"), &f.source, Some(Coll::Components), "component");
            let t = self.reference(|| format!("flows[{i}].target"), &f.target, Some(Coll::Components), "component");
            self.resolved.flow_ends.push(s.zip(t));
            let data = self.resolved.mark();
            self.asset_references(&f.data, |j| format!("flows[{i}].data[{j}]"));
            let end = self.resolved.mark();
            self.resolved.flow_data.push([data, end]);
            duplicates(&f.flags, || format!("flows[{i}].flags"), &mut self.diags);
            self.controls(&f.controls, || format!("flows[{i}].controls"), tokens);
        }
        for (i, a) in m.assumptions.iter().enumerate() {
            if a.statement.trim().is_empty() {
                self.push("model.missing_field", format!("assumptions[{i}].statement"), "statement is empty".into());
            }
            if let Some(d) = &a.review_by
                && !is_date(d)
            {
                self.push(
                    "model.invalid_date",
                    format!("assumptions[{i}].review_by"),
                    format!("`{}` is not a date of the form YYYY-MM-DD", truncate(d)),
                );
            }
            for (j, e) in a.elements.iter().enumerate() {
                self.reference(|| format!("assumptions[{i}].elements[{j}]"), e, None, "element");
            }
        }
    }

    fn controls(
        &mut self,
        controls: &Option<Vec<ControlDecl>>,
        path: impl Fn() -> String,
        tokens: Option<&dyn TokenVocabulary>,
    ) {
        let Some(list) = controls else { return };
        let mut seen = BTreeSet::new();
        for (j, c) in list.iter().enumerate() {
            let t = c.token();
            if list.len() > 1 && !seen.insert(t) {
                self.push(
                    "model.duplicate_control",
                    format!("{}[{j}]", path()),
                    format!("control `{t}` is declared twice"),
                );
            }
            if let Some(vocab) = tokens
                && !vocab.is_known(t)
            {
                let hint = suggestion(t, vocab.tokens());
                self.push(
                    "model.unknown_control",
                    format!("{}[{j}]", path()),
                    format!(
                        "unknown control token `{}`{hint}; `threatgraph controls` lists the known tokens",
                        truncate(t)
                    ),
                );
            }
        }
    }

    fn zone_cycles(&mut self, m: &Model) {
        let parent: HashMap<&str, &str> =
            m.zones.iter().filter_map(|z| z.parent.as_deref().map(|p| (z.id.as_str(), p))).collect();
        let mut reported: BTreeSet<&str> = BTreeSet::new();
        for (i, z) in m.zones.iter().enumerate() {
            let mut cur = z.id.as_str();
            let mut steps = 0usize;
            while let Some(&p) = parent.get(cur) {
                steps += 1;
                if p == z.id {
                    if reported.insert(z.id.as_str()) {
                        self.push(
                            "model.zone_cycle",
                            format!("zones[{i}].parent"),
                            format!("zone `{}` is nested inside itself through its parents", z.id),
                        );
                    }
                    break;
                }
                if steps > m.zones.len() {
                    break;
                }
                cur = p;
            }
        }
    }
}

fn duplicates<T: Ord + Copy + serde::Serialize>(items: &[T], path: impl Fn() -> String, diags: &mut Vec<Diagnostic>) {
    if items.len() < 2 {
        return;
    }
    let mut seen = BTreeSet::new();
    for (j, it) in items.iter().enumerate() {
        if !seen.insert(*it) {
            let name = serde_json::to_string(it).unwrap_or_default();
            diags.push(Diagnostic::new(
                "model.duplicate_value",
                format!("{}[{j}]", path()),
                format!("`{}` is listed twice", name.trim_matches('"')),
            ));
        }
    }
}

fn truncate(s: &str) -> String {
    if s.chars().count() > 60 { format!("{}…", s.chars().take(60).collect::<String>()) } else { s.to_owned() }
}

/// YYYY-MM-DD with a real month and day.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|t| t.parse::<u32>().ok());
    match (num(0..4), num(5..7), num(8..10)) {
        (Some(y), Some(m), Some(d)) => {
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            let days = match m {
                1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
                4 | 6 | 9 | 11 => 30,
                2 if leap => 29,
                2 => 28,
                _ => return false,
            };
            (1..=days).contains(&d)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Validation names each reference's element by its index in its collection (ids declared
    /// out of order, so that an index cannot pass for a rank), which the analysis then reads.
    #[test]
    fn references_resolve_to_indices() {
        let m = Model::from_json(
            r#"{"title": "t",
                "zones": [{"id": "z2", "kind": "dmz"}, {"id": "z1", "kind": "internal"}],
                "data_assets": [{"id": "d2"}, {"id": "d1"}],
                "components": [
                    {"id": "c3", "type": "service", "zone": "z1", "stores": ["d1"], "processes": ["d2", "d1"]},
                    {"id": "c1", "type": "service"},
                    {"id": "c2", "type": "database", "zone": "z2", "processes": ["d2"]}],
                "flows": [
                    {"id": "f1", "source": "c2", "target": "c3", "data": ["d1"]},
                    {"source": "c1", "target": "c2"}]}"#,
        )
        .unwrap();
        let r = validate_resolved(&m, None).unwrap();
        assert_eq!(r.comp_zone, [Some(1), None, Some(0)]);
        assert_eq!(r.flow_ends, [Some((2, 0)), Some((1, 2))]);
        let none: &[u32] = &[];
        assert_eq!((r.stores(0), r.processes(0)), (&[1][..], &[0, 1][..]));
        assert_eq!((r.stores(1), r.processes(1)), (none, none));
        assert_eq!((r.stores(2), r.processes(2)), (none, &[0][..]));
        assert_eq!((r.data(0), r.data(1)), (&[1][..], none));
        assert_eq!((r.stores(3), r.data(2)), (none, none), "out of range: nothing");
    }
}
