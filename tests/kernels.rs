//! The product kernels are right on every instruction set the binary may meet.
//!
//! descent's products run on the `gemm` crate, which picks its kernels when the program starts:
//! AVX-512 where the CPU has it, else AVX2 + FMA, else plain code. One binary serves every x86-64
//! machine, so each path must be right, not only the one the test machine takes.
//!
//! - `products_match_a_plain_loop` checks products of many shapes (square, thin, transposed
//!   views, batched, large enough to be split across threads, f32 and f64) against a plain
//!   triple loop summed in f64, on whatever this CPU offers.
//! - `elementwise_and_updates_match_a_plain_loop` checks the loops descent compiles for the
//!   widest vectors at run time (`descent::autograd::vectorized`: elementwise ops, optimizer
//!   updates) bit for bit against plain scalar code.
//! - `avx2_path_matches_a_plain_loop` (ignored by default; CI runs it) runs both tests again,
//!   in this same executable, under `qemu-x86_64 -cpu Haswell`: an emulated CPU with AVX2 and FMA
//!   but no AVX-512, so the crates take their AVX2 paths. The child asserts that they did.

use descent::prelude::*;
use rand::{SeedableRng, rngs::StdRng};
use std::process::Command;

/// `a · b` by the definition, summed in f64.
fn plain_product(a: &Tensor<f64>, b: &Tensor<f64>) -> Vec<f64> {
    let (m, k, n) = (a.shape()[0], a.shape()[1], b.shape()[1]);
    let (a, b) = (a.array(), b.array());
    let mut out = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            out[i * n + j] = (0..k).map(|l| a[[i, l]] * b[[l, j]]).sum();
        }
    }
    out
}

/// Checks `a · b` in f64 and in f32 against the plain product; `transpose` makes each operand a
/// transposed (strided) view of its transpose.
fn check(m: usize, k: usize, n: usize, transpose: bool, rng: &mut StdRng) {
    let operand = |rows, cols, rng: &mut StdRng| match transpose {
        true => Tensor::<f64>::uniform(&[cols, rows], -1.0, 1.0, rng).transpose(),
        false => Tensor::<f64>::uniform(&[rows, cols], -1.0, 1.0, rng),
    };
    let (a, b) = (operand(m, k, rng), operand(k, n, rng));
    let expected = plain_product(&a, &b);
    let f64_product = a.matmul(&b).to_vec();
    let (a32, b32) = (a.map(|&x| x as f32), b.map(|&x| x as f32));
    let f32_product = a32.matmul(&b32).to_vec();
    for (i, &e) in expected.iter().enumerate() {
        let what = format!("[{m}, {k}]·[{k}, {n}] (transposed: {transpose}) element {i}");
        assert!(
            (f64_product[i] - e).abs() <= 1e-12 * k as f64,
            "f64 {what}: {} vs {e}",
            f64_product[i]
        );
        assert!(
            (f32_product[i] as f64 - e).abs() <= 1e-5 * k as f64,
            "f32 {what}: {} vs {e}",
            f32_product[i]
        );
    }
}

#[test]
fn products_match_a_plain_loop() {
    let avx512 = std::arch::is_x86_feature_detected!("avx512f");
    println!(
        "this CPU: avx512f {avx512}, avx2 {}",
        std::arch::is_x86_feature_detected!("avx2")
    );
    if let Ok(expected) = std::env::var("EXPECT_AVX512") {
        assert_eq!(
            avx512.to_string(),
            expected,
            "the emulated CPU's AVX-512 support"
        );
    }
    let mut rng = StdRng::seed_from_u64(0);
    let shapes = [
        (1, 1, 1),
        (3, 5, 7),
        (17, 33, 65),
        (64, 784, 128),  // arch A forward
        (784, 64, 128),  // arch A weight gradient
        (256, 784, 128), // large enough to be split across two threads
        (64, 128, 10),   // arch A second layer
        (129, 300, 257), // odd sizes
        (300, 257, 129), // split along rows, at an odd length
    ];
    for (m, k, n) in shapes {
        for transpose in [false, true] {
            check(m, k, n, transpose, &mut rng);
        }
    }
    let a = Tensor::<f64>::uniform(&[3, 20, 30], -1.0, 1.0, &mut rng);
    let b = Tensor::<f64>::uniform(&[30, 40], -1.0, 1.0, &mut rng);
    let batched = a.matmul(&b);
    for i in 0..3 {
        let (a_i, c_i) = (
            a.slice(0, i, i + 1).reshape(&[20, 30]),
            batched.slice(0, i, i + 1),
        );
        let expected = plain_product(&a_i, &b);
        for (x, e) in c_i.to_vec().iter().zip(&expected) {
            assert!((x - e).abs() < 1e-12, "batched product {i}: {x} vs {e}");
        }
    }
}

#[test]
#[ignore = "needs qemu-x86_64 (Debian's qemu-user); CI runs it"]
fn avx2_path_matches_a_plain_loop() {
    let me = std::env::current_exe().expect("the test executable");
    let output = Command::new("qemu-x86_64")
        .args(["-cpu", "Haswell"])
        .arg(&me)
        .args(["match_a_plain_loop", "--skip", "avx2_path", "--nocapture"])
        .env("EXPECT_AVX512", "false")
        .output()
        .expect("qemu-x86_64 runs (apt-get install qemu-user)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}");
    assert!(
        output.status.success() && stdout.contains("2 passed"),
        "the AVX2 path failed under qemu:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn elementwise_and_updates_match_a_plain_loop() {
    // 1003 elements: whole vectors of every width and a remainder.
    let n = 1003;
    let x: Vec<f32> = (0..n)
        .map(|i| ((i * 37 % 101) as f32 - 50.0) / 7.0)
        .collect();
    let g: Vec<f32> = (0..n)
        .map(|i| ((i * 53 % 97) as f32 - 48.0) / 11.0)
        .collect();
    let (xt, gt) = (
        Tensor::from_vec(x.clone(), &[n]),
        Tensor::from_vec(g.clone(), &[n]),
    );
    let relu: Vec<f32> = x.iter().map(|&v| if v > 0.0 { v } else { 0.0 }).collect();
    assert_eq!(xt.relu().to_vec(), relu, "relu");
    let sum: Vec<f32> = x.iter().zip(&g).map(|(a, b)| a + b).collect();
    assert_eq!(xt.add(&gt).to_vec(), sum, "add");

    // Three steps of SGD with momentum, the rule written out per element.
    let w = Variable::new(xt.clone());
    let mut momentum = Momentum::new(0.1, 0.9);
    let (mut p, mut v) = (x.clone(), vec![0.0f32; n]);
    for _ in 0..3 {
        momentum.apply_gradients(std::slice::from_ref(&gt), std::slice::from_ref(&w));
        for ((p, v), &g) in p.iter_mut().zip(&mut v).zip(&g) {
            let g = g + 0.0 * *p;
            *v = 0.9 * *v + g;
            *p -= 0.1 * *v;
        }
    }
    assert_eq!(w.value().to_vec(), p, "momentum");
}
