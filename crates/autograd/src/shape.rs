//! Shape rules shared by every op: NumPy broadcasting and the one uniform shape-mismatch panic.

use smallvec::SmallVec;

/// A tensor shape, stored inline for up to four dimensions.
pub type Shape = SmallVec<[usize; 4]>;

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
