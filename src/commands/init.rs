//! `campaign-pulse init` and `templates`: the commented example configuration, and the
//! built-in templates to start your own from.

use crate::config;
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// `campaign-pulse init`: writes the commented example configuration; never overwrites.
pub fn init(out: &Path) -> Result<()> {
    if out.exists() {
        return Err(Error::Usage(format!(
            "{} already exists; choose another path with --out, or remove it first",
            out.display()
        )));
    }
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("cannot create folder", dir, e))?;
    }
    std::fs::write(out, config::EXAMPLE_CONFIG)
        .map_err(|e| Error::io("cannot write config", out, e))
}

/// `campaign-pulse templates`: writes every built-in template into `out` (created when
/// missing), to edit and name as `output.templates_dir`. A template already there is kept,
/// not overwritten; returns the files written.
pub fn templates(out: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out).map_err(|e| Error::io("cannot create folder", out, e))?;
    let mut written = Vec::new();
    for (name, text) in crate::render::templates::EMBEDDED {
        let path = out.join(name);
        if path.exists() {
            continue;
        }
        std::fs::write(&path, text).map_err(|e| Error::io("cannot write template", &path, e))?;
        written.push(path);
    }
    Ok(written)
}
