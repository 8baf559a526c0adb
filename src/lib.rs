#![doc = include_str!("../README.md")]
#![doc(test(attr(deny(warnings))))]

pub use descent_autograd as autograd;
pub use descent_data as data;
pub use descent_layers as layers;
pub use descent_optim as optim;
pub use descent_train as train;
/// The `rand` descent is built with (0.10): seed models and shuffles with its RNGs, e.g.
/// `descent::rand::rngs::StdRng`, and a program never meets two versions of its traits.
///
/// ```
/// use descent::prelude::*;
/// use descent::rand::{RngExt, SeedableRng, rngs::StdRng};
///
/// let mut rng = StdRng::seed_from_u64(0);
/// let layer = Dense::<f32>::new(2, 2, &mut rng);
/// let draw: f64 = rng.random(); // rand 0.10: `random` is in `RngExt`
/// assert!((0.0..1.0).contains(&draw) && layer.parameters().len() == 2);
/// ```
pub use rand;

/// The names a training loop needs, in one import: `use descent::prelude::*;`. It brings
/// rand's `SeedableRng` too, so `StdRng::seed_from_u64` works with `descent::rand::rngs::StdRng`.
///
/// ```
/// use descent::prelude::*;
/// let tape = Tape::new();
/// let x = tape.watch(Tensor::scalar(2.0f32));
/// assert_eq!(tape.gradient(&x.square(), &[x])[0].item(), 4.0);
///
/// // Checkpoints are in the prelude too.
/// let model = Sequential::<f32>::new().push(Dense::new(2, 1, &mut descent::rand::rngs::StdRng::seed_from_u64(0)));
/// let path = std::env::temp_dir().join(format!("descent-prelude-{}.safetensors", std::process::id()));
/// checkpoint::save_module(&path, &model)?;
/// checkpoint::load_module(&path, &model)?;
/// # std::fs::remove_file(&path).unwrap();
/// # Ok::<(), checkpoint::CheckpointError>(())
/// ```
pub mod prelude {
    pub use crate::train::{Fit, History, Samples};
    pub use crate::train::{PlotError, Progress, Stop, Stopping, gradient_norm, loss_curves};
    pub use descent_autograd::{Float, Tape, Tensor, Var, Variable, Window, check};
    pub use descent_data::{Batches, Classification, Mnist, Regression, Standardizer};
    pub use descent_data::{gather_rows, metrics, train_test_split};
    pub use descent_layers::{AvgPool2d, Conv1d, Conv2d, Flatten, GlobalAvgPool2d, MaxPool2d};
    pub use descent_layers::{BatchNorm1d, BatchNorm2d, Dense, Dropout, Embedding, Init};
    pub use descent_layers::{
        Gelu, LeakyRelu, Relu, Sequential, Sigmoid, Softmax, Tanh, checkpoint,
    };
    pub use descent_layers::{LayerNorm, Module};
    pub use descent_optim::{AdaGrad, Adam, Momentum, Optimizer, RmsProp, Schedule, Sgd};
    pub use descent_optim::{CosineAnnealing, ExponentialDecay, StepDecay, Warmup};
    pub use descent_optim::{clip_by_global_norm, clip_by_value};
    pub use rand::SeedableRng;
}

/// The guide `docs/training.md`, compiled here so its snippets are tested and cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../docs/training.md")]
pub struct TrainingGuide;
