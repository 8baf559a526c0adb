//! [`gradient_norm`]: the number the gradient rule of [`Stopping`](crate::Stopping) compares.
use descent_autograd::{Float, Tensor};
use descent_optim::clip_by_global_norm;

/// The global norm `√(Σ g²)` over every element of every gradient, in `f64`: the number
/// [`Stopping::gradient_norm_below`](crate::Stopping::gradient_norm_below) compares. It is the
/// norm `descent_optim`'s [`clip_by_global_norm`] computes (and returns); when you clip, use
/// its return value instead of calling this.
///
/// ```
/// use descent_autograd::Tensor;
/// use descent_train::gradient_norm;
/// let grads = [Tensor::from_vec(vec![3.0f32, 0.0], &[2]), Tensor::from_vec(vec![4.0], &[1])];
/// assert_eq!(gradient_norm(&grads), 5.0);
/// assert_eq!(grads[0].to_vec(), vec![3.0, 0.0]); // unchanged
/// ```
pub fn gradient_norm<F: Float>(gradients: &[Tensor<F>]) -> f64 {
    // Clones share storage, and an infinite limit never scales, so nothing is copied.
    let mut shared = gradients.to_vec();
    clip_by_global_norm(&mut shared, F::infinity()).as_f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norm_of_f64_gradients_and_of_nothing() {
        let grads = [Tensor::from_vec(vec![1.0f64, 2.0, 2.0], &[3])];
        assert_eq!(gradient_norm(&grads), 3.0);
        assert_eq!(gradient_norm::<f32>(&[]), 0.0);
        assert!(gradient_norm(&[Tensor::from_vec(vec![f32::NAN], &[1])]).is_nan());
    }
}
