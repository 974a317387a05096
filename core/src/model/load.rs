//! Reading a model from JSON or YAML text. A valid document takes one typed pass; an invalid one
//! is read again element by element so that every structural problem is reported at once, each
//! with its path (`flows[3].encrypted`).

use super::types::{Assumption, Component, DataAsset, Flow, Model, Zone};
use crate::error::{Diagnostic, Error, Result, suggestion};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Largest model text accepted (bytes).
pub const MAX_INPUT_BYTES: usize = 512 * 1024 * 1024;

/// A document format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Json,
    Yaml,
}

impl Format {
    /// Guesses the format from a file name (`.json` is JSON, anything else YAML).
    pub fn from_path(path: &str) -> Format {
        if path.to_ascii_lowercase().ends_with(".json") { Format::Json } else { Format::Yaml }
    }
    /// Guesses the format from the text: JSON documents start with `{`.
    pub fn sniff(text: &str) -> Format {
        if text.trim_start().starts_with('{') { Format::Json } else { Format::Yaml }
    }
    /// Parses `json` or `yaml` (`yml`).
    pub fn parse(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "json" => Some(Format::Json),
            "yaml" | "yml" => Some(Format::Yaml),
            _ => None,
        }
    }
}

/// Parses a model (structure only; see [`crate::model::validate`] for references and values).
pub fn parse_model(text: &str, format: Format) -> Result<Model> {
    let mut model: Model = parse_document(text, format, "model", collect_model_errors)?;
    for flow in &mut model.flows {
        if flow.id.is_none() {
            flow.generated_id = true;
        }
    }
    Ok(model)
}

/// Parses any document type with the two-pass strategy. `family` prefixes error codes
/// (`model.syntax`, `rule.syntax`, ...); `collect` reports every structural problem of a value
/// that failed the typed pass.
pub(crate) fn parse_document<T: DeserializeOwned>(
    text: &str,
    format: Format,
    family: &str,
    collect: fn(&Value, &str) -> Vec<Diagnostic>,
) -> Result<T> {
    let wrap = |d: Vec<Diagnostic>| match family {
        "rule" => Error::Rule(d),
        "catalog" => Error::Catalog(d),
        _ => Error::Model(d),
    };
    if text.len() > MAX_INPUT_BYTES {
        return Err(wrap(vec![Diagnostic::new(
            &format!("{family}.too_large"),
            "",
            format!("document is {} bytes; the limit is {MAX_INPUT_BYTES}", text.len()),
        )]));
    }
    let first_error = match format {
        Format::Json => {
            // The fast path: plain serde_json. Only a document it refuses is parsed again with
            // path tracking, to report where the error is.
            if let Ok(v) = serde_json::from_str::<T>(text) {
                return Ok(v);
            }
            let mut de = serde_json::Deserializer::from_str(text);
            match serde_path_to_error::deserialize::<_, T>(&mut de) {
                Ok(v) => match de.end() {
                    Ok(()) => return Ok(v),
                    // Trailing characters: the syntax check below reports them.
                    Err(e) => (String::new(), e.to_string()),
                },
                Err(e) => (e.path().to_string(), e.inner().to_string()),
            }
        }
        Format::Yaml => {
            let value = yaml_value(text).map_err(|d| wrap(vec![d.with_family(family)]))?;
            match serde_path_to_error::deserialize::<_, T>(&value) {
                Ok(v) => return Ok(v),
                Err(e) => {
                    let mut diags = collect(&value, family);
                    if diags.is_empty() {
                        diags.push(serde_diag(family, "", &e.path().to_string(), &e.inner().to_string()));
                    }
                    return Err(wrap(diags));
                }
            }
        }
    };
    // JSON that failed the typed pass: syntax error, or structural errors to collect.
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            return Err(wrap(vec![Diagnostic::new(
                &format!("{family}.syntax"),
                "",
                format!("invalid JSON at line {} column {}: {}", e.line(), e.column(), strip_position(&e.to_string())),
            )]));
        }
    };
    let mut diags = collect(&value, family);
    if diags.is_empty() {
        diags.push(serde_diag(family, "", &first_error.0, &first_error.1));
    }
    Err(wrap(diags))
}

struct SyntaxDiag(Diagnostic);

impl SyntaxDiag {
    fn with_family(self, family: &str) -> Diagnostic {
        let mut d = self.0;
        d.code = format!("{family}.syntax");
        d
    }
}

fn yaml_value(text: &str) -> std::result::Result<Value, SyntaxDiag> {
    if text.trim().is_empty() {
        return Err(SyntaxDiag(Diagnostic::new("syntax", "", "document is empty")));
    }
    // YAML 1.2 booleans only: `n`, `no`, `off` stay strings (a zone named `NO` is not `false`).
    // Node and event budgets grow with the input (a YAML node takes at least one byte), so large
    // models parse while alias expansion stays capped by the default alias limits.
    let budget = serde_saphyr::budget! {
        max_nodes: text.len().max(250_000),
        max_events: text.len().saturating_mul(2).max(1_000_000),
    };
    let options = serde_saphyr::options! { strict_booleans: true, budget: budget };
    serde_saphyr::from_str_with_options::<Value>(text, options).map_err(|e| {
        let msg = e.to_string();
        let first = msg.lines().next().unwrap_or("").trim().to_owned();
        SyntaxDiag(Diagnostic::new("syntax", "", format!("invalid YAML: {}", lower_first(&first))))
    })
}

/// Every structural problem of a model document.
fn collect_model_errors(value: &Value, family: &str) -> Vec<Diagnostic> {
    let Some(obj) = value.as_object() else {
        return vec![Diagnostic::new(
            &format!("{family}.invalid_type"),
            "",
            format!("a model must be a mapping with `title`, `components`, `flows`, ...; found {}", kind_of(value)),
        )];
    };
    let mut diags = Vec::new();
    // The header: everything but the element lists.
    let lists = ["zones", "components", "data_assets", "flows", "assumptions"];
    let mut header = obj.clone();
    for l in lists {
        if let Some(v) = header.get_mut(l)
            && v.is_array()
        {
            *v = Value::Array(Vec::new());
        }
    }
    if let Err(e) = serde_path_to_error::deserialize::<_, Model>(&Value::Object(header)) {
        diags.push(serde_diag(family, "", &e.path().to_string(), &e.inner().to_string()));
    }
    check_list::<Zone>(obj, "zones", family, &mut diags);
    check_list::<Component>(obj, "components", family, &mut diags);
    check_list::<DataAsset>(obj, "data_assets", family, &mut diags);
    check_list::<Flow>(obj, "flows", family, &mut diags);
    check_list::<Assumption>(obj, "assumptions", family, &mut diags);
    diags
}

/// Deserializes each item of `obj[key]` on its own, recording each failure with its path.
pub(crate) fn check_list<T: DeserializeOwned>(
    obj: &serde_json::Map<String, Value>,
    key: &str,
    family: &str,
    diags: &mut Vec<Diagnostic>,
) {
    if let Some(Value::Array(items)) = obj.get(key) {
        for (i, item) in items.iter().enumerate() {
            if let Err(e) = serde_path_to_error::deserialize::<_, T>(item) {
                diags.push(serde_diag(family, &format!("{key}[{i}]"), &e.path().to_string(), &e.inner().to_string()));
            }
        }
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

/// Turns a serde error into a diagnostic with a stable code.
pub(crate) fn serde_diag(family: &str, prefix: &str, inner_path: &str, msg: &str) -> Diagnostic {
    let msg = strip_position(msg);
    let inner_path = if inner_path == "." { "" } else { inner_path };
    let mut path: String = match (prefix.is_empty(), inner_path.is_empty()) {
        (true, _) => inner_path.to_owned(),
        (false, true) => prefix.to_owned(),
        (false, false) if inner_path.starts_with('[') => format!("{prefix}{inner_path}"),
        (false, false) => format!("{prefix}.{inner_path}"),
    };
    let (code, message) = if let Some(rest) = msg.strip_prefix("unknown field ") {
        let (name, allowed) = split_expected(rest);
        // Point at the field itself (serde_path_to_error already does for nested values).
        if !name.is_empty() && !path.ends_with(&name) {
            path = if path.is_empty() { name.clone() } else { format!("{path}.{name}") };
        }
        (
            "unknown_field",
            format!(
                "unknown field `{name}`{}{}",
                suggestion(&name, allowed.iter().map(String::as_str)),
                allowed_list(&allowed)
            ),
        )
    } else if let Some(rest) = msg.strip_prefix("unknown variant ") {
        let (name, allowed) = split_expected(rest);
        (
            "unknown_value",
            format!(
                "unknown value `{name}`{}{}",
                suggestion(&name, allowed.iter().map(String::as_str)),
                allowed_list(&allowed)
            ),
        )
    } else if let Some(rest) = msg.strip_prefix("missing field ") {
        let name = rest.trim_matches('`').to_owned();
        ("missing_field", format!("missing required field `{name}`"))
    } else if let Some(rest) = msg.strip_prefix("invalid type: ") {
        let (found, expected) = rest.rsplit_once(", expected ").unwrap_or((rest, "another type"));
        ("invalid_type", format!("expected {expected}, found {found}"))
    } else if msg.starts_with("invalid value") || msg.starts_with("invalid length") {
        ("invalid_value", msg.clone())
    } else if msg.starts_with("duplicate field") {
        ("duplicate_field", msg.clone())
    } else {
        ("invalid", msg.clone())
    };
    Diagnostic::new(&format!("{family}.{code}"), path, message)
}

fn allowed_list(allowed: &[String]) -> String {
    if allowed.is_empty() { String::new() } else { format!(" (allowed: {})", allowed.join(", ")) }
}

/// Splits "`x`, expected one of `a`, `b`" into ("x", ["a", "b"]).
fn split_expected(rest: &str) -> (String, Vec<String>) {
    let mut parts = rest.splitn(2, ", expected");
    let name = parts.next().unwrap_or("").trim().trim_matches('`').to_owned();
    let allowed = parts
        .next()
        .map(|s| s.split('`').enumerate().filter(|(i, _)| i % 2 == 1).map(|(_, t)| t.to_owned()).collect())
        .unwrap_or_default();
    (name, allowed)
}
