//! A threat's description. The engine keeps it as its rule's template and the names that fill the
//! template's placeholders, and writes the text when the report is serialized or displayed: a
//! 100k-component report has about 110 MB of description text that it never needs to hold.

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
    /// A template and its values: `names` holds the slots the template uses that the threat
    /// fills (bits of `filled`, in slot order); `data` and `missing` are the threat's shared
    /// lists of data asset names and missing mitigations, when the template uses them.
    Filled {
        template: Arc<Template>,
        filled: u8,
        names: Box<[Arc<str>]>,
        data: Option<Arc<[Arc<str>]>>,
        missing: Option<Arc<[Arc<str>]>>,
    },
}

impl Description {
    /// A description made of `template` and its values; `slots` are the threat's values for the
    /// slots the template uses (others are left out), in slot order.
    pub(crate) fn filled(
        template: Arc<Template>,
        slots: &[(Slot, Arc<str>)],
        data: &Arc<[Arc<str>]>,
        missing: &Arc<[Arc<str>]>,
    ) -> Description {
        let mut filled = 0u8;
        // Exactly the names kept (a boxed slice of a longer list would be copied again).
        let used = slots.iter().filter(|(s, _)| template.slots & (1 << *s as u8) != 0).count();
        let mut names = Vec::with_capacity(used);
        // In slot order, whatever the order of `slots`: a slot's name is found by its rank.
        for bit in 0..8u8 {
            if let Some((_, name)) = slots.iter().find(|(s, _)| *s as u8 == bit)
                && template.slots & (1 << bit) != 0
                && filled & (1 << bit) == 0
            {
                filled |= 1 << bit;
                names.push(name.clone());
            }
        }
        let data = template.uses_data().then(|| data.clone());
        let missing = template.uses_missing().then(|| missing.clone());
        Description(Repr::Filled { template, filled, names: names.into(), data, missing })
    }

    /// Writes the text piece by piece.
    fn write_to(&self, out: &mut dyn fmt::Write) -> fmt::Result {
        let (template, filled, names, data, missing) = match &self.0 {
            Repr::Text(t) => return out.write_str(t),
            Repr::Filled { template, filled, names, data, missing } => {
                (template, *filled, names, data.as_deref(), missing.as_deref())
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
                Piece::Slot(s) => {
                    let bit = 1u8 << s as u8;
                    if filled & bit != 0 {
                        // Position among the filled slots: the filled slots below this one.
                        let at = (filled & (bit - 1)).count_ones() as usize;
                        out.write_str(names.get(at).map_or("", |n| n))?;
                    }
                }
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

    #[test]
    fn fills_slots_lists_and_leaves_unknown_placeholders_out() {
        let t = Arc::new(Template::parse("{source} sends {data} to {target} in {zone}{bogus}; missing: {missing}. {"));
        let d = Description::filled(
            t,
            &[(Slot::Flow, arc("f")), (Slot::Source, arc("web")), (Slot::Target, arc("db"))],
            &Arc::from([arc("cards"), arc("users")]),
            &Arc::from([arc("tls")]),
        );
        assert_eq!(d.to_string(), "web sends cards, users to db in ; missing: tls. {");
        assert_eq!(d.len(), d.to_string().len());
        assert_eq!(d, "web sends cards, users to db in ; missing: tls. {");
    }

    #[test]
    fn empty_lists_say_so() {
        let t = Arc::new(Template::parse("{self}: {data} / {missing}"));
        let d = Description::filled(t, &[(Slot::Self_, arc("api"))], &Arc::from([]), &Arc::from([]));
        assert_eq!(d.to_string(), "api: no declared data asset / none");
    }

    #[test]
    fn serializes_as_a_string_and_reads_back_equal() -> Result<(), serde_json::Error> {
        let t = Arc::new(Template::parse("\"{self}\"\n"));
        let d = Description::filled(t, &[(Slot::Self_, arc("a\\b"))], &Arc::from([]), &Arc::from([]));
        let json = serde_json::to_string(&d)?;
        assert_eq!(json, r#""\"a\\b\"\n""#);
        let back: Description = serde_json::from_str(&json)?;
        assert_eq!(back, d);
        Ok(())
    }
}
