//! `Engine`: the core's compiled engine (immutable, `Send + Sync`): compile once, analyze many
//! models from any thread; the GIL is released while it works.

use crate::convert::to_py;
use crate::errors::{Failure, detached, io_error};
use crate::model::CoreModel;
use crate::report::Report;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};
use std::path::PathBuf;
use std::sync::Arc;
use threatgraph::api::RuleFileText;

/// A compiled rule set with its catalogs.
#[pyclass(frozen, module = "threatgraph._threatgraph")]
pub struct Engine {
    inner: threatgraph::Engine,
}

/// The core model behind a `threatgraph.Model` (through its `_core_model()`) or a `CoreModel`.
fn core_model(obj: &Bound<'_, PyAny>) -> PyResult<Arc<threatgraph::Model>> {
    if let Ok(m) = obj.cast::<CoreModel>() {
        return Ok(m.get().inner.clone());
    }
    let Ok(method) = obj.getattr(pyo3::intern!(obj.py(), "_core_model")) else {
        let type_name = obj.get_type().name().map(|n| n.to_string()).unwrap_or_default();
        return Err(PyTypeError::new_err(format!("expected a threatgraph.Model, got {type_name}")));
    };
    let core = method.call0()?;
    let core = core.cast::<CoreModel>().map_err(PyErr::from)?;
    Ok(core.get().inner.clone())
}

/// Rule files from `(name, text)` pairs and paths (`str` or `os.PathLike`).
fn rule_files(rules: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<RuleFileText>> {
    let Some(rules) = rules else { return Ok(Vec::new()) };
    let one = rules.is_instance_of::<PyString>() || rules.hasattr("__fspath__")? || rules.is_instance_of::<PyTuple>();
    let items: Vec<Bound<'_, PyAny>> =
        if one { vec![rules.clone()] } else { rules.try_iter()?.collect::<PyResult<_>>()? };
    let mut files = Vec::with_capacity(items.len());
    for item in items {
        if let Ok((name, text)) = item.extract::<(String, String)>() {
            files.push(RuleFileText { name, text });
            continue;
        }
        let path: PathBuf = item
            .extract()
            .map_err(|_| PyTypeError::new_err("each rule file must be a path or a (name, text) pair".to_owned()))?;
        let text = item.py().detach(|| std::fs::read_to_string(&path)).map_err(|e| io_error(&path, &e))?;
        files.push(RuleFileText { name: path.display().to_string(), text });
    }
    Ok(files)
}

#[pymethods]
impl Engine {
    /// The bundled catalogs and rule pack, plus `rules` (paths or `(name, text)` pairs); with
    /// `no_bundled_rules`, only `rules`.
    #[new]
    #[pyo3(signature = (rules=None, *, no_bundled_rules=false))]
    fn new(py: Python<'_>, rules: Option<&Bound<'_, PyAny>>, no_bundled_rules: bool) -> PyResult<Self> {
        let files = rule_files(rules)?;
        let inner =
            detached(py, move || threatgraph::api::engine_for(&files, no_bundled_rules).map_err(Failure::from))?;
        Ok(Engine { inner })
    }

    /// Validates, then analyzes a model. Raises `ModelError` with every problem found.
    fn analyze(&self, py: Python<'_>, model: &Bound<'_, PyAny>) -> PyResult<Report> {
        let model = core_model(model)?;
        let engine = &self.inner;
        let report = detached(py, move || engine.analyze(&model).map_err(Failure::from))?;
        Ok(Report::new(report))
    }

    /// Checks a model against this engine's vocabulary; raises `ModelError` with every problem.
    fn validate(&self, py: Python<'_>, model: &Bound<'_, PyAny>) -> PyResult<()> {
        let model = core_model(model)?;
        let engine = &self.inner;
        detached(py, move || engine.validate(&model).map_err(Failure::from))
    }

    /// The rules in force, as their specifications (the JSON of `threatgraph rules list`).
    fn rules<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let specs: Vec<&threatgraph::rules::RuleSpec> = self.inner.rules().rules.iter().map(|r| &r.spec).collect();
        to_py(py, &specs)
    }

    /// Every catalog entry with this id (`T1190`, `sc-8`, `A.8.24`, `CWE-79`, `mfa`, ...) and
    /// what is mapped to it (`threatgraph catalog show`).
    fn lookup<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.lookup(id))
    }

    fn __repr__(&self) -> String {
        let set = self.inner.rules();
        let packs: Vec<String> = set.packs.iter().map(|p| format!("{} {}", p.id, p.version)).collect();
        format!("<Engine: {} rules from {}>", set.rules.len(), packs.join(", "))
    }
}
