//! Adam and AdamW: momentum and per-element scaling, with bias correction.

use crate::elements::flush;
use crate::{Optimizer, Slots};
use descent_autograd::{Float, Tensor, Variable, vectorized};

/// Adam (Kingma & Ba, 2015) and AdamW (Loshchilov & Hutter, 2019), as PyTorch's `Adam` and
/// `AdamW`, at step t = 1, 2, …:
///
/// ```text
/// g ← −g                           (only with maximize)
/// g ← g + λ·p                      (Adam: L2 weight decay, λ = 0 unless set)
/// p ← p − lr·λ·p                   (AdamW: decoupled weight decay, λ = 0.01 in Adam::adamw)
/// m ← β₁·m + (1 − β₁)·g            (β₁ = 0.9,   m starts at 0)
/// v ← β₂·v + (1 − β₂)·g²           (β₂ = 0.999, v starts at 0)
/// p ← p − lr·m̂ / (√v̂ + ε)          (m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ), ε = 1e-8)
/// ```
///
/// With [`Adam::amsgrad`], `v̂` is taken from the running maximum of `v` instead:
/// `v_max ← max(v_max, v)`, `v̂ = v_max/(1 − β₂ᵗ)`.
///
/// ε is added after the square root of the bias-corrected `v`, as in PyTorch.
///
/// ```
/// use descent_autograd::{Tensor, Variable};
/// use descent_optim::{Adam, Optimizer};
/// let w = Variable::new(Tensor::from_vec(vec![1.0f64, 1.0], &[2]));
/// let mut adam = Adam::new(0.1).eps(0.0);
/// adam.apply_gradients(&[Tensor::from_vec(vec![5.0, -0.01], &[2])], &[w.clone()]);
/// // m̂ = g and v̂ = g² at the first step: each element moves by lr against its gradient's sign
/// assert_eq!(w.value().to_vec(), vec![0.9, 1.1]);
/// ```
#[doc(alias = "AdamW")]
#[derive(Clone, Debug)]
pub struct Adam<F: Float> {
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    decoupled_weight_decay: f64,
    amsgrad: bool,
    maximize: bool,
    slots: Slots<F>,
}

impl<F: Float> Adam<F> {
    /// Adam with the given learning rate (PyTorch's default is 1e-3), β = (0.9, 0.999),
    /// ε = 1e-8 and no weight decay.
    pub fn new(learning_rate: f64) -> Self {
        let slots = Slots::new(learning_rate, &["exp_avg", "exp_avg_sq"]);
        Adam {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            decoupled_weight_decay: 0.0,
            amsgrad: false,
            maximize: false,
            slots,
        }
    }

    /// AdamW: Adam with decoupled weight decay λ = 0.01 (PyTorch's `AdamW` defaults); change
    /// λ with [`Adam::decoupled_weight_decay`].
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::{Adam, Optimizer};
    /// let w = Variable::new(Tensor::scalar(2.0f64));
    /// Adam::adamw(0.5).eps(0.0).apply_gradients(&[Tensor::scalar(1.0)], &[w.clone()]);
    /// assert_eq!(w.value().item(), 1.49); // 2 − 0.5·0.01·2 − 0.5·1
    /// ```
    pub fn adamw(learning_rate: f64) -> Self {
        Self::new(learning_rate).decoupled_weight_decay(0.01)
    }

    /// Sets β₁ and β₂, the decays of the running averages of `g` and `g²`.
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::{Adam, Optimizer};
    /// let w = [Variable::new(Tensor::scalar(1.0f64))];
    /// let mut adam = Adam::new(0.1).betas(0.0, 0.0).eps(0.0); // no memory: m = g, v = g²
    /// adam.apply_gradients(&[Tensor::scalar(2.0)], &w);
    /// adam.apply_gradients(&[Tensor::scalar(-8.0)], &w);
    /// assert_eq!(w[0].value().item(), 1.0); // −0.1·sign(2), then −0.1·sign(−8)
    /// ```
    pub fn betas(self, beta1: f64, beta2: f64) -> Self {
        Adam {
            beta1,
            beta2,
            ..self
        }
    }

    /// Sets ε, added to `√v̂` to keep the division finite (Keras uses 1e-7).
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::{Adam, Optimizer};
    /// let w = Variable::new(Tensor::scalar(1.0f64));
    /// Adam::new(0.5).eps(1.0).apply_gradients(&[Tensor::scalar(1.0)], &[w.clone()]);
    /// assert!((w.value().item() - 0.75).abs() < 1e-12); // m̂ = v̂ = 1: p = 1 − 0.5·1/(1 + 1)
    /// ```
    pub fn eps(self, eps: f64) -> Self {
        Adam { eps, ..self }
    }

    /// L2 weight decay (PyTorch `Adam`'s `weight_decay`): `λ·p` is added to the gradient, so
    /// it is scaled by `1/√v̂` like the gradient is. Independent of the decoupled kind; one of
    /// the two is usual.
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::{Adam, Optimizer};
    /// let w = Variable::new(Tensor::scalar(2.0f64));
    /// Adam::new(0.5).eps(0.0).weight_decay(1.0).apply_gradients(&[Tensor::scalar(-1.0)], &[w.clone()]);
    /// assert_eq!(w.value().item(), 1.5); // g = −1 + 2 = 1, m̂/√v̂ = 1: p = 2 − 0.5
    /// ```
    pub fn weight_decay(self, weight_decay: f64) -> Self {
        Adam {
            weight_decay,
            ..self
        }
    }

    /// Decoupled weight decay (AdamW): `p ← p − lr·λ·p` before the Adam step, whatever the
    /// gradient's scale.
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::{Adam, Optimizer};
    /// let w = Variable::new(Tensor::scalar(2.0f64));
    /// Adam::new(0.5).decoupled_weight_decay(0.5).apply_gradients(&[Tensor::scalar(0.0)], &[w.clone()]);
    /// assert_eq!(w.value().item(), 1.5); // 2 − 0.5·0.5·2, and a zero gradient moves nothing
    /// ```
    pub fn decoupled_weight_decay(self, decoupled_weight_decay: f64) -> Self {
        Adam {
            decoupled_weight_decay,
            ..self
        }
    }

    /// AMSGrad (Reddi et al., 2018; PyTorch's `amsgrad`): the step divides by the running
    /// maximum of `v`, so the per-element step size never grows. Adds the state
    /// `max_exp_avg_sq`. Set it before the first step.
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::{Adam, Optimizer};
    /// let w = [Variable::new(Tensor::scalar(0.0f64))];
    /// let mut adam = Adam::new(1.0).betas(0.0, 0.0).eps(0.0).amsgrad();
    /// adam.apply_gradients(&[Tensor::scalar(4.0)], &w); // v = 16, v_max = 16: p = −4/4
    /// adam.apply_gradients(&[Tensor::scalar(1.0)], &w); // v = 1, v_max = 16: p = −1 − 1/4
    /// assert_eq!(w[0].value().item(), -1.25);
    /// ```
    pub fn amsgrad(self) -> Self {
        let names = &["exp_avg", "exp_avg_sq", "max_exp_avg_sq"];
        Adam {
            amsgrad: true,
            slots: Slots::new(self.slots.learning_rate, names),
            ..self
        }
    }

    /// Climbs the objective instead of descending it (PyTorch's `maximize`): the gradient is
    /// negated before the rule runs.
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::{Adam, Optimizer};
    /// let w = Variable::new(Tensor::scalar(1.0f64));
    /// Adam::new(0.1).eps(0.0).maximize().apply_gradients(&[Tensor::scalar(5.0)], &[w.clone()]);
    /// assert_eq!(w.value().item(), 1.1); // against −g: up by lr
    /// ```
    pub fn maximize(self) -> Self {
        Adam {
            maximize: true,
            ..self
        }
    }
}

impl<F: Float> Optimizer<F> for Adam<F> {
    fn apply_gradients(&mut self, gradients: &[Tensor<F>], variables: &[Variable<F>]) {
        let (beta1, beta2, one) = (self.beta1, self.beta2, F::one());
        let (b1, b2, eps) = (F::cast(beta1), F::cast(beta2), F::cast(self.eps));
        let l2 = F::cast(self.weight_decay);
        let decoupled = F::cast(self.decoupled_weight_decay);
        let sign = if self.maximize { -one } else { one };
        let amsgrad = self.amsgrad;
        self.slots
            .step_elementwise(gradients, variables, |lr, t, p, g, s| {
                let (bias1, bias2) = (1.0 - beta1.powf(t as f64), 1.0 - beta2.powf(t as f64));
                let (step_size, bias2_sqrt) = (lr / F::cast(bias1), F::cast(bias2.sqrt()));
                // One element: parameter, gradient, m, v, and v_max with AMSGrad.
                let rule = |p: &mut F, g: F, m: &mut F, v: &mut F, v_max: Option<&mut F>| {
                    let g = sign * g + l2 * *p;
                    *p -= lr * decoupled * *p;
                    *m = flush(b1 * *m + (one - b1) * g);
                    *v = flush(b2 * *v + (one - b2) * g * g);
                    let v_hat = match v_max {
                        Some(v_max) => {
                            *v_max = v_max.max(*v);
                            *v_max
                        }
                        None => *v,
                    };
                    *p -= step_size * *m / (v_hat.sqrt() / bias2_sqrt + eps);
                };
                vectorized(|| {
                    let elements = p.iter_mut().zip(g);
                    match (amsgrad, s) {
                        (false, [m, v]) => elements
                            .zip(m.iter_mut().zip(v.iter_mut()))
                            .for_each(|((p, &g), (m, v))| rule(p, g, m, v, None)),
                        (true, [m, v, v_max]) => elements
                            .zip(m.iter_mut().zip(v.iter_mut()).zip(v_max.iter_mut()))
                            .for_each(|((p, &g), ((m, v), v_max))| rule(p, g, m, v, Some(v_max))),
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
