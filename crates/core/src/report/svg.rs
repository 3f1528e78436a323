//! Small helpers for writing SVG by hand: escaping and number formatting.
//!
//! SVG is built as text here (askama escapes template variables, but a diagram is easier to
//! write in code); every piece of user text goes through [`escape_xml`].

use std::fmt::Write;

/// Escapes text for XML/HTML content and attribute values: `& < > " '`.
pub fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab and newline are not allowed in XML.
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A coordinate with at most one decimal, so the output is short and stable.
pub(crate) fn num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// A horizontal bar chart: one row per `(label, value, css class)`, scaled to the largest value.
pub(crate) fn bar_chart(title: &str, rows: &[(String, usize, String)]) -> String {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let row_h = 22.0;
    let label_w = 170.0;
    let bar_w = 220.0;
    let height = rows.len() as f64 * row_h + 8.0;
    let width = label_w + bar_w + 50.0;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg">"#,
        w = num(width),
        h = num(height),
        t = escape_xml(title),
    );
    for (i, (label, value, class)) in rows.iter().enumerate() {
        let y = 4.0 + i as f64 * row_h;
        let w = if *value == 0 {
            0.0
        } else {
            (*value as f64 / max as f64 * bar_w).max(2.0)
        };
        let _ = write!(
            out,
            r#"<text x="{lx}" y="{ty}" text-anchor="end" class="chart-label">{label}</text><rect x="{bx}" y="{by}" width="{bw}" height="14" rx="2" class="bar {class}"/><text x="{vx}" y="{ty}" class="chart-value">{value}</text>"#,
            lx = num(label_w - 8.0),
            ty = num(y + 12.0),
            label = escape_xml(label),
            bx = num(label_w),
            by = num(y + 1.0),
            bw = num(w),
            class = escape_xml(class),
            vx = num(label_w + w + 6.0),
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape_xml(r#"<script>alert("x" & 'y')</script>"#),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;"
        );
        assert_eq!(escape_xml("a\u{1}b"), "a b");
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(3.0), "3");
        assert_eq!(num(12.345), "12.3");
        assert_eq!(num(-0.04), "0");
    }
}
