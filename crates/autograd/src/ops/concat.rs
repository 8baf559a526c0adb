//! `concat`: joins tensors along an existing axis.

use crate::op::{Backward, Grads};
use crate::shape::check_axis;
use crate::{Float, Op, Operand, Tensor, Var};
use ndarray::Axis;

struct Concat {
    axis: usize,
}

impl<F: Float> Op<F> for Concat {
    fn name(&self) -> &'static str {
        "concat"
    }
    // Each part's gradient is its own range of the output gradient.
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let mut start = 0;
        let mut grads = Grads::new();
        for (i, part) in ctx.inputs.iter().enumerate() {
            let end = start + part.shape()[self.axis];
            grads.push(ctx.grad_of(i, || ctx.grad.slice(self.axis, start, end)));
            start = end;
        }
        grads
    }
}

#[track_caller]
fn check_parts(shapes: &[&[usize]], axis: usize) {
    let Some(first) = shapes.first() else {
        panic!("concat: nothing to join")
    };
    check_axis("concat", axis, first);
    for shape in &shapes[1..] {
        let same = shape.len() == first.len()
            && shape
                .iter()
                .zip(first.iter())
                .enumerate()
                .all(|(i, (a, b))| i == axis || a == b);
        if !same {
            panic!("concat: cannot join {first:?} and {shape:?} along axis {axis}");
        }
    }
}

impl<F: Float> Tensor<F> {
    /// `parts` joined along `axis`; every other dimension must agree.
    ///
    /// # Panics
    /// When `parts` is empty, the axis is out of range or the other dimensions differ.
    #[track_caller]
    pub fn concat(parts: &[Self], axis: usize) -> Self {
        check_parts(&parts.iter().map(|p| p.shape()).collect::<Vec<_>>(), axis);
        let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
        ndarray::concatenate(Axis(axis), &views)
            .expect("shapes checked")
            .into()
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// `parts` joined along `axis`; every other dimension must agree.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor, Var};
    /// let tape = Tape::new();
    /// let a = tape.watch(Tensor::from_vec(vec![1.0f32, 2.0], &[1, 2]));
    /// let b = tape.watch(Tensor::from_vec(vec![3.0f32, 4.0], &[1, 2]));
    /// assert_eq!(Var::concat(&[a, b], 0).shape().as_slice(), &[2, 2]);
    /// ```
    ///
    /// # Panics
    /// When `parts` is empty, the axis is out of range or the other dimensions differ.
    #[track_caller]
    pub fn concat(parts: &[Var<'t, F>], axis: impl crate::Axis) -> Var<'t, F> {
        let Some(first) = parts.first() else {
            panic!("concat: nothing to join")
        };
        let axis = crate::axis::resolve("concat", axis, &first.shape());
        let values: Vec<_> = parts.iter().map(|p| p.value()).collect();
        let value = Tensor::concat(&values, axis);
        let inputs: Vec<&Var<'t, F>> = parts.iter().collect();
        parts[0].tape().push(Concat { axis }, &inputs, value)
    }
}
