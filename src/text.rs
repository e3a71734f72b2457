//! Text from outside (GitHub, the configuration) made safe to show: control and bidirectional
//! formatting characters replaced, lengths bounded.

/// Text from GitHub with what could disguise or break an output removed: control characters
/// (NUL, escapes; line breaks and tabs become spaces) and the bidirectional formatting
/// characters that can make text read differently from what it is (U+202E and kin), each
/// replaced by U+FFFD so a reader sees that something was there.
pub fn clean_text(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            c if c.is_control() => '\u{FFFD}',
            '\u{061C}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// Whether [`clean_text`] would change a character of `c`.
pub fn needs_cleaning(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// [`clean_text`] that keeps the string as it is when nothing needs replacing (nearly
/// always): reading 100,000 alerts does not copy every text field again.
pub fn clean_owned(text: String) -> String {
    if text.chars().any(needs_cleaning) {
        clean_text(&text)
    } else {
        text
    }
}

/// Cuts text to at most `max` characters, ending with `…` when cut.
pub fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some(_) => {
            let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
            out.push('…');
            out
        }
    }
}

/// The longest a name from outside (a login, a team, a repository, a secret type, a provider)
/// is shown in a report or a message; a longer one is cut. GitHub's own names are shorter
/// (logins 39 characters, repositories 100), so only a hostile or broken source meets it.
pub const MAX_NAME: usize = 100;

/// The longest a file path is shown in a report or a message.
pub const MAX_PATH: usize = 200;

/// A name cut to [`MAX_NAME`].
pub fn clip_name(text: &str) -> String {
    clip(text, MAX_NAME)
}

/// A file path cut to [`MAX_PATH`], keeping its end (the file's name says most): `…/x/a.env`.
pub fn clip_path(path: &str) -> String {
    let n = path.chars().count();
    if n <= MAX_PATH {
        return path.to_string();
    }
    let mut out = String::from("…");
    out.extend(path.chars().skip(n - (MAX_PATH - 1)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_paths_are_cut_to_a_length() {
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abcd", 4), "abcd");
        let name = "n".repeat(26_000);
        assert_eq!(clip_name(&name).chars().count(), MAX_NAME);
        let path = format!("{}/deep/a.env", "d".repeat(30_000));
        let cut = clip_path(&path);
        assert_eq!(cut.chars().count(), MAX_PATH);
        assert!(cut.starts_with('…') && cut.ends_with("/deep/a.env"));
        assert_eq!(clip_path("a/b.env"), "a/b.env");
    }
}
