//! Scratch directories for tests that read and write real files.

use std::fs;
use std::path::{Path, PathBuf};

/// A fresh, empty directory under the system's temporary directory,
/// `descent-{name}-{process id}`, removed with everything in it on drop. The name must be
/// unique among the tests of one binary (they run in parallel).
///
/// ```
/// use descent_test_support::Scratch;
///
/// let dir = Scratch::new("doc-scratch");
/// std::fs::write(dir.file("a.txt"), "a").unwrap();
/// assert_eq!(dir.entries(), ["a.txt"]);
/// let path = dir.path().to_path_buf();
/// drop(dir);
/// assert!(!path.exists());
/// ```
#[derive(Debug)]
pub struct Scratch(PathBuf);

impl Scratch {
    /// Creates the directory, emptied of whatever an earlier run left there.
    ///
    /// # Panics
    ///
    /// If the directory cannot be created.
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("descent-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create scratch dir");
        Scratch(dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// The path of `name` in the directory.
    pub fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// The names in the directory, sorted (see [`entries`]).
    pub fn entries(&self) -> Vec<String> {
        entries(&self.0)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// The names of the entries of `dir`, sorted.
///
/// # Panics
///
/// If the directory cannot be listed.
pub fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> = fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
