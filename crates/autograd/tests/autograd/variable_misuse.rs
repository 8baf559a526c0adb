//! Misusing a `Variable` is loud, never a hang or a silently half-written value: touching a
//! variable inside its own `update` closure panics at once, naming it, and a panic inside
//! `update` poisons the variable so that the next read says so.
//!
//! Before this was fixed, the re-entrant cases deadlocked: each runs on its own thread here and
//! the test fails (instead of hanging the suite) when no answer comes within ten seconds.

use descent_autograd::{Tape, Tensor, Variable};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::time::Duration;

fn weights() -> Variable<f64> {
    Variable::named("w", Tensor::from_vec(vec![1.0, 2.0], &[2]))
}

/// The message `f` panics with, `None` when it returns; fails the test when `f` has not
/// finished within ten seconds (a deadlock).
fn panic_message(what: &str, f: impl FnOnce() + Send + 'static) -> Option<String> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let outcome = catch_unwind(AssertUnwindSafe(f)).err().map(|payload| {
            match payload.downcast::<String>() {
                Ok(message) => *message,
                Err(payload) => payload
                    .downcast::<&str>()
                    .map_or_else(|_| "(not a string)".into(), |m| m.to_string()),
            }
        });
        let _ = send.send(outcome);
    });
    match receive.recv_timeout(Duration::from_secs(10)) {
        Ok(outcome) => outcome,
        Err(_) => panic!("{what}: no answer within 10 s: deadlocked"),
    }
}

#[track_caller]
fn expect_reentrant_panic(
    what: &str,
    access: &str,
    f: impl FnOnce(&Variable<f64>) + Send + 'static,
) {
    let w = weights();
    let inside = w.clone();
    let message = panic_message(what, move || f(&inside))
        .unwrap_or_else(|| panic!("{what}: returned instead of panicking"));
    assert!(
        message.starts_with("variable \"w\": `") && message.contains(access),
        "{what}: {message}"
    );
    assert!(
        message.contains("inside the variable's own `update` closure"),
        "{what}: {message}"
    );
    assert!(
        message.contains("before calling `update`"),
        "{what}: {message}"
    );
    // The interrupted update poisoned it; assign recovers it.
    assert!(w.is_poisoned(), "{what}");
    w.assign(Tensor::from_vec(vec![1.0, 2.0], &[2]));
    assert_eq!(w.value().to_vec(), vec![1.0, 2.0]);
}

#[test]
fn hand_written_weight_decay_reading_the_variable_panics_instead_of_hanging() {
    // The example: w ← w − wd·w, written with w.value() inside w.update.
    expect_reentrant_panic("w.value() in update", "`value`", |w| {
        w.update(|mut v| v.scaled_add(-0.01, &w.value().view()));
    });
}

#[test]
fn reading_the_variable_onto_a_tape_inside_its_update_panics() {
    expect_reentrant_panic("tape.read(&w) in update", "`value`", |w| {
        let tape = Tape::new();
        w.update(|_| {
            tape.read(w);
        });
    });
}

#[test]
fn shape_assign_and_nested_update_inside_update_panic() {
    expect_reentrant_panic("w.shape() in update", "`shape`", |w| {
        w.update(|_| w.shape());
    });
    expect_reentrant_panic("w.assign in update", "`assign`", |w| {
        w.update(|_| w.assign(Tensor::zeros(&[2])));
    });
    expect_reentrant_panic("w.update in update", "`update`", |w| {
        w.update(|_| w.update(|_| ()));
    });
}

#[test]
fn an_unnamed_variable_is_named_by_its_id() {
    let w = Variable::new(Tensor::<f32>::ones(&[1]));
    let inside = w.clone();
    let message = panic_message("unnamed", move || {
        inside.update(|_| inside.value());
    })
    .expect("panics");
    assert!(
        message.starts_with("variable #") && message.contains("(unnamed)"),
        "{message}"
    );
}

#[test]
fn the_same_variable_updated_on_two_threads_is_not_mistaken_for_reentry() {
    let w = weights();
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let w = w.clone();
            std::thread::spawn(move || {
                for _ in 0..1000 {
                    w.update(|mut v| v += 1.0);
                    let _ = w.value();
                }
            })
        })
        .collect();
    threads
        .into_iter()
        .for_each(|t| t.join().expect("no panic"));
    assert_eq!(w.value().to_vec(), vec![2001.0, 2002.0]);
}

#[test]
fn a_panic_inside_update_poisons_the_variable_until_assign() {
    let w = weights();
    let result = catch_unwind(AssertUnwindSafe(|| {
        w.update(|mut v| {
            v[0] = 100.0; // half-written
            panic!("rule failed");
        })
    }));
    assert!(result.is_err());
    assert!(w.is_poisoned());
    for (what, access) in [
        (
            "value",
            Box::new({
                let w = w.clone();
                move || drop(w.value())
            }) as Box<dyn FnOnce() + Send>,
        ),
        (
            "read",
            Box::new({
                let w = w.clone();
                move || drop(Tape::new().read(&w).value())
            }),
        ),
        (
            "update",
            Box::new({
                let w = w.clone();
                move || w.update(|_| ())
            }),
        ),
    ] {
        let message = panic_message(what, access).unwrap_or_else(|| panic!("{what}: no panic"));
        assert!(
            message.starts_with("variable \"w\": `") && message.contains("poisoned variable"),
            "{what}: {message}"
        );
        assert!(message.contains("Variable::assign"), "{what}: {message}");
    }
    // The shape is intact, and Debug does not panic.
    assert_eq!(w.shape().as_slice(), &[2]);
    assert!(format!("{w:?}").contains("poisoned"), "{w:?}");
    w.assign(Tensor::from_vec(vec![3.0, 4.0], &[2]));
    assert!(!w.is_poisoned());
    assert_eq!(w.value().to_vec(), vec![3.0, 4.0]);
}

#[test]
fn a_panic_inside_update_on_another_thread_poisons_it_here() {
    let w = weights();
    let alias = w.clone();
    let joined = std::thread::spawn(move || alias.update(|_| panic!("worker failed"))).join();
    assert!(joined.is_err());
    let message =
        panic_message("value after a worker's panic", move || drop(w.value())).expect("panics");
    assert!(message.contains("poisoned variable"), "{message}");
}

#[test]
fn assigning_the_wrong_shape_panics_without_poisoning() {
    let w = weights();
    let result = catch_unwind(AssertUnwindSafe(|| w.assign(Tensor::zeros(&[3]))));
    assert!(result.is_err());
    assert!(!w.is_poisoned());
    assert_eq!(w.value().to_vec(), vec![1.0, 2.0]);
}

#[test]
fn a_variable_watched_as_a_copy_is_named_instead_of_training_nothing() {
    // The slip: `tape.watch(w.value())` records a copy, so `w` is never read on the tape and
    // used to get a zero gradient: training ran and learned nothing.
    let message = panic_message("the watch slip", || {
        let w = weights();
        let tape = Tape::new();
        let loss = tape.watch(w.value()).square().sum(&[], false);
        tape.gradient(&loss, &[w]);
    });
    let message = message.expect("a variable never read on the tape must panic");
    assert!(
        message.contains("source 0 (variable \"w\") was never read on this tape")
            && message.contains("tape.read(&variable)"),
        "{message}"
    );
    // Read properly, the same loss has its gradient 2w.
    let w = weights();
    let tape = Tape::new();
    let loss = tape.read(&w).square().sum(&[], false);
    assert_eq!(tape.gradient(&loss, &[w])[0].to_vec(), vec![2.0, 4.0]);
}
