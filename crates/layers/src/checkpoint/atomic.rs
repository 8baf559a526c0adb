//! Replacing a file atomically: through symbolic links, and without leaving temporaries behind.
//!
//! A save writes `.NAME.PID.N.tmp` beside the target, fsyncs it and renames it over the target.
//! A failed save removes its temporary; a save *killed* midway cannot, so each save first
//! removes the temporaries of the same target whose process is no longer running. Such an
//! orphan is therefore gone by the next save, before that save needs the disk space.
//!
//! Whether a process runs is read from `/proc/PID` (Linux). Where there is no `/proc`, orphans
//! are left alone rather than risk removing a live save's file; temporaries of the saving
//! process itself are never touched (its own failed saves clean up after themselves).

use super::{CheckpointError, Result};
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// How many symbolic links are followed before giving up (Linux's limit).
const MAX_LINKS: usize = 40;

/// Replaces `path` with what `fill` writes, atomically: a temporary file in the target's
/// directory is written, flushed and fsynced, then renamed over the target. When `path` is a
/// symbolic link, the target is the file it points to (the link stays a link). On error the
/// temporary file is removed and the target is untouched; errors name `path`.
pub(super) fn replace(path: &Path, fill: impl FnOnce(&mut File) -> io::Result<()>) -> Result<()> {
    let io_error = |source| CheckpointError::Io {
        file: path.into(),
        source,
    };
    let target = follow_links(path).map_err(io_error)?;
    remove_orphans(&target);
    let temp = temporary_sibling(&target).map_err(io_error)?;
    let written = File::create_new(&temp).and_then(|mut file| {
        fill(&mut file)?;
        file.sync_all()?;
        fs::rename(&temp, &target)
    });
    if let Err(source) = written {
        let _ = fs::remove_file(&temp); // best effort: it may not exist
        return Err(io_error(source));
    }
    sync_directory(&target);
    Ok(())
}

/// The file `path` finally points to, through any chain of symbolic links (which need not
/// exist yet at its end).
fn follow_links(path: &Path) -> io::Result<PathBuf> {
    let mut path = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = fs::read_link(&path)?;
                // A relative link is relative to the directory holding it.
                path = match path.parent() {
                    Some(dir) => dir.join(link),
                    None => link,
                };
            }
            _ => return Ok(path),
        }
    }
    Err(io::Error::other(format!(
        "more than {MAX_LINKS} symbolic links in a chain (a loop?)"
    )))
}

/// A fresh name next to `path`: `.NAME.PID.N.tmp`.
fn temporary_sibling(path: &Path) -> io::Result<PathBuf> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let Some(name) = path.file_name() else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a file path",
        ));
    };
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let temp = format!(".{}.{}.{n}.tmp", name.to_string_lossy(), std::process::id());
    Ok(path.with_file_name(temp))
}

/// The directory holding `path` (`.` for a bare file name).
fn directory(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Removes the temporaries of saves of `target` killed before they finished: files named as
/// [`temporary_sibling`] names them, by a process that no longer runs. Best effort.
pub(super) fn remove_orphans(target: &Path) {
    let Some(name) = target.file_name() else {
        return;
    };
    let prefix = format!(".{}.", name.to_string_lossy());
    let Ok(entries) = fs::read_dir(directory(target)) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(rest) = file
            .to_str()
            .and_then(|f| f.strip_prefix(&prefix)?.strip_suffix(".tmp"))
        else {
            continue;
        };
        let Some((pid, n)) = rest.split_once('.') else {
            continue;
        };
        let (Ok(pid), Ok(_)) = (pid.parse::<u32>(), n.parse::<u64>()) else {
            continue;
        };
        if pid != std::process::id() && !is_running(pid) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether process `pid` may still be running: `/proc/PID` exists, or there is no `/proc`
/// to ask.
fn is_running(pid: u32) -> bool {
    !Path::new("/proc/self").exists() || Path::new(&format!("/proc/{pid}")).exists()
}

/// Makes the rename durable by fsyncing the directory (Unix). Best effort: some file systems
/// refuse to sync a directory, and the checkpoint itself is already complete on disk.
fn sync_directory(path: &Path) {
    #[cfg(unix)]
    let _ = File::open(directory(path)).and_then(|d| d.sync_all());
    #[cfg(not(unix))]
    let _ = path;
}
