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
    fn sorted<T>(items: &[T], key: impl Fn(&T) -> String) -> Vec<&T> {
        let mut v: Vec<(String, &T)> = items.iter().map(|t| (key(t), t)).collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v.into_iter().map(|(_, t)| t).collect()
    }
    let mut w = HashWriter(Sha256::new());
    let mut header = model.clone_header();
    header.format_version = Some(model::FORMAT_VERSION);
    let _ = serde_json::to_writer(&mut w, &header);
    for (tag, items) in [
        (
            "zones",
            sorted(&model.zones, |z| z.id.clone())
                .into_iter()
                .map(|z| serde_json::to_value(z).unwrap_or_default())
                .collect::<Vec<_>>(),
        ),
        (
            "components",
            sorted(&model.components, |c| c.id.clone())
                .into_iter()
                .map(|c| serde_json::to_value(c).unwrap_or_default())
                .collect(),
        ),
        (
            "data_assets",
            sorted(&model.data_assets, |d| d.id.clone())
                .into_iter()
                .map(|d| serde_json::to_value(d).unwrap_or_default())
                .collect(),
        ),
        (
            "flows",
            sorted(&model.flows, model::Flow::effective_id)
                .into_iter()
                .map(|f| serde_json::to_value(f).unwrap_or_default())
                .collect(),
        ),
        (
            "assumptions",
            sorted(&model.assumptions, |a| a.id.clone())
                .into_iter()
                .map(|a| serde_json::to_value(a).unwrap_or_default())
                .collect(),
        ),
    ] {
        w.0.update(tag.as_bytes());
        for v in items {
            let _ = serde_json::to_writer(&mut w, &v);
            w.0.update(b"\n");
        }
    }
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
