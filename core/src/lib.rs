//! threatgraph: an embeddable threat-modeling engine.
//!
//! Architecture model (components, flows, zones, data assets) → STRIDE/LINDDUN threats from
//! declarative rules → MITRE ATT&CK techniques and NIST SP 800-53 / ISO 27001 / CIS controls →
//! explained severity (inherent and residual) → an auditor-ready report.
//!
//! ```
//! let model = threatgraph::Model::from_yaml(r#"
//! title: Tiny shop
//! zones:
//!   - {id: internet, kind: internet}
//!   - {id: app, kind: internal}
//! components:
//!   - {id: browser, type: browser, zone: internet}
//!   - {id: shop, type: web_app, zone: app, controls: []}
//! data_assets:
//!   - {id: card, classification: restricted, tags: [pci_chd]}
//! flows:
//!   - {id: checkout, source: browser, target: shop, protocol: http, data: [card]}
//! "#)?;
//! let engine = threatgraph::Engine::bundled()?;
//! let report = engine.analyze(&model)?;
//! assert!(report.threats.iter().any(|t| t.rule.id == "TM-002"));
//! # Ok::<(), threatgraph::Error>(())
//! ```

#![forbid(unsafe_code)]

/// The README's Rust examples, compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

pub mod api;
pub mod catalog;
pub mod engine;
pub mod error;
pub mod graph;
pub mod model;
pub mod report;
pub mod rules;
pub mod scoring;

pub use catalog::Catalogs;
pub use engine::{Engine, EngineOptions};
pub use error::{Diagnostic, Error, Result};
pub use model::{Format, Model};
pub use report::Report;
pub use scoring::Severity;

use sha2::{Digest, Sha256};

/// The version of this library.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The JSON Schema of the model format (what `catalogs/schema/model.schema.json` holds).
pub fn model_schema() -> String {
    let schema = schemars::schema_for!(Model);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}

/// `sha256:` of the model's canonical JSON: every collection sorted by id, so reordering the
/// model file does not change it.
pub fn model_hash(model: &Model) -> String {
    struct HashWriter(Sha256);
    impl std::io::Write for HashWriter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    fn write_sorted<T: serde::Serialize>(w: &mut HashWriter, tag: &str, items: &[T], key: impl Fn(&T) -> String) {
        let mut v: Vec<(String, &T)> = items.iter().map(|t| (key(t), t)).collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        w.0.update(tag.as_bytes());
        for (_, item) in v {
            let _ = serde_json::to_writer(&mut *w, item);
            w.0.update(b"\n");
        }
    }
    let mut w = HashWriter(Sha256::new());
    let mut header = model.clone_header();
    header.format_version = Some(model::FORMAT_VERSION);
    let _ = serde_json::to_writer(&mut w, &header);
    write_sorted(&mut w, "zones", &model.zones, |z| z.id.clone());
    write_sorted(&mut w, "components", &model.components, |c| c.id.clone());
    write_sorted(&mut w, "data_assets", &model.data_assets, |d| d.id.clone());
    write_sorted(&mut w, "flows", &model.flows, model::Flow::effective_id);
    write_sorted(&mut w, "assumptions", &model.assumptions, |a| a.id.clone());
    let digest = w.0.finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

impl Model {
    /// The model without its element lists.
    fn clone_header(&self) -> Model {
        Model {
            format_version: self.format_version,
            title: self.title.clone(),
            id: self.id.clone(),
            version: self.version.clone(),
            description: self.description.clone(),
            owner: self.owner.clone(),
            zones: Vec::new(),
            components: Vec::new(),
            data_assets: Vec::new(),
            flows: Vec::new(),
            assumptions: Vec::new(),
        }
    }
}
