//! Condition compiler: YAML/JSON condition trees → [`Cond`], with every error reported with its
//! path (`rules[4].when.all[1].field`) and the cost bounds of the language enforced.

use super::AppliesTo;
use super::ast::*;
use crate::error::{Diagnostic, suggestion};
use crate::model::{ComponentFlag, ComponentType, DataTag, FlowFlag};
use serde_json::Value;
use std::collections::BTreeMap;

/// Most nodes a condition may have.
pub const MAX_NODES: usize = 256;
/// Deepest nesting a condition may have.
pub const MAX_DEPTH: usize = 16;

/// Token names → ids, shared by every rule of a rule set.
pub trait TokenIds {
    fn token_id(&self, name: &str) -> Option<u16>;
    fn names(&self) -> Vec<&str>;
}

impl TokenIds for BTreeMap<String, u16> {
    fn token_id(&self, name: &str) -> Option<u16> {
        self.get(name).copied()
    }
    fn names(&self) -> Vec<&str> {
        self.keys().map(String::as_str).collect()
    }
}

/// Which subjects a condition may read at a given place.
#[derive(Debug, Clone, Copy)]
struct Scope {
    this: bool,
    zone: bool,
    flow: bool,
    asset: bool,
    in_adjacent: bool,
    in_exists: bool,
}

impl Scope {
    fn for_rule(a: AppliesTo) -> Scope {
        let none = Scope { this: false, zone: false, flow: false, asset: false, in_adjacent: false, in_exists: false };
        match a {
            AppliesTo::Component => Scope { this: true, zone: true, ..none },
            AppliesTo::Flow => Scope { flow: true, ..none },
            AppliesTo::DataAsset => Scope { asset: true, ..none },
            AppliesTo::Zone => Scope { zone: true, ..none },
            AppliesTo::Model => none,
        }
    }
}

pub(crate) struct Compiler<'a> {
    pub diags: Vec<Diagnostic>,
    pub exists: Vec<Exists>,
    tokens: &'a dyn TokenIds,
    nodes: usize,
}

const COND_KEYS: &[&str] = &["all", "any", "not", "field", "data", "inbound", "outbound", "exists"];
const FIELD_OPS: &[&str] = &[
    "eq",
    "ne",
    "in",
    "not_in",
    "gt",
    "gte",
    "lt",
    "lte",
    "contains",
    "contains_any",
    "contains_all",
    "lacks_all",
    "unset",
];

impl<'a> Compiler<'a> {
    pub fn new(tokens: &'a dyn TokenIds) -> Self {
        Compiler { diags: Vec::new(), exists: Vec::new(), tokens, nodes: 0 }
    }

    fn err<T>(&mut self, code: &str, path: &str, msg: String) -> Option<T> {
        self.diags.push(Diagnostic::new(code, path.to_owned(), msg));
        None
    }

    /// Compiles the `when` of a rule.
    pub fn compile_when(&mut self, v: &Value, applies_to: AppliesTo, path: &str) -> Option<Cond> {
        self.nodes = 0;
        self.cond(v, Scope::for_rule(applies_to), path, 0)
    }

    fn cond(&mut self, v: &Value, scope: Scope, path: &str, depth: usize) -> Option<Cond> {
        self.nodes += 1;
        if self.nodes == MAX_NODES + 1 {
            return self.err("rule.too_complex", path, format!("condition has more than {MAX_NODES} nodes"));
        }
        if depth > MAX_DEPTH {
            return self.err("rule.too_complex", path, format!("condition is nested deeper than {MAX_DEPTH} levels"));
        }
        let Some(obj) = v.as_object() else {
            return self.err(
                "rule.invalid_condition",
                path,
                format!("a condition must be a mapping with one of: {}", COND_KEYS.join(", ")),
            );
        };
        let key = COND_KEYS.iter().find(|k| obj.contains_key(**k)).copied();
        let Some(key) = key else {
            let got = obj.keys().next().map(String::as_str).unwrap_or("");
            let hint = suggestion(got, COND_KEYS.iter().copied());
            return self.err(
                "rule.invalid_condition",
                path,
                format!("unknown condition `{got}`{hint} (allowed: {})", COND_KEYS.join(", ")),
            );
        };
        let sub = |k: &str| format!("{path}.{k}");
        match key {
            "all" | "any" => {
                self.only_keys(obj, &[key], path);
                let Some(items) = obj.get(key).and_then(Value::as_array) else {
                    return self.err(
                        "rule.invalid_condition",
                        &sub(key),
                        format!("`{key}` takes a list of conditions"),
                    );
                };
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for (i, it) in items.iter().enumerate() {
                    match self.cond(it, scope, &format!("{path}.{key}[{i}]"), depth + 1) {
                        Some(c) => out.push(c),
                        None => ok = false,
                    }
                }
                ok.then(|| if key == "all" { Cond::All(out) } else { Cond::Any(out) })
            }
            "not" => {
                self.only_keys(obj, &["not"], path);
                let inner = obj.get("not").unwrap_or(&Value::Null);
                self.cond(inner, scope, &sub("not"), depth + 1).map(|c| Cond::Not(Box::new(c)))
            }
            "field" => self.field_cond(obj, scope, path),
            "data" => {
                self.only_keys(obj, &["data"], path);
                self.data_pred(obj.get("data").unwrap_or(&Value::Null), scope, &sub("data"))
            }
            "inbound" | "outbound" => {
                self.only_keys(obj, &[key], path);
                self.adjacent(obj.get(key).unwrap_or(&Value::Null), key, scope, &sub(key), depth)
            }
            _ => {
                self.only_keys(obj, &["exists"], path);
                self.exists(obj.get("exists").unwrap_or(&Value::Null), scope, &sub("exists"), depth)
            }
        }
    }

    fn only_keys(&mut self, obj: &serde_json::Map<String, Value>, allowed: &[&str], path: &str) {
        for k in obj.keys() {
            if !allowed.contains(&k.as_str()) {
                let hint = suggestion(k, allowed.iter().copied());
                self.diags.push(Diagnostic::new(
                    "rule.unknown_field",
                    format!("{path}.{k}"),
                    format!("unexpected key `{k}` here{hint} (allowed: {})", allowed.join(", ")),
                ));
            }
        }
    }

    fn field_cond(&mut self, obj: &serde_json::Map<String, Value>, scope: Scope, path: &str) -> Option<Cond> {
        let fpath = format!("{path}.field");
        let Some(name) = obj.get("field").and_then(Value::as_str) else {
            return self.err(
                "rule.invalid_condition",
                &fpath,
                "`field` takes a field name such as `flow.encrypted`".into(),
            );
        };
        let field = self.resolve_field(name, scope, &fpath)?;
        let ops: Vec<&String> = obj.keys().filter(|k| k.as_str() != "field").collect();
        if ops.len() != 1 {
            let mut allowed = vec!["field"];
            allowed.extend_from_slice(FIELD_OPS);
            self.only_keys(obj, &allowed, path);
            return self.err(
                "rule.invalid_condition",
                path,
                format!("a field test needs exactly one operator (one of: {})", FIELD_OPS.join(", ")),
            );
        }
        let op_name = ops.first().map(|s| s.as_str()).unwrap_or("");
        let opath = format!("{path}.{op_name}");
        let arg = obj.get(op_name).unwrap_or(&Value::Null);
        let op = self.op(field, op_name, arg, &opath, name)?;
        Some(Cond::Cmp(field, op))
    }

    fn resolve_field(&mut self, name: &str, scope: Scope, path: &str) -> Option<Field> {
        let parts: Vec<&str> = name.split('.').collect();
        let (holder, attr_name) = match parts.as_slice() {
            [s, a] => match *s {
                "self" => (Holder::Comp(CompRef::This), *a),
                "source" => (Holder::Comp(CompRef::Source), *a),
                "target" => (Holder::Comp(CompRef::Target), *a),
                "zone" => (Holder::Zone, *a),
                "flow" => (Holder::Flow, *a),
                "asset" => (Holder::Asset, *a),
                _ => return self.unknown_subject(s, path),
            },
            [s, "zone", a] => match *s {
                "self" => (Holder::ZoneOf(CompRef::This), *a),
                "source" => (Holder::ZoneOf(CompRef::Source), *a),
                "target" => (Holder::ZoneOf(CompRef::Target), *a),
                _ => return self.unknown_subject(s, path),
            },
            _ => {
                return self.err("rule.unknown_field", path, format!("`{name}` is not a field; write SUBJECT.ATTRIBUTE such as `flow.encrypted` or `target.zone.kind`"));
            }
        };
        let available = match holder {
            Holder::Comp(CompRef::This) | Holder::ZoneOf(CompRef::This) => scope.this,
            Holder::Comp(_) | Holder::ZoneOf(_) | Holder::Flow => scope.flow,
            Holder::Zone => scope.zone,
            Holder::Asset => scope.asset,
        };
        if !available {
            let subj = name.split('.').next().unwrap_or("");
            return self.err(
                "rule.unavailable_subject",
                path,
                format!("`{subj}` is not available here; this condition can read {}", scope_subjects(scope)),
            );
        }
        let table: &[(&str, Attr, Domain)] = match holder {
            Holder::Comp(_) => COMPONENT_ATTRS,
            Holder::ZoneOf(_) | Holder::Zone => ZONE_ATTRS,
            Holder::Flow => FLOW_ATTRS,
            Holder::Asset => ASSET_ATTRS,
        };
        match table.iter().find(|(n, _, _)| *n == attr_name) {
            Some((_, attr, domain)) => Some(Field { holder, attr: *attr, domain: *domain }),
            None => {
                let hint = suggestion(attr_name, table.iter().map(|(n, _, _)| *n));
                let allowed: Vec<&str> = table.iter().map(|(n, _, _)| *n).collect();
                self.err(
                    "rule.unknown_field",
                    path,
                    format!("unknown attribute `{attr_name}` in `{name}`{hint} (allowed: {})", allowed.join(", ")),
                )
            }
        }
    }

    fn unknown_subject(&mut self, s: &str, path: &str) -> Option<Field> {
        let subjects = ["self", "source", "target", "zone", "flow", "asset"];
        let hint = suggestion(s, subjects.iter().copied());
        self.err("rule.unknown_field", path, format!("unknown subject `{s}`{hint} (allowed: {})", subjects.join(", ")))
    }

    fn op(&mut self, f: Field, op: &str, arg: &Value, path: &str, fname: &str) -> Option<Op> {
        use std::cmp::Ordering::*;
        let bad_op = |this: &mut Self| -> Option<Op> {
            this.err(
                "rule.invalid_operator",
                path,
                format!("operator `{op}` does not apply to `{fname}` ({})", domain_name(f.domain)),
            )
        };
        match op {
            "unset" => match arg.as_bool() {
                Some(b) => Some(Op::Unset(b)),
                None => self.err("rule.invalid_value", path, "`unset` takes true or false".into()),
            },
            "eq" | "ne" => {
                if matches!(f.domain, Domain::Flags(_) | Domain::Tokens | Domain::Strs) {
                    return bad_op(self);
                }
                let c = self.constant(f.domain, arg, path)?;
                Some(if op == "eq" { Op::Eq(c) } else { Op::Ne(c) })
            }
            "in" | "not_in" => {
                let negate = op == "not_in";
                let items = self.list(arg, path)?;
                match f.domain {
                    Domain::Str => Some(Op::InStr(items.iter().filter_map(|v| self.string(v, path)).collect(), negate)),
                    Domain::Sym(names) => {
                        let mut bits = 0u64;
                        for (i, v) in items.iter().enumerate() {
                            if let Some(Const::Sym(ix)) = self.constant(Domain::Sym(names), v, &format!("{path}[{i}]"))
                            {
                                bits |= 1u64 << ix;
                            }
                        }
                        Some(Op::InSym(bits, negate))
                    }
                    _ => bad_op(self),
                }
            }
            "gt" | "gte" | "lt" | "lte" => {
                let n = match (f.domain, self.constant(f.domain, arg, path)?) {
                    (Domain::Num, Const::Num(n)) => n,
                    (Domain::Sym(_), Const::Sym(i)) => i64::from(i),
                    _ => return bad_op(self),
                };
                let (ord, incl) = match op {
                    "gt" => (Greater, false),
                    "gte" => (Greater, true),
                    "lt" => (Less, false),
                    _ => (Less, true),
                };
                Some(Op::Cmp(ord, incl, n))
            }
            "contains" | "contains_any" | "contains_all" | "lacks_all" => {
                let items: Vec<Value> = if op == "contains" { vec![arg.clone()] } else { self.list(arg, path)? };
                match f.domain {
                    Domain::Flags(names) => {
                        let mut bits = 0u64;
                        for (i, v) in items.iter().enumerate() {
                            let p = if op == "contains" { path.to_owned() } else { format!("{path}[{i}]") };
                            if let Some(Const::Sym(ix)) = self.constant(Domain::Sym(names), v, &p) {
                                bits |= 1u64 << ix;
                            }
                        }
                        Some(match op {
                            "contains" | "contains_all" => Op::BitsAll(bits),
                            "contains_any" => Op::BitsAny(bits),
                            _ => Op::BitsNone(bits),
                        })
                    }
                    Domain::Tokens => {
                        let mut ids = Vec::new();
                        for (i, v) in items.iter().enumerate() {
                            let p = if op == "contains" { path.to_owned() } else { format!("{path}[{i}]") };
                            if let Some(id) = self.token(v, &p) {
                                ids.push(id);
                            }
                        }
                        ids.sort_unstable();
                        ids.dedup();
                        Some(match op {
                            "contains" | "contains_all" => Op::TokAll(ids),
                            "contains_any" => Op::TokAny(ids),
                            _ => Op::TokNone(ids),
                        })
                    }
                    Domain::Strs => {
                        let s: Vec<String> = items.iter().filter_map(|v| self.string(v, path)).collect();
                        Some(match op {
                            "contains" | "contains_all" => Op::StrsAll(s),
                            "contains_any" => Op::StrsAny(s),
                            _ => Op::StrsNone(s),
                        })
                    }
                    _ => bad_op(self),
                }
            }
            _ => {
                let hint = suggestion(op, FIELD_OPS.iter().copied());
                self.err(
                    "rule.invalid_operator",
                    path,
                    format!("unknown operator `{op}`{hint} (allowed: {})", FIELD_OPS.join(", ")),
                )
            }
        }
    }

    fn list(&mut self, arg: &Value, path: &str) -> Option<Vec<Value>> {
        match arg.as_array() {
            Some(a) => Some(a.clone()),
            None => self.err("rule.invalid_value", path, "expected a list".into()),
        }
    }

    fn string(&mut self, v: &Value, path: &str) -> Option<String> {
        match v {
            Value::String(s) => Some(s.to_ascii_lowercase()),
            Value::Number(n) => Some(n.to_string()),
            _ => self.err("rule.invalid_value", path, "expected a string".into()),
        }
    }

    fn token(&mut self, v: &Value, path: &str) -> Option<u16> {
        let s = self.string(v, path)?;
        match self.tokens.token_id(&s) {
            Some(id) => Some(id),
            None => {
                let names = self.tokens.names();
                let hint = suggestion(&s, names.iter().copied());
                self.err("rule.unknown_control", path, format!("unknown control token `{s}`{hint}"))
            }
        }
    }

    fn constant(&mut self, d: Domain, v: &Value, path: &str) -> Option<Const> {
        match d {
            Domain::Bool => match v.as_bool() {
                Some(b) => Some(Const::Bool(b)),
                None => self.err("rule.invalid_value", path, format!("expected true or false, found `{v}`")),
            },
            Domain::Num => match v.as_i64() {
                Some(n) => Some(Const::Num(n)),
                None => self.err("rule.invalid_value", path, format!("expected a whole number, found `{v}`")),
            },
            Domain::Str => self.string(v, path).map(Const::Str),
            Domain::Sym(names) | Domain::Flags(names) => {
                let s = self.string(v, path)?;
                match names.iter().position(|n| *n == s) {
                    Some(i) => Some(Const::Sym(u8::try_from(i).unwrap_or(u8::MAX))),
                    None => {
                        let hint = suggestion(&s, names.iter().copied());
                        self.err(
                            "rule.invalid_value",
                            path,
                            format!("unknown value `{s}`{hint} (allowed: {})", names.join(", ")),
                        )
                    }
                }
            }
            Domain::Tokens | Domain::Strs => self.err(
                "rule.invalid_value",
                path,
                "sets take contains, contains_any, contains_all or lacks_all".into(),
            ),
        }
    }

    fn comp_ref(
        &mut self,
        v: Option<&Value>,
        scope: Scope,
        path: &str,
        default: Option<CompRef>,
    ) -> Option<Option<CompRef>> {
        let Some(v) = v else { return Some(default) };
        let s = v.as_str().unwrap_or("");
        let r = match s {
            "self" if scope.this => Some(CompRef::This),
            "source" if scope.flow => Some(CompRef::Source),
            "target" if scope.flow => Some(CompRef::Target),
            "flow" if scope.flow => None,
            _ => {
                return self.err(
                    "rule.unavailable_subject",
                    path,
                    format!("`of: {s}` is not available here; this condition can read {}", scope_subjects(scope)),
                );
            }
        };
        Some(r)
    }

    fn data_pred(&mut self, v: &Value, scope: Scope, path: &str) -> Option<Cond> {
        let Some(obj) = v.as_object() else {
            return self.err("rule.invalid_condition", path, "`data` takes a mapping of criteria".into());
        };
        const KEYS: &[&str] = &[
            "of",
            "scope",
            "classification_gte",
            "tags_any",
            "tags_all",
            "confidentiality_gte",
            "integrity_gte",
            "availability_gte",
            "quantity_gte",
            "min",
        ];
        self.only_keys(obj, KEYS, path);
        let default_of = if scope.this { Some(CompRef::This) } else { None };
        if !scope.this && !scope.flow {
            return self.err(
                "rule.unavailable_subject",
                path,
                "`data` needs a component or a flow; use asset fields in data-asset rules".into(),
            );
        }
        let of = self.comp_ref(obj.get("of"), scope, &format!("{path}.of"), default_of)?;
        let scope_name =
            obj.get("scope").and_then(Value::as_str).unwrap_or(if of.is_none() { "carried" } else { "handled" });
        let ds = match (scope_name, of) {
            ("carried", None) => DataScope::Carried,
            ("stored", Some(_)) => DataScope::Stored,
            ("processed", Some(_)) => DataScope::Processed,
            ("handled", Some(_)) => DataScope::Handled,
            _ => {
                return self.err("rule.invalid_value", &format!("{path}.scope"), format!("scope `{scope_name}` does not fit `of`; flows have `carried`, components `stored`, `processed`, `handled`"));
            }
        };
        let mut p = DataPred {
            of,
            scope: ds,
            classification_gte: None,
            tags_any: 0,
            tags_all: 0,
            confidentiality_gte: None,
            integrity_gte: None,
            availability_gte: None,
            quantity_gte: None,
            min: 1,
        };
        if let Some(c) = obj.get("classification_gte")
            && let Some(Const::Sym(i)) =
                self.constant(Domain::Sym(CLASSIFICATION_NAMES), c, &format!("{path}.classification_gte"))
        {
            p.classification_gte = Some(i);
        }
        if let Some(c) = obj.get("quantity_gte")
            && let Some(Const::Sym(i)) = self.constant(Domain::Sym(QUANTITY_NAMES), c, &format!("{path}.quantity_gte"))
        {
            p.quantity_gte = Some(i);
        }
        for (key, slot) in [("tags_any", &mut p.tags_any), ("tags_all", &mut p.tags_all)] {
            if let Some(list) = obj.get(key) {
                let kp = format!("{path}.{key}");
                if let Some(items) = self.list(list, &kp) {
                    for (i, it) in items.iter().enumerate() {
                        if let Some(Const::Sym(ix)) =
                            self.constant(Domain::Sym(DataTag::NAMES), it, &format!("{kp}[{i}]"))
                        {
                            *slot |= 1u64 << ix;
                        }
                    }
                }
            }
        }
        for (key, slot) in [
            ("confidentiality_gte", &mut p.confidentiality_gte),
            ("integrity_gte", &mut p.integrity_gte),
            ("availability_gte", &mut p.availability_gte),
        ] {
            if let Some(n) = obj.get(key) {
                match n.as_u64().filter(|n| (1..=5).contains(n)) {
                    Some(n) => *slot = u8::try_from(n).ok(),
                    None => self.diags.push(Diagnostic::new(
                        "rule.invalid_value",
                        format!("{path}.{key}"),
                        "expected a level from 1 to 5".to_owned(),
                    )),
                }
            }
        }
        if let Some(m) = obj.get("min") {
            match m.as_u64().and_then(|m| u32::try_from(m).ok()).filter(|m| *m >= 1) {
                Some(m) => p.min = m,
                None => self.diags.push(Diagnostic::new(
                    "rule.invalid_value",
                    format!("{path}.min"),
                    "expected a whole number of at least 1".to_owned(),
                )),
            }
        }
        Some(Cond::Data(p))
    }

    fn counts(&mut self, obj: &serde_json::Map<String, Value>, path: &str) -> (u32, Option<u32>) {
        let mut get = |k: &str| -> Option<u32> {
            let v = obj.get(k)?;
            match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
                Some(n) => Some(n),
                None => {
                    self.diags.push(Diagnostic::new(
                        "rule.invalid_value",
                        format!("{path}.{k}"),
                        "expected a whole number".to_owned(),
                    ));
                    None
                }
            }
        };
        let min = get("min").unwrap_or(1);
        let max = get("max");
        (min, max)
    }

    fn adjacent(&mut self, v: &Value, key: &str, scope: Scope, path: &str, depth: usize) -> Option<Cond> {
        if scope.in_adjacent {
            return self.err(
                "rule.too_complex",
                path,
                "`inbound`/`outbound` cannot be nested inside another `inbound`/`outbound`".into(),
            );
        }
        let Some(obj) = v.as_object() else {
            return self.err(
                "rule.invalid_condition",
                path,
                format!("`{key}` takes a mapping with `where` and optional `of`, `min`, `max`, `distinct`"),
            );
        };
        self.only_keys(obj, &["of", "where", "min", "max", "distinct"], path);
        if !scope.this && !scope.flow {
            return self.err(
                "rule.unavailable_subject",
                path,
                format!("`{key}` needs a component; it is not available here"),
            );
        }
        let default_of = if scope.this { Some(CompRef::This) } else { None };
        let of = match self.comp_ref(obj.get("of"), scope, &format!("{path}.of"), default_of)? {
            Some(r) => r,
            None => {
                return self.err(
                    "rule.invalid_value",
                    &format!("{path}.of"),
                    format!("`{key}` counts the flows of a component: `of` must be self, source or target"),
                );
            }
        };
        let distinct_zone = match obj.get("distinct").and_then(Value::as_str) {
            None => false,
            Some("zone") => true,
            Some(other) => {
                self.diags.push(Diagnostic::new(
                    "rule.invalid_value",
                    format!("{path}.distinct"),
                    format!("unknown value `{other}` (allowed: zone)"),
                ));
                false
            }
        };
        let (min, max) = self.counts(obj, path);
        let inner_scope = Scope { flow: true, in_adjacent: true, ..scope };
        let cond = match obj.get("where") {
            Some(w) => self.cond(w, inner_scope, &format!("{path}.where"), depth + 1)?,
            None => Cond::All(Vec::new()),
        };
        let dir = if key == "inbound" { Dir::In } else { Dir::Out };
        Some(Cond::Adjacent(Adjacent { of, dir, cond: Box::new(cond), min, max, distinct_zone }))
    }

    fn exists(&mut self, v: &Value, scope: Scope, path: &str, depth: usize) -> Option<Cond> {
        if scope.in_exists || scope.in_adjacent {
            return self.err(
                "rule.too_complex",
                path,
                "`exists` cannot be nested inside `exists`, `inbound` or `outbound`".into(),
            );
        }
        let Some(obj) = v.as_object() else {
            return self.err(
                "rule.invalid_condition",
                path,
                "`exists` takes a mapping with one of components, flows, data_assets, zones".into(),
            );
        };
        const COLLS: &[&str] = &["components", "flows", "data_assets", "zones"];
        let mut allowed = COLLS.to_vec();
        allowed.extend(["min", "max"]);
        self.only_keys(obj, &allowed, path);
        let found: Vec<&&str> = COLLS.iter().filter(|c| obj.contains_key(**c)).collect();
        let [coll] = found.as_slice() else {
            return self.err(
                "rule.invalid_condition",
                path,
                "`exists` needs exactly one of components, flows, data_assets, zones".into(),
            );
        };
        let (collection, applies) = match **coll {
            "components" => (Collection::Components, AppliesTo::Component),
            "flows" => (Collection::Flows, AppliesTo::Flow),
            "data_assets" => (Collection::DataAssets, AppliesTo::DataAsset),
            _ => (Collection::Zones, AppliesTo::Zone),
        };
        let (min, max) = self.counts(obj, path);
        let inner = Scope { in_exists: true, ..Scope::for_rule(applies) };
        let cond = self.cond(obj.get(**coll).unwrap_or(&Value::Null), inner, &format!("{path}.{coll}"), depth + 1)?;
        self.exists.push(Exists { collection, cond: Box::new(cond), min, max });
        Some(Cond::Exists(self.exists.len() - 1))
    }
}

fn scope_subjects(s: Scope) -> String {
    let mut v = Vec::new();
    if s.this {
        v.push("self");
    }
    if s.zone {
        v.push("zone");
    }
    if s.flow {
        v.extend(["flow", "source", "target"]);
    }
    if s.asset {
        v.push("asset");
    }
    if v.is_empty() { "no subject (use `exists`)".into() } else { v.join(", ") }
}

fn domain_name(d: Domain) -> &'static str {
    match d {
        Domain::Bool => "a boolean",
        Domain::Num => "a number",
        Domain::Str => "a string",
        Domain::Sym(_) => "an enumeration",
        Domain::Flags(_) => "a set of flags",
        Domain::Tokens => "a set of control tokens",
        Domain::Strs => "a set of strings",
    }
}

const COMPONENT_ATTRS: &[(&str, Attr, Domain)] = &[
    ("id", Attr::Id, Domain::Str),
    ("type", Attr::Type, Domain::Sym(ComponentType::NAMES)),
    ("kind", Attr::Kind, Domain::Sym(KIND_NAMES)),
    ("technology", Attr::Technology, Domain::Str),
    ("location", Attr::Location, Domain::Str),
    ("flags", Attr::Flags, Domain::Flags(ComponentFlag::NAMES)),
    ("controls", Attr::Controls, Domain::Tokens),
    ("replicas", Attr::Replicas, Domain::Num),
    ("internet_facing", Attr::InternetFacing, Domain::Bool),
    ("reachable_from_internet", Attr::Reachable, Domain::Bool),
    ("anonymously_reachable", Attr::AnonReachable, Domain::Bool),
    ("internet_hops", Attr::InternetHops, Domain::Num),
    ("exposure", Attr::Exposure, Domain::Num),
    ("in_degree", Attr::InDegree, Domain::Num),
    ("out_degree", Attr::OutDegree, Domain::Num),
];

const ZONE_ATTRS: &[(&str, Attr, Domain)] = &[
    ("id", Attr::Id, Domain::Str),
    ("kind", Attr::ZoneKind, Domain::Sym(ZONE_KIND_NAMES)),
    ("trust", Attr::Trust, Domain::Num),
    ("environment", Attr::Environment, Domain::Sym(ENVIRONMENT_NAMES)),
    ("location", Attr::Location, Domain::Str),
    ("controls", Attr::Controls, Domain::Tokens),
    ("parent", Attr::Parent, Domain::Str),
];

const FLOW_ATTRS: &[(&str, Attr, Domain)] = &[
    ("id", Attr::Id, Domain::Str),
    ("protocol", Attr::Protocol, Domain::Str),
    ("format", Attr::Format, Domain::Str),
    ("encrypted", Attr::Encrypted, Domain::Bool),
    ("mfa", Attr::Mfa, Domain::Bool),
    ("authentication", Attr::Authentication, Domain::Sym(AUTHENTICATION_NAMES)),
    ("authorization", Attr::Authorization, Domain::Sym(AUTHORIZATION_NAMES)),
    ("flags", Attr::Flags, Domain::Flags(FlowFlag::NAMES)),
    ("controls", Attr::Controls, Domain::Tokens),
    ("crossing", Attr::Crossing, Domain::Sym(CROSSING_NAMES)),
    ("crosses_boundary", Attr::CrossesBoundary, Domain::Bool),
    ("trust_delta", Attr::TrustDelta, Domain::Num),
];

const ASSET_ATTRS: &[(&str, Attr, Domain)] = &[
    ("id", Attr::Id, Domain::Str),
    ("classification", Attr::Classification, Domain::Sym(CLASSIFICATION_NAMES)),
    ("tags", Attr::Tags, Domain::Flags(DataTag::NAMES)),
    ("confidentiality", Attr::Confidentiality, Domain::Num),
    ("integrity", Attr::Integrity, Domain::Num),
    ("availability", Attr::Availability, Domain::Num),
    ("quantity", Attr::Quantity, Domain::Sym(QUANTITY_NAMES)),
    ("lawful_basis", Attr::LawfulBasis, Domain::Str),
    ("retention", Attr::Retention, Domain::Str),
    ("purposes", Attr::Purposes, Domain::Strs),
    ("handlers", Attr::Handlers, Domain::Num),
    ("carriers", Attr::Carriers, Domain::Num),
];
