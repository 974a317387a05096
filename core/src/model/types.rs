//! The architecture a user describes: zones (trust boundaries), components, data flows, data
//! assets and assumptions. One schema for JSON and YAML; `catalogs/schema/model.schema.json`
//! is generated from these types.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The only model format version this release reads.
pub const FORMAT_VERSION: u32 = 1;

/// A whole architecture model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// Model format version; `1` for this release. Optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format_version: Option<u32>,
    /// Human title of the system under analysis.
    pub title: String,
    /// Stable identifier of the model (for GRC tools that track many models).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Version of the model (release, commit, date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// What the system does and what is in scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Who owns the model and its risks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Trust boundaries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zones: Vec<Zone>,
    /// Components: external entities, processes and data stores.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Component>,
    /// Data assets handled by the system.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_assets: Vec<DataAsset>,
    /// Data flows between components.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flows: Vec<Flow>,
    /// Declared assumptions (the engine adds automatic ones to the report).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assumptions: Vec<Assumption>,
}

/// A trust boundary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Zone {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub kind: ZoneKind,
    /// Trust level 0 (untrusted) to 100 (most trusted); defaults by kind (see README).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust: Option<u8>,
    /// Enclosing zone, for nested boundaries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<Environment>,
    /// Region or jurisdiction (e.g. `eu`, `us-east-1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Controls that guard the whole zone (e.g. `waf`, `vpn`); credited to components inside it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controls: Option<Vec<ControlDecl>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

named_enum! {
    /// Kind of trust boundary.
    ZoneKind {
        Internet => "internet",
        Dmz => "dmz",
        Internal => "internal",
        Restricted => "restricted",
        ThirdParty => "third_party",
        CloudAccount => "cloud_account",
        Ci => "ci",
        UserWorkstation => "user_workstation",
        Management => "management",
        Partner => "partner",
    }
}

impl ZoneKind {
    /// Default trust level when a zone does not state one.
    pub fn default_trust(self) -> u8 {
        match self {
            ZoneKind::Internet => 0,
            ZoneKind::ThirdParty => 10,
            ZoneKind::Partner => 15,
            ZoneKind::UserWorkstation => 20,
            ZoneKind::Dmz => 30,
            ZoneKind::Ci => 50,
            ZoneKind::CloudAccount | ZoneKind::Internal => 60,
            ZoneKind::Management => 70,
            ZoneKind::Restricted => 80,
        }
    }
}

named_enum! {
    /// Deployment environment of a zone.
    Environment {
        Production => "production",
        Staging => "staging",
        Test => "test",
        Development => "development",
        Analytics => "analytics",
        Training => "training",
    }
}

named_enum! {
    /// DFD element kind.
    ElementKind {
        ExternalEntity => "external_entity",
        Process => "process",
        DataStore => "data_store",
    }
}

macro_rules! component_types {
    ($($variant:ident => $name:literal, $kind:ident;)*) => {
        named_enum! {
            /// Component type vocabulary (README lists each with its default kind).
            ComponentType { $($variant => $name,)* }
        }

        impl ComponentType {
            /// The DFD kind a component of this type has unless the model says otherwise.
            pub fn default_kind(self) -> ElementKind {
                match self { $(ComponentType::$variant => ElementKind::$kind,)* }
            }
        }
    };
}

component_types! {
    HumanUser => "human_user", ExternalEntity;
    DataSubject => "data_subject", ExternalEntity;
    Browser => "browser", ExternalEntity;
    MobileApp => "mobile_app", ExternalEntity;
    DesktopApp => "desktop_app", ExternalEntity;
    IotDevice => "iot_device", ExternalEntity;
    ExternalSystem => "external_system", ExternalEntity;
    ThirdPartyService => "third_party_service", ExternalEntity;
    PaymentProvider => "payment_provider", ExternalEntity;
    WebApp => "web_app", Process;
    Api => "api", Process;
    Service => "service", Process;
    Serverless => "serverless", Process;
    BatchJob => "batch_job", Process;
    Gateway => "gateway", Process;
    ReverseProxy => "reverse_proxy", Process;
    LoadBalancer => "load_balancer", Process;
    Waf => "waf", Process;
    Idp => "idp", Process;
    AuthorizationServer => "authorization_server", Process;
    SecretsManager => "secrets_manager", Process;
    Kms => "kms", Process;
    CiPipeline => "ci_pipeline", Process;
    BuildRunner => "build_runner", Process;
    DeployTool => "deploy_tool", Process;
    ContainerPlatform => "container_platform", Process;
    Bastion => "bastion", Process;
    Siem => "siem", Process;
    Database => "database", DataStore;
    NosqlDatabase => "nosql_database", DataStore;
    SearchIndex => "search_index", DataStore;
    LdapDirectory => "ldap_directory", DataStore;
    IdentityStore => "identity_store", DataStore;
    ObjectStorage => "object_storage", DataStore;
    FileStore => "file_store", DataStore;
    Cache => "cache", DataStore;
    Queue => "queue", DataStore;
    EventBus => "event_bus", DataStore;
    LogStore => "log_store", DataStore;
    ArtifactRegistry => "artifact_registry", DataStore;
    SourceRepository => "source_repository", DataStore;
    DataWarehouse => "data_warehouse", DataStore;
    Backup => "backup", DataStore;
    Other => "other", Process;
}

/// A [`named_enum!`] whose values are bits of a 64-bit set (flags, tags), parsed from their names.
macro_rules! flag_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal,)* }) => {
        named_enum! { $(#[$meta])* $name { $($variant => $text,)* } }

        impl $name {
            /// Parses the snake_case name.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)* _ => None }
            }
            /// Bit of this value in a 64-bit set.
            pub fn bit(self) -> u64 {
                1u64 << (self as u32)
            }
        }
    };
}

flag_enum! {
    /// Facts about a component that rules read.
    ComponentFlag {
        InternetFacing => "internet_facing",
        CustomCode => "custom_code",
        MultiTenant => "multi_tenant",
        PublicAccess => "public_access",
        Privileged => "privileged",
        AcceptsUploads => "accepts_uploads",
        RendersUserContent => "renders_user_content",
        LoadsThirdPartyScripts => "loads_third_party_scripts",
        PublicDependencies => "public_dependencies",
        OutboundUrlFromInput => "outbound_url_from_input",
        AdminInterface => "admin_interface",
        LogsPayloads => "logs_payloads",
        UntrustedTriggers => "untrusted_triggers",
        LongLivedCredentials => "long_lived_credentials",
        WildcardPermissions => "wildcard_permissions",
        SharedRuntime => "shared_runtime",
        AnonymousByDesign => "anonymous_by_design",
        Assessed => "assessed",
        LocalAccounts => "local_accounts",
        Replicated => "replicated",
        CloudMetadataService => "cloud_metadata_service",
        OutOfScope => "out_of_scope",
    }
}

flag_enum! {
    /// Facts about a flow that rules read.
    FlowFlag {
        Async => "async",
        ReadOnly => "read_only",
        StateChanging => "state_changing",
        RemoteAdmin => "remote_admin",
        Deployment => "deployment",
        Webhook => "webhook",
        LongLivedCredentials => "long_lived_credentials",
        CertificateValidationDisabled => "certificate_validation_disabled",
        CarriesCommands => "carries_commands",
        PersistentIdentifier => "persistent_identifier",
    }
}

flag_enum! {
    /// Regulatory and sensitivity tags of a data asset.
    DataTag {
        Pii => "pii",
        SpecialCategory => "special_category",
        Phi => "phi",
        PciChd => "pci_chd",
        PciSad => "pci_sad",
        Cui => "cui",
        Credentials => "credentials",
        Keys => "keys",
        Financial => "financial",
        ChildrenData => "children_data",
        Telemetry => "telemetry",
    }
}

impl DataTag {
    /// Regulated or secret data: impact level 5 by default.
    pub fn is_regulated(self) -> bool {
        !matches!(self, DataTag::Telemetry | DataTag::Financial | DataTag::Pii)
    }
}

/// An element of the architecture: external entity, process or data store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Component {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// DFD kind; defaults from `type`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ElementKind>,
    #[serde(rename = "type")]
    pub component_type: ComponentType,
    /// Zone (trust boundary) the component sits in. Unset: assumed untrusted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technology: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<ComponentFlag>,
    /// Declared controls. Unset (as opposed to `[]`): none assumed, and said so in the report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controls: Option<Vec<ControlDecl>>,
    /// Data assets the component stores (data at rest).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stores: Vec<String>,
    /// Data assets the component processes in memory.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub processes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Number of running instances (availability rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<u32>,
    /// Region or jurisdiction; defaults to the zone's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

impl Component {
    /// The DFD kind, declared or defaulted from the type.
    pub fn effective_kind(&self) -> ElementKind {
        self.kind.unwrap_or_else(|| self.component_type.default_kind())
    }
    /// Display name: the name, or the id.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }
}

/// A data flow from `source` to `target`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    /// Unique id; defaults to `source->target`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub source: String,
    pub target: String,
    /// Protocol, lower case (`https`, `http`, `grpc`, `postgres`, `amqp`, `ssh`, `in_process`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// Transport encryption. Unset: inferred from well-known protocols, else assumed `false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted: Option<bool>,
    /// How the source authenticates to the target. Unset: assumed `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<Authentication>,
    /// How the target authorizes the request. Unset: assumed `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization: Option<Authorization>,
    /// Multi-factor authentication on this flow. Unset: assumed `false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa: Option<bool>,
    /// Data assets carried.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<String>,
    /// Payload format, lower case (`json`, `xml`, `file`, `java_serialized`, `pickle`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<FlowFlag>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controls: Option<Vec<ControlDecl>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Set by loading: true when `id` was generated from source and target.
    #[serde(skip, default)]
    #[schemars(skip)]
    pub generated_id: bool,
}

impl Flow {
    /// The flow id, declared or `source->target`.
    pub fn effective_id(&self) -> String {
        self.effective_id_ref().into_owned()
    }

    /// [`Flow::effective_id`], borrowed when the flow declares its id.
    pub fn effective_id_ref(&self) -> std::borrow::Cow<'_, str> {
        match &self.id {
            Some(id) => std::borrow::Cow::Borrowed(id),
            None => std::borrow::Cow::Owned(format!("{}->{}", self.source, self.target)),
        }
    }
}

named_enum! {
    /// Authentication of a flow.
    Authentication {
        None => "none",
        Password => "password",
        Session => "session",
        Token => "token",
        ApiKey => "api_key",
        Mtls => "mtls",
        Oidc => "oidc",
        Saml => "saml",
        Kerberos => "kerberos",
        SshKey => "ssh_key",
        SignedRequest => "signed_request",
        WorkloadIdentity => "workload_identity",
        Certificate => "certificate",
    }
}

named_enum! {
    /// Authorization enforced by the target of a flow.
    Authorization {
        /// No authorization check.
        None => "none",
        /// Any authenticated caller may do anything.
        Authenticated => "authenticated",
        /// Role- or scope-based checks.
        RoleBased => "role_based",
        /// Per-object (per-record, per-tenant) checks.
        ObjectLevel => "object_level",
    }
}

named_enum! {
    /// Sensitivity classification of a data asset.
    Classification {
        Public => "public",
        Internal => "internal",
        Confidential => "confidential",
        Restricted => "restricted",
    }
}

impl Classification {
    /// Default C/I/A level (1..=5) of this classification.
    pub fn default_level(self) -> u8 {
        match self {
            Classification::Public => 1,
            Classification::Internal => 2,
            Classification::Confidential => 3,
            Classification::Restricted => 4,
        }
    }
}

named_enum! {
    /// How many records or subjects an asset covers.
    Quantity {
        Few => "few",
        Many => "many",
        VeryMany => "very_many",
    }
}

/// A data asset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataAsset {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Unset: assumed `restricted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classification: Option<Classification>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<DataTag>,
    /// Confidentiality level 1..=5; defaults from classification and tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidentiality: Option<u8>,
    /// Integrity level 1..=5; defaults from classification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrity: Option<u8>,
    /// Availability level 1..=5; defaults from classification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Quantity>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub purposes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lawful_basis: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

impl DataAsset {
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }
}

/// A declared assumption.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Assumption {
    pub id: String,
    pub statement: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Date (YYYY-MM-DD) by which the assumption must be reviewed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_by: Option<String>,
    /// Components, flows, zones or data assets the assumption concerns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub elements: Vec<String>,
}

named_enum! {
    /// Status of a declared control.
    ControlStatus {
        Planned => "planned",
        Implemented => "implemented",
        Verified => "verified",
    }
}

impl ControlStatus {
    /// Whether the control earns residual-risk credit.
    pub fn credited(self) -> bool {
        !matches!(self, ControlStatus::Planned)
    }
}

/// A declared control: a token (`mfa`) or a detailed entry.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ControlDecl {
    /// A control token, taken as implemented.
    Token(String),
    Detailed(ControlDetail),
}

/// A control with status and evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlDetail {
    /// Control token, e.g. `mfa`, `waf`, `encryption_at_rest`.
    pub id: String,
    #[serde(default = "default_status")]
    pub status: ControlStatus,
    /// Evidence references (URLs, ticket ids, document names).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

fn default_status() -> ControlStatus {
    ControlStatus::Implemented
}

impl ControlDecl {
    pub fn token(&self) -> &str {
        match self {
            ControlDecl::Token(t) => t,
            ControlDecl::Detailed(d) => &d.id,
        }
    }
    pub fn status(&self) -> ControlStatus {
        match self {
            ControlDecl::Token(_) => ControlStatus::Implemented,
            ControlDecl::Detailed(d) => d.status,
        }
    }
    pub fn evidence(&self) -> &[String] {
        match self {
            ControlDecl::Token(_) => &[],
            ControlDecl::Detailed(d) => &d.evidence,
        }
    }
}

impl<'de> Deserialize<'de> for ControlDecl {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = ControlDecl;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a control token or a map with `id`, `status`, `evidence`")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ControlDecl, E> {
                Ok(ControlDecl::Token(v.to_owned()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<ControlDecl, A::Error> {
                ControlDetail::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(ControlDecl::Detailed)
            }
        }
        de.deserialize_any(V)
    }
}
