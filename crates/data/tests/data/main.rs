//! descent-data's integration tests, one module per concern, in one test binary: each binary
//! links on its own, so one builds far faster than three. One concern alone:
//! `cargo test -p descent-data --test data malformed::`.

mod inputs;
mod malformed;
mod mnist;
mod mutation;
