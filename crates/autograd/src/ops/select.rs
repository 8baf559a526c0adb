//! `select`: elementwise choice between two values by a boolean mask (NumPy's `where`).

use crate::op::{Backward, Grads};
use crate::ops::broadcast_pair;
use crate::shape::{broadcast_shapes, mismatch};
use crate::{Float, Op, Operand, Tensor, Var};

struct Select {
    mask: Tensor<bool>,
}

impl<F: Float> Op<F> for Select {
    fn name(&self) -> &'static str {
        "select"
    }
    // d/da select(m, a, b) = m, d/db = ¬m
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let g = ctx.grad;
        let zeros = || g.constant(Tensor::zeros(&g.shape()));
        [
            ctx.grad_of(0, || V::select(&self.mask, g, &zeros())),
            ctx.grad_of(1, || V::select(&self.mask, &zeros(), g)),
        ]
        .into_iter()
        .collect()
    }
}

impl<F: Float> Tensor<F> {
    /// Elementwise `if mask { on_true } else { on_false }`; all three of one shape.
    ///
    /// # Panics
    /// When the shapes differ.
    #[track_caller]
    pub fn select(mask: &Tensor<bool>, on_true: &Self, on_false: &Self) -> Self {
        on_true.expect_shape("select: values", on_false);
        on_true.expect_shape("select: values and mask", mask);
        ndarray::Zip::from(mask.array())
            .and(on_true.array())
            .and(on_false.array())
            .map_collect(|&m, &a, &b| if m { a } else { b })
            .into()
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// Elementwise `if mask { on_true } else { on_false }` (NumPy's `where`); the two values
    /// broadcast to the mask's shape. Gradients flow only to the chosen value.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let a = tape.watch(Tensor::from_vec(vec![1.0f32, 2.0], &[2]));
    /// let b = tape.watch(Tensor::scalar(0.0f32));
    /// let mask = Tensor::from_vec(vec![true, false], &[2]);
    /// assert_eq!(descent_autograd::Var::select(&mask, &a, &b).value().to_vec(), vec![1.0, 0.0]);
    /// ```
    ///
    /// # Panics
    /// When the values do not broadcast to the mask's shape.
    #[track_caller]
    pub fn select(mask: &Tensor<bool>, on_true: &Var<'t, F>, on_false: &Var<'t, F>) -> Var<'t, F> {
        let (a, b) = broadcast_pair("select", on_true, on_false);
        let (a, b) = match a.shape().as_slice() == mask.shape() {
            true => (a, b),
            false => {
                let values = a.shape();
                if broadcast_shapes("select", &values, mask.shape()).as_slice() != mask.shape() {
                    let what = "values do not broadcast to the mask's shape:";
                    mismatch("select", what, &values, mask.shape());
                }
                (a.broadcast_to(mask.shape()), b.broadcast_to(mask.shape()))
            }
        };
        let value = Tensor::select(mask, &a.value(), &b.value());
        a.tape()
            .push(Select { mask: mask.clone() }, &[&a, &b], value)
    }
}
