//! `stridewise import DIR --format terraform`: service models from a Terraform folder, and
//! re-import into a model people have edited. Parsing and printing only; the import, the
//! mapping and the merge are the core's (`interop::terraform`, `app::terraform`).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use stridewise_core::app::SaveOutcome;
use stridewise_core::app::terraform::{import_into_workspace, reimport};
use stridewise_core::catalog;
use stridewise_core::interop::terraform::{self, Options, ServiceSummary};
use stridewise_core::model::{self, ServiceModel};

use super::{CLEAN, ERROR};

/// Options of `import` that only apply to `--format terraform`.
#[derive(clap::Args, Default)]
pub struct TerraformArgs {
    /// A Terraform variable file (`.tfvars`); repeat for several, later ones win.
    /// `terraform.tfvars` and `*.auto.tfvars` of the root module are read first.
    #[arg(long = "var-file", value_name = "F")]
    var_files: Vec<PathBuf>,
    /// Import only the root module of this service (when the folder holds several), or name
    /// the one model.
    #[arg(long, value_name = "NAME")]
    service: Option<String>,
    /// Re-import: merge the import into this model, which people have edited since the
    /// previous import (needs --base). Writes the merged model to MODEL (or -o).
    #[arg(
        long,
        value_name = "MODEL",
        requires = "base",
        conflicts_with = "workspace"
    )]
    into: Option<PathBuf>,
    /// The previous import of the same service, the common ancestor of the merge; rewritten
    /// with this import so that it stays the previous import for the next time. With
    /// --workspace it is optional (the workspace keeps each service's last import) and may not
    /// exist yet (a first import).
    #[arg(long, value_name = "BASE")]
    base: Option<PathBuf>,
    /// Save the import in this workspace as the service's next revision (needs --app). A
    /// service the workspace already has is re-imported: merged into its head with its last
    /// import (kept in the workspace, or --base) as the ancestor, keeping hand-drawn elements
    /// and triage.
    #[arg(long, value_name = "FILE", requires = "app")]
    workspace: Option<PathBuf>,
    /// With --workspace: the application the service belongs to; created if new.
    #[arg(long, value_name = "NAME", requires = "workspace")]
    app: Option<String>,
    /// With --workspace: who saves (default: $STRIDEWISE_AUTHOR, then $USER).
    #[arg(long, requires = "workspace")]
    author: Option<String>,
}

impl TerraformArgs {
    pub fn refuse_without_terraform(&self) -> Result<()> {
        if !self.var_files.is_empty()
            || self.service.is_some()
            || self.into.is_some()
            || self.base.is_some()
            || self.workspace.is_some()
        {
            bail!("--var-file, --service, --into, --base and --workspace need --format terraform");
        }
        Ok(())
    }
}

pub fn run(dir: &Path, output: Option<&Path>, args: &TerraformArgs) -> Result<u8> {
    let options = Options {
        var_files: args.var_files.clone(),
        service: args.service.clone(),
        ..Options::default()
    };
    if args.base.is_some() && args.into.is_none() && args.workspace.is_none() {
        bail!("--base needs --into MODEL or --workspace FILE");
    }
    let import = terraform::import_dir(dir, &options)
        .with_context(|| format!("cannot import '{}'", dir.display()))?;
    let stencils = catalog::builtin_stencils();
    let mut code = CLEAN;
    if let Some(file) = &args.workspace {
        return into_workspace(file, &import, args, stencils);
    }
    if let (Some(into), Some(base)) = (&args.into, &args.base) {
        if import.models.len() != 1 {
            bail!(
                "'{}' holds {} root modules; pick the one to re-import with --service",
                dir.display(),
                import.models.len()
            );
        }
        let current =
            model::load(into).with_context(|| format!("cannot read '{}'", into.display()))?;
        let previous =
            model::load(base).with_context(|| format!("cannot read '{}'", base.display()))?;
        let fresh = &import.models[0];
        let (mut merged, mut conflicts) = reimport(&previous, &current, fresh);
        stridewise_core::app::models::name_sides(
            &mut merged,
            &mut conflicts,
            &format!("file {}", into.display()),
            &format!("the Terraform in {}", dir.display()),
        );
        let out = output.unwrap_or(into);
        model::save(&merged, out).with_context(|| format!("cannot write '{}'", out.display()))?;
        model::save(fresh, base).with_context(|| format!("cannot write '{}'", base.display()))?;
        let mut text = summary_text(&import.services[0], fresh, out, stencils, &mut code);
        text.push_str(&format!(
            "  merged into {} ({} conflicts); {} now holds this import\n",
            out.display(),
            conflicts.len(),
            base.display()
        ));
        for c in &conflicts {
            text.push_str(&format!("    conflict: {}\n", c.message));
        }
        super::print(&text)?;
        return Ok(code);
    }
    let paths = super::import::output_paths(dir, output, &import.models);
    for ((m, path), summary) in import.models.iter().zip(&paths).zip(&import.services) {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create directory '{}'", parent.display()))?;
        }
        model::save(m, path).with_context(|| format!("cannot write '{}'", path.display()))?;
        super::print(&summary_text(summary, m, path, stencils, &mut code))?;
    }
    Ok(code)
}

/// Saves each imported service in the workspace (a re-import merges into the head with the
/// base, or else the workspace's last import, as the ancestor), then rewrites the base with
/// this import.
fn into_workspace(
    file: &Path,
    import: &terraform::TerraformImport,
    args: &TerraformArgs,
    stencils: &stridewise_core::model::StencilSet,
) -> Result<u8> {
    if args.base.is_some() && import.models.len() != 1 {
        bail!(
            "the folder holds {} root modules; pick the one to import with --service",
            import.models.len()
        );
    }
    let previous = match args.base.as_deref().filter(|b| b.exists()) {
        Some(b) => Some(model::load(b).with_context(|| format!("cannot read '{}'", b.display()))?),
        None => None,
    };
    let ws = super::workspace::open(file)?;
    let who = super::workspace::author(args.author.clone());
    let app = args.app.as_deref().unwrap_or_default();
    let mut code = CLEAN;
    for (m, summary) in import.models.iter().zip(&import.services) {
        let mut text = summary_text(summary, m, file, stencils, &mut code);
        if code == ERROR {
            super::print(&text)?;
            bail!("'{}' is not a valid model; nothing was saved", m.name);
        }
        let message = format!("Terraform import of {}", summary.root);
        let done = import_into_workspace(
            &ws,
            app,
            m,
            &summary.root,
            previous.as_ref(),
            catalog::Catalog::builtin(),
            &who,
            &message,
        )
        .with_context(|| {
            format!(
                "cannot save '{}' in '{}'",
                m.name,
                super::workspace::shown(file)
            )
        })?;
        let r = done.outcome.revision();
        let how = match (&done.outcome, done.merged) {
            (SaveOutcome::Unchanged(_), _) => "unchanged at",
            (SaveOutcome::Saved(_), true) => "re-imported (merged) as",
            (SaveOutcome::Saved(_), false) => "imported as",
        };
        text.push_str(&format!(
            "  {how} revision #{} {} of '{}' in {} ({} conflicts)\n",
            r.seq,
            r.id,
            m.name,
            super::workspace::shown(file),
            done.conflicts.len()
        ));
        for c in &done.conflicts {
            text.push_str(&format!("    conflict: {}\n", c.message));
        }
        super::print(&text)?;
    }
    if let (Some(base), [fresh]) = (&args.base, import.models.as_slice()) {
        model::save(fresh, base).with_context(|| format!("cannot write '{}'", base.display()))?;
        super::print(&format!("  {} now holds this import\n", base.display()))?;
    }
    Ok(code)
}

/// What went in and what did not, for people.
fn summary_text(
    s: &ServiceSummary,
    m: &ServiceModel,
    path: &Path,
    stencils: &stridewise_core::model::StencilSet,
    code: &mut u8,
) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({}) -> {}: {} elements, {} flows, {} boundaries",
        s.name,
        s.root,
        path.display(),
        s.elements,
        s.flows,
        s.boundaries
    );
    for line in s.lines() {
        let _ = writeln!(out, "  {line}");
    }
    for d in model::validate(m, stencils).iter().filter(|d| d.is_error()) {
        let _ = writeln!(out, "  invalid: {d}");
        *code = ERROR;
    }
    out
}
