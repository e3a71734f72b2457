//! The campaign filter language of GitHub's security overview, parsed once and matched many
//! times: `provider:azure validity:active -repo:acme/sandbox publicly-leaked`.
//!
//! Tokens are separated by spaces and all must match. A comma inside a value means OR, a
//! leading `-` negates a token. Anything the language does not know is an error that points at
//! the token.

use crate::model::Alert;
use std::fmt;

/// A parsed filter: every term must match. The default filter matches every alert.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    terms: Vec<Term>,
}

/// One token of a filter.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    negated: bool,
    test: Test,
    /// The token as written, for telling a reader which term an alert no longer matches.
    text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Test {
    /// `is:open` (true) or `is:closed` (false).
    Open(bool),
    Provider(Vec<String>),
    SecretType(Vec<String>),
    Validity(Vec<String>),
    PubliclyLeaked,
    MultiRepository,
    Repo(Vec<String>),
    Resolution(Vec<String>),
    /// `None` in the list stands for `assignee:none`.
    Assignee(Vec<Option<String>>),
    Bypassed(bool),
    /// `true` for `results:generic`.
    Generic(Vec<bool>),
}

/// A filter that could not be parsed, pointing at the offending token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    /// The whole filter text.
    pub filter: String,
    /// 0-based character offset of the token in the filter.
    pub offset: usize,
    /// The offending token.
    pub token: String,
    /// What is wrong and what to write instead.
    pub message: String,
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.message)?;
        writeln!(f, "    {}", self.filter)?;
        let width = self.token.chars().count().max(1);
        write!(f, "    {}{}", " ".repeat(self.offset), "^".repeat(width))
    }
}

impl std::error::Error for FilterError {}

const QUALIFIERS: &[&str] = &[
    "is:open",
    "is:closed",
    "is:publicly-leaked",
    "is:multi-repository",
    "publicly-leaked",
    "multi-repository",
    "provider:",
    "secret-type:",
    "validity:",
    "repo:",
    "resolution:",
    "assignee:",
    "bypassed:",
    "results:",
];

impl Filter {
    /// Parses a filter. An empty filter matches every alert.
    pub fn parse(text: &str) -> Result<Filter, FilterError> {
        let mut terms = Vec::new();
        for (offset, token) in tokens(text) {
            let fail = |message: String| FilterError {
                filter: text.to_string(),
                offset,
                token: token.to_string(),
                message,
            };
            let (negated, body) = match token.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, token),
            };
            let test = parse_test(body).map_err(fail)?;
            terms.push(Term {
                negated,
                test,
                text: token.to_string(),
            });
        }
        Ok(Filter { terms })
    }

    /// Whether the alert matches every term, `is:open`/`is:closed` included (an alert is open
    /// while it has no `resolved_at`).
    pub fn matches(&self, alert: &Alert) -> bool {
        self.terms.iter().all(|t| t.matches(alert, false))
    }

    /// Whether the alert belongs to a campaign with this filter: like [`Filter::matches`] but
    /// `is:open`/`is:closed` are ignored, so a campaign keeps tracking alerts after they close.
    pub fn matches_campaign(&self, alert: &Alert) -> bool {
        self.terms.iter().all(|t| t.matches(alert, true))
    }

    /// Whether the alert matches the filter's *stable* terms: [`Filter::matches_campaign`]
    /// with the mutable qualifiers (`validity:`, `assignee:`, negated or not) skipped. Fixing
    /// an alert changes those fields (a revoked secret turns `inactive`, an assigned alert has
    /// an assignee), so a resolved alert is judged on what fixing it does not change.
    pub fn matches_stable(&self, alert: &Alert) -> bool {
        self.terms
            .iter()
            .filter(|t| !t.is_mutable())
            .all(|t| t.matches(alert, true))
    }

    /// Whether the filter has a mutable term (`validity:` or `assignee:`).
    pub fn has_mutable(&self) -> bool {
        self.terms.iter().any(Term::is_mutable)
    }

    /// The terms (as written) that the alert does not match, `is:open`/`is:closed` aside.
    pub fn unmatched_terms<'a>(&'a self, alert: &Alert) -> impl Iterator<Item = &'a str> {
        self.terms
            .iter()
            .filter(move |t| !t.matches(alert, true))
            .map(|t| t.text.as_str())
    }

    /// The filter written back in one canonical spelling (tokens in order, one space apart):
    /// two spellings of the same filter compare equal.
    pub fn canonical(&self) -> String {
        self.terms
            .iter()
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Splits on whitespace, keeping each token's character offset.
fn tokens(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut out = Vec::new();
    let mut start: Option<(usize, usize)> = None; // (byte, char)
    for (chars, (byte, c)) in text.char_indices().enumerate() {
        if c.is_whitespace() {
            if let Some((b, ch)) = start.take() {
                out.push((ch, &text[b..byte]));
            }
        } else if start.is_none() {
            start = Some((byte, chars));
        }
    }
    if let Some((b, ch)) = start {
        out.push((ch, &text[b..]));
    }
    out.into_iter()
}

fn parse_test(body: &str) -> Result<Test, String> {
    match body {
        "publicly-leaked" | "is:publicly-leaked" => return Ok(Test::PubliclyLeaked),
        "multi-repository" | "is:multi-repository" => return Ok(Test::MultiRepository),
        "is:open" => return Ok(Test::Open(true)),
        "is:closed" => return Ok(Test::Open(false)),
        _ => {}
    }
    let Some((key, value)) = body.split_once(':') else {
        return Err(unknown(body));
    };
    let values = || -> Result<Vec<String>, String> {
        let list: Vec<String> = value.split(',').map(str::to_lowercase).collect();
        if list.iter().any(String::is_empty) {
            Err(format!(
                "`{body}` has an empty value; write `{key}:VALUE` or `{key}:A,B` (a comma means OR)"
            ))
        } else {
            Ok(list)
        }
    };
    let one_of = |allowed: &[&str]| -> Result<Vec<String>, String> {
        let list = values()?;
        match list.iter().find(|v| !allowed.contains(&v.as_str())) {
            Some(bad) => Err(format!(
                "`{key}:` does not know `{bad}`; write one of {}",
                allowed
                    .iter()
                    .map(|a| format!("`{key}:{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            None => Ok(list),
        }
    };
    Ok(match key {
        "provider" => Test::Provider(values()?),
        "secret-type" => Test::SecretType(values()?),
        "validity" => Test::Validity(one_of(&["active", "inactive", "unknown"])?),
        "repo" => Test::Repo(values()?),
        "resolution" => Test::Resolution(values()?),
        "assignee" => Test::Assignee(
            values()?
                .into_iter()
                .map(|v| (v != "none").then_some(v))
                .collect(),
        ),
        "bypassed" => match one_of(&["true", "false"])?.as_slice() {
            [v] => Test::Bypassed(v == "true"),
            _ => {
                return Err(format!(
                    "`{body}` takes one value: `bypassed:true` or `bypassed:false`"
                ));
            }
        },
        "results" => Test::Generic(
            one_of(&["default", "generic"])?
                .iter()
                .map(|v| v == "generic")
                .collect(),
        ),
        "is" => {
            return Err(format!(
                "`{body}` is not a state this filter knows; write `is:open`, `is:closed`, `is:publicly-leaked` or `is:multi-repository`"
            ));
        }
        _ => return Err(unknown(body)),
    })
}

fn unknown(body: &str) -> String {
    let key = body.split(':').next().unwrap_or(body);
    let stem = |q: &str| {
        q.trim_start_matches("is:")
            .trim_end_matches(':')
            .to_string()
    };
    let closest = QUALIFIERS
        .iter()
        .map(|q| {
            let s = stem(q);
            let d = if s.len() > key.len() && key.len() >= 3 && s.starts_with(key) {
                1
            } else {
                strsim::levenshtein(key, &s)
            };
            (d, q)
        })
        .min_by_key(|(d, _)| *d);
    let hint = match closest {
        Some((d, q)) if d <= 3 => format!("did you mean `{q}`? "),
        _ => String::new(),
    };
    format!(
        "unknown filter `{body}`: {hint}known qualifiers are {}",
        QUALIFIERS
            .iter()
            .map(|q| format!("`{q}`"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

impl Term {
    /// `validity:` and `assignee:` change when an alert is worked on.
    fn is_mutable(&self) -> bool {
        matches!(self.test, Test::Validity(_) | Test::Assignee(_))
    }

    fn matches(&self, alert: &Alert, ignore_state: bool) -> bool {
        let hit = match &self.test {
            Test::Open(open) => {
                if ignore_state {
                    return true;
                }
                alert.resolved_at.is_none() == *open
            }
            Test::Provider(list) => list.iter().any(|p| {
                eq_opt(alert.provider_slug.as_deref(), p) || eq_opt(alert.provider.as_deref(), p)
            }),
            Test::SecretType(list) => list
                .iter()
                .any(|t| alert.secret_type.eq_ignore_ascii_case(t)),
            Test::Validity(list) => list.iter().any(|v| v == alert.validity().as_str()),
            Test::PubliclyLeaked => alert.publicly_leaked == Some(true),
            Test::MultiRepository => alert.multi_repo == Some(true),
            Test::Repo(list) => list.iter().any(|r| {
                if r.contains('/') {
                    alert.repository.full_name.eq_ignore_ascii_case(r)
                } else {
                    alert.repository.name.eq_ignore_ascii_case(r)
                        || alert
                            .repository
                            .full_name
                            .rsplit('/')
                            .next()
                            .is_some_and(|n| n.eq_ignore_ascii_case(r))
                }
            }),
            Test::Resolution(list) => list.iter().any(|r| eq_opt(alert.resolution.as_deref(), r)),
            Test::Assignee(list) => list.iter().any(|a| match (a, alert.assignee()) {
                (None, None) => true,
                (Some(want), Some(login)) => login.eq_ignore_ascii_case(want),
                _ => false,
            }),
            Test::Bypassed(want) => alert.push_protection_bypassed.unwrap_or(false) == *want,
            Test::Generic(list) => list.contains(&alert.generic),
        };
        hit != self.negated
    }
}

fn eq_opt(field: Option<&str>, want: &str) -> bool {
    field.is_some_and(|f| f.eq_ignore_ascii_case(want))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{User, Validity, testkit};
    use chrono::{TimeZone, Utc};

    fn alert() -> Alert {
        Alert {
            secret_type: "azure_storage_account_key".into(),
            provider: Some("Microsoft Azure".into()),
            provider_slug: Some("azure".into()),
            push_protection_bypassed: Some(false),
            validity: Some(Validity::Active),
            publicly_leaked: Some(false),
            multi_repo: Some(false),
            ..testkit::alert(
                "acme/web",
                1,
                Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            )
        }
    }

    fn m(filter: &str, a: &Alert) -> bool {
        Filter::parse(filter).expect(filter).matches(a)
    }

    #[test]
    fn empty_filter_matches_everything() {
        assert!(m("", &alert()));
        assert!(m("   ", &alert()));
    }

    #[test]
    fn is_open_and_closed() {
        let mut a = alert();
        assert!(m("is:open", &a));
        assert!(!m("is:closed", &a));
        a.resolved_at = Some(a.created_at);
        assert!(!m("is:open", &a));
        assert!(m("is:closed", &a));
        // campaigns ignore the state terms
        let f = Filter::parse("is:open provider:azure").unwrap();
        assert!(f.matches_campaign(&a));
        assert!(!f.matches(&a));
    }

    #[test]
    fn provider_matches_slug_or_name_case_insensitively() {
        let a = alert();
        assert!(m("provider:azure", &a));
        assert!(m("provider:AZURE", &a));
        assert!(!m("provider:aws", &a));
        assert!(m("provider:aws,azure", &a));
        assert!(!m("-provider:aws,azure", &a));
        assert!(m("-provider:aws", &a));
        let mut b = alert();
        b.provider_slug = None;
        b.provider = Some("Azure".into());
        assert!(m("provider:azure", &b));
        b.provider = None;
        assert!(!m("provider:azure", &b));
    }

    #[test]
    fn secret_type() {
        let a = alert();
        assert!(m("secret-type:azure_storage_account_key", &a));
        assert!(m("secret-type:github_pat,azure_storage_account_key", &a));
        assert!(!m("secret-type:github_pat", &a));
        assert!(m("-secret-type:github_pat", &a));
    }

    #[test]
    fn validity_with_null_as_unknown() {
        let mut a = alert();
        assert!(m("validity:active", &a));
        assert!(!m("validity:inactive", &a));
        a.validity = None;
        assert!(m("validity:unknown", &a));
        assert!(m("validity:inactive,unknown", &a));
        assert!(!m("-validity:unknown", &a));
    }

    #[test]
    fn publicly_leaked_and_multi_repository_forms() {
        let mut a = alert();
        assert!(!m("publicly-leaked", &a));
        assert!(m("-publicly-leaked", &a));
        a.publicly_leaked = Some(true);
        assert!(m("publicly-leaked", &a));
        assert!(m("is:publicly-leaked", &a));
        assert!(!m("multi-repository", &a));
        a.multi_repo = Some(true);
        assert!(m("multi-repository", &a));
        assert!(m("is:multi-repository", &a));
        a.multi_repo = None;
        assert!(!m("is:multi-repository", &a));
    }

    #[test]
    fn repo_by_name_or_full_name() {
        let a = alert();
        assert!(m("repo:web", &a));
        assert!(m("repo:acme/web", &a));
        assert!(m("repo:ACME/Web", &a));
        assert!(!m("repo:other/web", &a));
        assert!(!m("repo:we", &a));
        assert!(m("repo:api,web", &a));
        assert!(!m("-repo:acme/web", &a));
    }

    #[test]
    fn resolution() {
        let mut a = alert();
        assert!(!m("resolution:revoked", &a));
        a.resolution = Some("revoked".into());
        assert!(m("resolution:revoked", &a));
        assert!(m("resolution:false_positive,revoked", &a));
        assert!(!m("-resolution:revoked", &a));
    }

    #[test]
    fn assignee_and_none() {
        let mut a = alert();
        assert!(m("assignee:none", &a));
        assert!(!m("assignee:mona", &a));
        a.assigned_to = Some(User {
            login: "Mona".into(),
        });
        assert!(m("assignee:mona", &a));
        assert!(!m("assignee:none", &a));
        assert!(m("assignee:none,mona", &a));
        assert!(m("-assignee:none", &a));
    }

    #[test]
    fn bypassed() {
        let mut a = alert();
        assert!(m("bypassed:false", &a));
        assert!(!m("bypassed:true", &a));
        a.push_protection_bypassed = Some(true);
        assert!(m("bypassed:true", &a));
        a.push_protection_bypassed = None;
        assert!(m("bypassed:false", &a));
    }

    #[test]
    fn results_default_or_generic() {
        let mut a = alert();
        assert!(m("results:default", &a));
        assert!(!m("results:generic", &a));
        a.generic = true;
        assert!(m("results:generic", &a));
        assert!(m("results:default,generic", &a));
        assert!(!m("-results:generic", &a));
    }

    #[test]
    fn all_terms_must_match() {
        let a = alert();
        assert!(m("is:open provider:azure validity:active", &a));
        assert!(!m("provider:azure validity:inactive", &a));
    }

    #[test]
    fn errors_point_at_the_token() {
        let e = Filter::parse("provider:azure  valdity:active").unwrap_err();
        assert_eq!(e.offset, 16);
        assert_eq!(e.token, "valdity:active");
        assert!(
            e.message.contains("did you mean `validity:`"),
            "{}",
            e.message
        );
        let shown = e.to_string();
        assert!(
            shown.contains("\n                    ^^^^^^^^^^^^^^"),
            "{shown}"
        );

        let e = Filter::parse("validity:alive").unwrap_err();
        assert_eq!(e.offset, 0);
        assert!(e.message.contains("`validity:active`"), "{}", e.message);

        let e = Filter::parse("is:open provider:").unwrap_err();
        assert_eq!((e.offset, e.token.as_str()), (8, "provider:"));

        let e = Filter::parse("provider:aws,,azure").unwrap_err();
        assert!(e.message.contains("empty value"));

        let e = Filter::parse("secret:x").unwrap_err();
        assert!(
            e.message.contains("did you mean `secret-type:`"),
            "{}",
            e.message
        );

        let e = Filter::parse("is:fixed").unwrap_err();
        assert!(e.message.contains("is:closed"));

        let e = Filter::parse("bypassed:true,false").unwrap_err();
        assert!(e.message.contains("one value"));

        let e = Filter::parse("éé stray").unwrap_err();
        assert_eq!((e.offset, e.token.as_str()), (0, "éé"));
        let e = Filter::parse("éé:x").unwrap_err();
        assert_eq!(e.offset, 0);
        let e = Filter::parse("provider:é -bad").unwrap_err();
        assert_eq!((e.offset, e.token.as_str()), (11, "-bad"));
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    fn token() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("is:open".to_string()),
            Just("publicly-leaked".to_string()),
            "-?(provider|secret-type|validity|repo|resolution|assignee|bypassed|results|is|bogus):[a-z,/_é-]{0,12}",
            "[^\\s]{1,10}",
        ]
    }

    proptest! {
        #[test]
        fn any_text_parses_or_points_at_a_token(text in "\\PC{0,60}") {
            if let Err(e) = Filter::parse(&text) {
                let chars: Vec<char> = text.chars().collect();
                let at: String = chars.iter().skip(e.offset).take(e.token.chars().count()).collect();
                prop_assert_eq!(at, e.token.clone());
                prop_assert!(!e.message.is_empty());
            }
        }

        #[test]
        fn filters_of_the_language_parse_or_point_at_a_token(tokens in proptest::collection::vec(token(), 0..6)) {
            let text = tokens.join(" ");
            if let Err(e) = Filter::parse(&text) {
                prop_assert!(tokens.contains(&e.token), "{:?} not in {:?}", e.token, tokens);
            }
        }
    }
}
