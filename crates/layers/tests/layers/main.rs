//! descent-layers' integration tests, one module per concern, in one test binary: each binary
//! links on its own, so one builds far faster than five. One concern alone:
//! `cargo test -p descent-layers --test layers checkpoint_integrity::`.

mod checkpoint;
mod checkpoint_integrity;
mod gradcheck;
mod torch;
mod xor;
