//! Failure injection for the atomic save: a writer that fails midway.

use super::*;
use std::fs;
use std::io::{self, Write};
use std::path::PathBuf;

/// Passes bytes through to `inner` until `budget` is spent, then fails like a full disk.
struct FailAfter<W> {
    inner: W,
    budget: usize,
}

impl<W: Write> Write for FailAfter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.budget == 0 {
            return Err(io::Error::new(
                io::ErrorKind::StorageFull,
                "injected failure",
            ));
        }
        let n = self.inner.write(&buf[..buf.len().min(self.budget)])?;
        self.budget -= n;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("descent-layers-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

fn tensors(fill: f64) -> Vec<(String, Tensor<f64>)> {
    vec![
        ("a".into(), Tensor::full(&[64], fill)),
        ("b".into(), Tensor::full(&[8, 8], fill)),
    ]
}

#[test]
fn a_write_failing_midway_leaves_the_previous_checkpoint() {
    let dir = scratch_dir("fail-midway");
    let path = dir.join("model.safetensors");
    save(&path, &tensors(1.0)).expect("first save");
    let before = fs::read(&path).expect("read");
    for budget in [0, 1, 8, 100, before.len() - 1] {
        let err = replace(&path, |file| {
            write(
                FailAfter {
                    inner: file,
                    budget,
                },
                &tensors(2.0),
            )
        })
        .unwrap_err();
        assert!(
            matches!(&err, CheckpointError::Io { file, .. } if file == &path),
            "{err}"
        );
        assert!(err.to_string().contains("injected failure"), "{err}");
        assert_eq!(fs::read(&path).expect("read"), before, "budget {budget}");
        assert_eq!(load::<f64>(&path).expect("still loads"), tensors(1.0));
    }
    let left: Vec<_> = fs::read_dir(&dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(
        left,
        ["model.safetensors"],
        "no temporary files are left behind"
    );
    fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn a_write_with_enough_budget_replaces_the_checkpoint() {
    let dir = scratch_dir("enough-budget");
    let path = dir.join("model.safetensors");
    save(&path, &tensors(1.0)).expect("first save");
    replace(&path, |file| {
        write(
            FailAfter {
                inner: file,
                budget: usize::MAX,
            },
            &tensors(2.0),
        )
    })
    .expect("save");
    assert_eq!(load::<f64>(&path).expect("load"), tensors(2.0));
    fs::remove_dir_all(&dir).expect("clean up");
}
