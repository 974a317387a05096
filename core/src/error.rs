//! Errors: every problem has a stable machine code, a path into the input and a lower-case
//! message that quotes the user's input in backticks. Tests compare codes, never messages.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One problem found in a model, a rule file or a catalog.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Stable code, e.g. `model.unknown_reference`.
    pub code: String,
    /// Where: `flows[3].target`, `rules[2].when.all[0]`, or `` for the whole document.
    pub path: String,
    /// Lower-case, one sentence.
    pub message: String,
}

impl Diagnostic {
    pub fn new(code: &str, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic { code: code.to_owned(), path: path.into(), message: message.into() }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{} [{}]", self.message, self.code)
        } else {
            write!(f, "{}: {} [{}]", self.path, self.message, self.code)
        }
    }
}

/// Every error threatgraph returns.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The model is malformed or inconsistent: every problem found, at once.
    #[error("invalid model: {}", join(.0))]
    Model(Vec<Diagnostic>),
    /// A rule file is malformed or refers to unknown catalog entries.
    #[error("invalid rules: {}", join(.0))]
    Rule(Vec<Diagnostic>),
    /// A catalog file is malformed or inconsistent.
    #[error("invalid catalog: {}", join(.0))]
    Catalog(Vec<Diagnostic>),
    /// A request to the JSON API is malformed (bad option, unknown format).
    #[error("invalid request: {}", join(.0))]
    Request(Vec<Diagnostic>),
}

fn join(d: &[Diagnostic]) -> String {
    let shown: Vec<String> = d.iter().take(20).map(ToString::to_string).collect();
    let mut s = shown.join("; ");
    if d.len() > 20 {
        s.push_str(&format!("; and {} more", d.len() - 20));
    }
    s
}

impl Error {
    /// The problems, in a stable order.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Error::Model(d) | Error::Rule(d) | Error::Catalog(d) | Error::Request(d) => d,
        }
    }
    /// The code of the first problem (e.g. `model.unknown_reference`).
    pub fn code(&self) -> &str {
        self.diagnostics().first().map(|d| d.code.as_str()).unwrap_or(match self {
            Error::Model(_) => "model.invalid",
            Error::Rule(_) => "rule.invalid",
            Error::Catalog(_) => "catalog.invalid",
            Error::Request(_) => "request.invalid",
        })
    }
    /// The path of the first problem.
    pub fn path(&self) -> &str {
        self.diagnostics().first().map(|d| d.path.as_str()).unwrap_or("")
    }
    /// The error family: `model`, `rule`, `catalog` or `request`.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Model(_) => "model",
            Error::Rule(_) => "rule",
            Error::Catalog(_) => "catalog",
            Error::Request(_) => "request",
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// "did you mean" for a misspelt identifier: the closest candidate within a small edit distance.
pub fn did_you_mean<'a, I: IntoIterator<Item = &'a str>>(input: &str, candidates: I) -> Option<&'a str> {
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        let d = strsim::levenshtein(input, c);
        let limit = (input.chars().count().max(c.chars().count()) / 3).max(1);
        if d <= limit && best.is_none_or(|(bd, bc)| d < bd || (d == bd && c < bc)) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Appends `; did you mean `x`?` when a close candidate exists.
pub fn suggestion<'a, I: IntoIterator<Item = &'a str>>(input: &str, candidates: I) -> String {
    match did_you_mean(input, candidates) {
        Some(c) => format!("; did you mean `{c}`?"),
        None => String::new(),
    }
}
