//! Errors that point into the configuration file: file, line, column, a caret under the
//! source, and what to write instead.

use super::*;

/// Builds error messages that point into the configuration file.
pub(crate) struct Locator<'a> {
    pub(crate) path: &'a Path,
    pub(crate) text: &'a str,
}

impl Locator<'_> {
    pub(crate) fn error(&self, line: u64, column: u64, message: &str, hint: Option<&str>) -> Error {
        self.error_at(line, column, 1, message, hint)
    }

    /// An error with `width` carets under the source from `column`.
    fn error_at(
        &self,
        line: u64,
        column: u64,
        width: usize,
        message: &str,
        hint: Option<&str>,
    ) -> Error {
        let mut out = format!("{}:{line}:{column}: {message}", self.path.display());
        if let Some(src) = self.text.lines().nth(line.saturating_sub(1) as usize) {
            let pad: String = src
                .chars()
                .take(column.saturating_sub(1) as usize)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            out.push_str(&format!(
                "\n   |\n   | {src}\n   | {pad}{}",
                "^".repeat(width.max(1))
            ));
        }
        if let Some(hint) = hint {
            out.push_str(&format!("\n   = {hint}"));
        }
        Error::Config(out)
    }

    pub(crate) fn spanned<T>(&self, s: &Spanned<T>, message: &str, hint: Option<&str>) -> Error {
        self.error(s.referenced.line(), s.referenced.column(), message, hint)
    }

    /// A filter error pointing at the offending token inside the YAML value.
    pub(crate) fn filter_error(
        &self,
        f: &Spanned<String>,
        subject: &str,
        e: &crate::filter::FilterError,
    ) -> Error {
        let line = f.referenced.line();
        let start = f.referenced.column();
        let src = self
            .text
            .lines()
            .nth(line.saturating_sub(1) as usize)
            .unwrap_or_default();
        let quoted = src
            .chars()
            .nth(start.saturating_sub(1) as usize)
            .is_some_and(|c| c == '"' || c == '\'');
        let column = start + u64::from(quoted) + e.offset as u64;
        let (message, hint) = match e.message.split_once(": did you mean") {
            Some((m, rest)) => (m.to_string(), Some(format!("did you mean{rest}"))),
            None => (e.message.clone(), None),
        };
        self.error_at(
            line,
            column,
            e.token.chars().count(),
            &format!("{subject}: bad filter: {message}"),
            hint.as_deref(),
        )
    }

    pub(crate) fn yaml_error(&self, e: &serde_saphyr::Error) -> Error {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((1, 1));
        let text = e.without_snippet().to_string();
        let message = match text.rfind(" at line ") {
            Some(i) => text[..i].to_string(),
            None => text,
        };
        let hint = unknown_field_hint(&message);
        self.error(line, column, &message, hint.as_deref())
    }
}

/// For "unknown field `x`, expected one of a, b": the closest known key, if any is close.
fn unknown_field_hint(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, rest) = rest.split_once('`')?;
    let expected = rest
        .split_once("expected one of ")
        .map(|(_, list)| list)
        .or_else(|| rest.split_once("expected ").map(|(_, list)| list))?;
    let candidates = expected
        .split([',', ' '])
        .map(|s| s.trim_matches(|c: char| c == '`' || c.is_whitespace()))
        .filter(|s| !s.is_empty() && *s != "or");
    let (distance, best) = candidates
        .map(|c| (strsim::levenshtein(field, c), c))
        .min_by_key(|(d, _)| *d)?;
    (distance <= 3).then(|| format!("did you mean `{best}`?"))
}
