//! RMSprop: per-element learning rates from a running average of squared gradients.

use crate::{Optimizer, Slots};
use descent_autograd::{Float, Tensor, Variable};
use ndarray::Zip;

/// RMSprop (Hinton, 2012) as PyTorch's `RMSprop` (not centred, no momentum):
///
/// ```text
/// g ← g + λ·p                  (L2 weight decay, λ = 0 unless set)
/// a ← α·a + (1 − α)·g²         (α = 0.99, a starts at 0)
/// p ← p − lr·g / (√a + ε)      (ε = 1e-8)
/// ```
///
/// ```
/// use descent_autograd::{Tensor, Variable};
/// use descent_optim::{Optimizer, RmsProp};
/// let w = Variable::new(Tensor::scalar(1.0f64));
/// let mut rmsprop = RmsProp::new(0.5).alpha(0.75).eps(0.0);
/// rmsprop.apply_gradients(&[Tensor::scalar(2.0)], &[w.clone()]);
/// assert_eq!(w.value().item(), 0.0); // a = 0.25·2² = 1: p = 1 − 0.5·2/1
/// ```
#[doc(alias = "RMSprop")]
#[derive(Clone, Debug)]
pub struct RmsProp<F: Float> {
    alpha: f64,
    eps: f64,
    weight_decay: f64,
    slots: Slots<F>,
}

impl<F: Float> RmsProp<F> {
    /// RMSprop with the given learning rate (PyTorch's default is 0.01), α = 0.99, ε = 1e-8.
    pub fn new(learning_rate: f64) -> Self {
        let slots = Slots::new(learning_rate, &["square_avg"]);
        RmsProp {
            alpha: 0.99,
            eps: 1e-8,
            weight_decay: 0.0,
            slots,
        }
    }

    /// Sets α, the decay of the running average of squared gradients (Keras uses 0.9).
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::{Optimizer, RmsProp};
    /// let w = Variable::new(Tensor::scalar(1.0f64));
    /// RmsProp::new(0.5).alpha(0.0).eps(0.0).apply_gradients(&[Tensor::scalar(4.0)], &[w.clone()]);
    /// assert_eq!(w.value().item(), 0.5); // α = 0: a = g², so the step is lr·sign(g)
    /// ```
    pub fn alpha(self, alpha: f64) -> Self {
        RmsProp { alpha, ..self }
    }

    /// Sets ε, added to `√a` to keep the division finite.
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::{Optimizer, RmsProp};
    /// let w = Variable::new(Tensor::scalar(1.0f64));
    /// RmsProp::new(0.5).alpha(0.0).eps(2.0).apply_gradients(&[Tensor::scalar(2.0)], &[w.clone()]);
    /// assert_eq!(w.value().item(), 0.75); // a = 4: p = 1 − 0.5·2/(2 + 2)
    /// ```
    pub fn eps(self, eps: f64) -> Self {
        RmsProp { eps, ..self }
    }

    /// Adds L2 weight decay: `λ·p` is added to the gradient (PyTorch's `weight_decay`).
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::{Optimizer, RmsProp};
    /// let w = Variable::new(Tensor::scalar(1.0f64));
    /// RmsProp::new(0.5).alpha(0.75).eps(0.0).weight_decay(2.0)
    ///     .apply_gradients(&[Tensor::scalar(0.0)], &[w.clone()]);
    /// assert_eq!(w.value().item(), 0.0); // g = 0 + 2·1, a = 0.25·2² = 1: p = 1 − 0.5·2/1
    /// ```
    pub fn weight_decay(self, weight_decay: f64) -> Self {
        RmsProp {
            weight_decay,
            ..self
        }
    }
}

impl<F: Float> Optimizer<F> for RmsProp<F> {
    fn apply_gradients(&mut self, gradients: &[Tensor<F>], variables: &[Variable<F>]) {
        let (alpha, eps) = (F::cast(self.alpha), F::cast(self.eps));
        let decay = F::cast(self.weight_decay);
        self.slots.step(gradients, variables, |lr, _, p, g, s| {
            Zip::from(p).and(g).and(&mut s[0]).for_each(|p, &g, a| {
                let g = g + decay * *p;
                *a = alpha * *a + (F::one() - alpha) * g * g;
                *p -= lr * g / (a.sqrt() + eps);
            });
        });
    }

    fn slots(&self) -> &Slots<F> {
        &self.slots
    }

    fn slots_mut(&mut self) -> &mut Slots<F> {
        &mut self.slots
    }
}
