//! The MPI glue: one value per process that broadcasts, shards and averages.

use crate::{Disagreement, Layout, Sharded, agree, assign_flat, flatten, pack, unpack_mean};
use descent_autograd::{Float, Tensor};
use descent_data::Batches;
use descent_layers::Module;
use mpi::datatype::{Equivalence, PartitionMut};
use mpi::topology::SimpleCommunicator;
use mpi::traits::{Communicator, CommunicatorCollectives, Root};
use mpi::{Count, collective::SystemOperation};
use std::sync::Once;
use std::time::{Duration, Instant};

/// Data-parallel training over the processes of an MPI communicator.
///
/// [`DataParallel::new`] checks that every process built the same model, then gives every
/// process rank 0's weights. In the loop, [`DataParallel::batches`] gives each process its
/// share of every global batch, and [`DataParallel::all_reduce_mean`] turns each process's
/// gradient into the mean gradient of the global batch, the same on every process, so the
/// optimizers (one per process) take the same step and keep the same state.
///
/// ```no_run
/// use descent_autograd::{Tape, Tensor};
/// use descent_data::Batches;
/// use descent_dist::DataParallel;
/// use descent_layers::{Dense, Module, Relu, Sequential};
/// use descent_optim::{Optimizer, Sgd};
/// use rand::{SeedableRng, rngs::StdRng};
///
/// let universe = descent_dist::initialize().expect("MPI is started once");
/// let digits = descent_data::digits();
/// let mut rng = StdRng::seed_from_u64(0); // the same seed everywhere; rank 0's weights win anyway
/// let model = Sequential::<f32>::new()
///     .push(Dense::new(64, 32, &mut rng))
///     .push(Relu)
///     .push(Dense::new(32, 10, &mut rng));
/// let mut dist = DataParallel::new(universe.world(), &model).unwrap_or_else(|e| panic!("{e}"));
/// let (variables, mut optimizer) = (model.parameters(), Sgd::new(0.1));
/// let mut batches = dist.batches(Batches::new(digits.len(), 64).shuffle(42).drop_last(true));
/// for rows in batches.epoch() {
///     let share = digits.subset(rows);
///     let x = Tensor::from(share.inputs.mapv(|p| p as f32 / 16.0));
///     let labels = Tensor::from_vec(share.labels, &[rows.len()]);
///     let tape = Tape::new();
///     let loss = model.forward(&tape.watch(x)).cross_entropy(&labels);
///     let mut grads = tape.gradient(&loss, &variables);
///     dist.all_reduce_mean(&mut grads, rows.len()); // the one new call in the loop
///     optimizer.apply_gradients(&grads, &variables);
/// }
/// ```
pub struct DataParallel<F: Float + Equivalence> {
    world: SimpleCommunicator,
    layout: Layout,
    send: Vec<F>,
    sum: Vec<F>,
    reducing: Duration,
    reductions: usize,
}

impl<F: Float + Equivalence> DataParallel<F> {
    /// Joins the processes of `world`: checks that all of them have the same variables and
    /// state tensors (names and shapes, in order), then broadcasts rank 0's values of all of
    /// them (weights and running statistics), so every process starts from the same model.
    ///
    /// From here on a panic on any process ends the whole job (`MPI_Abort`) after printing its
    /// message, rather than leaving the other processes waiting in a collective call; start
    /// MPI with [`initialize`] to have that from the start.
    ///
    /// # Errors
    ///
    /// On every process alike, when some process's model differs from rank 0's: the
    /// [`Disagreement`] names that rank and the first variable that differs. Nothing is
    /// broadcast then.
    pub fn new<M: Module<F> + ?Sized>(
        world: SimpleCommunicator,
        model: &M,
    ) -> Result<Self, Disagreement> {
        abort_on_panic();
        let variables = model.variables();
        let layout = Layout::of(&variables);
        agree("variable", &gather(&world, &layout))?;
        let state = model.state();
        agree("state tensor", &gather(&world, &Layout::of(&state)))?;
        let elements = layout.elements();
        let dist = DataParallel {
            world,
            layout,
            send: vec![F::zero(); elements + 1],
            sum: vec![F::zero(); elements + 1],
            reducing: Duration::ZERO,
            reductions: 0,
        };
        dist.broadcast_state(model);
        Ok(dist)
    }

    /// This process's number, from 0.
    pub fn rank(&self) -> usize {
        self.world.rank() as usize
    }

    /// The number of processes.
    pub fn size(&self) -> usize {
        self.world.size() as usize
    }

    /// Whether this is rank 0, the process that writes checkpoints and prints.
    pub fn is_root(&self) -> bool {
        self.rank() == 0
    }

    /// `batches` (the global batches, seeded alike on every process) as this process's shares.
    pub fn batches(&self, batches: Batches) -> Sharded {
        Sharded::new(batches, self.rank(), self.size())
    }

    /// Replaces each gradient by the mean gradient of the global batch: `rows` is the number
    /// of rows this process's loss averaged over (its share's length). One all-reduce of all
    /// gradients together; nothing is allocated. Every process must call it at every step,
    /// also one whose share is empty (0 rows).
    ///
    /// # Panics
    ///
    /// If the gradients do not match the variables the processes agreed on (the message names
    /// the first that differs), or no process had a row.
    #[track_caller]
    pub fn all_reduce_mean(&mut self, gradients: &mut [Tensor<F>], rows: usize) {
        pack(&self.layout, gradients, rows, &mut self.send);
        let start = Instant::now();
        self.world
            .all_reduce_into(&self.send[..], &mut self.sum[..], SystemOperation::sum());
        self.reducing += start.elapsed();
        self.reductions += 1;
        unpack_mean(&self.sum, gradients);
    }

    /// Sends rank 0's values of the model's [`state`](Module::state) (weights and running
    /// statistics) to every other process, e.g. to give all processes rank 0's BatchNorm
    /// statistics before evaluating. Every process must call it.
    pub fn broadcast_state<M: Module<F> + ?Sized>(&self, model: &M) {
        let state = model.state();
        let mut buffer = vec![F::zero(); Layout::of(&state).elements()];
        if self.is_root() {
            flatten(&state, &mut buffer);
        }
        self.world
            .process_at_rank(0)
            .broadcast_into(&mut buffer[..]);
        if !self.is_root() {
            assign_flat(&buffer, &state);
        }
    }

    /// Checks that every process holds the same values, bit for bit, as rank 0 (what the
    /// all-reduce promises); every process must call it.
    ///
    /// # Errors
    ///
    /// On every process alike: the first rank whose values differ and the first such variable.
    pub fn check_replicas<M: Module<F> + ?Sized>(&self, model: &M) -> Result<(), Disagreement> {
        agree(
            "state tensor",
            &gather(&self.world, &Layout::with_values(&model.state())),
        )
    }

    /// The time this process spent in the all-reduce so far (waiting for the slowest process
    /// included), and how many all-reduces that was.
    pub fn all_reduce_time(&self) -> (Duration, usize) {
        (self.reducing, self.reductions)
    }
}

/// Starts MPI, as `mpi::initialize` does (`None` when it was started already), and from then on
/// ends the whole job (`MPI_Abort`) when any process panics, after printing the panic as
/// usual. Without that, a process that fails before or during training (a checkpoint missing
/// on one machine, a shape error) would unwind alone, and the others would wait for it in
/// their next collective call forever.
///
/// ```no_run
/// let universe = descent_dist::initialize().expect("MPI is started once");
/// let world = universe.world(); // for DataParallel::new
/// # let _ = world;
/// ```
pub fn initialize() -> Option<mpi::environment::Universe> {
    let universe = mpi::initialize()?;
    abort_on_panic();
    Some(universe)
}

/// Every process's layout, in rank order, on every process.
fn gather(world: &SimpleCommunicator, layout: &Layout) -> Vec<Layout> {
    let bytes = layout.encode();
    let mut lengths = vec![0 as Count; world.size() as usize];
    let length = Count::try_from(bytes.len()).expect("a layout under 2 GiB");
    world.all_gather_into(&length, &mut lengths[..]);
    let displacements: Vec<Count> = lengths
        .iter()
        .scan(0, |offset, &length| {
            let start = *offset;
            *offset += length;
            Some(start)
        })
        .collect();
    let total = lengths.iter().map(|&l| l as usize).sum();
    let mut all = vec![0u8; total];
    let mut partition = PartitionMut::new(&mut all[..], &lengths[..], &displacements[..]);
    world.all_gather_varcount_into(&bytes[..], &mut partition);
    let layouts = lengths.iter().zip(&displacements).enumerate();
    layouts
        .map(|(rank, (&length, &start))| {
            let part = &all[start as usize..(start + length) as usize];
            Layout::decode(part)
                .unwrap_or_else(|| panic!("rank {rank} sent a layout that does not decode"))
        })
        .collect()
}

/// Installs, once, a panic hook that prints the panic as usual and then aborts every process
/// of the job: a process that unwound alone would leave the others blocked in their next
/// collective call.
fn abort_on_panic() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            previous(info);
            if mpi::environment::is_initialized() && !mpi::environment::is_finalized() {
                SimpleCommunicator::world().abort(101);
            }
        }));
    });
}
