//! Splitting sample indices into a training and a test part.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// Splits `0..n` at random into `(train, test)` index vectors, reproducibly from `seed`.
///
/// The test part has `n * test_fraction` samples, rounded to the nearest integer (halves
/// round up); the rest are for training. Each part is sorted, so subsets keep the
/// original order of the data (shuffle per epoch with [`Batches`](crate::Batches)).
///
/// # Panics
///
/// If `test_fraction` is not in `0.0..=1.0`.
///
/// ```
/// use descent_data::{digits, train_test_split};
///
/// let digits = digits();
/// let (train, test) = train_test_split(digits.len(), 0.2, 0);
/// assert_eq!((train.len(), test.len()), (1438, 359)); // 359.4 test samples, rounded
/// let (train, test) = (digits.subset(&train), digits.subset(&test));
/// assert_eq!(train.inputs.nrows() + test.inputs.nrows(), 1797);
/// ```
pub fn train_test_split(n: usize, test_fraction: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    assert!(
        (0.0..=1.0).contains(&test_fraction),
        "train_test_split: test fraction must be in 0..=1, got {test_fraction}"
    );
    // Rounding, not `ceil`: 100 * 0.07 is 7.000000000000001 in f64, and should give 7.
    let tests = ((n as f64 * test_fraction).round() as usize).min(n);
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut StdRng::seed_from_u64(seed));
    let mut train = order.split_off(tests);
    let mut test = order;
    train.sort_unstable();
    test.sort_unstable();
    (train, test)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_disjoint_and_cover_everything() {
        let (train, test) = train_test_split(101, 0.25, 5);
        assert_eq!(test.len(), 25); // 25.25 rounded
        let mut all = [train, test].concat();
        all.sort_unstable();
        assert_eq!(all, (0..101).collect::<Vec<_>>());
    }

    #[test]
    fn inexact_products_round_to_the_intended_count() {
        assert_eq!(train_test_split(100, 0.07, 0).1.len(), 7);
        assert_eq!(train_test_split(100, 0.29, 0).1.len(), 29);
        assert_eq!(train_test_split(10, 0.25, 0).1.len(), 3); // 2.5 rounds up
    }

    #[test]
    fn same_seed_same_split_other_seed_other_split() {
        assert_eq!(train_test_split(50, 0.3, 1), train_test_split(50, 0.3, 1));
        assert_ne!(train_test_split(50, 0.3, 1), train_test_split(50, 0.3, 2));
    }

    #[test]
    fn edge_fractions() {
        assert_eq!(train_test_split(4, 0.0, 0), (vec![0, 1, 2, 3], vec![]));
        assert_eq!(train_test_split(4, 1.0, 0), (vec![], vec![0, 1, 2, 3]));
        assert_eq!(train_test_split(0, 0.5, 0), (vec![], vec![]));
    }

    #[test]
    #[should_panic(expected = "test fraction must be in 0..=1, got 1.5")]
    fn fraction_above_one_panics() {
        let _ = train_test_split(10, 1.5, 0);
    }
}
