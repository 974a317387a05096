//! Core errors → `threatgraph.ThreatgraphError` and its subclasses (defined in Python, in
//! `threatgraph/_errors.py`, so that `ModelError` can also be a `ValueError`). Core work runs
//! with the GIL released and behind `catch_unwind`: a panic becomes an error, never a crash.

use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Why a core call failed.
pub enum Failure {
    Core(threatgraph::Error),
    Panic(String),
}

impl From<threatgraph::Error> for Failure {
    fn from(e: threatgraph::Error) -> Self {
        Failure::Core(e)
    }
}

/// Runs `f` with the GIL released; a core error or a panic becomes a Python exception.
pub fn detached<T, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    T: Send,
    F: Send + FnOnce() -> Result<T, Failure>,
{
    match py.detach(|| catch_unwind(AssertUnwindSafe(f))) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(failure)) => Err(to_py_err(py, &failure)),
        Err(payload) => Err(to_py_err(py, &Failure::Panic(panic_message(payload.as_ref())))),
    }
}

/// The text of a panic payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_owned()
    }
}

/// Builds the Python exception for a failure: `threatgraph._errors._from_core(kind, message,
/// code, path, details)`.
pub fn to_py_err(py: Python<'_>, failure: &Failure) -> PyErr {
    static FACTORY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let build = || -> PyResult<PyErr> {
        let factory = FACTORY.get_or_try_init(py, || {
            py.import("threatgraph._errors").and_then(|m| m.getattr("_from_core")).map(Bound::unbind)
        })?;
        let details = PyList::empty(py);
        let exc = match failure {
            Failure::Core(e) => {
                for d in e.diagnostics() {
                    let item = PyDict::new(py);
                    item.set_item("code", &d.code)?;
                    item.set_item("path", &d.path)?;
                    item.set_item("message", &d.message)?;
                    details.append(item)?;
                }
                factory.call1(py, (e.kind(), e.to_string(), e.code(), e.path(), details))?
            }
            Failure::Panic(msg) => {
                let message = format!("internal error: {msg}");
                factory.call1(py, ("internal", message, "internal.panic", "", details))?
            }
        };
        Ok(PyErr::from_value(exc.into_bound(py)))
    };
    build().unwrap_or_else(|e| e)
}

/// An internal fault that is not a core error (a serializer failing on a valid value).
pub fn internal(py: Python<'_>, message: impl std::fmt::Display) -> PyErr {
    to_py_err(py, &Failure::Panic(message.to_string()))
}

/// An `OSError` (its subclass by errno, e.g. `FileNotFoundError`) naming the file.
pub fn io_error(path: &std::path::Path, e: &std::io::Error) -> PyErr {
    let name = path.display().to_string();
    match e.raw_os_error() {
        Some(errno) => {
            let text = e.to_string();
            let strerror = text.split(" (os error").next().unwrap_or(&text).to_owned();
            PyOSError::new_err((errno, strerror, name))
        }
        None => PyOSError::new_err(format!("{name}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_messages_are_read_from_either_payload() {
        let s: Box<dyn std::any::Any + Send> = Box::new("boom");
        assert_eq!(panic_message(s.as_ref()), "boom");
        let s: Box<dyn std::any::Any + Send> = Box::new(String::from("bang"));
        assert_eq!(panic_message(s.as_ref()), "bang");
        let s: Box<dyn std::any::Any + Send> = Box::new(7u8);
        assert_eq!(panic_message(s.as_ref()), "unknown panic");
    }
}
