//! The `Optimizer` trait: what a training loop calls.

use crate::{Slots, StateError};
use descent_autograd::{Float, Tensor, Variable};

/// Updates variables in place from their gradients, keeping per-variable state between steps.
///
/// A training loop needs only [`Optimizer::apply_gradients`]; the other provided methods read
/// and set the learning rate (for schedules) and export and load the state (for checkpoints).
/// An implementation writes `apply_gradients` as one call to [`Slots::step`] with its update
/// rule, and hands out its [`Slots`]; everything else comes with the trait. The trait is
/// object safe: `Box<dyn Optimizer<f32>>` chooses an optimizer at run time.
///
/// ```
/// use descent_autograd::{Tape, Tensor, Variable};
/// use descent_optim::{Momentum, Optimizer};
///
/// // Minimise (w − 3)² from w = 0.
/// let w = Variable::named("w", Tensor::scalar(0.0f64));
/// let mut optimizer: Box<dyn Optimizer<f64>> = Box::new(Momentum::new(0.1, 0.5));
/// for _ in 0..100 {
///     let tape = Tape::new();
///     let loss = tape.read(&w).add_scalar(-3.0).square();
///     let grads = tape.gradient(&loss, &[&w]);
///     optimizer.apply_gradients(&grads, &[w.clone()]);
/// }
/// assert!((w.value().item() - 3.0).abs() < 1e-6);
/// assert_eq!(optimizer.steps(), 100);
/// ```
pub trait Optimizer<F: Float> {
    /// Takes one step: updates each variable in place from the gradient at the same position.
    ///
    /// # Panics
    /// When the two lists differ in length, or a gradient's shape differs from its variable's;
    /// the message names both lengths, or the variable and both shapes. Nothing is updated then.
    /// When a gradient is not finite (nothing is updated), or a variable is not finite after its
    /// update, naming the step and the variable; see [`Optimizer::set_check_finite`].
    fn apply_gradients(&mut self, gradients: &[Tensor<F>], variables: &[Variable<F>]);

    /// The bookkeeping this optimizer keeps (learning rate, step count, per-variable state),
    /// which the provided methods read; [`Slots`] shows a whole implementation.
    fn slots(&self) -> &Slots<F>;

    /// The bookkeeping, mutably (for [`Optimizer::set_learning_rate`] and
    /// [`Optimizer::load_state`]).
    fn slots_mut(&mut self) -> &mut Slots<F>;

    /// The learning rate the next step will use.
    ///
    /// ```
    /// use descent_optim::{Optimizer, Sgd};
    /// let mut sgd = Sgd::<f32>::new(0.1);
    /// sgd.set_learning_rate(0.05);
    /// assert_eq!(sgd.learning_rate(), 0.05);
    /// ```
    fn learning_rate(&self) -> f64 {
        self.slots().learning_rate
    }

    /// Sets the learning rate for the following steps (a [`crate::Schedule`] calls this).
    ///
    /// ```
    /// use descent_optim::{Adam, Optimizer};
    /// let mut adam = Adam::<f32>::new(1e-3);
    /// adam.set_learning_rate(1e-4);
    /// assert_eq!(adam.learning_rate(), 1e-4);
    /// ```
    fn set_learning_rate(&mut self, rate: f64) {
        self.slots_mut().learning_rate = rate;
    }

    /// Turns the divergence check on (the default) or off. When on, a step whose gradient has
    /// a NaN or infinite element panics before updating anything, and a variable that is not
    /// finite after its update panics, each naming the step and the variable. Off, non-finite
    /// values are applied silently, as PyTorch and TensorFlow do.
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::{Optimizer, Sgd};
    /// let w = [Variable::named("w", Tensor::scalar(1.0f64))];
    /// let mut sgd = Sgd::new(0.1);
    /// let nan = [Tensor::scalar(f64::NAN)];
    /// let step = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| sgd.apply_gradients(&nan, &w)));
    /// assert!(step.is_err()); // "apply_gradients: step 1: the gradient of variable \"w\" is not finite ..."
    /// assert_eq!((w[0].value().item(), sgd.steps()), (1.0, 0)); // nothing was updated
    /// sgd.set_check_finite(false);
    /// sgd.apply_gradients(&nan, &w);
    /// assert!(w[0].value().item().is_nan());
    /// ```
    fn set_check_finite(&mut self, check: bool) {
        self.slots_mut().check_finite = check;
    }

    /// The number of steps taken (restored by [`Optimizer::load_state`]).
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::{Optimizer, Sgd};
    /// let w = Variable::new(Tensor::scalar(1.0f32));
    /// let mut sgd = Sgd::new(0.1);
    /// sgd.apply_gradients(&[Tensor::scalar(1.0)], &[w]);
    /// assert_eq!(sgd.steps(), 1);
    /// ```
    fn steps(&self) -> usize {
        self.slots().steps
    }

    /// The state as named tensors, for a checkpoint: `"{name}.{slot}"` for each variable's
    /// slots (`"0.weight.momentum"`; zeros for a variable not yet updated) and `"steps"`, the
    /// step count as a one-element tensor (exact up to 2²⁴ steps in `f32`).
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::{Adam, Optimizer};
    /// let w = Variable::new(Tensor::from_vec(vec![1.0f32, 2.0], &[2]));
    /// let adam = Adam::new(1e-3);
    /// let names: Vec<String> = adam.state(&[("w".into(), w)]).into_iter().map(|(n, _)| n).collect();
    /// assert_eq!(names, ["steps", "w.exp_avg", "w.exp_avg_sq"]);
    /// ```
    ///
    /// # Panics
    /// When two variables have the same name.
    fn state(&self, variables: &[(String, Variable<F>)]) -> Vec<(String, Tensor<F>)> {
        self.slots().export(variables)
    }

    /// Loads state exported by [`Optimizer::state`] from an optimizer of the same kind.
    ///
    /// Every name is checked first (each expected tensor present with its variable's shape, no
    /// unknown or repeated names, a whole non-negative step count): on error nothing changes.
    /// Variables are matched by name, not id, so the state loads into a rebuilt model; state
    /// for variables not in `variables` is dropped. The learning rate and hyperparameters are
    /// not part of the state: build the optimizer as before.
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::{Momentum, Optimizer, StateError};
    /// let w = vec![("w".to_string(), Variable::new(Tensor::from_vec(vec![1.0f64], &[1])))];
    /// let mut trained = Momentum::new(0.1, 0.9);
    /// trained.apply_gradients(&[Tensor::from_vec(vec![1.0], &[1])], &[w[0].1.clone()]);
    /// let mut fresh = Momentum::new(0.1, 0.9);
    /// fresh.load_state(&w, &trained.state(&w))?;
    /// assert_eq!(fresh.steps(), 1);
    /// let wrong = vec![("steps".to_string(), Tensor::from_vec(vec![1.0], &[1]))];
    /// assert!(matches!(fresh.load_state(&w, &wrong), Err(StateError::Missing { .. })));
    /// # Ok::<(), StateError>(())
    /// ```
    ///
    /// # Errors
    /// [`StateError`] naming the first tensor that is missing, unexpected, repeated or of the
    /// wrong shape, or the bad step count.
    ///
    /// # Panics
    /// When two variables have the same name.
    fn load_state(
        &mut self,
        variables: &[(String, Variable<F>)],
        tensors: &[(String, Tensor<F>)],
    ) -> Result<(), StateError> {
        self.slots_mut().load(variables, tensors)
    }
}
