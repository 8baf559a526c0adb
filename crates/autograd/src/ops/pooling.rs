//! Pooling composites: `avg_pool2d`, the mean over the window axis of [`Var::unfold`]'s columns,
//! and `global_avg_pool2d`. (`max_pool2d` is a primitive: it keeps where each maximum was.)

use crate::ops::window::{Window, nchw};
use crate::{Float, Var};

/// The windows of an `[N, C, H, W]` var as `[N, C, kh·kw, oh·ow]`, and the pooled shape;
/// shapes are checked in `op`'s name.
#[track_caller]
fn windows<'t, F: Float>(
    x: &Var<'t, F>,
    op: &str,
    kernel: [usize; 2],
    stride: [usize; 2],
) -> (Var<'t, F>, [usize; 4]) {
    let [n, c, h, w] = nchw(op, "input", &x.shape());
    let window = Window::new(kernel).stride(stride);
    let [oh, ow] = window.output_size(op, [h, w]);
    let cols = x.unfold(window);
    let taps = kernel[0] * kernel[1];
    (cols.reshape(&[n, c, taps, oh * ow]), [n, c, oh, ow])
}

impl<'t, F: Float> Var<'t, F> {
    /// The mean of each `kernel` window of an `[N, C, H, W]` var, the window moved by `stride`:
    /// `[N, C, oh, ow]` (PyTorch's `F.avg_pool2d(x, kernel, stride)`). Each position receives
    /// `1 / (kh·kw)` of the gradient of every window it is in.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec((1..=16).map(f64::from).collect(), &[1, 1, 4, 4]));
    /// let y = x.avg_pool2d([2, 2], [2, 2]);
    /// assert_eq!(y.value().to_vec(), vec![3.5, 5.5, 11.5, 13.5]);
    /// ```
    ///
    /// # Panics
    /// When the var is not 4-D, a kernel size or stride is zero, or the kernel is larger than
    /// the input.
    #[track_caller]
    pub fn avg_pool2d(&self, kernel: [usize; 2], stride: [usize; 2]) -> Var<'t, F> {
        let (windows, out) = windows(self, "avg_pool2d", kernel, stride);
        windows.mean(&[2], false).reshape(&out)
    }

    /// The mean of each channel of an `[N, C, H, W]` var over its `H × W` positions: `[N, C]`
    /// (global average pooling, PyTorch's `F.adaptive_avg_pool2d(x, 1).flatten(1)`).
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec((1..=8u8).map(f32::from).collect(), &[1, 2, 2, 2]));
    /// assert_eq!(x.global_avg_pool2d().value().to_vec(), vec![2.5, 6.5]);
    /// ```
    ///
    /// # Panics
    /// When the var is not 4-D.
    #[track_caller]
    pub fn global_avg_pool2d(&self) -> Var<'t, F> {
        nchw("global_avg_pool2d", "input", &self.shape());
        self.mean(&[2, 3], false)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Tape, Tensor};

    #[test]
    #[should_panic(
        expected = "avg_pool2d: kernel [2, 2], stride [0, 2] and dilation [1, 1] must be positive"
    )]
    fn avg_pool_zero_stride_panics() {
        let tape = Tape::new();
        tape.watch(Tensor::<f32>::zeros(&[1, 1, 4, 4]))
            .avg_pool2d([2, 2], [0, 2]);
    }

    #[test]
    #[should_panic(expected = "global_avg_pool2d: input must be 4-D [N, C, H, W], not [2, 3]")]
    fn global_pool_of_2d_panics() {
        let tape = Tape::new();
        tape.watch(Tensor::<f32>::zeros(&[2, 3]))
            .global_avg_pool2d();
    }
}
