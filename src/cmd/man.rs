//! `aws-ilm man`: the man page comes from the clap definitions themselves (like the completion
//! scripts), so it documents exactly the commands and settings the binary accepts.
//!
//! One page, `aws-ilm(1)`, holds every command: `man aws-ilm` is where a user looks, and one
//! file is all `aws-ilm man > …/man1/aws-ilm.1` installs (docs/commands.md, "The man page").
//! After the synopsis, the global settings and the list of commands, each command (and each of
//! `audit`'s) has a section of its own, `aws-ilm COMMAND`: its description, synopsis and its own
//! options. The global settings are not repeated there: they are the same for every command.
//!
//! clap_mangen renders each part; a command's parts are rendered as its own page's sections
//! and their `.SH` headings demoted to `.SS`, so they sit under the command's heading.

use std::io::Write;

use clap::CommandFactory;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, roman};

use crate::cli::Cli;
use crate::error::{CliError, Exit};

/// The page in roff, ready for `man -l -` or a `man1` folder.
pub fn page() -> Result<Vec<u8>, CliError> {
    render().map_err(|e| CliError::config(format!("cannot render the man page: {e}")))
}

fn render() -> std::io::Result<Vec<u8>> {
    let mut cli = Cli::command();
    cli.build();
    let man = Man::new(cli.clone());
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    command_list(&cli).to_writer(&mut out)?;
    for sub in visible(&cli) {
        command(sub, &mut out)?;
    }
    configuration(&cli).to_writer(&mut out)?;
    man.render_version_section(&mut out)?;
    Ok(once_defined(&out))
}

/// `page` with roff's string definitions kept only where they first appear: every section
/// rendered on its own starts with them (roff's `Aq` quote), and once is enough.
fn once_defined(page: &[u8]) -> Vec<u8> {
    let mut seen: Vec<&[u8]> = Vec::new();
    let mut out = Vec::with_capacity(page.len());
    for line in page.split_inclusive(|&b| b == b'\n') {
        let definition = line.starts_with(b".ie ") || line.starts_with(b".el ");
        if definition && seen.contains(&line) {
            continue;
        }
        if definition {
            seen.push(line);
        }
        out.extend_from_slice(line);
    }
    out
}

/// The subcommands a user can run (not clap's `help`).
fn visible(cmd: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    cmd.get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
}

/// `COMMANDS`: each command with its one-line description, pointing at its section below
/// (clap_mangen's own list names a page per command, `aws-ilm-plan(1)`, which this page is
/// not).
fn command_list(cli: &clap::Command) -> Roff {
    let mut roff = Roff::default();
    roff.control("SH", ["COMMANDS"]);
    roff.text([roman(
        "Each command is described in its own section below, with its options.",
    )]);
    for sub in visible(cli) {
        roff.control("TP", []);
        roff.text([bold(full_name(sub))]);
        if let Some(about) = sub.get_about() {
            roff.text([roman(about.to_string())]);
        }
    }
    roff
}

/// The help's closing note (where settings come from) under a heading that says what it is
/// (clap_mangen's is `EXTRA`).
fn configuration(cli: &clap::Command) -> Roff {
    let mut roff = Roff::default();
    if let Some(note) = cli.get_after_long_help().or(cli.get_after_help()) {
        roff.control("SH", ["CONFIGURATION"]);
        roff.text([roman(note.to_string())]);
    }
    roff
}

/// `aws-ilm plan`, `aws-ilm audit show`: the command line that runs it (clap sets it on build).
fn full_name(cmd: &clap::Command) -> String {
    cmd.get_bin_name().unwrap_or(cmd.get_name()).to_owned()
}

/// A command's section: heading, synopsis, description, its own options (the global ones
/// hidden), then its subcommands' sections.
fn command(cmd: &clap::Command, out: &mut Vec<u8>) -> std::io::Result<()> {
    let mut roff = Roff::default();
    roff.control("SH", [full_name(cmd).as_str()]);
    roff.to_writer(out)?;
    // `--help` is the same everywhere too, and said once in the page's OPTIONS.
    let own = cmd.clone().mut_args(|a| {
        if a.is_global_set() || a.get_id() == "help" {
            a.hide(true)
        } else {
            a
        }
    });
    let man = Man::new(own.clone());
    let mut parts = Vec::new();
    man.render_synopsis_section(&mut parts)?;
    man.render_description_section(&mut parts)?;
    if own.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut parts)?;
    }
    out.extend_from_slice(&demoted(&parts));
    for sub in visible(cmd) {
        command(sub, out)?;
    }
    Ok(())
}

/// `parts` with every section heading made a subsection heading. roff escapes a text line that
/// starts with `.`, so a line starting `.SH ` is always the macro.
fn demoted(parts: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(parts.len());
    for line in parts.split_inclusive(|&b| b == b'\n') {
        match line.strip_prefix(b".SH ") {
            Some(rest) => {
                out.extend_from_slice(b".SS ");
                out.extend_from_slice(rest);
            }
            None => out.extend_from_slice(line),
        }
    }
    out
}

/// Writes the page to stdout; exit 0, or 3 when it cannot be written.
pub fn run() -> Result<Exit, CliError> {
    let page = page()?;
    std::io::stdout()
        .lock()
        .write_all(&page)
        .map_err(|e| CliError::config(format!("cannot write the man page: {e}")))?;
    Ok(Exit::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_has_a_section_for_every_command() {
        let page = String::from_utf8(page().unwrap()).unwrap();
        let titles: Vec<&str> = page.lines().filter(|l| l.starts_with(".TH ")).collect();
        assert_eq!(titles.len(), 1, "one page: {titles:?}");
        assert!(titles[0].starts_with(".TH aws-ilm 1 "), "{titles:?}");
        // A heading is a macro's argument: its hyphens are not escaped.
        for sub in visible(&Cli::command()) {
            let name = sub.get_name();
            assert!(
                page.contains(&format!(".SH \"aws-ilm {name}\"\n")),
                "{name} missing"
            );
        }
    }

    #[test]
    fn definitions_are_kept_once() {
        assert_eq!(
            once_defined(b".ie a\n.el b\n.SH X\n.ie a\n.el b\ntext\n"),
            b".ie a\n.el b\n.SH X\ntext\n"
        );
    }

    #[test]
    fn only_section_headings_are_demoted() {
        assert_eq!(
            demoted(b".SH A\ntext .SH\n\\&.SH B\n.SH \"C D\"\n"),
            b".SS A\ntext .SH\n\\&.SH B\n.SS \"C D\"\n"
        );
    }
}
