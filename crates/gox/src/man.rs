//! Man pages via clap_mangen: `gox.1` and one `gox-<command>.1` per visible subcommand,
//! checked in under `docs/man/` (`cargo xtask man`).

use clap::CommandFactory as _;
use clap_mangen::Man;
use roff::{Inline, Roff, bold, italic, roman};

use crate::cli::Cli;

/// Every page as (file name, roff), `gox.1` first, then the subcommands in definition
/// order. Deterministic: no date, the version this build says (`gox --version`).
pub fn pages() -> Vec<(String, Vec<u8>)> {
    render(Cli::command())
}

/// [`pages`] as the release stamped `version` prints them: the dist builds its binaries with
/// that version, so the man pages it ships must say the same.
pub fn pages_for_version(version: &'static str) -> Vec<(String, Vec<u8>)> {
    render(Cli::command().version(version))
}

fn render(cmd: clap::Command) -> Vec<(String, Vec<u8>)> {
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let mut pages = Vec::new();
    collect(&cmd, &mut pages);
    pages
}

fn collect(cmd: &clap::Command, pages: &mut Vec<(String, Vec<u8>)>) {
    let man = Man::new(cmd.clone()).manual("gox manual");
    let mut roff = Vec::new();
    page(&man, cmd, &mut roff).expect("rendering to memory cannot fail");
    pages.push((man.get_filename(), roff));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect(sub, pages);
    }
}

/// `Man::render`'s page, section by section in its order and under its conditions, with
/// [`synopsis`] in place of clap_mangen's, which leaves option values out (`[--platform]`
/// reads as a flag). Each section renders with roff's preamble; the page keeps one.
fn page(man: &Man, cmd: &clap::Command, w: &mut Vec<u8>) -> std::io::Result<()> {
    type Section<'a> = Box<dyn Fn(&mut Vec<u8>) -> std::io::Result<()> + 'a>;
    let mut sections: Vec<Section> = vec![
        Box::new(|w| man.render_title(w)),
        Box::new(|w| man.render_name_section(w)),
        Box::new(|w| synopsis(cmd).to_writer(w)),
        Box::new(|w| man.render_description_section(w)),
    ];
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        sections.push(Box::new(|w| man.render_options_section(w)));
    }
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        sections.push(Box::new(|w| man.render_subcommands_section(w)));
    }
    if cmd.get_after_long_help().is_some() || cmd.get_after_help().is_some() {
        sections.push(Box::new(|w| man.render_extra_section(w)));
    }
    if cmd.get_version().is_some() || cmd.get_long_version().is_some() {
        sections.push(Box::new(|w| man.render_version_section(w)));
    }
    if cmd.get_author().is_some() {
        sections.push(Box::new(|w| man.render_authors_section(w)));
    }
    let preamble = Roff::new().render().into_bytes();
    w.extend_from_slice(&preamble);
    for section in sections {
        let mut text = Vec::new();
        section(&mut text)?;
        w.extend_from_slice(text.strip_prefix(preamble.as_slice()).unwrap_or(&text));
    }
    Ok(())
}

/// `gox install [--platform OS/ARCH] [-q|--quiet] … [SPEC]`: every visible option with the
/// value it takes (as `--help` names it), `...` where it may be repeated, the positionals,
/// and the subcommand slot.
fn synopsis(cmd: &clap::Command) -> Roff {
    let mut line: Vec<Inline> = vec![bold(cmd.get_bin_name().unwrap_or(cmd.get_name()))];
    for arg in cmd
        .get_arguments()
        .filter(|a| !a.is_hide_set() && !a.is_positional())
    {
        let names: Vec<String> = arg
            .get_short()
            .map(|s| format!("-{s}"))
            .into_iter()
            .chain(arg.get_long().map(|l| format!("--{l}")))
            .collect();
        if names.is_empty() {
            continue;
        }
        let (open, close) = brackets(arg);
        line.push(roman(format!(" {open}")));
        for (i, name) in names.into_iter().enumerate() {
            if i > 0 {
                line.push(roman("|"));
            }
            line.push(bold(name));
        }
        if arg.get_num_args().is_some_and(|n| n.takes_values()) {
            line.push(roman(if arg.is_require_equals_set() {
                "="
            } else {
                " "
            }));
            line.push(italic(value_name(arg)));
        }
        line.push(roman(close));
        if repeats(arg) {
            line.push(roman("..."));
        }
    }
    for arg in cmd.get_positionals().filter(|a| !a.is_hide_set()) {
        let (open, close) = brackets(arg);
        line.push(roman(format!(" {open}")));
        line.push(italic(value_name(arg)));
        line.push(roman(close));
        if repeats(arg) {
            line.push(roman("..."));
        }
    }
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        // `gox tools` alone lists the tools: its COMMAND is optional.
        let required = cmd.is_subcommand_required_set() || cmd.is_arg_required_else_help_set();
        line.push(roman(if required { " " } else { " [" }));
        line.push(italic("COMMAND"));
        line.push(roman(if required { "" } else { "]" }));
    }
    let mut roff = Roff::new();
    roff.control("SH", ["SYNOPSIS"]).text(line);
    roff
}

/// Optional arguments are shown in brackets.
fn brackets(arg: &clap::Arg) -> (&'static str, &'static str) {
    if arg.is_required_set() {
        ("", "")
    } else {
        ("[", "]")
    }
}

/// What `--help` calls the argument's value: its value names, else its id in capitals.
fn value_name(arg: &clap::Arg) -> String {
    arg.get_value_names()
        .map_or_else(|| arg.get_id().as_str().to_uppercase(), |v| v.join(" "))
}

/// Given more than once: a counted flag, an appended option, or a positional of many values.
fn repeats(arg: &clap::Arg) -> bool {
    matches!(
        arg.get_action(),
        clap::ArgAction::Append | clap::ArgAction::Count
    ) || arg.get_num_args().is_some_and(|n| n.max_values() > 1)
}
