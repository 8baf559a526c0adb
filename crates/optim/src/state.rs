//! `Slots`: the bookkeeping every optimizer shares, and its export to named tensors.
//!
//! Each variable gets its slot tensors (zeros of its shape) the first time it is updated; they
//! are keyed by [`VariableId`] and updated in place afterwards, so a step allocates nothing
//! once every variable has been seen.

use crate::elements::{self, values};
use crate::finite::{diverged, expect_finite_gradients, first_non_finite};
use descent_autograd::{Float, Tensor, Variable, VariableId};
use ndarray::{ArrayD, ArrayViewD, ArrayViewMutD, IxDyn};
use std::collections::HashMap;
use std::fmt;

/// The name of the step count among the exported state tensors.
const STEPS: &str = "steps";

/// The learning rate, the step count and each variable's slot tensors (its momentum, its
/// running averages: whatever the update rule keeps), named for checkpoints.
///
/// Optimizers hold one and call [`Slots::step`] with their update rule; a custom optimizer
/// needs nothing else.
///
/// ```
/// use descent_autograd::{Float, Tensor, Variable};
/// use descent_optim::{Optimizer, Slots};
/// use ndarray::Zip;
///
/// /// Sign descent with momentum (a toy Lion): p −= lr·sign(v), v = 0.9v + g.
/// struct Sign<F: Float>(Slots<F>);
///
/// impl<F: Float> Optimizer<F> for Sign<F> {
///     fn apply_gradients(&mut self, gradients: &[Tensor<F>], variables: &[Variable<F>]) {
///         self.0.step(gradients, variables, |lr, _step, param, grad, slots| {
///             Zip::from(param).and(grad).and(&mut slots[0]).for_each(|p, &g, v| {
///                 *v = F::cast(0.9) * *v + g;
///                 *p -= lr * v.signum();
///             });
///         });
///     }
///     fn slots(&self) -> &Slots<F> { &self.0 }
///     fn slots_mut(&mut self) -> &mut Slots<F> { &mut self.0 }
/// }
///
/// let w = Variable::new(Tensor::from_vec(vec![1.0f64, 1.0], &[2]));
/// let mut sign = Sign(Slots::new(0.5, &["velocity"]));
/// sign.apply_gradients(&[Tensor::from_vec(vec![3.0, -0.1], &[2])], &[w.clone()]);
/// assert_eq!(w.value().to_vec(), vec![0.5, 1.5]);
/// ```
#[derive(Clone, Debug)]
pub struct Slots<F: Float> {
    pub(crate) learning_rate: f64,
    pub(crate) steps: usize,
    pub(crate) check_finite: bool,
    names: &'static [&'static str],
    initial: f64,
    slots: HashMap<VariableId, Vec<ArrayD<F>>>,
}

impl<F: Float> Slots<F> {
    /// Bookkeeping for a rule that keeps one tensor per name for each variable
    /// (`&["exp_avg", "exp_avg_sq"]` for Adam, `&[]` for plain SGD).
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::Slots;
    /// let mut slots = Slots::<f64>::new(0.5, &["velocity"]);
    /// let w = Variable::new(Tensor::zeros(&[2, 3]));
    /// slots.step(&[Tensor::zeros(&[2, 3])], &[w], |_, _, _, _, state| {
    ///     assert_eq!(state.len(), 1); // one tensor per name, zeros of the variable's shape
    ///     assert_eq!((state[0].shape(), state[0].sum()), (&[2, 3][..], 0.0));
    /// });
    /// ```
    pub fn new(learning_rate: f64, names: &'static [&'static str]) -> Self {
        Slots {
            learning_rate,
            steps: 0,
            check_finite: true,
            names,
            initial: 0.0,
            slots: HashMap::new(),
        }
    }

    /// Slot tensors start filled with `value` instead of zeros (AdaGrad's
    /// `initial_accumulator_value`).
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::Slots;
    /// let mut slots = Slots::<f64>::new(0.5, &["sum"]).initial_value(0.1);
    /// let w = Variable::new(Tensor::zeros(&[2]));
    /// slots.step(&[Tensor::zeros(&[2])], &[w], |_, _, _, _, state| {
    ///     assert_eq!(state[0].sum(), 0.2);
    /// });
    /// ```
    pub fn initial_value(self, value: f64) -> Self {
        Slots {
            initial: value,
            ..self
        }
    }

    /// Checks the two lists, counts the step, then calls
    /// `rule(learning_rate, step, variable, gradient, slots)` once per variable, with the step
    /// numbered from 1 and the variable's value and slots open for writing in place. All three
    /// are in standard layout, so a rule may loop over `as_slice` (as the built-in rules do: a
    /// slice loop vectorises).
    ///
    /// Unless [`crate::Optimizer::set_check_finite`] turned it off, every gradient is checked
    /// to be finite before anything is updated, and every variable after its update (one read
    /// of each, no allocation); the first failure panics naming the step and the variable.
    ///
    /// ```
    /// use descent_autograd::{Tensor, Variable};
    /// use descent_optim::Slots;
    /// let w = Variable::new(Tensor::from_vec(vec![1.0f32], &[1]));
    /// let mut slots = Slots::new(0.5, &[]);
    /// slots.step(&[Tensor::from_vec(vec![2.0], &[1])], &[w.clone()], |lr, step, mut p, g, _| {
    ///     assert_eq!(step, 1);
    ///     p.scaled_add(-lr, &g);
    /// });
    /// assert_eq!(w.value().to_vec(), vec![0.0]);
    /// ```
    ///
    /// # Panics
    /// As [`crate::Optimizer::apply_gradients`].
    #[track_caller]
    pub fn step(
        &mut self,
        gradients: &[Tensor<F>],
        variables: &[Variable<F>],
        mut rule: impl FnMut(F, usize, ArrayViewMutD<'_, F>, ArrayViewD<'_, F>, &mut [ArrayD<F>]),
    ) {
        let check = self.check_finite;
        self.each_variable(
            gradients,
            variables,
            |lr, step, mut value, gradient, slots| {
                rule(lr, step, value.view_mut(), gradient, slots);
                check.then(|| first_non_finite(value.view())).flatten()
            },
        );
    }

    /// [`Slots::step`] for a rule that updates each element from that element alone (all the
    /// built-in rules): `rule(learning_rate, step, values, gradient, slots)` gets slices, a
    /// chunk of the variable at a time, and large variables are updated in two halves at once
    /// (see [`crate::elements::update`]).
    #[track_caller]
    pub(crate) fn step_elementwise(
        &mut self,
        gradients: &[Tensor<F>],
        variables: &[Variable<F>],
        rule: impl Fn(F, usize, &mut [F], &[F], &mut [&mut [F]]) + Sync,
    ) {
        let check = self.check_finite;
        self.each_variable(gradients, variables, |lr, step, value, gradient, slots| {
            let rule = |p: &mut [F], g: &[F], s: &mut [&mut [F]]| rule(lr, step, p, g, s);
            elements::update(
                values(value),
                elements::gradient(gradient),
                slots,
                check,
                &rule,
            )
        });
    }

    /// Checks the two lists and the gradients, counts the step, then calls
    /// `update(learning_rate, step, value, gradient, slots)` once per variable; `update`
    /// returns the first element it left non-finite, if it checked.
    #[track_caller]
    fn each_variable(
        &mut self,
        gradients: &[Tensor<F>],
        variables: &[Variable<F>],
        mut update: impl FnMut(
            F,
            usize,
            ArrayViewMutD<'_, F>,
            ArrayViewD<'_, F>,
            &mut [ArrayD<F>],
        ) -> Option<(usize, F)>,
    ) {
        expect_aligned(gradients, variables);
        if self.check_finite {
            expect_finite_gradients(self.steps + 1, gradients, variables);
        }
        self.steps += 1;
        let (learning_rate, step, count) =
            (F::cast(self.learning_rate), self.steps, self.names.len());
        let initial = F::cast(self.initial);
        for (i, (gradient, variable)) in gradients.iter().zip(variables).enumerate() {
            let fresh = || {
                (0..count)
                    .map(|_| ArrayD::from_elem(IxDyn(gradient.shape()), initial))
                    .collect()
            };
            let slots = self.slots.entry(variable.id()).or_insert_with(fresh);
            let gradient = gradient.view();
            let gradient = gradient.as_standard_layout(); // a copy only if it is not already
            let non_finite = variable.update(|mut value| {
                update(
                    learning_rate,
                    step,
                    value.view_mut(),
                    gradient.view(),
                    slots,
                )
            });
            if let Some(found) = non_finite {
                diverged(step, i, variable, found);
            }
        }
    }

    pub(crate) fn export(&self, variables: &[(String, Variable<F>)]) -> Vec<(String, Tensor<F>)> {
        expect_unique("state", variables);
        let steps = Tensor::from_vec(vec![F::cast(self.steps as f64)], &[1]);
        let mut tensors = vec![(STEPS.to_string(), steps)];
        for (name, variable) in variables {
            let slots = self.slots.get(&variable.id());
            for (i, slot) in self.names.iter().enumerate() {
                let value = match slots {
                    Some(slots) => Tensor::from(slots[i].clone()),
                    None => Tensor::full(&variable.shape(), F::cast(self.initial)),
                };
                tensors.push((format!("{name}.{slot}"), value));
            }
        }
        tensors
    }

    pub(crate) fn load(
        &mut self,
        variables: &[(String, Variable<F>)],
        tensors: &[(String, Tensor<F>)],
    ) -> Result<(), StateError> {
        expect_unique("load_state", variables);
        let mut by_name = HashMap::new();
        for (name, tensor) in tensors {
            if by_name.insert(name.as_str(), tensor).is_some() {
                return Err(StateError::Duplicate { name: name.clone() });
            }
        }
        // Takes the tensor `name` out of the list, checking that it has `shape` (or, for the
        // step count, one element: a scalar written by hand is fine).
        let mut take = |name: &str, shape: &[usize]| {
            let missing = || StateError::Missing {
                name: name.to_string(),
            };
            let tensor = by_name.remove(name).ok_or_else(missing)?;
            if tensor.shape() == shape || (name == STEPS && tensor.len() == 1) {
                return Ok(tensor);
            }
            let (expected, found) = (shape.to_vec(), tensor.shape().to_vec());
            Err(StateError::Shape {
                name: name.to_string(),
                expected,
                found,
            })
        };
        let steps = take(STEPS, &[1])?.item().as_f64();
        if !(steps >= 0.0 && steps.fract() == 0.0 && steps <= usize::MAX as f64) {
            return Err(StateError::Steps { found: steps });
        }
        let mut slots = HashMap::new();
        for (name, variable) in variables {
            let shape = variable.shape();
            let arrays = self
                .names
                .iter()
                .map(|slot| take(&format!("{name}.{slot}"), &shape));
            let arrays =
                arrays.map(|tensor| tensor.map(|t| t.array().as_standard_layout().into_owned()));
            slots.insert(variable.id(), arrays.collect::<Result<_, _>>()?);
        }
        if let Some(name) = by_name.into_keys().min() {
            return Err(StateError::Unexpected {
                name: name.to_string(),
            });
        }
        (self.steps, self.slots) = (steps as usize, slots);
        Ok(())
    }
}

/// Panics unless there is one gradient per variable, of the variable's shape.
#[track_caller]
fn expect_aligned<F: Float>(gradients: &[Tensor<F>], variables: &[Variable<F>]) {
    if gradients.len() != variables.len() {
        panic!(
            "apply_gradients: {} gradients for {} variables",
            gradients.len(),
            variables.len()
        );
    }
    for (gradient, variable) in gradients.iter().zip(variables) {
        if gradient.shape() != variable.shape().as_slice() {
            panic!(
                "apply_gradients: variable {:?} and its gradient have different shapes: {:?} and {:?}",
                variable.name(),
                variable.shape().as_slice(),
                gradient.shape()
            );
        }
    }
}

/// Panics when two variables share a name (their state tensors would collide).
#[track_caller]
fn expect_unique<F: Float>(op: &str, variables: &[(String, Variable<F>)]) {
    for (i, (name, _)) in variables.iter().enumerate() {
        if variables[..i].iter().any(|(other, _)| other == name) {
            panic!("{op}: two variables are named {name:?}");
        }
    }
}

/// Why [`crate::Optimizer::load_state`] refused a list of tensors.
#[derive(Clone, Debug, PartialEq)]
pub enum StateError {
    /// A tensor the optimizer needs is not in the list.
    Missing {
        /// Its name, such as `"0.weight.exp_avg"`.
        name: String,
    },
    /// A tensor is not part of this optimizer's state (another optimizer's, or a misspelling).
    Unexpected {
        /// Its name.
        name: String,
    },
    /// Two tensors in the list have the same name.
    Duplicate {
        /// The repeated name.
        name: String,
    },
    /// A tensor's shape differs from its variable's (or `"steps"` has more than one element).
    Shape {
        /// The tensor's name.
        name: String,
        /// The shape the optimizer needs.
        expected: Vec<usize>,
        /// The shape in the list.
        found: Vec<usize>,
    },
    /// The step count is not a whole non-negative number.
    Steps {
        /// The value found.
        found: f64,
    },
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateError::Missing { name } => write!(f, "optimizer state: no tensor named {name:?}"),
            StateError::Unexpected { name } => {
                write!(
                    f,
                    "optimizer state: tensor {name:?} is not part of this optimizer's state"
                )
            }
            StateError::Duplicate { name } => {
                write!(f, "optimizer state: two tensors are named {name:?}")
            }
            StateError::Shape {
                name,
                expected,
                found,
            } => write!(
                f,
                "optimizer state: tensor {name:?} has shape {found:?}, expected {expected:?}"
            ),
            StateError::Steps { found } => {
                write!(
                    f,
                    "optimizer state: \"steps\" holds {found}, not a step count"
                )
            }
        }
    }
}

impl std::error::Error for StateError {}
