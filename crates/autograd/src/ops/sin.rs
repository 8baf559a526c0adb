//! `sin`: the sine of each element (radians).

use crate::op::{Backward, Grads};
use crate::{Float, Op, Operand, Tensor, Var};

struct Sin;

impl<F: Float> Op<F> for Sin {
    fn name(&self) -> &'static str {
        "sin"
    }
    // d/dx sin x = cos x
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        ctx.unary(|| ctx.grad.mul(&ctx.inputs[0].cos()))
    }
}

impl<F: Float> Tensor<F> {
    /// The sine of each element (radians).
    ///
    /// ```
    /// # use descent_autograd::Tensor;
    /// assert_eq!(Tensor::from_vec(vec![0.0f64], &[1]).sin().to_vec(), vec![0.0]);
    /// ```
    pub fn sin(&self) -> Self {
        self.map_pooled(|x| x.sin())
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// The sine of each element (radians), as `torch.sin`.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![0.0f64, std::f64::consts::FRAC_PI_2], &[2]));
    /// assert_eq!(x.sin().value().to_vec(), vec![0.0, 1.0]);
    /// assert_eq!(tape.gradient(&x.sin().sum(&[], false), &[x])[0].get(&[0]), Some(1.0));
    /// ```
    pub fn sin(&self) -> Var<'t, F> {
        self.tape().push(Sin, &[self], self.value().sin())
    }
}
