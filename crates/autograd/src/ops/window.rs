//! `Window`: the geometry of a sliding window over the last two axes of `[N, C, H, W]`, shared
//! by `unfold`, `fold`, the convolutions and the pools, and the index walk they all run.

use std::ops::Range;

/// A sliding window over the two spatial axes of an `[N, C, H, W]` tensor, with PyTorch's
/// meanings: a `kernel` of `[kh, kw]` positions, moved by `stride`, over the input padded with
/// `padding` zeros on each side, its taps `dilation` apart. Each pair is `[height, width]`.
///
/// ```
/// use descent_autograd::Window;
/// let window = Window::new([5, 5]);
/// assert_eq!(window.output_size("conv2d", [28, 28]), [24, 24]);
/// let strided = Window::new([3, 3]).stride([2, 2]).padding([1, 1]);
/// assert_eq!(strided.output_size("conv2d", [28, 28]), [14, 14]);
/// assert_eq!(Window::new([3, 1]).dilation([2, 1]).output_size("conv2d", [7, 7]), [3, 7]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// `[kh, kw]`: the window's size.
    pub kernel: [usize; 2],
    /// `[sh, sw]`: how far the window moves per output position.
    pub stride: [usize; 2],
    /// `[ph, pw]`: zeros added before and after the input on each spatial axis.
    pub padding: [usize; 2],
    /// `[dh, dw]`: the spacing of the window's taps (1 for adjacent).
    pub dilation: [usize; 2],
}

impl Window {
    /// A `kernel` window with stride 1, no padding and dilation 1.
    pub fn new(kernel: [usize; 2]) -> Self {
        Window {
            kernel,
            stride: [1, 1],
            padding: [0, 0],
            dilation: [1, 1],
        }
    }

    /// The window with this stride.
    pub fn stride(self, stride: [usize; 2]) -> Self {
        Window { stride, ..self }
    }

    /// The window with this padding.
    pub fn padding(self, padding: [usize; 2]) -> Self {
        Window { padding, ..self }
    }

    /// The window with this dilation.
    pub fn dilation(self, dilation: [usize; 2]) -> Self {
        Window { dilation, ..self }
    }

    /// Whether the window moves by 1 over the unpadded input with adjacent taps, so that each
    /// row of its columns is whole runs of the input.
    pub(crate) fn is_plain(&self) -> bool {
        self.stride == [1, 1] && self.padding == [0, 0] && self.dilation == [1, 1]
    }

    /// For a plain window ([`Window::is_plain`]) over `channels` planes of `[h, w]`:
    /// `run(col, at, len)` for each run of `len` adjacent input elements, which starts at
    /// element `col` of the columns `[C·kh·kw, oh·ow]` and at element `at` of the `[C, H, W]`
    /// block. No bounds to work out: every run is whole.
    #[inline(always)]
    pub(crate) fn plain_runs(
        &self,
        channels: usize,
        [h, w]: [usize; 2],
        mut run: impl FnMut(usize, usize, usize),
    ) {
        let [kh, kw] = self.kernel;
        let [oh, ow] = [h + 1 - kh, w + 1 - kw];
        for c in 0..channels {
            for (ki, kj) in (0..kh).flat_map(|ki| (0..kw).map(move |kj| (ki, kj))) {
                let (col, at) = (((c * kh + ki) * kw + kj) * oh * ow, (c * h + ki) * w + kj);
                for oy in 0..oh {
                    run(col + oy * ow, at + oy * w, ow);
                }
            }
        }
    }

    /// The number of window positions `[oh, ow]` on an input of spatial size `[h, w]`:
    /// `(h + 2·ph − dh·(kh − 1) − 1) / sh + 1` on each axis.
    ///
    /// # Panics
    /// When a kernel size, stride or dilation is zero, or the (dilated) kernel is larger than
    /// the padded input; the message names `op`.
    #[track_caller]
    pub fn output_size(&self, op: &str, input: [usize; 2]) -> [usize; 2] {
        let w = self;
        if w.kernel.contains(&0) || w.stride.contains(&0) || w.dilation.contains(&0) {
            panic!(
                "{op}: kernel {:?}, stride {:?} and dilation {:?} must be positive",
                w.kernel, w.stride, w.dilation
            );
        }
        [0, 1].map(|i| {
            let span = w.dilation[i] * (w.kernel[i] - 1) + 1;
            let padded = input[i] + 2 * w.padding[i];
            if span > padded {
                panic!(
                    "{op}: kernel {:?} (dilation {:?}) is larger than the input {input:?} \
                     padded by {:?}",
                    w.kernel, w.dilation, w.padding
                );
            }
            (padded - span) / w.stride[i] + 1
        })
    }

    /// Calls `f(col, input, outputs, step)` for every row of the unfolded matrix of one image of
    /// `channels × size`: `col` is where the row's run of outputs starts in the `[C·kh·kw, oh·ow]`
    /// block, `input` where its first input element is in the `[C, H, W]` block, `outputs` the
    /// range of output columns that fall inside the input (the others are padding), `step`
    /// the input distance between neighbouring outputs.
    pub(crate) fn walk(
        &self,
        channels: usize,
        size: [usize; 2],
        mut f: impl FnMut(usize, usize, Range<usize>, usize),
    ) {
        let [oh, ow] = self.output_size("unfold", size);
        let ([kh, kw], [h, w]) = (self.kernel, size);
        for c in 0..channels {
            for ki in 0..kh {
                let y_offset = (ki * self.dilation[0]) as isize - self.padding[0] as isize;
                let rows = inside(oh, self.stride[0], y_offset, h);
                for kj in 0..kw {
                    let x_offset = (kj * self.dilation[1]) as isize - self.padding[1] as isize;
                    let cols = inside(ow, self.stride[1], x_offset, w);
                    let row = (c * kh + ki) * kw + kj;
                    for oy in rows.clone() {
                        let iy = (oy * self.stride[0]) as isize + y_offset;
                        let ix = (cols.start * self.stride[1]) as isize + x_offset;
                        let input = (c * h + iy as usize) * w + ix as usize;
                        let col = (row * oh + oy) * ow;
                        f(col, input, cols.clone(), self.stride[1]);
                    }
                }
            }
        }
    }
}

/// The outputs `o < len` whose input position `o·stride + offset` lies in `0..size`.
fn inside(len: usize, stride: usize, offset: isize, size: usize) -> Range<usize> {
    let (stride, size) = (stride as isize, size as isize);
    let first = if offset >= 0 {
        0
    } else {
        (-offset + stride - 1) / stride
    };
    let end = if size <= offset {
        0
    } else {
        (size - offset + stride - 1) / stride
    };
    let end = (end as usize).min(len);
    (first as usize).min(end)..end
}

/// The four dimensions of an `[N, C, H, W]` shape.
///
/// # Panics
/// When the shape is not 4-D; the message names `op` and `what` the shape is.
#[track_caller]
pub(crate) fn nchw(op: &str, what: &str, shape: &[usize]) -> [usize; 4] {
    match shape {
        &[n, c, h, w] => [n, c, h, w],
        _ => panic!("{op}: {what} must be 4-D [N, C, H, W], not {shape:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inside_skips_padding() {
        // 4 outputs, stride 2, offset −1 over 5 inputs: positions −1, 1, 3, 5 → outputs 1, 2
        assert_eq!(inside(4, 2, -1, 5), 1..3);
        assert_eq!(inside(3, 1, 0, 3), 0..3);
        assert_eq!(inside(3, 1, 4, 3), 0..0);
    }

    #[test]
    #[should_panic(
        expected = "conv2d: kernel [3, 3], stride [0, 1] and dilation [1, 1] must be positive"
    )]
    fn zero_stride_panics() {
        Window::new([3, 3])
            .stride([0, 1])
            .output_size("conv2d", [5, 5]);
    }

    #[test]
    #[should_panic(
        expected = "conv2d: kernel [5, 5] (dilation [1, 1]) is larger than the input [3, 4] padded by [0, 0]"
    )]
    fn kernel_larger_than_input_panics() {
        Window::new([5, 5]).output_size("conv2d", [3, 4]);
    }
}
