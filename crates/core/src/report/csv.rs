//! CSV export for issue trackers: one row per threat.
//!
//! RFC 4180: CRLF line ends, fields quoted when they hold a comma, a semicolon, a quote or a
//! line break, quotes doubled.
//!
//! Spreadsheet-safe (OWASP's CSV injection advice, hardened): a spreadsheet runs a cell that
//! starts with `=`, `+`, `-`, `@` (or their full-width forms), a tab or a carriage return as a
//! formula, some after leading spaces or a byte-order mark too. And a cell does not only start
//! where this file starts a field: read with `;` or a tab as the separator (the default in
//! many locales), or with quotes ignored, a cell starts after any `,`, `;`, tab or line break.
//! So wherever a cell could start, a formula character (after any spaces) gets a `'` before
//! it, which spreadsheets show as text.

use super::ReportInput;
use super::findings::finding_status;

/// The header row, in column order.
pub const CSV_COLUMNS: [&str; 9] = [
    "title",
    "description",
    "severity",
    "status",
    "owner",
    "element",
    "stride",
    "mitigations",
    "key",
];

/// The threats the input's options keep, as CSV: one row per threat, a threat that several
/// services show on a resource they share once (see [`ReportInput::counted`]).
pub fn to_csv(input: &ReportInput) -> String {
    let mut out = String::new();
    write_row(&mut out, CSV_COLUMNS.iter().map(|s| s.to_string()));
    for c in input.counted() {
        let f = &*c.finding;
        let mitigations = f
            .mitigations
            .iter()
            .map(|m| format!("{}: {}", m.id, m.title))
            .collect::<Vec<_>>()
            .join("; ");
        write_row(
            &mut out,
            [
                f.title.clone(),
                if f.shared_note.is_empty() {
                    f.description.clone()
                } else {
                    format!("{} {}", f.description, f.shared_note)
                },
                f.severity.as_str().to_string(),
                finding_status(f.status).to_string(),
                f.owner.clone(),
                f.subject.name.clone(),
                f.stride.label().to_string(),
                mitigations,
                f.key.to_string(),
            ],
        );
    }
    out
}

fn write_row(out: &mut String, cells: impl IntoIterator<Item = String>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&field(&cell));
    }
    out.push_str("\r\n");
}

/// One field, neutralised against formulas and quoted when needed.
pub(crate) fn field(cell: &str) -> String {
    let safe = neutralise(cell);
    if safe.contains([',', ';', '"', '\r', '\n']) {
        format!("\"{}\"", safe.replace('"', "\"\""))
    } else {
        safe
    }
}

/// Characters that make a spreadsheet read a cell as a formula.
fn starts_formula(c: char) -> bool {
    matches!(
        c,
        '=' | '+' | '-' | '@' | '\t' | '\r' | '\u{FF1D}' | '\u{FF0B}' | '\u{FF0D}' | '\u{FF20}'
    )
}

/// Where a spreadsheet may start a new cell, whatever separator it reads the file with.
fn ends_cell(c: char) -> bool {
    matches!(c, ',' | ';' | '\t' | '\n' | '\r')
}

/// What a spreadsheet may skip at the start of a cell.
fn blank(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{FEFF}' | '\u{200B}')
}

/// `cell` with a `'` before every formula character that could start a cell.
fn neutralise(cell: &str) -> String {
    let mut out = String::with_capacity(cell.len() + 1);
    let mut at_cell_start = true;
    for c in cell.chars() {
        if at_cell_start && starts_formula(c) {
            out.push('\'');
            at_cell_start = false;
        } else if at_cell_start && !blank(c) {
            at_cell_start = false;
        }
        out.push(c);
        if ends_cell(c) {
            at_cell_start = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn quotes_and_neutralises() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("+1"), "'+1");
        assert_eq!(field("-1"), "'-1");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
    }

    /// Splits a CSV line into cells the way a spreadsheet may: at `sep`, honouring quotes only
    /// at the start of a cell when `quotes` is set, and with leading blanks trimmed.
    fn cells(text: &str, sep: char, quotes: bool) -> Vec<String> {
        let mut cells = Vec::new();
        let mut chars = text.chars().peekable();
        loop {
            let mut cell = String::new();
            while chars.peek().is_some_and(|c| *c == ' ' || *c == '\u{FEFF}') {
                chars.next();
            }
            if quotes && chars.peek() == Some(&'"') {
                chars.next();
                while let Some(c) = chars.next() {
                    if c == '"' {
                        if chars.peek() == Some(&'"') {
                            chars.next();
                            cell.push('"');
                        } else {
                            break;
                        }
                    } else {
                        cell.push(c);
                    }
                }
            }
            let mut ended = true;
            for c in chars.by_ref() {
                if c == sep || c == '\n' || c == '\r' {
                    ended = false;
                    break;
                }
                cell.push(c);
            }
            cells.push(cell);
            if ended {
                return cells;
            }
        }
    }

    // Issue 20, 7: `x;=1+1` was written unquoted and read as a formula where `;` separates
    // cells (49 formula cells in the probe), and a formula after a leading space or a
    // byte-order mark was not neutralised.
    #[test]
    fn issue_20_no_cell_starts_a_formula_whatever_the_separator() {
        let hostile = [
            "x;=1+1",
            "x;+1",
            "x; -2+3",
            "a,b;@SUM(A1)",
            " =1+1",
            "\u{FEFF}=1+1",
            "\u{FEFF} +cmd|' /C calc'!A0",
            "ok\t=2",
            "line one\n=HYPERLINK(\"http://x\")",
            "x\r\n-1",
            "\u{FF1D}1+1",
            "text \"quoted\";=1",
            "x\",=1",
        ];
        let row: Vec<String> = hostile.iter().map(|h| field(h)).collect();
        let line = row.join(",");
        for (sep, quotes) in [
            (',', true),
            (';', true),
            ('\t', true),
            (',', false),
            (';', false),
        ] {
            for cell in cells(&line, sep, quotes) {
                let start = cell.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
                assert!(
                    !start.starts_with(super::starts_formula),
                    "read with {sep:?} (quotes {quotes}): {cell:?} starts a formula in {line:?}"
                );
            }
        }
        // Read as the RFC says, each field comes back with only the apostrophes added.
        assert_eq!(field("x;=1+1"), "\"x;'=1+1\"");
        assert_eq!(field(" =1+1"), " '=1+1");
        assert_eq!(field("plain; text"), "\"plain; text\"");
    }
}
