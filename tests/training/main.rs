//! Workspace-level tests of training (stopping rules, plots, progress, checkpoint resume, the
//! digits CNN), one module per concern, in one test binary: each binary links on its own.
//! One concern alone: `cargo test --test training train::`.
//!
//! Binaries of their own, because they install a global allocator (`allocations.rs`,
//! `fuzz_regressions.rs`), run under qemu by name (`kernels.rs`), or measure or re-run the whole
//! process (`memory.rs`, `determinism.rs`).

#[path = "../common/mod.rs"]
mod common;

mod checkpoint_resume;
mod cnn_digits;
mod train;
