//! GitHub's GraphQL API, for the owner lookups that REST would spend a request each on: many
//! commits' authors, or many repositories' CODEOWNERS, in one query on GraphQL's own budget.
//! Every name and id is a variable, never text in the query; what GraphQL cannot answer the
//! caller asks over REST.

use super::{GitHub, RepoFile};
use crate::error::{Error, Result};

/// Commits asked in one GraphQL query: GitHub counts a query of up to 100 nodes as one point
/// of its 5,000 an hour.
pub const COMMITS_A_QUERY: usize = 100;

/// A GraphQL query, its variables, and where each commit's answer is: (repository alias,
/// commit alias, sha).
pub type CommitAuthorsQuery = (String, serde_json::Value, Vec<(String, String, String)>);

/// The GraphQL query for the authors of `commits` (`owner/name`, sha): one aliased
/// `repository` a repository, one aliased `object` a commit, every value a variable.
pub fn commit_authors_query(commits: &[(&str, &str)]) -> Result<CommitAuthorsQuery> {
    let mut by_repo: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for (repo, sha) in commits {
        by_repo.entry(repo).or_default().push(sha);
    }
    let mut params = Vec::new();
    let mut fields = String::new();
    let mut variables = serde_json::Map::new();
    let mut index = Vec::new();
    for (r, (repo, shas)) in by_repo.into_iter().enumerate() {
        open_repository(r, repo, &mut params, &mut variables, &mut fields)?;
        for (c, sha) in shas.into_iter().enumerate() {
            params.push(format!("$s{r}_{c}: GitObjectID!"));
            variables.insert(format!("s{r}_{c}"), sha.into());
            fields.push_str(&format!(
                "    c{c}: object(oid: $s{r}_{c}) {{ ... on Commit {{ author {{ user {{ login }} }} }} }}\n"
            ));
            index.push((format!("r{r}"), format!("c{c}"), sha.to_string()));
        }
        fields.push_str("  }\n");
    }
    let query = format!(
        "query CommitAuthors({}) {{\n{fields}}}\n",
        params.join(", ")
    );
    Ok((query, serde_json::Value::Object(variables), index))
}

/// Repositories whose CODEOWNERS are asked in one GraphQL query (three locations each).
pub const REPOS_A_QUERY: usize = 25;

/// A GraphQL query, its variables, and which repository each alias is.
pub type CodeownersQuery = (String, serde_json::Value, Vec<(String, String)>);

/// The GraphQL query for the files at `paths` on the default branch of each of `repos`:
/// `rN: repository(owner: $oN, name: $nN) { fK: object(expression: $eK) { ... on Blob } }`,
/// every value a variable.
pub fn codeowners_query(repos: &[&str], paths: &[&str]) -> Result<CodeownersQuery> {
    let mut params: Vec<String> = (0..paths.len())
        .map(|k| format!("$e{k}: String!"))
        .collect();
    let mut variables = serde_json::Map::new();
    for (k, path) in paths.iter().enumerate() {
        variables.insert(format!("e{k}"), format!("HEAD:{path}").into());
    }
    let mut fields = String::new();
    let mut index = Vec::new();
    for (r, repo) in repos.iter().enumerate() {
        open_repository(r, repo, &mut params, &mut variables, &mut fields)?;
        for k in 0..paths.len() {
            fields.push_str(&format!(
                "    f{k}: object(expression: $e{k}) {{ ... on Blob {{ text byteSize isTruncated }} }}\n"
            ));
        }
        fields.push_str("  }\n");
        index.push((format!("r{r}"), repo.to_string()));
    }
    let query = format!("query Codeowners({}) {{\n{fields}}}\n", params.join(", "));
    Ok((query, serde_json::Value::Object(variables), index))
}

/// Opens the field of repository number `r` (`rN: repository(owner: $oN, name: $nN) {`),
/// its owner and name as variables; anything that is not a login and a repository name is
/// refused before a query is sent.
fn open_repository(
    r: usize,
    repo: &str,
    params: &mut Vec<String>,
    variables: &mut serde_json::Map<String, serde_json::Value>,
    fields: &mut String,
) -> Result<()> {
    let (owner, name) = repo
        .split_once('/')
        .filter(|(o, n)| crate::model::is_login(o) && crate::model::is_repo_name(n))
        .ok_or_else(|| {
            Error::GitHub(format!(
                "GitHub sent a repository name that is not owner/name: `{}`",
                crate::text::clip(repo, 120)
            ))
        })?;
    params.push(format!("$o{r}: String!, $n{r}: String!"));
    variables.insert(format!("o{r}"), owner.into());
    variables.insert(format!("n{r}"), name.into());
    fields.push_str(&format!(
        "  r{r}: repository(owner: $o{r}, name: $n{r}) {{\n"
    ));
    Ok(())
}

impl GitHub {
    /// Where GraphQL is: `/graphql` beside the REST API on github.com, `/api/graphql` on
    /// GitHub Enterprise Server (whose REST API is under `/api/v3`).
    fn graphql_path(&self) -> String {
        let base = self.api.path().trim_end_matches('/');
        match base.strip_suffix("/api/v3") {
            Some(root) => {
                let mut url = self.api.clone();
                url.set_path(&format!("{root}/api/graphql"));
                url.to_string()
            }
            None => format!("{base}/graphql"),
        }
    }

    /// The GitHub logins of the authors of up to [`COMMITS_A_QUERY`] commits, in one GraphQL
    /// query (`repository { object(oid:) { ... on Commit { author { user { login } } } } }`),
    /// with every name and id as a variable. A commit, or repository, GitHub does not know, or
    /// whose author's e-mail is linked to no account, is `None`; a commit GitHub's answer does
    /// not cover is left out (the caller asks it again over REST).
    pub async fn commit_authors(
        &self,
        commits: &[(&str, &str)],
    ) -> Result<std::collections::HashMap<String, Option<String>>> {
        let (query, variables, index) = commit_authors_query(commits)?;
        let data = self.graphql(&query, variables, "commit authors").await?;
        let mut authors = std::collections::HashMap::new();
        for (repo_alias, commit_alias, sha) in index {
            let object = match data.get(&repo_alias) {
                // not in the answer (an error cut it short): asked again over REST
                None => continue,
                // a repository GitHub does not know (gone, renamed) names no author
                Some(serde_json::Value::Null) => &serde_json::Value::Null,
                Some(repo) => match repo.get(&commit_alias) {
                    Some(o) => o,
                    None => continue,
                },
            };
            let login = object["author"]["user"]["login"].as_str();
            match login {
                Some(l) if !crate::model::is_login(l) => {
                    return Err(Error::GitHub(format!(
                        "GitHub named the author of commit {sha} with a login that is not one (`{}`)",
                        crate::text::clip(l, 40)
                    )));
                }
                l => {
                    authors.insert(sha, l.map(str::to_string));
                }
            }
        }
        Ok(authors)
    }

    /// One GraphQL query, once (a failed one is answered over REST by the caller): the
    /// answer's `data`, which may cover only part of the query when GitHub also sent errors.
    async fn graphql(
        &self,
        query: &str,
        variables: serde_json::Value,
        what: &str,
    ) -> Result<serde_json::Value> {
        let body = serde_json::json!({ "query": query, "variables": variables });
        let path = self.graphql_path();
        let (status, text) = crate::github::retry::send_json(
            &self.octo,
            http::Method::POST,
            &path,
            &body,
            self.policy.deadline,
            &self.queries,
        )
        .await
        .map_err(|why| Error::GitHub(format!("the GraphQL query for {what} failed ({why})")))?;
        if !status.is_success() {
            return Err(Error::GitHub(format!(
                "the GraphQL query for {what} was refused ({status})"
            )));
        }
        let mut answer: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            Error::GitHub(format!(
                "GitHub sent a GraphQL answer this tool cannot read ({e})"
            ))
        })?;
        let data = answer["data"].take();
        if !data.is_object() {
            return Err(Error::GitHub(format!(
                "GitHub's GraphQL answer for {what} holds no data"
            )));
        }
        Ok(data)
    }

    /// The CODEOWNERS of up to [`REPOS_A_QUERY`] repositories in one GraphQL query: for each,
    /// the first of GitHub's locations (`paths`, in its order) that holds a file on the
    /// default branch. A repository GitHub's answer does not cover, or whose file GraphQL
    /// cuts short (its text stops at 512,000 bytes) or cannot give as text, is left out: the
    /// caller reads it over REST.
    pub async fn codeowners_files(
        &self,
        repos: &[&str],
        paths: &[&str],
        max: u64,
    ) -> Result<std::collections::HashMap<String, (Option<String>, RepoFile)>> {
        let (query, variables, index) = codeowners_query(repos, paths)?;
        let data = self.graphql(&query, variables, "CODEOWNERS").await?;
        let mut files = std::collections::HashMap::new();
        'repos: for (alias, repo) in index {
            let objects = match data.get(&alias) {
                None => continue,
                // a repository GitHub does not know holds no file
                Some(serde_json::Value::Null) => {
                    files.insert(repo, (None, RepoFile::Missing));
                    continue;
                }
                Some(o) => o,
            };
            for (f, path) in paths.iter().enumerate() {
                let blob = match objects.get(format!("f{f}")) {
                    None => continue 'repos,
                    // no such file, or a folder (not a blob): the next location
                    Some(b) if !b.is_object() || b.get("byteSize").is_none() => continue,
                    Some(b) => b,
                };
                let size = blob["byteSize"].as_u64().unwrap_or(0);
                let found = if size > max {
                    RepoFile::TooLarge(size)
                } else {
                    match (blob["text"].as_str(), blob["isTruncated"].as_bool()) {
                        (Some(text), Some(false)) => RepoFile::Text(text.to_string()),
                        _ => continue 'repos,
                    }
                };
                files.insert(repo, (Some(path.to_string()), found));
                continue 'repos;
            }
            files.insert(repo, (None, RepoFile::Missing));
        }
        Ok(files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_ids_travel_as_variables_and_a_bad_name_is_refused() {
        let sha = "4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39";
        let (query, vars, index) =
            commit_authors_query(&[("acme/web", sha), ("acme/api", "c2"), ("acme/web", "c3")])
                .unwrap();
        assert!(!query.contains("acme") && !query.contains(sha), "{query}");
        // repositories in name order, commits grouped under theirs
        assert_eq!(vars["o0"], "acme");
        assert_eq!(
            (vars["n0"].as_str(), vars["s0_0"].as_str()),
            (Some("api"), Some("c2"))
        );
        assert_eq!(vars["s1_1"], "c3");
        assert_eq!(index.len(), 3);
        let (query, vars, index) =
            codeowners_query(&["acme/web"], &[".github/CODEOWNERS", "CODEOWNERS"]).unwrap();
        assert!(query.contains("f1: object(expression: $e1)"), "{query}");
        assert_eq!(vars["e0"], "HEAD:.github/CODEOWNERS");
        assert_eq!(index, vec![("r0".to_string(), "acme/web".to_string())]);
        for bad in ["acme/..", "acme", "acme/web\") { x }"] {
            assert!(codeowners_query(&[bad], &["CODEOWNERS"]).is_err(), "{bad}");
            assert!(commit_authors_query(&[(bad, sha)]).is_err(), "{bad}");
        }
    }
}
