//! `gox import`: plan (discover + verify), print the plan for `--dry-run`, else carry out
//! each import and print what happened in the same shape.

use gox_installer::import::{self, Action, Mode, Planned};

use super::print_json;
use crate::cli::ImportArgs;
use crate::context::Context;
use crate::error::CliError;

pub fn run(ctx: &Context, args: &ImportArgs) -> Result<(), CliError> {
    let mode = if args.move_ {
        Mode::Move
    } else if args.copy {
        Mode::Copy
    } else {
        Mode::Link
    };
    let candidates = import::discover(&ctx.env, &ctx.layout, &args.from);
    let mut rows = import::plan(&ctx.layout, &ctx.host.platform, &candidates);
    if rows.is_empty() {
        ctx.status(nothing_found(ctx, &args.from));
    }
    // A FROM the user named that cannot be imported is an error; a broken leftover in
    // some manager's directory is only reported.
    let refused_from = rows
        .iter()
        .filter(|r| r.action == Action::Refuse && r.manager == "dir")
        .count();
    let mut failed = 0;
    let mut sources_left = 0;
    if !args.dry_run {
        for row in rows.iter_mut().filter(|r| r.action == Action::Import) {
            match import::import(&ctx.layout, row, mode) {
                Ok(done) => {
                    if !args.json && !ctx.quiet {
                        gox_core::say!(
                            "gox: {} files hard-linked, {} copied into {}",
                            done.linked,
                            done.copied,
                            done.goroot.display()
                        );
                    }
                    // --move could not take the original away: the import stands.
                    if let Some(left) = done.source_left {
                        sources_left += 1;
                        row.reason = Some(match row.reason.take() {
                            Some(before) => format!("{before}; {left}"),
                            None => left.to_string(),
                        });
                    }
                }
                // Ctrl-C: the tree being imported was rolled back (its staging removed);
                // the rest are not started.
                Err(e) if e.interrupted_by().is_some() => return Err(e.into()),
                Err(e) => {
                    failed += 1;
                    row.action = Action::Refuse;
                    row.reason = Some(e.to_string().replace('\n', "; "));
                }
            }
        }
    }
    if args.json {
        print_json(&rows);
    } else {
        print_table(&rows, args.dry_run);
    }
    let mut errors = Vec::new();
    if failed + refused_from > 0 {
        errors.push(format!(
            "{} toolchain(s) could not be imported (reasons above); nothing was half-imported",
            failed + refused_from
        ));
    }
    if sources_left > 0 {
        errors.push(format!(
            "{sources_left} toolchain(s) were imported but --move could not remove the original \
             (reasons and the commands to remove them above); gox's copies are complete"
        ));
    }
    if !errors.is_empty() {
        return Err(CliError::Other(errors.join("\n")));
    }
    Ok(())
}

fn print_table(rows: &[Planned], dry_run: bool) {
    for row in rows {
        let action = match (row.action, dry_run) {
            (Action::Import, true) => "would import",
            (Action::Import, false) => "imported",
            (Action::Skip, true) => "would skip",
            (Action::Skip, false) => "skipped",
            (Action::Refuse, true) => "would refuse",
            (Action::Refuse, false) => "refused",
        };
        let version = row
            .version
            .as_deref()
            .map_or_else(|| "-".to_string(), |v| format!("go{v}"));
        println!(
            "{action:<13} {version:<11} {:<14} {:<14} {}",
            row.platform.as_deref().unwrap_or("-"),
            row.manager,
            row.path.display()
        );
        if let Some(reason) = &row.reason {
            println!("{:<13} {reason}", "");
        }
    }
}

/// Says where nothing was found: the directories named, else every manager's place
/// (`import::roots`, the very list `discover` searched), so a Go kept elsewhere is one
/// `gox import DIR` away.
fn nothing_found(ctx: &Context, from: &[std::path::PathBuf]) -> String {
    if !from.is_empty() {
        let dirs: Vec<String> = from.iter().map(|d| d.display().to_string()).collect();
        return format!(
            "no Go toolchains found in {}: neither a GOROOT (bin/go, VERSION) nor a directory \
             of them",
            dirs.join(", ")
        );
    }
    let mut message = String::from("no Go toolchains found; searched:");
    for root in import::roots(&ctx.env) {
        // Spelled as Windows users type paths (mise's `.local/share` joined to USERPROFILE
        // would otherwise show both separators).
        message.push_str(&format!(
            "\n  {:<13} {}",
            root.manager.as_str(),
            gox_core::pathname::native(root.dir).display()
        ));
    }
    message.push_str("\nfix: name where your Go is: gox import DIR");
    message
}
