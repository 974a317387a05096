//! [`ThreatId`]: a threat's id, kept inline.

use compact_str::CompactString;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};
use std::borrow::{Borrow, Cow};
use std::fmt;
use std::ops::Deref;

/// A threat's id: `TG-` and 16 hex digits for the engine's threats, any text for a report read
/// back from JSON. Ids of up to 24 bytes are kept inline (no heap allocation), so a large
/// report's ids, and the assumptions register's links to them, cost no allocation each.
/// It reads like a `&str` (`as_str`, `Deref`, comparisons with strings) and is a JSON string.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ThreatId(CompactString);

impl ThreatId {
    /// An id with this text.
    pub fn new(text: &str) -> ThreatId {
        ThreatId(CompactString::new(text))
    }
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl Deref for ThreatId {
    type Target = str;
    fn deref(&self) -> &str {
        self.0.as_str()
    }
}

impl AsRef<str> for ThreatId {
    fn as_ref(&self) -> &str {
        self.0.as_str()
    }
}

impl Borrow<str> for ThreatId {
    fn borrow(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Display for ThreatId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl From<&str> for ThreatId {
    fn from(text: &str) -> ThreatId {
        ThreatId::new(text)
    }
}

impl From<String> for ThreatId {
    fn from(text: String) -> ThreatId {
        ThreatId(CompactString::from(text))
    }
}

impl From<ThreatId> for String {
    fn from(id: ThreatId) -> String {
        id.0.into_string()
    }
}

impl PartialEq<str> for ThreatId {
    fn eq(&self, other: &str) -> bool {
        self.0.as_str() == other
    }
}

impl PartialEq<&str> for ThreatId {
    fn eq(&self, other: &&str) -> bool {
        self.0.as_str() == *other
    }
}

impl PartialEq<String> for ThreatId {
    fn eq(&self, other: &String) -> bool {
        self.0.as_str() == other.as_str()
    }
}

impl PartialEq<ThreatId> for &str {
    fn eq(&self, other: &ThreatId) -> bool {
        *self == other.0.as_str()
    }
}

/// The JSON Schema of a string, like `String`'s.
impl JsonSchema for ThreatId {
    fn inline_schema() -> bool {
        String::inline_schema()
    }
    fn schema_name() -> Cow<'static, str> {
        String::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        String::schema_id()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        String::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_compares_and_serializes_as_a_string() {
        let id = ThreatId::new("TG-6b46507fa7727b18");
        assert_eq!(id.as_str(), "TG-6b46507fa7727b18");
        assert_eq!(id, "TG-6b46507fa7727b18");
        assert_eq!(id.len(), 19);
        assert_eq!(id.to_string(), "TG-6b46507fa7727b18");
        assert_eq!(serde_json::to_string(&id).ok().as_deref(), Some("\"TG-6b46507fa7727b18\""));
        // Any text, also longer than the inline capacity, reads back as it was written.
        let long = "a threat id from another tool, longer than twenty-four bytes";
        let back: Result<ThreatId, _> = serde_json::from_str(&serde_json::to_string(long).unwrap_or_default());
        assert_eq!(back.ok().as_deref(), Some(long));
        assert!(serde_json::from_str::<ThreatId>("7").is_err());
        assert_eq!(
            serde_json::to_value(schemars::schema_for!(ThreatId)).ok().and_then(|s| s.get("type").cloned()),
            Some(serde_json::json!("string"))
        );
    }
}
