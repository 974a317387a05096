//! `threatgraph`: analyze architecture models from the command line.
//!
//! Exit codes: 0 done; 1 threats at or above `--fail-on`; 2 invalid input (model, rules, file).

use clap::{Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use threatgraph::{Engine, EngineOptions, Error, Format, Model, Severity};

#[derive(Parser)]
#[command(
    name = "threatgraph",
    version,
    about = "Threat models from architecture models: STRIDE threats mapped to ATT&CK, NIST SP 800-53, ISO 27001 and CIS, with explained severity"
)]
struct Cli {
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
    File(String),
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

fn engine(rules: &[PathBuf], no_bundled_rules: bool) -> Result<Engine, Failure> {
    if rules.is_empty() && !no_bundled_rules {
        return Ok(Engine::bundled()?);
    }
    let mut files = Vec::new();
    for r in rules {
        files.push((r.display().to_string(), read(r)?));
    }
    Ok(Engine::with_options(&EngineOptions { rule_files: files, no_bundled_rules })?)
}

fn load(path: &Path) -> Result<Model, Failure> {
    let text = read(path)?;
    Ok(Model::from_str(&text, Format::from_path(&path.to_string_lossy()))?)
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    match cli.command {
        Command::Analyze { model, format, rules, no_bundled_rules, fail_on, output } => {
            let engine = engine(&rules, no_bundled_rules)?;
            let m = load(&model)?;
            let report = engine.analyze(&m)?;
            let text = match format {
                OutFormat::Json => report.to_json(),
                OutFormat::Markdown => report.to_markdown(),
                OutFormat::Table => report.to_table(),
            };
            match output {
                Some(p) => std::fs::write(&p, text).map_err(|e| Failure::File(format!("{}: {}", p.display(), e)))?,
                None => print!("{text}"),
            }
            if let Some(level) = fail_on {
                let n = report.count_at_or_above(level.into());
                if n > 0 {
                    eprintln!("{n} threats at or above {}", Severity::from(level).as_str());
                    return Ok(ExitCode::from(1));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate { model, rules } => {
            let engine = engine(&rules, false)?;
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
            let engine = engine(&rules, no_bundled_rules)?;
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
            let engine = engine(&[], false)?;
            for (id, t) in &engine.catalogs().tokens {
                println!("{:<28} {} [{}]", id, t.title, t.nist_800_53.join(", "));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema => {
            print!("{}", threatgraph::model_schema());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(Failure::File(msg)) => {
            eprintln!("error: {msg} [io.read]");
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
