//! After its first step no optimizer allocates: state is created once, then everything is
//! updated in place. A counting global allocator (per thread, so that tests running alongside
//! do not count) measures steps 2 to 10 on precomputed gradients.
#![allow(unsafe_code)] // the allocator below; the library itself denies unsafe code

mod common;

use common::every_optimizer;
use descent_autograd::{Tensor, Variable};
use descent_optim::{clip_by_global_norm, clip_by_value};
use rand::{SeedableRng, rngs::StdRng};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The system allocator, counting the bytes and calls each thread asks for.
struct Counting;

thread_local! {
    static ALLOCATED: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
}

fn count(bytes: usize) {
    // `try_with`: the slot is gone while a thread is being torn down.
    let _ = ALLOCATED.try_with(|a| a.set((a.get().0 + bytes, a.get().1 + 1)));
}

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Bytes and allocations that `f` asks for on this thread.
fn allocated_by(f: impl FnOnce()) -> (usize, usize) {
    let before = ALLOCATED.with(Cell::get);
    f();
    let after = ALLOCATED.with(Cell::get);
    (after.0 - before.0, after.1 - before.1)
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
