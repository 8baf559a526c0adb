//! descent's core: tensors, a GradientTape-style tape, differentiable ops and a
//! finite-difference gradient checker.
//!
//! A [`Tape`] records every op on [`Var`]s; [`Tape::gradient`] walks the record backwards by the
//! chain rule. Trainable state lives in [`Variable`]s outside any tape, read onto a tape with
//! [`Tape::read`] and updated in place by optimizers.
//!
//! ```
//! use descent_autograd::{Tape, Tensor, Variable};
//!
//! // One gradient-descent step on J(w) = (3w − 6)², from w = 0.
//! let w = Variable::new(Tensor::scalar(0.0f64));
//! let tape = Tape::new();
//! let loss = tape.read(&w).mul_scalar(3.0).add_scalar(-6.0).square();
//! let grads = tape.gradient(&loss, &[&w]);
//! assert_eq!(grads[0].item(), -36.0); // dJ/dw = 6(3w − 6) = −36
//! w.update(|mut value| value.scaled_add(-0.01, &grads[0].view()));
//! assert_eq!(w.value().item(), 0.36);
//! ```
//!
//! Design choices:
//! - **One generic bound**, [`Float`], for `f32` (fast) and `f64` (exact gradient checks).
//! - **Backward rules are written once** in the differentiable ops of [`Operand`]: run on tensors
//!   they compute first-order gradients and record nothing; run on vars
//!   ([`Tape::gradient_vars`]) they are recorded, so every op has higher-order gradients.
//! - **Few primitives, many composites**: `sub`, `div`, `mean`, `softmax`, `mse` and friends
//!   are plain functions of primitives; one file per primitive under `ops/`.
//! - **Broadcasting has one backward**: binary ops insert `broadcast_to`, whose backward is the
//!   only code that sums gradients back to a smaller shape.
//! - **Programmer errors panic** with the op's name and the shapes involved.
#![doc(test(attr(deny(warnings))))]

pub mod axis;
pub mod check;
mod float;
pub mod functional;
mod gradients;
mod op;
mod operand;
mod operators;
mod ops;
mod parallel;
mod pool;
mod reduction;
mod shape;
mod tape;
mod tensor;
mod var;
mod variable;
mod vectorized;

pub use axis::{Axes, Axis};
pub use float::Float;
pub use gradients::Gradients;
pub use op::{Backward, Grads, Op};
pub use operand::Operand;
pub use ops::window::Window;
pub use parallel::join;
pub use reduction::Reduction;
pub use shape::Shape;
pub use tape::{Source, Tape};
pub use tensor::Tensor;
pub use var::Var;
pub use variable::{Variable, VariableId};
pub use vectorized::vectorized;
