//! The `Module` trait: what every layer is to a training loop.

use descent_autograd::{Float, Var, Variable};

/// A layer or a model: a function of a batch, with the variables it trains.
///
/// A module owns its [`Variable`]s (shared handles) and reads them onto the input's tape in
/// [`Module::forward`], so `tape.gradient(&loss, &vars)` finds them. Names are paths:
/// a [`Sequential`](crate::Sequential) prefixes its children's names with their position.
///
/// ```
/// use descent_autograd::{Tape, Tensor, Variable};
/// use descent_layers::Module;
///
/// // A layer written by hand: y = x · s, one trainable scale per feature.
/// struct Scale { s: Variable<f64> }
///
/// impl Module<f64> for Scale {
///     fn forward<'t>(&self, x: &descent_autograd::Var<'t, f64>) -> descent_autograd::Var<'t, f64> {
///         x.mul(&x.tape().read(&self.s))
///     }
///     fn variables(&self) -> Vec<(String, Variable<f64>)> {
///         vec![("s".into(), self.s.clone())]
///     }
/// }
///
/// let layer = Scale { s: Variable::new(Tensor::from_vec(vec![2.0, 3.0], &[2])) };
/// let tape = Tape::new();
/// let y = layer.forward(&tape.watch(Tensor::from_vec(vec![1.0, 1.0], &[1, 2])));
/// assert_eq!(y.value().to_vec(), vec![2.0, 3.0]);
/// let grads = tape.gradient(&y.sum(&[], false), &[&layer.s]);
/// assert_eq!(grads[0].to_vec(), vec![1.0, 1.0]);
/// ```
pub trait Module<F: Float>: Send + Sync {
    /// The layer applied to a batch.
    fn forward<'t>(&self, x: &Var<'t, F>) -> Var<'t, F>;

    /// Trainable variables with stable, readable names ("0.weight", "2.bias"), in a fixed order.
    fn variables(&self) -> Vec<(String, Variable<F>)>;

    /// Everything a checkpoint saves: the variables plus non-trainable state (running statistics).
    fn state(&self) -> Vec<(String, Variable<F>)> {
        self.variables()
    }

    /// Switch between training and evaluation behaviour (Dropout, BatchNorm).
    fn set_training(&mut self, _training: bool) {}
}
