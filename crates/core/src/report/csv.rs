//! CSV export for issue trackers: one row per threat.
//!
//! RFC 4180: CRLF line ends, fields quoted when they hold a comma, a quote or a line break,
//! quotes doubled. Spreadsheet-safe: a cell that starts with `=`, `+`, `-`, `@`, a tab or a
//! carriage return gets a leading `'`, so a spreadsheet shows it as text instead of running it
//! as a formula (OWASP's CSV injection advice).

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

/// The threats the input's options keep, as CSV.
pub fn to_csv(input: &ReportInput) -> String {
    let mut out = String::new();
    write_row(&mut out, CSV_COLUMNS.iter().map(|s| s.to_string()));
    for (_, f) in input.kept_findings() {
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
                f.description.clone(),
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
    let safe = if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    };
    if safe.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", safe.replace('"', "\"\""))
    } else {
        safe
    }
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
}
