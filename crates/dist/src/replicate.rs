//! Rank 0's values onto every process: its tensors flattened into one buffer to broadcast,
//! then written into each process's own variables.

use descent_autograd::{Float, Tensor, Variable};

/// Copies the variables' values, in order, into one flat buffer.
///
/// # Panics
///
/// If the buffer's length is not the variables' elements together.
///
/// ```
/// use descent_autograd::{Tensor, Variable};
/// use descent_dist::{assign_flat, flatten};
///
/// let a = [("w".to_string(), Variable::new(Tensor::from_vec(vec![1.0f32, 2.0], &[2])))];
/// let b = [("w".to_string(), Variable::new(Tensor::<f32>::zeros(&[2])))];
/// let mut buffer = vec![0.0; 2];
/// flatten(&a, &mut buffer); // on rank 0, before the broadcast
/// assign_flat(&buffer, &b); // on the others, after it
/// assert_eq!(b[0].1.value().to_vec(), [1.0, 2.0]);
/// ```
#[track_caller]
pub fn flatten<F: Float>(variables: &[(String, Variable<F>)], buffer: &mut [F]) {
    let mut offset = 0;
    for (_, variable) in variables {
        let value = variable.value();
        let target = buffer.get_mut(offset..offset + value.len());
        let target = target.expect("flatten: the buffer is shorter than the variables");
        target
            .iter_mut()
            .zip(value.view().iter())
            .for_each(|(t, &v)| *t = v);
        offset += value.len();
    }
    assert!(
        offset == buffer.len(),
        "flatten: a buffer of {} elements for variables of {offset}",
        buffer.len()
    );
}

/// Assigns each variable its part of a buffer [`flatten`] wrote (the same shapes, in order).
///
/// # Panics
///
/// If the buffer's length is not the variables' elements together.
#[track_caller]
pub fn assign_flat<F: Float>(buffer: &[F], variables: &[(String, Variable<F>)]) {
    let mut offset = 0;
    for (_, variable) in variables {
        let shape = variable.shape().as_slice().to_vec();
        let len = shape.iter().product::<usize>();
        let values = buffer.get(offset..offset + len);
        let values = values.expect("assign_flat: the buffer is shorter than the variables");
        variable.assign(Tensor::from_vec(values.to_vec(), &shape));
        offset += len;
    }
    assert!(
        offset == buffer.len(),
        "assign_flat: a buffer of {} elements for variables of {offset}",
        buffer.len()
    );
}
