//! `threatgraph`: analyze architecture models from the command line.
//!
//! Exit codes: 0 done; 1 threats at or above `--fail-on`; 2 invalid input (model, rules, file).

#![forbid(unsafe_code)]

use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use threatgraph::{Engine, EngineOptions, Error, Format, Model, Report, Severity};

/// mimalloc instead of the system allocator: a large analysis makes millions of small
/// allocations (8% faster analysis and parsing at 100k components, measured in benches/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "threatgraph",
    version,
    about = "Threat models from architecture models: STRIDE threats mapped to ATT&CK, NIST SP 800-53, ISO 27001 and CIS, with explained severity"
)]
struct Cli {
    /// Directory of catalog files laid out like `catalogs/` (attack/, nist-800-53/, iso-27001/, cis/,
    /// cwe/, capec/, controls/, nist-csf/, crosswalks/, frameworks/): a file with a bundled name
    /// replaces that file, other files add to their catalog.
    #[arg(long, global = true, value_name = "DIR")]
    catalogs: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyze a model and print the report.
    Analyze {
        /// Model file (.yaml, .yml or .json).
        model: PathBuf,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = OutFormat::Table)]
        format: OutFormat,
        /// Extra rule file (repeatable); rules with an existing id replace the bundled ones.
        #[arg(long = "rules", value_name = "FILE")]
        rules: Vec<PathBuf>,
        /// Use only the rules given with --rules.
        #[arg(long)]
        no_bundled_rules: bool,
        /// Exit with code 1 when a threat's residual severity is at or above this level.
        #[arg(long, value_name = "SEVERITY")]
        fail_on: Option<SeverityArg>,
        /// Write the report to a file instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Check a model and report every problem in it.
    Validate {
        model: PathBuf,
        #[arg(long = "rules", value_name = "FILE")]
        rules: Vec<PathBuf>,
    },
    /// List rules.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// List the control tokens a model may declare.
    Controls,
    /// Print the JSON Schema of the model format.
    Schema,
    /// Query and maintain the reference catalogs.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
}

#[derive(Subcommand)]
enum CatalogCommand {
    /// Show a technique, control, CSF subcategory, CWE, CAPEC, control token or framework
    /// requirement, with everything mapped to it (e.g. T1190, sc-8, A.8.24, PR.DS-02, pci_dss:6.3.2).
    Show {
        id: String,
        #[arg(long = "rules", value_name = "FILE")]
        rules: Vec<PathBuf>,
        #[arg(long, short, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Rebuild the ATT&CK catalog from MITRE's STIX bundle (2.0 from mitre/cti or 2.1 from
    /// mitre-attack/attack-stix-data) and report references to retired techniques.
    /// Exit code 1 when a rule or crosswalk references a revoked, deprecated or missing technique.
    UpdateAttack {
        /// The STIX bundle (enterprise-attack.json).
        bundle: PathBuf,
        /// ATT&CK version (needed for STIX 2.0 bundles, which carry none).
        #[arg(long, value_name = "VERSION")]
        attack_version: Option<String>,
        /// Where to write the catalog (default: standard output).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        #[arg(long = "rules", value_name = "FILE")]
        rules: Vec<PathBuf>,
    },
    /// Print the rule/CTID consistency table: per rule, the share of its SP 800-53 controls that
    /// CTID lists as mitigations of its ATT&CK techniques.
    Consistency {
        #[arg(long, short, value_enum, default_value_t = ConsistencyFormat::Markdown)]
        format: ConsistencyFormat,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ConsistencyFormat {
    Markdown,
    Json,
}

#[derive(Subcommand)]
enum RulesCommand {
    /// List every rule with its categories and mappings.
    List {
        #[arg(long = "rules", value_name = "FILE")]
        rules: Vec<PathBuf>,
        #[arg(long)]
        no_bundled_rules: bool,
        #[arg(long, short, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum OutFormat {
    Json,
    Markdown,
    Table,
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum SeverityArg {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl From<SeverityArg> for Severity {
    fn from(s: SeverityArg) -> Severity {
        match s {
            SeverityArg::Info => Severity::Info,
            SeverityArg::Low => Severity::Low,
            SeverityArg::Medium => Severity::Medium,
            SeverityArg::High => Severity::High,
            SeverityArg::Critical => Severity::Critical,
        }
    }
}

/// A failure to report: a threatgraph error, or a file problem.
enum Failure {
    Tg(Error),
    /// A file could not be read.
    File(String),
    /// The output could not be written.
    Write(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Tg(e)
    }
}

fn read(path: &Path) -> Result<String, Failure> {
    let meta = std::fs::metadata(path).map_err(|e| Failure::File(format!("{}: {}", path.display(), e)))?;
    if meta.len() > threatgraph::model::MAX_INPUT_BYTES as u64 {
        return Err(Failure::File(format!(
            "{}: file is {} bytes; the limit is {}",
            path.display(),
            meta.len(),
            threatgraph::model::MAX_INPUT_BYTES
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| Failure::File(format!("{}: {}", path.display(), e)))?;
    String::from_utf8(bytes).map_err(|_| Failure::File(format!("{}: not UTF-8 text", path.display())))
}

/// Catalog directories this CLI reads (`--catalogs`); other files under the directory are ignored.
const CATALOG_DIRS: &[&str] =
    &["attack", "nist-800-53", "iso-27001", "cis", "cwe", "capec", "controls", "nist-csf", "crosswalks", "frameworks"];

fn catalog_files(dir: &Path) -> Result<Vec<(String, String)>, Failure> {
    let mut out = Vec::new();
    for sub in CATALOG_DIRS {
        let d = dir.join(sub);
        if !d.is_dir() {
            continue;
        }
        let entries = std::fs::read_dir(&d).map_err(|e| Failure::File(format!("{}: {}", d.display(), e)))?;
        let mut names: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "json" || x == "yaml" || x == "yml"))
            .collect();
        names.sort();
        for p in names {
            let name = format!("{sub}/{}", p.file_name().map(|n| n.to_string_lossy()).unwrap_or_default());
            out.push((name, read(&p)?));
        }
    }
    if out.is_empty() {
        return Err(Failure::File(format!(
            "{}: no catalog files found (expected subdirectories {})",
            dir.display(),
            CATALOG_DIRS.join(", ")
        )));
    }
    Ok(out)
}

fn engine(catalogs: Option<&Path>, rules: &[PathBuf], no_bundled_rules: bool) -> Result<Engine, Failure> {
    if rules.is_empty() && !no_bundled_rules && catalogs.is_none() {
        return Ok(Engine::bundled()?);
    }
    let catalog_files = match catalogs {
        Some(dir) => catalog_files(dir)?,
        None => Vec::new(),
    };
    let mut files = Vec::new();
    for r in rules {
        files.push((r.display().to_string(), read(r)?));
    }
    Ok(Engine::with_options(&EngineOptions { rule_files: files, no_bundled_rules, catalog_files })?)
}

fn load(path: &Path) -> Result<Model, Failure> {
    let text = read(path)?;
    Ok(Model::from_str(&text, Format::from_path(&path.to_string_lossy()))?)
}

/// Writes the report to `output` (a file) or standard output; JSON is streamed.
fn write_report(report: &Report, format: OutFormat, output: Option<&Path>) -> Result<(), Failure> {
    let io_error = |e: std::io::Error| {
        let at = output.map_or_else(|| "standard output".to_owned(), |p| p.display().to_string());
        Failure::Write(format!("{at}: {e}"))
    };
    let mut w: Box<dyn Write> = match output {
        Some(p) => Box::new(std::fs::File::create(p).map_err(io_error)?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut buf = std::io::BufWriter::with_capacity(1 << 20, &mut w);
    match format {
        OutFormat::Json => report.write_json(&mut buf),
        OutFormat::Markdown => buf.write_all(report.to_markdown().as_bytes()),
        OutFormat::Table => buf.write_all(report.to_table().as_bytes()),
    }
    .and_then(|()| buf.flush())
    .or_else(|e| {
        // A reader that stops early (`| head`) is not an error.
        if output.is_none() && e.kind() == std::io::ErrorKind::BrokenPipe { Ok(()) } else { Err(io_error(e)) }
    })
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let cat = cli.catalogs.as_deref();
    match cli.command {
        Command::Analyze { model, format, rules, no_bundled_rules, fail_on, output } => {
            let engine = engine(cat, &rules, no_bundled_rules)?;
            let m = load(&model)?;
            let report = engine.analyze(&m)?;
            write_report(&report, format, output.as_deref())?;
            let n = fail_on.map_or(0, |level| report.count_at_or_above(level.into()));
            // The process ends here: leave freeing a large model and report to the OS.
            std::mem::forget(report);
            std::mem::forget(m);
            if let Some(level) = fail_on
                && n > 0
            {
                eprintln!("{n} threats at or above {}", Severity::from(level).as_str());
                return Ok(ExitCode::from(1));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate { model, rules } => {
            let engine = engine(cat, &rules, false)?;
            let m = load(&model)?;
            engine.validate(&m)?;
            println!(
                "{}: valid ({} components, {} flows, {} zones, {} data assets)",
                model.display(),
                m.components.len(),
                m.flows.len(),
                m.zones.len(),
                m.data_assets.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules { command: RulesCommand::List { rules, no_bundled_rules, format } } => {
            let engine = engine(cat, &rules, no_bundled_rules)?;
            let set = engine.rules();
            match format {
                ListFormat::Json => {
                    let specs: Vec<&threatgraph::rules::RuleSpec> = set.rules.iter().map(|r| &r.spec).collect();
                    println!("{}", serde_json::to_string_pretty(&specs).unwrap_or_default());
                }
                ListFormat::Table => {
                    for r in &set.rules {
                        let s = &r.spec;
                        let mut cats: Vec<&str> = s.stride.iter().map(|x| x.as_str()).collect();
                        cats.extend(s.linddun.iter().map(|x| x.as_str()));
                        let applies = serde_json::to_value(s.applies_to)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default();
                        println!(
                            "{:<8} {:<10} {:<36} {} [{}]",
                            s.id,
                            applies,
                            cats.join(","),
                            s.title,
                            s.attack.join(" ")
                        );
                    }
                    println!(
                        "\n{} rules from {}",
                        set.rules.len(),
                        set.packs.iter().map(|p| format!("{} {}", p.id, p.version)).collect::<Vec<_>>().join(", ")
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Controls => {
            let engine = engine(cat, &[], false)?;
            for (id, t) in &engine.catalogs().tokens {
                println!("{:<28} {} [{}]", id, t.title, t.nist_800_53.join(", "));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema => {
            print!("{}", threatgraph::model_schema());
            Ok(ExitCode::SUCCESS)
        }
        Command::Catalog { command } => catalog(cat, command),
    }
}

fn catalog(cat: Option<&Path>, command: CatalogCommand) -> Result<ExitCode, Failure> {
    match command {
        CatalogCommand::Show { id, rules, format } => {
            let engine = engine(cat, &rules, false)?;
            let entries = engine.lookup(&id);
            if entries.is_empty() {
                return Err(Failure::Tg(Error::Request(vec![threatgraph::Diagnostic::new(
                    "catalog.not_found",
                    "id",
                    format!(
                        "no catalog entry matches `{id}`; try an ATT&CK technique (T1190), an SP 800-53 control \
                         (sc-8), an ISO 27001 control (A.8.24), a CIS safeguard (16.14), a CSF 2.0 subcategory \
                         (PR.DS-02), CWE-79, CAPEC-66, a control token (mfa) or a requirement (pci_dss:6.3.2)"
                    ),
                )])));
            }
            match format {
                ListFormat::Json => println!("{}", serde_json::to_string_pretty(&entries).unwrap_or_default()),
                ListFormat::Table => {
                    for (i, e) in entries.iter().enumerate() {
                        if i > 0 {
                            println!();
                        }
                        print!("{}", show_entry(e));
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        CatalogCommand::UpdateAttack { bundle, attack_version, output, rules } => {
            let text = read(&bundle)?;
            let file = threatgraph::catalog::stix::attack_from_stix(&text, attack_version.as_deref())?;
            let json = file.to_json();
            // Checked against the rules and crosswalk in use (bundled, or --catalogs/--rules).
            let current = engine(cat, &rules, false)?;
            let retired = current.retired_references(&file.techniques);
            match output {
                Some(p) => std::fs::write(&p, &json).map_err(|e| Failure::Write(format!("{}: {}", p.display(), e)))?,
                None => print!("{json}"),
            }
            let active =
                file.techniques.iter().filter(|t| t.status == threatgraph::catalog::EntryStatus::Active).count();
            eprintln!(
                "ATT&CK Enterprise v{}: {} tactics, {} techniques ({} active)",
                file.version,
                file.tactics.len(),
                file.techniques.len(),
                active
            );
            if retired.is_empty() {
                eprintln!("every technique the rules and crosswalks reference is active in v{}", file.version);
                return Ok(ExitCode::SUCCESS);
            }
            eprintln!("{} references to retired techniques:", retired.len());
            for r in &retired {
                let by = if r.replaced_by.is_empty() {
                    String::new()
                } else {
                    format!("; replaced by {}", r.replaced_by.join(", "))
                };
                eprintln!("  {}: {} is {}{by}", r.referrer, r.technique, r.status);
            }
            Ok(ExitCode::from(1))
        }
        CatalogCommand::Consistency { format } => {
            let engine = engine(cat, &[], false)?;
            match format {
                ConsistencyFormat::Markdown => print!("{}", engine.consistency_markdown()),
                ConsistencyFormat::Json => {
                    println!("{}", serde_json::to_string_pretty(&engine.consistency()).unwrap_or_default())
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn show_entry(e: &threatgraph::engine::Entry) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let _ = writeln!(o, "{}  {}  [{}]", e.id, e.title, e.kind.replace('_', " "));
    for (k, v) in &e.facts {
        let _ = writeln!(o, "  {}: {v}", k.replace('_', " "));
    }
    for r in &e.related {
        let _ = writeln!(o, "  {} ({}; {}):", r.relation.replace('_', " "), r.items.len(), r.source);
        if r.items.is_empty() {
            let _ = writeln!(o, "    none");
        }
        for i in &r.items {
            let _ = writeln!(o, "    {:<12} {}", i.id, i.title);
        }
    }
    o
}

/// Transparent huge pages off for this process (Linux). The allocator asks for them, and a
/// one-shot run then spends more time zeroing 2 MiB pages it only partly uses, and faulting
/// them back in after giving memory back, than it gains: at 100k components 0.8 s of kernel time
/// and 30 MB more peak memory (benches/README.md). Best effort: a kernel that refuses changes
/// nothing else.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    let _ = nix::sys::prctl::set_thp_disable(true);
}

fn main() -> ExitCode {
    no_huge_pages();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(Failure::File(msg)) => {
            eprintln!("error: {msg} [io.read]");
            ExitCode::from(2)
        }
        Err(Failure::Write(msg)) => {
            eprintln!("error: {msg} [io.write]");
            ExitCode::from(2)
        }
        Err(Failure::Tg(e)) => {
            let what = match e {
                Error::Model(_) => "invalid model",
                Error::Rule(_) => "invalid rules",
                Error::Catalog(_) => "invalid catalog",
                Error::Request(_) => "invalid request",
            };
            let n = e.diagnostics().len();
            eprintln!("error: {what} ({n} problem{})", if n == 1 { "" } else { "s" });
            for d in e.diagnostics() {
                eprintln!("  {d}");
            }
            ExitCode::from(2)
        }
    }
}
