//! Early stopping: the validation loss has not improved for a number of checks; the best one
//! is remembered, so its weights can be restored.
use super::Stopping;
use crate::Stop;

impl Stopping {
    /// Early stopping: stop when the validation loss has not improved (by more than
    /// [`min_improvement`](Stopping::min_improvement)) for `checks` checks in a row. Only calls
    /// to [`check`](Stopping::check) with a validation loss count as checks, so it can be
    /// measured every few iterations. [`best_validation`](Stopping::best_validation) tells
    /// which iteration was best, to restore its weights.
    ///
    /// ```
    /// use descent_train::{Stop, Stopping};
    /// let mut stopping = Stopping::new().patience(2);
    /// let validation = [0.9, 0.5, 0.6, 0.55];
    /// let stop = (0..4).find_map(|i| stopping.check(i, 0.1, None, Some(validation[i]))).unwrap();
    /// assert_eq!(stop, Stop::NoImprovement { iteration: 3, checks: 2, best: 0.5, best_iteration: 1 });
    /// assert_eq!(stopping.best_validation(), Some((1, 0.5)));
    /// ```
    pub fn patience(mut self, checks: usize) -> Self {
        self.patience = Some(checks);
        self
    }

    /// How much the validation loss must fall below its best to count as an improvement for
    /// [`patience`](Stopping::patience) (0 by default: any decrease counts).
    ///
    /// ```
    /// use descent_train::Stopping;
    /// let mut stopping = Stopping::new().patience(1).min_improvement(0.01);
    /// assert_eq!(stopping.check(0, 1.0, None, Some(0.500)), None);
    /// assert!(stopping.check(1, 1.0, None, Some(0.495)).is_some()); // less than 0.01 better
    /// ```
    pub fn min_improvement(mut self, delta: f64) -> Self {
        self.min_improvement = delta;
        self
    }

    /// The iteration and value of the best validation loss passed to
    /// [`check`](Stopping::check) so far, if any.
    ///
    /// ```
    /// use descent_train::Stopping;
    /// let mut stopping = Stopping::new();
    /// assert_eq!(stopping.best_validation(), None);
    /// stopping.check(4, 1.0, None, Some(0.7));
    /// stopping.check(5, 1.0, None, Some(0.8));
    /// assert_eq!(stopping.best_validation(), Some((4, 0.7)));
    /// ```
    pub fn best_validation(&self) -> Option<(usize, f64)> {
        self.best_validation
    }

    /// Records the `validation` loss of `iteration` (a new best, or one more check without
    /// improvement) and applies the patience rule.
    pub(super) fn no_improvement(&mut self, iteration: usize, validation: f64) -> Option<Stop> {
        let improved = match self.best_validation {
            Some((_, best)) => validation < best - self.min_improvement,
            None => !validation.is_nan(),
        };
        if improved {
            self.best_validation = Some((iteration, validation));
            self.checks_without_improvement = 0;
        } else {
            self.checks_without_improvement += 1; // NaN never improves
        }
        let checks = self.checks_without_improvement;
        if let (Some(patience), Some((best_iteration, best))) =
            (self.patience, self.best_validation)
        {
            if checks > 0 && checks >= patience {
                return Some(Stop::NoImprovement {
                    iteration,
                    checks,
                    best,
                    best_iteration,
                });
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use crate::{Stop, Stopping};

    #[test]
    fn patience_counts_only_validation_checks_and_resets_on_improvement() {
        let mut stopping = Stopping::new().patience(2);
        let validation = [
            Some(1.0),
            None,
            Some(1.1),
            Some(0.9),
            Some(0.95),
            None,
            Some(0.91),
        ];
        let stop = (0..validation.len())
            .find_map(|i| stopping.check(i, 1.0, None, validation[i]))
            .unwrap();
        assert_eq!(
            stop,
            Stop::NoImprovement {
                iteration: 6,
                checks: 2,
                best: 0.9,
                best_iteration: 3
            }
        );
        assert!(
            stop.to_string()
                .contains("has not improved for 2 checks (best 9.0000e-1 at iteration 3)")
        );
    }

    #[test]
    fn nan_validation_is_no_improvement() {
        let mut stopping = Stopping::new().patience(1);
        assert_eq!(stopping.check(0, 1.0, None, Some(0.5)), None);
        assert!(matches!(
            stopping.check(1, 1.0, None, Some(f64::NAN)),
            Some(Stop::NoImprovement { .. })
        ));
    }

    #[test]
    fn a_nan_first_validation_is_not_a_best() {
        let mut stopping = Stopping::new().patience(2);
        assert_eq!(stopping.check(0, 1.0, None, Some(f64::NAN)), None);
        assert_eq!(stopping.best_validation(), None);
        assert_eq!(stopping.check(1, 1.0, None, Some(0.5)), None);
        assert_eq!(stopping.best_validation(), Some((1, 0.5)));
    }
}
