//! Rules as data: parsing rule files, checking every reference against the catalogs, and
//! compiling them into an immutable [`RuleSet`] that the engine evaluates by index.

pub mod ast;
mod compile;

pub use compile::{MAX_DEPTH, MAX_NODES};

use crate::catalog::{Catalogs, EntryStatus, SourceInfo, load_file};
use crate::error::{Diagnostic, Error, Result, suggestion};
use crate::model::{ComponentType, ElementKind};
use ast::{Cond, Exists};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// What a rule is evaluated on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppliesTo {
    Component,
    Flow,
    DataAsset,
    Zone,
    Model,
}

named_enum! {
    /// A STRIDE category.
    Stride {
        Spoofing => "spoofing",
        Tampering => "tampering",
        Repudiation => "repudiation",
        InformationDisclosure => "information_disclosure",
        DenialOfService => "denial_of_service",
        ElevationOfPrivilege => "elevation_of_privilege",
    }
}

impl Stride {
    pub fn title(self) -> &'static str {
        match self {
            Stride::Spoofing => "Spoofing",
            Stride::Tampering => "Tampering",
            Stride::Repudiation => "Repudiation",
            Stride::InformationDisclosure => "Information disclosure",
            Stride::DenialOfService => "Denial of service",
            Stride::ElevationOfPrivilege => "Elevation of privilege",
        }
    }
}

named_enum! {
    /// A LINDDUN privacy threat category.
    Linddun {
        Linking => "linking",
        Identifying => "identifying",
        NonRepudiation => "non_repudiation",
        Detecting => "detecting",
        DataDisclosure => "data_disclosure",
        Unawareness => "unawareness",
        NonCompliance => "non_compliance",
    }
}

/// How hard the technique is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Complexity {
    Commodity,
    #[default]
    Specific,
    Advanced,
}

/// What the attacker needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    #[default]
    Auto,
    Anonymous,
    Authenticated,
    Privileged,
}

/// Whose exposure counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExposureOf {
    #[default]
    Auto,
    #[serde(rename = "self")]
    This,
    Source,
    Target,
}

/// Likelihood hints of a rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LikelihoodSpec {
    #[serde(default)]
    pub complexity: Complexity,
    #[serde(default)]
    pub access: Access,
    #[serde(default)]
    pub exposure_of: ExposureOf,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<u8>,
}

/// Security property an impact is measured on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Property {
    #[default]
    Auto,
    Confidentiality,
    Integrity,
    Availability,
    /// max(C, I)
    Authenticity,
    /// max(C, I, A)
    Authorization,
}

/// Which assets are at stake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssetScope {
    #[default]
    Auto,
    Carried,
    Handled,
    Stored,
    Target,
    Source,
    Reachable,
    None,
}

/// Impact hints of a rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImpactSpec {
    #[serde(default)]
    pub property: Property,
    #[serde(default)]
    pub assets: AssetScope,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<u8>,
}

/// Control ids a rule recommends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlRefs {
    #[serde(default)]
    pub nist_800_53: Vec<String>,
    #[serde(default)]
    pub iso_27001: Vec<String>,
    #[serde(default)]
    pub cis_v8: Vec<String>,
}

named_enum! {
    /// Residual-risk credit a mitigation earns.
    Effect {
        PreventiveStrong => "preventive_strong",
        PreventivePartial => "preventive_partial",
        ImpactLimiting => "impact_limiting",
        ImpactLimitingStrong => "impact_limiting_strong",
        Detective => "detective",
    }
}

impl Effect {
    /// (likelihood credit, impact credit)
    pub fn credit(self) -> (u8, u8) {
        match self {
            Effect::PreventiveStrong => (2, 0),
            Effect::PreventivePartial => (1, 0),
            Effect::ImpactLimiting => (0, 1),
            Effect::ImpactLimitingStrong => (0, 2),
            Effect::Detective => (0, 0),
        }
    }
    pub fn is_strong(self) -> bool {
        matches!(self, Effect::PreventiveStrong | Effect::ImpactLimitingStrong)
    }
}

/// A control token that mitigates a rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mitigation {
    pub control: String,
    pub effect: Effect,
}

/// A rule as written in a rule file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: String,
    pub version: String,
    pub title: String,
    pub description: String,
    #[serde(default)]
    pub stride: Vec<Stride>,
    #[serde(default)]
    pub linddun: Vec<Linddun>,
    pub applies_to: AppliesTo,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<ElementKind>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<ComponentType>,
    pub when: Value,
    #[serde(default)]
    pub likelihood: LikelihoodSpec,
    #[serde(default)]
    pub impact: ImpactSpec,
    #[serde(default)]
    pub cwe: Vec<String>,
    #[serde(default)]
    pub capec: Vec<String>,
    #[serde(default)]
    pub attack: Vec<String>,
    #[serde(default)]
    pub controls: ControlRefs,
    #[serde(default)]
    pub mitigations: Vec<Mitigation>,
    #[serde(default)]
    pub requirements: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFileBody {
    rules: Vec<Value>,
}

/// Pre-computed element facts a rule can be indexed on (bits of [`Rule::requires`]).
pub mod facts {
    /// Flow: crosses a trust boundary.
    pub const CROSSES: u8 = 1;
    /// Flow: goes into a more trusted zone.
    pub const UP: u8 = 2;
    /// Component: reachable from an internet zone.
    pub const REACHABLE: u8 = 4;
    /// Component: anonymously reachable from an internet zone.
    pub const ANON_REACHABLE: u8 = 8;
    /// Component: internet-facing.
    pub const INTERNET_FACING: u8 = 16;
}

/// The top-level conjuncts of a condition: the members of an `all`, or the condition itself. The
/// rule indexes below are read off them: each must hold for the condition to hold.
fn conjuncts(cond: &Cond) -> &[Cond] {
    match cond {
        Cond::All(cs) => cs,
        other => std::slice::from_ref(other),
    }
}

/// Facts that every element a rule can fire on must have: read off the top-level conjuncts of
/// the condition, so the engine skips other elements with one mask test.
fn required_facts(cond: &Cond) -> u8 {
    use ast::{Attr, CompRef, Const, Holder, Op};
    let mut req = 0;
    for c in conjuncts(cond) {
        if let Cond::Cmp(f, op) = c {
            let t = matches!(op, Op::Eq(Const::Bool(true)));
            req |= match (f.holder, f.attr, op) {
                (Holder::Flow, Attr::CrossesBoundary, _) if t => facts::CROSSES,
                (Holder::Flow, Attr::Crossing, Op::Eq(Const::Sym(1))) => facts::CROSSES | facts::UP,
                (Holder::Flow, Attr::Crossing, Op::InSym(bits, false)) if *bits & 1 == 0 && *bits != 0 => {
                    if *bits == 0b10 { facts::CROSSES | facts::UP } else { facts::CROSSES }
                }
                (Holder::Comp(CompRef::This), Attr::Reachable, _) if t => facts::REACHABLE,
                (Holder::Comp(CompRef::This), Attr::AnonReachable, _) if t => facts::ANON_REACHABLE | facts::REACHABLE,
                (Holder::Comp(CompRef::This), Attr::InternetFacing, _) if t => facts::INTERNET_FACING,
                _ => 0,
            };
        }
    }
    req
}

/// Component types and kinds a flow rule's endpoint can have (bit `1 << index`), read off the
/// condition's top-level conjuncts like [`Rule::requires`]: most flow rules name the types or
/// kinds of the components a flow connects, and one mask test per flow skips the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointMask {
    pub types: u64,
    pub kinds: u64,
}

impl EndpointMask {
    /// Every type and kind.
    pub const ANY: EndpointMask = EndpointMask { types: u64::MAX, kinds: u64::MAX };

    /// Whether a component of this type and kind can satisfy the rule.
    pub fn admits(&self, type_ix: u8, kind_ix: u8) -> bool {
        self.types.checked_shr(u32::from(type_ix)).is_some_and(|b| b & 1 == 1)
            && self.kinds.checked_shr(u32::from(kind_ix)).is_some_and(|b| b & 1 == 1)
    }
}

/// The masks of a flow rule's source and target. A conjunct `source.type: {in: [...]}` (or `eq`,
/// `ne`, `not_in`, and `not` around `eq`/`in`) narrows the source's mask; anything else leaves it.
/// Sound because the endpoints of a flow in a validated model always exist, so the comparison is
/// never made against a missing value.
fn endpoint_masks(cond: &Cond) -> [EndpointMask; 2] {
    use ast::{Attr, CompRef, Const, Holder, Op};
    let mut masks = [EndpointMask::ANY; 2];
    for c in conjuncts(cond) {
        let (field, op, negated) = match c {
            Cond::Cmp(f, op) => (f, op, false),
            Cond::Not(inner) => match inner.as_ref() {
                Cond::Cmp(f, op) => (f, op, true),
                _ => continue,
            },
            _ => continue,
        };
        let Holder::Comp(end @ (CompRef::Source | CompRef::Target)) = field.holder else { continue };
        let bit = |i: u8| 1u64.checked_shl(u32::from(i)).unwrap_or(0);
        let allowed = match op {
            Op::Eq(Const::Sym(i)) => bit(*i),
            Op::Ne(Const::Sym(i)) => !bit(*i),
            Op::InSym(bits, false) => *bits,
            Op::InSym(bits, true) => !*bits,
            _ => continue,
        };
        let allowed = if negated { !allowed } else { allowed };
        let Some(m) = masks.get_mut(usize::from(end == CompRef::Target)) else { continue };
        match field.attr {
            Attr::Type => m.types &= allowed,
            Attr::Kind => m.kinds &= allowed,
            _ => {}
        }
    }
    masks
}

/// What a flow must have for a flow rule to be evaluated on it, read off the condition's
/// top-level conjuncts like [`Rule::requires`]: flags it tests with `contains`/`contains_all`
/// (or `contains_any` of one flag), and carried data when it has a `data` predicate on the flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FlowNeeds {
    /// Flow flag bits that must all be set.
    pub flags: u64,
    /// The flow must carry at least one data asset.
    pub data: bool,
}

impl FlowNeeds {
    /// Whether a flow with these flags, carrying `carried` data assets, can satisfy the rule.
    pub fn admits(&self, flags: u64, carried: usize) -> bool {
        flags & self.flags == self.flags && (!self.data || carried > 0)
    }
}

fn flow_needs(cond: &Cond) -> FlowNeeds {
    use ast::{Attr, Holder, Op};
    let mut needs = FlowNeeds::default();
    for c in conjuncts(cond) {
        match c {
            Cond::Cmp(f, Op::BitsAll(bits)) if f.holder == Holder::Flow && f.attr == Attr::Flags => {
                needs.flags |= bits;
            }
            Cond::Cmp(f, Op::BitsAny(bits))
                if f.holder == Holder::Flow && f.attr == Attr::Flags && bits.count_ones() == 1 =>
            {
                needs.flags |= bits;
            }
            Cond::Data(p) if p.of.is_none() && p.min >= 1 => needs.data = true,
            _ => {}
        }
    }
    needs
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub spec: RuleSpec,
    pub cond: Cond,
    /// Pre-computed facts an element must have for the rule to be evaluated on it.
    pub requires: u8,
    /// Flow rules: what the source and the target of a flow must be for the rule to be
    /// evaluated on it ([`EndpointMask::ANY`] for other rules).
    pub endpoints: [EndpointMask; 2],
    /// Flow rules: what a flow must have for the rule to be evaluated on it (nothing for other
    /// rules).
    pub flow: FlowNeeds,
    pub exists: Vec<Exists>,
    /// Mitigation tokens as ids, with their effects.
    pub mitigation_ids: Vec<(u16, Effect)>,
    /// Which pack the rule came from.
    pub pack: usize,
}

/// One parsed (not yet compiled) rule file.
#[derive(Debug, Clone)]
pub struct RuleFile {
    pub name: String,
    pub info: SourceInfo,
    pub rules: Vec<(String, RuleSpec)>,
}

impl RuleFile {
    /// Parses a rule file (YAML or JSON, by file name); `name` prefixes every error path.
    pub fn parse(name: &str, text: &str) -> Result<RuleFile> {
        let h = load_file::<RuleFileBody>(name, text, "rule")?;
        let mut diags = Vec::new();
        let mut rules = Vec::new();
        for (i, v) in h.body.rules.iter().enumerate() {
            let path = format!("{name}#/rules/{i}");
            match serde_path_to_error::deserialize::<_, RuleSpec>(v) {
                Ok(spec) => rules.push((path, spec)),
                Err(e) => {
                    let d = crate::model::serde_diag("rule", "", &e.path().to_string(), &e.inner().to_string());
                    diags.push(Diagnostic::new(
                        &d.code,
                        format!("{path}{}", crate::catalog::json_pointer(&d.path)),
                        d.message,
                    ));
                }
            }
        }
        if diags.is_empty() {
            Ok(RuleFile { name: name.to_owned(), info: SourceInfo { id: h.id, version: h.version }, rules })
        } else {
            Err(Error::Rule(diags))
        }
    }
}

/// An immutable, compiled rule set (Send + Sync): rules indexed by what they apply to.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub packs: Vec<SourceInfo>,
    /// Control token ids: index → name.
    pub token_names: Vec<String>,
    pub token_ids: BTreeMap<String, u16>,
    /// Component rules by component type index (rules with no `types` are in every bucket).
    pub(crate) by_type: Vec<Vec<u32>>,
    pub(crate) flow_rules: Vec<u32>,
    pub(crate) asset_rules: Vec<u32>,
    pub(crate) zone_rules: Vec<u32>,
    pub(crate) model_rules: Vec<u32>,
}

const PLACEHOLDERS: &[&str] = &["self", "zone", "flow", "source", "target", "asset", "data", "missing"];

impl RuleSet {
    /// Compiles rule files in order: a later rule with the same id replaces the earlier one.
    pub fn compile(files: &[RuleFile], catalogs: &Catalogs) -> Result<RuleSet> {
        // Token vocabulary: the catalog's tokens plus every token a rule names as a mitigation.
        let mut names: BTreeSet<String> = catalogs.tokens.keys().cloned().collect();
        for f in files {
            for (_, r) in &f.rules {
                names.extend(r.mitigations.iter().map(|m| m.control.clone()));
            }
        }
        if names.len() > usize::from(u16::MAX) {
            return Err(Error::Rule(vec![Diagnostic::new(
                "rule.too_many_tokens",
                "",
                "more than 65535 control tokens",
            )]));
        }
        let token_names: Vec<String> = names.into_iter().collect();
        let token_ids: BTreeMap<String, u16> =
            token_names.iter().enumerate().map(|(i, n)| (n.clone(), u16::try_from(i).unwrap_or(u16::MAX))).collect();

        let mut diags = Vec::new();
        let mut chosen: BTreeMap<String, (usize, &str, &RuleSpec)> = BTreeMap::new();
        let mut order: Vec<String> = Vec::new();
        for (pack, f) in files.iter().enumerate() {
            let mut in_file: BTreeMap<&str, &str> = BTreeMap::new();
            for (path, r) in &f.rules {
                if let Some(first) = in_file.insert(r.id.as_str(), path.as_str()) {
                    diags.push(Diagnostic::new(
                        "rule.duplicate_id",
                        format!("{path}/id"),
                        format!("duplicate rule id `{}` (first at {first})", r.id),
                    ));
                    continue;
                }
                if chosen.insert(r.id.clone(), (pack, path.as_str(), r)).is_none() {
                    order.push(r.id.clone());
                }
            }
        }
        let mut rules = Vec::with_capacity(order.len());
        for id in &order {
            let Some((pack, path, spec)) = chosen.get(id) else { continue };
            if let Some(rule) = compile_rule(spec, *pack, path, catalogs, &token_ids, &mut diags) {
                rules.push(rule);
            }
        }
        if !diags.is_empty() {
            return Err(Error::Rule(diags));
        }
        rules.sort_by(|a, b| a.spec.id.cmp(&b.spec.id));
        let mut set = RuleSet {
            rules,
            packs: files.iter().map(|f| f.info.clone()).collect(),
            token_names,
            token_ids,
            by_type: vec![Vec::new(); ComponentType::ALL.len()],
            flow_rules: Vec::new(),
            asset_rules: Vec::new(),
            zone_rules: Vec::new(),
            model_rules: Vec::new(),
        };
        set.build_index();
        Ok(set)
    }

    fn build_index(&mut self) {
        for (i, r) in self.rules.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            match r.spec.applies_to {
                AppliesTo::Component => {
                    for (t, bucket) in ComponentType::ALL.iter().zip(self.by_type.iter_mut()) {
                        let type_ok = r.spec.types.is_empty() || r.spec.types.contains(t);
                        // `kinds` is checked again at evaluation (a model may override a kind);
                        // here it only prunes types whose default kind cannot match.
                        if type_ok {
                            bucket.push(i);
                        }
                    }
                }
                AppliesTo::Flow => self.flow_rules.push(i),
                AppliesTo::DataAsset => self.asset_rules.push(i),
                AppliesTo::Zone => self.zone_rules.push(i),
                AppliesTo::Model => self.model_rules.push(i),
            }
        }
    }

    /// Looks up a rule by id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.binary_search_by(|r| r.spec.id.as_str().cmp(id)).ok().and_then(|i| self.rules.get(i))
    }
}

fn compile_rule(
    spec: &RuleSpec,
    pack: usize,
    path: &str,
    cat: &Catalogs,
    tokens: &BTreeMap<String, u16>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Rule> {
    let start = diags.len();
    let mut push = |code: &str, sub: &str, msg: String| diags.push(Diagnostic::new(code, format!("{path}/{sub}"), msg));
    if spec.id.is_empty() || !spec.id.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) {
        push("rule.invalid_id", "id", format!("rule id `{}` may only use letters, digits, `.`, `_` and `-`", spec.id));
    }
    if spec.stride.is_empty() && spec.linddun.is_empty() {
        push("rule.missing_field", "stride", "a rule needs at least one STRIDE or LINDDUN category".into());
    }
    if (!spec.types.is_empty() || !spec.kinds.is_empty()) && spec.applies_to != AppliesTo::Component {
        push("rule.invalid_value", "types", "`types` and `kinds` only apply to component rules".into());
    }
    for (name, v) in [
        ("likelihood/fixed", spec.likelihood.fixed),
        ("impact/fixed", spec.impact.fixed),
        ("impact/default", spec.impact.default),
    ] {
        if let Some(n) = v
            && !(1..=5).contains(&n)
        {
            push("rule.invalid_value", name, format!("`{n}` must be a level from 1 to 5"));
        }
    }
    // Placeholders in the description.
    let mut rest = spec.description.as_str();
    while let Some(open) = rest.find('{') {
        let after = rest.get(open + 1..).unwrap_or("");
        let Some(close) = after.find('}') else {
            push("rule.invalid_template", "description", "unclosed `{` in description".into());
            break;
        };
        let name = after.get(..close).unwrap_or("");
        if !PLACEHOLDERS.contains(&name) {
            let hint = suggestion(name, PLACEHOLDERS.iter().copied());
            push("rule.invalid_template", "description", format!("unknown placeholder `{{{name}}}`{hint}"));
        }
        rest = after.get(close + 1..).unwrap_or("");
    }
    // Catalog references.
    for (i, t) in spec.attack.iter().enumerate() {
        match cat.techniques.get(t) {
            None => push("rule.unknown_technique", &format!("attack/{i}"), format!("unknown ATT&CK technique `{t}`")),
            Some(tech) if tech.status != EntryStatus::Active => {
                let by = if tech.revoked_by.is_empty() {
                    String::new()
                } else {
                    format!("; replaced by {}", tech.revoked_by.join(", "))
                };
                push(
                    "rule.retired_technique",
                    &format!("attack/{i}"),
                    format!("ATT&CK technique `{t}` is {}{by}", tech.status.as_str()),
                );
            }
            Some(_) => {}
        }
    }
    for (i, c) in spec.controls.nist_800_53.iter().enumerate() {
        match cat.nist.get(c) {
            None => {
                let hint = if cat.nist.contains_key(&c.to_ascii_lowercase()) {
                    format!("; ids are lower case: `{}`", c.to_ascii_lowercase())
                } else {
                    String::new()
                };
                push(
                    "rule.unknown_control",
                    &format!("controls/nist_800_53/{i}"),
                    format!("unknown NIST SP 800-53 control `{c}`{hint}"),
                );
            }
            Some(n) if n.status != EntryStatus::Active => push(
                "rule.retired_control",
                &format!("controls/nist_800_53/{i}"),
                format!("NIST SP 800-53 control `{c}` is withdrawn"),
            ),
            Some(_) => {}
        }
    }
    type Known<'c> = &'c dyn Fn(&str) -> bool;
    let lists: [(&str, &Vec<String>, Known, &str); 4] = [
        (
            "controls/iso_27001",
            &spec.controls.iso_27001,
            &|c: &str| cat.iso.contains_key(c),
            "ISO/IEC 27001:2022 Annex A control",
        ),
        (
            "controls/cis_v8",
            &spec.controls.cis_v8,
            &|c: &str| cat.cis.contains_key(c) || cat.cis_controls.contains_key(c),
            "CIS Controls v8.1 safeguard",
        ),
        ("cwe", &spec.cwe, &|c: &str| cat.cwe.get(c).is_some_and(|w| w.status != "deprecated"), "CWE weakness"),
        ("capec", &spec.capec, &|c: &str| cat.capec.get(c).is_some_and(|p| !p.deprecated), "CAPEC attack pattern"),
    ];
    for (sub, list, known, what) in lists {
        for (i, c) in list.iter().enumerate() {
            if !known(c) {
                push("rule.unknown_reference", &format!("{sub}/{i}"), format!("unknown or deprecated {what} `{c}`"));
            }
        }
    }
    if !cat.frameworks.is_empty() {
        for (key, ids) in &spec.requirements {
            let Some(fw) = cat.framework(key) else {
                let hint = suggestion(key, cat.frameworks.iter().map(|f| f.id.as_str()));
                push(
                    "rule.unknown_framework",
                    &format!("requirements/{key}"),
                    format!("unknown compliance framework `{key}`{hint}"),
                );
                continue;
            };
            for (i, id) in ids.iter().enumerate() {
                if fw.requirement(id).is_none() {
                    let hint = suggestion(id, fw.requirements.iter().map(|r| r.id.as_str()));
                    push(
                        "rule.unknown_requirement",
                        &format!("requirements/{key}/{i}"),
                        format!("`{id}` is not a requirement of {} in the frameworks catalog{hint}", fw.name),
                    );
                }
            }
        }
    }
    let mut mitigation_ids = Vec::new();
    for m in &spec.mitigations {
        if let Some(id) = tokens.get(&m.control) {
            mitigation_ids.push((*id, m.effect));
        }
    }
    let mut compiler = compile::Compiler::new(tokens);
    let cond = compiler.compile_when(&spec.when, spec.applies_to, "when");
    for d in compiler.diags {
        diags.push(Diagnostic::new(
            &d.code,
            format!("{path}/{}", crate::catalog::json_pointer(&d.path).trim_start_matches('/')),
            d.message,
        ));
    }
    if diags.len() > start {
        return None;
    }
    let cond = cond?;
    let requires = required_facts(&cond);
    let is_flow = spec.applies_to == AppliesTo::Flow;
    let endpoints = if is_flow { endpoint_masks(&cond) } else { [EndpointMask::ANY; 2] };
    let flow = if is_flow { flow_needs(&cond) } else { FlowNeeds::default() };
    Some(Rule { spec: spec.clone(), cond, requires, endpoints, flow, exists: compiler.exists, mitigation_ids, pack })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ComponentType;

    /// The flow rule `X-1` whose condition is `when`, compiled against the bundled catalogs.
    fn flow_rule(when: &str) -> Rule {
        let text = format!(
            "format_version: 1\nid: t\nversion: 0.0.1\nsource: test\nlicence: Apache-2.0\nrules:\n  - id: X-1\n    \
             version: 1.0.0\n    title: t\n    description: d\n    stride: [spoofing]\n    applies_to: flow\n    \
             when: {when}\n"
        );
        let file = RuleFile::parse("t.yaml", &text).unwrap();
        let set = RuleSet::compile(&[file], &crate::catalog::Catalogs::bundled().unwrap()).unwrap();
        set.get("X-1").unwrap().clone()
    }

    fn masks(when: &str) -> [EndpointMask; 2] {
        flow_rule(when).endpoints
    }

    fn type_bit(name: &str) -> u64 {
        1 << ComponentType::NAMES.iter().position(|n| *n == name).unwrap()
    }

    #[test]
    fn endpoint_masks_follow_top_level_type_and_kind_tests() {
        let [s, t] = masks("{all: [{field: source.type, eq: browser}, {field: target.kind, in: [process]}]}");
        assert_eq!(s, EndpointMask { types: type_bit("browser"), kinds: u64::MAX });
        assert_eq!(t, EndpointMask { types: u64::MAX, kinds: 0b10 });

        let [s, t] =
            masks("{all: [{field: source.type, not_in: [browser, api]}, {not: {field: target.kind, eq: process}}]}");
        assert_eq!(s.types, !(type_bit("browser") | type_bit("api")));
        assert_eq!(t.kinds, !0b10);
        assert!(!s.admits(ComponentType::Api as u8, 1) && s.admits(ComponentType::Database as u8, 2));

        let [s, _] = masks("{all: [{field: source.type, ne: api}, {field: source.type, in: [api, database]}]}");
        assert_eq!(s.types, type_bit("database"), "conjuncts intersect");
    }

    fn needs(when: &str) -> FlowNeeds {
        flow_rule(when).flow
    }

    #[test]
    fn flow_needs_follow_top_level_flag_and_data_tests() {
        use crate::model::FlowFlag;
        let bit = |f: FlowFlag| f.bit();
        let n = needs("{all: [{field: flow.flags, contains: webhook}, {field: flow.flags, contains_any: [async]}]}");
        assert_eq!(n, FlowNeeds { flags: bit(FlowFlag::Webhook) | bit(FlowFlag::Async), data: false });
        let n = needs("{all: [{data: {of: flow, scope: carried, tags_any: [pii]}}, {field: flow.mfa, eq: false}]}");
        assert_eq!(n, FlowNeeds { flags: 0, data: true });
        assert!(n.admits(0, 1) && !n.admits(0, 0));
        // Any of several flags, flags under `any` or `not`, and data of an endpoint bound nothing.
        for when in [
            "{field: flow.flags, contains_any: [async, webhook]}",
            "{any: [{field: flow.flags, contains: webhook}, {field: flow.mfa, eq: false}]}",
            "{not: {field: flow.flags, contains: webhook}}",
            "{data: {of: target, scope: stored, tags_any: [pii]}}",
        ] {
            assert_eq!(needs(when), FlowNeeds::default(), "{when}");
        }
    }

    #[test]
    fn endpoint_masks_ignore_what_they_cannot_bound() {
        // A disjunction, a test of the flow and a negated conjunction leave both endpoints open.
        for when in [
            "{any: [{field: source.type, eq: browser}, {field: target.type, eq: api}]}",
            "{field: flow.authentication, eq: none}",
            "{not: {all: [{field: source.type, eq: browser}, {field: target.type, eq: api}]}}",
        ] {
            assert_eq!(masks(when), [EndpointMask::ANY; 2], "{when}");
        }
    }
}
