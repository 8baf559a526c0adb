//! descent-autograd's integration tests, one module per concern, in one test binary: each
//! binary links on its own, so one builds far faster than twelve. One concern alone:
//! `cargo test -p descent-autograd --test autograd gradcheck::`.

mod check_variables;
mod empty_batch;
mod engine;
mod functional;
mod gradcheck;
mod negative_axes;
mod panics;
mod properties;
mod pytorch_agreement;
mod robustness;
mod send_sync;
mod variable_misuse;
