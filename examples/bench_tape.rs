//! Per-op overhead of the tape, as one JSON line: a chain of 1,000 elementwise ops on a
//! 16-element f32 tensor (`y·c1`, `y + c2`, `tanh y` in turn, the protocol of
//! ../shared/bench/python/op_overhead.py), then `sum` and the gradient; median of 200 timed
//! repetitions after 10 warm-ups.
//!
//! ```text
//! cargo run --release --example bench_tape
//! ```

use descent::prelude::*;
use std::time::Instant;

const OPS: usize = 1000;

fn chain(x: &Tensor<f32>, c1: &Tensor<f32>, c2: &Tensor<f32>) -> Tensor<f32> {
    let tape = Tape::new();
    let (x, c1, c2) = (
        tape.watch(x.clone()),
        tape.watch(c1.clone()),
        tape.watch(c2.clone()),
    );
    let mut y = x;
    for i in 0..OPS {
        y = match i % 3 {
            0 => y * c1,
            1 => y + c2,
            _ => y.tanh(),
        };
    }
    tape.gradient(&y.sum(&[], false), &[x]).remove(0)
}

fn main() {
    let x = Tensor::full(&[16], 0.5f32);
    let c1 = Tensor::full(&[16], 1.01f32);
    let c2 = Tensor::full(&[16], 0.001f32);
    for _ in 0..10 {
        chain(&x, &c1, &c2);
    }
    let mut times: Vec<f64> = (0..200)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(chain(&x, &c1, &c2));
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let us_per_op = times[times.len() / 2] / OPS as f64 * 1e6;
    let gradient = chain(&x, &c1, &c2).get(&[0]).expect("element");
    println!(
        "{{\"framework\":\"descent\",\"bench\":\"op_overhead\",\"mode\":\"fwd_bwd\",\"n_ops\":{OPS},\
         \"size\":16,\"us_per_op\":{us_per_op:.4},\"us_per_op_min\":{:.4},\"gradient\":{gradient:e}}}",
        times[0] / OPS as f64 * 1e6
    );
}
