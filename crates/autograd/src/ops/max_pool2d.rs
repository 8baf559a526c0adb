//! `max_pool2d`: the largest element of each window, its gradient routed to that element.

use crate::op::{Backward, Grads};
use crate::ops::window::{Window, nchw};
use crate::{Float, Op, Tensor, Value, Var};

/// Where each output's maximum was, as a flat index into the input.
struct MaxPool2d {
    argmax: Tensor<usize>,
}

impl<F: Float> Op<F> for MaxPool2d {
    fn name(&self) -> &'static str {
        "max_pool2d"
    }
    // d/dxᵢ max(window) = 1 if xᵢ is the window's (first) maximum, else 0: each output's
    // gradient is added to the input position it came from, as ReLU passes it to positive inputs.
    fn backward<V: Value<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let shape = ctx.inputs[0].shape();
        let size = shape.iter().product();
        ctx.unary(|| {
            let g = ctx.grad.reshape(&[self.argmax.len()]);
            g.scatter_add(0, &self.argmax, size).reshape(&shape)
        })
    }
    fn backward_fused(&self, ctx: &Backward<'_, Tensor<F>>) -> Option<Grads<Tensor<F>>> {
        let shape = ctx.inputs[0].shape();
        Some(ctx.unary(|| {
            let mut dx = vec![F::zero(); shape.iter().product()];
            let g = ctx.grad.array().as_standard_layout();
            let at = self.argmax.array();
            let pairs = at.iter().zip(g.as_slice().expect("standard layout"));
            pairs.for_each(|(&i, &g)| dx[i] += g);
            Tensor::from_vec(dx, shape)
        }))
    }
}

/// The pooled values and, for each, the flat input index of its maximum (the first, for ties;
/// a NaN wins).
#[track_caller]
fn forward<F: Float>(
    x: &Tensor<F>,
    kernel: [usize; 2],
    stride: [usize; 2],
) -> (Tensor<F>, Tensor<usize>) {
    let [n, c, h, w] = nchw("max_pool2d", "input", x.shape());
    let [oh, ow] = Window::new(kernel)
        .stride(stride)
        .output_size("max_pool2d", [h, w]);
    let input = x.array().as_standard_layout();
    let input = input.as_slice().expect("standard layout");
    let (plane, out) = (h * w, oh * ow);
    let mut values = vec![F::zero(); n * c * out];
    let mut argmax = vec![0; n * c * out];
    let planes = values.chunks_mut(out).zip(argmax.chunks_mut(out));
    for (p, (values, argmax)) in planes.enumerate() {
        let image = &input[p * plane..(p + 1) * plane];
        let rows = values.chunks_mut(ow).zip(argmax.chunks_mut(ow));
        for (oy, (best, at)) in rows.enumerate() {
            // Taps outside, output positions inside: long branch-free loops over a row.
            for i in 0..kernel[0] {
                for j in 0..kernel[1] {
                    let first = (oy * stride[0] + i) * w + j;
                    let taps = image[first..].iter().step_by(stride[1]).enumerate();
                    let outputs = best.iter_mut().zip(at.iter_mut());
                    for ((best, at), (ox, &v)) in outputs.zip(taps) {
                        let index = p * plane + first + ox * stride[1];
                        let take = (i + j == 0) | (v > *best) | (v.is_nan() & !best.is_nan());
                        *best = if take { v } else { *best };
                        *at = if take { index } else { *at };
                    }
                }
            }
        }
    }
    let shape = [n, c, oh, ow];
    (
        Tensor::from_vec(values, &shape),
        Tensor::from_vec(argmax, &[n * c * oh * ow]),
    )
}

impl<F: Float> Tensor<F> {
    /// The largest element of each `kernel` window of `[N, C, H, W]`, moved by `stride`.
    ///
    /// # Panics
    /// As [`Var::max_pool2d`].
    #[track_caller]
    pub fn max_pool2d(&self, kernel: [usize; 2], stride: [usize; 2]) -> Self {
        forward(self, kernel, stride).0
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// The largest element of each `kernel` window of an `[N, C, H, W]` var, the window moved
    /// by `stride`: `[N, C, oh, ow]` (PyTorch's `F.max_pool2d(x, kernel, stride)`). The gradient
    /// goes to the window's maximum only (the first, for ties, as PyTorch's), as ReLU's goes to
    /// its positive inputs only; a position that is the maximum of several windows collects
    /// from each.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec((1..=16u8).map(f32::from).collect(), &[1, 1, 4, 4]));
    /// let y = x.max_pool2d([2, 2], [2, 2]);
    /// assert_eq!(y.value().to_vec(), vec![6.0, 8.0, 14.0, 16.0]);
    /// let g = tape.gradient(&y.sum(&[], false), &[x]).remove(0).to_vec();
    /// assert_eq!((g[5], g[4], g.iter().sum::<f32>()), (1.0, 0.0, 4.0));
    /// ```
    ///
    /// # Panics
    /// When the var is not 4-D, a kernel size or stride is zero, or the kernel is larger than
    /// the input.
    #[track_caller]
    pub fn max_pool2d(&self, kernel: [usize; 2], stride: [usize; 2]) -> Var<'t, F> {
        let (value, argmax) = forward(&self.value(), kernel, stride);
        self.tape().push(MaxPool2d { argmax }, &[self], value)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Tape, Tensor};

    #[test]
    fn overlapping_windows_collect_gradients() {
        // 1×3 row [1 3 2], kernel 1×2, stride 1: windows [1 3] and [3 2] both pick the 3
        let tape = Tape::new();
        let x = tape.watch(Tensor::from_vec(vec![1.0f64, 3.0, 2.0], &[1, 1, 1, 3]));
        let y = x.max_pool2d([1, 2], [1, 1]);
        assert_eq!(y.value().to_vec(), vec![3.0, 3.0]);
        let g = tape.gradient(&y.sum(&[], false), &[x]);
        assert_eq!(g[0].to_vec(), vec![0.0, 2.0, 0.0]);
    }

    #[test]
    fn ties_go_to_the_first() {
        let tape = Tape::new();
        let x = tape.watch(Tensor::from_vec(vec![0.0f32, 0.0, 0.0, 0.0], &[1, 1, 2, 2]));
        let g = tape.gradient(&x.max_pool2d([2, 2], [2, 2]).sum(&[], false), &[x]);
        assert_eq!(g[0].to_vec(), vec![1.0, 0.0, 0.0, 0.0]);
    }

    #[test]
    #[should_panic(expected = "max_pool2d: input must be 4-D [N, C, H, W], not [4, 4]")]
    fn max_pool_of_2d_panics() {
        let tape = Tape::new();
        tape.watch(Tensor::<f32>::zeros(&[4, 4]))
            .max_pool2d([2, 2], [2, 2]);
    }

    #[test]
    #[should_panic(
        expected = "max_pool2d: kernel [5, 5] (dilation [1, 1]) is larger than the input [4, 4]"
    )]
    fn kernel_too_large_panics() {
        let tape = Tape::new();
        tape.watch(Tensor::<f32>::zeros(&[1, 1, 4, 4]))
            .max_pool2d([5, 5], [1, 1]);
    }
}
