//! `fold` (col2im): the adjoint of `unfold`, summing columns back onto an image.

use crate::op::{Backward, Grads};
use crate::ops::window::Window;
use crate::{Float, Op, Operand, Tensor, Var};

struct Fold {
    window: Window,
}

impl<F: Float> Op<F> for Fold {
    fn name(&self) -> &'static str {
        "fold"
    }
    // fold is linear; its adjoint is unfold, which reads each column's positions back out.
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        ctx.unary(|| ctx.grad.unfold(self.window))
    }
}

/// `[n, c, oh·ow]` for a `[N, C·kh·kw, L]` shape that folds onto `size` with `window`.
#[track_caller]
fn check_columns(shape: &[usize], size: [usize; 2], window: Window) -> [usize; 3] {
    let [oh, ow] = window.output_size("fold", size);
    let taps = window.kernel[0] * window.kernel[1];
    match *shape {
        [n, rows, len] if rows % taps == 0 && len == oh * ow => [n, rows / taps, len],
        _ => panic!(
            "fold: columns {shape:?} do not fit kernel {:?} over {size:?} ([N, C·{taps}, {}] \
             expected)",
            window.kernel,
            oh * ow
        ),
    }
}

/// Adds the columns `[C·kh·kw, oh·ow]` of one image back onto its `[C, H, W]` block of
/// `channels × size` (the adjoint of `unfold_image`; padding positions are dropped).
pub(crate) fn fold_image<F: Float>(
    cols: &[F],
    image: &mut [F],
    channels: usize,
    size: [usize; 2],
    window: Window,
) {
    if window.is_plain() {
        return fold_plain(cols, image, channels, size, window);
    }
    window.walk(channels, size, |col, at, outputs, step| {
        let src = &cols[col + outputs.start..col + outputs.end];
        if step == 1 {
            let dst = &mut image[at..at + src.len()];
            dst.iter_mut().zip(src).for_each(|(d, &s)| *d += s);
        } else {
            let dst = image[at..].iter_mut().step_by(step);
            dst.zip(src).for_each(|(d, &s)| *d += s);
        }
    });
}

/// [`fold_image`] for a window of stride 1 without padding or dilation: each row of the columns
/// is `oh` runs of `ow` elements added onto the image, with no bounds to work out and in blocks
/// of 8.
fn fold_plain<F: Float>(
    cols: &[F],
    image: &mut [F],
    channels: usize,
    size: [usize; 2],
    window: Window,
) {
    window.plain_runs(channels, size, |col, at, len| {
        add_run(&mut image[at..at + len], &cols[col..col + len]);
    });
}

/// `dst += src` for two slices of one length, in blocks of 8.
#[inline(always)]
fn add_run<F: Float>(dst: &mut [F], src: &[F]) {
    let whole = dst.len() - dst.len() % 8;
    for b in (0..whole).step_by(8) {
        let d: &mut [F; 8] = (&mut dst[b..b + 8]).try_into().expect("8");
        let s: &[F; 8] = src[b..b + 8].try_into().expect("8");
        d.iter_mut().zip(s).for_each(|(d, &s)| *d += s);
    }
    let tail = dst[whole..].iter_mut().zip(&src[whole..]);
    tail.for_each(|(d, &s)| *d += s);
}

impl<F: Float> Tensor<F> {
    /// The `[N, C, H, W]` image (`size` = `[H, W]`) whose every position is the sum of the
    /// entries of `[N, C·kh·kw, oh·ow]` that `unfold` would have copied from it (PyTorch's
    /// `F.fold`); padding positions are dropped.
    ///
    /// # Panics
    /// When the columns do not fit `window` over `size`.
    #[track_caller]
    pub fn fold(&self, size: [usize; 2], window: Window) -> Self {
        let [n, c, len] = check_columns(self.shape(), size, window);
        let [h, w] = size;
        let mut out = vec![F::zero(); n * c * h * w];
        if out.is_empty() || len == 0 {
            return Tensor::from_vec(out, &[n, c, h, w]);
        }
        let cols = self.array().as_standard_layout();
        let cols = cols.as_slice().expect("standard layout");
        for (image, block) in out.chunks_mut(c * h * w).zip(cols.chunks(cols.len() / n)) {
            fold_image(block, image, c, size, window);
        }
        Tensor::from_vec(out, &[n, c, h, w])
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// Columns `[N, C·kh·kw, oh·ow]` summed back onto an `[N, C, H, W]` image of spatial `size`
    /// (col2im, PyTorch's `F.fold`): the adjoint of [`Var::unfold`], and its gradient.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor, Window};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::<f64>::ones(&[1, 1, 3, 3]));
    /// let window = Window::new([2, 2]);
    /// // each position counts the 2×2 windows that cover it
    /// let counts = x.unfold(window).fold([3, 3], window).value().to_vec();
    /// assert_eq!(counts, vec![1.0, 2.0, 1.0, 2.0, 4.0, 2.0, 1.0, 2.0, 1.0]);
    /// ```
    ///
    /// # Panics
    /// When the var's shape is not `[N, C·kh·kw, oh·ow]` for `window` over `size`.
    #[track_caller]
    pub fn fold(&self, size: [usize; 2], window: Window) -> Var<'t, F> {
        let value = self.value().fold(size, window);
        self.tape().push(Fold { window }, &[self], value)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Tape, Tensor, Window};

    #[test]
    fn plain_window_matches_the_walk() {
        // 2 channels of 5×11, kernel 3×2: runs of 10 (a block of 8 and a tail of 2)
        let (cols, window) = (
            (0..360).map(f64::from).collect::<Vec<_>>(),
            Window::new([3, 2]),
        );
        let mut plain = vec![0.5; 110];
        super::fold_plain(&cols, &mut plain, 2, [5, 11], window);
        let mut walked = vec![0.5; 110];
        window.walk(2, [5, 11], |col, at, outputs, _| {
            let dst = walked[at..at + outputs.len()].iter_mut();
            dst.zip(&cols[col..]).for_each(|(d, &s)| *d += s);
        });
        assert_eq!(plain, walked);
    }

    #[test]
    fn strided_padded_fold_drops_padding() {
        // the adjoint of the unfold test: windows [pad 1] and [2 3] sum back to [1 2 3]
        let cols = Tensor::from_vec(vec![9.0, 2.0, 1.0, 3.0], &[1, 2, 2]);
        let window = Window::new([1, 2]).stride([1, 2]).padding([0, 1]);
        assert_eq!(cols.fold([1, 3], window).to_vec(), vec![1.0, 2.0, 3.0]);
    }

    #[test]
    #[should_panic(expected = "fold: columns [1, 3, 4] do not fit kernel [2, 2] over [3, 3]")]
    fn wrong_columns_panic() {
        let tape = Tape::new();
        tape.watch(Tensor::<f32>::zeros(&[1, 3, 4]))
            .fold([3, 3], Window::new([2, 2]));
    }
}
