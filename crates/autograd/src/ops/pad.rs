//! `pad`: a constant border around the trailing axes.

use crate::op::{Backward, Grads};
use crate::shape::Shape;
use crate::{Float, Op, Operand, Tensor, Var};
use ndarray::{Axis, Slice};

struct Pad {
    widths: Vec<[usize; 2]>,
}

impl<F: Float> Op<F> for Pad {
    fn name(&self) -> &'static str {
        "pad"
    }
    // The adjoint of padding is slicing the border off the gradient.
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let shape = ctx.inputs[0].shape();
        let first = shape.len() - self.widths.len();
        ctx.unary(|| {
            let mut g = ctx.grad.clone();
            for (i, &[before, _]) in self.widths.iter().enumerate() {
                g = g.slice(first + i, before, before + shape[first + i]);
            }
            g
        })
    }
}

impl<F: Float> Tensor<F> {
    /// The tensor with `widths[i] = [before, after]` elements of `value` added around each of
    /// the last `widths.len()` axes, in axis order.
    ///
    /// # Panics
    /// When there are more widths than axes.
    #[track_caller]
    pub fn pad(&self, widths: &[[usize; 2]], value: F) -> Self {
        let shape = self.shape();
        if widths.len() > shape.len() {
            panic!("pad: {} widths for shape {shape:?}", widths.len());
        }
        let first = shape.len() - widths.len();
        let mut padded: Shape = self.dims();
        for (i, [before, after]) in widths.iter().enumerate() {
            padded[first + i] += before + after;
        }
        let mut out = ndarray::ArrayD::from_elem(padded.as_slice(), value);
        let mut inner = out.view_mut();
        for (i, &[before, _]) in widths.iter().enumerate() {
            let range = before..before + shape[first + i];
            inner.slice_axis_inplace(Axis(first + i), Slice::from(range));
        }
        inner.assign(&self.view());
        out.into()
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// The var with `widths[i] = [before, after]` elements of `value` added around each of its
    /// last `widths.len()` axes, in axis order (`[[1, 1], [2, 2]]` pads the H of `[N, C, H, W]`
    /// by 1 and its W by 2 on both sides). PyTorch's `F.pad(x, …, mode="constant")`, which
    /// lists the same widths from the last axis backwards.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![1.0f32, 2.0], &[1, 2]));
    /// let y = x.pad(&[[0, 1], [1, 0]], 0.0);
    /// assert_eq!(y.value().to_vec(), vec![0.0, 1.0, 2.0, 0.0, 0.0, 0.0]);
    /// ```
    ///
    /// # Panics
    /// When there are more widths than axes.
    #[track_caller]
    pub fn pad(&self, widths: &[[usize; 2]], value: F) -> Var<'t, F> {
        let padded = self.value().pad(widths, value);
        let op = Pad {
            widths: widths.to_vec(),
        };
        self.tape().push(op, &[self], padded)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Tape, Tensor};

    #[test]
    fn gradient_drops_the_border() {
        let tape = Tape::new();
        let x = tape.watch(Tensor::from_vec(vec![1.0f64, 2.0], &[2]));
        let y = x.pad(&[[2, 1]], -1.0);
        assert_eq!(y.value().to_vec(), vec![-1.0, -1.0, 1.0, 2.0, -1.0]);
        let weights = tape.watch(Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0], &[5]));
        let g = tape.gradient(&y.mul(&weights).sum(&[], false), &[x]);
        assert_eq!(g[0].to_vec(), vec![3.0, 4.0]);
    }

    #[test]
    #[should_panic(expected = "pad: 3 widths for shape [2, 2]")]
    fn too_many_widths_panic() {
        let tape = Tape::new();
        tape.watch(Tensor::<f32>::zeros(&[2, 2]))
            .pad(&[[1, 1]; 3], 0.0);
    }
}
