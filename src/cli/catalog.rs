//! `stridewise catalog check`, `stridewise catalog docs` and `stridewise catalog score`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use stridewise_core::app::catalog as examples;
use stridewise_core::catalog::{Catalog, check, docs};
use stridewise_core::file::write_atomic;
use stridewise_core::interop::terraform;

use super::{CLEAN, FOUND, Format};

/// Check or document the threat catalog.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    Check(CheckArgs),
    Docs(DocsArgs),
    Score(super::score::Args),
}

/// Validate a catalog, run every rule's examples, check quotes against the source document and
/// print coverage.
///
/// Exits 0 when everything holds, 1 when an example fails, a quote is not verbatim in DOC, a
/// design-recommendation bullet of DOC is quoted by no mitigation, a stencil property is read
/// by no rule, mitigation or graph fact, or a mitigation is listed by no rule; 2 when the
/// catalog does not load.
#[derive(clap::Args)]
#[command(after_help = "\
Examples:
  stridewise catalog check --source ../shared/seed/000_b3e188d6ded7eb11.txt
  stridewise catalog check my-rules.toml")]
struct CheckArgs {
    /// A rule pack to check on top of the built-in catalog (default: the built-in catalog).
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
    /// The source document the quotes come from.
    #[arg(long, value_name = "DOC")]
    source: Option<PathBuf>,
    /// Check only the given files, without the built-in catalog.
    #[arg(long)]
    no_builtin_catalog: bool,
    /// A Terraform mapping file to check instead of the built-in `catalog/terraform.toml`.
    #[arg(long, value_name = "FILE")]
    terraform_mapping: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Write the catalog reference, `docs/catalog.md`, from the built-in catalog.
#[derive(clap::Args)]
struct DocsArgs {
    /// Where to write it.
    #[arg(long, default_value = "docs/catalog.md")]
    output: PathBuf,
    /// Only check that the file is up to date; exit 1 if not.
    #[arg(long)]
    check: bool,
}

pub fn run(args: Args) -> Result<u8> {
    match args.command {
        Command::Check(a) => check_cmd(a),
        Command::Docs(a) => docs_cmd(a),
        Command::Score(a) => super::score::run(a),
    }
}

fn check_cmd(args: CheckArgs) -> Result<u8> {
    let owned;
    let catalog: &Catalog = if args.files.is_empty() && !args.no_builtin_catalog {
        Catalog::builtin()
    } else {
        owned = Catalog::load(&args.files, !args.no_builtin_catalog)?;
        &owned
    };
    let doc = match &args.source {
        Some(p) => Some(
            String::from_utf8(stridewise_core::input::read_limited(
                p,
                stridewise_core::model::MAX_FILE_BYTES,
            )?)
            .with_context(|| format!("source document '{}' is not UTF-8 text", p.display()))?,
        ),
        None => None,
    };
    // The Terraform mapping is checked against the same stencils: an unknown stencil, property
    // or value is an error located in the file.
    let (mapping_file, mapping_text) = match &args.terraform_mapping {
        Some(p) => (
            p.display().to_string(),
            std::fs::read_to_string(p)
                .with_context(|| format!("cannot read Terraform mapping '{}'", p.display()))?,
        ),
        None => (
            terraform::mapping::BUILTIN_MAPPING_FILE.to_string(),
            terraform::mapping::BUILTIN_MAPPING.to_string(),
        ),
    };
    let mapping = terraform::Mapping::parse(&mapping_text, &mapping_file, &catalog.stencils)?;
    let failures = examples::run_examples(catalog);
    let quotes = doc
        .as_deref()
        .map(|d| check::check_quotes(catalog, d))
        .unwrap_or_default();
    let coverage = check::coverage(catalog, doc.as_deref());
    let unread = check::unread_properties(catalog);
    let unused = check::unused_mitigations(catalog);
    let ok = failures.is_empty()
        && quotes.is_empty()
        && coverage.unquoted_bullets.is_empty()
        && unread.is_empty()
        && unused.is_empty();

    match args.format {
        Format::Json => {
            let out = serde_json::json!({
                "ok": ok,
                "files": catalog.files,
                "rules": catalog.rules.len(),
                "mitigations": catalog.mitigations.len(),
                "terraform_mapping": { "file": mapping_file, "resource_types": mapping.resources.len(), "known_types": mapping.known_types() },
                "example_failures": failures,
                "quote_problems": quotes,
                "coverage": coverage,
                "unread_properties": unread,
                "unused_mitigations": unused,
            });
            outln!("{}", serde_json::to_string_pretty(&out)?);
        }
        Format::Text => {
            outln!(
                "catalog: {} stencils, {} mitigations, {} rules from {} files",
                catalog.stencils.stencils.len(),
                catalog.mitigations.len(),
                catalog.rules.len(),
                catalog.files.len()
            );
            outln!(
                "terraform mapping: {mapping_file}: {} resource types drawn, {} types known in all",
                mapping.resources.len(),
                mapping.known_types()
            );
            let examples: usize = catalog.rules.iter().map(|r| r.examples.len()).sum();
            outln!("examples: {} run, {} problems", examples, failures.len());
            for f in &failures {
                outln!("  {}:{}: {}", f.file, f.line, f.message);
            }
            match &args.source {
                Some(p) => {
                    outln!(
                        "quotes: checked against {}, {} problems",
                        p.display(),
                        quotes.len()
                    );
                    for q in &quotes {
                        outln!(
                            "  {}:{}: {} {}: \"{}\"",
                            q.file,
                            q.line,
                            q.what,
                            q.problem,
                            q.quote
                        );
                    }
                }
                None => outln!("quotes: not checked (no --source DOC)"),
            }
            outln!("properties no rule or mitigation reads: {}", unread.len());
            for u in &unread {
                outln!("  {} (on {})", u.property, u.defined_on.join(", "));
            }
            outln!("mitigations no rule lists: {}", unused.len());
            for m in &unused {
                outln!("  {m}");
            }
            outln!("rules per STRIDE category:");
            for (s, n) in &coverage.rules_per_stride {
                outln!("  {:<24} {n}", s.label());
            }
            outln!("mitigations per document section:");
            for (s, n) in &coverage.mitigations_per_section {
                outln!("  {n:>3}  {s}");
            }
            if args.source.is_some() {
                outln!(
                    "design-recommendation bullets quoted by no mitigation: {}",
                    coverage.unquoted_bullets.len()
                );
                for b in &coverage.unquoted_bullets {
                    outln!("  line {} ({}): {}", b.line, b.section, b.text);
                }
            }
            outln!("{}", if ok { "ok" } else { "problems found" });
        }
    }
    Ok(if ok { CLEAN } else { FOUND })
}

fn docs_cmd(args: DocsArgs) -> Result<u8> {
    let text = docs::render(Catalog::builtin());
    if args.check {
        let current = std::fs::read_to_string(&args.output).unwrap_or_default();
        if current == text {
            return Ok(CLEAN);
        }
        outln!(
            "{}: stale; run `stridewise catalog docs`",
            args.output.display()
        );
        return Ok(FOUND);
    }
    write_atomic(&args.output, text.as_bytes())
        .with_context(|| format!("cannot write '{}'", args.output.display()))?;
    outln!("{}: written", args.output.display());
    Ok(CLEAN)
}
