//! A plain-text table for terminals.

use super::Report;
use std::fmt::Write;

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(n.saturating_sub(1)).collect::<String>())
    }
}

/// Renders the threats as an aligned table, most severe first.
pub fn to_table(r: &Report) -> String {
    let mut rows: Vec<[String; 6]> =
        vec![["RESIDUAL".into(), "INHERENT".into(), "RULE".into(), "THREAT".into(), "ELEMENT".into(), "STATUS".into()]];
    for t in &r.threats {
        rows.push([
            t.severity.as_str().to_owned(),
            t.inherent_severity.as_str().to_owned(),
            t.rule.id.clone(),
            clip(&t.title, 60),
            clip(t.elements.first().map_or("", |e| &*e.id), 30),
            t.status.to_string(),
        ]);
    }
    let mut widths = [0usize; 6];
    for row in &rows {
        for (w, c) in widths.iter_mut().zip(row.iter()) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut o = String::new();
    for row in &rows {
        let line: Vec<String> = row.iter().zip(widths.iter()).map(|(c, w)| format!("{c:<w$}")).collect();
        let _ = writeln!(o, "{}", line.join("  ").trim_end());
    }
    let s = &r.summary;
    let counts: Vec<String> = crate::scoring::Severity::ALL
        .iter()
        .map(|l| format!("{} {}", s.by_severity.get(l.as_str()).unwrap_or(&0), l.as_str()))
        .collect();
    let _ = writeln!(o, "\n{} threats: {}; {} assumptions", s.threats, counts.join(", "), r.assumptions.len());
    o
}
