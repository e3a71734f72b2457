//! Remediation playbooks (docs/playbooks.md): for each kind of leaked secret, what it
//! grants, how to revoke or rotate it, how to roll the new one out without an outage and how
//! to check the result, around a seven-step checklist.
//!
//! The catalogue is embedded (`playbooks/*.yaml` of the source tree) and a folder named by
//! `playbooks_dir` adds or replaces playbooks by file name: `aws.yaml` there replaces the
//! built-in `aws`. An alert's playbook is the one listing its `secret_type`, else the one
//! listing its provider, else `generic`. The format is documented in `docs/playbooks.md`.

#[cfg(test)]
mod links;

use crate::config::Locator;
use crate::error::{Error, Result};
use crate::model::Alert;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The built-in catalogue, by file name.
pub const BUILTIN: &[(&str, &str)] = &[
    ("aws.yaml", include_str!("../../playbooks/aws.yaml")),
    ("azure.yaml", include_str!("../../playbooks/azure.yaml")),
    ("gcp.yaml", include_str!("../../playbooks/gcp.yaml")),
    ("github.yaml", include_str!("../../playbooks/github.yaml")),
    ("slack.yaml", include_str!("../../playbooks/slack.yaml")),
    ("stripe.yaml", include_str!("../../playbooks/stripe.yaml")),
    (
        "database.yaml",
        include_str!("../../playbooks/database.yaml"),
    ),
    (
        "private-key.yaml",
        include_str!("../../playbooks/private-key.yaml"),
    ),
    (
        "password.yaml",
        include_str!("../../playbooks/password.yaml"),
    ),
    ("generic.yaml", include_str!("../../playbooks/generic.yaml")),
];

/// The playbook every alert falls back to.
pub const GENERIC: &str = "generic";

/// One step of a playbook: a sentence, and the command that does it when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// What to do.
    pub text: String,
    /// A command to run, shown as code.
    pub command: Option<String>,
    /// The provider's page for this step.
    pub see: Option<String>,
}

/// A documentation page of the secret's provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Doc {
    /// The page's title.
    pub title: String,
    /// Its address.
    pub url: String,
}

/// One playbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Playbook {
    /// The file name without `.yaml`: `aws`, `github`, `generic`.
    pub id: String,
    /// `AWS access keys`.
    pub title: String,
    /// Secret types (`aws_access_key_id`) this playbook is for.
    pub secret_types: Vec<String>,
    /// Providers (slug or name, any case) whose other secret types it covers.
    pub providers: Vec<String>,
    /// What someone holding the secret can do.
    pub grants: String,
    /// Step 3 of the checklist: revoke or rotate.
    pub revoke: Vec<Step>,
    /// Step 4: put the new secret everywhere the old one was used, without an outage.
    pub rollout: Vec<Step>,
    /// Step 5: check that the old secret is dead and the new one works.
    pub verify: Vec<Step>,
    /// The provider's documentation.
    pub docs: Vec<Doc>,
    /// Where it came from: `built-in`, or the file of `playbooks_dir`.
    pub origin: String,
    /// Whether the file wrote `secret_types` or `providers`; a replacement that writes
    /// neither keeps those of the playbook it replaces.
    #[serde(skip)]
    claims_written: bool,
}

/// The seven-step checklist every playbook follows. Steps 3 to 5 are each playbook's own.
pub const CHECKLIST: [(&str, &str); 7] = [
    (
        "Verify the secret is actually leaked",
        "Open the alert in GitHub and look at where it was found: a real credential, not an example, a placeholder or a test value. Close a false positive as \u{201c}False positive\u{201d}; there is nothing else to do.",
    ),
    (
        "Determine if it is still active",
        "GitHub shows the secret's validity when the provider supports checks (active, inactive or unknown). Treat unknown as active. If the secret is active and was leaked in public, revoke it now, before planning the rollout: an outage is cheaper than an intruder.",
    ),
    ("Revoke or rotate the compromised secret", ""),
    ("Update all systems using the old secret", ""),
    ("Test that systems work with the new credential", ""),
    (
        "Document the incident and the remediation",
        "Write down in your incident tracker what the secret granted, how long it was exposed, when it was revoked, where it was replaced, and whether the provider's logs show use by anyone else.",
    ),
    (
        "Mark the alert as resolved",
        "Close the alert in GitHub as \u{201c}Revoked\u{201d}. Removing the secret from the code or from Git history does not make it safe; only revoking it does.",
    ),
];

/// One step of the checklist as a page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ChecklistStep<'a> {
    /// `Revoke or rotate the compromised secret`.
    pub title: &'static str,
    /// What the step means for every secret (empty for the playbook's own steps).
    pub text: &'static str,
    /// The playbook's own steps (steps 3 to 5).
    pub steps: &'a [Step],
}

/// The seven steps of the checklist with a playbook's own steps in 3 (revoke), 4 (roll out)
/// and 5 (verify).
pub fn checklist(p: &Playbook) -> Vec<ChecklistStep<'_>> {
    CHECKLIST
        .iter()
        .enumerate()
        .map(|(i, (title, text))| ChecklistStep {
            title,
            text,
            steps: match i {
                2 => &p.revoke,
                3 => &p.rollout,
                4 => &p.verify,
                _ => &[],
            },
        })
        .collect()
}

/// The catalogue in use: built-in playbooks, those of `playbooks_dir`, and the experts of the
/// configuration.
#[derive(Debug, Clone)]
pub struct Catalogue {
    playbooks: Vec<Playbook>,
    by_type: BTreeMap<String, usize>,
    by_provider: BTreeMap<String, usize>,
    experts: BTreeMap<String, Vec<String>>,
}

/// `Amazon AWS`, `amazon-aws` and `amazon_aws` alike.
fn key(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect()
}

impl Catalogue {
    /// The built-in catalogue with the playbooks of `dir` added or replacing built-in ones by
    /// file name. A file that does not parse is a configuration error naming its line.
    pub fn load(dir: Option<&Path>) -> Result<Catalogue> {
        let mut playbooks: Vec<Playbook> = Vec::new();
        for (name, text) in BUILTIN {
            playbooks.push(parse(Path::new(name), text, "built-in")?);
        }
        if let Some(dir) = dir {
            for path in files(dir)? {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| Error::io("cannot read playbook", &path, e))?;
                let p = parse(&path, &text, &path.display().to_string())?;
                match playbooks.iter().position(|b| b.id == p.id) {
                    Some(i) => {
                        tracing::info!("playbook `{}` replaced by {}", p.id, path.display());
                        let mut p = p;
                        if !p.claims_written {
                            p.secret_types = std::mem::take(&mut playbooks[i].secret_types);
                            p.providers = std::mem::take(&mut playbooks[i].providers);
                        }
                        playbooks[i] = p;
                    }
                    None => playbooks.push(p),
                }
            }
        }
        if !playbooks.iter().any(|p| p.id == GENERIC) {
            return Err(Error::Config(format!(
                "no `{GENERIC}` playbook: every alert needs one to fall back to"
            )));
        }
        let mut by_type = BTreeMap::new();
        let mut by_provider = BTreeMap::new();
        // Playbooks of the folder that list secret types or providers claim them before the
        // built-in ones (and replacements keeping a built-in's list); two files of the folder
        // claiming the same one is an error.
        let explicit = |p: &Playbook| p.origin != "built-in" && p.claims_written;
        let order: Vec<usize> = (0..playbooks.len())
            .filter(|&i| explicit(&playbooks[i]))
            .chain((0..playbooks.len()).filter(|&i| !explicit(&playbooks[i])))
            .collect();
        for i in order {
            let p = &playbooks[i];
            for (what, names, map) in [
                ("secret type", &p.secret_types, &mut by_type),
                ("provider", &p.providers, &mut by_provider),
            ] {
                for name in names {
                    match map.get(&key(name)) {
                        None => {
                            map.insert(key(name), i);
                        }
                        Some(&j) if i != j && explicit(p) && explicit(&playbooks[j]) => {
                            return Err(Error::Config(format!(
                                "{}: {what} `{name}` is also claimed by playbook `{}` ({}); give it to one of them",
                                p.origin, playbooks[j].id, playbooks[j].origin
                            )));
                        }
                        Some(_) => {}
                    }
                }
            }
        }
        Ok(Catalogue {
            playbooks,
            by_type,
            by_provider,
            experts: BTreeMap::new(),
        })
    }

    /// The catalogue with the configuration's experts (keyed by secret type, provider or
    /// playbook id).
    pub fn with_experts(mut self, experts: &BTreeMap<String, Vec<String>>) -> Catalogue {
        self.experts = experts.iter().map(|(k, v)| (key(k), v.clone())).collect();
        self
    }

    /// Every playbook, built-in ones first in catalogue order, then added ones.
    pub fn all(&self) -> &[Playbook] {
        &self.playbooks
    }

    /// The playbook of this id.
    pub fn get(&self, id: &str) -> Option<&Playbook> {
        self.playbooks.iter().find(|p| p.id == id)
    }

    /// The playbook of a secret: by secret type, else by provider (slug or name), else
    /// generic.
    pub fn find(&self, secret_type: &str, providers: &[Option<&str>]) -> &Playbook {
        let i = self
            .by_type
            .get(&key(secret_type))
            .or_else(|| {
                providers
                    .iter()
                    .flatten()
                    .find_map(|p| self.by_provider.get(&key(p)))
            })
            .copied()
            .or_else(|| self.playbooks.iter().position(|p| p.id == GENERIC))
            .unwrap_or(0);
        &self.playbooks[i]
    }

    /// An alert's playbook.
    pub fn for_alert(&self, alert: &Alert) -> &Playbook {
        self.find(
            &alert.secret_type,
            &[alert.provider_slug.as_deref(), alert.provider.as_deref()],
        )
    }

    /// Notes each alert's playbook id on it.
    pub fn annotate(&self, alerts: &mut [Alert]) {
        for a in alerts {
            a.playbook = self.for_alert(a).id.clone();
        }
    }

    /// The experts of a secret: those named for its secret type, else its provider, else its
    /// playbook.
    pub fn experts(&self, secret_type: &str, provider: Option<&str>, playbook: &str) -> &[String] {
        [Some(secret_type), provider, Some(playbook)]
            .into_iter()
            .flatten()
            .find_map(|k| self.experts.get(&key(k)))
            .map_or(&[], |v| v.as_slice())
    }

    /// The experts named for a playbook, its secret types or its providers, each once.
    pub fn experts_of(&self, p: &Playbook) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let keys = std::iter::once(&p.id)
            .chain(&p.providers)
            .chain(&p.secret_types);
        for k in keys {
            for e in self.experts.get(&key(k)).into_iter().flatten() {
                if !out.contains(e) {
                    out.push(e.clone());
                }
            }
        }
        out
    }

    /// Keys of `experts` that name no playbook, secret type or provider of the catalogue: they
    /// apply only if GitHub reports such a secret type or provider (`check` says so).
    pub fn unmatched_expert_keys(&self) -> Vec<String> {
        self.experts
            .keys()
            .filter(|k| {
                !self.by_type.contains_key(*k)
                    && !self.by_provider.contains_key(*k)
                    && !self.playbooks.iter().any(|p| &key(&p.id) == *k)
            })
            .cloned()
            .collect()
    }
}

/// The `.yaml` and `.yml` files of a playbooks folder, by name.
fn files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| Error::io("cannot read playbooks_dir", dir, e))?;
    let mut out: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    out.sort();
    Ok(out)
}

/// Files of a playbooks folder that are not playbooks (`check` warns: a typo there is
/// silently ignored otherwise).
pub fn stray_files(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .flatten()
        .filter(|e| {
            let p = e.path();
            p.is_file() && !p.extension().is_some_and(|x| x == "yaml" || x == "yml")
        })
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

// ---- the file format ---------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlaybook {
    title: Spanned<String>,
    #[serde(default)]
    secret_types: Option<Vec<String>>,
    #[serde(default)]
    providers: Option<Vec<String>>,
    grants: Spanned<String>,
    revoke: Spanned<Vec<RawStep>>,
    #[serde(default)]
    rollout: Vec<RawStep>,
    #[serde(default)]
    verify: Vec<RawStep>,
    #[serde(default)]
    docs: Vec<RawDoc>,
}

/// A step: a sentence, or `{ do: sentence, run: command, see: address }`.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawStep {
    Text(String),
    Full(FullStep),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FullStep {
    #[serde(rename = "do")]
    text: String,
    #[serde(default)]
    run: Option<String>,
    /// The provider's page for this step.
    #[serde(default)]
    see: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDoc {
    title: String,
    url: Spanned<String>,
}

impl From<RawStep> for Step {
    fn from(s: RawStep) -> Step {
        match s {
            RawStep::Text(text) => Step {
                text: one_line(&text),
                command: None,
                see: None,
            },
            RawStep::Full(f) => Step {
                text: one_line(&f.text),
                command: f
                    .run
                    .map(|c| c.trim_end().to_string())
                    .filter(|c| !c.is_empty()),
                see: f.see.map(|u| u.trim().to_string()),
            },
        }
    }
}

fn trimmed(list: Option<Vec<String>>) -> Vec<String> {
    list.unwrap_or_default()
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Folded YAML text as one paragraph.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parses one playbook file; `path`'s stem is its id.
pub fn parse(path: &Path, text: &str, origin: &str) -> Result<Playbook> {
    let at = Locator { path, text };
    let id = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !crate::config::is_campaign_id(&id) {
        return Err(Error::Config(format!(
            "{}: `{id}` is not a playbook name: name playbook files with lower-case letters, digits and dashes, e.g. `aws.yaml`",
            path.display()
        )));
    }
    if text.trim().is_empty() {
        return Err(at.error(
            1,
            1,
            "the playbook is empty",
            Some("start from a built-in one: see docs/playbooks.md"),
        ));
    }
    let raw: RawPlaybook = serde_saphyr::from_str(text).map_err(|e| {
        let err = at.yaml_error(&e);
        match err {
            Error::Config(m) if m.contains("untagged") => Error::Config(format!(
                "{m}\n   = a step is a sentence, or `{{ do: sentence, run: command, see: address }}`; quote a sentence that holds `: `"
            )),
            other => other,
        }
    })?;
    for (field, value) in [("title", &raw.title), ("grants", &raw.grants)] {
        if value.value.trim().is_empty() {
            return Err(at.spanned(value, &format!("`{field}` is empty"), None));
        }
    }
    if raw.revoke.value.is_empty() {
        return Err(at.spanned(
            &raw.revoke,
            "`revoke` has no steps",
            Some("say how to revoke or rotate this secret, one step a line"),
        ));
    }
    let mut docs = Vec::with_capacity(raw.docs.len());
    for d in raw.docs {
        let url = crate::site::safe_url(d.url.value.trim())
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
            .ok_or_else(|| {
                at.spanned(
                    &d.url,
                    &format!("`{}` is not an http(s) address", d.url.value),
                    Some("link the provider's documentation, e.g. `url: https://docs.example.com/keys`"),
                )
            })?;
        docs.push(Doc {
            title: one_line(&d.title),
            url,
        });
    }
    let revoke: Vec<Step> = raw.revoke.value.into_iter().map(Step::from).collect();
    let rollout: Vec<Step> = raw.rollout.into_iter().map(Step::from).collect();
    let verify: Vec<Step> = raw.verify.into_iter().map(Step::from).collect();
    for step in revoke.iter().chain(&rollout).chain(&verify) {
        if let Some(see) = &step.see {
            let safe = crate::site::safe_url(see)
                .filter(|u| u.starts_with("https://") || u.starts_with("http://"));
            if safe.as_deref() != Some(see.as_str()) {
                return Err(Error::Config(format!(
                    "{}: the step “{}” links `{see}`, which is not an http(s) address\n   = link the provider's page for that step, e.g. `see: https://docs.example.com/keys`",
                    path.display(),
                    crate::text::clip(&step.text, 60)
                )));
            }
        }
    }
    Ok(Playbook {
        id,
        title: one_line(&raw.title.value),
        claims_written: raw.secret_types.is_some() || raw.providers.is_some(),
        secret_types: trimmed(raw.secret_types),
        providers: trimmed(raw.providers),
        grants: one_line(&raw.grants.value),
        revoke,
        rollout,
        verify,
        docs,
        origin: origin.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(secret_type: &str, slug: Option<&str>, provider: Option<&str>) -> Alert {
        serde_json::from_value(serde_json::json!({
            "number": 1,
            "created_at": "2026-11-01T00:00:00Z",
            "secret_type": secret_type,
            "provider_slug": slug,
            "provider": provider,
            "repository": { "full_name": "acme/web", "name": "web" },
        }))
        .unwrap()
    }

    impl Catalogue {
        fn builtin() -> Catalogue {
            Catalogue::load(None).unwrap()
        }
    }

    #[test]
    fn the_builtin_catalogue_covers_what_the_seed_names() {
        let c = Catalogue::builtin();
        let ids: Vec<&str> = c.all().iter().map(|p| p.id.as_str()).collect();
        for id in [
            "aws",
            "azure",
            "gcp",
            "github",
            "slack",
            "stripe",
            "database",
            "private-key",
            "password",
            "generic",
        ] {
            assert!(ids.contains(&id), "{id} missing from {ids:?}");
        }
        for p in c.all() {
            assert!(
                !p.revoke.is_empty() && !p.rollout.is_empty() && !p.verify.is_empty(),
                "{}",
                p.id
            );
            assert_eq!(p.origin, "built-in");
        }
        assert!(
            c.get("github").unwrap().revoke.iter().any(|s| s
                .text
                .contains("POST /credentials/revoke")
                || s.command
                    .as_deref()
                    .is_some_and(|c| c.contains("/credentials/revoke"))),
            "GitHub tokens are revoked through POST /credentials/revoke"
        );
        // that endpoint is for personal access tokens: an installation token is revoked with
        // itself, and every revocation step links GitHub's page for it
        let github = c.get("github").unwrap();
        let installation = github
            .revoke
            .iter()
            .find(|s| s.text.contains("ghs_"))
            .expect("a step for installation tokens");
        let command = installation.command.as_deref().unwrap();
        assert!(
            command.contains("DELETE https://api.github.com/installation/token")
                && !command.contains("/credentials/revoke"),
            "{command}"
        );
        assert!(
            github.revoke.iter().all(|s| s
                .see
                .as_deref()
                .is_some_and(|u| u.starts_with("https://docs.github.com/"))),
            "every revocation step links GitHub's docs"
        );
    }

    #[test]
    fn lookup_falls_back_from_secret_type_to_provider_to_generic() {
        let c = Catalogue::builtin();
        // by secret type, whatever the provider says
        assert_eq!(
            c.for_alert(&alert("aws_access_key_id", None, None)).id,
            "aws"
        );
        assert_eq!(
            c.for_alert(&alert("postgres_connection_string", Some("azure"), None))
                .id,
            "database"
        );
        assert_eq!(
            c.for_alert(&alert("rsa_private_key", None, None)).id,
            "private-key"
        );
        assert_eq!(c.for_alert(&alert("password", None, None)).id, "password");
        // by provider slug or name, any case or spacing
        assert_eq!(
            c.for_alert(&alert("azure_new_kind_of_key", Some("azure"), None))
                .id,
            "azure"
        );
        assert_eq!(
            c.for_alert(&alert("aws_future_token", None, Some("Amazon AWS")))
                .id,
            "aws"
        );
        assert_eq!(
            c.for_alert(&alert("x_token", Some("GOOGLE-CLOUD"), None))
                .id,
            "gcp"
        );
        // nothing known
        assert_eq!(
            c.for_alert(&alert(
                "mailchimp_api_key",
                Some("mailchimp"),
                Some("Mailchimp")
            ))
            .id,
            "generic"
        );
    }

    #[test]
    fn a_folder_replaces_builtin_playbooks_by_name_and_adds_new_ones() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("aws.yaml"),
            "title: AWS keys at Acme\ngrants: Our AWS accounts.\nrevoke:\n  - Open a ticket with the cloud team.\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("mailchimp.yaml"),
            "title: Mailchimp API keys\nproviders: [mailchimp]\nsecret_types: [aws_session_token]\ngrants: Sending mail as us.\nrevoke:\n  - do: Disable the key\n    run: mc keys disable KEY\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("README.md"), "notes").unwrap();
        let c = Catalogue::load(Some(dir.path())).unwrap();
        let aws = c.for_alert(&alert("aws_access_key_id", None, None));
        assert_eq!(aws.title, "AWS keys at Acme");
        assert!(aws.origin.ends_with("aws.yaml"), "{}", aws.origin);
        assert_eq!(
            c.for_alert(&alert("mailchimp_api_key", Some("mailchimp"), None))
                .id,
            "mailchimp"
        );
        assert_eq!(
            c.for_alert(&alert("aws_session_token", None, None)).id,
            "mailchimp",
            "a playbook of the folder claims a secret type before a built-in one"
        );
        assert_eq!(
            c.get("mailchimp").unwrap().revoke[0].command.as_deref(),
            Some("mc keys disable KEY")
        );
        assert_eq!(stray_files(dir.path()), ["README.md"]);
        assert_eq!(c.all().len(), BUILTIN.len() + 1);
    }

    #[test]
    fn a_bad_playbook_file_is_a_config_error_with_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("slack.yaml");
        std::fs::write(
            &path,
            "title: Slack\ngrants: Posting as us.\nrevoke:\n  - Revoke it.\nverfy:\n  - Check it.\n",
        )
        .unwrap();
        let Err(Error::Config(m)) = Catalogue::load(Some(dir.path())) else {
            panic!("expected a config error")
        };
        assert!(
            m.starts_with(&format!("{}:5:1: unknown field `verfy`", path.display())),
            "{m}"
        );
        assert!(m.contains("did you mean `verify`?"), "{m}");

        std::fs::write(
            &path,
            "title: Slack\ngrants: Posting as us.\nrevoke:\n  - Revoke it.\ndocs:\n  - title: Docs\n    url: javascript:alert(1)\n",
        )
        .unwrap();
        let Err(Error::Config(m)) = Catalogue::load(Some(dir.path())) else {
            panic!("expected a config error")
        };
        assert!(
            m.starts_with(&format!(
                "{}:7:10: `javascript:alert(1)` is not an http(s) address",
                path.display()
            )),
            "{m}"
        );

        std::fs::write(
            &path,
            "title: Slack\ngrants: x\nrevoke:\n  - { do: Revoke it, see: \"javascript:alert(1)\" }\n",
        )
        .unwrap();
        let Err(Error::Config(m)) = Catalogue::load(Some(dir.path())) else {
            panic!("expected a config error")
        };
        assert!(
            m.contains(
                "the step “Revoke it” links `javascript:alert(1)`, which is not an http(s) address"
            ),
            "{m}"
        );

        std::fs::write(&path, "title: Slack\ngrants: x\nrevoke: []\n").unwrap();
        let Err(Error::Config(m)) = Catalogue::load(Some(dir.path())) else {
            panic!("expected a config error")
        };
        assert!(m.contains(":3:9: `revoke` has no steps"), "{m}");

        std::fs::write(
            &path,
            "title: Slack\ngrants: x\nrevoke:\n  - { do: x, rn: y }\n",
        )
        .unwrap();
        let Err(Error::Config(m)) = Catalogue::load(Some(dir.path())) else {
            panic!("expected a config error")
        };
        assert!(m.contains(&format!("{}:4:", path.display())), "{m}");
        assert!(m.contains("a step is a sentence"), "{m}");
    }

    #[test]
    fn two_added_playbooks_cannot_claim_the_same_secret_type() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a.yaml", "b.yaml"] {
            std::fs::write(
                dir.path().join(name),
                "title: T\nsecret_types: [acme_token]\ngrants: x\nrevoke: [Revoke it.]\n",
            )
            .unwrap();
        }
        let Err(Error::Config(m)) = Catalogue::load(Some(dir.path())) else {
            panic!("expected a config error")
        };
        assert!(
            m.contains("secret type `acme_token` is also claimed by playbook `a`"),
            "{m}"
        );
    }

    #[test]
    fn experts_are_found_by_secret_type_then_provider_then_playbook() {
        let experts: BTreeMap<String, Vec<String>> = [
            (
                "aws_session_token".to_string(),
                vec!["@sts-team".to_string()],
            ),
            (
                "Amazon AWS".to_string(),
                vec!["@acme/cloud-sec".to_string()],
            ),
            ("database".to_string(), vec!["@acme/dba".to_string()]),
        ]
        .into_iter()
        .collect();
        let c = Catalogue::builtin().with_experts(&experts);
        assert_eq!(
            c.experts("aws_session_token", Some("amazon_aws"), "aws"),
            ["@sts-team"]
        );
        assert_eq!(
            c.experts("aws_access_key_id", Some("amazon aws"), "aws"),
            ["@acme/cloud-sec"]
        );
        assert_eq!(
            c.experts("mysql_connection_url", None, "database"),
            ["@acme/dba"]
        );
        assert!(
            c.experts("slack_api_token", Some("slack"), "slack")
                .is_empty()
        );
        let aws = c.get("aws").unwrap();
        let on_page = c.experts_of(aws);
        assert!(
            on_page.contains(&"@sts-team".to_string())
                && on_page.contains(&"@acme/cloud-sec".to_string()),
            "{on_page:?}"
        );
    }
}
