//! Gradient descent with momentum: classic (heavy ball) and Nesterov.

use crate::{Optimizer, Slots};
use descent_autograd::{Float, Tensor, Variable};
use ndarray::Zip;

/// SGD with momentum, in PyTorch's convention (no dampening):
///
/// ```text
/// g ← g + λ·p            (L2 weight decay, λ = 0 unless set)
/// v ← μ·v + g            (v starts at 0)
/// p ← p − lr·v           (classic)
/// p ← p − lr·(g + μ·v)   (Nesterov)
/// ```
///
/// ```
/// use descent_autograd::{Tensor, Variable};
/// use descent_optim::{Momentum, Optimizer};
/// let w = Variable::new(Tensor::scalar(0.0f64));
/// let mut momentum = Momentum::new(0.5, 0.5);
/// for _ in 0..2 {
///     momentum.apply_gradients(&[Tensor::scalar(1.0)], &[w.clone()]);
/// }
/// assert_eq!(w.value().item(), -1.25); // v = 1 then 1.5: p = −0.5·1 − 0.5·1.5
/// ```
#[derive(Clone, Debug)]
pub struct Momentum<F: Float> {
    momentum: f64,
    nesterov: bool,
    weight_decay: f64,
    slots: Slots<F>,
}

impl<F: Float> Momentum<F> {
    /// Classic momentum μ (0.9 is usual) with the given learning rate.
    pub fn new(learning_rate: f64, momentum: f64) -> Self {
        let slots = Slots::new(learning_rate, &["momentum"]);
        Momentum {
            momentum,
            nesterov: false,
            weight_decay: 0.0,
            slots,
        }
    }

    /// Nesterov momentum μ: the step looks ahead along the velocity.
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::{Momentum, Optimizer};
    /// let w = Variable::new(Tensor::scalar(0.0f64));
    /// Momentum::nesterov(0.5, 0.5).apply_gradients(&[Tensor::scalar(1.0)], &[w.clone()]);
    /// assert_eq!(w.value().item(), -0.75); // v = 1: p = −0.5·(1 + 0.5·1)
    /// ```
    pub fn nesterov(learning_rate: f64, momentum: f64) -> Self {
        Momentum {
            nesterov: true,
            ..Self::new(learning_rate, momentum)
        }
    }

    /// Adds L2 weight decay: `λ·p` is added to the gradient (PyTorch's `weight_decay`).
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::{Momentum, Optimizer};
    /// let w = Variable::new(Tensor::scalar(2.0f64));
    /// let mut momentum = Momentum::new(0.5, 0.9).weight_decay(0.5);
    /// momentum.apply_gradients(&[Tensor::scalar(0.0)], &[w.clone()]);
    /// assert_eq!(w.value().item(), 1.5); // v = 0 + 0.5·2: p = 2 − 0.5·1
    /// ```
    pub fn weight_decay(self, weight_decay: f64) -> Self {
        Momentum {
            weight_decay,
            ..self
        }
    }
}

impl<F: Float> Optimizer<F> for Momentum<F> {
    fn apply_gradients(&mut self, gradients: &[Tensor<F>], variables: &[Variable<F>]) {
        let (mu, decay) = (F::cast(self.momentum), F::cast(self.weight_decay));
        let nesterov = self.nesterov;
        self.slots.step(gradients, variables, |lr, _, p, g, s| {
            Zip::from(p).and(g).and(&mut s[0]).for_each(|p, &g, v| {
                let g = g + decay * *p;
                *v = mu * *v + g;
                *p -= lr * if nesterov { g + mu * *v } else { *v };
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
