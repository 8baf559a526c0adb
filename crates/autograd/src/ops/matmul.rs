//! `matmul`: matrix product over the last two axes, batched over the leading ones.

use crate::op::{Backward, Grads};
use crate::shape::{Shape, broadcast_shapes, mismatch};
use crate::{Float, Op, Operand, Tensor, Var};
use ndarray::{ArrayView2, ArrayViewD, ArrayViewMut2, Axis, Dimension, Ix2, IxDyn};

struct MatMul;

impl<F: Float> Op<F> for MatMul {
    fn name(&self) -> &'static str {
        "matmul"
    }
    // d/dA (A·B) = G·Bᵀ, d/dB (A·B) = Aᵀ·G (transposes are views; batch axes summed back)
    fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
        let [a, b] = [&ctx.inputs[0], &ctx.inputs[1]];
        let g = ctx.grad;
        [
            ctx.grad_of(0, || g.matmul(&b.transpose()).sum_to(&a.shape())),
            ctx.grad_of(1, || a.transpose().matmul(g).sum_to(&b.shape())),
        ]
        .into_iter()
        .collect()
    }
}

/// `c = a · b + beta · c`: every product in descent goes through here. It runs on the `gemm`
/// crate's kernels (AVX-512 where the CPU has it, else AVX2 + FMA, chosen by the crate at run
/// time), reading strided and transposed views in place, never copying.
///
/// A product of at least [`split_work`] multiply-adds is cut in two halves along its longer
/// output side, and the halves go to `parallel::join`: the helper thread takes one half, and a
/// busy machine costs nothing, because the calling thread runs the half nobody took. The cut
/// depends only on the shapes, never on the number of threads, and each output element is
/// summed over `k` by one kernel call, so results are bit-identical for any thread count.
pub(crate) fn gemm<F: Float>(
    a: ArrayView2<'_, F>,
    b: ArrayView2<'_, F>,
    beta: F,
    mut c: ArrayViewMut2<'_, F>,
) {
    let ((m, k), n) = (a.dim(), b.dim().1);
    assert!(
        b.dim().0 == k && c.dim() == (m, n),
        "gemm: operand shapes are checked by callers"
    );
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        match beta == F::zero() {
            true => c.fill(F::zero()), // `c` may hold anything when beta is 0
            false => c.mapv_inplace(|x| x * beta),
        }
        return;
    }
    if m * n * k >= split_work() && m.max(n) >= 2 * SPLIT_ALIGN {
        let cut = |len: usize| (len / 2).next_multiple_of(SPLIT_ALIGN).min(len - 1);
        // The longer side is cut; a square output by rows, so that each half is contiguous,
        // as the halves in which the optimizers update a weight gradient are.
        if n > m {
            let (b1, b2) = b.split_at(Axis(1), cut(n));
            let (c1, c2) = c.split_at(Axis(1), cut(n));
            crate::parallel::join(|| gemm(a, b1, beta, c1), || gemm(a, b2, beta, c2));
        } else {
            let (a1, a2) = a.split_at(Axis(0), cut(m));
            let (c1, c2) = c.split_at(Axis(0), cut(m));
            crate::parallel::join(|| gemm(a1, b, beta, c1), || gemm(a2, b, beta, c2));
        }
        return;
    }
    kernel(a, b, beta, c);
}

/// Products of this many multiply-adds and more are split across threads: 2²² on AMD, 2²³ on
/// Intel. Both measured with `bench_mnist --arch A --epochs 2` on 2 threads, where the choice
/// decides whether arch A's 6.4M-multiply-add products are split:
/// - AMD EPYC Zen 5: splitting trained arch A ×1.21 faster (4 alternating pairs, 321–364k
///   against 265–294k samples/s).
/// - Intel Xeon (AVX-512, 2026-12-02): splitting trained it ×0.75 (104–108k samples/s in 2
///   runs, against 126–152k in 4 unsplit), though each split product alone timed faster. A
///   likely cause, not measured: the half of the weight gradient the helper computes (200 KB)
///   is then read across cores by the optimizer step. Arch B's products (33M and 51M
///   multiply-adds) gain from the split on both.
///
/// The threshold depends only on the CPU, never on the thread count, so results stay
/// bit-identical for any number of threads on one machine.
pub(crate) fn split_work() -> usize {
    static WORK: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *WORK.get_or_init(|| if intel() { 1 << 23 } else { 1 << 22 })
}

/// Whether the CPU's vendor is Intel.
fn intel() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        let id = std::arch::x86_64::__cpuid(0);
        let vendor: Vec<u8> = [id.ebx, id.edx, id.ecx]
            .iter()
            .flat_map(|r| r.to_le_bytes())
            .collect();
        vendor == b"GenuineIntel"
    }
    #[cfg(not(target_arch = "x86_64"))]
    false
}
/// Cuts fall on multiples of this many rows or columns (a whole AVX-512 register of f32).
const SPLIT_ALIGN: usize = 16;

/// One product on the calling thread.
#[allow(unsafe_code)]
fn kernel<F: Float>(
    a: ArrayView2<'_, F>,
    b: ArrayView2<'_, F>,
    beta: F,
    mut c: ArrayViewMut2<'_, F>,
) {
    let ((m, k), n) = (a.dim(), b.dim().1);
    let [a_rs, a_cs] = [a.strides()[0], a.strides()[1]];
    let [b_rs, b_cs] = [b.strides()[0], b.strides()[1]];
    let [c_rs, c_cs] = [c.strides()[0], c.strides()[1]];
    // SAFETY: the pointers and (element) strides come from live ndarray views of shapes
    // m×k, k×n and m×n, so every element the kernel addresses (row·rs + col·cs within those
    // shapes) is inside its view; `c` is a unique borrow, so it overlaps neither `a` nor `b`;
    // `F` is f32 or f64, the types the crate supports. The crate computes
    // `dst = alpha·dst + beta·lhs·rhs`, hence (beta, 1) for our `beta·c + a·b`.
    unsafe {
        ::gemm::gemm(
            m,
            n,
            k,
            c.as_mut_ptr(),
            c_cs,
            c_rs,
            beta != F::zero(),
            a.as_ptr(),
            a_cs,
            a_rs,
            b.as_ptr(),
            b_cs,
            b_rs,
            beta,
            F::one(),
            false,
            false,
            false,
            ::gemm::Parallelism::None,
        );
    }
}

/// `a · b` for two matrix views (transposed views included), into pooled storage.
pub(crate) fn product<F: Float>(a: ArrayView2<'_, F>, b: ArrayView2<'_, F>) -> Tensor<F> {
    let mut out = Tensor::pooled(&[a.nrows(), b.ncols()], |_| {}); // beta = 0: gemm writes all
    let c = out.view_mut().into_dimensionality::<Ix2>().expect("2-D");
    gemm(a, b, F::zero(), c);
    out
}

/// The matrix at batch position `index` of a batched view.
fn matrix_at<'a, F>(mut view: ArrayViewD<'a, F>, index: &[usize]) -> ArrayView2<'a, F> {
    for &i in index {
        view = view.index_axis_move(Axis(0), i);
    }
    view.into_dimensionality::<Ix2>().expect("two matrix axes")
}

impl<F: Float> Tensor<F> {
    /// The matrix product of the last two axes; leading axes broadcast as batch dimensions.
    ///
    /// # Panics
    /// When an operand has fewer than 2 axes, the inner dimensions differ, or the batch
    /// dimensions do not broadcast.
    #[track_caller]
    pub fn matmul(&self, other: &Self) -> Self {
        let (sa, sb) = (self.shape(), other.shape());
        if sa.len() < 2 || sb.len() < 2 {
            mismatch("matmul", "needs at least 2-D operands, got", sa, sb);
        }
        let (m, k) = (sa[sa.len() - 2], sa[sa.len() - 1]);
        let (k2, n) = (sb[sb.len() - 2], sb[sb.len() - 1]);
        if k != k2 {
            mismatch("matmul", "cannot multiply", sa, sb);
        }
        let (batch_a, batch_b) = (&sa[..sa.len() - 2], &sb[..sb.len() - 2]);
        let fits = (batch_a.iter().rev().zip(batch_b.iter().rev()))
            .all(|(&x, &y)| x == y || x == 1 || y == 1);
        if !fits {
            mismatch("matmul", "batch dimensions do not broadcast:", sa, sb);
        }
        let batch = broadcast_shapes("matmul", batch_a, batch_b);
        let out_shape: Shape = batch.iter().copied().chain([m, n]).collect();
        if batch.is_empty() {
            return product(matrix_at(self.view(), &[]), matrix_at(other.view(), &[]));
        }
        let mut out = ndarray::ArrayD::zeros(IxDyn(&out_shape));
        let a_shape: Shape = batch.iter().copied().chain([m, k]).collect();
        let b_shape: Shape = batch.iter().copied().chain([k, n]).collect();
        let a = self
            .array()
            .broadcast(IxDyn(&a_shape))
            .expect("batch shapes broadcast");
        let b = other
            .array()
            .broadcast(IxDyn(&b_shape))
            .expect("batch shapes broadcast");
        for index in ndarray::indices(IxDyn(&batch)) {
            let index = index.slice().to_vec();
            let mut c = out.view_mut();
            for &i in &index {
                c = c.index_axis_move(Axis(0), i);
            }
            let c = c.into_dimensionality::<Ix2>().expect("2-D");
            gemm(
                matrix_at(a.view(), &index),
                matrix_at(b.view(), &index),
                F::zero(),
                c,
            );
        }
        out.into()
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// The matrix product of the last two axes; leading axes broadcast as batch dimensions.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let a = tape.watch(Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], &[2, 2]));
    /// let i = tape.watch(Tensor::from_vec(vec![1.0f32, 0.0, 0.0, 1.0], &[2, 2]));
    /// assert_eq!(a.matmul(&i).value(), a.value());
    /// ```
    ///
    /// # Panics
    /// When an operand has fewer than 2 axes, the inner dimensions differ ("matmul: cannot
    /// multiply [64, 784] and [128, 10]"), or the batch dimensions do not broadcast.
    #[track_caller]
    pub fn matmul(&self, other: &Var<'t, F>) -> Var<'t, F> {
        let value = self.value().matmul(&other.value());
        self.tape().push(MatMul, &[self, other], value)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Tape, Tensor};

    #[test]
    fn the_vendor_is_read_as_the_kernel_reads_it() {
        let Ok(cpuinfo) = std::fs::read_to_string("/proc/cpuinfo") else {
            return; // not Linux: nothing to compare with
        };
        let vendor = cpuinfo.lines().find(|l| l.starts_with("vendor_id"));
        if let Some(line) = vendor {
            assert_eq!(super::intel(), line.ends_with("GenuineIntel"), "{line}");
            let expected = if super::intel() { 1 << 23 } else { 1 << 22 };
            assert_eq!(super::split_work(), expected);
        }
    }

    #[test]
    fn multiplies_by_hand() {
        let a = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
        let b = Tensor::from_vec(vec![1.0, 0.0, 0.0, 1.0, 1.0, 1.0], &[3, 2]);
        assert_eq!(a.matmul(&b).to_vec(), vec![4.0, 5.0, 10.0, 11.0]);
    }

    #[test]
    fn batches_broadcast() {
        let a = Tensor::<f64>::ones(&[3, 2, 4]);
        let b = Tensor::<f64>::ones(&[4, 5]);
        let c = a.matmul(&b);
        assert_eq!(c.shape(), &[3, 2, 5]);
        assert!(c.to_vec().iter().all(|&x| x == 4.0));
    }

    #[test]
    fn transposed_view_is_not_copied() {
        let a = Tensor::<f32>::ones(&[3, 4]);
        let t = a.permute(&[1, 0]);
        assert_eq!(a.array().as_ptr(), t.array().as_ptr());
    }

    #[test]
    #[should_panic(expected = "matmul: cannot multiply [64, 784] and [128, 10]")]
    fn mismatch_names_both_shapes() {
        let tape = Tape::new();
        let a = tape.watch(Tensor::<f32>::zeros(&[64, 784]));
        let b = tape.watch(Tensor::<f32>::zeros(&[128, 10]));
        a.matmul(&b);
    }
}
