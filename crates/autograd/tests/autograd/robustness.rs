//! Numerics on extreme inputs: logits of ±1e4 (f64 and f32) and ±100 (f32), rows mixing huge
//! and tiny values (including ±0), and normalisations of tiny and huge variances. Values and
//! gradients (from `tape.gradient`) must be finite and match a stable reference written here as
//! plain f64 arithmetic, evaluated at the same (rounded) inputs.
//!
//! Tolerance: `|actual − expected| ≤ 8 ε · scale · (1 + |expected|)` with ε the machine epsilon
//! of the type under test. `scale` is 1 except where an op works in log space on large logits:
//! `softmax(x) = exp(x − logsumexp(x))` rounds `logsumexp` to the precision of the largest
//! logit, so results there are exact for inputs perturbed by about one ulp of `max |x|`
//! (backward stable), and `scale` is the largest `|x|` in the row. `f32_near_ties_at_1e4_lose_only_an_ulp_of_the_logit`
//! pins that floor down.
//!
//! The last tests document the IEEE behaviours descent keeps on purpose: `ln 0 = −inf`,
//! `sqrt`'s gradient at 0 is `+inf`, `0 / 0` is NaN.

use descent_autograd::{Float, Tape, Tensor, Var};

// ---------------------------------------------------------------------------------------------
// Helpers.

fn tensor<F: Float>(values: &[f64], shape: &[usize]) -> Tensor<F> {
    Tensor::from_vec(values.iter().map(|&x| F::cast(x)).collect(), shape)
}

/// The values as the type under test rounds them, widened back to f64 for the reference.
fn rounded<F: Float>(values: &[f64]) -> Vec<f64> {
    values.iter().map(|&x| F::cast(x).as_f64()).collect()
}

/// Fixed weights in [-1, 1] for the weighted sum `Σ w · f(x)` whose gradient is checked.
fn weights(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| ((i * 7 + 3) % 9) as f64 / 4.0 - 1.0)
        .collect()
}

/// Asserts `actual` is finite everywhere and within the tolerance of `expected`.
#[track_caller]
fn assert_close<F: Float>(what: &str, actual: &Tensor<F>, expected: &[f64], scale: f64) {
    assert_close_scaled(what, actual, expected, &vec![scale; expected.len()]);
}

/// As [`assert_close`], with a scale per element.
#[track_caller]
fn assert_close_scaled<F: Float>(what: &str, actual: &Tensor<F>, expected: &[f64], scales: &[f64]) {
    let actual: Vec<f64> = actual.to_vec().iter().map(|x| x.as_f64()).collect();
    assert_eq!(actual.len(), expected.len(), "{what}: length");
    for (i, ((&a, &e), &scale)) in actual.iter().zip(expected).zip(scales).enumerate() {
        let bound = 8.0 * F::epsilon().as_f64() * scale.max(1.0) * (1.0 + e.abs());
        assert!(a.is_finite(), "{what}: element {i} is {a} (expected {e})");
        assert!(
            (a - e).abs() <= bound,
            "{what}: element {i} is {a:e}, expected {e:e} (|diff| {:e} > {bound:e})",
            (a - e).abs(),
        );
    }
}

/// The value of `f` at `x` and the gradient of `Σ w · f(x)` with respect to `x`.
fn value_and_grad<F: Float>(
    x: &Tensor<F>,
    f: impl for<'t> Fn(&Var<'t, F>) -> Var<'t, F>,
) -> (Tensor<F>, Tensor<F>) {
    let tape = Tape::new();
    let v = tape.watch(x.clone());
    let y = f(&v);
    let value = y.value();
    let w = tape.watch(tensor(&weights(value.len()), value.shape()));
    let target = y.mul(&w).sum(&[], false);
    let grad = tape.gradient(&target, &[v]).remove(0);
    (value, grad)
}

fn max_abs(values: &[f64]) -> f64 {
    values.iter().fold(0.0, |m, x| m.max(x.abs()))
}

// ---------------------------------------------------------------------------------------------
// Stable references in plain f64.

fn lse_ref(row: &[f64]) -> f64 {
    let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    m + row.iter().map(|&x| (x - m).exp()).sum::<f64>().ln()
}

fn log_softmax_ref(row: &[f64]) -> Vec<f64> {
    let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let s = row.iter().map(|&x| (x - m).exp()).sum::<f64>().ln();
    row.iter().map(|&x| (x - m) - s).collect()
}

fn softmax_ref(row: &[f64]) -> Vec<f64> {
    log_softmax_ref(row).iter().map(|l| l.exp()).collect()
}

fn sigmoid_ref(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        x.exp() / (1.0 + x.exp())
    }
}

/// σ'(x) = σ(x) σ(−x), without the cancellation of σ(1 − σ).
fn sigmoid_grad_ref(x: f64) -> f64 {
    sigmoid_ref(x) * sigmoid_ref(-x)
}

fn softplus_ref(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// 1 − tanh² x = 1 / cosh² x, written without cancellation (0 when cosh overflows).
fn tanh_grad_ref(x: f64) -> f64 {
    let c = x.cosh();
    1.0 / (c * c)
}

fn elu_ref(x: f64, alpha: f64) -> f64 {
    if x > 0.0 { x } else { alpha * x.exp_m1() }
}

fn elu_grad_ref(x: f64, alpha: f64) -> f64 {
    if x > 0.0 { 1.0 } else { alpha * x.exp() }
}

const GELU_C: f64 = 0.797_884_560_802_865_4; // √(2/π)

fn gelu_tanh_ref(x: f64) -> f64 {
    0.5 * x * (1.0 + (GELU_C * (x + 0.044715 * x * x * x)).tanh())
}

/// The exact GELU `x Φ(x)`.
fn gelu_ref(x: f64) -> f64 {
    0.5 * x * (1.0 + libm::erf(x / 2f64.sqrt()))
}

/// `Φ(x) + x φ(x)`.
fn gelu_grad_ref(x: f64) -> f64 {
    let density = (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
    0.5 * (1.0 + libm::erf(x / 2f64.sqrt())) + x * density
}

fn gelu_tanh_grad_ref(x: f64) -> f64 {
    let u = GELU_C * (x + 0.044715 * x * x * x);
    let du = GELU_C * (1.0 + 3.0 * 0.044715 * x * x);
    0.5 * (1.0 + u.tanh()) + 0.5 * x * tanh_grad_ref(u) * du
}

/// Applies a row function to each row of a `[rows, cols]` buffer.
fn by_rows(values: &[f64], cols: usize, f: impl Fn(&[f64]) -> Vec<f64>) -> Vec<f64> {
    values.chunks(cols).flat_map(f).collect()
}

// ---------------------------------------------------------------------------------------------
// The inputs.

/// Logit rows for f64: ±1e4, ties at -1e4, near-ties at 1e4, and tiny values and zeros.
const LOGITS_F64: [f64; 20] = [
    1e4, -1e4, 0.0, 1.0, //
    -1e4, -1e4, -1e4, -1e4, //
    1e4, 9999.0, 1e-300, -1e-300, //
    0.0, -0.0, 1e-12, -1e-12, //
    1e4, 1e-8, -1e4, 1e4,
];

/// Logit rows for f32: ±1e4 with a dominant maximum (results exact), ±100 with ties and near
/// ties, and tiny values and zeros.
const LOGITS_F32: [f64; 20] = [
    1e4, -1e4, 0.0, 1.0, //
    100.0, -100.0, 1e-30, -1e-30, //
    -100.0, -100.0, -100.0, -100.0, //
    100.0, 99.0, 0.0, -0.0, //
    -1e4, 1e-8, -1e4, 3.0,
];

/// The scale of each element of a `[rows, cols]` buffer of logits for log-space results: the
/// largest magnitude in its row.
fn row_scales(values: &[f64], cols: usize) -> Vec<f64> {
    values
        .chunks(cols)
        .flat_map(|row| vec![max_abs(row); cols])
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Softmax family.

fn softmax_family<F: Float>(logits: &[f64]) {
    let (rows, cols) = (logits.len() / 4, 4);
    let x = rounded::<F>(logits);
    let t = tensor::<F>(&x, &[rows, cols]);
    let scales = row_scales(&x, cols);
    let w = weights(rows * cols);

    // log_softmax: value x − lse(x); d/dx Σ w·y = w − softmax · Σ_row w.
    let (value, grad) = value_and_grad(&t, |v| v.log_softmax(1));
    let expected = by_rows(&x, cols, log_softmax_ref);
    assert_close_scaled("log_softmax", &value, &expected, &scales);
    let mut expected = Vec::new();
    for (r, row) in x.chunks(cols).enumerate() {
        let wr = &w[r * cols..(r + 1) * cols];
        let total: f64 = wr.iter().sum();
        let p = softmax_ref(row);
        expected.extend((0..cols).map(|j| wr[j] - p[j] * total));
    }
    assert_close_scaled("log_softmax gradient", &grad, &expected, &scales);

    // softmax: d/dx Σ w·p = p ⊙ (w − Σ w p).
    let (value, grad) = value_and_grad(&t, |v| v.softmax(1));
    let expected = by_rows(&x, cols, softmax_ref);
    assert_close_scaled("softmax", &value, &expected, &scales);
    let mut expected = Vec::new();
    for (r, row) in x.chunks(cols).enumerate() {
        let wr = &w[r * cols..(r + 1) * cols];
        let p = softmax_ref(row);
        let dot: f64 = wr.iter().zip(&p).map(|(a, b)| a * b).sum();
        expected.extend((0..cols).map(|j| p[j] * (wr[j] - dot)));
    }
    assert_close_scaled("softmax gradient", &grad, &expected, &scales);
    let sums = value.sum(&[1], false).to_vec();
    let ones = vec![1.0; rows];
    let row_scale: Vec<f64> = scales.iter().step_by(cols).copied().collect();
    assert_close_scaled(
        "softmax row sums",
        &Tensor::from_vec(sums, &[rows]),
        &ones,
        &row_scale,
    );

    // logsumexp over each row: d/dx Σ w·lse = w_row · softmax.
    let (value, grad) = value_and_grad(&t, |v| v.logsumexp(&[1], false));
    let expected: Vec<f64> = x.chunks(cols).map(lse_ref).collect();
    assert_close_scaled("logsumexp", &value, &expected, &row_scale);
    let w_rows = weights(rows);
    let expected: Vec<f64> = by_rows(&x, cols, softmax_ref)
        .iter()
        .enumerate()
        .map(|(i, p)| w_rows[i / cols] * p)
        .collect();
    assert_close_scaled("logsumexp gradient", &grad, &expected, &scales);

    // logsumexp over everything.
    let scale = max_abs(&x);
    let (value, grad) = value_and_grad(&t, |v| v.logsumexp(&[], false));
    assert_close("logsumexp (all)", &value, &[lse_ref(&x)], scale);
    let expected: Vec<f64> = softmax_ref(&x).iter().map(|p| w_rows[0] * p).collect();
    assert_close("logsumexp (all) gradient", &grad, &expected, scale);
}

#[test]
fn softmax_family_f64_on_extreme_logits() {
    softmax_family::<f64>(&LOGITS_F64);
}

#[test]
fn softmax_family_f32_on_extreme_logits() {
    softmax_family::<f32>(&LOGITS_F32);
}

#[test]
fn f32_dominant_logits_of_1e4_are_exact() {
    let tape = Tape::new();
    let x = tape.watch(tensor::<f32>(&[1e4, -1e4, 0.0, 1.0], &[1, 4]));
    assert_eq!(
        x.log_softmax(1).value().to_vec(),
        vec![0.0, -2e4, -1e4, -9999.0]
    );
    assert_eq!(x.softmax(1).value().to_vec(), vec![1.0, 0.0, 0.0, 0.0]);
    let loss = x.cross_entropy(&Tensor::from_vec(vec![1], &[1]));
    assert_eq!(loss.item(), 2e4);
    let g = tape.gradient(&loss, &[x]).remove(0);
    assert_eq!(g.to_vec(), vec![1.0, -1.0, 0.0, 0.0]);
}

#[test]
fn f32_near_ties_at_1e4_lose_only_an_ulp_of_the_logit() {
    // logsumexp([1e4, 1e4 − 1]) = 1e4 + ln(1 + e⁻¹) is rounded to f32 (ulp 2⁻¹⁰ ≈ 1e-3 at 1e4)
    // before it is subtracted, so log-softmax is off by up to half an ulp of 1e4 (plus the
    // rounding of the result itself) and softmax by that much relatively: exact for inputs one
    // ulp away, never NaN or inf.
    let logits = [1e4, 9999.0, 1e-8, -1e4];
    let x = rounded::<f32>(&logits);
    let t = tensor::<f32>(&x, &[1, 4]);
    let eps = f32::EPSILON as f64;
    let (value, grad) = value_and_grad(&t, |v| v.log_softmax(1));
    for (a, e) in value.to_vec().iter().zip(log_softmax_ref(&x)) {
        let bound = eps / 2.0 * (1e4 + e.abs());
        assert!((*a as f64 - e).abs() <= bound, "log_softmax: {a} vs {e}");
    }
    assert!(grad.to_vec().iter().all(|g| g.is_finite()));
    let (value, _) = value_and_grad(&t, |v| v.softmax(1));
    for (a, e) in value.to_vec().iter().zip(softmax_ref(&x)) {
        assert!(
            (*a as f64 - e).abs() <= eps * 1e4 * e,
            "softmax: {a} vs {e}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Losses.

fn cross_entropy_case<F: Float>(logits: &[f64], labels: &[usize]) {
    let (rows, cols) = (labels.len(), logits.len() / labels.len());
    let x = rounded::<F>(logits);
    let scales = row_scales(&x, cols);
    let tape = Tape::new();
    let z = tape.watch(tensor::<F>(&x, &[rows, cols]));
    let loss = z.cross_entropy(&Tensor::from_vec(labels.to_vec(), &[rows]));
    let expected: f64 = x
        .chunks(cols)
        .zip(labels)
        .map(|(row, &l)| -log_softmax_ref(row)[l])
        .sum::<f64>()
        / rows as f64;
    assert_close("cross_entropy", &loss.value(), &[expected], max_abs(&x));
    let g = tape.gradient(&loss, &[z]).remove(0);
    let mut expected = Vec::new();
    for (row, &l) in x.chunks(cols).zip(labels) {
        let p = softmax_ref(row);
        expected.extend((0..cols).map(|j| (p[j] - f64::from(j == l)) / rows as f64));
    }
    assert_close_scaled("cross_entropy gradient", &g, &expected, &scales);
}

#[test]
fn cross_entropy_on_extreme_logits() {
    // Labels on the largest logit, on the smallest, and on ties.
    let labels = [1, 0, 2, 1, 0];
    cross_entropy_case::<f64>(&LOGITS_F64, &labels);
    cross_entropy_case::<f32>(&LOGITS_F32, &labels);
}

fn bce_case<F: Float>(logits: &[f64], targets: &[f64]) {
    let n = logits.len();
    let (z, t) = (rounded::<F>(logits), rounded::<F>(targets));
    let tape = Tape::new();
    let zv = tape.watch(tensor::<F>(&z, &[2, n / 2]));
    let tv = tape.watch(tensor::<F>(&t, &[2, n / 2]));
    let loss = zv.binary_cross_entropy_with_logits(&tv);
    // mean(softplus(z) − z·t); d/dz = (σ(z) − t)/n, d/dt = −z/n.
    let expected: f64 = z
        .iter()
        .zip(&t)
        .map(|(&z, &t)| softplus_ref(z) - z * t)
        .sum::<f64>()
        / n as f64;
    let scale = max_abs(&z);
    assert_close(
        "binary_cross_entropy_with_logits",
        &loss.value(),
        &[expected],
        scale,
    );
    let g = tape.gradient(&loss, &[zv, tv]);
    let dz: Vec<f64> = z
        .iter()
        .zip(&t)
        .map(|(&z, &t)| (sigmoid_ref(z) - t) / n as f64)
        .collect();
    let dt: Vec<f64> = z.iter().map(|&z| -z / n as f64).collect();
    assert_close("binary_cross_entropy_with_logits d/dz", &g[0], &dz, 1.0);
    assert_close("binary_cross_entropy_with_logits d/dt", &g[1], &dt, 1.0);
}

#[test]
fn binary_cross_entropy_with_logits_on_extreme_logits() {
    let targets = [1.0, 0.0, 0.5, 0.3, 1.0, 0.0, 0.7, 1.0];
    bce_case::<f64>(&[1e4, 1e4, -1e4, -1e4, 1e-300, 0.0, -0.0, 1e-12], &targets);
    bce_case::<f32>(
        &[1e4, -1e4, 100.0, -100.0, 1e-30, 0.0, -0.0, 1e-8],
        &targets,
    );
}

#[test]
fn binary_cross_entropy_at_zero_logits_has_gradient_sigmoid_0_minus_t() {
    // A zero-initialised logistic regression starts with every logit exactly 0: the gradient
    // must be (σ(0) − t)/n = (½ − t)/n there, not −t/n.
    let tape = Tape::new();
    let z = tape.watch(Tensor::<f64>::zeros(&[4]));
    let t = tape.watch(Tensor::from_vec(vec![1.0, 0.0, 1.0, 0.0], &[4]));
    let loss = z.binary_cross_entropy_with_logits(&t);
    assert_eq!(loss.item(), 2f64.ln());
    let g = tape.gradient(&loss, &[z]).remove(0);
    assert_eq!(g.to_vec(), vec![-0.125, 0.125, -0.125, 0.125]);
}

// ---------------------------------------------------------------------------------------------
// Elementwise activations.

/// Elementwise inputs: ±1e4, ±100, ±30, tiny values and signed zeros.
const POINTS_F64: [f64; 12] = [
    1e4, -1e4, 100.0, -100.0, 30.0, -30.0, 1e-300, -1e-300, 0.0, -0.0, 1.0, -2.5,
];
const POINTS_F32: [f64; 12] = [
    1e4, -1e4, 100.0, -100.0, 30.0, -30.0, 1e-30, -1e-30, 0.0, -0.0, 1.0, -2.5,
];

fn elementwise<F: Float>(
    name: &str,
    points: &[f64],
    f: impl for<'t> Fn(&Var<'t, F>) -> Var<'t, F>,
    value_ref: impl Fn(f64) -> f64,
    grad_ref: impl Fn(f64) -> f64,
) {
    let x = rounded::<F>(points);
    let (value, grad) = value_and_grad(&tensor::<F>(&x, &[x.len()]), f);
    let w = weights(x.len());
    let values: Vec<f64> = x.iter().map(|&x| value_ref(x)).collect();
    let grads: Vec<f64> = x.iter().zip(&w).map(|(&x, w)| w * grad_ref(x)).collect();
    assert_close(name, &value, &values, 1.0);
    assert_close(&format!("{name} gradient"), &grad, &grads, 1.0);
}

fn activations<F: Float>(points: &[f64]) {
    elementwise::<F>(
        "sigmoid",
        points,
        |v| v.sigmoid(),
        sigmoid_ref,
        sigmoid_grad_ref,
    );
    elementwise::<F>("tanh", points, |v| v.tanh(), f64::tanh, tanh_grad_ref);
    elementwise::<F>(
        "softplus",
        points,
        |v| v.softplus(),
        softplus_ref,
        sigmoid_ref,
    );
    let one = F::one();
    elementwise::<F>(
        "elu(1)",
        points,
        move |v| v.elu(one),
        |x| elu_ref(x, 1.0),
        |x| elu_grad_ref(x, 1.0),
    );
    // elu with α ≠ 1 has a kink at 0: leave the zeros out.
    let nonzero: Vec<f64> = points.iter().copied().filter(|&x| x != 0.0).collect();
    let half = F::cast(0.5);
    elementwise::<F>(
        "elu(0.5)",
        &nonzero,
        move |v| v.elu(half),
        |x| elu_ref(x, 0.5),
        |x| elu_grad_ref(x, 0.5),
    );
    elementwise::<F>(
        "gelu_tanh",
        points,
        |v| v.gelu_tanh(),
        gelu_tanh_ref,
        gelu_tanh_grad_ref,
    );
    elementwise::<F>("gelu", points, |v| v.gelu(), gelu_ref, gelu_grad_ref);
}

#[test]
fn activations_f64_on_extreme_inputs() {
    activations::<f64>(&POINTS_F64);
}

#[test]
fn activations_f32_on_extreme_inputs() {
    activations::<f32>(&POINTS_F32);
}

#[test]
fn softplus_at_zero_has_gradient_one_half() {
    let tape = Tape::new();
    let x = tape.watch(Tensor::from_vec(vec![0.0f64, -0.0], &[2]));
    let y = x.softplus().sum(&[], false);
    assert_eq!(y.item(), 2.0 * 2f64.ln());
    assert_eq!(tape.gradient(&y, &[x])[0].to_vec(), vec![0.5, 0.5]);
}

// ---------------------------------------------------------------------------------------------
// Normalisation: (x − mean) / sqrt(var + eps).

/// Standard-normal-looking fixed values with mean ≈ 0 and variance ≈ 1.
const Z: [f64; 8] = [0.3, -1.2, 0.8, 1.9, -0.4, -1.5, 0.6, -0.5];

fn normalise<'t, F: Float>(x: &Var<'t, F>, eps: F) -> Var<'t, F> {
    let centred = x.sub(&x.mean(&[1], true));
    let std = x.variance(&[1], true).add_scalar(eps).sqrt();
    centred.div(&std)
}

/// y and the gradient of Σ w·y for one row, in f64: dL/dx = (w − mean w − y · mean(w y)) / σ.
fn normalise_ref(row: &[f64], w: &[f64], eps: f64) -> (Vec<f64>, Vec<f64>) {
    let n = row.len() as f64;
    let mean = row.iter().sum::<f64>() / n;
    let var = row.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
    let sigma = (var + eps).sqrt();
    let y: Vec<f64> = row.iter().map(|x| (x - mean) / sigma).collect();
    let w_mean = w.iter().sum::<f64>() / n;
    let wy_mean = w.iter().zip(&y).map(|(w, y)| w * y).sum::<f64>() / n;
    let g = w
        .iter()
        .zip(&y)
        .map(|(w, y)| (w - w_mean - y * wy_mean) / sigma)
        .collect();
    (y, g)
}

fn normalisation_case<F: Float>(rows: &[Vec<f64>], eps: f64, rtol: f64) {
    let cols = rows[0].len();
    let flat: Vec<f64> = rows.iter().flatten().copied().collect();
    let x = rounded::<F>(&flat);
    let t = tensor::<F>(&x, &[rows.len(), cols]);
    let (value, grad) = value_and_grad(&t, |v| normalise(v, F::cast(eps)));
    let w = weights(x.len());
    let (mut ys, mut gs) = (Vec::new(), Vec::new());
    for (row, wr) in x.chunks(cols).zip(w.chunks(cols)) {
        let (y, g) = normalise_ref(row, wr, eps);
        ys.extend(y);
        gs.extend(g);
    }
    let g_scale = max_abs(&gs).max(1.0);
    for (what, actual, expected, scale) in [
        ("value", &value, &ys, 1.0),
        ("gradient", &grad, &gs, g_scale),
    ] {
        for (i, (a, e)) in actual.to_vec().iter().zip(expected.iter()).enumerate() {
            let a = a.as_f64();
            assert!(a.is_finite(), "normalise {what} element {i}: {a}");
            assert!(
                (a - e).abs() <= rtol * (scale + e.abs()),
                "normalise {what} element {i}: {a:e} vs {e:e} (eps {eps:e})"
            );
        }
    }
}

#[test]
fn normalisation_of_tiny_and_huge_variances_f64() {
    let tiny_around_one: Vec<f64> = Z.iter().map(|z| 1.0 + 1e-6 * z).collect(); // var ≈ 1e-12
    let tiny: Vec<f64> = Z.iter().map(|z| 1e-6 * z).collect();
    let huge: Vec<f64> = Z.iter().map(|z| 1e6 * z).collect(); // var ≈ 1e12
    let huge_offset: Vec<f64> = Z.iter().map(|z| 1e9 + 1e6 * z).collect();
    let constant = vec![3.0; 8]; // var = 0: y = 0, gradient (w − mean w)/√eps
    let rows = [
        tiny_around_one.clone(),
        tiny.clone(),
        huge,
        huge_offset,
        constant,
    ];
    normalisation_case::<f64>(&rows, 1e-5, 1e-9);
    // Without eps, a tiny variance is still finite: σ ≈ 1e-6, gradients ≈ 1e6.
    normalisation_case::<f64>(&[tiny_around_one, tiny], 0.0, 1e-8);
}

#[test]
fn normalisation_of_tiny_and_huge_variances_f32() {
    let tiny: Vec<f64> = Z.iter().map(|z| 1e-6 * z).collect();
    let huge: Vec<f64> = Z.iter().map(|z| 1e6 * z).collect();
    let constant = vec![3.0; 8];
    normalisation_case::<f32>(&[tiny.clone(), huge, constant], 1e-5, 1e-5);
    normalisation_case::<f32>(&[tiny], 0.0, 1e-5);

    // Around 1, f32 cannot resolve a 1e-6 spread (ulp 1.2e-7): the result is imprecise but
    // finite and bounded, |y| ≤ √n as for any normalised row.
    let tape = Tape::new();
    let row: Vec<f64> = Z.iter().map(|z| 1.0 + 1e-6 * z).collect();
    let x = tape.watch(tensor::<f32>(&row, &[1, 8]));
    let y = normalise(&x, 1e-5).value().to_vec();
    assert!(
        y.iter()
            .all(|y| y.is_finite() && y.abs() <= 8f32.sqrt() * 1.001),
        "{y:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// IEEE behaviours, documented.

#[test]
fn ln_of_zero_is_negative_infinity_with_an_infinite_gradient() {
    let tape = Tape::new();
    let x = tape.watch(Tensor::from_vec(vec![0.0f64, -1.0, 1.0], &[3]));
    let y = x.ln();
    let v = y.value().to_vec();
    assert_eq!(v[0], f64::NEG_INFINITY);
    assert!(v[1].is_nan(), "ln of a negative number is NaN");
    assert_eq!(v[2], 0.0);
    let g = tape.gradient(&y.sum(&[], false), &[x]).remove(0).to_vec();
    assert_eq!(g, vec![f64::INFINITY, -1.0, 1.0]);
}

#[test]
fn sqrt_of_zero_is_zero_with_gradient_positive_infinity() {
    for zero in [0.0f64, -0.0] {
        let tape = Tape::new();
        let x = tape.watch(Tensor::scalar(zero));
        let y = x.sqrt();
        assert_eq!(y.item(), 0.0);
        assert_eq!(
            tape.gradient(&y, &[x])[0].item(),
            f64::INFINITY,
            "at {zero:?}"
        );
    }
    let tape = Tape::new();
    let x = tape.watch(Tensor::scalar(0.0f32));
    let y = x.sqrt();
    assert_eq!(tape.gradient(&y, &[x])[0].item(), f32::INFINITY);
}

#[test]
fn zero_over_zero_is_nan_and_x_over_zero_is_signed_infinity() {
    let tape = Tape::new();
    let a = tape.watch(Tensor::from_vec(vec![0.0f64, 1.0, -1.0, 1.0], &[4]));
    let b = tape.watch(Tensor::from_vec(vec![0.0f64, 0.0, 0.0, -0.0], &[4]));
    let q = a.div(&b).value().to_vec();
    assert!(q[0].is_nan());
    assert_eq!(
        &q[1..],
        &[f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY]
    );
    let q32 = {
        let tape = Tape::new();
        let z = tape.watch(Tensor::scalar(0.0f32));
        z.div(&z).item()
    };
    assert!(q32.is_nan());
}

#[test]
fn logsumexp_of_all_negative_infinity_is_negative_infinity() {
    let tape = Tape::new();
    let x = tape.watch(Tensor::from_vec(vec![f64::NEG_INFINITY; 3], &[3]));
    assert_eq!(x.logsumexp(&[], false).item(), f64::NEG_INFINITY);
}

// ---------------------------------------------------------------------------------------------
// A NaN is not hidden: the activations and `clamp` keep it, with PyTorch's gradients
// (`torch.relu`, `torch.clamp(x, -0.5, 1)`, `F.elu`, `F.softplus` at [NaN, −1, 2, 0], each backward
// of ones).

#[test]
fn activations_and_clamp_keep_a_nan_with_pytorchs_gradients() {
    let nan = f64::NAN;
    let x = [nan, -1.0, 2.0, 0.0];
    let elu_at_minus_one = (-1f64).exp() - 1.0;
    type Case = (
        &'static str,
        for<'t> fn(&Var<'t, f64>) -> Var<'t, f64>,
        [f64; 4],
        [f64; 4],
    );
    let cases: [Case; 4] = [
        (
            "relu",
            |x| x.relu(),
            [nan, 0.0, 2.0, 0.0],
            [1.0, 0.0, 1.0, 0.0],
        ),
        (
            "clamp",
            |x| x.clamp(-0.5, 1.0),
            [nan, -0.5, 1.0, 0.0],
            [0.0, 0.0, 0.0, 1.0],
        ),
        (
            "elu",
            |x| x.elu(1.0),
            [nan, elu_at_minus_one, 2.0, 0.0],
            // PyTorch's elu passes 1 at a NaN; descent's gradient is NaN there (its negative
            // branch, exp of the NaN, times the zero the select sends it): louder, not hidden.
            [nan, (-1f64).exp(), 1.0, 1.0],
        ),
        (
            "softplus",
            |x| x.softplus(),
            [
                nan,
                (1.0 + (-1f64).exp()).ln(),
                2.0 + (1.0 + (-2f64).exp()).ln(),
                2f64.ln(),
            ],
            [
                nan,
                1.0 / (1.0 + 1f64.exp()),
                1.0 / (1.0 + (-2f64).exp()),
                0.5,
            ],
        ),
    ];
    for (name, f, values, gradients) in cases {
        let tape = Tape::new();
        let v = tape.watch(Tensor::from_vec(x.to_vec(), &[4]));
        let y = f(&v);
        let close = |a: &[f64], e: &[f64]| -> Vec<f64> {
            // within 1 ulp-ish of the formula; NaN where expected
            a.iter()
                .zip(e)
                .map(|(&a, &e)| {
                    if (a - e).abs() <= 1e-15 * e.abs().max(1.0) {
                        e
                    } else {
                        a
                    }
                })
                .collect()
        };
        assert_same(
            &format!("{name} values"),
            &close(&y.value().to_vec(), &values),
            &values,
        );
        let g = tape.gradient(&y.sum(&[], false), &[v]).remove(0).to_vec();
        assert_same(
            &format!("{name} gradient"),
            &close(&g, &gradients),
            &gradients,
        );
        // The generic backward (the one second order runs) agrees with the fused one.
        let (d, _) = first_and_second(&x, f);
        assert_same(
            &format!("{name} gradient, generic path"),
            &close(&d, &gradients),
            &gradients,
        );
    }
    // The f32 relu (its fused, two-halves path on a large tensor) keeps NaN too.
    let mut big = vec![-1.0f32; 1 << 16];
    big[40_000] = f32::NAN;
    let tape = Tape::new();
    let v = tape.watch(Tensor::from_vec(big, &[1 << 16]));
    let y = v.relu();
    assert!(y.value().to_vec()[40_000].is_nan());
    let g = tape.gradient(&y.sum(&[], false), &[v]).remove(0).to_vec();
    assert_eq!((g[40_000], g.iter().sum::<f32>()), (1.0, 1.0));
}

// ---------------------------------------------------------------------------------------------
// Powers at the edges, to PyTorch's values (`torch.pow` and its backward, which masks the
// `0 · ∞` cases: exponent 0 gives a zero base gradient, a zero base with exponent ≥ 0 a zero
// exponent gradient). Each expected number is what PyTorch 2.x returns for the same inputs.

/// Asserts bitwise-equal f64 vectors where NaN equals NaN.
#[track_caller]
fn assert_same(what: &str, actual: &[f64], expected: &[f64]) {
    let same = actual.len() == expected.len()
        && actual
            .iter()
            .zip(expected)
            .all(|(a, e)| a == e || (a.is_nan() && e.is_nan()));
    assert!(same, "{what}: {actual:?}, expected {expected:?}");
}

/// The first and second derivatives of `Σ f(x)` at each element of `x`.
fn first_and_second(
    x: &[f64],
    f: impl for<'t> Fn(&Var<'t, f64>) -> Var<'t, f64>,
) -> (Vec<f64>, Vec<f64>) {
    let tape = Tape::persistent();
    let v = tape.watch(Tensor::from_vec(x.to_vec(), &[x.len()]));
    let y = f(&v).sum(&[], false);
    let dy = tape.gradient_vars(&y, &[v]).remove(0);
    let d2y = tape.gradient(&dy.sum(&[], false), &[v]).remove(0);
    (dy.value().to_vec(), d2y.to_vec())
}

#[test]
fn powf_at_zero_has_pytorchs_gradients() {
    // torch.pow(x, p) at x = 0: first derivative p·0^(p−1) (0 for p = 0), second p(p−1)·0^(p−2)
    // with the same mask for its exponent p − 1 = 0 (so 0 for p = 1).
    for (p, first, second) in [
        (0.0, 0.0, 0.0),
        (1.0, 1.0, 0.0),
        (2.0, 0.0, 2.0),
        (3.0, 0.0, 0.0),
        (2.5, 0.0, 0.0),
        (0.5, f64::INFINITY, f64::NEG_INFINITY),
    ] {
        let (d, d2) = first_and_second(&[0.0], |x| x.powf(p));
        assert_same(&format!("d/dx x^{p} at 0"), &d, &[first]);
        assert_same(&format!("d²/dx² x^{p} at 0"), &d2, &[second]);
        let tape = Tape::new();
        let x = tape.watch(Tensor::scalar(0.0f32));
        let g = tape.gradient(&x.powf(p as f32), &[x])[0].item();
        assert_same(&format!("f32 d/dx x^{p} at 0"), &[g as f64], &[first]);
    }
}

#[test]
fn pow_with_a_tensor_exponent_at_a_zero_base_has_pytorchs_values_and_gradients() {
    let exponents = [2.0, 1.0, 0.0, 0.5, -1.0];
    let tape = Tape::new();
    let x = tape.watch(Tensor::from_vec(vec![0.0f64; 5], &[5]));
    let e = tape.watch(Tensor::from_vec(exponents.to_vec(), &[5]));
    let y = x.pow(&e);
    assert_same(
        "0^e",
        &y.value().to_vec(),
        &[0.0, 0.0, 1.0, 0.0, f64::INFINITY],
    );
    let g = tape.gradient(&y.sum(&[], false), &[x, e]);
    let inf = f64::INFINITY;
    assert_same("d/dx", &g[0].to_vec(), &[0.0, 1.0, 0.0, inf, -inf]);
    assert_same("d/de", &g[1].to_vec(), &[0.0, 0.0, 0.0, 0.0, -inf]);
}

#[test]
fn pow_of_a_negative_base_with_an_integer_exponent_is_finite_as_in_pytorch() {
    let tape = Tape::persistent();
    let x = tape.watch(Tensor::from_vec(vec![-2.0f64, -2.0, -2.0, 2.0], &[4]));
    let e = tape.watch(Tensor::from_vec(vec![2.0f64, 3.0, 0.5, 3.0], &[4]));
    let y = x.pow(&e);
    assert_same("x^e", &y.value().to_vec(), &[4.0, -8.0, f64::NAN, 8.0]);
    let g = tape.gradient_vars(&y.sum(&[], false), &[x, e]);
    // base: e·x^(e−1); exponent: x^e·ln x, NaN for a negative base (no real logarithm).
    assert_same(
        "d/dx",
        &g[0].value().to_vec(),
        &[-4.0, 12.0, f64::NAN, 12.0],
    );
    let ln2 = 2f64.ln();
    assert_same(
        "d/de",
        &g[1].value().to_vec(),
        &[f64::NAN, f64::NAN, f64::NAN, 8.0 * ln2],
    );
    // Second order in the base: e(e−1)·x^(e−2) = 2 at (−2)², −12 at (−2)³.
    let d2 = tape
        .gradient(&g[0].sum(&[], false), &[x])
        .remove(0)
        .to_vec();
    assert_same("d²/dx²", &d2[..2], &[2.0, -12.0]);
    // f32 agrees.
    let tape = Tape::new();
    let x = tape.watch(Tensor::scalar(-2.0f32));
    let y = x.pow(&tape.watch(Tensor::scalar(2.0f32)));
    assert_eq!(y.item(), 4.0);
    assert_eq!(tape.gradient(&y, &[x])[0].item(), -4.0);
}
