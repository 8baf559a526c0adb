//! Data-parallel training over MPI: several processes, on one machine or many, train one
//! model as one process would, each on its share of every mini-batch.
//!
//! A step, for every process: take this process's share of the global batch (the same
//! seeded batches everywhere, [`Sharded`]), compute the loss over the share and its gradient,
//! replace the gradient by the mean over the global batch (one all-reduce), and let the
//! optimizer step. Every process then holds the same gradient, so the same weights and the same
//! optimizer state. Before the first step every process checks that all of them built the same
//! model ([`agree`]) and takes rank 0's weights.
//!
//! The MPI part, `DataParallel`, is behind this crate's `mpi` feature (the facade's `mpi`
//! feature turns it on); it needs an MPI library to build and `mpirun` to run. Everything it
//! computes is here without it, in plain functions, tested in one process. Two processes
//! simulated in one, with the sum an all-reduce would compute written by hand:
//!
//! ```
//! use descent_autograd::{Tape, Tensor, Variable};
//! use descent_dist::{Layout, pack, shard_range, unpack_mean};
//!
//! let w = Variable::named("w", Tensor::from_vec(vec![0.5f64, -1.0], &[2, 1]));
//! let x = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], &[4, 2]);
//! let y = Tensor::from_vec(vec![1.0, 0.0, -1.0, 2.0], &[4, 1]);
//! let gradient = |rows: std::ops::Range<usize>| {
//!     let select = |t: &Tensor<f64>| Tensor::from(t.array().slice(ndarray::s![rows.clone(), ..]).to_owned());
//!     let tape = Tape::new();
//!     let loss = tape.watch(select(&x)).matmul(&tape.read(&w)).mse(&tape.watch(select(&y)));
//!     tape.gradient(&loss, &[&w]).into_vec()
//! };
//!
//! let layout = Layout::of(&[("w".to_string(), w.clone())]);
//! let mut buffers = vec![vec![0.0; layout.elements() + 1]; 2];
//! for (rank, buffer) in buffers.iter_mut().enumerate() {
//!     let share = shard_range(4, rank, 2); // rows 0..2, then 2..4
//!     pack(&layout, &gradient(share.clone()), share.len(), buffer);
//! }
//! let sum: Vec<f64> = (0..buffers[0].len()).map(|i| buffers[0][i] + buffers[1][i]).collect();
//! let mut mean = vec![Tensor::zeros(&[2, 1])];
//! unpack_mean(&sum, &mut mean);
//! let whole = gradient(0..4); // one process, the whole batch
//! for (a, b) in mean[0].to_vec().iter().zip(whole[0].to_vec()) {
//!     assert!((a - b).abs() <= 1e-12 * b.abs());
//! }
//! ```
//!
//! Design choices:
//! - **MPI does the communication** (the `mpi` crate over Open MPI or MPICH): no sockets or
//!   collective algorithms of our own. One all-reduce per step carries every gradient and the
//!   row count in one buffer, allocated once.
//! - **The mean is weighted by rows**, so shares that differ by a row (a batch not divisible by
//!   the number of processes) still give the global batch's mean gradient exactly ([`pack`]).
//! - **Disagreement is found before any all-reduce**: the processes exchange their models'
//!   names and shapes first and all stop with the same [`Disagreement`], naming the rank and
//!   the first differing variable, never a hang.
//! - **The loop stays the user's**: no wrapper around the model or the optimizer; the loop
//!   gains one call, `all_reduce_mean`, and takes its batches through `DataParallel::batches`.
#![doc(test(attr(deny(warnings))))]

#[cfg(feature = "mpi")]
mod data_parallel;
mod layout;
mod mean;
mod replicate;
mod shard;

#[cfg(feature = "mpi")]
pub use data_parallel::{DataParallel, initialize};
pub use layout::{Disagreement, Entry, Layout, agree};
pub use mean::{pack, unpack_mean};
/// The `mpi` crate this one is built with (rsmpi), whose communicators [`DataParallel`] takes.
#[cfg(feature = "mpi")]
pub use mpi;
pub use replicate::{assign_flat, flatten};
pub use shard::{Sharded, shard_range};
