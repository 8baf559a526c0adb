//! Large variables are updated a chunk at a time and in two halves at once (the second half on
//! descent's helper thread). Each element's update depends on that element alone, so this must
//! give the same bits as updating the same elements held in small variables, one after the
//! other; and the check after the update must still name the first element it left
//! non-finite.

use crate::common::every_optimizer;
use descent_autograd::{Tensor, Variable};
use descent_optim::{Optimizer, Sgd};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Past the size from which a variable is split (2¹⁵ elements), and not a multiple of a chunk.
const LARGE: usize = 3 * (1 << 15) + 1234;
/// Small enough to be updated whole.
const PIECE: usize = 1000;

/// A gradient for step `step` that differs from element to element and changes sign.
fn gradient(step: usize, range: std::ops::Range<usize>) -> Vec<f32> {
    range
        .map(|i| ((i * 7919 + step * 104_729) % 2001) as f32 / 1000.0 - 1.0)
        .collect()
}

#[test]
fn a_large_variable_updates_to_the_bits_of_the_same_elements_in_small_ones() {
    let initial: Vec<f32> = (0..LARGE).map(|i| (i % 97) as f32 / 50.0 - 1.0).collect();
    for ((name, mut whole), (_, mut pieces)) in every_optimizer::<f32>()
        .into_iter()
        .zip(every_optimizer::<f32>())
    {
        let large = Variable::new(Tensor::from_vec(initial.clone(), &[LARGE]));
        let starts: Vec<usize> = (0..LARGE).step_by(PIECE).collect();
        let small: Vec<Variable<f32>> = starts
            .iter()
            .map(|&s| {
                let piece = initial[s..(s + PIECE).min(LARGE)].to_vec();
                let len = piece.len();
                Variable::new(Tensor::from_vec(piece, &[len]))
            })
            .collect();
        for step in 1..=3 {
            whole.apply_gradients(
                &[Tensor::from_vec(gradient(step, 0..LARGE), &[LARGE])],
                std::slice::from_ref(&large),
            );
            let grads: Vec<Tensor<f32>> = starts
                .iter()
                .map(|&s| {
                    let end = (s + PIECE).min(LARGE);
                    Tensor::from_vec(gradient(step, s..end), &[end - s])
                })
                .collect();
            pieces.apply_gradients(&grads, &small);
        }
        let joined: Vec<u32> = small
            .iter()
            .flat_map(|v| v.value().to_vec())
            .map(f32::to_bits)
            .collect();
        let whole_bits: Vec<u32> = large
            .value()
            .to_vec()
            .into_iter()
            .map(f32::to_bits)
            .collect();
        assert!(joined == whole_bits, "{name}: the split update differs");
        assert!(
            whole_bits
                .iter()
                .zip(&initial)
                .all(|(&b, &x)| b != x.to_bits()),
            "{name}: every element moved"
        );
    }
}

#[test]
fn an_overflow_in_the_second_half_of_a_large_variable_names_its_first_element() {
    let mut values = vec![0.0f32; LARGE];
    let (first, second) = (LARGE - 5000, LARGE - 3);
    values[first] = f32::MAX;
    values[second] = f32::MAX;
    let w = [Variable::named("w", Tensor::from_vec(values, &[LARGE]))];
    let mut gradient = vec![1.0f32; LARGE];
    gradient[first] = -f32::MAX;
    gradient[second] = -f32::MAX;
    let mut sgd = Sgd::new(1.0);
    let payload = catch_unwind(AssertUnwindSafe(|| {
        sgd.apply_gradients(&[Tensor::from_vec(gradient, &[LARGE])], &w)
    }))
    .expect_err("the update overflows");
    let text = payload.downcast::<String>().expect("a formatted message");
    assert!(
        text.starts_with(&format!(
            "apply_gradients: step 1: variable \"w\" is not finite after the update (inf at \
             element {first})"
        )),
        "{text}"
    );
    let after = w[0].value().to_vec();
    assert_eq!(
        (after[0], after[LARGE - 1]),
        (-1.0, -1.0),
        "the whole variable was updated"
    );
    assert_eq!(after[second], f32::INFINITY);
}

#[test]
fn a_non_finite_gradient_in_the_second_half_of_a_large_variable_is_named_before_any_update() {
    let w = [Variable::named("w", Tensor::zeros(&[LARGE]))];
    let mut gradient = vec![1.0f32; LARGE];
    gradient[LARGE - 7] = f32::NAN;
    let mut sgd = Sgd::new(1.0);
    let payload = catch_unwind(AssertUnwindSafe(|| {
        sgd.apply_gradients(&[Tensor::from_vec(gradient, &[LARGE])], &w)
    }))
    .expect_err("the gradient is not finite");
    let text = payload.downcast::<String>().expect("a formatted message");
    let expected = format!(
        "apply_gradients: step 1: the gradient of variable \"w\" is not finite (NaN at element {})",
        LARGE - 7
    );
    assert!(text.starts_with(&expected), "{text}");
    assert!(
        w[0].value().to_vec().iter().all(|&x| x == 0.0),
        "nothing was updated"
    );
}
