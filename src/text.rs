//! Text from outside (GitHub, the configuration) made safe to show: control and bidirectional
//! formatting characters replaced.

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
