//! `stridewise catalog score`: the labelled quality benchmark's scorecard. The benchmark and
//! the scorer are `stridewise_core::quality`; this file loads, prints and picks the exit code.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result};
use stridewise_core::catalog::Catalog;
use stridewise_core::quality::{self, Scorecard, score::ModelScore};

use super::{CLEAN, ERROR, FOUND, Format};

/// Score the catalog on a labelled benchmark of weak and hardened models.
///
/// Prints, per model and in total: recall of the expected threats, precision violations,
/// hardening violations, repeats, threats per flow and criticals, then whether each target of
/// the benchmark is met. Definitions: docs/QUALITY.md.
///
/// Exits 0 when it printed the scorecard (with --check: only when every target is met, else 1),
/// 2 when the benchmark cannot be read or has problems (a name that resolves to nothing,
/// hardening steps that do not give the hardened model, a quote not in --source).
#[derive(clap::Args)]
#[command(after_help = "\
Examples:
  stridewise catalog score bench/quality
  stridewise catalog score bench/quality --catalog my-rules.toml --check
  stridewise catalog score bench/quality --source ../shared/seed/000_b3e188d6ded7eb11.txt --format json")]
pub struct Args {
    /// The benchmark folder: one sub-folder per pair, each with an expected.json.
    #[arg(value_name = "DIR", default_value = "bench/quality")]
    dir: PathBuf,
    /// A rule pack to score on top of the built-in catalog; repeat for several.
    #[arg(long = "catalog", value_name = "FILE")]
    packs: Vec<PathBuf>,
    /// Score only the given rule packs, without the built-in catalog.
    #[arg(long)]
    no_builtin_catalog: bool,
    /// Also check that every quote of the benchmark is verbatim in this document.
    #[arg(long, value_name = "DOC")]
    source: Option<PathBuf>,
    /// Exit 1 unless every target is met.
    #[arg(long)]
    check: bool,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub fn run(args: Args) -> Result<u8> {
    let owned;
    let catalog: &Catalog = if args.packs.is_empty() && !args.no_builtin_catalog {
        Catalog::builtin()
    } else {
        owned = Catalog::load(&args.packs, !args.no_builtin_catalog)?;
        &owned
    };
    let bench = quality::load(&args.dir)
        .with_context(|| format!("cannot read the benchmark '{}'", args.dir.display()))?;
    let mut card = quality::score(&bench, catalog);
    if let Some(path) = &args.source {
        let doc = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read source document '{}'", path.display()))?;
        card.problems.extend(quality::check_quotes(&bench, &doc));
    }
    match args.format {
        Format::Json => super::write_json(&card)?,
        Format::Text => super::print(&text(&card, &args.dir.display().to_string()))?,
    }
    Ok(if !card.problems.is_empty() {
        if args.format == Format::Json {
            eprintln!("error: the benchmark has {} problems", card.problems.len());
        }
        ERROR
    } else if args.check && !card.total.targets.all_met() {
        FOUND
    } else {
        CLEAN
    })
}

fn per_flow(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.1}")).unwrap_or_else(|| "-".into())
}

fn row(out: &mut String, pair: &str, variant: &str, m: &ModelScore, tail: &str) {
    let _ = writeln!(
        out,
        "{pair:<22} {variant:<9} {:>7} {:>5} {:>5} {:>4} {:>4} {:>7}  {tail}",
        m.threats,
        m.flows,
        per_flow(m.threats_per_flow),
        m.critical,
        m.high,
        m.repeats,
    );
}

fn mark(ok: bool) -> &'static str {
    if ok { "met" } else { "NOT MET" }
}

/// The scorecard as text: the table, the targets, then every miss, violation, repeat and
/// critical of a hardened model.
fn text(card: &Scorecard, dir: &str) -> String {
    let t = &card.total;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{dir}: {} pairs, {} models, {} expected threats, {} hardening checks\n",
        t.pairs, t.models, t.expectations, t.hardening_checks
    );
    let _ = writeln!(
        out,
        "{:<22} {:<9} {:>7} {:>5} {:>5} {:>4} {:>4} {:>7}  {:>6} {:>9} {:>9}",
        "pair",
        "variant",
        "threats",
        "flows",
        "/flow",
        "crit",
        "high",
        "repeats",
        "recall",
        "precision",
        "hardening"
    );
    for p in &card.pairs {
        let met = p.expectations.iter().filter(|e| e.met).count();
        let weak_violations = p.precision_violations_weak;
        let hard_violations = p.precision_violations_hardened;
        let failed = p.hardening.iter().filter(|h| !h.ok).count();
        let recall = format!("{met}/{}", p.expectations.len());
        let hardening = format!("{failed}/{}", p.hardening.len());
        row(
            &mut out,
            &p.name,
            "weak",
            &p.weak,
            &format!("{recall:>6} {weak_violations:>9}"),
        );
        row(
            &mut out,
            "",
            "hardened",
            &p.hardened,
            &format!("{:>6} {hard_violations:>9} {hardening:>9}", ""),
        );
    }
    let total = ModelScore {
        threats: t.threats,
        flows: t.flows,
        threats_per_flow: t.threats_per_flow,
        critical: t.criticals_weak + t.criticals_hardened,
        high: (card.pairs.iter())
            .map(|p| p.weak.high + p.hardened.high)
            .sum(),
        repeats: t.repeats,
        ..ModelScore::default()
    };
    let tail = format!(
        "{:>6} {:>9} {:>9}",
        format!("{}/{}", t.met, t.expectations),
        t.precision_violations,
        format!("{}/{}", t.hardening_violations, t.hardening_checks)
    );
    row(&mut out, "total", "", &total, &tail);
    let _ = writeln!(
        out,
        "\n(precision: threats above a must-not ceiling; hardening: failed checks of all checks, an expected threat the hardening left too high)\n"
    );

    let g = &t.targets;
    let _ = writeln!(out, "targets:");
    let _ = writeln!(
        out,
        "  recall 100%:                       {:>6.1}% ({}/{})  {}",
        t.recall * 100.0,
        t.met,
        t.expectations,
        mark(g.full_recall)
    );
    let _ = writeln!(
        out,
        "  no precision violation:            {:>6}           {}",
        t.precision_violations,
        mark(g.no_precision_violation)
    );
    let _ = writeln!(
        out,
        "  hardening removes or lowers:       {:>6}           {}",
        t.hardening_violations,
        mark(g.hardening_lowers)
    );
    let _ = writeln!(
        out,
        "  repeats under 10% of threats:      {:>6.1}% ({}/{})  {}",
        t.repeat_share * 100.0,
        t.repeats,
        t.threats,
        mark(g.few_repeats)
    );
    let _ = writeln!(
        out,
        "  no critical in a hardened model:   {:>6}           {}",
        t.criticals_hardened,
        mark(g.no_critical_when_hardened)
    );

    let mut section = |title: &str, lines: Vec<String>| {
        if !lines.is_empty() {
            let _ = writeln!(out, "\n{title} ({}):", lines.len());
            for l in lines {
                let _ = writeln!(out, "  {l}");
            }
        }
    };
    section("problems with the benchmark", card.problems.clone());
    section(
        "missed expectations",
        (card.pairs.iter())
            .flat_map(|p| {
                (p.expectations.iter())
                    .filter(|e| !e.met)
                    .map(move |e| format!("{}/{}: {}", p.name, e.id, e.detail))
            })
            .collect(),
    );
    section(
        "must-not expectations broken",
        (card.pairs.iter())
            .flat_map(|p| {
                p.violations.iter().map(move |v| {
                    format!(
                        "{} ({}) {}: {} on {} is {}, at most {} allowed: {}",
                        p.name,
                        v.variant.as_str(),
                        v.expectation,
                        v.threat.stride,
                        v.threat.target,
                        v.threat.severity,
                        v.at_most.as_str(),
                        v.threat.title
                    )
                })
            })
            .collect(),
    );
    section(
        "hardening violations",
        (card.pairs.iter())
            .flat_map(|p| {
                (p.hardening.iter()).filter(|h| !h.ok).flat_map(move |h| {
                    h.above.iter().map(move |t| {
                        format!(
                            "{}/{}: still {} in the hardened model (at most {}): {}",
                            p.name,
                            h.id,
                            t.severity,
                            h.at_most.as_str(),
                            t.title
                        )
                    })
                })
            })
            .collect(),
    );
    section(
        "repeats",
        (card.pairs.iter())
            .flat_map(|p| {
                [("weak", &p.weak), ("hardened", &p.hardened)]
                    .into_iter()
                    .flat_map(move |(v, m)| {
                        m.repeat_groups.iter().map(move |g| {
                            let titles: Vec<&str> =
                                g.threats.iter().map(|t| t.title.as_str()).collect();
                            format!(
                                "{} ({v}) {} / {}: {} threats share {}: {}",
                                p.name,
                                g.target,
                                g.stride,
                                g.threats.len(),
                                g.shared_mitigations.join(", "),
                                titles.join(" | ")
                            )
                        })
                    })
            })
            .collect(),
    );
    section(
        "criticals in hardened models",
        (card.pairs.iter())
            .flat_map(|p| {
                (p.hardened.criticals.iter())
                    .map(move |t| format!("{}: {} ({}): {}", p.name, t.target, t.stride, t.title))
            })
            .collect(),
    );
    out
}
