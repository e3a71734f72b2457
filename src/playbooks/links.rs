//! Every external address of the built-in playbooks, in one place to review.
//!
//! A playbook sends people to these pages in the middle of an incident, so each one was looked
//! up before it was added, and a test fails when a built-in playbook names an address that is
//! not listed here (or this list keeps one no playbook uses). When a provider moves a page,
//! change it here and in the playbook together.

/// One reviewed address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    /// The address, exactly as the playbook writes it.
    pub url: &'static str,
    /// What it is, and for which playbook.
    pub what: &'static str,
}

/// The reviewed addresses of the built-in playbooks (`playbooks/*.yaml`).
pub const LINKS: &[Link] = &[
    Link {
        url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/Using_RotateAccessKey.html",
        what: "aws: AWS IAM User Guide, updating (rotating) access keys",
    },
    Link {
        url: "https://docs.aws.amazon.com/guardduty/latest/ug/compromised-creds.html",
        what: "aws: GuardDuty guide, remediating potentially compromised AWS credentials",
    },
    Link {
        url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html",
        what: "aws: the IAM credential report (which user owns a key)",
    },
    Link {
        url: "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCompromisedKeyQuarantineV3.html",
        what: "aws: the quarantine policy AWS attaches to a user whose key was exposed",
    },
    Link {
        url: "https://learn.microsoft.com/en-us/entra/identity/users/users-revoke-access",
        what: "azure: revoking a user's access in an emergency (password, sessions, refresh tokens)",
    },
    Link {
        url: "https://learn.microsoft.com/en-us/graph/api/user-revokesigninsessions",
        what: "azure: Microsoft Graph revokeSignInSessions",
    },
    Link {
        url: "https://graph.microsoft.com/v1.0/users/USER@example.com/revokeSignInSessions",
        what: "azure: that endpoint itself, in the playbook's command",
    },
    Link {
        url: "https://www.postgresql.org/docs/current/functions-admin.html",
        what: "database: PostgreSQL pg_terminate_backend (ending sessions)",
    },
    Link {
        url: "https://learn.microsoft.com/en-us/azure/storage/common/storage-account-keys-manage?tabs=azure-cli",
        what: "azure: managing and rotating storage account access keys",
    },
    Link {
        url: "https://learn.microsoft.com/en-us/cli/azure/ad/app/credential",
        what: "azure: `az ad app credential` reset and delete (application secrets)",
    },
    Link {
        url: "https://cloud.google.com/iam/docs/keys-create-delete",
        what: "gcp: creating and deleting service account keys",
    },
    Link {
        url: "https://cloud.google.com/iam/docs/keys-disable-enable",
        what: "gcp: disabling and enabling service account keys",
    },
    Link {
        url: "https://docs.github.com/en/rest/credentials/revoke",
        what: "github: REST API `POST /credentials/revoke`",
    },
    Link {
        url: "https://api.github.com/credentials/revoke",
        what: "github: the revocation endpoint itself, in the playbook's command",
    },
    Link {
        url: "https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/managing-your-personal-access-tokens",
        what: "github: creating a replacement personal access token (fine-grained preferred)",
    },
    Link {
        url: "https://docs.github.com/en/rest/apps/oauth-applications#delete-an-app-token",
        what: "github: an OAuth or GitHub App's owner revoking one of its user tokens (`DELETE /applications/{client_id}/token`)",
    },
    Link {
        url: "https://api.github.com/applications/CLIENT_ID/token",
        what: "github: that endpoint itself, in the playbook's command",
    },
    Link {
        url: "https://docs.github.com/en/rest/apps/installations#revoke-an-installation-access-token",
        what: "github: revoking an installation token with itself (`DELETE /installation/token`)",
    },
    Link {
        url: "https://api.github.com/installation/token",
        what: "github: that endpoint itself, in the playbook's command",
    },
    Link {
        url: "https://docs.github.com/en/enterprise-cloud@latest/organizations/granting-access-to-your-organization-with-saml-single-sign-on/viewing-and-managing-a-members-saml-access-to-your-organization",
        what: "github: a GHEC organization owner revoking a member's SSO-authorized credentials",
    },
    Link {
        url: "https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/managing-private-keys-for-github-apps",
        what: "github: generating and deleting a GitHub App's private keys",
    },
    Link {
        url: "https://github.blog/changelog/2026-03-26-credential-revocation-api-now-supports-github-oauth-and-github-app-credentials",
        what: "github: changelog, the revocation API taking OAuth app and GitHub App user and refresh tokens on github.com",
    },
    Link {
        url: "https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/token-expiration-and-revocation",
        what: "github: how and when GitHub tokens expire or are revoked",
    },
    Link {
        url: "https://docs.github.com/en/organizations/managing-programmatic-access-to-your-organization/reviewing-and-revoking-personal-access-tokens-in-your-organization",
        what: "github: organization owners reviewing and revoking fine-grained tokens",
    },
    Link {
        url: "https://api.slack.com/methods/auth.revoke",
        what: "slack: the auth.revoke API method",
    },
    Link {
        url: "https://slack.com/api/auth.revoke",
        what: "slack: the auth.revoke endpoint itself, in the playbook's command",
    },
    Link {
        url: "https://docs.slack.dev/authentication/using-token-rotation",
        what: "slack: token rotation for apps",
    },
    Link {
        url: "https://docs.stripe.com/keys",
        what: "stripe: API keys, rolling a key",
    },
    Link {
        url: "https://docs.stripe.com/keys-best-practices",
        what: "stripe: handling leaked secret keys",
    },
    Link {
        url: "https://www.postgresql.org/docs/current/sql-alterrole.html",
        what: "database: PostgreSQL ALTER ROLE",
    },
    Link {
        url: "https://dev.mysql.com/doc/en/alter-user.html",
        what: "database: MySQL ALTER USER (RETAIN CURRENT PASSWORD, DISCARD OLD PASSWORD)",
    },
    Link {
        url: "https://www.mongodb.com/docs/manual/reference/method/db.changeUserPassword/",
        what: "database: MongoDB db.changeUserPassword()",
    },
    Link {
        url: "https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/reviewing-your-ssh-keys",
        what: "private-key: reviewing and deleting SSH keys on GitHub",
    },
    Link {
        url: "https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html",
        what: "password, generic: OWASP Secrets Management Cheat Sheet",
    },
    Link {
        url: "https://docs.github.com/en/code-security/secret-scanning/managing-alerts-from-secret-scanning/resolving-alerts",
        what: "generic: GitHub Docs, resolving secret scanning alerts",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Every `http://` or `https://` address written in a text.
    fn addresses(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = text;
        while let Some(i) = rest.find("http") {
            let tail = &rest[i..];
            if tail.starts_with("https://") || tail.starts_with("http://") {
                let end = tail
                    .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ')' | ']'))
                    .unwrap_or(tail.len());
                out.push(tail[..end].to_string());
                rest = &tail[end..];
            } else {
                rest = &tail[4..];
            }
        }
        out
    }

    #[test]
    fn every_address_of_the_builtin_playbooks_is_reviewed_here() {
        let used: BTreeSet<String> = super::super::BUILTIN
            .iter()
            .flat_map(|(_, text)| addresses(text))
            .collect();
        let listed: BTreeSet<String> = LINKS.iter().map(|l| l.url.to_string()).collect();
        let unlisted: Vec<_> = used.difference(&listed).collect();
        assert!(
            unlisted.is_empty(),
            "add these to LINKS after checking them: {unlisted:?}"
        );
        let unused: Vec<_> = listed.difference(&used).collect();
        assert!(
            unused.is_empty(),
            "no playbook uses these any more: {unused:?}"
        );
        assert!(LINKS.iter().all(|l| l.url.starts_with("https://")));
    }

    #[test]
    fn addresses_are_found_in_text_and_commands() {
        assert_eq!(
            addresses("see https://a.example/x?y=1 and curl \"http://b.example/z\""),
            ["https://a.example/x?y=1", "http://b.example/z"]
        );
    }
}
