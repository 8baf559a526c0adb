//! `conv2d`: 2-D convolution (cross-correlation, as in every framework) as unfold + product.

use crate::op::{Backward, Grads};
use crate::ops::fold::fold_image;
use crate::ops::matmul::gemm;
use crate::ops::unfold::unfold_image;
use crate::ops::window::{Window, nchw};
use crate::pool::SpareVec;
use crate::{Float, Op, Operand, Tensor, Var, parallel};
use ndarray::{ArrayView2, ArrayViewMut2, Ix2};

/// The window's geometry. The input is on the tape; its columns are not kept but made again
/// per image in the backward, in a buffer each thread reuses: kept small, the columns stay in
/// the cache for the product that reads them, where writing the whole batch's columns out
/// (64 × 100 KB for the second convolution of arch C) and reading them back in the backward
/// cost as much as making them twice, and took 10 MiB more.
struct Conv2d {
    window: Window,
}

impl<F: Float> Op<F> for Conv2d {
    fn name(&self) -> &'static str {
        "conv2d"
    }
    // y = W·unfold(x) + b per image: dx = fold(Wᵀ·G), dW = Σₙ G·unfold(x)ᵀ, db = Σ G over N, H, W
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let (x, w, g) = (&ctx.inputs[0], &ctx.inputs[1], ctx.grad);
        let ([n, _, h, wd], [o, ..]) = (nchw("conv2d", "input", &x.shape()), dims(&w.shape()));
        let [_, _, oh, ow] = nchw("conv2d", "gradient", &g.shape());
        let g3 = g.reshape(&[n, o, oh * ow]);
        let w2 = w.reshape(&[o, w.shape()[1..].iter().product()]);
        let mut grads: Grads<V> = [
            ctx.grad_of(0, || w2.transpose().matmul(&g3).fold([h, wd], self.window)),
            ctx.grad_of(1, || {
                let cols = x.unfold(self.window).transpose();
                g3.matmul(&cols).sum(&[0], false).reshape(&w.shape())
            }),
        ]
        .into_iter()
        .collect();
        if ctx.inputs.len() == 3 {
            grads.push(ctx.grad_of(2, || g.sum(&[0, 2, 3], false)));
        }
        grads
    }
    fn backward_fused(&self, ctx: &Backward<'_, Tensor<F>>) -> Option<Grads<Tensor<F>>> {
        let (x, w) = (&ctx.inputs[0], &ctx.inputs[1]);
        let [n, c, h, wd] = nchw("conv2d", "input", x.shape());
        let [o, ..] = dims(w.shape());
        let [_, _, oh, ow] = nchw("conv2d", "gradient", ctx.grad.shape());
        let (k, l) = (w.len() / o.max(1), oh * ow);
        let g = ctx.grad.array().as_standard_layout();
        let g = g.as_slice().expect("standard layout");
        let x = x.array().as_standard_layout();
        let x = x.as_slice().expect("standard layout");
        let w2 = w.reshape(&[o, k]);
        let w2 = w2.view().into_dimensionality::<Ix2>().expect("2-D");
        let cut = n / 2;
        // dx: per image, the columns' gradient Wᵀ·G folded back onto the image.
        let dx = || {
            let mut dx = Tensor::pooled(&[n, c, h, wd], |dx| dx.fill(F::zero()));
            let images = |count: usize, g: &[F], dx: &mut [F]| {
                let mut dcols = SpareVec::zeroed(k * l);
                for i in 0..count {
                    let (g, dx) = (image(g, i, o * l), image_mut(dx, i, c * h * wd));
                    let dcols_view = ArrayViewMut2::from_shape((k, l), &mut dcols.0[..]);
                    gemm(
                        w2.t(),
                        matrix(g, o, l),
                        F::zero(),
                        dcols_view.expect("[K, L]"),
                    );
                    fold_image(&dcols.0, dx, c, [h, wd], self.window);
                }
            };
            let dx_all = dx
                .view_mut()
                .into_slice()
                .expect("pooled storage is standard");
            let (dx_a, dx_b) = dx_all.split_at_mut(cut * c * h * wd);
            let (g_a, g_b) = g.split_at(cut * o * l);
            parallel::join(|| images(cut, g_a, dx_a), || images(n - cut, g_b, dx_b));
            dx
        };
        // dW: Σ over images of G·columnsᵀ, each half of the batch summed on its own thread,
        // then the two halves added (the same order for any number of threads). Each half
        // sums dWᵀ = columns·Gᵀ: written [C·kh·kw, O], the product reads the columns where they
        // lie instead of packing them (measured ×0.6–0.7 of the time of G·columnsᵀ).
        let dw = || {
            let images = |count: usize, g: &[F], x: &[F], dw_t: &mut [F]| {
                let mut cols = SpareVec::zeroed(k * l);
                for i in 0..count {
                    let x = image(x, i, c * h * wd);
                    unfold_image(x, &mut cols.0, c, [h, wd], self.window);
                    let (cols, g) = (matrix(&cols.0, k, l), matrix(image(g, i, o * l), o, l));
                    let dw_t = ArrayViewMut2::from_shape((k, o), &mut dw_t[..]);
                    gemm(cols, g.t(), F::one(), dw_t.expect("[K, O]"));
                }
            };
            // Both halves' sums are taken here, so that they go back to this thread's spares
            // (one taken on the helper thread and dropped here would be a new one every step).
            let (mut dw_a, mut dw_b) = (SpareVec::zeroed(k * o), SpareVec::zeroed(k * o));
            let ((g_a, g_b), (x_a, x_b)) = (g.split_at(cut * o * l), x.split_at(cut * c * h * wd));
            parallel::join(
                || images(cut, g_a, x_a, &mut dw_a.0),
                || images(n - cut, g_b, x_b, &mut dw_b.0),
            );
            Tensor::pooled(w.shape(), |dw| {
                for (oi, row) in dw.chunks_exact_mut(k.max(1)).enumerate() {
                    let columns =
                        (dw_a.0[oi..].iter().step_by(o)).zip(dw_b.0[oi..].iter().step_by(o));
                    row.iter_mut()
                        .zip(columns)
                        .for_each(|(d, (&a, &b))| *d = a + b);
                }
            })
        };
        let mut grads: Grads<Tensor<F>> = [ctx.grad_of(0, dx), ctx.grad_of(1, dw)]
            .into_iter()
            .collect();
        if ctx.inputs.len() == 3 {
            grads.push(ctx.grad_of(2, || {
                Tensor::pooled(&[o], |db| {
                    db.fill(F::zero());
                    for i in 0..n {
                        for (d, row) in db.iter_mut().zip(image(g, i, o * l).chunks(l)) {
                            *d += ndarray::aview1(row).sum(); // unrolled, not one chain
                        }
                    }
                })
            }));
        }
        Some(grads)
    }
}

/// Image `i` of a batch stored as consecutive blocks of `size` elements (`size` may be 0:
/// no input channels, no output channels).
fn image<F>(batch: &[F], i: usize, size: usize) -> &[F] {
    &batch[i * size..(i + 1) * size]
}

/// [`image`], open for writing.
fn image_mut<F>(batch: &mut [F], i: usize, size: usize) -> &mut [F] {
    &mut batch[i * size..(i + 1) * size]
}

/// A `rows × columns` slice as a matrix.
fn matrix<F>(values: &[F], rows: usize, columns: usize) -> ArrayView2<'_, F> {
    ArrayView2::from_shape((rows, columns), values).expect("a whole matrix")
}

/// The dimensions of a `[O, C, kh, kw]` weight.
#[track_caller]
fn dims(shape: &[usize]) -> [usize; 4] {
    match *shape {
        [o, c, kh, kw] => [o, c, kh, kw],
        _ => panic!("conv2d: weight must be 4-D [O, C, kh, kw], not {shape:?}"),
    }
}

/// The output and the window; checks every shape.
#[track_caller]
fn forward<F: Float>(
    x: &Tensor<F>,
    weight: &Tensor<F>,
    bias: Option<&Tensor<F>>,
    window: Window,
) -> (Tensor<F>, Window) {
    let [n, c, h, w] = nchw("conv2d", "input", x.shape());
    let [o, wc, kh, kw] = dims(weight.shape());
    if c != wc {
        let (sx, sw) = (x.shape(), weight.shape());
        panic!("conv2d: input {sx:?} has {c} channels but weight {sw:?} expects {wc}");
    }
    if let Some(b) = bias.filter(|b| b.shape() != [o]) {
        let (sb, sw) = (b.shape(), weight.shape());
        panic!("conv2d: bias must be [{o}] for weight {sw:?}, not {sb:?}");
    }
    let window = Window {
        kernel: [kh, kw],
        ..window
    };
    let [oh, ow] = window.output_size("conv2d", [h, w]);
    let (k, l) = (c * kh * kw, oh * ow);
    let x = x.array().as_standard_layout();
    let x = x.as_slice().expect("standard layout");
    let w2 = weight.reshape(&[o, k]);
    let w2 = w2.view().into_dimensionality::<Ix2>().expect("2-D");
    let bias = bias.map(|b| b.array().as_standard_layout());
    let bias = bias
        .as_ref()
        .map(|b| b.as_slice().expect("standard layout"));
    // Per image: its columns, then W·columns onto the bias, already the [O, oh, ow] layout.
    let images = |count: usize, x: &[F], out: &mut [F]| {
        let mut cols = SpareVec::zeroed(k * l);
        for i in 0..count {
            let (x, out) = (image(x, i, c * h * w), image_mut(out, i, o * l));
            unfold_image(x, &mut cols.0, c, [h, w], window);
            let beta = match bias {
                Some(bias) => {
                    let rows = out.chunks_mut(l).zip(bias);
                    rows.for_each(|(row, &b)| row.fill(b));
                    F::one()
                }
                None => F::zero(), // gemm writes every element
            };
            let out = ArrayViewMut2::from_shape((o, l), out).expect("[O, L]");
            gemm(w2, matrix(&cols.0, k, l), beta, out);
        }
    };
    let mut out = Tensor::pooled(&[n, o, oh, ow], |_| {}); // every element written below
    {
        // The two halves of the batch go to parallel::join (the helper thread, if free).
        let cut = n / 2;
        let (x_a, x_b) = x.split_at(cut * c * h * w);
        let out_all = out
            .view_mut()
            .into_slice()
            .expect("pooled storage is standard");
        let (out_a, out_b) = out_all.split_at_mut(cut * o * l);
        parallel::join(|| images(cut, x_a, out_a), || images(n - cut, x_b, out_b));
    }
    (out, window)
}

impl<F: Float> Tensor<F> {
    /// The 2-D convolution of `[N, C, H, W]` by `weight` `[O, C, kh, kw]` plus `bias` `[O]`,
    /// `[N, O, oh, ow]`; see [`Var::conv2d`].
    ///
    /// # Panics
    /// As [`Var::conv2d`].
    #[track_caller]
    pub fn conv2d(
        &self,
        weight: &Self,
        bias: Option<&Self>,
        stride: [usize; 2],
        padding: [usize; 2],
        dilation: [usize; 2],
    ) -> Self {
        let window = Window::new([1, 1])
            .stride(stride)
            .padding(padding)
            .dilation(dilation);
        forward(self, weight, bias, window).0
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// The 2-D convolution of an `[N, C, H, W]` input by `weight` `[O, C, kh, kw]`, plus `bias`
    /// `[O]` if given: `[N, O, oh, ow]` with `oh = (H + 2·ph − dh·(kh − 1) − 1) / sh + 1` (and
    /// likewise `ow`). PyTorch's `F.conv2d(x, weight, bias, stride, padding, dilation)`: a
    /// cross-correlation, zero padding, each pair `[height, width]`. Computed as [`Var::unfold`]
    /// then one product per image, `weight [O, C·kh·kw] · columns [C·kh·kw, oh·ow]`, which is
    /// already the `[O, oh, ow]` layout of the output; the two halves of the batch run on two
    /// threads when descent has its helper thread, forward and backward, with results
    /// bit-identical for any thread count.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec((1..=9u8).map(f32::from).collect(), &[1, 1, 3, 3]));
    /// let w = tape.watch(Tensor::from_vec(vec![1.0, 0.0, 0.0, -1.0], &[1, 1, 2, 2]));
    /// let b = tape.watch(Tensor::from_vec(vec![10.0], &[1]));
    /// let y = x.conv2d(&w, Some(&b), [1, 1], [0, 0], [1, 1]);
    /// assert_eq!(y.shape().as_slice(), &[1, 1, 2, 2]);
    /// assert_eq!(y.value().to_vec(), vec![6.0, 6.0, 6.0, 6.0]); // x[i][j] − x[i+1][j+1] + 10
    /// ```
    ///
    /// # Panics
    /// When the input or the weight is not 4-D, their channels differ, the bias is not `[O]`,
    /// a stride or dilation is zero, or the kernel is larger than the padded input; the message
    /// names `conv2d` and the shapes.
    #[track_caller]
    pub fn conv2d(
        &self,
        weight: &Var<'t, F>,
        bias: Option<&Var<'t, F>>,
        stride: [usize; 2],
        padding: [usize; 2],
        dilation: [usize; 2],
    ) -> Var<'t, F> {
        let window = Window::new([1, 1])
            .stride(stride)
            .padding(padding)
            .dilation(dilation);
        let bias_value = bias.map(Var::value);
        let (value, window) = forward(&self.value(), &weight.value(), bias_value.as_ref(), window);
        let op = Conv2d { window };
        match bias {
            Some(b) => self.tape().push(op, &[self, weight, b], value),
            None => self.tape().push(op, &[self, weight], value),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Tape, Tensor};

    #[test]
    fn two_channels_two_outputs_by_hand() {
        // channel 0 is all 1s, channel 1 all 2s; a 1×1 kernel mixes them per output channel
        let mut x = vec![1.0; 4];
        x.extend([2.0; 4]);
        let x = Tensor::from_vec(x, &[1, 2, 2, 2]);
        let w = Tensor::from_vec(vec![1.0, 1.0, 3.0, -1.0], &[2, 2, 1, 1]);
        let y = x.conv2d(&w, None, [1, 1], [0, 0], [1, 1]);
        assert_eq!(y.to_vec(), vec![3.0, 3.0, 3.0, 3.0, 1.0, 1.0, 1.0, 1.0]);
    }

    #[test]
    fn no_input_channels_give_the_bias_and_no_output_channels_nothing() {
        // Degenerate but valid shapes: every output element must still be written.
        let tape = Tape::new();
        let x = tape.watch(Tensor::<f64>::zeros(&[3, 0, 4, 4]));
        let w = tape.watch(Tensor::zeros(&[2, 0, 3, 3]));
        let b = tape.watch(Tensor::from_vec(vec![1.5, -2.0], &[2]));
        let y = x.conv2d(&w, Some(&b), [1, 1], [0, 0], [1, 1]);
        assert_eq!(y.shape().as_slice(), &[3, 2, 2, 2]);
        let expected: Vec<f64> = (0..3)
            .flat_map(|_| [1.5; 4].into_iter().chain([-2.0; 4]))
            .collect();
        assert_eq!(y.value().to_vec(), expected);
        let g = tape.gradient(&y.sum(&[], false), &[x, w, b]);
        assert_eq!(
            (g[0].len(), g[1].len(), g[2].to_vec()),
            (0, 0, vec![12.0, 12.0])
        );
        let x = Tensor::<f64>::ones(&[2, 3, 4, 4]);
        let none = x.conv2d(&Tensor::zeros(&[0, 3, 3, 3]), None, [1, 1], [0, 0], [1, 1]);
        assert_eq!(none.shape(), &[2, 0, 2, 2]);
    }

    #[test]
    #[should_panic(
        expected = "conv2d: input [2, 3, 8, 8] has 3 channels but weight [4, 1, 3, 3] expects 1"
    )]
    fn channel_mismatch_panics() {
        let tape = Tape::new();
        let x = tape.watch(Tensor::<f32>::zeros(&[2, 3, 8, 8]));
        let w = tape.watch(Tensor::<f32>::zeros(&[4, 1, 3, 3]));
        x.conv2d(&w, None, [1, 1], [0, 0], [1, 1]);
    }

    #[test]
    #[should_panic(expected = "conv2d: input must be 4-D [N, C, H, W], not [3, 8, 8]")]
    fn non_4d_input_panics() {
        let tape = Tape::new();
        let x = tape.watch(Tensor::<f32>::zeros(&[3, 8, 8]));
        let w = tape.watch(Tensor::<f32>::zeros(&[4, 3, 3, 3]));
        x.conv2d(&w, None, [1, 1], [0, 0], [1, 1]);
    }

    #[test]
    #[should_panic(
        expected = "conv2d: kernel [5, 5] (dilation [1, 1]) is larger than the input [4, 4] padded by [0, 0]"
    )]
    fn kernel_larger_than_input_panics() {
        let tape = Tape::new();
        let x = tape.watch(Tensor::<f32>::zeros(&[1, 1, 4, 4]));
        let w = tape.watch(Tensor::<f32>::zeros(&[1, 1, 5, 5]));
        x.conv2d(&w, None, [1, 1], [0, 0], [1, 1]);
    }

    #[test]
    #[should_panic(
        expected = "conv2d: kernel [3, 3], stride [0, 0] and dilation [1, 1] must be positive"
    )]
    fn zero_stride_panics() {
        let tape = Tape::new();
        let x = tape.watch(Tensor::<f32>::zeros(&[1, 1, 4, 4]));
        let w = tape.watch(Tensor::<f32>::zeros(&[1, 1, 3, 3]));
        x.conv2d(&w, None, [0, 0], [0, 0], [1, 1]);
    }
}
