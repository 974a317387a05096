//! `Report` and `Threat`: the core's report stays in Rust; Python objects are made on access
//! (a 10k-component model gives ~38k threats and ~126 MB of JSON, so nothing is converted up front).

use crate::convert::{json_loads, to_py};
use crate::errors::internal;
use pyo3::exceptions::PyIndexError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyIterator, PyList, PyTuple};
use std::fmt::Write;
use std::sync::Arc;
use threatgraph::report::Threat as CoreThreat;

/// Rows `_repr_html_` shows before pointing at `to_dataframe()`.
const HTML_ROWS: usize = 200;

/// The result of one analysis.
#[pyclass(frozen, module = "threatgraph._threatgraph")]
pub struct Report {
    inner: Arc<threatgraph::Report>,
    threats: PyOnceLock<Py<PyTuple>>,
}

impl Report {
    pub fn new(report: threatgraph::Report) -> Report {
        Report { inner: Arc::new(report), threats: PyOnceLock::new() }
    }

    fn threat_objects<'py>(&self, py: Python<'py>) -> PyResult<&Bound<'py, PyTuple>> {
        let tuple = self.threats.get_or_try_init(py, || {
            let items = (0..self.inner.threats.len())
                .map(|index| Bound::new(py, Threat { report: self.inner.clone(), index }))
                .collect::<PyResult<Vec<_>>>()?;
            PyTuple::new(py, items).map(Bound::unbind)
        })?;
        Ok(tuple.bind(py))
    }
}

fn joined<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.collect::<Vec<_>>().join(", ")
}

fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#x27;"),
            _ => o.push(c),
        }
    }
    o
}

/// Background and text colour of a severity cell.
fn colours(severity: &str) -> (&'static str, &'static str) {
    match severity {
        "critical" => ("#7f1d1d", "#ffffff"),
        "high" => ("#dc2626", "#ffffff"),
        "medium" => ("#f59e0b", "#000000"),
        "low" => ("#2563eb", "#ffffff"),
        _ => ("#6b7280", "#ffffff"),
    }
}

fn severity_cell(o: &mut String, severity: &str) {
    let (bg, fg) = colours(severity);
    let _ = write!(
        o,
        "<td class=\"tg-{s}\" style=\"background:{bg};color:{fg};font-weight:bold\">{s}</td>",
        s = escape(severity)
    );
}

#[pymethods]
impl Report {
    /// The threats, most severe first (objects with typed attributes, made on first access).
    #[getter]
    fn threats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.threat_objects(py)?.iter())
    }

    /// Counts by severity, inherent severity, category and status.
    #[getter]
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.summary)
    }

    /// The assumptions register (declared and automatic).
    #[getter]
    fn assumptions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.assumptions)
    }

    /// Per compliance framework, the requirements this report evidences.
    #[getter]
    fn compliance<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.compliance)
    }

    /// Every rule evaluated with its mappings (ATT&CK, controls, CWE, CAPEC, requirements),
    /// stated once for all its threats.
    #[getter]
    fn rules<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.rules)
    }

    /// STRIDE-per-element coverage.
    #[getter]
    fn coverage<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.coverage)
    }

    /// The architecture summary (zones, boundary crossings, internet exposure, data assets).
    #[getter]
    fn model<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.model)
    }

    /// Tool, rule-pack and catalog versions and the model's content hash.
    #[getter]
    fn provenance<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.provenance)
    }

    #[getter]
    fn methodology<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.methodology)
    }

    /// The whole report as plain Python data (what `to_json()` holds).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let report = &self.inner;
        let text = py.detach(|| report.to_json_compact());
        json_loads(py, &text)
    }

    /// Canonical JSON: pretty, stable key order, trailing newline; byte-identical on every run.
    fn to_json(&self, py: Python<'_>) -> String {
        let report = &self.inner;
        py.detach(|| report.to_json())
    }

    /// Markdown for auditors.
    fn to_markdown(&self, py: Python<'_>) -> String {
        let report = &self.inner;
        py.detach(|| report.to_markdown())
    }

    /// A plain-text table for terminals.
    fn to_table(&self, py: Python<'_>) -> String {
        let report = &self.inner;
        py.detach(|| report.to_table())
    }

    /// One row per threat as a pandas DataFrame (`pip install threatgraph[pandas]`).
    fn to_dataframe<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let helper = py.import("threatgraph._pandas")?;
        let columns = PyDict::new(py);
        let report = &self.inner;
        let threats = &report.threats;
        let column = |f: &dyn Fn(&CoreThreat) -> String| -> Vec<String> { threats.iter().map(f).collect() };
        columns.set_item("id", column(&|t| t.id.to_string()))?;
        columns.set_item("rule", column(&|t| t.rule.id.clone()))?;
        columns.set_item("title", column(&|t| t.title.to_string()))?;
        columns.set_item("severity", column(&|t| t.severity.as_str().to_owned()))?;
        columns.set_item("inherent_severity", column(&|t| t.inherent_severity.as_str().to_owned()))?;
        columns.set_item("likelihood", threats.iter().map(|t| u32::from(t.likelihood.residual)).collect::<Vec<_>>())?;
        columns.set_item("impact", threats.iter().map(|t| u32::from(t.impact.residual)).collect::<Vec<_>>())?;
        columns.set_item("status", column(&|t| t.status.to_string()))?;
        columns.set_item("element", column(&|t| t.elements.first().map(|e| e.id.to_string()).unwrap_or_default()))?;
        columns.set_item(
            "element_kind",
            column(&|t| t.elements.first().map(|e| e.kind.as_str().to_owned()).unwrap_or_default()),
        )?;
        columns.set_item("stride", column(&|t| joined(t.stride.iter().chain(t.linddun.iter()).map(String::as_str))))?;
        columns.set_item(
            "attack",
            column(&|t| joined(report.rule_of(t).into_iter().flat_map(|r| &r.attack).map(|a| a.id.as_str()))),
        )?;
        columns.set_item("controls_missing", column(&|t| joined(t.controls_missing.iter().map(|c| &**c))))?;
        columns.set_item("description", column(&|t| t.description.to_string()))?;
        helper.call_method1("threats_frame", (columns,))
    }

    /// Jupyter's rich display: a severity-coloured table of the threats (HTML-escaped).
    fn _repr_html_(&self) -> String {
        let r = &self.inner;
        let s = &r.summary;
        let mut o = String::from("<div class=\"threatgraph-report\">");
        let counts: Vec<String> = threatgraph::Severity::ALL
            .iter()
            .map(|l| format!("{} {}", s.by_severity.get(l.as_str()).copied().unwrap_or(0), l.as_str()))
            .collect();
        let _ = write!(
            o,
            "<p><strong>{}</strong>: {} threats ({}); {} assumptions</p>",
            escape(&r.model.title),
            s.threats,
            counts.join(", "),
            r.assumptions.len()
        );
        o.push_str(
            "<table><thead><tr><th>residual</th><th>inherent</th><th>rule</th><th>threat</th>\
             <th>element</th><th>status</th><th>ATT&amp;CK</th></tr></thead><tbody>",
        );
        for t in r.threats.iter().take(HTML_ROWS) {
            o.push_str("<tr>");
            severity_cell(&mut o, t.severity.as_str());
            severity_cell(&mut o, t.inherent_severity.as_str());
            let element = t.elements.first().map(|e| &*e.name).unwrap_or("");
            let attack = joined(r.rule_of(t).into_iter().flat_map(|r| &r.attack).map(|a| a.id.as_str()));
            let _ = write!(
                o,
                "<td>{}</td><td title=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&t.rule.id),
                escape(&t.description.to_string()),
                escape(&t.title),
                escape(element),
                escape(t.status.as_str()),
                escape(&attack)
            );
        }
        o.push_str("</tbody></table>");
        if r.threats.len() > HTML_ROWS {
            let _ = write!(
                o,
                "<p>showing the {HTML_ROWS} most severe of {} threats; use <code>to_dataframe()</code> for all</p>",
                r.threats.len()
            );
        }
        o.push_str("</div>");
        o
    }

    fn __len__(&self) -> usize {
        self.inner.threats.len()
    }

    fn __getitem__<'py>(&self, py: Python<'py>, index: isize) -> PyResult<Bound<'py, PyAny>> {
        let tuple = self.threat_objects(py)?;
        let len = isize::try_from(tuple.len()).unwrap_or(isize::MAX);
        let i = if index < 0 { index + len } else { index };
        if i < 0 || i >= len {
            return Err(PyIndexError::new_err("threat index out of range"));
        }
        tuple.get_item(usize::try_from(i).unwrap_or(0))
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyIterator>> {
        self.threat_objects(py)?.try_iter()
    }

    fn __repr__(&self) -> String {
        let s = &self.inner.summary;
        let counts: Vec<String> = threatgraph::Severity::ALL
            .iter()
            .filter_map(|l| s.by_severity.get(l.as_str()).filter(|n| **n > 0).map(|n| format!("{n} {}", l.as_str())))
            .collect();
        format!("<Report {:?}: {} threats ({})>", self.inner.model.title, s.threats, counts.join(", "))
    }
}

/// One threat of a report.
#[pyclass(frozen, module = "threatgraph._threatgraph")]
pub struct Threat {
    report: Arc<threatgraph::Report>,
    index: usize,
}

impl Threat {
    fn t(&self, py: Python<'_>) -> PyResult<&CoreThreat> {
        self.report.threats.get(self.index).ok_or_else(|| internal(py, "threat index out of range"))
    }
    /// The threat's rule with its mappings (the report's `rules` entry).
    fn rule_summary(&self, py: Python<'_>) -> PyResult<&threatgraph::report::RuleSummary> {
        let t = self.t(py)?;
        self.report.rule_of(t).ok_or_else(|| internal(py, "threat's rule missing from the report"))
    }
}

#[pymethods]
impl Threat {
    /// Stable id: `TG-` + a fingerprint of the rule id and element ids.
    #[getter]
    fn id(&self, py: Python<'_>) -> PyResult<String> {
        Ok(self.t(py)?.id.to_string())
    }

    /// The rule's id (`TM-002`).
    #[getter]
    fn rule(&self, py: Python<'_>) -> PyResult<String> {
        Ok(self.t(py)?.rule.id.clone())
    }

    #[getter]
    fn rule_version(&self, py: Python<'_>) -> PyResult<String> {
        Ok(self.t(py)?.rule.version.clone())
    }

    #[getter]
    fn title(&self, py: Python<'_>) -> PyResult<String> {
        Ok(self.t(py)?.title.to_string())
    }

    #[getter]
    fn description(&self, py: Python<'_>) -> PyResult<String> {
        Ok(self.t(py)?.description.to_string())
    }

    /// Residual severity: `critical`, `high`, `medium`, `low` or `info`.
    #[getter]
    fn severity(&self, py: Python<'_>) -> PyResult<&'static str> {
        Ok(self.t(py)?.severity.as_str())
    }

    /// Severity before credited controls.
    #[getter]
    fn inherent_severity(&self, py: Python<'_>) -> PyResult<&'static str> {
        Ok(self.t(py)?.inherent_severity.as_str())
    }

    /// `open`, `partially_mitigated` or `mitigated`.
    #[getter]
    fn status(&self, py: Python<'_>) -> PyResult<String> {
        Ok(self.t(py)?.status.to_string())
    }

    /// The id of the first element the threat concerns.
    #[getter]
    fn element(&self, py: Python<'_>) -> PyResult<Option<String>> {
        Ok(self.t(py)?.elements.first().map(|e| e.id.to_string()))
    }

    /// The elements the threat concerns: `{id, kind, name}`.
    #[getter]
    fn elements<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.t(py)?.elements)
    }

    #[getter]
    fn stride(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        Ok(self.t(py)?.stride.to_vec())
    }

    #[getter]
    fn linddun(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        Ok(self.t(py)?.linddun.to_vec())
    }

    /// `{inherent, residual, factors}` on a 1–5 scale.
    #[getter]
    fn likelihood<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.t(py)?.likelihood)
    }

    /// `{inherent, residual, property, base, assets, modifiers}` on a 1–5 scale.
    #[getter]
    fn impact<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.t(py)?.impact)
    }

    #[getter]
    fn controls_credited<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.t(py)?.controls_credited)
    }

    /// Mitigation tokens the rule names that the model does not declare.
    #[getter]
    fn controls_missing(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        Ok(self.t(py)?.controls_missing.iter().map(|c| c.to_string()).collect())
    }

    /// ATT&CK techniques: `{id, name, tactics, url}`.
    #[getter]
    fn attack<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.rule_summary(py)?.attack)
    }

    /// `{nist_800_53, iso_27001, cis_v8}`: the rule's controls; each SP 800-53 control with
    /// `status` `implemented` (and `implemented_by`) or `missing` for this threat's elements.
    #[getter]
    fn recommended_controls<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let t = self.t(py)?;
        let rc = &self.rule_summary(py)?.recommended_controls;
        let nist: Vec<serde_json::Value> = rc
            .nist_800_53
            .iter()
            .map(|c| {
                let by = t.controls_implemented.iter().find(|i| *i.id == c.id).map(|i| &i.implemented_by);
                let mut v = serde_json::json!({
                    "id": c.id,
                    "title": c.title,
                    "status": if by.is_some() { "implemented" } else { "missing" },
                });
                if let (Some(by), Some(o)) = (by, v.as_object_mut()) {
                    o.insert("implemented_by".into(), serde_json::json!(by));
                }
                v
            })
            .collect();
        to_py(py, &serde_json::json!({"nist_800_53": nist, "iso_27001": rc.iso_27001, "cis_v8": rc.cis_v8}))
    }

    #[getter]
    fn cwe<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.rule_summary(py)?.cwe)
    }

    #[getter]
    fn capec<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.rule_summary(py)?.capec)
    }

    /// Framework requirement ids by framework (`{"pci_dss": ["4.2.1"], ...}`).
    #[getter]
    fn requirements<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.rule_summary(py)?.requirements)
    }

    /// Ids of the assumptions this threat depends on.
    #[getter]
    fn assumptions(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        Ok(self.t(py)?.assumptions.iter().map(|c| c.to_string()).collect())
    }

    /// The threat as plain Python data (its entry in the JSON report).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, self.t(py)?)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let t = self.t(py)?;
        let element = t.elements.first().map(|e| &*e.id).unwrap_or("");
        Ok(format!("<Threat {} {} {} on {:?}: {}>", t.id, t.rule.id, t.severity.as_str(), element, t.title))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_html_metacharacters() {
        assert_eq!(escape(r#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;");
        assert_eq!(escape("plain"), "plain");
    }

    #[test]
    fn every_severity_has_a_colour() {
        let all: Vec<_> = threatgraph::Severity::ALL.iter().map(|s| colours(s.as_str())).collect();
        let mut distinct = all.clone();
        distinct.dedup();
        assert_eq!(distinct.len(), all.len());
    }
}
