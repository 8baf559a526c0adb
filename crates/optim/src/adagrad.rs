//! AdaGrad: per-element learning rates from the sum of squared gradients.

use crate::{Optimizer, Slots};
use descent_autograd::{Float, Tensor, Variable, vectorized};

/// AdaGrad (Duchi et al., 2011) as PyTorch's `Adagrad`, at step t = 1, 2, …:
///
/// ```text
/// g ← −g                      (only with maximize)
/// g ← g + λ·p                 (L2 weight decay, λ = 0 unless set)
/// η ← lr / (1 + (t − 1)·d)    (learning-rate decay d = 0 unless set)
/// s ← s + g²                  (s starts at the initial accumulator value, 0 unless set)
/// p ← p − η·g / (√s + ε)      (ε = 1e-10)
/// ```
///
/// ```
/// use descent_autograd::{Tensor, Variable};
/// use descent_optim::{AdaGrad, Optimizer};
/// let w = Variable::new(Tensor::scalar(1.0f64));
/// let mut adagrad = AdaGrad::new(0.5).eps(0.0);
/// adagrad.apply_gradients(&[Tensor::scalar(3.0)], &[w.clone()]);
/// assert_eq!(w.value().item(), 0.5); // s = 9: p = 1 − 0.5·3/3
/// ```
#[derive(Clone, Debug)]
pub struct AdaGrad<F: Float> {
    eps: f64,
    weight_decay: f64,
    lr_decay: f64,
    maximize: bool,
    slots: Slots<F>,
}

impl<F: Float> AdaGrad<F> {
    /// AdaGrad with the given learning rate (PyTorch's default is 0.01) and ε = 1e-10.
    pub fn new(learning_rate: f64) -> Self {
        AdaGrad {
            eps: 1e-10,
            weight_decay: 0.0,
            lr_decay: 0.0,
            maximize: false,
            slots: Slots::new(learning_rate, &["sum"]),
        }
    }

    /// Sets ε, added to `√s` to keep the division finite.
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::{AdaGrad, Optimizer};
    /// let w = Variable::new(Tensor::scalar(1.0f64));
    /// AdaGrad::new(0.5).eps(1.0).apply_gradients(&[Tensor::scalar(3.0)], &[w.clone()]);
    /// assert_eq!(w.value().item(), 0.625); // s = 9: p = 1 − 0.5·3/(3 + 1)
    /// ```
    pub fn eps(self, eps: f64) -> Self {
        AdaGrad { eps, ..self }
    }

    /// Adds L2 weight decay: `λ·p` is added to the gradient (PyTorch's `weight_decay`).
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::{AdaGrad, Optimizer};
    /// let w = Variable::new(Tensor::scalar(2.0f64));
    /// AdaGrad::new(0.5).eps(0.0).weight_decay(1.0).apply_gradients(&[Tensor::scalar(1.0)], &[w.clone()]);
    /// assert_eq!(w.value().item(), 1.5); // g = 1 + 2 = 3, s = 9: p = 2 − 0.5·3/3
    /// ```
    pub fn weight_decay(self, weight_decay: f64) -> Self {
        AdaGrad {
            weight_decay,
            ..self
        }
    }

    /// The value the accumulator `s` starts at (PyTorch's `initial_accumulator_value`).
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::{AdaGrad, Optimizer};
    /// let w = Variable::new(Tensor::scalar(1.0f64));
    /// AdaGrad::new(0.5).eps(0.0).initial_accumulator_value(7.0)
    ///     .apply_gradients(&[Tensor::scalar(3.0)], &[w.clone()]);
    /// assert_eq!(w.value().item(), 0.625); // s = 7 + 9 = 16: p = 1 − 0.5·3/4
    /// ```
    pub fn initial_accumulator_value(self, value: f64) -> Self {
        AdaGrad {
            slots: self.slots.initial_value(value),
            ..self
        }
    }

    /// Learning-rate decay d (PyTorch's `lr_decay`): step t uses `lr / (1 + (t − 1)·d)`.
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::{AdaGrad, Optimizer};
    /// let w = [Variable::new(Tensor::scalar(0.0f64))];
    /// let mut adagrad = AdaGrad::new(1.0).eps(0.0).lr_decay(1.0);
    /// adagrad.apply_gradients(&[Tensor::scalar(3.0)], &w); // η = 1, s = 9:  p = −3/3 = −1
    /// adagrad.apply_gradients(&[Tensor::scalar(4.0)], &w); // η = 1/2, s = 25: p = −1 − 0.5·4/5
    /// assert_eq!(w[0].value().item(), -1.4);
    /// ```
    pub fn lr_decay(self, lr_decay: f64) -> Self {
        AdaGrad { lr_decay, ..self }
    }

    /// Climbs the objective instead of descending it (PyTorch's `maximize`): the gradient is
    /// negated before the rule runs.
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::{AdaGrad, Optimizer};
    /// let w = Variable::new(Tensor::scalar(1.0f64));
    /// AdaGrad::new(0.5).eps(0.0).maximize().apply_gradients(&[Tensor::scalar(3.0)], &[w.clone()]);
    /// assert_eq!(w.value().item(), 1.5); // g = −3, s = 9: p = 1 + 0.5·3/3
    /// ```
    pub fn maximize(self) -> Self {
        AdaGrad {
            maximize: true,
            ..self
        }
    }
}

impl<F: Float> Optimizer<F> for AdaGrad<F> {
    fn apply_gradients(&mut self, gradients: &[Tensor<F>], variables: &[Variable<F>]) {
        let (eps, decay) = (F::cast(self.eps), F::cast(self.weight_decay));
        let (lr_decay, sign) = (self.lr_decay, if self.maximize { -1.0 } else { 1.0 });
        let sign = F::cast(sign);
        // The slices p, g and s (the slot) are zipped into their elements p, g and s.
        self.slots
            .step_elementwise(gradients, variables, |lr, t, p, g, s| {
                let lr = lr / F::cast(1.0 + (t - 1) as f64 * lr_decay);
                let elements = p.iter_mut().zip(g).zip(s[0].iter_mut());
                vectorized(|| {
                    for ((p, &g), s) in elements {
                        let g = sign * g + decay * *p;
                        *s += g * g;
                        *p -= lr * g / (s.sqrt() + eps);
                    }
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
