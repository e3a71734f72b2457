//! The state beside the history, written so that it is never lost or half-written: atomic
//! writes (a temporary file in the same folder, fsync, rename, fsync of the folder), JSON
//! Lines records, and the lock that serializes runs and sweeps what a killed run left.

use crate::error::{Error, Result};
use crate::layout::SideFile;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Reads a JSON Lines file of side records (`what` names them in errors): a missing file is
/// none; a line that does not parse is an error naming it, and the file is left as it is.
pub fn read_jsonl<T: serde::de::DeserializeOwned>(path: &Path, what: &str) -> Result<Vec<T>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io("cannot read records", path, e)),
    };
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        out.push(serde_json::from_str(line).map_err(|e| Error::History {
            path: path.to_path_buf(),
            message: format!("line {}: not {what} ({e}); fix or remove that line", i + 1),
        })?);
    }
    Ok(out)
}

/// Writes side records as JSON Lines, atomically.
pub fn write_jsonl<T: serde::Serialize>(path: &Path, items: &[T], what: &str) -> Result<()> {
    let mut out = String::new();
    for item in items {
        out.push_str(&serde_json::to_string(item).map_err(|e| Error::History {
            path: path.to_path_buf(),
            message: format!("cannot serialize {what}: {e}"),
        })?);
        out.push('\n');
    }
    write_atomic(path, out.as_bytes())
}

const TMP_SUFFIX: &str = ".campaign-pulse.tmp";

/// The prefix of a file's temporary copies: `.<name>.` so that each file's litter is its own.
fn tmp_prefix(path: &Path) -> String {
    format!(
        ".{}.",
        path.file_name().unwrap_or_default().to_string_lossy()
    )
}

/// [`write_atomic`], unless the file already holds exactly `bytes` (a playbook page, an index
/// that did not change): no write, no sync, and its time stays that of its last change.
pub fn write_atomic_if_changed(path: &Path, bytes: &[u8]) -> Result<()> {
    let unchanged = std::fs::metadata(path)
        .is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
        && std::fs::read(path).is_ok_and(|old| old == bytes);
    if unchanged {
        return Ok(());
    }
    write_atomic(path, bytes)
}

/// Writes a file atomically (temporary file in the same folder, fsync, rename, folder fsync).
///
/// A symbolic link is written through: its target is replaced, the link stays. A new file
/// gets the usual permissions (0666 less the umask); a replaced file keeps its own.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let path = &resolve_links(path);
    let dir = parent_dir(path);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("cannot create folder", &dir, e))?;
    let prefix = tmp_prefix(path);
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(TMP_SUFFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // the kernel applies the umask to a newly created file's mode
        let mode = std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o7777)
            .unwrap_or(0o666);
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    let mut tmp = builder
        .tempfile_in(&dir)
        .map_err(|e| Error::io("cannot create a temporary file in", &dir, e))?;
    #[cfg(unix)]
    if let Ok(m) = std::fs::metadata(path) {
        // an existing file's mode is kept exactly, whatever the umask
        let _ = tmp.as_file().set_permissions(m.permissions());
    }
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| Error::io("cannot write", tmp.path().to_path_buf(), e))?;
    tmp.persist(path)
        .map_err(|e| Error::io("cannot replace", path, e.error))?;
    sync_dir(&dir).map_err(|e| Error::io("cannot sync folder", &dir, e))
}

/// The file a path names once symbolic links are followed (a dangling link names its target).
fn resolve_links(path: &Path) -> PathBuf {
    let mut current = path.to_path_buf();
    for _ in 0..32 {
        match std::fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => match std::fs::read_link(&current) {
                Ok(target) if target.is_absolute() => current = target,
                Ok(target) => current = parent_dir(&current).join(target),
                Err(_) => break,
            },
            _ => break,
        }
    }
    current
}

/// Removes temporary copies of `path` that a killed run left behind. Call it only under the
/// history lock: no other run is writing them then.
fn sweep_temporaries(path: &Path) {
    let path = resolve_links(path);
    let prefix = tmp_prefix(&path);
    if let Ok(entries) = std::fs::read_dir(parent_dir(&path)) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with(&prefix) && name.ends_with(TMP_SUFFIX) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

/// An exclusive advisory lock on `<history>.lock`, held until dropped.
#[derive(Debug)]
pub struct HistoryLock {
    _file: File,
}

impl HistoryLock {
    /// Takes the lock, waiting (and saying so) while another run holds it.
    pub fn acquire(history: &Path) -> Result<HistoryLock> {
        let lock_path = parent_dir(history).join(
            crate::layout::lock_path(history)
                .file_name()
                .unwrap_or_default(),
        );
        if let Some(dir) = lock_path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io("cannot create folder", dir, e))?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| Error::io("cannot open lock file", &lock_path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                tracing::info!(
                    "another campaign-pulse run holds {}; waiting for it to finish",
                    lock_path.display()
                );
                file.lock()
                    .map_err(|e| Error::io("cannot lock", &lock_path, e))?;
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(Error::io("cannot lock", &lock_path, e));
            }
        }
        // Under the lock no other run writes this history or its side files: their temporary
        // copies are litter of a run killed mid-write. Other files' temporaries (another
        // history in the same folder) are left alone. Every side file is in layout's list.
        sweep_temporaries(history);
        for file in SideFile::ALL {
            sweep_temporaries(&file.path(history));
        }
        Ok(HistoryLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unchanged_file_is_not_written_again() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("page.html");
        write_atomic_if_changed(&path, b"one").unwrap();
        let inode = std::fs::metadata(&path).unwrap().ino();
        write_atomic_if_changed(&path, b"one").unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().ino(),
            inode,
            "left as it was"
        );
        write_atomic_if_changed(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_ne!(std::fs::metadata(&path).unwrap().ino(), inode, "replaced");
    }

    #[test]
    fn the_lock_sweeps_only_its_own_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.jsonl");
        let mine = ".history.jsonl.abc123.campaign-pulse.tmp";
        let my_records = ".deliveries.jsonl.def456.campaign-pulse.tmp";
        let theirs = ".other.jsonl.xyz789.campaign-pulse.tmp";
        for f in [mine, my_records, theirs, "keep.tmp"] {
            std::fs::write(dir.path().join(f), "half").unwrap();
        }
        let _lock = HistoryLock::acquire(&path).unwrap();
        assert!(!dir.path().join(mine).exists());
        assert!(!dir.path().join(my_records).exists());
        assert!(
            dir.path().join(theirs).exists(),
            "another history's write in progress"
        );
        assert!(dir.path().join("keep.tmp").exists());
    }

    #[cfg(unix)]
    #[test]
    fn files_get_the_usual_permissions_and_keep_their_own() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.html");
        write_atomic(&path, b"one").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        // what any program creating a file gets under this process's umask (022: 0644)
        let plain = dir.path().join("plain");
        std::fs::write(&plain, "x").unwrap();
        let usual = std::fs::metadata(&plain).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, usual, "not 0600 whatever the umask: {mode:o}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        write_atomic(&path, b"two").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "a file made private stays private");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_history_is_written_through() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("data")).unwrap();
        let target = dir.path().join("data/history.jsonl");
        std::fs::write(&target, "old\n").unwrap();
        let link = dir.path().join("history.jsonl");
        std::os::unix::fs::symlink("data/history.jsonl", &link).unwrap();
        write_atomic(&link, b"new\n").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new\n");
    }

    #[test]
    fn lock_is_exclusive() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.jsonl");
        let held = HistoryLock::acquire(&path).unwrap();
        let lock_path = dir.path().join("history.jsonl.lock");
        let other = File::options().write(true).open(&lock_path).unwrap();
        assert!(matches!(
            other.try_lock(),
            Err(std::fs::TryLockError::WouldBlock)
        ));
        drop(held);
        other.try_lock().expect("free once the run is done");
    }

    /// escalations.jsonl's temporaries were missed when the lock listed side files by hand.
    #[test]
    fn the_lock_sweeps_every_side_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.jsonl");
        let litter: Vec<String> = SideFile::ALL
            .iter()
            .map(|f| format!(".{}.abc123.campaign-pulse.tmp", f.name()))
            .collect();
        for f in &litter {
            std::fs::write(dir.path().join(f), "half").unwrap();
        }
        let _lock = HistoryLock::acquire(&path).unwrap();
        for f in &litter {
            assert!(!dir.path().join(f).exists(), "{f}");
        }
    }
}
