//! Plain stochastic gradient descent.

use crate::{Optimizer, Slots};
use descent_autograd::{Float, Tensor, Variable, vectorized};

/// Gradient descent, PyTorch's `SGD` without momentum: `p ← p − lr·(g + λ·p)`, with L2 weight
/// decay λ (0 unless set), or `p ← p − lr·(−g + λ·p)` with [`Sgd::maximize`]. It keeps no state.
///
/// ```
/// use descent_autograd::{Tensor, Variable};
/// use descent_optim::{Optimizer, Sgd};
/// let w = Variable::new(Tensor::from_vec(vec![1.0f64, -1.0], &[2]));
/// let mut sgd = Sgd::new(0.25);
/// sgd.apply_gradients(&[Tensor::from_vec(vec![2.0, 4.0], &[2])], &[w.clone()]);
/// assert_eq!(w.value().to_vec(), vec![0.5, -2.0]); // 1 − 0.25·2, −1 − 0.25·4
/// ```
#[derive(Clone, Debug)]
pub struct Sgd<F: Float> {
    weight_decay: f64,
    maximize: bool,
    slots: Slots<F>,
}

impl<F: Float> Sgd<F> {
    /// Plain SGD with the given learning rate.
    pub fn new(learning_rate: f64) -> Self {
        Sgd {
            weight_decay: 0.0,
            maximize: false,
            slots: Slots::new(learning_rate, &[]),
        }
    }

    /// Adds L2 weight decay: `λ·p` is added to the gradient (PyTorch's `weight_decay`; for plain
    /// SGD this is the same as decoupled decay).
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::{Optimizer, Sgd};
    /// let w = Variable::new(Tensor::scalar(2.0f64));
    /// Sgd::new(0.5).weight_decay(0.5).apply_gradients(&[Tensor::scalar(0.0)], &[w.clone()]);
    /// assert_eq!(w.value().item(), 1.5); // 2 − 0.5·(0 + 0.5·2)
    /// ```
    pub fn weight_decay(self, weight_decay: f64) -> Self {
        Sgd {
            weight_decay,
            ..self
        }
    }

    /// Climbs the objective instead of descending it (PyTorch's `maximize`): the gradient is
    /// negated before the rule runs.
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::{Optimizer, Sgd};
    /// let w = Variable::new(Tensor::scalar(1.0f64));
    /// Sgd::new(0.5).maximize().apply_gradients(&[Tensor::scalar(2.0)], &[w.clone()]);
    /// assert_eq!(w.value().item(), 2.0); // 1 + 0.5·2
    /// ```
    pub fn maximize(self) -> Self {
        Sgd {
            maximize: true,
            ..self
        }
    }
}

impl<F: Float> Optimizer<F> for Sgd<F> {
    fn apply_gradients(&mut self, gradients: &[Tensor<F>], variables: &[Variable<F>]) {
        let decay = F::cast(self.weight_decay);
        let sign = if self.maximize { -F::one() } else { F::one() };
        self.slots
            .step_elementwise(gradients, variables, |lr, _, p, g, _| {
                vectorized(|| {
                    for (p, &g) in p.iter_mut().zip(g) {
                        *p -= lr * (sign * g + decay * *p);
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
