//! A table for the terminal (docs/output.md, "Human output"): the title, the header row, a rule,
//! then the rows, columns two spaces apart and padded to their widest cell. With a width, the
//! columns share it: each narrow column keeps its natural width, the wide ones split what is
//! left and wrap their cells; without one nothing wraps.

use aws_ilm_lifecycle::text::{neutralise, one_line};
use textwrap::{Options, WordSplitter};
use unicode_width::UnicodeWidthStr;

use super::{Palette, paint};

const GAP: &str = "  ";

pub(crate) fn render(
    title: &str,
    headers: &[String],
    rows: &[Vec<String>],
    width: Option<usize>,
    palette: &Palette,
) -> String {
    let mut out = String::new();
    if !title.is_empty() {
        paint(&mut out, palette.title, &one_line(title));
        out.push('\n');
    }
    if headers.is_empty() || rows.is_empty() {
        out.push_str("(no entries)\n");
        return out;
    }
    let headers: Vec<String> = headers.iter().map(|h| one_line(h).into_owned()).collect();
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            (0..headers.len())
                .map(|i| neutralise(row.get(i).map_or("", String::as_str), true).into_owned())
                .collect()
        })
        .collect();
    let natural: Vec<usize> = (0..headers.len())
        .map(|i| {
            rows.iter()
                .flat_map(|row| row[i].split('\n'))
                .chain(std::iter::once(headers[i].as_str()))
                .map(UnicodeWidthStr::width)
                .max()
                .unwrap_or(0)
        })
        .collect();
    let widths = match width {
        Some(w) => fit(&natural, w.saturating_sub(GAP.len() * (headers.len() - 1))),
        None => natural,
    };
    let wrap = width.is_some();
    write_row(&mut out, &headers, &widths, wrap, palette.title);
    let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
    write_row(&mut out, &rule, &widths, false, palette.key);
    for row in &rows {
        write_row(&mut out, row, &widths, wrap, anstyle::Style::new());
    }
    out
}

/// Column widths within `room`: columns are served narrowest first, each its natural width or
/// an even share of what is left, whichever is smaller, so no column is cut that fits.
fn fit(natural: &[usize], room: usize) -> Vec<usize> {
    if natural.iter().sum::<usize>() <= room {
        return natural.to_vec();
    }
    let mut order: Vec<usize> = (0..natural.len()).collect();
    order.sort_by_key(|&i| natural[i]);
    let mut widths = natural.to_vec();
    let mut left = room;
    for (served, &i) in order.iter().enumerate() {
        let share = left / (natural.len() - served);
        widths[i] = natural[i].min(share).max(1);
        left = left.saturating_sub(widths[i]);
    }
    widths
}

/// One row of cells, each wrapped to its column (with `wrap`), as many lines as its tallest
/// cell; the last column is not padded.
fn write_row(
    out: &mut String,
    cells: &[String],
    widths: &[usize],
    wrap: bool,
    style: anstyle::Style,
) {
    let lines: Vec<Vec<String>> = cells
        .iter()
        .zip(widths)
        .map(|(cell, &w)| {
            cell.split('\n')
                .flat_map(|p| {
                    if wrap {
                        let options = Options::new(w)
                            .break_words(true)
                            .word_splitter(WordSplitter::NoHyphenation);
                        textwrap::wrap(p, options)
                            .into_iter()
                            .map(|l| l.into_owned())
                            .collect()
                    } else {
                        vec![p.to_owned()]
                    }
                })
                .collect()
        })
        .collect();
    let height = lines.iter().map(Vec::len).max().unwrap_or(1);
    for n in 0..height {
        let mut line = String::new();
        for (i, column) in lines.iter().enumerate() {
            let text = column.get(n).map_or("", String::as_str);
            if i > 0 {
                line.push_str(GAP);
            }
            paint(&mut line, style, text);
            if i + 1 < lines.len() {
                line.push_str(&" ".repeat(widths[i].saturating_sub(text.width())));
            }
        }
        out.push_str(line.trim_end_matches(' '));
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_columns_keep_their_width_and_wide_ones_share_the_rest() {
        assert_eq!(fit(&[5, 6, 30, 40], 100), [5, 6, 30, 40]);
        assert_eq!(fit(&[5, 6, 30, 40], 51), [5, 6, 20, 20]);
        assert_eq!(fit(&[5, 6, 30, 40], 61), [5, 6, 25, 25]);
        assert_eq!(fit(&[5, 60], 4), [2, 2]);
    }

    #[test]
    fn a_table_aligns_and_wraps_to_its_width() {
        let plain = Palette::new(false);
        let h = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let rows = vec![
            h(&["userName", "Unique sign-in name; required"]),
            h(&["id", "x"]),
        ];
        let out = render("T", &h(&["field", "description"]), &rows, None, &plain);
        assert_eq!(
            out,
            "T\nfield     description\n--------  -----------------------------\n\
             userName  Unique sign-in name; required\nid        x\n"
        );
        let out = render("T", &h(&["field", "description"]), &rows, Some(24), &plain);
        assert_eq!(
            out,
            "T\nfield     description\n--------  --------------\n\
             userName  Unique sign-in\n          name; required\nid        x\n"
        );
        assert!(out.lines().all(|l| l.width() <= 24));
    }

    #[test]
    fn cells_are_inert_and_empty_tables_say_so() {
        let plain = Palette::new(false);
        let out = render(
            "T\u{1b}",
            &["a\u{9b}".to_string()],
            &[vec!["x\u{1b}[2J\ry".to_string()]],
            None,
            &plain,
        );
        assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out}");
        assert!(out.contains("x\\u{1b}[2J\\u{d}y"), "{out}");
        assert_eq!(render("T", &[], &[], None, &plain), "T\n(no entries)\n");
    }
}
