#![doc = include_str!("../README.md")]
#![doc(test(attr(deny(warnings))))]

pub use descent_autograd as autograd;
pub use descent_data as data;
pub use descent_layers as layers;
pub use descent_optim as optim;

pub mod train;

/// The names a training loop needs, in one import: `use descent::prelude::*;`.
///
/// ```
/// use descent::prelude::*;
/// let tape = Tape::new();
/// let x = tape.watch(Tensor::scalar(2.0f32));
/// assert_eq!(tape.gradient(&x.square(), &[x])[0].item(), 4.0);
/// ```
pub mod prelude {
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
}
