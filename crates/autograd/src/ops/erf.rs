//! `erf`: the error function `2/√π ∫₀ˣ e^(−t²) dt` of each element.

use crate::op::{Backward, Grads};
use crate::{Float, Op, Operand, Tensor, Var};

struct Erf;

/// `2/√π`.
const TWO_OVER_ROOT_PI: f64 = std::f64::consts::FRAC_2_SQRT_PI;

impl<F: Float> Op<F> for Erf {
    fn name(&self) -> &'static str {
        "erf"
    }
    // d/dx erf x = 2/√π · e^(−x²)
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let x = &ctx.inputs[0];
        let density = x.mul(x).neg().exp().mul_scalar(F::cast(TWO_OVER_ROOT_PI));
        ctx.unary(|| ctx.grad.mul(&density))
    }
}

impl<F: Float> Tensor<F> {
    /// The error function of each element (computed in `f64` by `libm`, then rounded).
    ///
    /// ```
    /// # use descent_autograd::Tensor;
    /// assert_eq!(Tensor::from_vec(vec![0.0f32], &[1]).erf().to_vec(), vec![0.0]);
    /// ```
    pub fn erf(&self) -> Self {
        self.map_pooled(|x| F::cast(libm::erf(x.as_f64())))
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// The error function of each element, as `torch.erf`; the exact GELU is built on it.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![0.0f64, 1.0, -1.0], &[3]));
    /// let y = x.erf().value().to_vec();
    /// assert!((y[1] - 0.8427007929497149).abs() < 1e-15 && y[2] == -y[1]);
    /// let g = tape.gradient(&x.erf().sum(&[], false), &[x]);
    /// assert!((g[0].to_vec()[0] - 2.0 / std::f64::consts::PI.sqrt()).abs() < 1e-15);
    /// ```
    pub fn erf(&self) -> Var<'t, F> {
        self.tape().push(Erf, &[self], self.value().erf())
    }
}
