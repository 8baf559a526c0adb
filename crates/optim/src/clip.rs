//! Gradient clipping, applied to the gradient list between `tape.gradient` and
//! `apply_gradients`.

use descent_autograd::{Float, Tensor};

/// Scales the gradients together so that their global norm `√(Σ g²)` (over every element of
/// every tensor) is at most `max_norm`, as TensorFlow's `clip_by_global_norm`; returns the norm
/// before clipping. The direction of the step is kept.
///
/// The norm is summed in `f64`. A non-finite norm (an overflow, a NaN) leaves the gradients
/// as they are: check the returned norm to skip such a step.
///
/// ```
/// use descent_autograd::Tensor;
/// use descent_optim::clip_by_global_norm;
/// let mut grads = vec![Tensor::from_vec(vec![3.0f64], &[1]), Tensor::from_vec(vec![4.0], &[1])];
/// let norm = clip_by_global_norm(&mut grads, 2.5);
/// assert_eq!(norm, 5.0); // √(3² + 4²), so every element is scaled by 2.5/5
/// assert_eq!((grads[0].item(), grads[1].item()), (1.5, 2.0));
/// ```
///
/// # Panics
/// When `max_norm` is negative or NaN.
#[track_caller]
pub fn clip_by_global_norm<F: Float>(gradients: &mut [Tensor<F>], max_norm: F) -> F {
    if max_norm.is_nan() || max_norm < F::zero() {
        panic!("clip_by_global_norm: max_norm must be non-negative, not {max_norm}");
    }
    let squares = gradients
        .iter()
        .flat_map(|g| g.array().iter())
        .map(|x| x.as_f64().powi(2));
    let norm = squares.sum::<f64>().sqrt();
    if norm.is_finite() && norm > max_norm.as_f64() {
        let scale = F::cast(max_norm.as_f64() / norm);
        for gradient in gradients {
            gradient.view_mut().mapv_inplace(|x| x * scale);
        }
    }
    F::cast(norm)
}

/// Clamps every gradient element to `[−limit, limit]` (TensorFlow's `clip_by_value`, PyTorch's
/// `clip_grad_value_`). NaN stays NaN.
///
/// ```
/// use descent_autograd::Tensor;
/// use descent_optim::clip_by_value;
/// let mut grads = vec![Tensor::from_vec(vec![-3.0f32, 0.5, 2.0], &[3])];
/// clip_by_value(&mut grads, 1.0);
/// assert_eq!(grads[0].to_vec(), vec![-1.0, 0.5, 1.0]);
/// ```
///
/// # Panics
/// When `limit` is negative or NaN.
#[track_caller]
pub fn clip_by_value<F: Float>(gradients: &mut [Tensor<F>], limit: F) {
    if limit.is_nan() || limit < F::zero() {
        panic!("clip_by_value: limit must be non-negative, not {limit}");
    }
    for gradient in gradients {
        gradient.view_mut().mapv_inplace(|x| {
            if x > limit {
                limit
            } else if x < -limit {
                -limit
            } else {
                x
            }
        });
    }
}
