//! Gradient clipping by global norm and by value.

use descent_autograd::Tensor;
use descent_optim::{clip_by_global_norm, clip_by_value};

fn grads(values: &[&[f64]]) -> Vec<Tensor<f64>> {
    values
        .iter()
        .map(|v| Tensor::from_vec(v.to_vec(), &[v.len()]))
        .collect()
}

fn contents(gradients: &[Tensor<f64>]) -> Vec<Vec<f64>> {
    gradients.iter().map(Tensor::to_vec).collect()
}

/// PyTorch's `clip_grad_norm_(parameters, max_norm)`, written out from its source:
/// `total_norm = ‖g‖₂`, `clip_coef = max_norm / (total_norm + 1e-6)`,
/// `clip_coef_clamped = clamp(clip_coef, max=1.0)`, every gradient multiplied by it.
fn pytorch_clip_grad_norm(gradients: &[Vec<f64>], max_norm: f64) -> (f64, Vec<Vec<f64>>) {
    let total_norm = gradients
        .iter()
        .flatten()
        .map(|g| g * g)
        .sum::<f64>()
        .sqrt();
    let clip_coef = max_norm / (total_norm + 1e-6);
    let clamped = clip_coef.min(1.0);
    let clipped = gradients
        .iter()
        .map(|g| g.iter().map(|x| x * clamped).collect())
        .collect();
    (total_norm, clipped)
}

#[test]
fn global_norm_scales_every_tensor_by_one_factor() {
    // The norm runs over every element of every tensor: √(1² + 2² + 2² + 4²) = √25 = 5.
    let mut gradients = grads(&[&[1.0, -2.0], &[2.0], &[0.0, 4.0, 0.0]]);
    assert_eq!(clip_by_global_norm(&mut gradients, 2.5), 5.0);
    // Scaled by 2.5/(5 + 1e-6) = 0.4999999: the direction is kept, the new norm just under 2.5.
    let s = 2.5 / (5.0 + 1e-6);
    assert_eq!(
        contents(&gradients),
        [vec![s, -2.0 * s], vec![2.0 * s], vec![0.0, 4.0 * s, 0.0]]
    );
}

#[test]
fn global_norm_under_the_limit_changes_nothing_and_never_scales_up() {
    let mut gradients = grads(&[&[3.0], &[4.0]]);
    assert_eq!(clip_by_global_norm(&mut gradients, 100.0), 5.0);
    assert_eq!(contents(&gradients), [vec![3.0], vec![4.0]]);
    let mut gradients = grads(&[&[3e-7], &[4e-7]]); // a tiny norm is not scaled up to 1
    clip_by_global_norm(&mut gradients, 1.0);
    assert_eq!(contents(&gradients), [vec![3e-7], vec![4e-7]]);
    // At exactly max_norm, PyTorch's 1e-6 scales by 5/(5 + 1e-6) (TensorFlow's form would not).
    let mut gradients = grads(&[&[3.0], &[4.0]]);
    assert_eq!(clip_by_global_norm(&mut gradients, 5.0), 5.0);
    let s = 5.0 / (5.0 + 1e-6);
    assert_eq!(contents(&gradients), [vec![3.0 * s], vec![4.0 * s]]);
}

#[test]
fn global_norm_matches_pytorchs_clip_grad_norm() {
    use rand::{RngExt, SeedableRng, rngs::StdRng};
    let mut rng = StdRng::seed_from_u64(11);
    for case in 0..200 {
        let scale = 10f64.powi(rng.random_range(-8..4));
        let lengths = [rng.random_range(1..5), rng.random_range(1..5)];
        let values: Vec<Vec<f64>> = lengths
            .iter()
            .map(|&n| {
                (0..n)
                    .map(|_| rng.random_range(-1.0..1.0) * scale)
                    .collect()
            })
            .collect();
        let max_norm = rng.random_range(0.0..2.0) * scale;
        let (norm, expected) = pytorch_clip_grad_norm(&values, max_norm);
        let slices: Vec<&[f64]> = values.iter().map(Vec::as_slice).collect();
        let mut gradients = grads(&slices);
        let returned = clip_by_global_norm(&mut gradients, max_norm);
        assert!(
            (returned - norm).abs() <= 1e-15 * norm,
            "case {case}: norm {returned} vs {norm}"
        );
        for (got, want) in contents(&gradients)
            .iter()
            .flatten()
            .zip(expected.iter().flatten())
        {
            assert!(
                (got - want).abs() <= 1e-15 * want.abs(),
                "case {case}: {got} vs {want} (max_norm {max_norm}, norm {norm})"
            );
        }
    }
}

#[test]
fn global_norm_of_zero_zeroes_the_gradients() {
    let mut gradients = grads(&[&[3.0], &[-4.0]]);
    assert_eq!(clip_by_global_norm(&mut gradients, 0.0), 5.0);
    assert_eq!(contents(&gradients), [vec![0.0], vec![-0.0]]);
}

#[test]
fn a_non_finite_norm_is_returned_and_nothing_is_scaled() {
    let mut gradients = grads(&[&[f64::NAN, 1.0]]);
    assert!(clip_by_global_norm(&mut gradients, 1.0).is_nan());
    assert_eq!(gradients[0].to_vec()[1], 1.0);
    let mut gradients = grads(&[&[f64::INFINITY, 1.0]]);
    assert_eq!(clip_by_global_norm(&mut gradients, 1.0), f64::INFINITY);
    assert_eq!(gradients[0].to_vec(), vec![f64::INFINITY, 1.0]);
}

#[test]
fn the_norm_of_large_f32_gradients_does_not_overflow() {
    // 3e30² overflows f32; the sum of squares is taken in f64.
    let mut gradients = vec![Tensor::from_vec(vec![3e30f32, 4e30], &[2])];
    let norm = clip_by_global_norm(&mut gradients, 1.0);
    assert!((norm / 5e30 - 1.0).abs() < 1e-6);
    let clipped = gradients[0].to_vec();
    assert!((clipped[0] - 0.6).abs() < 1e-6 && (clipped[1] - 0.8).abs() < 1e-6);
}

#[test]
fn clipping_a_shared_gradient_leaves_the_other_holder_alone() {
    let original = Tensor::from_vec(vec![3.0f64, 4.0], &[2]);
    let mut gradients = vec![original.clone()];
    clip_by_global_norm(&mut gradients, 1.0);
    assert_eq!(original.to_vec(), vec![3.0, 4.0]);
}

#[test]
fn by_value_clamps_each_element() {
    let mut gradients = grads(&[&[-3.0, -0.5, 0.0], &[0.25, 7.0]]);
    clip_by_value(&mut gradients, 0.5);
    assert_eq!(
        contents(&gradients),
        [vec![-0.5, -0.5, 0.0], vec![0.25, 0.5]]
    );
    let mut gradients = grads(&[&[f64::NAN]]);
    clip_by_value(&mut gradients, 1.0);
    assert!(gradients[0].to_vec()[0].is_nan());
}

#[test]
#[should_panic(expected = "clip_by_global_norm: max_norm must be non-negative, not -1")]
fn a_negative_norm_limit_panics() {
    clip_by_global_norm(&mut grads(&[&[1.0]]), -1.0);
}

#[test]
#[should_panic(expected = "clip_by_value: limit must be non-negative, not NaN")]
fn a_nan_value_limit_panics() {
    clip_by_value(&mut grads(&[&[1.0]]), f64::NAN);
}
