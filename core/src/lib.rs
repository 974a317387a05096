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
pub use scoring::{SecurityProperty, Severity, ThreatStatus};

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
    let flow_ids: Vec<_> = model.flows.iter().map(model::Flow::effective_id_ref).collect();
    let flow_id = |i: usize| flow_ids.get(i).map_or("", AsRef::as_ref);
    let order = ModelOrder {
        components: model::order_by_key(model.components.len(), |i| {
            model.components.get(i).map_or("", |c| c.id.as_str())
        }),
        data_assets: model::order_by_key(model.data_assets.len(), |i| {
            model.data_assets.get(i).map_or("", |d| d.id.as_str())
        }),
        flows: model::order_by_key(model.flows.len(), flow_id),
    };
    model_hash_in(model, &order)
}

/// Components, data assets and flows in id order (indices), for [`model_hash_in`].
pub(crate) struct ModelOrder {
    pub components: Vec<u32>,
    pub data_assets: Vec<u32>,
    pub flows: Vec<u32>,
}

/// [`model_hash`] given the id orders of the large collections (the analysis has them already).
pub(crate) fn model_hash_in(model: &Model, order: &ModelOrder) -> String {
    /// Serializes into a buffer and hashes it in large blocks (serde_json writes a few bytes at
    /// a time; hashing each write would cost more than the serialization).
    struct HashWriter {
        hash: Sha256,
        buf: Vec<u8>,
    }
    impl HashWriter {
        fn item<T: serde::Serialize>(&mut self, item: &T) {
            let _ = serde_json::to_writer(&mut self.buf, item);
            self.bytes(b"\n");
        }
        fn bytes(&mut self, b: &[u8]) {
            self.buf.extend_from_slice(b);
            if self.buf.len() >= 1 << 16 {
                self.hash.update(&self.buf);
                self.buf.clear();
            }
        }
        /// `tag`, then the items in `order`.
        fn items<T: serde::Serialize>(&mut self, tag: &str, items: &[T], order: &[u32]) {
            self.bytes(tag.as_bytes());
            for &i in order {
                if let Some(item) = items.get(i as usize) {
                    self.item(item);
                }
            }
        }
    }
    let mut w = HashWriter { hash: Sha256::new(), buf: Vec::with_capacity(1 << 17) };
    let mut header = model.clone_header();
    header.format_version = Some(model::FORMAT_VERSION);
    let _ = serde_json::to_writer(&mut w.buf, &header);
    let zones = model::order_by_key(model.zones.len(), |i| model.zones.get(i).map_or("", |z| z.id.as_str()));
    w.items("zones", &model.zones, &zones);
    w.items("components", &model.components, &order.components);
    w.items("data_assets", &model.data_assets, &order.data_assets);
    w.items("flows", &model.flows, &order.flows);
    let assumptions =
        model::order_by_key(model.assumptions.len(), |i| model.assumptions.get(i).map_or("", |a| a.id.as_str()));
    w.items("assumptions", &model.assumptions, &assumptions);
    w.hash.update(&w.buf);
    let digest = w.hash.finalize();
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
