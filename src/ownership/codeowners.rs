//! CODEOWNERS files as GitHub reads them: gitignore-style patterns, the **last** matching line
//! wins, and its **first** owner is the alert's owner (a line without owners means no owner).
//! Owners are `@login` (a user) or `@org/team-slug` (a team); e-mail addresses name no GitHub
//! account here and are skipped.

use glob::{MatchOptions, Pattern};

/// One owner as written in CODEOWNERS, without the `@`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeOwner {
    /// A user's login.
    User(String),
    /// `org/team-slug`.
    Team(String),
}

/// A usable line of a CODEOWNERS file.
#[derive(Debug, Clone)]
struct Rule {
    /// The path itself.
    exact: Pattern,
    /// Anything under it, for patterns that name a directory.
    under: Option<Pattern>,
    /// Whether only a directory (and so only what is under it) matches.
    dir_only: bool,
    owners: Vec<CodeOwner>,
}

/// A parsed CODEOWNERS file.
#[derive(Debug, Clone, Default)]
pub struct CodeOwners {
    rules: Vec<Rule>,
}

/// A line that could not be read, for a warning naming the file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// 1-based line number.
    pub line: usize,
    /// Why.
    pub why: String,
}

const OPTIONS: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

impl CodeOwners {
    /// Parses a CODEOWNERS file; lines that cannot be read are returned to be reported, and
    /// left out.
    pub fn parse(text: &str) -> (CodeOwners, Vec<Skipped>) {
        let mut rules = Vec::new();
        let mut skipped = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split(" #").next().unwrap_or_default().trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match rule(line) {
                Ok(r) => rules.push(r),
                Err(why) => skipped.push(Skipped { line: i + 1, why }),
            }
        }
        (CodeOwners { rules }, skipped)
    }

    /// The owners of a file path (relative to the repository root), from the last matching
    /// rule; `None` when no rule matches. An empty list: the last match names no owner.
    pub fn owners_of(&self, path: &str) -> Option<&[CodeOwner]> {
        let path = path.trim_start_matches('/');
        self.rules
            .iter()
            .rev()
            .find(|r| {
                (!r.dir_only && r.exact.matches_with(path, OPTIONS))
                    || r.under
                        .as_ref()
                        .is_some_and(|u| u.matches_with(path, OPTIONS))
            })
            .map(|r| r.owners.as_slice())
    }
}

fn rule(line: &str) -> Result<Rule, String> {
    let mut words = line.split_whitespace();
    let raw = words.next().unwrap_or_default();
    // what the messages quote, kept short: anyone who can push can write a long line
    let shown = crate::text::clip(raw, 60);
    if raw.starts_with('!') {
        return Err(format!(
            "`{shown}`: negation is not supported in CODEOWNERS"
        ));
    }
    if raw.contains('[') || raw.contains(']') {
        return Err(format!(
            "`{shown}`: character ranges are not supported in CODEOWNERS"
        ));
    }
    let mut owners = Vec::new();
    for w in words {
        match w.strip_prefix('@') {
            Some(name) if valid_owner(name) => owners.push(if name.contains('/') {
                CodeOwner::Team(name.to_string())
            } else {
                CodeOwner::User(name.to_string())
            }),
            Some(_) => {
                return Err(format!(
                    "`{}` is not a user or a team",
                    crate::text::clip(w, 60)
                ));
            }
            None if w.contains('@') => {} // an e-mail address: no GitHub login to name
            None => {
                return Err(format!(
                    "`{}` is not an owner (write @login or @org/team)",
                    crate::text::clip(w, 60)
                ));
            }
        }
    }
    let dir_only = raw.ends_with('/');
    let trimmed = raw.trim_end_matches('/');
    if trimmed.is_empty() {
        return Err(format!("`{shown}` matches nothing"));
    }
    // a slash at the start or in the middle anchors the pattern to the repository's root
    let anchored = trimmed.starts_with('/') || trimmed.contains('/');
    let body = trimmed.trim_start_matches('/');
    let base = if anchored {
        body.to_string()
    } else {
        format!("**/{body}")
    };
    let compile = |p: &str| Pattern::new(p).map_err(|e| format!("`{shown}`: {e}"));
    let exact = compile(&base)?;
    // a directory's rule covers what is under it; `docs/*` covers only docs' own files
    let last = body.rsplit('/').next().unwrap_or(body);
    let under = if dir_only || !last.contains('*') {
        Some(compile(&format!("{base}/**"))?)
    } else {
        None
    };
    Ok(Rule {
        exact,
        under,
        dir_only,
        owners,
    })
}

/// `login` or `org/team-slug`, each part at most [`crate::text::MAX_NAME`] characters (GitHub's
/// logins have at most 39; a longer name is no one's).
fn valid_owner(name: &str) -> bool {
    let ok = |part: &str| {
        !part.is_empty()
            && part.len() <= crate::text::MAX_NAME
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
    };
    match name.split_once('/') {
        Some((org, team)) => ok(org) && ok(team) && !team.contains('/'),
        None => ok(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(co: &CodeOwners, path: &str) -> Option<String> {
        co.owners_of(path).map(|o| match o.first() {
            Some(CodeOwner::User(u)) => u.clone(),
            Some(CodeOwner::Team(t)) => t.clone(),
            None => "<none>".into(),
        })
    }

    /// The examples of GitHub's "About code owners" page.
    #[test]
    fn githubs_examples() {
        let (co, skipped) = CodeOwners::parse(
            "# comment\n\
             *       @global-owner1 @global-owner2\n\
             *.js    @js-owner #This is an inline comment.\n\
             *.go docs@example.com\n\
             *.txt @octo-org/octocats\n\
             /build/logs/ @doctocat\n\
             docs/*  docs@example.com @docs-owner\n\
             apps/ @octocat\n\
             /docs/ @doctocat\n\
             /scripts/ @doctocat @octocat\n\
             **/logs @octocat\n\
             /apps/ @octocat\n\
             /apps/github\n",
        );
        assert!(skipped.is_empty(), "{skipped:?}");
        assert_eq!(first(&co, "README.md").as_deref(), Some("global-owner1"));
        assert_eq!(first(&co, "src/app.js").as_deref(), Some("js-owner"));
        // an e-mail owner only: the line wins and names no GitHub account
        assert_eq!(first(&co, "main.go").as_deref(), Some("<none>"));
        assert_eq!(
            first(&co, "notes.txt").as_deref(),
            Some("octo-org/octocats")
        );
        // `/build/logs/` matches, but the later `**/logs` does too: the last match wins
        assert_eq!(first(&co, "build/logs/x.log").as_deref(), Some("octocat"));
        assert_eq!(first(&co, "build/logs/a/b.log").as_deref(), Some("octocat"));
        assert_eq!(
            first(&co, "build/out.txt").as_deref(),
            Some("octo-org/octocats")
        );
        // `docs/*` is anchored (a slash inside) and covers docs' own files only ... but the
        // later `/docs/` line wins for both
        assert_eq!(
            first(&co, "docs/getting-started.md").as_deref(),
            Some("doctocat")
        );
        assert_eq!(
            first(&co, "docs/build-app/troubleshooting.md").as_deref(),
            Some("doctocat")
        );
        // `apps/` anywhere, then `/apps/` at the root, then `/apps/github` without owners
        assert_eq!(first(&co, "x/apps/main.rs").as_deref(), Some("octocat"));
        assert_eq!(first(&co, "apps/github/a.rs").as_deref(), Some("<none>"));
        assert_eq!(
            first(&co, "deep/logs/today.log").as_deref(),
            Some("octocat")
        );
        assert_eq!(first(&co, "scripts/run.sh").as_deref(), Some("doctocat"));
    }

    #[test]
    fn nested_files_of_a_star_pattern_are_not_covered() {
        let (co, _) = CodeOwners::parse("docs/* @docs-owner\n");
        assert_eq!(first(&co, "docs/a.md").as_deref(), Some("docs-owner"));
        assert_eq!(first(&co, "docs/sub/b.md"), None);
        assert_eq!(first(&co, "other/docs/a.md"), None, "anchored by its slash");
    }

    #[test]
    fn unreadable_lines_are_skipped_and_named() {
        let (co, skipped) = CodeOwners::parse(
            "!secret @a\n*.rs @ok\n*.md owner-without-at\n[ab].py @x\n*.rb @a/b/c\n",
        );
        assert_eq!(
            skipped.iter().map(|s| s.line).collect::<Vec<_>>(),
            [1, 3, 4, 5]
        );
        assert!(
            skipped[1].why.contains("write @login or @org/team"),
            "{skipped:?}"
        );
        assert_eq!(first(&co, "src/lib.rs").as_deref(), Some("ok"));
    }
}
