//! Each process's share of a global mini-batch.
//!
//! Every process draws the same seeded global batches (a [`Batches`] with the same seed); each
//! keeps one contiguous slice of every batch. The shares of all processes, in rank order, are
//! the global batch, so the processes together see exactly what one process would.

use descent_data::Batches;
use std::ops::Range;

/// The positions in a batch of `len` rows that process `rank` of `size` takes: contiguous,
/// in rank order, sizes differing by at most one (the first `len % size` ranks take one more).
///
/// # Panics
///
/// If `size` is 0 or `rank` is not below it.
///
/// ```
/// use descent_dist::shard_range;
///
/// assert_eq!(shard_range(64, 0, 2), 0..32);
/// assert_eq!(shard_range(64, 1, 2), 32..64);
/// // 10 rows over 4 processes: 3, 3, 2, 2
/// let shares: Vec<_> = (0..4).map(|rank| shard_range(10, rank, 4)).collect();
/// assert_eq!(shares, [0..3, 3..6, 6..8, 8..10]);
/// ```
pub fn shard_range(len: usize, rank: usize, size: usize) -> Range<usize> {
    assert!(
        rank < size,
        "shard_range: rank {rank} is not below the number of processes {size}"
    );
    let (base, extra) = (len / size, len % size);
    let start = rank * base + rank.min(extra);
    start..start + base + usize::from(rank < extra)
}

/// [`Batches`] seen by one process of several: every epoch yields this process's share
/// ([`shard_range`]) of each global batch, and as many shares as there are global batches,
/// so all processes step together.
///
/// ```
/// use descent_data::Batches;
/// use descent_dist::Sharded;
///
/// let global: Vec<Vec<usize>> = Batches::new(8, 4).shuffle(1).epoch().map(<[usize]>::to_vec).collect();
/// let mut rank0 = Sharded::new(Batches::new(8, 4).shuffle(1), 0, 2);
/// let mut rank1 = Sharded::new(Batches::new(8, 4).shuffle(1), 1, 2);
/// for ((batch, a), b) in global.iter().zip(rank0.epoch()).zip(rank1.epoch()) {
///     assert_eq!([a, b].concat(), *batch); // the shares, in rank order, are the global batch
/// }
/// assert_eq!(rank0.len(), 2);
/// ```
#[derive(Debug, Clone)]
pub struct Sharded {
    batches: Batches,
    rank: usize,
    size: usize,
}

impl Sharded {
    /// The share of process `rank` of `size` in each of `batches`' global batches.
    ///
    /// # Panics
    ///
    /// If `size` is 0 or `rank` is not below it.
    pub fn new(batches: Batches, rank: usize, size: usize) -> Sharded {
        let _ = shard_range(0, rank, size); // the same check, once, here
        Sharded {
            batches,
            rank,
            size,
        }
    }

    /// Starts the next epoch and yields this process's share of each global batch. A share is
    /// empty when a batch has fewer rows than there are processes (a last, partial batch):
    /// the loop must still take its step, with 0 rows, so that every process joins the
    /// all-reduce.
    pub fn epoch(&mut self) -> impl Iterator<Item = &[usize]> + '_ {
        let (rank, size) = (self.rank, self.size);
        self.batches
            .epoch()
            .map(move |batch| &batch[shard_range(batch.len(), rank, size)])
    }

    /// Global batches per epoch (the same on every process).
    pub fn len(&self) -> usize {
        self.batches.len()
    }

    /// Whether an epoch has no batch.
    pub fn is_empty(&self) -> bool {
        self.batches.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_cover_the_batch_once_in_rank_order() {
        for len in 0..20 {
            for size in 1..6 {
                let ranges: Vec<_> = (0..size).map(|r| shard_range(len, r, size)).collect();
                assert_eq!(ranges[0].start, 0);
                assert_eq!(ranges[size - 1].end, len);
                for pair in ranges.windows(2) {
                    assert_eq!(pair[0].end, pair[1].start, "len {len}, size {size}");
                    assert!(pair[0].len() - pair[1].len() <= 1);
                }
            }
        }
    }

    #[test]
    fn a_batch_smaller_than_the_processes_leaves_empty_shares() {
        let mut last = Sharded::new(Batches::new(5, 4), 1, 2); // batches [0..4], [4]
        let shares: Vec<Vec<usize>> = last.epoch().map(<[usize]>::to_vec).collect();
        assert_eq!(shares, [vec![2, 3], vec![]]);
    }

    #[test]
    fn every_process_steps_as_often_as_one_would() {
        let sharded = Sharded::new(Batches::new(100, 64).drop_last(true), 3, 4);
        assert_eq!(sharded.len(), Batches::new(100, 64).drop_last(true).len());
    }

    #[test]
    #[should_panic(expected = "rank 2 is not below the number of processes 2")]
    fn a_rank_beyond_the_processes_panics() {
        let _ = Sharded::new(Batches::new(4, 2), 2, 2);
    }
}
