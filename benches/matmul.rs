//! Matrix products on the shapes of a 784-128-10 MLP: 64×784 · 784×128 forward, and forward plus
//! both gradients (x·W, then Gᵀ-shaped products on transposed views).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use descent::prelude::*;
use rand::{SeedableRng, rngs::StdRng};
use std::hint::black_box;

fn matmul(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(0);
    let x = Tensor::<f32>::uniform(&[64, 784], -1.0, 1.0, &mut rng);
    let w = Tensor::<f32>::uniform(&[784, 128], -0.1, 0.1, &mut rng);
    let flops = 2 * 64 * 784 * 128;
    let mut group = c.benchmark_group("matmul 64x784 · 784x128");
    group.throughput(Throughput::Elements(flops as u64));
    group.bench_function("forward", |b| b.iter(|| black_box(x.matmul(&w))));
    group.throughput(Throughput::Elements(3 * flops as u64));
    group.bench_function("forward + backward (both gradients)", |b| {
        b.iter(|| {
            let tape = Tape::new();
            let (xv, wv) = (tape.watch(x.clone()), tape.watch(w.clone()));
            let y = xv.matmul(&wv).sum(&[], false);
            black_box(tape.gradient(&y, &[xv, wv]))
        })
    });
    group.finish();
}

criterion_group!(benches, matmul);
criterion_main!(benches);
