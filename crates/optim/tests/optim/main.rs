//! descent-optim's integration tests, one module per concern, in one test binary: each binary
//! links on its own, so one builds far faster than eight. One concern alone:
//! `cargo test -p descent-optim --test optim trajectories::`. `tests/allocations.rs` stays
//! a binary of its own: it installs a counting global allocator.

#[path = "../common/mod.rs"]
mod common;

mod clipping;
mod convergence;
mod divergence;
mod large_variables;
mod mismatches;
mod pytorch_rules;
mod schedules;
mod state;
mod subnormal;
mod trajectories;
