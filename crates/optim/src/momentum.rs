//! Gradient descent with momentum: classic (heavy ball) and Nesterov.

use crate::elements::flush;
use crate::{Optimizer, Slots};
use descent_autograd::{Float, Tensor, Variable, vectorized};

/// SGD with momentum, PyTorch's `SGD(momentum=μ, dampening=τ)`:
///
/// ```text
/// g ← −g                 (only with maximize)
/// g ← g + λ·p            (L2 weight decay, λ = 0 unless set)
/// v ← g                  (at step 1)
/// v ← μ·v + (1 − τ)·g    (after it; dampening τ = 0 unless set)
/// p ← p − lr·v           (classic)
/// p ← p − lr·(g + μ·v)   (Nesterov)
/// ```
///
/// Like PyTorch, the first step takes the gradient undamped. "Step 1" is the optimizer's first
/// step: a variable it first sees later starts from `v = 0`, so its first velocity is
/// `(1 − τ)·g` (PyTorch counts per variable; the two agree whenever every variable is updated
/// from the first step, or τ = 0).
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
    dampening: f64,
    nesterov: bool,
    weight_decay: f64,
    maximize: bool,
    slots: Slots<F>,
}

impl<F: Float> Momentum<F> {
    /// Classic momentum μ (0.9 is usual) with the given learning rate.
    pub fn new(learning_rate: f64, momentum: f64) -> Self {
        let slots = Slots::new(learning_rate, &["momentum"]);
        Momentum {
            momentum,
            dampening: 0.0,
            nesterov: false,
            weight_decay: 0.0,
            maximize: false,
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

    /// Dampening τ (PyTorch's `dampening`): from the second step the gradient enters the
    /// velocity scaled by `1 − τ`.
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::{Momentum, Optimizer};
    /// let w = [Variable::new(Tensor::scalar(0.0f64))];
    /// let mut momentum = Momentum::new(1.0, 0.5).dampening(0.5);
    /// momentum.apply_gradients(&[Tensor::scalar(4.0)], &w); // v = 4 (undamped): p = −4
    /// momentum.apply_gradients(&[Tensor::scalar(4.0)], &w); // v = 0.5·4 + 0.5·4 = 4: p = −8
    /// assert_eq!(w[0].value().item(), -8.0);
    /// ```
    pub fn dampening(self, dampening: f64) -> Self {
        Momentum { dampening, ..self }
    }

    /// Climbs the objective instead of descending it (PyTorch's `maximize`): the gradient is
    /// negated before the rule runs.
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::{Momentum, Optimizer};
    /// let w = Variable::new(Tensor::scalar(0.0f64));
    /// Momentum::new(0.5, 0.9).maximize().apply_gradients(&[Tensor::scalar(2.0)], &[w.clone()]);
    /// assert_eq!(w.value().item(), 1.0); // g = −2, v = −2: p = 0 − 0.5·(−2)
    /// ```
    pub fn maximize(self) -> Self {
        Momentum {
            maximize: true,
            ..self
        }
    }
}

impl<F: Float> Optimizer<F> for Momentum<F> {
    fn apply_gradients(&mut self, gradients: &[Tensor<F>], variables: &[Variable<F>]) {
        let (mu, decay) = (F::cast(self.momentum), F::cast(self.weight_decay));
        let undamped = F::one() - F::cast(self.dampening);
        let sign = if self.maximize { -F::one() } else { F::one() };
        let nesterov = self.nesterov;
        self.slots
            .step_elementwise(gradients, variables, |lr, step, p, g, s| {
                let damping = if step == 1 { F::one() } else { undamped };
                let rule = |p: &mut F, g: F, v: &mut F, nesterov: bool| {
                    let g = sign * g + decay * *p;
                    *v = flush(mu * *v + damping * g);
                    *p -= lr * if nesterov { g + mu * *v } else { *v };
                };
                let elements = p.iter_mut().zip(g).zip(s[0].iter_mut());
                // Two loops, so that neither branches on `nesterov` per element.
                vectorized(|| {
                    if nesterov {
                        elements.for_each(|((p, &g), v)| rule(p, g, v, true));
                    } else {
                        elements.for_each(|((p, &g), v)| rule(p, g, v, false));
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
