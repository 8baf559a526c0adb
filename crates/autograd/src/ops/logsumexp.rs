//! `logsumexp`: `ln Σ exp x` over all elements or given axes, without overflow.

use crate::axis::resolve_reduction;
use crate::op::{Backward, Grads};
use crate::shape::{Shape, reduced_shape, reduction_axes};
use crate::{Axes, Float, Op, Operand, Tensor, Var};

struct LogSumExp {
    kept: Shape,
}

impl<F: Float> Op<F> for LogSumExp {
    fn name(&self) -> &'static str {
        "logsumexp"
    }
    // d/dxᵢ ln Σ exp x = exp(xᵢ − lse x) = softmax(x)ᵢ
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let (x, y) = (&ctx.inputs[0], ctx.output);
        let shape = x.shape();
        let softmax = || x.sub(&y.reshape(&self.kept).broadcast_to(&shape)).exp();
        ctx.unary(|| {
            ctx.grad
                .reshape(&self.kept)
                .broadcast_to(&shape)
                .mul(&softmax())
        })
    }
}

impl<F: Float> Tensor<F> {
    /// `ln Σ exp` over `axes` (all when empty): `m + ln Σ exp(x − m)` with `m` the maximum, so
    /// nothing overflows; a slice of all `-inf` gives `-inf`.
    ///
    /// # Panics
    /// When an axis is out of range.
    #[track_caller]
    pub fn logsumexp(&self, axes: &[usize], keepdims: bool) -> Self {
        let axes = reduction_axes("logsumexp", axes, self.shape());
        let top = self
            .max(&axes, true)
            .map(|&m| if m.is_finite() { m } else { F::zero() });
        let shifted = self.sub(&top).exp().sum(&axes, true);
        let lse = ndarray::Zip::from(shifted.array())
            .and(top.array())
            .map_collect(|&s, &m| s.ln() + m);
        Tensor::from(lse).reshape(&reduced_shape(self.shape(), &axes, keepdims))
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// `ln Σ exp` over `axes` (all when empty), stable for inputs of any magnitude.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![1000.0f64, 1000.0], &[2]));
    /// assert_eq!(x.logsumexp(&[], false).item(), 1000.0 + 2f64.ln());
    /// ```
    ///
    /// # Panics
    /// When an axis is out of range.
    #[track_caller]
    pub fn logsumexp(&self, axes: impl Axes, keepdims: bool) -> Var<'t, F> {
        let value = self.value();
        let axes = resolve_reduction("logsumexp", axes, value.shape());
        let kept = reduced_shape(value.shape(), &axes, true);
        self.tape().push(
            LogSumExp { kept },
            &[self],
            value.logsumexp(&axes, keepdims),
        )
    }
}
