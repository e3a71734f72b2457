//! The Markdown report: what a security manager pastes into the weekly email, and what GitHub
//! Actions shows as the job summary.

use super::{Limits, MARKDOWN_LIMIT, ReportView, Templates};
use crate::error::Result;
use crate::summary::Summary;
use std::io::Write;

/// Escapes text from GitHub or the config for Markdown (GitHub-flavoured): characters that
/// start emphasis, links, code or table cells are backslash-escaped, HTML is neutralized and
/// line breaks become spaces so a value cannot leave its table row. The `:` of `://`, every
/// `@` and the dot of `www.` are escaped too, so that GitHub's autolinks cannot turn a name
/// into a link and an `@login` cannot notify anyone.
pub fn escape(input: &str, out: &mut dyn Write) -> std::io::Result<()> {
    let mut buf = [0u8; 4];
    let chars: Vec<char> = input.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let before = |n: usize| i.checked_sub(n).map(|j| chars[j]);
        let www =
            c == '.' && (1..=3).all(|n| before(n).is_some_and(|p| p.eq_ignore_ascii_case(&'w')));
        let scheme = c == ':' && chars.get(i + 1) == Some(&'/') && chars.get(i + 2) == Some(&'/');
        match c {
            '.' if www => out.write_all(b"\\.")?,
            ':' if scheme => out.write_all(b"\\:")?,
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '@' => {
                out.write_all(b"\\")?;
                out.write_all(c.encode_utf8(&mut buf).as_bytes())?;
            }
            '<' => out.write_all(b"&lt;")?,
            '>' => out.write_all(b"&gt;")?,
            '&' => out.write_all(b"&amp;")?,
            '\n' | '\r' => out.write_all(b" ")?,
            c => out.write_all(c.encode_utf8(&mut buf).as_bytes())?,
        }
    }
    Ok(())
}

impl Templates {
    /// Renders `report.md` within GitHub's 65,536-character limit: long lists are cut
    /// shorter (with a note of how many were left out) until the report fits.
    pub fn markdown(&self, summary: &Summary, view: &ReportView) -> Result<String> {
        let mut view = view.clone();
        loop {
            let text = Templates::render(
                &self.markdown,
                super::MARKDOWN_TEMPLATE,
                &super::context(summary, &view),
            )?;
            let chars = text.chars().count();
            if chars <= MARKDOWN_LIMIT {
                return Ok(text);
            }
            let limits = view.limits;
            if limits.list <= 1 && limits.at_risk <= 1 {
                return Ok(truncate(&text));
            }
            view.limits = Limits {
                list: (limits.list / 2).max(1),
                at_risk: (limits.at_risk.min(summary.at_risk.top.len()) / 2).max(1),
            };
        }
    }
}

/// Last resort for a report that does not fit even with one entry per list.
pub(crate) fn truncate(text: &str) -> String {
    const NOTE: &str = "\n\n… (report cut to fit GitHub's 65,536-character limit; the HTML report has all of it)\n";
    let keep = MARKDOWN_LIMIT - NOTE.chars().count();
    let mut out: String = text.chars().take(keep).collect();
    out.push_str(NOTE);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn esc(s: &str) -> String {
        let mut out = Vec::new();
        escape(s, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_markdown_and_html() {
        assert_eq!(esc("a|b"), "a\\|b");
        assert_eq!(esc("<b>&co</b>"), "&lt;b&gt;&amp;co&lt;/b&gt;");
        assert_eq!(
            esc("legacy_billing *x* [l](u)"),
            "legacy\\_billing \\*x\\* \\[l\\](u)"
        );
        assert_eq!(esc("two\nlines"), "two lines");
        assert_eq!(esc("2026-11-23 48.5 −3"), "2026-11-23 48.5 −3");
        // GitHub's autolinks: URLs, www. and e-mail addresses stay text
        assert_eq!(
            esc("see https://evil.example or WWW.evil.example, mail a@b.example"),
            "see https\\://evil.example or WWW\\.evil.example, mail a\\@b.example"
        );
    }
}
