//! The tape: a Wengert list of recorded operations, and the reverse sweep that differentiates it.
//!
//! Every op on a [`Var`] appends a node (its op, the indices of its inputs and its value), so the
//! node list is already in topological order. [`Tape::gradient`] marks the nodes that depend on
//! the sources (one forward pass over the input indices), then walks the list once in reverse
//! from the target: each marked node hands its accumulated gradient to its op's backward rule,
//! and the resulting input gradients are added into their nodes' slots. No recursion, no visited
//! set. Backward rules run on plain tensors (nothing recorded) unless the caller asks for
//! differentiable gradients with [`Tape::gradient_vars`], in which case the same rules run on
//! vars and are recorded on this tape.
//!
//! This file records; `gradient.rs` holds the gradient calls, `sweep.rs` the reverse walk,
//! `source.rs` what a gradient is taken with respect to, `release.rs` the return of memory and
//! `anomaly.rs` the NaN checks.

mod anomaly;
mod gradient;
mod release;
mod source;
mod sweep;

pub use source::Source;

use crate::op::DynOp;
use crate::shape::Shape;
use crate::{Float, Op, Tensor, Var, Variable, VariableId, pool};
use anomaly::all_finite;
use smallvec::SmallVec;
use std::cell::{Cell, RefCell};

/// A recording of operations on vars, differentiated in reverse by [`Tape::gradient`].
///
/// Like TensorFlow's `GradientTape`, a tape made by [`Tape::new`] answers one gradient call and
/// then releases its recorded values (the target's value is kept), so that optimizers can update
/// variables in place; a [`Tape::persistent`] tape keeps everything for several calls and for
/// higher-order gradients.
///
/// ```
/// use descent_autograd::{Tape, Tensor};
/// let tape = Tape::new();
/// let x = tape.watch(Tensor::scalar(3.0f64));
/// let y = x * x + x; // y = x² + x
/// let grads = tape.gradient(&y, &[x]);
/// assert_eq!(grads[0].item(), 7.0); // dy/dx = 2x + 1
/// assert_eq!(y.value().item(), 12.0); // the target's value survives the release
/// ```
pub struct Tape<F: Float> {
    nodes: RefCell<Vec<Node<F>>>,
    variables: RefCell<Vec<(VariableId, usize)>>,
    persistent: bool,
    released: Cell<bool>,
    detect_anomalies: bool,
    unread_as_zero: bool,
}

struct Node<F: Float> {
    op: Option<Box<dyn DynOp<F>>>,
    inputs: Inputs,
    value: Option<Tensor<F>>,
}

/// The node indices of an op's inputs (inline up to four, so recording allocates nothing).
type Inputs = SmallVec<[usize; 4]>;

impl<F: Float> Default for Tape<F> {
    fn default() -> Self {
        Self::new()
    }
}

impl<F: Float> Tape<F> {
    /// A tape for one gradient call (it releases its values afterwards, like TensorFlow's).
    ///
    /// ```
    /// let tape = descent_autograd::Tape::<f32>::new();
    /// assert!(tape.is_empty());
    /// ```
    pub fn new() -> Self {
        Self::with_persistence(false)
    }

    /// A tape that keeps its values for any number of gradient calls and higher-order gradients.
    ///
    /// ```
    /// use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::persistent();
    /// let x = tape.watch(Tensor::scalar(2.0f64));
    /// let y = x.powf(3.0);
    /// assert_eq!(tape.gradient(&y, &[x])[0].item(), 12.0);
    /// assert_eq!(tape.gradient(&y, &[x])[0].item(), 12.0);
    /// ```
    pub fn persistent() -> Self {
        Self::with_persistence(true)
    }

    fn with_persistence(persistent: bool) -> Self {
        Tape {
            nodes: RefCell::new(pool::take()),
            variables: RefCell::new(pool::take()),
            persistent,
            released: Cell::new(false),
            detect_anomalies: false,
            unread_as_zero: false,
        }
    }

    /// The number of recorded nodes.
    ///
    /// ```
    /// use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::scalar(1.0f32));
    /// x.exp();
    /// assert_eq!(tape.len(), 2); // the leaf and the exp
    /// ```
    pub fn len(&self) -> usize {
        self.nodes.borrow().len()
    }

    /// True when nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Puts a tensor on the tape as a leaf var: a constant, or a source to differentiate by.
    ///
    /// ```
    /// use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![1.0f64, 2.0], &[2]));
    /// let y = x.square().sum(&[], false);
    /// assert_eq!(tape.gradient(&y, &[x])[0].to_vec(), vec![2.0, 4.0]);
    /// ```
    pub fn watch(&self, value: Tensor<F>) -> Var<'_, F> {
        self.append(None, SmallVec::new(), value)
    }

    /// Reads a variable onto the tape (once: later reads return the same var).
    ///
    /// ```
    /// use descent_autograd::{Tape, Tensor, Variable};
    /// let w = Variable::new(Tensor::scalar(3.0f32));
    /// let tape = Tape::new();
    /// let loss = tape.read(&w).powf(2.0);
    /// assert_eq!(tape.gradient(&loss, &[&w])[0].item(), 6.0);
    /// ```
    pub fn read(&self, variable: &Variable<F>) -> Var<'_, F> {
        if let Some(index) = variable.node_on(self) {
            return Var::new(self, index);
        }
        let var = self.watch(variable.value());
        self.variables
            .borrow_mut()
            .push((variable.id(), var.index()));
        var
    }

    /// Records an op's result: `value` computed from `inputs` by `op`. Custom ops call this;
    /// see [`Op`] for a complete example.
    ///
    /// ```
    /// use descent_autograd::{Backward, Float, Grads, Op, Tape, Tensor, Operand};
    /// struct Double; // d/dx 2x = 2
    /// impl<F: Float> Op<F> for Double {
    ///     fn name(&self) -> &'static str { "double" }
    ///     fn backward<V: Operand<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
    ///         ctx.unary(|| ctx.grad.mul_scalar(F::cast(2.0)))
    ///     }
    /// }
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::scalar(3.0f64));
    /// let y = tape.push(Double, &[&x], x.value().mul_scalar(2.0));
    /// assert_eq!((y.item(), tape.gradient(&y, &[x])[0].item()), (6.0, 2.0));
    /// ```
    ///
    /// # Panics
    /// When an input belongs to another tape.
    #[track_caller]
    pub fn push<O: Op<F>>(&self, op: O, inputs: &[&Var<'_, F>], value: Tensor<F>) -> Var<'_, F> {
        for input in inputs {
            self.expect_own(input, op.name());
        }
        let inputs: Inputs = inputs.iter().map(|v| v.index()).collect();
        if self.detect_anomalies && !all_finite(&value) {
            self.report_anomaly("forward", op.name(), self.len(), &inputs, "its output");
        }
        self.append(Some(Box::new(op)), inputs, value)
    }

    fn append(
        &self,
        op: Option<Box<dyn DynOp<F>>>,
        inputs: Inputs,
        value: Tensor<F>,
    ) -> Var<'_, F> {
        let mut nodes = self.nodes.borrow_mut();
        nodes.push(Node {
            op,
            inputs,
            value: Some(value),
        });
        Var::new(self, nodes.len() - 1)
    }

    #[track_caller]
    pub(crate) fn expect_own(&self, var: &Var<'_, F>, op: &str) {
        if !std::ptr::eq(self, var.tape()) {
            panic!("{op}: a var from another tape was used on this tape");
        }
    }

    /// The recorded value of node `index`.
    #[track_caller]
    pub(crate) fn value(&self, index: usize) -> Tensor<F> {
        match &self.nodes.borrow()[index].value {
            Some(value) => value.clone(),
            None => panic!(
                "this var's value was released by the tape's gradient call; read values before \
                 it, or record on Tape::persistent()"
            ),
        }
    }

    /// The shape of node `index`, read without cloning its value.
    #[track_caller]
    pub(crate) fn shape(&self, index: usize) -> Shape {
        match &self.nodes.borrow()[index].value {
            Some(value) => value.dims(),
            None => self.value(index).dims(),
        }
    }

    /// Whether nodes `a` and `b` have the same shape (compared in place, nothing built).
    #[track_caller]
    pub(crate) fn same_shape(&self, a: usize, b: usize) -> bool {
        let nodes = self.nodes.borrow();
        match (&nodes[a].value, &nodes[b].value) {
            (Some(x), Some(y)) => x.shape() == y.shape(),
            _ => self.shape(a) == self.shape(b),
        }
    }
}
