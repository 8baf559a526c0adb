//! matrixmultiply against the gemm crate on the products of the two MNIST MLPs, outside descent:
//! the measurement behind descent's choice of GEMM backend (docs/profile.md).
//!
//! ```text
//! MATMUL_NUM_THREADS=1 cargo bench -p descent-benches --bench gemm_backends -- matrixmultiply
//! MATMUL_NUM_THREADS=2 cargo bench -p descent-benches --bench gemm_backends -- matrixmultiply
//! cargo bench -p descent-benches --bench gemm_backends -- gemm-1
//! RAYON_NUM_THREADS=2 cargo bench -p descent-benches --bench gemm_backends -- gemm-2
//! ```
#![allow(unsafe_code)] // the gemm crate's entry point takes raw pointers

use ndarray::{Array2, ArrayView2, ArrayViewMut2, linalg::general_mat_mul};
use std::time::Instant;

/// (label, m, k, n, a transposed, b transposed): forward, weight- and input-gradient products.
const SHAPES: [(&str, usize, usize, usize, bool, bool); 9] = [
    ("A forward x·W1", 64, 784, 128, false, false),
    ("A weight grad xᵀ·G", 784, 64, 128, true, false),
    ("A input grad G·W1ᵀ", 64, 128, 784, false, true),
    ("A layer 2 h·W2", 64, 128, 10, false, false),
    ("B forward 1", 128, 784, 512, false, false),
    ("B forward 2", 128, 512, 512, false, false),
    ("B weight grad 1", 784, 128, 512, true, false),
    ("B weight grad 2", 512, 128, 512, true, false),
    ("B input grad 2", 128, 512, 512, false, true),
];

fn gemm_crate(a: ArrayView2<f32>, b: ArrayView2<f32>, mut c: ArrayViewMut2<f32>, threads: usize) {
    let ((m, k), n) = (a.dim(), b.dim().1);
    let parallelism = match threads {
        1 => gemm::Parallelism::None,
        n => gemm::Parallelism::Rayon(n),
    };
    let (a_s, b_s, c_s) = (
        a.strides().to_vec(),
        b.strides().to_vec(),
        c.strides().to_vec(),
    );
    // SAFETY: pointers and strides of live views with the shapes passed; c is a unique borrow.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c.as_mut_ptr(),
            c_s[1],
            c_s[0],
            false,
            a.as_ptr(),
            a_s[1],
            a_s[0],
            b.as_ptr(),
            b_s[1],
            b_s[0],
            0.0f32,
            1.0f32,
            false,
            false,
            false,
            parallelism,
        );
    }
}

/// Median seconds per call over 7 samples of at least 0.15 s, after 20 warm-up calls.
fn time(f: &mut dyn FnMut()) -> f64 {
    (0..20).for_each(|_| f());
    let mut samples: Vec<f64> = (0..7)
        .map(|_| {
            let (start, mut calls) = (Instant::now(), 0);
            while start.elapsed().as_secs_f64() < 0.15 {
                f();
                calls += 1;
            }
            start.elapsed().as_secs_f64() / f64::from(calls)
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[3]
}

fn main() {
    let backend = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or("gemm-1".into());
    for (label, m, k, n, transpose_a, transpose_b) in SHAPES {
        let a = Array2::<f32>::from_elem(if transpose_a { (k, m) } else { (m, k) }, 0.5);
        let b = Array2::<f32>::from_elem(if transpose_b { (n, k) } else { (k, n) }, 0.25);
        let a = if transpose_a { a.t() } else { a.view() };
        let b = if transpose_b { b.t() } else { b.view() };
        let mut c = Array2::<f32>::zeros((m, n));
        let seconds = match backend.as_str() {
            "matrixmultiply" => time(&mut || general_mat_mul(1.0, &a, &b, 0.0, &mut c)),
            "gemm-2" => time(&mut || gemm_crate(a, b, c.view_mut(), 2)),
            _ => time(&mut || gemm_crate(a, b, c.view_mut(), 1)),
        };
        let gflops = 2.0 * (m * k * n) as f64 / seconds / 1e9;
        println!("{backend:14} {label:20} {m}×{k}×{n}: {gflops:5.1} GFLOP/s");
    }
}
