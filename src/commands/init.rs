//! `campaign-pulse init`: the commented example configuration.

use crate::config;
use crate::error::{Error, Result};
use std::path::Path;

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
