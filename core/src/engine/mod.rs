//! The engine: an immutable, `Send + Sync` compiled rule set plus catalogs. Compile once,
//! analyze many models.

mod eval;
mod facts;
mod query;
mod threat;

pub use query::{ConsistencyRow, Entry, Item, Related, RetiredReference};

use crate::catalog::{BUNDLED_RULES, Catalogs};
use crate::error::Result;
use crate::model::{Model, TokenVocabulary, validate};
use crate::report::Report;
use crate::rules::{RuleFile, RuleSet};
use std::sync::{Arc, OnceLock};

pub(crate) use facts::Facts;

/// A compiled engine.
#[derive(Debug, Clone)]
pub struct Engine {
    catalogs: Arc<Catalogs>,
    rules: Arc<RuleSet>,
    infos: Arc<Vec<threat::RuleInfo>>,
}

/// Options for building an engine.
#[derive(Debug, Clone, Default)]
pub struct EngineOptions {
    /// Extra rule files `(name, text)`; a rule with an id already loaded replaces it.
    pub rule_files: Vec<(String, String)>,
    /// Leave out the bundled rule pack (use only `rule_files`).
    pub no_bundled_rules: bool,
    /// Catalog files `(name, text)`, named like the bundled ones (`attack/enterprise-attack.json`,
    /// `frameworks/frameworks.yaml`, ...): a file with a bundled name replaces that file, any
    /// other name adds to its catalog (see [`crate::catalog::BUNDLED_FILES`]).
    pub catalog_files: Vec<(String, String)>,
}

struct Vocab<'a>(&'a RuleSet);

impl TokenVocabulary for Vocab<'_> {
    fn is_known(&self, token: &str) -> bool {
        self.0.token_ids.contains_key(token)
    }
    fn tokens(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        Box::new(self.0.token_names.iter().map(String::as_str))
    }
}

impl Engine {
    /// The engine with the bundled catalogs and rule pack, compiled once per process.
    pub fn bundled() -> Result<Engine> {
        static ENGINE: OnceLock<Result<Engine>> = OnceLock::new();
        ENGINE.get_or_init(|| Engine::with_options(&EngineOptions::default())).clone()
    }

    /// An engine with the bundled catalogs and the given rules.
    pub fn with_options(opts: &EngineOptions) -> Result<Engine> {
        let catalogs = if opts.catalog_files.is_empty() {
            Catalogs::bundled()?
        } else {
            let mut files: Vec<(&str, &str)> = crate::catalog::BUNDLED_FILES
                .iter()
                .filter(|(name, _)| !opts.catalog_files.iter().any(|(n, _)| n == name))
                .copied()
                .collect();
            files.extend(opts.catalog_files.iter().map(|(n, t)| (n.as_str(), t.as_str())));
            Arc::new(Catalogs::from_files(&files)?)
        };
        let mut files = Vec::new();
        let mut errors = Vec::new();
        if !opts.no_bundled_rules {
            for (name, text) in BUNDLED_RULES {
                match RuleFile::parse(name, text) {
                    Ok(f) => files.push(f),
                    Err(e) => errors.extend(e.diagnostics().iter().cloned()),
                }
            }
        }
        for (name, text) in &opts.rule_files {
            match RuleFile::parse(name, text) {
                Ok(f) => files.push(f),
                Err(e) => errors.extend(e.diagnostics().iter().cloned()),
            }
        }
        if !errors.is_empty() {
            return Err(crate::Error::Rule(errors));
        }
        Engine::from_parts(catalogs, &files)
    }

    /// An engine from explicit catalogs and rule files.
    pub fn from_parts(catalogs: Arc<Catalogs>, files: &[RuleFile]) -> Result<Engine> {
        let rules = RuleSet::compile(files, &catalogs)?;
        let infos = threat::rule_infos(&rules, &catalogs);
        Ok(Engine { catalogs, rules: Arc::new(rules), infos: Arc::new(infos) })
    }

    pub fn catalogs(&self) -> &Catalogs {
        &self.catalogs
    }

    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// Validates a model against the engine's vocabulary (control tokens included).
    pub fn validate(&self, model: &Model) -> Result<()> {
        validate(model, Some(&Vocab(&self.rules)))
    }

    /// Validates and analyzes a model.
    pub fn analyze(&self, model: &Model) -> Result<Report> {
        let resolved = crate::model::validate_resolved(model, Some(&Vocab(&self.rules)))?;
        let facts = Facts::build(model, &self.rules, &resolved);
        drop(resolved);
        Ok(threat::run(facts, &self.rules, &self.catalogs, &self.infos))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fact index only skips work: with it disabled, every report is identical.
    #[test]
    fn fact_index_never_changes_a_report() {
        let engine = Engine::bundled().unwrap();
        let mut plain = (*engine.rules).clone();
        for r in &mut plain.rules {
            r.requires = 0;
            r.endpoints = [crate::rules::EndpointMask::ANY; 2];
            r.flow = crate::rules::FlowNeeds::default();
        }
        let unindexed =
            Engine { catalogs: engine.catalogs.clone(), rules: Arc::new(plain), infos: engine.infos.clone() };
        assert!(engine.rules.rules.iter().any(|r| r.requires != 0), "some rule should be indexed on facts");
        assert!(
            engine.rules.rules.iter().any(|r| r.endpoints != [crate::rules::EndpointMask::ANY; 2]),
            "some flow rule should be indexed on its endpoints"
        );
        let needs = |f: fn(&crate::rules::FlowNeeds) -> bool| engine.rules.rules.iter().any(|r| f(&r.flow));
        assert!(needs(|n| n.flags != 0) && needs(|n| n.data), "some flow rules should need flags or data");
        for name in ["webshop", "patient-portal", "saas-platform"] {
            let path = format!("{}/../examples/{name}.yaml", env!("CARGO_MANIFEST_DIR"));
            let model = Model::from_yaml(&std::fs::read_to_string(path).unwrap()).unwrap();
            assert_eq!(
                engine.analyze(&model).unwrap().to_json(),
                unindexed.analyze(&model).unwrap().to_json(),
                "{name}"
            );
        }
        let model = every_type_pair();
        let indexed = engine.analyze(&model).unwrap();
        assert!(indexed.threats.len() > 1000, "the model should raise many threats, not {}", indexed.threats.len());
        assert_eq!(indexed.to_json(), unindexed.analyze(&model).unwrap().to_json(), "every type pair");
    }

    /// The analysis builds its graph from the references validation resolved; the public
    /// `Graph::build` looks the ids up itself: the same graph either way.
    #[test]
    fn resolved_references_build_the_same_graph() {
        let engine = Engine::bundled().unwrap();
        let mut models = vec![every_type_pair()];
        for name in ["webshop", "patient-portal", "saas-platform"] {
            let path = format!("{}/../examples/{name}.yaml", env!("CARGO_MANIFEST_DIR"));
            models.push(Model::from_yaml(&std::fs::read_to_string(path).unwrap()).unwrap());
        }
        for model in &models {
            let resolved = crate::model::validate_resolved(model, Some(&Vocab(&engine.rules))).unwrap();
            let facts = Facts::build(model, &engine.rules, &resolved);
            assert!(facts.graph.edges.len() == model.flows.len() && !facts.graph.edges.is_empty());
            assert_eq!(
                format!("{:?}", facts.graph),
                format!("{:?}", crate::graph::Graph::build(model)),
                "{}",
                model.title
            );
        }
    }

    /// Every component type (with its own kind and with another), one zone of every kind, and
    /// flows between a fifth of all pairs with every authentication, every flow flag, a few
    /// protocols, and carried data on four flows in five.
    fn every_type_pair() -> Model {
        use crate::model::{ComponentType, FlowFlag};
        use crate::rules::ast::{AUTHENTICATION_NAMES, KIND_NAMES, ZONE_KIND_NAMES};
        use serde_json::json;
        let zones: Vec<_> = ZONE_KIND_NAMES.iter().map(|k| json!({"id": format!("z-{k}"), "kind": k})).collect();
        let data_assets = [
            json!({"id": "cards", "classification": "restricted", "tags": ["pci_chd"]}),
            json!({"id": "people", "classification": "confidential", "tags": ["pii", "special_category"]}),
            json!({"id": "secrets", "tags": ["credentials"]}),
            json!({"id": "catalogue", "classification": "public"}),
        ];
        let mut components = Vec::new();
        for (i, t) in ComponentType::NAMES.iter().enumerate() {
            let zone = ZONE_KIND_NAMES[i % ZONE_KIND_NAMES.len()];
            let stores = [data_assets[i % data_assets.len()]["id"].clone()];
            components.push(json!({"id": format!("{t}-a"), "type": t, "zone": format!("z-{zone}"), "stores": stores}));
            let zone = ZONE_KIND_NAMES[(i + 3) % ZONE_KIND_NAMES.len()];
            let kind = KIND_NAMES[i % KIND_NAMES.len()];
            components.push(json!({"id": format!("{t}-b"), "type": t, "kind": kind, "zone": format!("z-{zone}")}));
        }
        let protocols = ["https", "http", "grpc", "in_process"];
        let mut flows = Vec::new();
        for i in 0..components.len() {
            for j in 0..components.len() {
                if i == j || (i * 7 + j) % 5 != 0 {
                    continue;
                }
                let n = flows.len();
                flows.push(json!({
                    "id": format!("f{n}"),
                    "source": components[i]["id"],
                    "target": components[j]["id"],
                    "protocol": protocols[n % protocols.len()],
                    "authentication": AUTHENTICATION_NAMES[n % AUTHENTICATION_NAMES.len()],
                    // Every fifth flow carries nothing; flags cycle through every flow flag.
                    "data": if n % 5 == 4 { vec![] } else { vec![data_assets[n % data_assets.len()]["id"].clone()] },
                    "flags": [FlowFlag::NAMES[n % FlowFlag::NAMES.len()]],
                }));
            }
        }
        let model = json!({"format_version": 1, "title": "every type pair", "zones": zones,
            "components": components, "flows": flows, "data_assets": data_assets});
        Model::from_json(&model.to_string()).unwrap()
    }

    #[test]
    fn engine_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Engine>();
        check::<Report>();
    }
}
