//! [`Stop`]: why training stopped, which rule of [`Stopping`] fired, as a value and a sentence.
#[cfg(doc)]
use super::Stopping;
use std::fmt;

/// Why [`Stopping::check`] stopped training. `Display` gives a sentence for the log.
///
/// ```
/// use descent_train::{Stop, Stopping};
/// let mut stopping = Stopping::new().max_iterations(10);
/// let stop = (0..).find_map(|i| stopping.check(i, 1.0 / (i + 1) as f64, None, None)).unwrap();
/// match stop {
///     Stop::MaxIterations { limit, .. } => assert_eq!(limit, 10),
///     other => panic!("unexpected: {other}"),
/// }
/// assert!(!stop.converged() && !stop.diverged());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stop {
    /// The loss fell below the threshold.
    LossBelow {
        /// The iteration checked.
        iteration: usize,
        /// The loss then.
        loss: f64,
        /// The threshold set with [`Stopping::loss_below`].
        threshold: f64,
    },
    /// The loss changed by less than the threshold since the previous check.
    LossChangeBelow {
        /// The iteration checked.
        iteration: usize,
        /// The loss then.
        loss: f64,
        /// `|loss − previous loss|`.
        change: f64,
        /// The threshold set with [`Stopping::loss_change_below`].
        threshold: f64,
    },
    /// The global gradient norm fell below the threshold.
    GradientNearZero {
        /// The iteration checked.
        iteration: usize,
        /// The gradient norm then.
        norm: f64,
        /// The threshold set with [`Stopping::gradient_norm_below`].
        threshold: f64,
    },
    /// The iteration limit was reached.
    MaxIterations {
        /// The iteration checked, `limit − 1`.
        iteration: usize,
        /// The limit set with [`Stopping::max_iterations`].
        limit: usize,
    },
    /// Early stopping: the validation loss has not improved for `checks` checks.
    NoImprovement {
        /// The iteration checked.
        iteration: usize,
        /// Checks without improvement, the patience.
        checks: usize,
        /// The best validation loss.
        best: f64,
        /// The iteration of the best validation loss (restore its weights).
        best_iteration: usize,
    },
    /// The loss is NaN or infinite, or has grown beyond `factor` times its best: the
    /// learning rate is too large (or the data or model produce overflows).
    Diverged {
        /// The iteration checked.
        iteration: usize,
        /// The loss then.
        loss: f64,
        /// The best loss before it (infinite if this was the first check).
        best: f64,
        /// The factor set with [`Stopping::divergence_factor`].
        factor: f64,
    },
}

impl Stop {
    /// The iteration at which the rule fired.
    ///
    /// ```
    /// use descent_train::Stop;
    /// assert_eq!(Stop::MaxIterations { iteration: 99, limit: 100 }.iteration(), 99);
    /// ```
    pub fn iteration(&self) -> usize {
        match *self {
            Stop::LossBelow { iteration, .. }
            | Stop::LossChangeBelow { iteration, .. }
            | Stop::GradientNearZero { iteration, .. }
            | Stop::MaxIterations { iteration, .. }
            | Stop::NoImprovement { iteration, .. }
            | Stop::Diverged { iteration, .. } => iteration,
        }
    }

    /// True when training reached its goal: the loss, its change or the gradient norm fell
    /// below its threshold (not for an iteration limit, early stopping or divergence).
    ///
    /// ```
    /// use descent_train::Stop;
    /// assert!(Stop::LossBelow { iteration: 5, loss: 1e-5, threshold: 1e-4 }.converged());
    /// assert!(!Stop::Diverged { iteration: 5, loss: f64::NAN, best: 1.0, factor: 1e3 }.converged());
    /// ```
    pub fn converged(&self) -> bool {
        matches!(
            self,
            Stop::LossBelow { .. } | Stop::LossChangeBelow { .. } | Stop::GradientNearZero { .. }
        )
    }

    /// True when the loss diverged.
    ///
    /// ```
    /// use descent_train::Stop;
    /// assert!(Stop::Diverged { iteration: 5, loss: f64::INFINITY, best: 1.0, factor: 1e3 }.diverged());
    /// ```
    pub fn diverged(&self) -> bool {
        matches!(self, Stop::Diverged { .. })
    }
}

impl fmt::Display for Stop {
    /// ```
    /// use descent_train::Stop;
    /// let stop = Stop::Diverged { iteration: 12, loss: 3.2e9, best: 0.5, factor: 1e3 };
    /// assert_eq!(
    ///     stop.to_string(),
    ///     "diverged at iteration 12: loss 3.200e9 has grown beyond 1000× its best (5.000e-1); \
    ///      lower the learning rate"
    /// );
    /// let stop = Stop::Diverged { iteration: 3, loss: f64::NAN, best: 0.5, factor: 1e3 };
    /// assert_eq!(stop.to_string(), "diverged at iteration 3: loss is NaN; lower the learning rate");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Stop::LossBelow {
                iteration,
                loss,
                threshold,
            } => {
                write!(
                    f,
                    "converged at iteration {iteration}: loss {loss:.3e} is below {threshold:e}"
                )
            }
            Stop::LossChangeBelow {
                iteration,
                loss,
                change,
                threshold,
            } => write!(
                f,
                "converged at iteration {iteration}: loss {loss:.3e} changed by {change:.3e}, \
                 less than {threshold:e}"
            ),
            Stop::GradientNearZero {
                iteration,
                norm,
                threshold,
            } => write!(
                f,
                "converged at iteration {iteration}: gradient norm {norm:.3e} is below {threshold:e}"
            ),
            Stop::MaxIterations { iteration, limit } => {
                write!(
                    f,
                    "stopped at iteration {iteration}: reached the limit of {limit} iterations"
                )
            }
            Stop::NoImprovement {
                iteration,
                checks,
                best,
                best_iteration,
            } => write!(
                f,
                "stopped early at iteration {iteration}: the validation loss has not improved for \
                 {checks} checks (best {best:.4e} at iteration {best_iteration})"
            ),
            Stop::Diverged {
                iteration,
                loss,
                best,
                factor,
            } => {
                write!(f, "diverged at iteration {iteration}: loss ")?;
                if loss.is_finite() {
                    write!(
                        f,
                        "{loss:.3e} has grown beyond {factor}× its best ({best:.3e})"
                    )?;
                } else {
                    write!(f, "is {loss}")?;
                }
                write!(f, "; lower the learning rate")
            }
        }
    }
}
