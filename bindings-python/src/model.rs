//! `CoreModel`: a model parsed by the core, held as the core's own type. The Python `Model`
//! (the builder, `threatgraph/_model.py`) converts to one in a single call before analysis.

use crate::errors::{Failure, detached, internal, io_error};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use std::path::PathBuf;
use std::sync::Arc;
use threatgraph::{Format, Model};

/// A model parsed by the core (immutable).
#[pyclass(frozen, module = "threatgraph._threatgraph")]
pub struct CoreModel {
    pub inner: Arc<Model>,
}

fn parse(py: Python<'_>, text: PyBackedStr, format: Format) -> PyResult<CoreModel> {
    let model = detached(py, move || Model::from_str(&text, format).map_err(Failure::from))?;
    Ok(CoreModel { inner: Arc::new(model) })
}

#[pymethods]
impl CoreModel {
    /// Parses a model from JSON text.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: PyBackedStr) -> PyResult<Self> {
        parse(py, text, Format::Json)
    }

    /// Parses a model from YAML text.
    #[staticmethod]
    fn from_yaml(py: Python<'_>, text: PyBackedStr) -> PyResult<Self> {
        parse(py, text, Format::Yaml)
    }

    /// Parses a model from text in the named format (`json` or `yaml`; `None`: JSON when the
    /// text starts with `{`, else YAML).
    #[staticmethod]
    #[pyo3(signature = (text, format=None))]
    fn from_text(py: Python<'_>, text: PyBackedStr, format: Option<String>) -> PyResult<Self> {
        let model =
            detached(py, move || threatgraph::api::load_model(&text, format.as_deref()).map_err(Failure::from))?;
        Ok(CoreModel { inner: Arc::new(model) })
    }

    /// Reads a model file: JSON when the name ends in `.json`, YAML otherwise.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let text = py.detach(|| std::fs::read_to_string(&path)).map_err(|e| io_error(&path, &e))?;
        let format = Format::from_path(&path.to_string_lossy());
        let model = detached(py, move || Model::from_str(&text, format).map_err(Failure::from))?;
        Ok(CoreModel { inner: Arc::new(model) })
    }

    /// The model as pretty JSON (the format the CLI reads), with a trailing newline.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        let model = &self.inner;
        let text = py.detach(|| serde_json::to_string_pretty(model.as_ref())).map_err(|e| internal(py, e))?;
        Ok(text + "\n")
    }

    /// The model as YAML (the format the CLI reads).
    fn to_yaml(&self, py: Python<'_>) -> PyResult<String> {
        let model = &self.inner;
        py.detach(|| serde_saphyr::to_string(model.as_ref())).map_err(|e| internal(py, e))
    }

    #[getter]
    fn title(&self) -> &str {
        &self.inner.title
    }

    fn __repr__(&self) -> String {
        let m = &self.inner;
        format!(
            "<CoreModel {:?}: {} zones, {} components, {} data assets, {} flows>",
            m.title,
            m.zones.len(),
            m.components.len(),
            m.data_assets.len(),
            m.flows.len()
        )
    }
}
