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

/// An enum of fixed snake_case names, as models and reports write them: `ALL`, `as_str`,
/// `Display`, and equality with the names (`status == "open"`).
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        pub enum $name { $($(#[$vmeta])* #[serde(rename = $text)] $variant,)* }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];
            /// Every name, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($text,)*];
            /// The name models and reports use.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
    };
}

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

#[cfg(test)]
mod tests {
    use crate::catalog::{EntryStatus, EvidenceKind};
    use crate::graph::Crossing;
    use crate::model::{
        Authentication, Authorization, Classification, ComponentType, ControlStatus, ElementKind, Environment,
        Quantity, ZoneKind,
    };
    use crate::report::{AssumptionSource, ElementRefKind};
    use crate::rules::{Effect, Linddun, Stride};
    use crate::scoring::{SecurityProperty, ThreatStatus};
    use std::fmt::{Debug, Display};

    /// `all` has these names, in this order, and each is written and read back by its name.
    fn named<T>(all: &[T], names: &[&str], name: impl Fn(T) -> &'static str) -> Result<(), serde_json::Error>
    where
        T: Copy + PartialEq + for<'a> PartialEq<&'a str> + Debug + Display,
        T: serde::Serialize + serde::de::DeserializeOwned,
    {
        assert_eq!(all.iter().map(|v| name(*v)).collect::<Vec<_>>(), names);
        for (&v, &n) in all.iter().zip(names) {
            assert_eq!(serde_json::to_string(&v)?, format!("\"{n}\""));
            assert_eq!(serde_json::from_str::<T>(&format!("\"{n}\""))?, v);
            assert_eq!(v.to_string(), n);
            assert!(v == n && v != "no_such_name");
        }
        // A name this version does not know is an error, not a guess.
        assert!(serde_json::from_str::<T>("\"no_such_name\"").is_err());
        Ok(())
    }

    #[test]
    fn named_enums_write_and_read_their_names() -> Result<(), serde_json::Error> {
        named(ThreatStatus::ALL, &["open", "partially_mitigated", "mitigated"], ThreatStatus::as_str)?;
        named(
            SecurityProperty::ALL,
            &["confidentiality", "integrity", "availability", "authenticity", "authorization"],
            SecurityProperty::as_str,
        )?;
        named(ControlStatus::ALL, &["planned", "implemented", "verified"], ControlStatus::as_str)?;
        named(AssumptionSource::ALL, &["declared", "automatic"], AssumptionSource::as_str)?;
        named(
            Effect::ALL,
            &["preventive_strong", "preventive_partial", "impact_limiting", "impact_limiting_strong", "detective"],
            Effect::as_str,
        )?;
        let logins = [
            "none",
            "password",
            "session",
            "token",
            "api_key",
            "mtls",
            "oidc",
            "saml",
            "kerberos",
            "ssh_key",
            "signed_request",
            "workload_identity",
            "certificate",
        ];
        named(Authentication::ALL, &logins, Authentication::as_str)?;
        named(Crossing::ALL, &["none", "up", "down", "lateral"], Crossing::as_str)?;
        // The model's vocabularies the rule language compares by index (`rules::ast`'s lists).
        named(ElementKind::ALL, &["external_entity", "process", "data_store"], ElementKind::as_str)?;
        let zone_kinds = [
            "internet",
            "dmz",
            "internal",
            "restricted",
            "third_party",
            "cloud_account",
            "ci",
            "user_workstation",
            "management",
            "partner",
        ];
        named(ZoneKind::ALL, &zone_kinds, ZoneKind::as_str)?;
        let environments = ["production", "staging", "test", "development", "analytics", "training"];
        named(Environment::ALL, &environments, Environment::as_str)?;
        named(Authorization::ALL, &["none", "authenticated", "role_based", "object_level"], Authorization::as_str)?;
        named(Classification::ALL, &["public", "internal", "confidential", "restricted"], Classification::as_str)?;
        named(Quantity::ALL, &["few", "many", "very_many"], Quantity::as_str)?;
        // Component types are named once, in `component_types!`: written and read by those names.
        named(ComponentType::ALL, ComponentType::NAMES, ComponentType::as_str)?;
        // Rule files' categories, the report's element kinds, the catalogs' vocabularies.
        let stride = [
            "spoofing",
            "tampering",
            "repudiation",
            "information_disclosure",
            "denial_of_service",
            "elevation_of_privilege",
        ];
        named(Stride::ALL, &stride, Stride::as_str)?;
        let linddun = [
            "linking",
            "identifying",
            "non_repudiation",
            "detecting",
            "data_disclosure",
            "unawareness",
            "non_compliance",
        ];
        named(Linddun::ALL, &linddun, Linddun::as_str)?;
        named(ElementRefKind::ALL, &["component", "flow", "zone", "data_asset"], ElementRefKind::as_str)?;
        named(EntryStatus::ALL, &["active", "revoked", "deprecated", "withdrawn"], EntryStatus::as_str)?;
        let evidence = [
            "architecture",
            "data_flows",
            "trust_boundaries",
            "data_inventory",
            "threat_register",
            "privacy_threats",
            "attack_mapping",
            "risk_rating",
            "residual_risk",
            "control_mapping",
            "assumptions",
            "methodology",
            "provenance",
        ];
        named(EvidenceKind::ALL, &evidence, EvidenceKind::as_str)?;
        Ok(())
    }
}
