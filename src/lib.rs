#![doc = include_str!("../README.md")]
#![doc(test(attr(deny(warnings))))]

pub use descent_autograd as autograd;
pub use descent_data as data;
pub use descent_layers as layers;
pub use descent_optim as optim;

/// The names a training loop needs, in one import: `use descent::prelude::*;`.
///
/// ```
/// use descent::prelude::*;
/// let tape = Tape::new();
/// let x = tape.watch(Tensor::scalar(2.0f32));
/// assert_eq!(tape.gradient(&x.square(), &[x])[0].item(), 4.0);
/// ```
pub mod prelude {
    pub use descent_autograd::{Float, Tape, Tensor, Var, Variable, check};
}
