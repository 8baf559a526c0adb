//! An empty batch is a clear panic from every mean loss, not a NaN loss (0 / 0) that trains on.

use descent_autograd::{Tape, Tensor, Var};
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
