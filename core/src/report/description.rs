//! A threat's description. The engine keeps it as its rule's template and the names that fill the
//! template's placeholders, and writes the text when the report is serialized or displayed: a
//! 100k-component report has about 110 MB of description text that it never needs to hold.

use super::{ElementRef, ElementRefKind};
use std::fmt;
use std::sync::Arc;

/// A placeholder of a description template that names one element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    /// `{self}`: the component.
    Self_ = 0,
    /// `{zone}`: the zone (of the component, or the zone itself).
    Zone = 1,
    /// `{flow}`: the flow's name, or its id.
    Flow = 2,
    /// `{source}`, `{target}`: the flow's endpoints.
    Source = 3,
    Target = 4,
    /// `{asset}`: the data asset.
    Asset = 5,
}

/// A piece of a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    /// Text between placeholders: a byte range of the template.
    Text(usize, usize),
    Slot(Slot),
    /// `{data}`: the data assets at stake, or "no declared data asset".
    Data,
    /// `{missing}`: the mitigations not declared, or "none".
    Missing,
}

/// A rule's description template, split at its `{placeholders}` once per engine. An unclosed `{`
/// is text; an unknown placeholder writes nothing.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Template {
    text: Box<str>,
    pieces: Box<[Piece]>,
    /// Bit `1 << slot` for each slot the template uses.
    slots: u8,
    data: bool,
    missing: bool,
}

impl Template {
    pub(crate) fn parse(template: &str) -> Template {
        let mut pieces = Vec::new();
        let mut slots = 0u8;
        let (mut data, mut missing) = (false, false);
        let mut at = 0usize;
        let text = |pieces: &mut Vec<Piece>, from: usize, to: usize| {
            if to > from {
                pieces.push(Piece::Text(from, to));
            }
        };
        loop {
            let rest = template.get(at..).unwrap_or("");
            let Some(open) = rest.find('{') else { break };
            let after = rest.get(open + 1..).unwrap_or("");
            let Some(close) = after.find('}') else { break };
            text(&mut pieces, at, at + open);
            let piece = match after.get(..close).unwrap_or("") {
                "self" => Some(Piece::Slot(Slot::Self_)),
                "zone" => Some(Piece::Slot(Slot::Zone)),
                "flow" => Some(Piece::Slot(Slot::Flow)),
                "source" => Some(Piece::Slot(Slot::Source)),
                "target" => Some(Piece::Slot(Slot::Target)),
                "asset" => Some(Piece::Slot(Slot::Asset)),
                "data" => Some(Piece::Data),
                "missing" => Some(Piece::Missing),
                _ => None,
            };
            match piece {
                Some(Piece::Slot(s)) => slots |= 1 << s as u8,
                Some(Piece::Data) => data = true,
                Some(Piece::Missing) => missing = true,
                _ => {}
            }
            pieces.extend(piece);
            at += open + 1 + close + 1;
        }
        text(&mut pieces, at, template.len());
        Template { text: template.into(), pieces: pieces.into(), slots, data, missing }
    }

    /// Whether the template names `slot`.
    pub(crate) fn uses(&self, slot: Slot) -> bool {
        self.slots & (1 << slot as u8) != 0
    }

    /// Whether the template lists the data assets at stake.
    pub(crate) fn uses_data(&self) -> bool {
        self.data
    }

    /// Whether the template lists the missing mitigations.
    pub(crate) fn uses_missing(&self) -> bool {
        self.missing
    }
}

/// A threat's description: the text, written on demand. Displays and serializes as a string;
/// compares by its text. `to_string()` gives the text.
#[derive(Clone)]
pub struct Description(Repr);

#[derive(Clone)]
enum Repr {
    /// Literal text (a report read back from JSON, or a description a host made).
    Text(String),
    /// A template and its values: the names of the slots come from `elements` (the threat's
    /// elements, the same shared list, see [`slot_name`]); `data` and `missing` are the threat's
    /// shared lists of data asset names and missing mitigations, when the template uses them.
    Filled {
        template: Arc<Template>,
        elements: Arc<[ElementRef]>,
        /// `{flow}` shows the flow's id: it has no declared name (its element shows
        /// `source → target`).
        flow_by_id: bool,
        data: Option<Arc<[Arc<str>]>>,
        missing: Option<Arc<[Arc<str>]>>,
    },
}

/// The name a slot shows, from the elements of a threat: `{self}` is the component of a threat
/// on a component; `{flow}`, `{source}` and `{target}` are the flow and its endpoints of a
/// threat on a flow; `{zone}` and `{asset}` are the zone and the data asset in the list. A slot
/// the elements do not name writes nothing.
fn slot_name(elements: &[ElementRef], slot: Slot, flow_by_id: bool) -> Option<&str> {
    let first = elements.first()?;
    let of_flow = first.kind == ElementRefKind::Flow;
    let element = match slot {
        Slot::Self_ => Some(first).filter(|e| e.kind == ElementRefKind::Component),
        Slot::Flow if flow_by_id => return of_flow.then_some(&*first.id),
        Slot::Flow => Some(first).filter(|_| of_flow),
        Slot::Source => elements.get(1).filter(|_| of_flow),
        Slot::Target => elements.get(2).filter(|_| of_flow),
        Slot::Zone => elements.iter().find(|e| e.kind == ElementRefKind::Zone),
        Slot::Asset => elements.iter().find(|e| e.kind == ElementRefKind::DataAsset),
    };
    element.map(|e| &*e.name)
}

impl Description {
    /// A description made of `template` and its values: the slots' names from `elements` (see
    /// [`slot_name`]; `flow_by_id`: `{flow}` shows the flow's id), the data assets at stake and
    /// the missing mitigations.
    pub(crate) fn filled(
        template: Arc<Template>,
        elements: &Arc<[ElementRef]>,
        flow_by_id: bool,
        data: &Arc<[Arc<str>]>,
        missing: &Arc<[Arc<str>]>,
    ) -> Description {
        let data = template.uses_data().then(|| data.clone());
        let missing = template.uses_missing().then(|| missing.clone());
        Description(Repr::Filled { template, elements: elements.clone(), flow_by_id, data, missing })
    }

    /// Writes the text piece by piece.
    fn write_to(&self, out: &mut dyn fmt::Write) -> fmt::Result {
        let (template, elements, flow_by_id, data, missing) = match &self.0 {
            Repr::Text(t) => return out.write_str(t),
            Repr::Filled { template, elements, flow_by_id, data, missing } => {
                (template, elements, *flow_by_id, data.as_deref(), missing.as_deref())
            }
        };
        let list = |out: &mut dyn fmt::Write, items: &[Arc<str>], empty: &str| -> fmt::Result {
            if items.is_empty() {
                return out.write_str(empty);
            }
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.write_str(", ")?;
                }
                out.write_str(item)?;
            }
            Ok(())
        };
        for piece in template.pieces.iter() {
            match *piece {
                Piece::Text(from, to) => out.write_str(template.text.get(from..to).unwrap_or_default())?,
                Piece::Slot(s) => out.write_str(slot_name(elements, s, flow_by_id).unwrap_or(""))?,
                Piece::Data => list(out, data.unwrap_or(&[]), "no declared data asset")?,
                Piece::Missing => list(out, missing.unwrap_or(&[]), "none")?,
            }
        }
        Ok(())
    }

    /// Length of the text in bytes.
    pub fn len(&self) -> usize {
        struct Count(usize);
        impl fmt::Write for Count {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                self.0 += s.len();
                Ok(())
            }
        }
        let mut n = Count(0);
        let _ = self.write_to(&mut n);
        n.0
    }

    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Display for Description {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

impl fmt::Debug for Description {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_string(), f)
    }
}

impl Description {
    /// Whether the text is `other`, compared piece by piece.
    fn is(&self, other: &str) -> bool {
        struct Match<'a>(Option<&'a str>);
        impl fmt::Write for Match<'_> {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                self.0 = self.0.and_then(|rest| rest.strip_prefix(s));
                Ok(())
            }
        }
        let mut m = Match(Some(other));
        let _ = self.write_to(&mut m);
        m.0 == Some("")
    }
}

impl PartialEq for Description {
    fn eq(&self, other: &Description) -> bool {
        match (&self.0, &other.0) {
            (_, Repr::Text(b)) => self.is(b),
            (Repr::Text(a), _) => other.is(a),
            _ => self.is(&other.to_string()),
        }
    }
}

impl Eq for Description {}

impl PartialEq<str> for Description {
    fn eq(&self, other: &str) -> bool {
        self.is(other)
    }
}

impl PartialEq<&str> for Description {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl From<String> for Description {
    fn from(text: String) -> Description {
        Description(Repr::Text(text))
    }
}

impl From<&str> for Description {
    fn from(text: &str) -> Description {
        Description(Repr::Text(text.to_owned()))
    }
}

impl From<Description> for String {
    fn from(d: Description) -> String {
        match d.0 {
            Repr::Text(t) => t,
            Repr::Filled { .. } => d.to_string(),
        }
    }
}

impl serde::Serialize for Description {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Repr::Text(t) => s.serialize_str(t),
            // Written piece by piece into the output (serde_json escapes as it goes).
            Repr::Filled { .. } => s.collect_str(self),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Description {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Description, D::Error> {
        String::deserialize(d).map(Description::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arc(s: &str) -> Arc<str> {
        Arc::from(s)
    }

    fn element(kind: ElementRefKind, id: &str, name: &str) -> ElementRef {
        ElementRef { id: arc(id), kind, name: arc(name) }
    }

    fn flow(name: &str) -> Arc<[ElementRef]> {
        Arc::from([
            element(ElementRefKind::Flow, "f1", name),
            element(ElementRefKind::Component, "w", "web"),
            element(ElementRefKind::Component, "d", "db"),
        ])
    }

    #[test]
    fn fills_slots_lists_and_leaves_unknown_placeholders_out() {
        let t = Arc::new(Template::parse(
            "{flow}: {source} sends {data} to {target} in {zone}{self}{bogus}; missing: {missing}. {",
        ));
        let d = Description::filled(
            t.clone(),
            &flow("orders"),
            false,
            &Arc::from([arc("cards"), arc("users")]),
            &Arc::from([arc("tls")]),
        );
        assert_eq!(d.to_string(), "orders: web sends cards, users to db in ; missing: tls. {");
        assert_eq!(d.len(), d.to_string().len());
        assert_eq!(d, "orders: web sends cards, users to db in ; missing: tls. {");
        // A flow without a declared name shows its id, not its element's `source → target`.
        let d = Description::filled(t, &flow("web → db"), true, &Arc::from([]), &Arc::from([]));
        assert_eq!(d.to_string(), "f1: web sends no declared data asset to db in ; missing: none. {");
    }

    #[test]
    fn slots_come_from_the_elements_of_the_subject() {
        let t = Arc::new(Template::parse("[{self}|{zone}|{asset}|{source}|{flow}]"));
        let fill = |elements: &[ElementRef]| {
            Description::filled(t.clone(), &Arc::from(elements), false, &Arc::from([]), &Arc::from([])).to_string()
        };
        let api = element(ElementRefKind::Component, "api", "API");
        let dmz = element(ElementRefKind::Zone, "dmz", "DMZ");
        assert_eq!(fill(std::slice::from_ref(&api)), "[API||||]");
        assert_eq!(fill(&[api, dmz.clone()]), "[API|DMZ|||]");
        assert_eq!(fill(&[dmz]), "[|DMZ|||]");
        assert_eq!(fill(&[element(ElementRefKind::DataAsset, "cards", "Cards")]), "[||Cards||]");
        assert_eq!(fill(&[]), "[||||]");
    }

    #[test]
    fn empty_lists_say_so() {
        let t = Arc::new(Template::parse("{self}: {data} / {missing}"));
        let api = Arc::from([element(ElementRefKind::Component, "api", "api")]);
        let d = Description::filled(t, &api, false, &Arc::from([]), &Arc::from([]));
        assert_eq!(d.to_string(), "api: no declared data asset / none");
    }

    #[test]
    fn serializes_as_a_string_and_reads_back_equal() -> Result<(), serde_json::Error> {
        let t = Arc::new(Template::parse("\"{self}\"\n"));
        let a = Arc::from([element(ElementRefKind::Component, "a", "a\\b")]);
        let d = Description::filled(t, &a, false, &Arc::from([]), &Arc::from([]));
        let json = serde_json::to_string(&d)?;
        assert_eq!(json, r#""\"a\\b\"\n""#);
        let back: Description = serde_json::from_str(&json)?;
        assert_eq!(back, d);
        Ok(())
    }
}
