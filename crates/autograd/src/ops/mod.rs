//! The ops. Primitives have one file each (forward kernel, backward rule, `Var` method, literal
//! tests); composites are plain functions of primitives, grouped by family.

use crate::shape::broadcast_shapes;
use crate::{Float, Var};

// Elementwise primitives.
mod abs;
mod add;
mod add_scalar;
mod clamp;
mod cos;
mod erf;
mod exp;
mod ln;
mod ln_1p;
mod mul;
mod mul_scalar;
mod powf;
mod relu;
mod select;
mod sigmoid;
mod sin;
mod tanh;
// Reductions and scans.
mod cumsum;
mod logsumexp;
mod max;
mod sum;
// Shapes and products.
mod broadcast_to;
mod concat;
mod index_select;
mod linear;
mod matmul;
mod permute;
mod reshape;
mod scatter_add;
mod slice;
// Convolutions and pooling.
mod conv1d;
mod conv2d;
mod fold;
mod max_pool2d;
mod pad;
mod pooling;
mod unfold;
pub(crate) mod window;
// Fused.
mod cross_entropy;
// Composites.
mod activations;
mod arithmetic;
pub(crate) mod classification;
mod losses;
mod reductions;
mod shaping;
mod smooth;

/// Broadcasts two vars to their common shape, inserting `broadcast_to` only where needed.
#[track_caller]
pub(crate) fn broadcast_pair<'t, F: Float>(
    op: &str,
    a: &Var<'t, F>,
    b: &Var<'t, F>,
) -> (Var<'t, F>, Var<'t, F>) {
    if std::ptr::eq(a.tape(), b.tape()) && a.tape().same_shape(a.index(), b.index()) {
        return (*a, *b);
    }
    let (sa, sb) = (a.shape(), b.shape());
    let shape = broadcast_shapes(op, &sa, &sb);
    let widen = |v: &Var<'t, F>, s: &[usize]| {
        if s == shape.as_slice() {
            *v
        } else {
            v.broadcast_to(&shape)
        }
    };
    (widen(a, &sa), widen(b, &sb))
}

/// Folds `t` over `axes` (normalised; empty means all) with `fold`, keeping unit axes or not.
pub(crate) fn reduce<F: Float>(
    t: &crate::Tensor<F>,
    op: &str,
    axes: &[usize],
    keepdims: bool,
    init: F,
    fold: impl Fn(F, F) -> F + Copy,
) -> crate::Tensor<F> {
    use crate::shape::{reduced_shape, reduction_axes};
    let axes = reduction_axes(op, axes, t.shape());
    let shape = reduced_shape(t.shape(), &axes, keepdims);
    let mut array = t.array().to_owned();
    for &axis in axes.iter().rev() {
        array = array.fold_axis(ndarray::Axis(axis), init, |&acc, &x| fold(acc, x));
    }
    let array = array
        .into_shape_with_order(ndarray::IxDyn(&shape))
        .expect("reduced shape");
    array.into()
}
