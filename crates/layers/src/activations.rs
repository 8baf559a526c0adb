//! Activation layers: `Relu`, `LeakyRelu`, `Sigmoid`, `Tanh`, `Gelu`, `Softmax`.
//!
//! Each is the matching `Var` op as a [`Module`] with no variables, so it can sit in a
//! [`Sequential`](crate::Sequential): each implements [`Activation`] with that op, and one
//! generic `impl Module` serves them all. They are one file because each is one line of work.

use crate::Module;
use descent_autograd::{Float, Var, Variable};

/// A layer with no variables that is one function of its input: implementing
/// [`apply`](Activation::apply) makes it a [`Module`] with no variables, no state and no
/// training mode.
///
/// ```
/// use descent_autograd::{Float, Tape, Tensor, Var};
/// use descent_layers::{Activation, Module};
///
/// // x² elementwise, as a layer
/// struct Square;
///
/// impl Activation for Square {
///     fn apply<'t, F: Float>(&self, x: &Var<'t, F>) -> Var<'t, F> {
///         x.square()
///     }
/// }
///
/// let tape = Tape::new();
/// let y = Square.forward(&tape.watch(Tensor::from_vec(vec![-3.0f64, 0.5], &[1, 2])));
/// assert_eq!(y.value().to_vec(), vec![9.0, 0.25]);
/// assert!(Module::<f64>::variables(&Square).is_empty());
/// ```
pub trait Activation: Send + Sync {
    /// The function applied to a batch: [`Module::forward`].
    fn apply<'t, F: Float>(&self, x: &Var<'t, F>) -> Var<'t, F>;
}

impl<F: Float, A: Activation> Module<F> for A {
    #[track_caller]
    fn forward<'t>(&self, x: &Var<'t, F>) -> Var<'t, F> {
        self.apply(x)
    }
    fn variables(&self) -> Vec<(String, Variable<F>)> {
        Vec::new()
    }
}

/// `max(x, 0)` elementwise.
///
/// ```
/// use descent_autograd::{Tape, Tensor};
/// use descent_layers::{Module, Relu};
/// let tape = Tape::new();
/// let y = Relu.forward(&tape.watch(Tensor::from_vec(vec![-1.0f32, 2.0], &[1, 2])));
/// assert_eq!(y.value().to_vec(), vec![0.0, 2.0]);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Relu;

impl Activation for Relu {
    fn apply<'t, F: Float>(&self, x: &Var<'t, F>) -> Var<'t, F> {
        x.relu()
    }
}

/// `x` for `x > 0`, else `slope · x` (PyTorch's default slope is 0.01, as is [`Default`]'s).
///
/// ```
/// use descent_autograd::{Tape, Tensor};
/// use descent_layers::{LeakyRelu, Module};
/// let tape = Tape::new();
/// let y = LeakyRelu::new(0.1).forward(&tape.watch(Tensor::from_vec(vec![-2.0f64, 3.0], &[1, 2])));
/// assert_eq!(y.value().to_vec(), vec![-0.2, 3.0]);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct LeakyRelu {
    slope: f64,
}

impl LeakyRelu {
    /// A leaky ReLU with the given negative slope.
    pub fn new(slope: f64) -> Self {
        LeakyRelu { slope }
    }
}

impl Default for LeakyRelu {
    fn default() -> Self {
        LeakyRelu::new(0.01)
    }
}

impl Activation for LeakyRelu {
    fn apply<'t, F: Float>(&self, x: &Var<'t, F>) -> Var<'t, F> {
        x.leaky_relu(F::cast(self.slope))
    }
}

/// `1 / (1 + e^−x)` elementwise.
///
/// ```
/// use descent_autograd::{Tape, Tensor};
/// use descent_layers::{Module, Sigmoid};
/// let tape = Tape::new();
/// let y = Sigmoid.forward(&tape.watch(Tensor::from_vec(vec![0.0f32], &[1, 1])));
/// assert_eq!(y.item(), 0.5);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Sigmoid;

impl Activation for Sigmoid {
    fn apply<'t, F: Float>(&self, x: &Var<'t, F>) -> Var<'t, F> {
        x.sigmoid()
    }
}

/// `tanh x` elementwise.
///
/// ```
/// use descent_autograd::{Tape, Tensor};
/// use descent_layers::{Module, Tanh};
/// let tape = Tape::new();
/// let y = Tanh.forward(&tape.watch(Tensor::from_vec(vec![0.0f64, 1.0], &[1, 2])));
/// assert_eq!(y.value().to_vec(), vec![0.0, 1f64.tanh()]);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Tanh;

impl Activation for Tanh {
    fn apply<'t, F: Float>(&self, x: &Var<'t, F>) -> Var<'t, F> {
        x.tanh()
    }
}

/// GELU, exact (`x Φ(x)`, PyTorch's default `nn.GELU()`); `Var::gelu_tanh` is the tanh
/// approximation.
///
/// ```
/// use descent_autograd::{Tape, Tensor};
/// use descent_layers::{Gelu, Module};
/// let tape = Tape::new();
/// let y = Gelu.forward(&tape.watch(Tensor::from_vec(vec![0.0f64, 1.0], &[1, 2]))).value();
/// assert!(y.to_vec()[0] == 0.0 && (y.to_vec()[1] - 0.841345).abs() < 1e-6);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Gelu;

impl Activation for Gelu {
    fn apply<'t, F: Float>(&self, x: &Var<'t, F>) -> Var<'t, F> {
        x.gelu()
    }
}

/// Softmax along an axis ([`Default`]: axis 1, the class axis of `[batch, classes]`).
///
/// For training a classifier, leave it out of the model and use `cross_entropy` on the logits:
/// the fused loss is exact where `ln softmax` would round to `ln 0`.
///
/// ```
/// use descent_autograd::{Tape, Tensor};
/// use descent_layers::{Module, Softmax};
/// let tape = Tape::new();
/// let p = Softmax::new(1).forward(&tape.watch(Tensor::from_vec(vec![0.0f64, 2f64.ln()], &[1, 2])));
/// let p = p.value().to_vec();
/// assert!((p[0] - 1.0 / 3.0).abs() < 1e-15 && (p[1] - 2.0 / 3.0).abs() < 1e-15);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Softmax {
    axis: usize,
}

impl Softmax {
    /// Softmax along `axis`.
    pub fn new(axis: usize) -> Self {
        Softmax { axis }
    }
}

impl Default for Softmax {
    fn default() -> Self {
        Softmax::new(1)
    }
}

impl Activation for Softmax {
    /// # Panics
    /// When the axis is out of range for `x`.
    #[track_caller]
    fn apply<'t, F: Float>(&self, x: &Var<'t, F>) -> Var<'t, F> {
        x.softmax(self.axis)
    }
}
