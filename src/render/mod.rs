//! `--output human`: a result rendered for a person at a terminal (docs/output.md, "Human
//! output"). One renderer for every command: a result with one document ([`Outcome::result`])
//! is a titled block of fields, nested values indented under their key; anything else (the
//! mapping fields) a titled table. Both come from what the lifecycle already built — the
//! document, and the table's choice and order of columns — so the human output shows the same
//! facts as the markdown, laid out for reading instead of for XSOAR.
//!
//! What depends on where the text goes is decided once, in [`Terminal::detect`]: the width
//! (`COLUMNS`, else the terminal's, else none: a pipe or a file gets unwrapped lines a script
//! can grep) and colour (a terminal, or `CLICOLOR_FORCE`; never with `NO_COLOR`). The layout
//! itself is a pure function of the outcome and a [`Terminal`], so tests fix both.
//!
//! The result lines of `batch` and `apply` on a terminal are laid out here too, one line each
//! (`results`, docs/batch.md "Results"), with the same marks' colours.

mod block;
mod results;
mod table;

use std::io::IsTerminal;

use anstyle::{AnsiColor, Effects, Style};
use aws_ilm_lifecycle::text::{mask, mask_value};
use aws_ilm_lifecycle::{HumanTable, Outcome};

pub use results::result_line;

/// Below this many columns a layout cannot show a key beside its value; a smaller `COLUMNS`
/// is raised to it rather than printing one character a line.
const MIN_WIDTH: usize = 20;

/// Where the human output goes: how wide it may be, and whether it may carry colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terminal {
    /// Lines are wrapped to this many columns; `None`: never wrapped.
    pub width: Option<usize>,
    pub colour: bool,
}

impl Terminal {
    /// Stdout as this process sees it. `COLUMNS` wins over the terminal's own width (a user
    /// narrowing the output, a test fixing it) and applies off a terminal too; colour follows
    /// the NO_COLOR and CLICOLOR conventions `anstyle-query` reads.
    pub fn detect() -> Terminal {
        let stdout = std::io::stdout();
        let tty = stdout.is_terminal();
        let width = columns(std::env::var("COLUMNS").ok().as_deref()).or_else(|| {
            tty.then(|| terminal_size::terminal_size_of(&stdout))
                .flatten()
                .map(|(w, _)| usize::from(w.0))
        });
        let colour = !anstyle_query::no_color()
            && (anstyle_query::clicolor_force()
                || (tty
                    && anstyle_query::clicolor() != Some(false)
                    && anstyle_query::term_supports_color()));
        Terminal {
            width: width.map(|w| w.max(MIN_WIDTH)),
            colour,
        }
    }
}

/// `COLUMNS` as a width: a positive number, anything else is no setting.
fn columns(value: Option<&str>) -> Option<usize> {
    value?.trim().parse().ok().filter(|&w: &usize| w > 0)
}

/// The styles of the human output; all plain when colour is off, so the layout code writes
/// them unconditionally.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Palette {
    pub title: Style,
    pub key: Style,
    pub good: Style,
    pub bad: Style,
    pub note: Style,
}

impl Palette {
    fn new(colour: bool) -> Palette {
        if !colour {
            let plain = Style::new();
            return Palette {
                title: plain,
                key: plain,
                good: plain,
                bad: plain,
                note: plain,
            };
        }
        Palette {
            title: Style::new().effects(Effects::BOLD),
            key: AnsiColor::Cyan.on_default(),
            good: AnsiColor::Green.on_default(),
            bad: AnsiColor::Red.on_default().effects(Effects::BOLD),
            note: AnsiColor::Yellow.on_default(),
        }
    }
}

/// `text` in `style` (plain text when the style is).
pub(crate) fn paint(out: &mut String, style: Style, text: &str) {
    use std::fmt::Write;
    if style == Style::new() {
        out.push_str(text);
    } else {
        let _ = write!(out, "{style}{text}{style:#}");
    }
}

/// The human text of `outcome` for `term`, ending with a newline: `secret` masked in every
/// string before it is laid out (wrapping could split it) and in the finished text; every
/// string neutralised on the way.
pub fn human(outcome: &Outcome, secret: &str, term: &Terminal) -> String {
    let palette = Palette::new(term.colour);
    let table = &outcome.human;
    let title = mask(&table.title, secret);
    let out = match outcome.result() {
        Some(doc) if table.rows.len() == 1 => {
            let mut doc = doc.clone();
            mask_value(&mut doc, secret);
            block::result(&title, &table.headers, &doc, term.width, &palette)
        }
        _ => return human_table(table, secret, term),
    };
    mask(&out, secret).into_owned()
}

/// A table as a table, whatever its rows: the many-row results, and the tables an outcome
/// prints after its result (`Outcome::more`).
pub fn human_table(table: &HumanTable, secret: &str, term: &Terminal) -> String {
    let palette = Palette::new(term.colour);
    let title = mask(&table.title, secret);
    let masked = |s: &String| mask(s, secret).into_owned();
    let headers: Vec<String> = table.headers.iter().map(masked).collect();
    let rows: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|row| row.iter().map(masked).collect())
        .collect();
    let out = table::render(&title, &headers, &rows, term.width, &palette);
    mask(&out, secret).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_is_a_positive_number_or_nothing() {
        assert_eq!(columns(Some("80")), Some(80));
        assert_eq!(columns(Some(" 40 ")), Some(40));
        for bad in [None, Some(""), Some("0"), Some("-3"), Some("wide")] {
            assert_eq!(columns(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn plain_palette_writes_no_escapes() {
        let mut out = String::new();
        paint(&mut out, Palette::new(false).bad, "x");
        assert_eq!(out, "x");
        let mut out = String::new();
        paint(&mut out, Palette::new(true).bad, "x");
        assert!(out.starts_with('\u{1b}') && out.contains('x') && out.ends_with('m'));
    }
}
