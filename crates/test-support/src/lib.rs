#![doc(test(attr(deny(warnings))))]
//! Helpers shared by descent's tests, one copy of each: a dev-dependency of the packages whose
//! tests use them, never published.
//!
//! - [`CountingAllocator`]: the system allocator, counting per thread what is asked for and
//!   given back ([`counts`]); a test binary installs it with its own `#[global_allocator]`.
//! - [`Scratch`]: a fresh directory under the system's temporary directory, unique to the
//!   process and the name given, removed on drop.
//! - [`mutate`]: seeded random edits of a byte string (flipped bits, truncation, splices,
//!   format-aware edits of IDX and safetensors headers), for tests that feed readers malformed
//!   input.
//!
//! ```
//! use descent_test_support::{Edit, Scratch, mutate};
//! use rand::{SeedableRng, rngs::StdRng};
//!
//! let dir = Scratch::new("doc-lib");
//! let mut bytes = b"1,2,3\n".to_vec();
//! mutate(&mut StdRng::seed_from_u64(0), &mut bytes, &[], &[Edit::FlipBit]);
//! std::fs::write(dir.file("mutated.csv"), &bytes).unwrap();
//! assert_eq!(dir.entries(), ["mutated.csv"]);
//! ```

mod allocator;
mod mutate;
mod scratch;

pub use allocator::{CountingAllocator, Counts, counts, reset_largest, reset_peak};
pub use mutate::{Edit, INTERESTING, mutate};
pub use scratch::{Scratch, entries};
