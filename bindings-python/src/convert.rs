//! Rust values → Python objects through their JSON form, so every key and value is exactly what
//! the JSON report holds (same names, same field order) in every language.

use crate::errors::internal;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

/// `json.loads(serde_json::to_string(value))`.
pub fn to_py<'py, T: serde::Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(value).map_err(|e| internal(py, e))?;
    json_loads(py, &text)
}

/// Parses JSON text with Python's `json.loads`.
pub fn json_loads<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    static LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let loads = LOADS.get_or_try_init(py, || py.import("json").and_then(|m| m.getattr("loads")).map(Bound::unbind))?;
    loads.bind(py).call1((text,))
}
