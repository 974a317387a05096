//! A seeded synthetic-architecture generator: realistic mixes of zones, component kinds, data
//! assets, flows (about half crossing zones) and declared controls. Same seed, same model.

use threatgraph::model::*;

/// A small, fast, deterministic PRNG (xorshift64*).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let i = self.below(items.len());
        &items[i]
    }
    /// Fisher-Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

const EXTERNAL: &[ComponentType] = &[
    ComponentType::Browser,
    ComponentType::HumanUser,
    ComponentType::MobileApp,
    ComponentType::ThirdPartyService,
    ComponentType::PaymentProvider,
    ComponentType::DataSubject,
];
const PROCESSES: &[ComponentType] = &[
    ComponentType::WebApp,
    ComponentType::Api,
    ComponentType::Service,
    ComponentType::Serverless,
    ComponentType::Gateway,
    ComponentType::Idp,
    ComponentType::SecretsManager,
    ComponentType::CiPipeline,
    ComponentType::BatchJob,
];
const STORES: &[ComponentType] = &[
    ComponentType::Database,
    ComponentType::NosqlDatabase,
    ComponentType::ObjectStorage,
    ComponentType::Queue,
    ComponentType::Cache,
    ComponentType::LogStore,
    ComponentType::SearchIndex,
];
const ZONE_KINDS: &[ZoneKind] = &[
    ZoneKind::Dmz,
    ZoneKind::Internal,
    ZoneKind::Restricted,
    ZoneKind::CloudAccount,
    ZoneKind::ThirdParty,
    ZoneKind::Ci,
];
const PROTOCOLS: &[&str] = &["https", "http", "grpc", "postgres", "amqp", "tcp", "ssh"];
const AUTHS: &[Authentication] = &[
    Authentication::None,
    Authentication::Password,
    Authentication::Session,
    Authentication::Token,
    Authentication::ApiKey,
    Authentication::Mtls,
    Authentication::Oidc,
];
const TAGS: &[DataTag] = &[DataTag::Pii, DataTag::Phi, DataTag::PciChd, DataTag::Credentials, DataTag::Financial];
/// Control tokens known to the bundled catalog.
pub const TOKENS: &[&str] = &[
    "tls",
    "mfa",
    "waf",
    "rate_limiting",
    "encryption_at_rest",
    "parameterized_queries",
    "input_validation",
    "audit_logging",
    "backup",
    "least_privilege",
];

/// Synthetic model with `n` components: ~15% external entities, ~60% processes, ~25% data
/// stores; ~2n flows, about half crossing zones; ~n/20 zones (nested); ~n/10 data assets.
pub fn synthetic(n: usize, seed: u64) -> Model {
    let mut rng = Rng::new(seed);
    let n = n.max(2);
    let zone_count = (n / 20).max(2);
    let mut zones = vec![Zone {
        id: "z-internet".into(),
        name: Some("Internet".into()),
        kind: ZoneKind::Internet,
        trust: None,
        parent: None,
        environment: None,
        location: None,
        controls: None,
        description: None,
    }];
    for z in 1..zone_count {
        let kind = *rng.pick(ZONE_KINDS);
        let parent = if z > 3 && rng.chance(20) { Some(format!("z{}", 1 + rng.below(z - 1))) } else { None };
        let controls = if rng.chance(30) { Some(vec![ControlDecl::Token("waf".into())]) } else { None };
        zones.push(Zone {
            id: format!("z{z}"),
            name: None,
            kind,
            trust: None,
            parent,
            environment: if rng.chance(10) { Some(Environment::Analytics) } else { None },
            location: None,
            controls,
            description: None,
        });
    }
    let asset_count = (n / 10).max(1);
    let data_assets: Vec<DataAsset> = (0..asset_count)
        .map(|i| {
            let classification = match rng.below(10) {
                0 => None,
                1..=2 => Some(Classification::Internal),
                3..=5 => Some(Classification::Confidential),
                6..=8 => Some(Classification::Restricted),
                _ => Some(Classification::Public),
            };
            let tags = if rng.chance(50) { vec![*rng.pick(TAGS)] } else { Vec::new() };
            DataAsset {
                id: format!("d{i}"),
                name: None,
                description: None,
                classification,
                tags,
                confidentiality: None,
                integrity: None,
                availability: None,
                quantity: if rng.chance(20) { Some(Quantity::VeryMany) } else { None },
                purposes: Vec::new(),
                lawful_basis: None,
                retention: None,
                owner: None,
            }
        })
        .collect();
    let mut components = Vec::with_capacity(n);
    for i in 0..n {
        let r = rng.below(100);
        let (ty, zone) = if r < 15 {
            (
                *rng.pick(EXTERNAL),
                if rng.chance(70) { "z-internet".to_owned() } else { format!("z{}", 1 + rng.below(zone_count - 1)) },
            )
        } else if r < 75 {
            (*rng.pick(PROCESSES), format!("z{}", 1 + rng.below(zone_count - 1)))
        } else {
            (*rng.pick(STORES), format!("z{}", 1 + rng.below(zone_count - 1)))
        };
        let mut flags = Vec::new();
        if ty.default_kind() == ElementKind::Process && rng.chance(60) {
            flags.push(ComponentFlag::CustomCode);
        }
        if rng.chance(5) {
            flags.push(ComponentFlag::MultiTenant);
        }
        let controls = if rng.chance(15) {
            None
        } else {
            let mut c: Vec<ControlDecl> = Vec::new();
            for t in TOKENS {
                if rng.chance(15) {
                    c.push(ControlDecl::Token((*t).into()));
                }
            }
            Some(c)
        };
        let mut stores = Vec::new();
        let mut processes = Vec::new();
        if ty.default_kind() != ElementKind::ExternalEntity {
            for _ in 0..rng.below(3) {
                let d = format!("d{}", rng.below(asset_count));
                let list = if ty.default_kind() == ElementKind::DataStore { &mut stores } else { &mut processes };
                if !list.contains(&d) {
                    list.push(d);
                }
            }
        }
        components.push(Component {
            id: format!("c{i}"),
            name: None,
            kind: None,
            component_type: ty,
            zone: if rng.chance(1) { None } else { Some(zone) },
            technology: None,
            description: None,
            flags,
            controls,
            stores,
            processes,
            owner: None,
            replicas: None,
            location: None,
        });
    }
    // Components of each zone, so that about half of the flows can stay in their source's zone.
    let mut members: std::collections::HashMap<Option<String>, Vec<usize>> = std::collections::HashMap::new();
    for (i, c) in components.iter().enumerate() {
        members.entry(c.zone.clone()).or_default().push(i);
    }
    let mut flows = Vec::with_capacity(2 * n);
    for i in 0..2 * n {
        let s = rng.below(n);
        let mut t = rng.below(n);
        if rng.chance(50)
            && let Some(same) = members.get(&components[s].zone).filter(|m| m.len() > 1)
        {
            t = *rng.pick(same);
        }
        if t == s {
            t = (s + 1) % n;
        }
        let data = if rng.chance(60) { vec![format!("d{}", rng.below(asset_count))] } else { Vec::new() };
        flows.push(Flow {
            id: Some(format!("f{i}")),
            name: None,
            source: format!("c{s}"),
            target: format!("c{t}"),
            protocol: Some((*rng.pick(PROTOCOLS)).into()),
            encrypted: if rng.chance(70) { Some(rng.chance(80)) } else { None },
            authentication: if rng.chance(80) { Some(*rng.pick(AUTHS)) } else { None },
            authorization: None,
            mfa: if rng.chance(30) { Some(rng.chance(50)) } else { None },
            data,
            format: None,
            flags: Vec::new(),
            controls: if rng.chance(20) { Some(vec![ControlDecl::Token("tls".into())]) } else { None },
            description: None,
            generated_id: false,
        });
    }
    Model {
        format_version: Some(1),
        title: format!("Synthetic architecture n={n} seed={seed}"),
        id: Some(format!("synthetic-{n}-{seed}")),
        version: None,
        description: None,
        owner: Some("platform-security".into()),
        zones,
        components,
        data_assets,
        flows,
        assumptions: Vec::new(),
    }
}

/// The same model with every collection shuffled.
pub fn shuffled(model: &Model, seed: u64) -> Model {
    let mut m = model.clone();
    let mut rng = Rng::new(seed ^ 0xA5A5_A5A5);
    rng.shuffle(&mut m.zones);
    rng.shuffle(&mut m.components);
    rng.shuffle(&mut m.data_assets);
    rng.shuffle(&mut m.flows);
    rng.shuffle(&mut m.assumptions);
    m
}
