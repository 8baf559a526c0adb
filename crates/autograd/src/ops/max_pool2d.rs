//! `max_pool2d`: the largest element of each window, its gradient routed to that element.

use crate::op::{Backward, Grads};
use crate::ops::window::{Window, nchw};
use crate::pool::SpareVec;
use crate::{Float, Op, Operand, Tensor, Var, parallel};

/// Where each output's maximum was, as a flat index into the input (in a buffer that goes back
/// to the thread's spares with the tape).
struct MaxPool2d {
    argmax: SpareVec<usize>,
}

impl<F: Float> Op<F> for MaxPool2d {
    fn name(&self) -> &'static str {
        "max_pool2d"
    }
    // d/dxᵢ max(window) = 1 if xᵢ is the window's (first) maximum, else 0: each output's
    // gradient is added to the input position it came from, as ReLU passes it to positive inputs.
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let shape = ctx.inputs[0].shape();
        let size = shape.iter().product();
        ctx.unary(|| {
            let argmax = &self.argmax.0;
            let at = Tensor::from_vec(argmax.clone(), &[argmax.len()]);
            let g = ctx.grad.reshape(&[argmax.len()]);
            g.scatter_add(0, &at, size).reshape(&shape)
        })
    }
    fn backward_fused(&self, ctx: &Backward<'_, Tensor<F>>) -> Option<Grads<Tensor<F>>> {
        let shape = ctx.inputs[0].shape();
        Some(ctx.unary(|| {
            let g = ctx.grad.array().as_standard_layout();
            let g = g.as_slice().expect("standard layout");
            Tensor::pooled(shape, |dx| {
                dx.fill(F::zero());
                let pairs = self.argmax.0.iter().zip(g);
                pairs.for_each(|(&i, &g)| dx[i] += g);
            })
        }))
    }
}

/// The shapes of one pooling: input plane, window, stride and output plane, `[rows, columns]`.
#[derive(Clone, Copy)]
struct Geometry {
    size: [usize; 2],
    kernel: [usize; 2],
    stride: [usize; 2],
    out: [usize; 2],
}

/// Whether tap `v` takes over from the window's maximum so far, `max`, in a plane with a NaN:
/// it is larger, or it is the first NaN (after which nothing takes over). Scanning in order,
/// ties keep the first. In a plane without NaN, `v > max` alone decides.
#[inline(always)]
fn takes_over<F: Float>(v: F, max: F) -> bool {
    (v > max) | (v.is_nan() & !max.is_nan())
}

/// [`pool`]'s arguments, for `pulp::Arch::dispatch`: its `with_simd` is inlined into the
/// function compiled for each instruction set, so the pool's loops vectorise to the widest
/// (a closure handed to [`crate::vectorized`] was compiled apart, for SSE2 only).
struct Planes<'a, F>(&'a [F], usize, &'a mut [F], &'a mut [usize], Geometry);

impl<F: Float> pulp::WithSimd for Planes<'_, F> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        let Planes(input, first_plane, values, argmax, geometry) = self;
        pool(input, first_plane, values, argmax, geometry);
    }
}

/// Pools the planes from `first_plane` on into `values` and `argmax`. A plane with a NaN
/// takes the slower rule that lets the first NaN win; the others compare only.
#[inline(always)]
fn pool<F: Float>(
    input: &[F],
    first_plane: usize,
    values: &mut [F],
    argmax: &mut [usize],
    geometry: Geometry,
) {
    let (plane, out) = (
        geometry.size[0] * geometry.size[1],
        geometry.out[0] * geometry.out[1],
    );
    let planes = values
        .chunks_mut(out.max(1))
        .zip(argmax.chunks_mut(out.max(1)));
    // The 2×2 pool of a plane without NaN has a loop of its own, which holds indices within a
    // plane as u32, and its row-pair maxima and their indices in two spares of the thread
    // that runs this half (one plane at a time).
    let halving =
        geometry.kernel == [2, 2] && geometry.stride == [2, 2] && plane <= u32::MAX as usize;
    let mut scratch = halving.then(|| {
        let spare = SpareVec::<u32>::overwritten(2 * out);
        (SpareVec::<F>::overwritten(2 * out), spare)
    });
    for (p, (values, argmax)) in (first_plane..).zip(planes) {
        let image = &input[p * plane..(p + 1) * plane];
        let first = p * plane;
        let nan = image.iter().fold(false, |nan, v| nan | v.is_nan());
        match (nan, scratch.as_mut()) {
            (true, _) => pool_plane(image, first, values, argmax, geometry, takes_over),
            (false, Some((vertical, at))) => {
                let scratch = (&mut vertical.0[..], &mut at.0[..]);
                halve_plane(image, first, values, argmax, geometry, scratch);
            }
            (false, None) => pool_plane(image, first, values, argmax, geometry, |v, max| v > max),
        }
    }
}

/// The 2×2, stride-2 pool of a plane without NaN, in two passes that run on whole vectors:
/// the larger of each column's row pair (`vertical`, the lower only when strictly larger),
/// then of each pair of neighbouring columns, over the plane as one flat loop (each output row
/// has exactly `2·ow` entries). Ties keep the first tap in scan order: the right column wins a
/// tie only when its value is from the upper row and the left one's from the lower.
#[inline(always)]
fn halve_plane<F: Float>(
    image: &[F],
    first: usize,
    values: &mut [F],
    argmax: &mut [usize],
    geometry: Geometry,
    (vertical, at): (&mut [F], &mut [u32]),
) {
    let Geometry {
        size: [_, w],
        out: [_, ow],
        ..
    } = geometry;
    let rows = vertical
        .chunks_exact_mut(2 * ow)
        .zip(at.chunks_exact_mut(2 * ow));
    for (oy, (vertical, at)) in rows.enumerate() {
        let top = 2 * oy * w;
        let (upper, lower) = (&image[top..top + 2 * ow], &image[top + w..top + w + 2 * ow]);
        let columns = upper
            .iter()
            .zip(lower)
            .zip(vertical.iter_mut().zip(at.iter_mut()));
        for (x, ((&u, &l), (v, at))) in columns.enumerate() {
            let lower_wins = l > u;
            *v = if lower_wins { l } else { u };
            *at = (top + x + if lower_wins { w } else { 0 }) as u32;
        }
    }
    let pairs = vertical.chunks_exact(2).zip(at.chunks_exact(2));
    for ((v, i), (best, index)) in pairs.zip(values.iter_mut().zip(argmax.iter_mut())) {
        let right_wins = v[1] > v[0] || (v[1] == v[0] && i[1] < i[0]);
        *best = if right_wins { v[1] } else { v[0] };
        *index = first + if right_wins { i[1] } else { i[0] } as usize;
    }
}

/// Pools one plane, `first` its flat index in the input. Each window is scanned without a
/// branch on which tap wins (that is unpredictable: a branch on it took three times as long as
/// the whole pool takes now): the maximum and its index move by selects, `take` deciding.
#[inline(always)]
fn pool_plane<F: Float>(
    image: &[F],
    first: usize,
    values: &mut [F],
    argmax: &mut [usize],
    geometry: Geometry,
    take: impl Fn(F, F) -> bool + Copy,
) {
    let Geometry {
        size: [_, w],
        kernel: [kh, kw],
        stride,
        out: [_, ow],
    } = geometry;
    let rows = values.chunks_mut(ow).zip(argmax.chunks_mut(ow));
    for (oy, (best, at)) in rows.enumerate() {
        let top = oy * stride[0] * w;
        for (ox, (best, at)) in best.iter_mut().zip(at).enumerate() {
            let corner = top + ox * stride[1];
            let mut running = (image[corner], corner);
            for start in (corner..).step_by(w).take(kh) {
                for (i, &v) in (start..).zip(&image[start..start + kw]) {
                    running = after(take, running, (v, i));
                }
            }
            (*best, *at) = (running.0, first + running.1);
        }
    }
}

/// The running `(maximum, index)` of a window after tap `(v, i)`, moved by selects.
#[inline(always)]
fn after<F: Float>(
    take: impl Fn(F, F) -> bool,
    (max, index): (F, usize),
    (v, i): (F, usize),
) -> (F, usize) {
    let taken = take(v, max);
    (if taken { v } else { max }, if taken { i } else { index })
}

/// The pooled values and, for each, the flat input index of its maximum (the first, for ties;
/// a NaN wins).
#[track_caller]
fn forward<F: Float>(
    x: &Tensor<F>,
    kernel: [usize; 2],
    stride: [usize; 2],
) -> (Tensor<F>, SpareVec<usize>) {
    let [n, c, h, w] = nchw("max_pool2d", "input", x.shape());
    let [oh, ow] = Window::new(kernel)
        .stride(stride)
        .output_size("max_pool2d", [h, w]);
    let input = x.array().as_standard_layout();
    let input = input.as_slice().expect("standard layout");
    let out = oh * ow;
    let geometry = Geometry {
        size: [h, w],
        kernel,
        stride,
        out: [oh, ow],
    };
    let mut values = Tensor::pooled(&[n, c, oh, ow], |_| {}); // every element written below
    let mut argmax = SpareVec::overwritten(n * c * out); // every element written below
    {
        // The two halves of the planes go to parallel::join (the helper thread, if free).
        let cut = n * c / 2;
        let all = values
            .view_mut()
            .into_slice()
            .expect("pooled storage is standard");
        let (values_a, values_b) = all.split_at_mut(cut * out);
        let (argmax_a, argmax_b) = argmax.0.split_at_mut(cut * out);
        let arch = pulp::Arch::new();
        parallel::join(
            || arch.dispatch(Planes(input, 0, values_a, argmax_a, geometry)),
            || arch.dispatch(Planes(input, cut, values_b, argmax_b, geometry)),
        );
    }
    (values, argmax)
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
    fn a_nan_wins_and_takes_the_gradient() {
        // the first NaN of the window is the maximum, as in PyTorch
        let tape = Tape::new();
        let v = vec![1.0f32, f32::NAN, 5.0, f32::NAN];
        let x = tape.watch(Tensor::from_vec(v, &[1, 1, 2, 2]));
        let y = x.max_pool2d([2, 2], [2, 2]);
        assert!(y.value().item().is_nan());
        let g = tape.gradient(&y.sum(&[], false), &[x]);
        assert_eq!(g[0].to_vec(), vec![0.0, 1.0, 0.0, 0.0]);
    }

    #[test]
    fn matches_a_plain_scan() {
        // 5 planes (split unevenly between two halves), overlapping 3×2 windows, strides 2×1;
        // then the 2×2 windows of stride 2 that have their own loop, on odd sizes (the last row
        // and column are left out) with ties (three values)
        let (n, c) = (5, 1);
        for ([h, w], kernel, stride, modulus) in
            [([7, 6], [3, 2], [2, 1], 113), ([7, 9], [2, 2], [2, 2], 3)]
        {
            let values: Vec<f64> = (0..n * c * h * w)
                .map(|i| ((i * 7919) % modulus) as f64 - 56.0)
                .collect();
            let x = Tensor::from_vec(values.clone(), &[n, c, h, w]);
            let (y, at) = super::forward(&x, kernel, stride);
            let [oh, ow] = [0, 1].map(|i| (([h, w][i] - kernel[i]) / stride[i]) + 1);
            assert_eq!(y.shape(), &[n, c, oh, ow]);
            let (y, at) = (y.to_vec(), at.0.clone());
            for p in 0..n * c {
                for (oy, ox) in (0..oh).flat_map(|oy| (0..ow).map(move |ox| (oy, ox))) {
                    let corner = p * h * w + oy * stride[0] * w + ox * stride[1];
                    let taps = (0..kernel[0])
                        .flat_map(|i| (0..kernel[1]).map(move |j| corner + i * w + j));
                    let mut best = corner;
                    for t in taps {
                        if values[t] > values[best] {
                            best = t;
                        }
                    }
                    let o = p * oh * ow + oy * ow + ox;
                    assert_eq!(
                        (y[o], at[o]),
                        (values[best], best),
                        "kernel {kernel:?}, plane {p}, output {oy},{ox}"
                    );
                }
            }
        }
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
