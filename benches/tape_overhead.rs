//! Per-op overhead of the tape: a chain of 1,000 elementwise ops on a 16-element f32 tensor
//! (`y·c1`, `y + c2`, `tanh y` in turn, the protocol of ../shared/bench), then `sum` and the
//! gradient. Divide the reported time by 1,000 for the cost of one op, forward plus backward.

use criterion::{Criterion, criterion_group, criterion_main};
use descent::prelude::*;
use std::hint::black_box;

fn chain(x: &Tensor<f32>, c1: &Tensor<f32>, c2: &Tensor<f32>, ops: usize) -> Tensor<f32> {
    let tape = Tape::new();
    let (x, c1, c2) = (
        tape.watch(x.clone()),
        tape.watch(c1.clone()),
        tape.watch(c2.clone()),
    );
    let mut y = x;
    for i in 0..ops {
        y = match i % 3 {
            0 => y * c1,
            1 => y + c2,
            _ => y.tanh(),
        };
    }
    let loss = y.sum(&[], false);
    tape.gradient(&loss, &[x]).remove(0)
}

fn tape_overhead(c: &mut Criterion) {
    let x = Tensor::full(&[16], 1e-3f32);
    let c1 = Tensor::full(&[16], 0.999f32);
    let c2 = Tensor::full(&[16], 1e-6f32);
    c.bench_function("chain of 1000 ops, 16 elements, forward + backward", |b| {
        b.iter(|| black_box(chain(&x, &c1, &c2, 1000)))
    });
}

criterion_group!(benches, tape_overhead);
criterion_main!(benches);
