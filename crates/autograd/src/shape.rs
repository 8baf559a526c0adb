//! Shape rules shared by every op: NumPy broadcasting and the one uniform shape-mismatch panic.

use smallvec::SmallVec;

/// The shape of a [`crate::Var`], owned (a var's value lives on its tape) and stored inline for
/// up to four dimensions. It reads as a `[usize]` slice and compares with arrays and slices,
/// so a var's shape and a tensor's (`&[usize]`) are checked the same way.
///
/// ```
/// use descent_autograd::{Tape, Tensor};
/// let tape = Tape::new();
/// let x = tape.watch(Tensor::<f32>::zeros(&[2, 3]));
/// assert!(x.shape() == [2, 3] && x.value().shape() == [2, 3]);
/// assert_eq!(x.shape().len(), 2);
/// assert_eq!(format!("{:?}", x.shape()), "[2, 3]");
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Shape(SmallVec<[usize; 4]>);

impl Shape {
    /// The dimensions as a slice.
    pub fn as_slice(&self) -> &[usize] {
        &self.0
    }

    /// Appends a dimension.
    pub(crate) fn push(&mut self, dim: usize) {
        self.0.push(dim);
    }

    /// Inserts a dimension at `axis`.
    pub(crate) fn insert(&mut self, axis: usize, dim: usize) {
        self.0.insert(axis, dim);
    }

    /// Removes consecutive repeats (of a sorted list of axes).
    pub(crate) fn dedup(&mut self) {
        self.0.dedup();
    }
}

impl std::ops::Deref for Shape {
    type Target = [usize];
    fn deref(&self) -> &[usize] {
        &self.0
    }
}

impl std::ops::DerefMut for Shape {
    fn deref_mut(&mut self) -> &mut [usize] {
        &mut self.0
    }
}

impl std::fmt::Debug for Shape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_slice().fmt(f)
    }
}

impl FromIterator<usize> for Shape {
    fn from_iter<I: IntoIterator<Item = usize>>(dims: I) -> Self {
        Shape(dims.into_iter().collect())
    }
}

impl<const N: usize> PartialEq<[usize; N]> for Shape {
    fn eq(&self, other: &[usize; N]) -> bool {
        self.as_slice() == other
    }
}

impl PartialEq<[usize]> for Shape {
    fn eq(&self, other: &[usize]) -> bool {
        self.as_slice() == other
    }
}

impl PartialEq<&[usize]> for Shape {
    fn eq(&self, other: &&[usize]) -> bool {
        self.as_slice() == *other
    }
}

/// Panics with descent's one shape-mismatch message: the op's name and both shapes.
#[track_caller]
pub(crate) fn mismatch(op: &str, what: &str, a: &[usize], b: &[usize]) -> ! {
    panic!("{op}: {what} {a:?} and {b:?}")
}

/// The NumPy broadcast of two shapes: align trailing dimensions; each pair must be equal or 1.
///
/// # Panics
/// When a pair of dimensions differs and neither is 1; the message names `op` and both shapes.
#[track_caller]
pub(crate) fn broadcast_shapes(op: &str, a: &[usize], b: &[usize]) -> Shape {
    let n = a.len().max(b.len());
    let dim = |s: &[usize], i: usize| {
        if i + s.len() < n {
            1
        } else {
            s[i + s.len() - n]
        }
    };
    (0..n)
        .map(|i| match (dim(a, i), dim(b, i)) {
            (x, y) if x == y || y == 1 => x,
            (1, y) => y,
            _ => mismatch(op, "cannot broadcast shapes", a, b),
        })
        .collect()
}

/// Checks `axis < ndim`, naming the op when it is not.
#[track_caller]
pub(crate) fn check_axis(op: &str, axis: usize, shape: &[usize]) {
    crate::axis::resolve(op, axis, shape);
}

/// Normalises a list of reduction axes: sorted, unique, each checked; empty means all axes.
#[track_caller]
pub(crate) fn reduction_axes(op: &str, axes: &[usize], shape: &[usize]) -> SmallVec<[usize; 4]> {
    if axes.is_empty() {
        return (0..shape.len()).collect();
    }
    let mut sorted: SmallVec<[usize; 4]> = axes.iter().copied().collect();
    sorted.sort_unstable();
    sorted.dedup();
    for &axis in &sorted {
        check_axis(op, axis, shape);
    }
    sorted
}

/// The shape left after reducing `axes` (already normalised), with or without kept unit axes.
pub(crate) fn reduced_shape(shape: &[usize], axes: &[usize], keepdims: bool) -> Shape {
    shape
        .iter()
        .enumerate()
        .filter_map(|(i, &d)| match (axes.contains(&i), keepdims) {
            (false, _) => Some(d),
            (true, true) => Some(1),
            (true, false) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasts_like_numpy() {
        assert_eq!(broadcast_shapes("t", &[3, 1], &[4]).as_slice(), &[3, 4]);
        assert_eq!(broadcast_shapes("t", &[], &[2, 2]).as_slice(), &[2, 2]);
        assert_eq!(
            broadcast_shapes("t", &[5, 1, 3], &[4, 1]).as_slice(),
            &[5, 4, 3]
        );
    }

    #[test]
    #[should_panic(expected = "add: cannot broadcast shapes [2, 3] and [4]")]
    fn incompatible_shapes_name_the_op() {
        broadcast_shapes("add", &[2, 3], &[4]);
    }

    #[test]
    fn reduces_axes() {
        assert_eq!(reduced_shape(&[2, 3, 4], &[1], true).as_slice(), &[2, 1, 4]);
        assert_eq!(reduced_shape(&[2, 3, 4], &[0, 2], false).as_slice(), &[3]);
    }
}
