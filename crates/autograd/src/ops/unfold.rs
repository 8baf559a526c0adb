//! `unfold` (im2col): every window position of an image as a column of a matrix.

use crate::op::{Backward, Grads};
use crate::ops::window::{Window, nchw};
use crate::{Float, Op, Operand, Tensor, Var};

struct Unfold {
    window: Window,
}

impl<F: Float> Op<F> for Unfold {
    fn name(&self) -> &'static str {
        "unfold"
    }
    // unfold is linear; its adjoint is fold, which sums each column back onto the input
    // positions it was copied from.
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let [.., h, w] = nchw("unfold", "input", &ctx.inputs[0].shape());
        ctx.unary(|| ctx.grad.fold([h, w], self.window))
    }
}

/// Writes every element of the columns `[C·kh·kw, oh·ow]` of one `[C, H, W]` image of
/// `channels × size` (padding reads as zeros).
pub(crate) fn unfold_image<F: Float>(
    image: &[F],
    cols: &mut [F],
    channels: usize,
    size: [usize; 2],
    window: Window,
) {
    if window.is_plain() {
        return unfold_plain(image, cols, channels, size, window);
    }
    if window.padding != [0, 0] {
        cols.fill(F::zero()); // the walk skips the padding
    }
    window.walk(channels, size, |col, at, outputs, step| {
        let dst = &mut cols[col + outputs.start..col + outputs.end];
        if step == 1 {
            dst.copy_from_slice(&image[at..at + dst.len()]);
        } else {
            let src = image[at..].iter().step_by(step);
            dst.iter_mut().zip(src).for_each(|(d, &s)| *d = s);
        }
    });
}

/// [`unfold_image`] for a window of stride 1 without padding or dilation: each row of the
/// columns is `oh` runs of `ow` input elements, copied with no bounds to work out and in blocks
/// of 8 (a call to `memmove` per short run, or iterator adaptors per run, cost more than
/// the copy: 16 µs against 7 µs for an image of arch C's second convolution).
fn unfold_plain<F: Float>(
    image: &[F],
    cols: &mut [F],
    channels: usize,
    size: [usize; 2],
    window: Window,
) {
    window.plain_runs(channels, size, |col, at, len| {
        copy_run(&mut cols[col..col + len], &image[at..at + len]);
    });
}

/// `dst = src` for two slices of one length, in blocks of 8.
#[inline(always)]
fn copy_run<F: Float>(dst: &mut [F], src: &[F]) {
    let whole = dst.len() - dst.len() % 8;
    for b in (0..whole).step_by(8) {
        let d: &mut [F; 8] = (&mut dst[b..b + 8]).try_into().expect("8");
        *d = src[b..b + 8].try_into().expect("8");
    }
    let tail = dst[whole..].iter_mut().zip(&src[whole..]);
    tail.for_each(|(d, &s)| *d = s);
}

impl<F: Float> Tensor<F> {
    /// The windows of an `[N, C, H, W]` tensor as the columns of `[N, C·kh·kw, oh·ow]`: row
    /// `(c·kh + i)·kw + j` holds tap `(i, j)` of channel `c` at every window position, row-major
    /// (PyTorch's `F.unfold`). Padding reads as zeros. Written straight into one contiguous buffer.
    ///
    /// # Panics
    /// When the input is not 4-D or the window does not fit (see [`Window::output_size`]).
    #[track_caller]
    pub fn unfold(&self, window: Window) -> Self {
        let [n, c, h, w] = nchw("unfold", "input", self.shape());
        let [oh, ow] = window.output_size("unfold", [h, w]);
        let (rows, len) = (c * window.kernel[0] * window.kernel[1], oh * ow);
        let input = self.array().as_standard_layout();
        let input = input.as_slice().expect("standard layout");
        if n * rows * len == 0 || h * w == 0 {
            return Tensor::zeros(&[n, rows, len]);
        }
        Tensor::pooled(&[n, rows, len], |out| {
            for (image, cols) in input.chunks(c * h * w).zip(out.chunks_mut(rows * len)) {
                unfold_image(image, cols, c, [h, w], window);
            }
        })
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// The windows of an `[N, C, H, W]` var as the columns of `[N, C·kh·kw, oh·ow]`
    /// (im2col, PyTorch's `F.unfold`); its gradient is [`Var::fold`] of the output's.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor, Window};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec((1..=9).map(f64::from).collect(), &[1, 1, 3, 3]));
    /// let cols = x.unfold(Window::new([2, 2]));
    /// assert_eq!(cols.shape().as_slice(), &[1, 4, 4]);
    /// // row 0 is the top-left tap of the four 2×2 windows; column 0 is the first window
    /// assert_eq!(cols.value().to_vec()[..4], [1.0, 2.0, 4.0, 5.0]);
    /// ```
    ///
    /// # Panics
    /// When the var is not 4-D, or the window does not fit (a zero stride, a kernel larger than
    /// the padded input).
    #[track_caller]
    pub fn unfold(&self, window: Window) -> Var<'t, F> {
        let value = self.value().unfold(window);
        self.tape().push(Unfold { window }, &[self], value)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Tape, Tensor, Window};

    #[test]
    fn plain_window_matches_the_walk() {
        // 2 channels of 5×11, kernel 3×2: runs of 10 (a block of 8 and a tail of 2)
        let (image, window) = (
            (0..110).map(f64::from).collect::<Vec<_>>(),
            Window::new([3, 2]),
        );
        let mut plain = vec![f64::NAN; 2 * 6 * 30];
        super::unfold_plain(&image, &mut plain, 2, [5, 11], window);
        let mut walked = vec![f64::NAN; plain.len()];
        window.walk(2, [5, 11], |col, at, outputs, _| {
            walked[col..col + outputs.len()].copy_from_slice(&image[at..at + outputs.len()]);
        });
        assert_eq!(plain, walked);
    }

    #[test]
    fn padded_strided_columns_by_hand() {
        // 1×3 image [1 2 3], kernel 1×2, stride 2, padding 1 on the width:
        // padded [0 1 2 3 0] → windows [0 1] and [2 3]
        let x = Tensor::from_vec(vec![1.0, 2.0, 3.0], &[1, 1, 1, 3]);
        let window = Window::new([1, 2]).stride([1, 2]).padding([0, 1]);
        let cols = x.unfold(window);
        assert_eq!(cols.shape(), &[1, 2, 2]);
        assert_eq!(cols.to_vec(), vec![0.0, 2.0, 1.0, 3.0]);
    }

    #[test]
    fn dilated_channels_by_hand() {
        // two 1×3 channels, kernel 1×2 with dilation 2: one window, taps at columns 0 and 2
        let x = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[1, 2, 1, 3]);
        let cols = x.unfold(Window::new([1, 2]).dilation([1, 2]));
        assert_eq!(cols.to_vec(), vec![1.0, 3.0, 4.0, 6.0]);
    }

    #[test]
    #[should_panic(expected = "unfold: input must be 4-D [N, C, H, W], not [3, 3]")]
    fn non_4d_input_panics() {
        let tape = Tape::new();
        tape.watch(Tensor::<f32>::zeros(&[3, 3]))
            .unfold(Window::new([2, 2]));
    }
}
