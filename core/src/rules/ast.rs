//! The compiled form of rule conditions: a finite tree over typed fields, with every constant
//! resolved (enum names to indices, flag names to bits, control tokens to ids) at compile time.

/// Which component a field or predicate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompRef {
    /// `self`: the component under evaluation (component rules, and the outer component inside
    /// `inbound`/`outbound`).
    This,
    /// `source` of the current flow.
    Source,
    /// `target` of the current flow.
    Target,
}

/// What a field reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    Comp(CompRef),
    /// The zone of a component.
    ZoneOf(CompRef),
    /// `zone`: the zone under evaluation (zone rules) or the component's zone (component rules).
    Zone,
    Flow,
    Asset,
}

/// The value domain of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Domain {
    Bool,
    Num,
    Str,
    /// An enumeration; the names in index order. Ordered comparisons compare indices.
    Sym(&'static [&'static str]),
    /// A set of flags; the names in bit order.
    Flags(&'static [&'static str]),
    /// A set of control tokens.
    Tokens,
    /// A set of free strings.
    Strs,
}

/// A field attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attr {
    // components
    Id,
    Type,
    Kind,
    Technology,
    Location,
    Flags,
    Controls,
    Replicas,
    InternetFacing,
    Reachable,
    AnonReachable,
    InternetHops,
    Exposure,
    InDegree,
    OutDegree,
    // zones
    ZoneKind,
    Trust,
    Environment,
    Parent,
    // flows
    Protocol,
    Format,
    Encrypted,
    Mfa,
    Authentication,
    Authorization,
    Crossing,
    CrossesBoundary,
    TrustDelta,
    // assets
    Classification,
    Tags,
    Confidentiality,
    Integrity,
    Availability,
    Quantity,
    LawfulBasis,
    Retention,
    Purposes,
    Handlers,
    Carriers,
}

/// A typed field reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub holder: Holder,
    pub attr: Attr,
    pub domain: Domain,
}

/// A compiled constant.
#[derive(Debug, Clone, PartialEq)]
pub enum Const {
    Bool(bool),
    Num(i64),
    Str(String),
    /// Enum index.
    Sym(u8),
}

/// A compiled comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    Eq(Const),
    Ne(Const),
    /// Membership in a set of strings.
    InStr(Vec<String>, bool),
    /// Membership in a set of enum indices (bit set); the bool is `true` for `not_in`.
    InSym(u64, bool),
    /// Numeric or ordinal comparison: (ordering wanted, inclusive, value).
    Cmp(std::cmp::Ordering, bool, i64),
    /// Flag-set tests against a bit mask.
    BitsAny(u64),
    BitsAll(u64),
    BitsNone(u64),
    /// Token-set tests against token ids (sorted).
    TokAny(Vec<u16>),
    TokAll(Vec<u16>),
    TokNone(Vec<u16>),
    /// String-set tests.
    StrsAny(Vec<String>),
    StrsAll(Vec<String>),
    StrsNone(Vec<String>),
    /// `unset: true` (the field has no value) or `unset: false`.
    Unset(bool),
}

/// Where a `data:` predicate looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataScope {
    Carried,
    Stored,
    Processed,
    Handled,
}

/// Criteria of a `data:` predicate.
#[derive(Debug, Clone, PartialEq)]
pub struct DataPred {
    /// `None`: the current flow; `Some`: a component.
    pub of: Option<CompRef>,
    pub scope: DataScope,
    pub classification_gte: Option<u8>,
    pub tags_any: u64,
    pub tags_all: u64,
    pub confidentiality_gte: Option<u8>,
    pub integrity_gte: Option<u8>,
    pub availability_gte: Option<u8>,
    pub quantity_gte: Option<u8>,
    pub min: u32,
}

/// Direction of an adjacency quantifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    In,
    Out,
}

/// A bounded quantifier over the flows of one component.
#[derive(Debug, Clone, PartialEq)]
pub struct Adjacent {
    pub of: CompRef,
    pub dir: Dir,
    pub cond: Box<Cond>,
    pub min: u32,
    pub max: Option<u32>,
    /// Count distinct peer zones rather than flows.
    pub distinct_zone: bool,
}

/// Collection an `exists` ranges over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    Components,
    Flows,
    DataAssets,
    Zones,
}

/// A model-wide count, evaluated once per analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Exists {
    pub collection: Collection,
    pub cond: Box<Cond>,
    pub min: u32,
    pub max: Option<u32>,
}

/// A compiled condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Not(Box<Cond>),
    Cmp(Field, Op),
    Data(DataPred),
    Adjacent(Adjacent),
    /// Index into the rule's `exists` list.
    Exists(usize),
}

pub const KIND_NAMES: &[&str] = crate::model::ElementKind::NAMES;
pub const ZONE_KIND_NAMES: &[&str] = crate::model::ZoneKind::NAMES;
pub const ENVIRONMENT_NAMES: &[&str] = crate::model::Environment::NAMES;
pub const AUTHENTICATION_NAMES: &[&str] = crate::model::Authentication::NAMES;
pub const AUTHORIZATION_NAMES: &[&str] = crate::model::Authorization::NAMES;
pub const CLASSIFICATION_NAMES: &[&str] = crate::model::Classification::NAMES;
pub const QUANTITY_NAMES: &[&str] = crate::model::Quantity::NAMES;
pub const CROSSING_NAMES: &[&str] = crate::graph::Crossing::NAMES;
