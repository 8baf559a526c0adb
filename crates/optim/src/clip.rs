//! Gradient clipping, applied to the gradient list between `tape.gradient` and
//! `apply_gradients`.

use descent_autograd::{Float, Tensor};

/// Scales the gradients together so that their global norm `√(Σ g²)` (over every element of
/// every tensor) is at most `max_norm`, as PyTorch's `clip_grad_norm_`; returns the norm before
/// clipping. Every element is multiplied by `max_norm / (norm + 1e-6)` when that is below 1, and
/// left alone otherwise (never scaled up). The direction of the step is kept.
///
/// TensorFlow's `clip_by_global_norm` scales by `max_norm / norm` instead; the two differ by
/// the 1e-6, which keeps PyTorch's division finite at a zero norm and scales a norm equal to
/// `max_norm` by 0.9999998 rather than 1.
///
/// The norm is summed in `f64` (PyTorch sums in the gradients' type). A non-finite norm (an
/// infinite or NaN gradient) leaves the gradients as they are, where PyTorch would multiply
/// them by NaN: check the returned norm to skip such a step, or let the optimizer's divergence
/// check ([`crate::Optimizer::set_check_finite`]) stop there.
///
/// ```
/// use descent_autograd::Tensor;
/// use descent_optim::clip_by_global_norm;
/// let mut grads = vec![Tensor::from_vec(vec![3.0f64], &[1]), Tensor::from_vec(vec![4.0], &[1])];
/// let norm = clip_by_global_norm(&mut grads, 2.5);
/// assert_eq!(norm, 5.0); // √(3² + 4²), so every element is scaled by 2.5/(5 + 1e-6)
/// let scale = 2.5 / (5.0 + 1e-6);
/// assert_eq!((grads[0].item(), grads[1].item()), (3.0 * scale, 4.0 * scale));
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
    let coefficient = max_norm.as_f64() / (norm + 1e-6);
    if norm.is_finite() && coefficient < 1.0 {
        let scale = F::cast(coefficient);
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
