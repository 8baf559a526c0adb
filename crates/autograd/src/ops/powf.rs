//! `powf` and `pow`: every element raised to a constant exponent, or to a tensor of exponents.
//!
//! Both follow IEEE `pow` forward (so `(−2)² = 4`, `0⁰ = 1`, `(−2)^0.5` is NaN) and PyTorch's
//! backward at the edges where the textbook formula gives `0 · ∞`: the gradient of `x⁰` is 0
//! (also at `x = 0`), the base gradient at `x = 0` is `e · 0^(e−1)`, and the exponent gradient
//! is 0 at `x = 0` for `e ≥ 0` and NaN for a negative base (no real logarithm).

use crate::op::{Backward, Grads};
use crate::ops::broadcast_pair;
use crate::{Float, Op, Operand, Tensor, Var};

struct Powf<F>(F);

impl<F: Float> Op<F> for Powf<F> {
    fn name(&self) -> &'static str {
        "powf"
    }
    // d/dx xᵖ = p · xᵖ⁻¹, and 0 for p = 0 (x⁰ = 1 everywhere, also at 0)
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let p = self.0;
        let x = &ctx.inputs[0];
        ctx.unary(|| match p == F::zero() {
            true => x.constant(Tensor::zeros(&x.shape())),
            false => ctx.grad.mul(&x.powf(p - F::one()).mul_scalar(p)),
        })
    }
    fn backward_fused(&self, ctx: &Backward<'_, Tensor<F>>) -> Option<Grads<Tensor<F>>> {
        let p = self.0;
        if p == F::zero() {
            return None;
        }
        let rule = |g: F, x: F| g * p * x.powf(p - F::one());
        Some(ctx.unary(|| ctx.grad.zip_map("powf", &ctx.inputs[0], rule)))
    }
}

/// `x ^ e` with a tensor exponent. Its third input is `ln x` where `x > 0` and 0 elsewhere,
/// recorded by [`Var::pow`] so that the exponent's gradient can be differentiated again.
struct Pow;

impl<F: Float> Op<F> for Pow {
    fn name(&self) -> &'static str {
        "pow"
    }
    // ∂/∂x xᵉ = e · xᵉ⁻¹ (e·y/x off 0; the constant e·0^(e−1) at 0, 0 where e = 0)
    // ∂/∂e xᵉ = xᵉ · ln x (0 at x = 0 with e ≥ 0, −∞ at x = 0 with e < 0, NaN for x < 0)
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let [x, e, ln_x] = ctx.inputs else {
            unreachable!("pow has three inputs")
        };
        let (xs, es) = (x.tensor(), e.tensor());
        let at_zero = xs.map(|&v| v == F::zero());
        let (y, g) = (ctx.output, ctx.grad);
        let base = ctx.grad_of(0, || {
            let safe = V::select(&at_zero, &x.constant(Tensor::ones(&x.shape())), x);
            let away = e.mul(y).mul(&safe.powf(-F::one()));
            let zero_rule = |e: F| match e == F::zero() {
                true => F::zero(),
                false => e * F::zero().powf(e - F::one()),
            };
            let near = x.constant(es.map(|&e| zero_rule(e)));
            g.mul(&V::select(&at_zero, &near, &away))
        });
        let exponent = ctx.grad_of(1, || {
            let nan = F::nan();
            let negative_base = xs.map(|&v| if v < F::zero() { nan } else { F::one() });
            let general = g.mul(y).mul(ln_x).mul_const(negative_base);
            let zero_negative = xs.zip_mask(&es, |x, e| x == F::zero() && e < F::zero());
            let minus_infinity = g.mul_const(Tensor::full(&xs.dims(), F::neg_infinity()));
            V::select(&zero_negative, &minus_infinity, &general)
        });
        [base, exponent, None].into_iter().collect()
    }
}

impl<F: Float> Tensor<F> {
    /// `self ^ p` elementwise.
    pub fn powf(&self, p: F) -> Self {
        self.map_pooled(|x| x.powf(p))
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// `self ^ p` elementwise. Fractional powers of negative numbers are NaN; the gradient of
    /// `x^p` at 0 is 0 for `p > 1` or `p = 0`, 1 for `p = 1`, and infinite for `p < 1` (so
    /// `sqrt`'s gradient at 0 is `+inf`), as in PyTorch.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![2.0f64, 9.0], &[2]));
    /// assert_eq!(x.powf(2.0).value().to_vec(), vec![4.0, 81.0]);
    /// ```
    pub fn powf(&self, p: F) -> Var<'t, F> {
        self.tape().push(Powf(p), &[self], self.value().powf(p))
    }

    /// `self ^ exponent` elementwise with a tensor exponent, broadcasting. Values are IEEE
    /// `pow`'s: a negative base with an integer exponent is fine (`(−2)² = 4`, base gradient
    /// −4), with a fractional one NaN; `0⁰ = 1`. Gradients are PyTorch's, also at a zero base
    /// (see the module documentation).
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![2.0f64, -2.0, 0.0], &[3]));
    /// let p = tape.watch(Tensor::from_vec(vec![3.0f64, 2.0, 2.0], &[3]));
    /// let y = x.pow(&p);
    /// assert_eq!(y.value().to_vec(), vec![8.0, 4.0, 0.0]);
    /// let g = tape.gradient(&y.sum(&[], false), &[x]);
    /// assert_eq!(g[0].to_vec(), vec![12.0, -4.0, 0.0]); // e · xᵉ⁻¹
    /// ```
    ///
    /// # Panics
    /// When the shapes do not broadcast.
    #[track_caller]
    pub fn pow(&self, exponent: &Var<'t, F>) -> Var<'t, F> {
        let (x, e) = broadcast_pair("pow", self, exponent);
        let xs = x.value();
        let positive = xs.map(|&v| v > F::zero());
        let ones = self.tape().watch(Tensor::ones(&xs.dims()));
        let ln_x = Var::select(&positive, &x, &ones).ln(); // ln 1 = 0 where x ≤ 0
        let value = xs.zip_map("pow", &e.value(), |x, e| x.powf(e));
        self.tape().push(Pow, &[&x, &e, &ln_x], value)
    }
}
