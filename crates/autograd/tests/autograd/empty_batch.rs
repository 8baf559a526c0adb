//! Bad loss inputs are clear panics: an empty batch under every mean loss, not a NaN loss
//! (0 / 0) that trains on, and a prediction and target of different shapes under every loss.

use descent_autograd::{Reduction, Tape, Tensor, Var};
use std::panic::{AssertUnwindSafe, catch_unwind};

fn message(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("an empty batch must panic");
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => payload
            .downcast::<&str>()
            .map(|m| m.to_string())
            .expect("text"),
    }
}

#[test]
fn mean_losses_of_an_empty_batch_panic_naming_the_loss_and_shape() {
    type Loss = for<'t> fn(&Var<'t, f32>, &Var<'t, f32>) -> Var<'t, f32>;
    let losses: [(&str, Loss); 3] = [
        ("mse", |p, t| p.mse(t)),
        ("binary_cross_entropy_with_logits", |p, t| {
            p.binary_cross_entropy_with_logits(t)
        }),
        ("huber", |p, t| p.huber(t, 1.0)),
    ];
    for (name, loss) in losses {
        let text = message(|| {
            let tape = Tape::new();
            let prediction = tape.watch(Tensor::<f32>::zeros(&[0, 1]));
            let target = tape.watch(Tensor::<f32>::zeros(&[0, 1]));
            loss(&prediction, &target);
        });
        assert!(
            text.starts_with(&format!("{name}: the batch is empty (shape [0, 1])")),
            "{text}"
        );
        assert!(text.contains("NaN"), "{text}");
    }
}

#[test]
fn cross_entropy_of_an_empty_batch_panics_naming_the_loss_and_shape() {
    let text = message(|| {
        let tape = Tape::new();
        let logits = tape.watch(Tensor::<f32>::zeros(&[0, 10]));
        logits.cross_entropy(&Tensor::from_vec(vec![], &[0]));
    });
    assert!(
        text.starts_with("cross_entropy: the batch is empty (shape [0, 10])"),
        "{text}"
    );
    assert!(text.contains("NaN"), "{text}");
}

#[test]
fn a_batch_of_one_still_has_a_finite_loss() {
    let tape = Tape::new();
    let prediction = tape.watch(Tensor::from_vec(vec![2.0f32], &[1, 1]));
    let target = tape.watch(Tensor::from_vec(vec![0.0f32], &[1, 1]));
    assert_eq!(prediction.mse(&target).item(), 4.0);
}

/// Every loss refuses a prediction and a target of different shapes, naming itself and both
/// shapes: `[N, 1]` against `[N]` would otherwise broadcast to `[N, N]` and return a plausible
/// wrong loss.
#[test]
fn losses_refuse_mismatched_shapes() {
    type Loss = for<'t> fn(&Var<'t, f64>, &Var<'t, f64>) -> Var<'t, f64>;
    let losses: [(&str, Loss); 12] = [
        ("mse", |p, t| p.mse(t)),
        ("mse", |p, t| p.mse_with(t, Reduction::None)),
        ("l1", |p, t| p.l1(t)),
        ("l1", |p, t| p.l1_with(t, Reduction::Sum)),
        ("smooth_l1", |p, t| p.smooth_l1(t, 1.0)),
        ("smooth_l1", |p, t| p.smooth_l1_with(t, 1.0, Reduction::Sum)),
        ("huber", |p, t| p.huber(t, 1.0)),
        ("huber", |p, t| p.huber_with(t, 1.0, Reduction::Sum)),
        ("binary_cross_entropy_with_logits", |p, t| {
            p.binary_cross_entropy_with_logits(t)
        }),
        ("binary_cross_entropy_with_logits", |p, t| {
            p.binary_cross_entropy_with_logits_with(t, Reduction::Sum)
        }),
        ("kl_div", |p, t| p.kl_div(t)),
        ("cosine_similarity", |p, t| p.cosine_similarity(t, 0)),
    ];
    for (name, loss) in losses {
        let text = message(|| {
            let tape = Tape::new();
            let zeros = |shape: &[usize]| tape.watch(Tensor::<f64>::zeros(shape));
            loss(&zeros(&[4, 1]), &zeros(&[4]));
        });
        let expected =
            format!("{name}: the prediction [4, 1] and the target [4] must have one shape");
        assert!(text.starts_with(&expected), "{name}: {text}");
    }
}
