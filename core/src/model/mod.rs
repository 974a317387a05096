//! The architecture model: types, loading from JSON/YAML, validation.

mod load;
mod types;
mod validate;

pub use load::{Format, MAX_INPUT_BYTES, parse_model};
pub(crate) use load::{parse_document, serde_diag};
pub use types::*;
pub use validate::{TokenVocabulary, is_date, validate};

impl Model {
    /// Parses and checks structure (use [`validate`] or an engine for the rest).
    pub fn from_str(text: &str, format: Format) -> crate::Result<Model> {
        parse_model(text, format)
    }
    /// Parses JSON.
    pub fn from_json(text: &str) -> crate::Result<Model> {
        parse_model(text, Format::Json)
    }
    /// Parses YAML.
    pub fn from_yaml(text: &str) -> crate::Result<Model> {
        parse_model(text, Format::Yaml)
    }
}
