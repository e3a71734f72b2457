//! The shape of the code, checked: which top-level module may import which (README,
//! "Architecture"). Reads `src/**/*.rs`, collects each module's `crate::…` paths outside
//! `#[cfg(test)]` code, and fails on an import the rules forbid or a loop between top-level
//! modules. A test below plants a violation in a copy of the tree and sees it caught.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The vocabulary: imports nothing of the crate but each other and `error`.
const VOCABULARY: &[&str] = &[
    "error", "model", "time", "text", "net", "secret", "layout", "site", "tls",
];
/// The pure domain: no network, no disk, no presentation.
const DOMAIN: &[&str] = &["filter", "ownership", "metrics", "overview", "escalation"];
/// What the pure domain never imports.
const NOT_IN_DOMAIN: &[&str] = &["github", "deliver", "render", "state", "history"];

/// One `crate::` import: the file, the module it belongs to, the top-level module named.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Import {
    file: String,
    from: String,
    to: String,
}

/// The top-level module a file under `src/` belongs to (`lib` for lib.rs, `main` for the
/// binary's own files).
fn module_of(rel: &Path) -> String {
    let first = rel
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default();
    match first.strip_suffix(".rs") {
        Some("lib") => "lib".into(),
        Some("main") | Some("cli") => "main".into(),
        Some(m) => m.into(),
        None => first,
    }
}

/// The source with comments, strings and `#[cfg(test)]` items removed.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            i += 2;
            while i < b.len() && !b[i..].starts_with(b"*/") {
                i += 1;
            }
            i += 2;
        } else if b[i] == b'"' {
            // a string (raw strings hold no `"` followed by code we care about)
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' && i + 2 < b.len() && (b[i + 2] == b'\'' || b[i + 1] == b'\\') {
            // a char literal: '"', '\n'
            i += 1;
            while i < b.len() && b[i] != b'\'' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
        } else if b[i..].starts_with(b"#[cfg(test)]") {
            // skip the attribute and the item after it: to its `;` or its closing brace
            i += b"#[cfg(test)]".len();
            let mut depth = 0usize;
            while i < b.len() {
                match b[i] {
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            i += 1;
                            break;
                        }
                    }
                    b';' if depth == 0 => {
                        i += 1;
                        break;
                    }
                    _ => {}
                }
                i += 1;
            }
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

/// The top-level names after each `crate::` in code: `crate::a::b` gives `a`,
/// `crate::{a, b::c}` gives `a` and `b`.
fn crate_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().last();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            // the group up to its closing brace, split at its own commas
            let mut depth = 0usize;
            let mut items = vec![String::new()];
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        items.push(String::new());
                        continue;
                    }
                    _ => {}
                }
                if let Some(last) = items.last_mut() {
                    last.push(c);
                }
            }
            for item in items {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.push(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push(name);
            }
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every `crate::` import between top-level modules under `src`.
fn imports(src: &Path) -> Vec<Import> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeSet<String> = files
        .iter()
        .map(|f| module_of(f.strip_prefix(src).unwrap()))
        .collect();
    let mut out = BTreeSet::new();
    for f in &files {
        let rel = f.strip_prefix(src).unwrap();
        // unit tests kept apart in their own files (`tests.rs`, or a `tests/` folder of
        // them) are test code too
        if rel.file_name().is_some_and(|n| n == "tests.rs")
            || rel.components().any(|c| c.as_os_str() == "tests")
        {
            continue;
        }
        let from = module_of(rel);
        let code = code_only(&std::fs::read_to_string(f).unwrap());
        for name in crate_paths(&code) {
            // `crate::now`, `crate::run`: items of lib.rs
            let to = if modules.contains(&name) {
                name
            } else {
                "lib".to_string()
            };
            if to != from {
                out.insert(Import {
                    file: rel.display().to_string(),
                    from: from.clone(),
                    to,
                });
            }
        }
    }
    out.into_iter().collect()
}

/// What the rules say of one import, if it breaks one.
fn broken_rule(i: &Import) -> Option<&'static str> {
    let (from, to, file) = (i.from.as_str(), i.to.as_str(), i.file.as_str());
    if from == "main" || from == "lib" {
        return None;
    }
    if from != "commands" && matches!(to, "commands" | "output" | "lib") {
        return Some("nothing below commands/ imports commands/, output or lib.rs");
    }
    if VOCABULARY.contains(&from) && !VOCABULARY.contains(&to) {
        return Some("the vocabulary imports nothing of the crate but each other and error");
    }
    if DOMAIN.contains(&from) && NOT_IN_DOMAIN.contains(&to) {
        let records = file == "escalation/records.rs" && to == "state";
        let source_tag = from == "overview" && to == "history";
        if !records && !source_tag {
            return Some(
                "filter, ownership, metrics, overview and the escalation core never import github, deliver, render, state or history",
            );
        }
    }
    if from == "github" && matches!(to, "deliver" | "render" | "history" | "commands") {
        return Some("github never imports deliver, render, history or commands");
    }
    if from == "render" && matches!(to, "deliver" | "github" | "commands") {
        return Some("render never imports deliver, github or commands");
    }
    if from == "deliver" && to == "github" {
        return Some("deliver never imports github");
    }
    None
}

/// Loops between top-level modules (lib.rs and the binary aside): the groups of modules that
/// can each reach the others (strongly connected components of more than one module).
fn loops(imports: &[Import]) -> Vec<Vec<String>> {
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for i in imports {
        if !matches!(i.from.as_str(), "lib" | "main") && !matches!(i.to.as_str(), "lib" | "main") {
            graph.entry(&i.from).or_default().insert(&i.to);
        }
    }
    let reach = |start: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![start];
        while let Some(at) = stack.pop() {
            for &next in graph.get(at).into_iter().flatten() {
                if seen.insert(next.to_string()) {
                    stack.push(next);
                }
            }
        }
        seen
    };
    let reachable: BTreeMap<&str, BTreeSet<String>> =
        graph.keys().map(|&m| (m, reach(m))).collect();
    let mut groups: BTreeSet<Vec<String>> = BTreeSet::new();
    for (&m, from_m) in &reachable {
        let group: Vec<String> = from_m
            .iter()
            .filter(|other| {
                reachable
                    .get(other.as_str())
                    .is_some_and(|back| back.contains(m))
            })
            .cloned()
            .collect();
        if group.len() > 1 {
            groups.insert(group);
        }
    }
    groups.into_iter().collect()
}

/// Every broken rule and loop under `src`, in words.
fn problems(src: &Path) -> Vec<String> {
    let all = imports(src);
    let mut out: Vec<String> = all
        .iter()
        .filter_map(|i| {
            broken_rule(i).map(|rule| format!("{}: imports crate::{} ({rule})", i.file, i.to))
        })
        .collect();
    out.extend(
        loops(&all)
            .into_iter()
            .map(|l| format!("import loop among: {}", l.join(", "))),
    );
    out
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn every_import_keeps_the_shape() {
    let found = problems(&src());
    assert!(found.is_empty(), "{}", found.join("\n"));
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        let target = to.join(e.file_name());
        if p.is_dir() {
            copy_tree(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

/// The problems of a copy of `src` with lines appended to some files, less today's.
fn planted(lines: &[(&str, &str)]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("src");
    copy_tree(&src(), &tree);
    for (file, line) in lines {
        let path = tree.join(file);
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str(line);
        std::fs::write(&path, text).unwrap();
    }
    let today = problems(&src());
    problems(&tree)
        .into_iter()
        .filter(|p| !today.contains(p))
        .collect()
}

/// The check catches what it is for: a planted upward import, and a planted loop; and an
/// import inside `#[cfg(test)]` code, a comment or a string is not one.
#[test]
fn a_planted_violation_is_caught() {
    let harmless = "\n// crate::github in a comment\nconst _X: &str = \"crate::deliver\";\n#[cfg(test)]\nmod planted { use crate::site::Site; }\n";
    assert_eq!(
        planted(&[("error.rs", harmless)]),
        Vec::<String>::new(),
        "comments, strings and tests are not imports"
    );
    let found = planted(&[(
        "error.rs",
        "\n#[allow(unused_imports)]\nuse crate::deliver::Channels;\n",
    )]);
    assert!(
        found
            .iter()
            .any(|p| p.starts_with("error.rs: imports crate::deliver")),
        "{found:?}"
    );
    // two modules each allowed to import the other, but not both ways
    let found = planted(&[
        (
            "error.rs",
            "\n#[allow(unused_imports)]\nuse crate::tls as _planted;\n",
        ),
        (
            "tls.rs",
            "\n#[allow(unused_imports)]\nuse crate::error as _planted;\n",
        ),
    ]);
    assert_eq!(found, ["import loop among: error, tls"]);
}

#[test]
fn import_paths_are_read_as_rust_writes_them() {
    assert_eq!(
        crate_paths(
            "use crate::{config, github::{self, model::Alert}, now}; crate::x::y(); my_crate::z"
        ),
        ["config", "github", "now", "x"]
    );
    assert_eq!(
        code_only("a // crate::b\n/* crate::c */ \"crate::d\" '\"' e"),
        "a \n \"\" ' e".replace(" ' ", "  ")
    );
}
