//! Property tests where the arithmetic is subtle: NumPy broadcasting (shapes, values and the
//! gradients summed back to each operand), reshape and permute round trips and their
//! gradients, and random compositions of smooth ops checked against finite differences.

use descent_autograd::{Tape, Tensor, Var, check};
use ndarray::{Dimension, IxDyn};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

const CASES: u32 = 64;

// ---------------------------------------------------------------------------------------------
// Shapes.

/// A result shape of 0–`max_dims` dimensions, each of size 1–`max_size`.
fn shape(max_dims: usize, max_size: usize) -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(1..=max_size, 0..=max_dims)
}

/// An operand that broadcasts to `result`: some leading dimensions dropped, some set to 1.
fn operand_of(result: Vec<usize>) -> impl Strategy<Value = Vec<usize>> {
    let n = result.len();
    (0..=n, prop::collection::vec(any::<bool>(), n)).prop_map(move |(drop, ones)| {
        (drop..n)
            .map(|i| if ones[i] { 1 } else { result[i] })
            .collect()
    })
}

/// A result shape and two operands that broadcast to (a shape inside) it.
fn compatible_pair() -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    shape(4, 4).prop_flat_map(|r| (operand_of(r.clone()), operand_of(r)))
}

/// Two shapes that do not broadcast: one aligned dimension differs and neither is 1.
fn incompatible_pair() -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    (
        shape(4, 4).prop_filter("non-empty", |s| !s.is_empty()),
        2..=4usize,
        2..=4usize,
    )
        .prop_filter("different sizes", |(_, x, y)| x != y)
        .prop_flat_map(|(base, x, y)| {
            let n = base.len();
            (Just(base), Just(x), Just(y), 0..n, 0..n, any::<bool>())
        })
        .prop_map(|(base, x, y, at, drop, swap)| {
            let mut a = base.clone();
            a[at] = x;
            let mut b = base[drop.min(at)..].to_vec();
            b[at - drop.min(at)] = y;
            if swap { (b, a) } else { (a, b) }
        })
}

/// The NumPy broadcast of two shapes, written independently of descent: `None` when they do
/// not broadcast.
fn numpy_broadcast(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let n = a.len().max(b.len());
    let dim = |s: &[usize], i: usize| (i + s.len()).checked_sub(n).map_or(1, |j| s[j]);
    (0..n)
        .map(|i| match (dim(a, i), dim(b, i)) {
            (x, y) if x == y => Some(x),
            (1, y) => Some(y),
            (x, 1) => Some(x),
            _ => None,
        })
        .collect()
}

/// The index into an operand of `shape` that broadcasting reads at result index `index`.
fn source_index(index: &[usize], shape: &[usize]) -> Vec<usize> {
    let lead = index.len() - shape.len();
    shape
        .iter()
        .enumerate()
        .map(|(i, &d)| if d == 1 { 0 } else { index[lead + i] })
        .collect()
}

/// Distinct small integers (exact in f64) in `shape`, starting at `start`.
fn counting(shape: &[usize], start: f64, step: f64) -> Tensor<f64> {
    let n: usize = shape.iter().product();
    Tensor::from_vec((0..n).map(|i| start + step * i as f64).collect(), shape)
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(payload) => payload
            .downcast::<&str>()
            .map(|s| s.to_string())
            .unwrap_or_default(),
    }
}

// ---------------------------------------------------------------------------------------------
// (a) Broadcasting.

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn add_broadcasts_like_numpy((sa, sb) in compatible_pair()) {
        let out = numpy_broadcast(&sa, &sb).expect("compatible by construction");
        let (a, b) = (counting(&sa, 1.0, 1.0), counting(&sb, 100.0, 100.0));
        let tape = Tape::new();
        let (va, vb) = (tape.watch(a.clone()), tape.watch(b.clone()));
        let y = va.add(&vb);
        prop_assert_eq!(y.shape().to_vec(), out.clone());
        // Values: each output element reads the broadcast elements of a and b.
        let value = y.value();
        for index in ndarray::indices(IxDyn(&out)) {
            let index = index.slice();
            let expected = a.get(&source_index(index, &sa)).unwrap()
                + b.get(&source_index(index, &sb)).unwrap();
            prop_assert_eq!(value.get(index), Some(expected));
        }
        // Gradients of Σ w·(a + b): each operand element gets the sum of the weights of the
        // outputs it was broadcast to.
        let w = counting(&out, 1.0, 1.0);
        let target = y.mul(&tape.watch(w.clone())).sum(&[], false);
        let grads = tape.gradient(&target, &[va, vb]);
        for (grad, shape) in grads.iter().zip([&sa, &sb]) {
            prop_assert_eq!(grad.shape(), shape.as_slice());
            let mut expected = Tensor::<f64>::zeros(shape);
            for index in ndarray::indices(IxDyn(&out)) {
                let index = index.slice();
                expected.view_mut()[IxDyn(&source_index(index, shape))] += w.get(index).unwrap();
            }
            prop_assert_eq!(grad, &expected);
        }
    }

    #[test]
    fn gradient_of_a_broadcast_sum_counts_the_copies((sa, sb) in compatible_pair()) {
        let out = numpy_broadcast(&sa, &sb).expect("compatible by construction");
        let tape = Tape::new();
        let (va, vb) = (tape.watch(Tensor::<f64>::ones(&sa)), tape.watch(Tensor::ones(&sb)));
        let grads = tape.gradient(&va.add(&vb).sum(&[], false), &[va, vb]);
        let total: usize = out.iter().product();
        for (grad, shape) in grads.iter().zip([&sa, &sb]) {
            let copies = total / shape.iter().product::<usize>();
            prop_assert_eq!(grad, &Tensor::full(shape, copies as f64));
        }
    }

    #[test]
    fn incompatible_shapes_panic_naming_add_and_both((sa, sb) in incompatible_pair()) {
        prop_assert_eq!(numpy_broadcast(&sa, &sb), None);
        let result = std::panic::catch_unwind(|| {
            let tape = Tape::new();
            let a = tape.watch(Tensor::<f64>::zeros(&sa));
            let b = tape.watch(Tensor::<f64>::zeros(&sb));
            a.add(&b).shape()
        });
        let message = panic_message(result.expect_err("incompatible shapes must panic"));
        prop_assert_eq!(message, format!("add: cannot broadcast shapes {sa:?} and {sb:?}"));
    }
}

// ---------------------------------------------------------------------------------------------
// (b) Reshape and permute.

/// A shape and another with the same number of elements: its dimensions shuffled, some
/// neighbours merged, and 1s inserted.
fn reshape_pair() -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    shape(4, 4).prop_flat_map(|s| {
        let n = s.len();
        (
            Just(s.clone()),
            Just(s).prop_shuffle(),
            prop::collection::vec(any::<bool>(), n),
            prop::collection::vec(0..=n, 0..=2),
        )
            .prop_map(|(s, shuffled, merge, ones)| {
                let mut target: Vec<usize> = Vec::new();
                for (i, &d) in shuffled.iter().enumerate() {
                    match target.last_mut() {
                        Some(last) if merge[i] => *last *= d,
                        _ => target.push(d),
                    }
                }
                for &at in &ones {
                    target.insert(at.min(target.len()), 1);
                }
                (s, target)
            })
    })
}

/// A shape and a permutation of its axes.
fn permuted_shape(min_dims: usize) -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    prop::collection::vec(1..=4usize, min_dims..=4).prop_flat_map(|s| {
        let axes: Vec<usize> = (0..s.len()).collect();
        (Just(s), Just(axes).prop_shuffle())
    })
}

fn inverse(axes: &[usize]) -> Vec<usize> {
    let mut inv = vec![0; axes.len()];
    for (i, &a) in axes.iter().enumerate() {
        inv[a] = i;
    }
    inv
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn reshape_round_trips((s, t) in reshape_pair()) {
        let x = counting(&s, 0.5, 1.0);
        let tape = Tape::new();
        let v = tape.watch(x.clone());
        let y = v.reshape(&t);
        prop_assert_eq!(y.shape().to_vec(), t.clone());
        prop_assert_eq!(y.value().to_vec(), x.to_vec()); // row-major order is kept
        let back = y.reshape(&s);
        prop_assert_eq!(back.value(), x.clone());
        // The gradient of Σ w·reshape(x) is w in x's shape.
        let w = counting(&t, -3.0, 0.25);
        let target = y.mul(&tape.watch(w.clone())).sum(&[], false);
        let g = tape.gradient(&target, &[v]).remove(0);
        prop_assert_eq!(g.shape(), s.as_slice());
        prop_assert_eq!(g.to_vec(), w.to_vec());
    }

    #[test]
    fn reshape_of_a_permuted_view_reads_logical_order((s, axes) in permuted_shape(2)) {
        let x = counting(&s, 0.0, 1.0).permute(&axes); // a strided view
        let n = x.len();
        prop_assert_eq!(x.reshape(&[n]).to_vec(), x.to_vec());
    }

    #[test]
    fn permute_then_inverse_is_identity((s, axes) in permuted_shape(0)) {
        let x = counting(&s, 1.0, 1.0);
        let inv = inverse(&axes);
        let tape = Tape::new();
        let v = tape.watch(x.clone());
        let y = v.permute(&axes);
        let expected_shape: Vec<usize> = axes.iter().map(|&a| s[a]).collect();
        prop_assert_eq!(y.shape().to_vec(), expected_shape.clone());
        // Axis i of y is axis axes[i] of x.
        let value = y.value();
        for index in ndarray::indices(IxDyn(&expected_shape)) {
            let index = index.slice();
            let mut source = vec![0; s.len()];
            for (i, &a) in axes.iter().enumerate() {
                source[a] = index[i];
            }
            prop_assert_eq!(value.get(index), x.get(&source));
        }
        prop_assert_eq!(y.permute(&inv).value(), x.clone());
        prop_assert_eq!(x.permute(&axes).permute(&inv), x.clone());
    }

    #[test]
    fn gradient_of_a_permute_is_the_inverse_permute((s, axes) in permuted_shape(0)) {
        let x = counting(&s, 1.0, 1.0);
        let out: Vec<usize> = axes.iter().map(|&a| s[a]).collect();
        let w = counting(&out, -2.0, 0.5);
        let tape = Tape::new();
        let v = tape.watch(x);
        let target = v.permute(&axes).mul(&tape.watch(w.clone())).sum(&[], false);
        let g = tape.gradient(&target, &[v]).remove(0);
        // By hand: g[source] = w[index] where source[axes[i]] = index[i].
        let mut expected = Tensor::<f64>::zeros(&s);
        for index in ndarray::indices(IxDyn(&out)) {
            let index = index.slice();
            let mut source = vec![0; s.len()];
            for (i, &a) in axes.iter().enumerate() {
                source[a] = index[i];
            }
            expected.view_mut()[IxDyn(&source)] = w.get(index).unwrap();
        }
        prop_assert_eq!(&g, &expected);
        prop_assert_eq!(g, w.permute(&inverse(&axes)));
    }

    #[test]
    fn transpose_of_transpose_is_identity(s in prop::collection::vec(1..=4usize, 2..=4)) {
        let x = counting(&s, 1.0, 1.0);
        let tape = Tape::new();
        let v = tape.watch(x.clone());
        let t = v.transpose();
        let n = s.len();
        prop_assert_eq!(t.shape()[n - 2], s[n - 1]);
        prop_assert_eq!(t.shape()[n - 1], s[n - 2]);
        prop_assert_eq!(t.transpose().value(), x.clone());
        prop_assert_eq!(x.transpose().transpose(), x);
    }
}

// ---------------------------------------------------------------------------------------------
// (c) Random compositions of smooth ops, checked against finite differences.

#[derive(Clone, Copy, Debug)]
enum Unary {
    /// `exp(0.5 x)`: scaled so that nested squares stay representable.
    Exp,
    Tanh,
    Sigmoid,
    Softplus,
    Square,
    MulScalar(f64),
    AddScalar(f64),
}

#[derive(Clone, Copy, Debug)]
enum Binary {
    Add,
    Mul,
    Sub,
}

#[derive(Clone, Debug)]
enum Expr {
    Input(usize),
    Unary(Unary, Box<Expr>),
    Binary(Binary, Box<Expr>, Box<Expr>),
}

impl Expr {
    fn eval<'t>(&self, inputs: &[Var<'t, f64>]) -> Var<'t, f64> {
        match self {
            Expr::Input(i) => inputs[*i],
            Expr::Unary(op, e) => {
                let x = e.eval(inputs);
                match *op {
                    Unary::Exp => x.mul_scalar(0.5).exp(),
                    Unary::Tanh => x.tanh(),
                    Unary::Sigmoid => x.sigmoid(),
                    Unary::Softplus => x.softplus(),
                    Unary::Square => x.square(),
                    Unary::MulScalar(s) => x.mul_scalar(s),
                    Unary::AddScalar(s) => x.add_scalar(s),
                }
            }
            Expr::Binary(op, a, b) => {
                let (a, b) = (a.eval(inputs), b.eval(inputs));
                match op {
                    Binary::Add => a.add(&b),
                    Binary::Mul => a.mul(&b),
                    Binary::Sub => a.sub(&b),
                }
            }
        }
    }
}

const INPUTS: usize = 3;

fn expr() -> impl Strategy<Value = Expr> {
    let unary = prop_oneof![
        Just(Unary::Exp),
        Just(Unary::Tanh),
        Just(Unary::Sigmoid),
        Just(Unary::Softplus),
        Just(Unary::Square),
        (-2.0..2.0f64).prop_map(Unary::MulScalar),
        (-1.0..1.0f64).prop_map(Unary::AddScalar),
    ];
    let binary = prop_oneof![Just(Binary::Add), Just(Binary::Mul), Just(Binary::Sub)];
    let leaf = (0..INPUTS).prop_map(Expr::Input);
    // Depth ≤ 4: at most four ops on any path from an input to the result.
    leaf.prop_recursive(4, 24, 2, move |inner| {
        prop_oneof![
            (unary.clone(), inner.clone()).prop_map(|(op, e)| Expr::Unary(op, Box::new(e))),
            (binary.clone(), inner.clone(), inner).prop_map(|(op, a, b)| Expr::Binary(
                op,
                Box::new(a),
                Box::new(b)
            )),
        ]
    })
}

/// Three input tensors on small shapes that broadcast together (each derived from one result
/// shape of up to 3 dimensions of size ≤ 3), with values in [-1.5, 1.5].
fn expr_inputs() -> impl Strategy<Value = Vec<Tensor<f64>>> {
    shape(3, 3)
        .prop_flat_map(|r| prop::collection::vec(operand_of(r), INPUTS))
        .prop_flat_map(|shapes| {
            let values: Vec<_> = shapes
                .iter()
                .map(|s| prop::collection::vec(-1.5..1.5f64, s.iter().product::<usize>()))
                .collect();
            (Just(shapes), values)
        })
        .prop_map(|(shapes, values)| {
            shapes
                .iter()
                .zip(values)
                .map(|(s, v)| Tensor::from_vec(v, s))
                .collect()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn random_compositions_have_correct_gradients(e in expr(), inputs in expr_inputs()) {
        let report = check::gradients(|v| e.eval(v), &inputs, 1e-6)
            .map_err(|error| TestCaseError::fail(format!("{e:?}\n{error}")))?;
        prop_assert!(report.max_error <= 1e-6);
    }
}
