//! Mini-batches of sample indices, shuffled per epoch, and gathering a batch's rows into a
//! reused buffer.
//!
//! The batch size picks the flavour of gradient descent: `n` (all samples) is batch gradient
//! descent, `1` is stochastic gradient descent, anything between is mini-batch descent.
//! [`Batches`] owns one permutation of `0..n` and yields slices of it, and [`gather_rows`]
//! fills a caller-owned buffer, so a training loop allocates nothing per step.

use ndarray::ArrayRef2;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// Batches of indices into `n` samples, `batch_size` at a time, in order or freshly shuffled
/// for each epoch.
///
/// With [`shuffle`](Batches::shuffle), the order of an epoch depends only on the seed and the
/// epoch's number (how many times [`epoch`](Batches::epoch) was called before), so a run is
/// reproducible and each epoch differs from the last.
///
/// ```
/// use descent_data::Batches;
///
/// // 10 samples in mini-batches of 4: two full batches and a last one of 2
/// let mut batches = Batches::new(10, 4).shuffle(42);
/// assert_eq!(batches.len(), 3);
/// let first: Vec<Vec<usize>> = batches.epoch().map(<[usize]>::to_vec).collect();
/// assert_eq!(first.iter().map(Vec::len).collect::<Vec<_>>(), [4, 4, 2]);
/// let mut seen = first.concat();
/// seen.sort();
/// assert_eq!(seen, (0..10).collect::<Vec<_>>()); // every sample once per epoch
///
/// let second: Vec<Vec<usize>> = batches.epoch().map(<[usize]>::to_vec).collect();
/// assert_ne!(first, second); // reshuffled
/// let mut again = Batches::new(10, 4).shuffle(42);
/// assert_eq!(again.epoch().map(<[usize]>::to_vec).collect::<Vec<_>>(), first); // reproducible
///
/// // batch gradient descent: one batch of everything; stochastic: one sample at a time
/// assert_eq!(Batches::new(10, 10).len(), 1);
/// assert_eq!(Batches::new(10, 1).len(), 10);
/// ```
#[derive(Debug, Clone)]
pub struct Batches {
    order: Vec<usize>,
    batch_size: usize,
    seed: Option<u64>,
    drop_last: bool,
    epochs: u64,
}

impl Batches {
    /// Batches of `batch_size` indices into `0..n`, in order (`0, 1, 2, ...`), the last one
    /// partial when `batch_size` does not divide `n`.
    ///
    /// # Panics
    ///
    /// If `batch_size` is 0.
    ///
    /// ```
    /// use descent_data::Batches;
    ///
    /// let mut batches = Batches::new(5, 2);
    /// assert_eq!(batches.epoch().collect::<Vec<_>>(), [&[0, 1][..], &[2, 3], &[4]]);
    /// ```
    pub fn new(n: usize, batch_size: usize) -> Batches {
        assert!(
            batch_size > 0,
            "Batches::new: batch size must be at least 1, got 0 (n = {n})"
        );
        Batches {
            order: (0..n).collect(),
            batch_size,
            seed: None,
            drop_last: false,
            epochs: 0,
        }
    }

    /// Shuffles the samples at the start of every epoch, reproducibly from `seed`.
    ///
    /// ```
    /// use descent_data::Batches;
    ///
    /// let mut batches = Batches::new(100, 100).shuffle(7);
    /// let order = batches.epoch().next().unwrap().to_vec();
    /// assert_ne!(order, (0..100).collect::<Vec<_>>());
    /// ```
    pub fn shuffle(mut self, seed: u64) -> Batches {
        self.seed = Some(seed);
        self
    }

    /// Whether to skip the last batch when it is smaller than the batch size (useful when a
    /// layer or buffer expects a fixed batch shape). Off by default.
    ///
    /// ```
    /// use descent_data::Batches;
    ///
    /// let mut batches = Batches::new(5, 2).drop_last(true);
    /// assert_eq!(batches.len(), 2);
    /// assert!(batches.epoch().all(|batch| batch.len() == 2));
    /// ```
    pub fn drop_last(mut self, drop: bool) -> Batches {
        self.drop_last = drop;
        self
    }

    /// Number of batches in an epoch.
    ///
    /// ```
    /// use descent_data::Batches;
    ///
    /// assert_eq!(Batches::new(60_000, 64).len(), 938);
    /// assert_eq!(Batches::new(60_000, 64).drop_last(true).len(), 937);
    /// ```
    pub fn len(&self) -> usize {
        let n = self.order.len();
        if self.drop_last {
            n / self.batch_size
        } else {
            n.div_ceil(self.batch_size)
        }
    }

    /// Whether an epoch yields no batch (no samples, or fewer than one full batch with
    /// [`drop_last`](Batches::drop_last)).
    ///
    /// ```
    /// use descent_data::Batches;
    ///
    /// assert!(Batches::new(0, 8).is_empty());
    /// assert!(Batches::new(3, 8).drop_last(true).is_empty());
    /// assert!(!Batches::new(3, 8).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Starts the next epoch: reshuffles (if shuffling) and returns its batches, each a slice
    /// of the internal permutation. Nothing is allocated.
    ///
    /// ```
    /// use descent_data::Batches;
    ///
    /// let mut batches = Batches::new(6, 3);
    /// for _ in 0..2 {
    ///     let sizes: Vec<usize> = batches.epoch().map(|batch| batch.len()).collect();
    ///     assert_eq!(sizes, [3, 3]);
    /// }
    /// ```
    pub fn epoch(&mut self) -> std::slice::Chunks<'_, usize> {
        if let Some(seed) = self.seed {
            // The order is a function of (seed, epoch number) alone: restart from the identity
            // and shuffle with a generator keyed by both.
            let mut key = [0u8; 32];
            key[..8].copy_from_slice(&seed.to_le_bytes());
            key[8..16].copy_from_slice(&self.epochs.to_le_bytes());
            for (i, slot) in self.order.iter_mut().enumerate() {
                *slot = i;
            }
            self.order.shuffle(&mut StdRng::from_seed(key));
        }
        self.epochs += 1;
        let end = self
            .len()
            .saturating_mul(self.batch_size)
            .min(self.order.len());
        self.order[..end].chunks(self.batch_size)
    }
}

/// Copies the rows `rows` of `source` into `out`, converting each element with `convert`
/// (e.g. MNIST bytes to `f32` in 0..1), so a training loop can reuse one buffer.
///
/// `out` must have exactly `rows.len()` rows and as many columns as `source`; for a last,
/// partial batch pass a slice of the buffer (`buffer.slice_mut(s![..batch.len(), ..])`).
///
/// # Panics
///
/// If the shape of `out` is not `[rows.len(), source.ncols()]`, or a row index is out of
/// bounds.
///
/// ```
/// use descent_data::{gather_rows, Batches};
/// use ndarray::{array, s, Array2};
///
/// let pixels: Array2<u8> = array![[0, 255], [51, 102], [255, 0]];
/// let labels = [4, 1, 9];
/// let mut x = Array2::<f32>::zeros((2, 2)); // one buffer, reused every step
/// let mut y = Vec::with_capacity(2);
/// let mut batches = Batches::new(3, 2);
/// let mut seen = 0;
/// for batch in batches.epoch() {
///     let mut x = x.slice_mut(s![..batch.len(), ..]);
///     gather_rows(&pixels, batch, &mut x, |p| f32::from(p) / 255.0);
///     y.clear();
///     y.extend(batch.iter().map(|&i| labels[i]));
///     // ... forward, loss, gradient, update ...
///     seen += x.nrows();
/// }
/// assert_eq!(seen, 3);
/// assert_eq!(x.row(0).to_vec(), [1.0, 0.0]); // the last batch held sample 2 only
/// assert_eq!(y, [9]);
/// ```
pub fn gather_rows<A: Copy, B>(
    source: &ArrayRef2<A>,
    rows: &[usize],
    out: &mut ArrayRef2<B>,
    convert: impl Fn(A) -> B,
) {
    assert!(
        out.dim() == (rows.len(), source.ncols()),
        "gather_rows: output is {:?} but {} rows of {} columns were asked for",
        out.shape(),
        rows.len(),
        source.ncols()
    );
    for (mut target, &row) in out.rows_mut().into_iter().zip(rows) {
        assert!(
            row < source.nrows(),
            "gather_rows: row {row} is out of bounds for {} rows",
            source.nrows()
        );
        let source = source.row(row);
        match (target.as_slice_mut(), source.as_slice()) {
            (Some(target), Some(source)) => {
                target
                    .iter_mut()
                    .zip(source)
                    .for_each(|(t, &s)| *t = convert(s));
            }
            _ => target
                .iter_mut()
                .zip(source)
                .for_each(|(t, &s)| *t = convert(s)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, array};

    fn epoch(batches: &mut Batches) -> Vec<Vec<usize>> {
        batches.epoch().map(<[usize]>::to_vec).collect()
    }

    #[test]
    fn every_epoch_is_a_permutation_and_they_differ() {
        let mut batches = Batches::new(50, 7).shuffle(3);
        let mut previous = Vec::new();
        for _ in 0..5 {
            let order = epoch(&mut batches).concat();
            let mut sorted = order.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..50).collect::<Vec<_>>());
            assert_ne!(order, previous);
            previous = order;
        }
    }

    #[test]
    fn different_seeds_give_different_orders() {
        let a = epoch(&mut Batches::new(50, 50).shuffle(1));
        let b = epoch(&mut Batches::new(50, 50).shuffle(2));
        assert_ne!(a, b);
    }

    #[test]
    fn an_epoch_depends_only_on_seed_and_epoch_number() {
        let mut a = Batches::new(20, 3).shuffle(9);
        let mut b = Batches::new(20, 3).shuffle(9);
        let _ = epoch(&mut a);
        let _ = epoch(&mut b);
        assert_eq!(epoch(&mut a), epoch(&mut b));
    }

    #[test]
    fn drop_last_keeps_only_full_batches_of_a_shuffled_epoch() {
        let mut batches = Batches::new(10, 4).shuffle(0).drop_last(true);
        let batches = epoch(&mut batches);
        assert_eq!(batches.len(), 2);
        assert!(batches.iter().all(|b| b.len() == 4));
    }

    #[test]
    fn a_batch_larger_than_the_data_is_everything_once() {
        assert_eq!(epoch(&mut Batches::new(3, 10)), [vec![0, 1, 2]]);
        assert!(epoch(&mut Batches::new(3, 10).drop_last(true)).is_empty());
        assert!(epoch(&mut Batches::new(0, 10)).is_empty());
    }

    #[test]
    #[should_panic(expected = "batch size must be at least 1")]
    fn zero_batch_size_panics() {
        let _ = Batches::new(10, 0);
    }

    #[test]
    fn gather_converts_the_chosen_rows() {
        let source = array![[1u8, 2], [3, 4], [5, 6]];
        let mut out = Array2::<f64>::zeros((2, 2));
        gather_rows(&source, &[2, 0], &mut out, f64::from);
        assert_eq!(out, array![[5.0, 6.0], [1.0, 2.0]]);
    }

    #[test]
    #[should_panic(expected = "gather_rows: output is [3, 2] but 2 rows of 2 columns")]
    fn gather_into_the_wrong_shape_panics() {
        let source = array![[1.0, 2.0], [3.0, 4.0]];
        gather_rows(&source, &[0, 1], &mut Array2::zeros((3, 2)), |v: f64| v);
    }

    #[test]
    #[should_panic(expected = "gather_rows: row 5 is out of bounds for 2 rows")]
    fn gather_of_a_missing_row_panics() {
        let source = array![[1.0], [2.0]];
        gather_rows(&source, &[5], &mut Array2::zeros((1, 1)), |v: f64| v);
    }
}
