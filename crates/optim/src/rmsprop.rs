//! RMSprop: per-element learning rates from a running average of squared gradients.

use crate::elements::flush;
use crate::{Optimizer, Slots};
use descent_autograd::{Float, Tensor, Variable, vectorized};

/// RMSprop (Hinton, 2012) as PyTorch's `RMSprop`:
///
/// ```text
/// g ← −g                       (only with maximize)
/// g ← g + λ·p                  (L2 weight decay, λ = 0 unless set)
/// a ← α·a + (1 − α)·g²         (α = 0.99, a starts at 0)
/// m ← α·m + (1 − α)·g          (only when centered; m starts at 0)
/// d ← √a + ε,  or √(a − m²) + ε when centered      (ε = 1e-8)
/// p ← p − lr·g / d             (without momentum)
/// b ← μ·b + g / d;  p ← p − lr·b   (with momentum μ > 0; b starts at 0)
/// ```
///
/// The state is named as PyTorch's: `square_avg`, then `momentum_buffer` and `grad_avg` when
/// those options are on.
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
    momentum: f64,
    centered: bool,
    maximize: bool,
    slots: Slots<F>,
}

/// The slot names for each combination of (momentum > 0, centered).
fn slot_names(momentum: bool, centered: bool) -> &'static [&'static str] {
    match (momentum, centered) {
        (false, false) => &["square_avg"],
        (true, false) => &["square_avg", "momentum_buffer"],
        (false, true) => &["square_avg", "grad_avg"],
        (true, true) => &["square_avg", "momentum_buffer", "grad_avg"],
    }
}

impl<F: Float> RmsProp<F> {
    /// RMSprop with the given learning rate (PyTorch's default is 0.01), α = 0.99, ε = 1e-8.
    pub fn new(learning_rate: f64) -> Self {
        let slots = Slots::new(learning_rate, &["square_avg"]);
        RmsProp {
            alpha: 0.99,
            eps: 1e-8,
            weight_decay: 0.0,
            momentum: 0.0,
            centered: false,
            maximize: false,
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

    /// Momentum μ (PyTorch's `momentum`): the scaled gradient `g / d` accumulates in a buffer
    /// `b ← μ·b + g / d`, and the step is `lr·b`. Set it before the first step.
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::{Optimizer, RmsProp};
    /// let w = [Variable::new(Tensor::scalar(0.0f64))];
    /// let mut rmsprop = RmsProp::new(1.0).alpha(0.0).eps(0.0).momentum(0.5);
    /// rmsprop.apply_gradients(&[Tensor::scalar(2.0)], &w); // a = 4, b = 2/2 = 1: p = −1
    /// rmsprop.apply_gradients(&[Tensor::scalar(4.0)], &w); // a = 16, b = 0.5 + 4/4: p = −2.5
    /// assert_eq!(w[0].value().item(), -2.5);
    /// ```
    pub fn momentum(self, momentum: f64) -> Self {
        let names = slot_names(momentum > 0.0, self.centered);
        RmsProp {
            momentum,
            slots: Slots::new(self.slots.learning_rate, names),
            ..self
        }
    }

    /// Centred RMSprop (PyTorch's `centered`): the running mean `m` of the gradient is kept
    /// too, and `√(a − m²)`, an estimate of the gradient's standard deviation, scales the step.
    /// Set it before the first step.
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::{Optimizer, RmsProp};
    /// let w = Variable::new(Tensor::scalar(0.0f64));
    /// RmsProp::new(1.0).alpha(0.75).eps(0.0).centered()
    ///     .apply_gradients(&[Tensor::scalar(4.0)], &[w.clone()]);
    /// // a = 0.25·16 = 4, m = 0.25·4 = 1: p = −4/√(4 − 1)
    /// assert_eq!(w.value().item(), -4.0 / 3f64.sqrt());
    /// ```
    pub fn centered(self) -> Self {
        let names = slot_names(self.momentum > 0.0, true);
        RmsProp {
            centered: true,
            slots: Slots::new(self.slots.learning_rate, names),
            ..self
        }
    }

    /// Climbs the objective instead of descending it (PyTorch's `maximize`): the gradient is
    /// negated before the rule runs.
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::{Optimizer, RmsProp};
    /// let w = Variable::new(Tensor::scalar(1.0f64));
    /// RmsProp::new(0.5).alpha(0.0).eps(0.0).maximize()
    ///     .apply_gradients(&[Tensor::scalar(4.0)], &[w.clone()]);
    /// assert_eq!(w.value().item(), 1.5); // g = −4, a = 16: p = 1 + 0.5·4/4
    /// ```
    pub fn maximize(self) -> Self {
        RmsProp {
            maximize: true,
            ..self
        }
    }
}

impl<F: Float> Optimizer<F> for RmsProp<F> {
    fn apply_gradients(&mut self, gradients: &[Tensor<F>], variables: &[Variable<F>]) {
        let (alpha, eps, one) = (F::cast(self.alpha), F::cast(self.eps), F::one());
        let (decay, mu) = (F::cast(self.weight_decay), F::cast(self.momentum));
        let sign = if self.maximize { -one } else { one };
        let (has_momentum, centered) = (self.momentum > 0.0, self.centered);
        self.slots
            .step_elementwise(gradients, variables, |lr, _, p, g, s| {
                // One element: parameter, gradient, square_avg, momentum_buffer, grad_avg.
                let rule = |p: &mut F, g: F, a: &mut F, b: Option<&mut F>, m: Option<&mut F>| {
                    let g = sign * g + decay * *p;
                    *a = flush(alpha * *a + (one - alpha) * g * g);
                    let mut variance = *a;
                    if let Some(m) = m {
                        *m = flush(alpha * *m + (one - alpha) * g);
                        variance -= *m * *m;
                    }
                    let d = variance.sqrt() + eps;
                    match b {
                        Some(b) => {
                            *b = flush(mu * *b + g / d);
                            *p -= lr * *b;
                        }
                        None => *p -= lr * g / d,
                    }
                };
                vectorized(|| {
                    let elements = p.iter_mut().zip(g);
                    match (has_momentum, centered, s) {
                        (false, false, [a]) => elements
                            .zip(a.iter_mut())
                            .for_each(|((p, &g), a)| rule(p, g, a, None, None)),
                        (true, false, [a, b]) => elements
                            .zip(a.iter_mut().zip(b.iter_mut()))
                            .for_each(|((p, &g), (a, b))| rule(p, g, a, Some(b), None)),
                        (false, true, [a, m]) => elements
                            .zip(a.iter_mut().zip(m.iter_mut()))
                            .for_each(|((p, &g), (a, m))| rule(p, g, a, None, Some(m))),
                        (true, true, [a, b, m]) => elements
                            .zip(a.iter_mut().zip(b.iter_mut()).zip(m.iter_mut()))
                            .for_each(|((p, &g), ((a, b), m))| rule(p, g, a, Some(b), Some(m))),
                        _ => unreachable!("slots are made for these options"),
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
