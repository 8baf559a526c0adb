#![doc(test(attr(deny(warnings))))]
//! Data for descent: loading (IDX/MNIST, numeric CSV, embedded toy sets), mini-batching,
//! splitting, standardising, and scoring predictions.
//!
//! ```
//! use descent_data::{Batches, Standardizer, digits, gather_rows, metrics, train_test_split};
//! use ndarray::Array2;
//!
//! let digits = digits(); // 1,797 8×8 images, embedded: no download
//! let (train, test) = train_test_split(digits.len(), 0.25, 0);
//! let (mut train, mut test) = (digits.subset(&train), digits.subset(&test));
//! let scaler = Standardizer::fit(&train.inputs); // fitted on the training part only
//! train.inputs = scaler.transform(&train.inputs);
//! test.inputs = scaler.transform(&test.inputs);
//!
//! // mini-batch descent: 32 samples a step, reshuffled every epoch, one reused buffer
//! let mut batches = Batches::new(train.len(), 32).shuffle(0).drop_last(true);
//! let mut x = Array2::<f32>::zeros((32, 64));
//! for _epoch in 0..2 {
//!     for batch in batches.epoch() {
//!         gather_rows(&train.inputs, batch, &mut x, |v| v as f32);
//!         // forward, loss, gradient, update ...
//!     }
//! }
//!
//! let predicted = vec![0; test.len()]; // a model that always says 0
//! let accuracy = metrics::accuracy(&test.labels, &predicted);
//! assert!(accuracy > 0.05 && accuracy < 0.15);
//! ```
//!
//! # Design choices
//!
//! - **`Result` for files, panics for programmer errors.** Readers return [`DataError`], which
//!   names the file and what is wrong (line and column for CSV, bytes found for a bad IDX
//!   magic). Malformed input never panics: headers are checked against the data length, with
//!   overflow checks, before anything is allocated. Mismatched lengths passed to a metric or
//!   a wrong buffer shape passed to [`gather_rows`] are bugs and panic, naming both sizes.
//! - **Plain structs, public fields.** [`Classification`], [`Regression`] and [`Images`] are
//!   data with a `subset` method, not a trait hierarchy.
//! - **MNIST stays bytes** (55 MB instead of 220 MB as `f32`); [`gather_rows`] converts one
//!   batch at a time into a reused buffer, and [`Batches`] yields slices of one internal
//!   permutation, so a training step allocates nothing.
//! - **Reproducible randomness.** Shuffles and splits take a `u64` seed (rand's `StdRng`);
//!   nothing reads the clock or the environment.
//! - **Gzip is transparent.** Readers detect the gzip magic bytes, so `x` and `x.gz` both
//!   work.

mod batch;
mod csv;
mod dataset;
mod error;
mod gzip;
mod idx;
pub mod metrics;
mod mnist;
mod split;
mod standardize;
mod toy;

pub use batch::{Batches, gather_rows};
pub use csv::{parse_csv, read_csv};
pub use dataset::{Classification, Regression};
pub use error::{DataError, Result};
pub use idx::{Idx, parse_idx, read_idx};
pub use mnist::{Images, Mnist};
pub use split::train_test_split;
pub use standardize::Standardizer;
pub use toy::{diabetes, digits};

/// The guide `docs/data.md`, compiled here so its snippets are tested and cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/data.md")]
pub struct Guide;
