#![doc(test(attr(deny(warnings))))]
//! Optimizers for descent: they update [`Variable`](descent_autograd::Variable)s in place
//! from the gradients a [`Tape`](descent_autograd::Tape) returns. SGD, Momentum and Nesterov,
//! AdaGrad, RMSprop, Adam and AdamW; gradient clipping; learning-rate schedules; state export
//! for checkpoints.
//!
//! ```
//! use descent_autograd::{Tape, Tensor, Variable};
//! use descent_optim::{Adam, CosineAnnealing, Optimizer, Schedule, Warmup, clip_by_global_norm};
//!
//! // Fit y = 2x + 1 with one weight and one bias.
//! let x = Tensor::from_vec(vec![-1.0f32, 0.0, 1.0, 2.0], &[4, 1]);
//! let y = Tensor::from_vec(vec![-1.0f32, 1.0, 3.0, 5.0], &[4, 1]);
//! let (w, b) = (Variable::named("w", Tensor::zeros(&[1, 1])), Variable::named("b", Tensor::zeros(&[1])));
//! let variables = [w.clone(), b.clone()];
//! let mut optimizer = Adam::new(0.1);
//! let schedule = Warmup { steps: 10, then: CosineAnnealing { initial: 0.1, min: 1e-3, steps: 290 } };
//! for _ in 0..300 {
//!     optimizer.set_learning_rate(schedule.rate(optimizer.steps()));
//!     let tape = Tape::new();
//!     let prediction = tape.watch(x.clone()).linear(&tape.read(&w), &tape.read(&b));
//!     let loss = prediction.mse(&tape.watch(y.clone()));
//!     let mut grads = tape.gradient(&loss, &variables);
//!     clip_by_global_norm(&mut grads, 10.0);
//!     optimizer.apply_gradients(&grads, &variables);
//! }
//! assert!((w.value().item() - 2.0).abs() < 1e-3 && (b.value().item() - 1.0).abs() < 1e-3);
//! ```
//!
//! Design choices:
//! - **An optimizer is a per-variable update rule.** Each is a short file: hyperparameters and
//!   one [`ndarray::Zip`] over the variable, its gradient and its state. The bookkeeping they
//!   share (learning rate, step count, state keyed by variable id, checks, export) is
//!   [`Slots`], written once; a custom optimizer is a rule plus a `Slots`.
//! - **In place, no allocation per step.** State is created as zeros the first time a variable
//!   is seen and updated in place afterwards; a non-persistent tape releases its values after
//!   `gradient`, so [`Variable::update`](descent_autograd::Variable::update) writes into the
//!   variable's storage without a copy. From the second step on, a step allocates nothing.
//! - **PyTorch's formulas, defaults and options** (dampening, `maximize`, centred RMSprop,
//!   AMSGrad, ...), so results can be compared with PyTorch's: momentum without dampening
//!   (`v = μv + g`) unless set, Adam's ε after the square root of the bias-corrected
//!   `v`, RMSprop α = 0.99 and ε = 1e-8, AdaGrad ε = 1e-10, AdamW λ = 0.01. Hyperparameters
//!   are `f64` and cast to the element type at each step.
//! - **Divergence is loud.** A step whose gradient is NaN or infinite panics before updating
//!   anything, and a variable that is not finite after its update panics, each naming the step
//!   and the variable; [`Optimizer::set_check_finite`] turns the check off.
//! - **Schedules are functions of the step count**, not wrappers: one line,
//!   `optimizer.set_learning_rate(schedule.rate(optimizer.steps()))`, drives any optimizer,
//!   and the step count is part of the saved state.
//! - **State is named tensors**, `"{variable}.{slot}"` plus `"steps"`; the file format
//!   (safetensors) is the checkpoint code's business. Loading checks every name and shape
//!   before changing anything and returns a [`StateError`]; mismatched gradients are a
//!   programmer error and panic.

mod adagrad;
mod adam;
mod clip;
mod elements;
mod finite;
mod momentum;
mod optimizer;
mod rmsprop;
mod schedule;
mod sgd;
mod state;

pub use adagrad::AdaGrad;
pub use adam::Adam;
pub use clip::{clip_by_global_norm, clip_by_value};
pub use momentum::Momentum;
pub use optimizer::Optimizer;
pub use rmsprop::RmsProp;
pub use schedule::{
    CosineAnnealing, CosineWarmRestarts, ExponentialDecay, Schedule, StepDecay, Warmup,
};
pub use sgd::Sgd;
pub use state::{Slots, StateError};

/// The guide `docs/optim.md`, compiled here so its snippets are tested and cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/optim.md")]
pub struct Guide;
