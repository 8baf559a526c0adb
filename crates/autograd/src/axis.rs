//! One convention for axes across every op: [`Axis`] for one, [`Axes`] for several.
//!
//! An axis is counted from the front (`0` is the first) or, when negative, from the end (`-1`
//! is the last), as in NumPy and PyTorch. Ops that take one axis (`softmax`, `slice`, `concat`,
//! `cumsum`, …) accept any [`Axis`]: an `i32` literal, an `isize` or a `usize`. Ops that take
//! several (`sum`, `mean`, `max`, `std`, …) accept any [`Axes`]: one axis; a tuple, negative
//! axes included (`(0, -1)`, as NumPy's and PyTorch's `axis=(0, -1)`); a borrowed array of
//! `usize` (`&[0, 2]`, and `&[]` for every axis); or a borrowed slice, `Vec` or [`Shape`] of
//! axes. An empty list means every axis.
//!
//! ```
//! use descent_autograd::{Tape, Tensor};
//! let tape = Tape::new();
//! let x = tape.watch(Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]));
//! assert_eq!(x.sum(-1, false).value().to_vec(), vec![6.0, 15.0]); // one axis
//! assert_eq!(x.sum((0, -1), false).item(), 21.0); // several
//! assert_eq!(x.sum(&[0, 1], false).item(), 21.0); // several, borrowed (usize)
//! assert_eq!(x.sum(&[], false).item(), 21.0); // all
//! let rows: Vec<usize> = vec![1];
//! assert_eq!(x.sum(&rows, true).shape().as_slice(), &[2, 1]);
//! assert_eq!(x.softmax(-1).shape(), x.softmax(1).shape());
//! ```
//!
//! An axis outside `-rank..rank` panics naming the op, the axis, the shape and the rank.

use crate::shape::Shape;
use smallvec::SmallVec;

/// One axis: `i32`, `isize` or `usize`; negative counts from the end. See the [module
/// docs](crate::axis).
///
/// ```
/// use descent_autograd::{Tape, Tensor};
/// let tape = Tape::new();
/// let x = tape.watch(Tensor::<f64>::zeros(&[2, 3, 4]));
/// assert_eq!(x.flatten(-2).shape().as_slice(), &[2, 12]);
/// ```
pub trait Axis: Copy {
    /// The axis as a signed number (negative counts from the end).
    fn signed(self) -> i64;
}

/// Several axes: one [`Axis`], a tuple (`(0, -1)`), a borrowed `usize` array (`&[0, 2]`,
/// `&[]` for all), or a borrowed slice, `Vec` or [`Shape`] of axes. See the [module
/// docs](crate::axis).
///
/// ```
/// use descent_autograd::{Tape, Tensor};
/// let tape = Tape::new();
/// let x = tape.watch(Tensor::<f64>::ones(&[2, 3, 4]));
/// assert_eq!(x.mean((-1, 0), false).shape().as_slice(), &[3]);
/// ```
pub trait Axes {
    /// The axes as signed numbers, in the order given.
    fn signed(&self) -> SmallVec<[i64; 4]>;
}

impl Axis for i32 {
    fn signed(self) -> i64 {
        i64::from(self)
    }
}

impl Axis for isize {
    fn signed(self) -> i64 {
        self as i64
    }
}

impl Axis for usize {
    fn signed(self) -> i64 {
        i64::try_from(self).unwrap_or(i64::MAX)
    }
}

impl Axes for i32 {
    fn signed(&self) -> SmallVec<[i64; 4]> {
        smallvec::smallvec![Axis::signed(*self)]
    }
}

impl Axes for isize {
    fn signed(&self) -> SmallVec<[i64; 4]> {
        smallvec::smallvec![Axis::signed(*self)]
    }
}

impl Axes for usize {
    fn signed(&self) -> SmallVec<[i64; 4]> {
        smallvec::smallvec![Axis::signed(*self)]
    }
}

/// Borrowed arrays hold `usize` axes, so `&[]` (every axis) and `&[axis]` need no annotation.
impl<const N: usize> Axes for &[usize; N] {
    fn signed(&self) -> SmallVec<[i64; 4]> {
        self.iter().map(|&a| Axis::signed(a)).collect()
    }
}

/// Tuples take any axis types, negative ones included: `(0, -1)`, as NumPy's and PyTorch's
/// `axis=(0, -1)`.
impl<A: Axis, B: Axis> Axes for (A, B) {
    fn signed(&self) -> SmallVec<[i64; 4]> {
        smallvec::smallvec![self.0.signed(), self.1.signed()]
    }
}

impl<A: Axis, B: Axis, C: Axis> Axes for (A, B, C) {
    fn signed(&self) -> SmallVec<[i64; 4]> {
        smallvec::smallvec![self.0.signed(), self.1.signed(), self.2.signed()]
    }
}

impl<A: Axis, B: Axis, C: Axis, D: Axis> Axes for (A, B, C, D) {
    fn signed(&self) -> SmallVec<[i64; 4]> {
        let (a, b, c, d) = *self;
        smallvec::smallvec![a.signed(), b.signed(), c.signed(), d.signed()]
    }
}

impl<A: Axis> Axes for &[A] {
    fn signed(&self) -> SmallVec<[i64; 4]> {
        self.iter().map(|&a| a.signed()).collect()
    }
}

impl<A: Axis> Axes for &Vec<A> {
    fn signed(&self) -> SmallVec<[i64; 4]> {
        self.iter().map(|&a| a.signed()).collect()
    }
}

impl Axes for &Shape {
    fn signed(&self) -> SmallVec<[i64; 4]> {
        self.iter().map(|&a| Axis::signed(a)).collect()
    }
}

/// The axis `axis` of a tensor of `shape` as an index in `0..rank`.
///
/// # Panics
/// When `axis` is outside `-rank..rank`; the message names `op`, the axis, the shape and rank.
#[track_caller]
pub(crate) fn resolve(op: &str, axis: impl Axis, shape: &[usize]) -> usize {
    resolve_signed(op, axis.signed(), shape)
}

#[track_caller]
fn resolve_signed(op: &str, axis: i64, shape: &[usize]) -> usize {
    let rank = shape.len() as i64;
    let index = if axis < 0 { axis + rank } else { axis };
    if !(0..rank).contains(&index) {
        panic!(
            "{op}: axis {axis} is out of range for shape {shape:?} (rank {rank}: axes {}..={})",
            -rank,
            rank - 1
        );
    }
    index as usize
}

/// Several axes as indices in `0..rank`, in the order given (for permutations).
#[track_caller]
pub(crate) fn resolve_each(op: &str, axes: impl Axes, shape: &[usize]) -> Shape {
    axes.signed()
        .iter()
        .map(|&a| resolve_signed(op, a, shape))
        .collect()
}

/// Reduction axes as sorted, distinct indices in `0..rank`; an empty list means every axis.
#[track_caller]
pub(crate) fn resolve_reduction(op: &str, axes: impl Axes, shape: &[usize]) -> Shape {
    let mut axes = resolve_each(op, axes, shape);
    if axes.is_empty() {
        return (0..shape.len()).collect();
    }
    axes.sort_unstable();
    axes.dedup();
    axes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_axes_count_from_the_end() {
        assert_eq!(resolve("t", -1, &[2, 3, 4]), 2);
        assert_eq!(resolve("t", -3, &[2, 3, 4]), 0);
        assert_eq!(resolve("t", 1usize, &[2, 3]), 1);
        assert_eq!(
            resolve_reduction("t", (-1, 0, 2), &[2, 3, 4]).as_slice(),
            &[0, 2]
        );
        assert_eq!(resolve_reduction("t", &[], &[2, 3]).as_slice(), &[0, 1]);
        assert_eq!(resolve_each("t", (-1, 0), &[2, 3]).as_slice(), &[1, 0]);
    }

    #[test]
    #[should_panic(
        expected = "softmax: axis -3 is out of range for shape [2, 3] (rank 2: axes -2..=1)"
    )]
    fn too_negative_names_op_axis_and_rank() {
        resolve("softmax", -3, &[2, 3]);
    }

    #[test]
    #[should_panic(expected = "sum: axis 2 is out of range for shape [2, 3] (rank 2")]
    fn too_large_names_op_axis_and_rank() {
        resolve_reduction("sum", &[0, 2], &[2, 3]);
    }
}
