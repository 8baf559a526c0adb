//! After its first step no optimizer allocates: state is created once, then everything is
//! updated in place. A counting global allocator (per thread, so that tests running alongside
//! do not count) measures steps 2 to 10 on precomputed gradients.

mod common;

use common::every_optimizer;
use descent_autograd::{Tensor, Variable};
use descent_optim::{clip_by_global_norm, clip_by_value};
use descent_test_support::{CountingAllocator, counts};
use rand::{SeedableRng, rngs::StdRng};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Bytes and allocations that `f` asks for on this thread.
fn allocated_by(f: impl FnOnce()) -> (u64, u64) {
    let before = counts();
    f();
    let after = counts();
    (after.bytes - before.bytes, after.calls - before.calls)
}

/// A few variables of different ranks and their (fixed) gradients.
fn variables() -> (Vec<Variable<f32>>, Vec<Tensor<f32>>) {
    let mut rng = StdRng::seed_from_u64(0);
    let shapes: [&[usize]; 4] = [&[64, 32], &[32], &[3, 4, 5], &[]];
    let variables = shapes.map(|s| Variable::new(Tensor::uniform(s, -1.0, 1.0, &mut rng)));
    let gradients = shapes.map(|s| Tensor::uniform(s, -1.0, 1.0, &mut rng));
    (variables.into(), gradients.into())
}

#[test]
fn steps_after_the_first_allocate_nothing() {
    for (name, mut optimizer) in every_optimizer::<f32>() {
        let (variables, gradients) = variables();
        let first = allocated_by(|| optimizer.apply_gradients(&gradients, &variables));
        let rest = allocated_by(|| {
            for _ in 2..=10 {
                optimizer.apply_gradients(&gradients, &variables);
            }
        });
        println!(
            "{name}: step 1 {} bytes in {} allocations; steps 2–10 {rest:?}",
            first.0, first.1
        );
        assert_eq!(
            rest,
            (0, 0),
            "{name}: steps 2 to 10 allocated (bytes, calls)"
        );
    }
}

#[test]
fn clipping_an_unshared_gradient_list_allocates_nothing() {
    let (_, mut gradients) = variables();
    let bytes = allocated_by(|| {
        clip_by_global_norm(&mut gradients, 0.5);
        clip_by_value(&mut gradients, 0.01);
    });
    assert_eq!(bytes, (0, 0));
}

#[test]
fn a_real_tape_step_updates_the_variables_storage_in_place() {
    use descent_autograd::Tape;
    let (variables, _) = variables();
    let address = |v: &Variable<f32>| v.value().array().as_ptr();
    let before: Vec<_> = variables.iter().map(address).collect();
    for (name, mut optimizer) in every_optimizer::<f32>() {
        for _ in 0..3 {
            let tape = Tape::new();
            let read: Vec<_> = variables
                .iter()
                .map(|v| tape.read(v).square().sum(&[], false))
                .collect();
            let loss = read
                .iter()
                .skip(1)
                .fold(read[0], |total, term| &total + term);
            let grads = tape.gradient(&loss, &variables);
            optimizer.apply_gradients(&grads, &variables);
        }
        let after: Vec<_> = variables.iter().map(address).collect();
        assert_eq!(before, after, "{name}: a variable was copied");
    }
}
