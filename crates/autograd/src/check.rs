//! Finite-difference gradient checking, for descent's own tests and for yours.
//!
//! [`gradients`] checks the tape's gradients of a function with respect to some tensors,
//! [`variables`] those with respect to [`Variable`]s, both against central differences
//! `(f(x + h) − f(x − h)) / 2h`, element by element, accumulated in `f64`. A function with a
//! non-scalar output is checked through a fixed random projection `Σ r · f(x)`, which tests its
//! whole vector-Jacobian product. An element passes when
//! `|analytic − numeric| ≤ tolerance · (1 + |numeric|)`.
//!
//! ```
//! use descent_autograd::{check, Tensor};
//! let x = Tensor::from_vec(vec![0.3, -1.2, 2.0], &[3]);
//! let report = check::gradients(|v| v[0].tanh().mul(&v[0]).sum(&[], false), &[x], 1e-6)
//!     .expect("tanh(x)·x has the right gradient");
//! assert!(report.max_error < 1e-8);
//! ```

use crate::{Float, Tape, Tensor, Var, Variable};
use ndarray::Dimension;
use rand::{SeedableRng, rngs::StdRng};
use std::fmt;

/// The outcome of a gradient check.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The number of gradient elements compared.
    pub checked: usize,
    /// The largest `|analytic − numeric|`.
    pub max_abs_error: f64,
    /// The largest `|analytic − numeric| / (1 + |numeric|)`, the quantity held to the tolerance.
    pub max_error: f64,
    /// Where `max_error` occurred.
    pub worst: Option<Mismatch>,
}

/// One compared gradient element.
#[derive(Clone, Debug, PartialEq)]
pub struct Mismatch {
    /// Which input (position in the inputs slice).
    pub input: usize,
    /// The element's index within that input.
    pub element: Vec<usize>,
    /// The tape's gradient.
    pub analytic: f64,
    /// The central-difference estimate.
    pub numeric: f64,
}

/// A failed gradient check: every element over the tolerance, and the full report.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckError {
    /// The tolerance that was exceeded.
    pub tolerance: f64,
    /// The elements that exceeded it.
    pub failures: Vec<Mismatch>,
    /// The whole comparison.
    pub report: Report,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (a, n) = (self.analytic, self.numeric);
        write!(
            f,
            "input {} element {:?}: analytic {a:.10e}, numeric {n:.10e}",
            self.input, self.element
        )
    }
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (n, total) = (self.failures.len(), self.report.checked);
        writeln!(
            f,
            "gradient check failed: {n} of {total} elements exceed tolerance {:e}",
            self.tolerance
        )?;
        for failure in self.failures.iter().take(10) {
            writeln!(f, "  {failure}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CheckError {}

/// Checks the gradients of `f` at `inputs` against central differences.
///
/// Only `inputs` are checked (and perturbed); the function may use anything else as fixed
/// data: tensors it closes over (put on the tape with `watch`), [`Variable`]s it reads with
/// [`Tape::read`] (held at their values here; check them with [`variables`]), integer labels.
/// Pick `tolerance` by type: about `1e-6` for `f64`, `1e-2` for `f32`.
///
/// ```
/// use descent_autograd::{check, Tensor, Variable};
/// // The gradient of a loss with respect to a batch of inputs, with fixed targets and a
/// // model weight held constant.
/// let targets = Tensor::from_vec(vec![1.0, 0.0, 0.5], &[3, 1]);
/// let weight = Variable::new(Tensor::from_vec(vec![0.3, -0.2], &[2, 1]));
/// let batch = Tensor::from_vec(vec![0.5, -1.0, 2.0, 0.1, -0.3, 0.8], &[3, 2]);
/// check::gradients(
///     |v| {
///         let tape = v[0].tape();
///         let prediction = v[0].matmul(&tape.read(&weight)).tanh();
///         prediction.mse(&tape.watch(targets.clone()))
///     },
///     &[batch],
///     1e-6,
/// )
/// .expect("the loss's gradient with respect to the batch is right");
/// ```
///
/// # Errors
/// A [`CheckError`] listing every element whose error exceeds the tolerance.
pub fn gradients<F: Float>(
    f: impl for<'t> Fn(&[Var<'t, F>]) -> Var<'t, F>,
    inputs: &[Tensor<F>],
    tolerance: f64,
) -> Result<Report, CheckError> {
    let weights = projection(&f, inputs);
    let tape = Tape::new();
    let vars: Vec<_> = inputs.iter().map(|t| tape.watch(t.clone())).collect();
    let analytic = tape.vjp(&f(&vars), &weights, &vars);
    let numeric = numerical_gradient(&f, inputs);
    compare(&analytic, &numeric, tolerance)
}

/// Checks the gradients of `f` with respect to [`Variable`]s, the path a training loop takes
/// (`tape.gradient(&loss, &variables)`), against central differences of `f` with each
/// variable's values perturbed in place (and restored). `f` records its computation on the
/// tape it is given, reading the variables with [`Tape::read`]; everything else is fixed.
///
/// ```
/// use descent_autograd::{check, Tape, Tensor, Variable};
/// let w = Variable::new(Tensor::from_vec(vec![0.3, -0.2, 0.7, 0.1], &[2, 2]));
/// let b = Variable::new(Tensor::from_vec(vec![0.05, -0.1], &[2]));
/// let x = Tensor::from_vec(vec![0.5, -1.0, 2.0, 0.1, -0.3, 0.8], &[3, 2]);
/// let report = check::variables(
///     |tape: &Tape<f64>| tape.watch(x.clone()).linear(&tape.read(&w), &tape.read(&b)).gelu(),
///     &[&w, &b],
///     1e-6,
/// )
/// .expect("dense + gelu has the right parameter gradients");
/// assert_eq!(report.checked, 6);
/// assert_eq!(w.value().to_vec(), vec![0.3, -0.2, 0.7, 0.1]); // restored
/// ```
///
/// # Errors
/// A [`CheckError`] listing every element whose error exceeds the tolerance; `input` in a
/// [`Mismatch`] is the variable's position in `variables`.
pub fn variables<F: Float>(
    f: impl for<'t> Fn(&'t Tape<F>) -> Var<'t, F>,
    variables: &[&Variable<F>],
    tolerance: f64,
) -> Result<Report, CheckError> {
    let weights = weights_for(&f(&Tape::new()).shape());
    let tape = Tape::new();
    let analytic = tape.vjp(&f(&tape), &weights, variables);
    let objective = || project(&f(&Tape::new()).value(), &weights);
    let numeric: Vec<Tensor<f64>> = variables
        .iter()
        .map(|variable| {
            let (shape, original) = (variable.shape(), variable.value().to_vec());
            let gradient = (0..original.len())
                .map(|e| {
                    central(original[e], |v| {
                        let mut values = original.clone();
                        values[e] = v;
                        variable.assign(Tensor::from_vec(values, &shape));
                        objective()
                    })
                })
                .collect();
            variable.assign(Tensor::from_vec(original, &shape));
            Tensor::from_vec(gradient, &shape)
        })
        .collect();
    compare(&analytic, &numeric, tolerance)
}

/// Compares analytic gradients with numeric ones element by element.
fn compare<F: Float>(
    analytic: &[Tensor<F>],
    numeric: &[Tensor<f64>],
    tolerance: f64,
) -> Result<Report, CheckError> {
    let mut report = Report {
        checked: 0,
        max_abs_error: 0.0,
        max_error: 0.0,
        worst: None,
    };
    let mut failures = Vec::new();
    for (input, (a, n)) in analytic.iter().zip(numeric).enumerate() {
        for ((index, &a), &n) in a.array().indexed_iter().zip(n.array().iter()) {
            let (a, abs) = (a.as_f64(), (a.as_f64() - n).abs());
            let error = if a == n { 0.0 } else { abs / (1.0 + n.abs()) };
            let here = || Mismatch {
                input,
                element: index.slice().to_vec(),
                analytic: a,
                numeric: n,
            };
            report.checked += 1;
            report.max_abs_error = report.max_abs_error.max(abs);
            if error > report.max_error || error.is_nan() {
                report.max_error = error;
                report.worst = Some(here());
            }
            if error.is_nan() || error > tolerance {
                failures.push(here());
            }
        }
    }
    match failures.is_empty() {
        true => Ok(report),
        false => Err(CheckError {
            tolerance,
            failures,
            report,
        }),
    }
}

/// Checks second-order gradients: the gradients of `Σᵢ wᵢ · ∂f/∂xᵢ` (for fixed random `wᵢ`),
/// computed through the tape's differentiable gradients, against central differences.
///
/// ```
/// use descent_autograd::{check, Tensor};
/// let x = Tensor::from_vec(vec![0.3, -1.2], &[2]);
/// check::second_order(|v| v[0].exp().mul(&v[0]).sum(&[], false), &[x], 1e-6).unwrap();
/// ```
///
/// # Errors
/// As [`gradients`].
pub fn second_order<F: Float>(
    f: impl for<'t> Fn(&[Var<'t, F>]) -> Var<'t, F>,
    inputs: &[Tensor<F>],
    tolerance: f64,
) -> Result<Report, CheckError> {
    let weights = projection(&f, inputs);
    let mut rng = StdRng::seed_from_u64(0x5eed_0002);
    let directions: Vec<_> = inputs
        .iter()
        .map(|t| Tensor::uniform(t.shape(), -F::one(), F::one(), &mut rng))
        .collect();
    gradients(
        |vars| {
            let tape = vars[0].tape();
            let target = f(vars).mul(&tape.watch(weights.clone())).sum(&[], false);
            let grads = tape.gradient_vars(&target, vars);
            let terms = grads.iter().zip(&directions);
            let mut total = tape.watch(Tensor::scalar(F::zero()));
            for (g, w) in terms {
                total = total.add(&g.mul(&tape.watch(w.clone())).sum(&[], false));
            }
            total
        },
        inputs,
        tolerance,
    )
}

/// The central-difference gradient of `Σ r · f(x)` with respect to each input, in `f64`
/// (`r` = 1 for a one-element output, fixed random weights otherwise).
///
/// ```
/// use descent_autograd::{check, Tensor};
/// let g = check::numerical_gradient(|v| v[0].powf(2.0).sum(&[], false), &[Tensor::scalar(3.0f64)]);
/// assert!((g[0].item() - 6.0).abs() < 1e-8);
/// ```
pub fn numerical_gradient<F: Float>(
    f: impl for<'t> Fn(&[Var<'t, F>]) -> Var<'t, F>,
    inputs: &[Tensor<F>],
) -> Vec<Tensor<f64>> {
    let weights = projection(&f, inputs);
    let objective = |inputs: &[Tensor<F>]| {
        let tape = Tape::new();
        let vars: Vec<_> = inputs.iter().map(|t| tape.watch(t.clone())).collect();
        project(&f(&vars).value(), &weights)
    };
    let mut points = inputs.to_vec();
    (0..inputs.len())
        .map(|i| {
            let original = inputs[i].to_vec();
            let gradient = (0..original.len())
                .map(|e| {
                    central(original[e], |v| {
                        let mut values = original.clone();
                        values[e] = v;
                        points[i] = Tensor::from_vec(values, inputs[i].shape());
                        objective(&points)
                    })
                })
                .collect();
            points[i] = inputs[i].clone();
            Tensor::from_vec(gradient, inputs[i].shape())
        })
        .collect()
}

/// The central difference `(f(x + h) − f(x − h)) / 2h` with a step scaled to `x`.
fn central<F: Float>(x: F, mut f: impl FnMut(F) -> f64) -> f64 {
    let h = F::epsilon().cbrt() * x.abs().max(F::one());
    let (up, down) = (x + h, x - h);
    let (f_up, f_down) = (f(up), f(down));
    (f_up - f_down) / (up - down).as_f64()
}

/// `Σ r · y`, accumulated in `f64`.
fn project<F: Float>(y: &Tensor<F>, weights: &Tensor<F>) -> f64 {
    y.array()
        .iter()
        .zip(weights.array())
        .map(|(y, r)| y.as_f64() * r.as_f64())
        .sum()
}

/// The weights `r` of the projection `Σ r · f(x)`: ones for a one-element output.
fn projection<F: Float>(
    f: &impl for<'t> Fn(&[Var<'t, F>]) -> Var<'t, F>,
    inputs: &[Tensor<F>],
) -> Tensor<F> {
    let tape = Tape::new();
    let vars: Vec<_> = inputs.iter().map(|t| tape.watch(t.clone())).collect();
    weights_for(&f(&vars).shape())
}

/// Ones for a one-element output, fixed random weights in [-1, 1) otherwise.
fn weights_for<F: Float>(shape: &[usize]) -> Tensor<F> {
    if shape.iter().product::<usize>() == 1 {
        return Tensor::ones(shape);
    }
    Tensor::uniform(
        shape,
        -F::one(),
        F::one(),
        &mut StdRng::seed_from_u64(0x5eed_0001),
    )
}
