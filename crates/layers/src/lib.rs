//! descent's layers: the [`Module`] trait, dense and convolution layers, pooling, activations,
//! normalisation, dropout,
//! embeddings, initialisers and safetensors checkpoints, all on `descent-autograd`'s tape.
//!
//! A module reads its [`Variable`](descent_autograd::Variable)s onto the tape of the input it is
//! given, so a training step is the tape's own loop:
//!
//! ```
//! use descent_autograd::{Tape, Tensor, Variable};
//! use descent_layers::{Dense, Module, Relu, Sequential};
//! use rand::{SeedableRng, rngs::StdRng};
//!
//! let mut rng = StdRng::seed_from_u64(0);
//! let model = Sequential::new()
//!     .push(Dense::new(4, 16, &mut rng))
//!     .push(Relu)
//!     .push(Dense::new(16, 3, &mut rng));
//! let vars: Vec<Variable<f32>> = model.parameters(); // what the tape and optimizers take
//!
//! let x = Tensor::uniform(&[8, 4], -1.0, 1.0, &mut rng);
//! let labels = Tensor::from_vec(vec![0, 1, 2, 0, 1, 2, 0, 1], &[8]);
//! let step = || {
//!     let tape = Tape::new();
//!     let loss = model.forward(&tape.watch(x.clone())).cross_entropy(&labels);
//!     let grads = tape.gradient(&loss, &vars);
//!     for (v, g) in vars.iter().zip(&grads) {
//!         v.update(|mut w| w.scaled_add(-0.5, &g.view())); // plain gradient descent
//!     }
//!     loss.item()
//! };
//! let first = step();
//! let last = (0..100).map(|_| step()).last().unwrap();
//! assert!(last < first / 5.0);
//! ```
//!
//! Design choices:
//! - **Layers own their variables explicitly** (`Dense { weight, bias }`) and list them by hand
//!   in [`Module::variables`], named like PyTorch's `state_dict` ("0.weight", "2.bias"), so
//!   checkpoints are readable and interchangeable. Non-trainable state (BatchNorm's running
//!   statistics) is listed only by [`Module::state`].
//! - **Weights are `[inputs, outputs]`**, so a dense layer is `x · W + b` with no transpose;
//!   [`init::fans`] reads fans in that layout.
//! - **Randomness comes from the caller's seeded RNG** at construction ([`Dense::new`],
//!   [`Init::sample`]); [`Dropout`] seeds its own mask RNG from it once.
//! - **Modes are state, set with [`Module::set_training`]**; every module starts in training,
//!   as PyTorch's do. Only [`Dropout`], [`BatchNorm1d`] and [`BatchNorm2d`] behave differently.
//! - **Convolutions use PyTorch's layout**: inputs `[N, C, H, W]`, weights `[O, C, kh, kw]`
//!   ([`Conv2d`]), so a PyTorch model's convolution weights load unchanged.
//! - **Checkpoints are safetensors files** written atomically, loaded all-or-nothing
//!   ([`checkpoint`]), in descent's layout or in PyTorch's `state_dict` layout
//!   ([`checkpoint::save_torch`], [`checkpoint::load_torch`]).
#![doc(test(attr(deny(warnings))))]

mod activations;
mod batch_norm;
mod batch_norm2d;
pub mod checkpoint;
mod conv;
mod dense;
mod dropout;
mod embedding;
pub mod init;
mod layer_norm;
mod module;
mod normalize;
mod pool;
mod sequential;

pub use activations::{Activation, Gelu, LeakyRelu, Relu, Sigmoid, Softmax, Tanh};
pub use batch_norm::BatchNorm1d;
pub use batch_norm2d::BatchNorm2d;
pub use conv::{Conv1d, Conv2d};
pub use dense::Dense;
pub use dropout::Dropout;
pub use embedding::Embedding;
pub use init::Init;
pub use layer_norm::LayerNorm;
pub use module::Module;
pub use pool::{AvgPool2d, Flatten, GlobalAvgPool2d, MaxPool2d};
pub use sequential::Sequential;

/// The guide `docs/layers.md`, compiled here so its snippets are tested and cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/layers.md")]
pub struct Guide;

/// The walk-through `docs/cnn.md`, compiled here so its snippets are tested and cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/cnn.md")]
pub struct CnnGuide;
