//! The mean gradient over the global batch, as one sum over processes.
//!
//! Each process's loss is a mean over its own rows, so its gradient `gᵣ` is a mean over `nᵣ`
//! rows. The gradient of the global batch's mean loss is `Σᵣ nᵣ·gᵣ / Σᵣ nᵣ`: a mean of the
//! processes' gradients weighted by their row counts (shares may differ by a row). So each
//! process [`pack`]s `nᵣ·gᵣ` followed by `nᵣ` into one buffer, one all-reduce sums the buffers
//! element by element, and [`unpack_mean`] divides by the summed count. With equal shares of
//! a power-of-two size the scaling is exact and only the order of the sum differs from one
//! process's; with one process the result is the gradient itself, bit for bit.

use crate::Layout;
use descent_autograd::{Float, Tensor};

/// Writes `rows·g` for every gradient, in order, then `rows`, into `buffer` (of
/// `layout.elements() + 1` elements). With 0 rows the gradients are not read (a mean over no
/// rows is NaN) and the buffer is zeros: this process adds nothing to the sum.
///
/// # Panics
///
/// If the gradients do not match `layout` (count or shapes; the message names the first that
/// differs) or the buffer has the wrong length.
///
/// ```
/// use descent_autograd::{Tensor, Variable};
/// use descent_dist::{Layout, pack, unpack_mean};
///
/// let layout = Layout::of(&[("w".to_string(), Variable::new(Tensor::<f64>::zeros(&[2])))]);
/// // Two processes: 3 rows with mean gradient [1, 2], and 1 row with [5, 6].
/// let (mut a, mut b) = (vec![0.0; 3], vec![0.0; 3]);
/// pack(&layout, &[Tensor::from_vec(vec![1.0, 2.0], &[2])], 3, &mut a);
/// pack(&layout, &[Tensor::from_vec(vec![5.0, 6.0], &[2])], 1, &mut b);
/// let sum: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x + y).collect(); // what the all-reduce does
/// let mut mean = [Tensor::zeros(&[2])];
/// unpack_mean(&sum, &mut mean);
/// assert_eq!(mean[0].to_vec(), [2.0, 3.0]); // (3·[1, 2] + [5, 6]) / 4: the mean over all 4 rows
/// ```
#[track_caller]
pub fn pack<F: Float>(layout: &Layout, gradients: &[Tensor<F>], rows: usize, buffer: &mut [F]) {
    expect_layout(layout, gradients);
    let (values, count) = split(buffer, layout.elements(), "pack");
    let scale = F::cast(rows as f64);
    let mut offset = 0;
    for gradient in gradients {
        let target = &mut values[offset..offset + gradient.len()];
        if rows == 0 {
            target.fill(F::zero());
        } else {
            for (t, &g) in target.iter_mut().zip(gradient.view().iter()) {
                *t = g * scale;
            }
        }
        offset += gradient.len();
    }
    *count = scale;
}

/// Reads the summed buffer back into `gradients` (of the shapes [`pack`] was given): each
/// element divided by the summed row count.
///
/// # Panics
///
/// If the buffer's length is not the gradients' elements plus one, or the summed row count is
/// 0 (no process had a row).
#[track_caller]
pub fn unpack_mean<F: Float>(sum: &[F], gradients: &mut [Tensor<F>]) {
    let elements: usize = gradients.iter().map(Tensor::len).sum();
    assert!(
        sum.len() == elements + 1,
        "unpack_mean: a buffer of {} elements for gradients of {elements} (and the row count)",
        sum.len()
    );
    let rows = sum[elements];
    assert!(
        rows > F::zero(),
        "unpack_mean: no process had a row in this batch, so it has no mean gradient"
    );
    let mut offset = 0;
    for gradient in gradients.iter_mut() {
        let len = gradient.len();
        let source = &sum[offset..offset + len];
        for (g, &s) in gradient.view_mut().iter_mut().zip(source) {
            *g = s / rows;
        }
        offset += len;
    }
}

/// Splits a buffer into the values and the count behind them.
#[track_caller]
fn split<'a, F>(buffer: &'a mut [F], elements: usize, op: &str) -> (&'a mut [F], &'a mut F) {
    assert!(
        buffer.len() == elements + 1,
        "{op}: a buffer of {} elements for gradients of {elements} (and the row count)",
        buffer.len()
    );
    let (count, values) = buffer.split_last_mut().expect("one element at least");
    (values, count)
}

/// Panics unless the gradients have the layout's count and shapes.
#[track_caller]
fn expect_layout<F: Float>(layout: &Layout, gradients: &[Tensor<F>]) {
    let entries = layout.entries();
    assert!(
        gradients.len() == entries.len(),
        "all_reduce_mean: {} gradients for the {} variables every process agreed on",
        gradients.len(),
        entries.len()
    );
    for (entry, gradient) in entries.iter().zip(gradients) {
        assert!(
            gradient.shape() == entry.shape.as_slice(),
            "all_reduce_mean: the gradient of variable {:?} has shape {:?}, the variable {:?}",
            entry.name,
            gradient.shape(),
            entry.shape
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use descent_autograd::Variable;

    fn layout(shapes: &[&[usize]]) -> Layout {
        let variables: Vec<_> = shapes
            .iter()
            .enumerate()
            .map(|(i, s)| (i.to_string(), Variable::new(Tensor::<f32>::zeros(s))))
            .collect();
        Layout::of(&variables)
    }

    #[test]
    fn one_process_gets_its_own_gradient_back_bit_for_bit() {
        let layout = layout(&[&[2, 2], &[3]]);
        let gradients = [
            Tensor::from_vec(vec![0.1f32, -1e-30, 3.3, 7.7e20], &[2, 2]),
            Tensor::from_vec(vec![1.0 / 3.0, -0.0, f32::MIN_POSITIVE], &[3]),
        ];
        let mut buffer = vec![0.0; 8];
        pack(&layout, &gradients, 64, &mut buffer);
        let mut back = [Tensor::zeros(&[2, 2]), Tensor::zeros(&[3])];
        unpack_mean(&buffer, &mut back);
        for (a, b) in back.iter().zip(&gradients) {
            let bits = |t: &Tensor<f32>| t.to_vec().iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(a), bits(b));
        }
    }

    #[test]
    fn an_empty_share_adds_nothing_even_with_a_nan_gradient() {
        let layout = layout(&[&[2]]);
        let mut buffer = vec![9.0f32; 3];
        pack(
            &layout,
            &[Tensor::from_vec(vec![f32::NAN; 2], &[2])],
            0,
            &mut buffer,
        );
        assert_eq!(buffer, [0.0, 0.0, 0.0]);
    }

    #[test]
    #[should_panic(expected = "the gradient of variable \"1\" has shape [2], the variable [3]")]
    fn a_gradient_of_the_wrong_shape_panics_naming_the_variable() {
        let layout = layout(&[&[1], &[3]]);
        let gradients = [Tensor::zeros(&[1]), Tensor::zeros(&[2])];
        pack(&layout, &gradients, 1, &mut [0.0f32; 5]);
    }

    #[test]
    #[should_panic(expected = "1 gradients for the 2 variables every process agreed on")]
    fn a_missing_gradient_panics() {
        pack(
            &layout(&[&[1], &[1]]),
            &[Tensor::zeros(&[1])],
            1,
            &mut [0.0f32; 3],
        );
    }

    #[test]
    #[should_panic(expected = "no process had a row")]
    fn a_batch_without_rows_has_no_mean() {
        unpack_mean(&[0.0f32, 0.0], &mut [Tensor::zeros(&[1])]);
    }
}
