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

use crate::op::{Backward, DynOp, Grads};
use crate::shape::Shape;
use crate::{Float, Gradients, Op, Tensor, Value, Var, Variable, VariableId, pool};
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

/// Per-node scratch of the reverse sweep, inline for tapes of up to this many nodes (a
/// training step of a small network), so a gradient call allocates nothing for it.
const INLINE_NODES: usize = 64;

/// Something a gradient can be taken with respect to: a [`Var`] or a [`Variable`] read on a tape.
pub trait Source<F: Float> {
    /// The node of this source on `tape`, or `None` if it was never read there.
    fn node_on(&self, tape: &Tape<F>) -> Option<usize>;
    /// The source's shape (the shape of its gradient).
    fn source_shape(&self) -> Shape;
    /// What to call the source in a message (a variable's name); empty if it has none.
    fn source_name(&self) -> String {
        String::new()
    }
}

impl<F: Float> Source<F> for Var<'_, F> {
    fn node_on(&self, tape: &Tape<F>) -> Option<usize> {
        tape.expect_own(self, "gradient");
        Some(self.index())
    }
    fn source_shape(&self) -> Shape {
        self.shape()
    }
}

impl<F: Float> Source<F> for Variable<F> {
    fn node_on(&self, tape: &Tape<F>) -> Option<usize> {
        tape.variables
            .borrow()
            .iter()
            .find(|(id, _)| *id == self.id())
            .map(|&(_, node)| node)
    }
    fn source_shape(&self) -> Shape {
        self.shape()
    }
    fn source_name(&self) -> String {
        self.name().to_string()
    }
}

impl<F: Float, S: Source<F>> Source<F> for &S {
    fn node_on(&self, tape: &Tape<F>) -> Option<usize> {
        (*self).node_on(tape)
    }
    fn source_shape(&self) -> Shape {
        (*self).source_shape()
    }
    fn source_name(&self) -> String {
        (*self).source_name()
    }
}

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

    /// Turns on anomaly detection (like PyTorch's `detect_anomaly`): the first op whose output,
    /// or whose gradient for an input, contains NaN or infinity panics with the op's name, its
    /// position on the tape, its input shapes and the pass. Off by default; when off it costs
    /// one branch per op.
    ///
    /// ```should_panic
    /// use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new().with_anomaly_detection();
    /// let x = tape.watch(Tensor::from_vec(vec![1.0f32, 0.0], &[2]));
    /// x.ln(); // panics: anomaly in the forward pass: ln (node 1, inputs [[2]]) …
    /// ```
    pub fn with_anomaly_detection(mut self) -> Self {
        self.detect_anomalies = true;
        self
    }

    /// Gives a [`Variable`] source that was never read on this tape a zero gradient instead of
    /// panicking (TensorFlow's `unconnected_gradients=ZERO`). For when some variables are
    /// knowingly left out of a recording; the default catches the slip of recording a copy.
    ///
    /// ```
    /// use descent_autograd::{Tape, Tensor, Variable};
    /// let (used, unused) = (Variable::new(Tensor::scalar(2.0f64)), Variable::new(Tensor::scalar(1.0)));
    /// let tape = Tape::new().with_unread_as_zero();
    /// let y = tape.read(&used).square();
    /// let g = tape.gradient(&y, &[used, unused]);
    /// assert_eq!((g[0].item(), g[1].item()), (4.0, 0.0));
    /// ```
    pub fn with_unread_as_zero(mut self) -> Self {
        self.unread_as_zero = true;
        self
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
    /// use descent_autograd::{Backward, Float, Grads, Op, Tape, Tensor, Value};
    /// struct Double; // d/dx 2x = 2
    /// impl<F: Float> Op<F> for Double {
    ///     fn name(&self) -> &'static str { "double" }
    ///     fn backward<V: Value<F>>(&self, ctx: &Backward<'_, V>) -> Grads<V> {
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

    /// The gradients of a one-element `target` with respect to each source, in order.
    ///
    /// A source the target does not depend on gets a zero gradient of its own shape. A
    /// [`Variable`] that was never read on this tape is a panic instead (see
    /// [`Tape::with_unread_as_zero`]): it is almost always `tape.watch(w.value())` written for
    /// `tape.read(&w)`, which would train nothing. On a tape made by [`Tape::new`] this releases
    /// the recorded values (all but the target's).
    ///
    /// ```
    /// use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let (a, b) = (tape.watch(Tensor::scalar(2.0f64)), tape.watch(Tensor::scalar(5.0)));
    /// let y = a * b;
    /// let g = tape.gradient(&y, &[a, b]);
    /// assert_eq!((g[0].item(), g[1].item()), (5.0, 2.0));
    /// ```
    ///
    /// # Panics
    /// When `target` has more than one element (use [`Tape::vjp`]), when it belongs to another
    /// tape, when a non-persistent tape has already answered a gradient call, or when a
    /// variable source was never read on this tape (naming it).
    #[track_caller]
    pub fn gradient<S: Source<F>>(&self, target: &Var<'_, F>, sources: &[S]) -> Gradients<F> {
        let shape = target.shape();
        if shape.iter().product::<usize>() != 1 {
            panic!("gradient: target must be a single value, not shape {shape:?}; use Tape::vjp");
        }
        let seed = Tensor::pooled(&shape, |one| one.fill(F::one()));
        self.vjp_owned(target, seed, sources)
    }

    /// The vector-Jacobian product: gradients of `Σ seed · target` with respect to the sources.
    ///
    /// ```
    /// use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![1.0, 2.0], &[2]));
    /// let y = x.exp();
    /// let g = tape.vjp(&y, &Tensor::from_vec(vec![1.0, 0.0], &[2]), &[x]);
    /// assert_eq!(g[0].to_vec(), vec![1f64.exp(), 0.0]);
    /// ```
    ///
    /// # Panics
    /// When `seed`'s shape differs from the target's, and as [`Tape::gradient`].
    #[track_caller]
    pub fn vjp<S: Source<F>>(
        &self,
        target: &Var<'_, F>,
        seed: &Tensor<F>,
        sources: &[S],
    ) -> Gradients<F> {
        target.value().expect_shape("vjp: seed and target", seed);
        self.vjp_owned(target, seed.clone(), sources)
    }

    /// [`Tape::vjp`] with a seed of the target's shape that the sweep may consume.
    #[track_caller]
    fn vjp_owned<S: Source<F>>(
        &self,
        target: &Var<'_, F>,
        seed: Tensor<F>,
        sources: &[S],
    ) -> Gradients<F> {
        let mut grads = pool::take();
        self.sweep(
            target,
            seed,
            sources,
            (|i| self.value(i), |op, ctx| op.backward_tensor(ctx)),
            pool::recycle,
            &mut grads,
        );
        if !self.persistent {
            self.release(target.index());
        }
        Gradients::new(grads)
    }

    /// Differentiable gradients: like [`Tape::gradient`], but the backward pass is recorded on
    /// this tape, so the results are vars that can be differentiated again (Hessian-vector
    /// products, gradient penalties).
    ///
    /// It releases nothing, so one `gradient_vars` followed by one [`Tape::gradient`] (a
    /// second derivative, a Hessian-vector product) works on a tape from [`Tape::new`]; that
    /// `gradient` call then releases the tape as usual. A [`Tape::persistent`] tape is needed
    /// only for more gradient calls after that one.
    ///
    /// ```
    /// use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::scalar(2.0f64));
    /// let y = x.powf(3.0);                                  // y = x³
    /// let dy = tape.gradient_vars(&y, &[x]).remove(0);     // 3x² = 12
    /// let d2y = tape.gradient(&dy, &[x]);                   // 6x  = 12
    /// assert_eq!((dy.value().item(), d2y[0].item()), (12.0, 12.0));
    /// ```
    ///
    /// # Panics
    /// As [`Tape::gradient`].
    #[track_caller]
    pub fn gradient_vars<'t, S: Source<F>>(
        &'t self,
        target: &Var<'t, F>,
        sources: &[S],
    ) -> Vec<Var<'t, F>> {
        let shape = target.shape();
        if shape.iter().product::<usize>() != 1 {
            panic!("gradient_vars: target must be a single value, not shape {shape:?}");
        }
        let seed = self.watch(Tensor::ones(&shape));
        let mut grads = Vec::new();
        self.sweep(
            target,
            seed,
            sources,
            (|i| Var::new(self, i), |op, ctx| op.backward_var(ctx)),
            drop,
            &mut grads,
        );
        grads
    }

    /// The reverse sweep, generic over the value type the backward rules run on: `lift` turns
    /// a node into a value, `run` runs an op's backward rule, `done` takes each gradient no
    /// longer needed, and the sources' gradients are pushed onto `out` in order.
    #[track_caller]
    fn sweep<V: Value<F>, S: Source<F>>(
        &self,
        target: &Var<'_, F>,
        seed: V,
        sources: &[S],
        (lift, run): (
            impl Fn(usize) -> V,
            impl Fn(&dyn DynOp<F>, &Backward<'_, V>) -> Grads<V>,
        ),
        done: impl Fn(V),
        out: &mut Vec<V>,
    ) {
        self.expect_own(target, "gradient");
        if self.released.get() {
            panic!(
                "gradient: this tape already answered a gradient call and released its values; \
                 use Tape::persistent() to take several gradients"
            );
        }
        let nodes: SmallVec<[Option<usize>; 8]> = sources.iter().map(|s| s.node_on(self)).collect();
        if let Some(i) = nodes
            .iter()
            .position(Option::is_none)
            .filter(|_| !self.unread_as_zero)
        {
            let name = match sources[i].source_name() {
                name if name.is_empty() => String::new(),
                name => format!(" {name:?}"),
            };
            panic!(
                "gradient: source {i} (variable{name}) was never read on this tape, so the \
                 target cannot depend on it: record it with `tape.read(&variable)` (not \
                 `tape.watch(variable.value())`, which records a copy the variable knows nothing \
                 of); if leaving it out is meant, make the tape with \
                 `Tape::new().with_unread_as_zero()`"
            );
        }
        let end = target.index() + 1;
        let relevant = self.depends_on_sources(end, &nodes);
        let mut is_source: SmallVec<[bool; INLINE_NODES]> = SmallVec::from_elem(false, end);
        nodes
            .iter()
            .flatten()
            .filter(|&&s| s < end)
            .for_each(|&s| is_source[s] = true);
        let mut grads: SmallVec<[Option<V>; INLINE_NODES]> = (0..end).map(|_| None).collect();
        grads[end - 1] = Some(seed);
        // One buffer for every node's input values: filled in place, not built and moved.
        let mut values: SmallVec<[V; 4]> = SmallVec::new();
        for i in (0..end).rev() {
            let grad = if is_source[i] {
                grads[i].clone()
            } else {
                grads[i].take()
            };
            let Some(grad) = grad else { continue };
            if !relevant[i] {
                done(grad);
                continue;
            }
            let (op, inputs) = {
                let mut nodes = self.nodes.borrow_mut();
                let Some(op) = nodes[i].op.take() else {
                    done(grad);
                    continue;
                };
                (op, nodes[i].inputs.clone())
            };
            values.clear();
            values.extend(inputs.iter().map(|&j| lift(j)));
            let wanted: SmallVec<[bool; 4]> = inputs.iter().map(|&j| relevant[j]).collect();
            let output = lift(i);
            let mut input_grads = run(&*op, &Backward::new(&values, &output, &grad, &wanted));
            done(grad);
            let name = op.name();
            self.nodes.borrow_mut()[i].op = Some(op);
            for ((&j, value), g) in inputs.iter().zip(&values).zip(input_grads.iter_mut()) {
                let Some(g) = g.take() else { continue };
                if g.shape() != value.shape() {
                    panic!(
                        "{name}: backward returned a gradient of shape {:?} for an input of \
                         shape {:?}",
                        g.shape(),
                        value.shape()
                    );
                }
                if self.detect_anomalies && !all_finite(&g.tensor()) {
                    let what = format!("the gradient for its input node {j}");
                    self.report_anomaly("backward", name, i, &inputs, &what);
                }
                grads[j] = Some(match grads[j].take() {
                    Some(previous) => {
                        let sum = previous.accumulate(&g);
                        done(g);
                        sum
                    }
                    None => g,
                });
            }
        }
        let zeros = |source: &S| lift(end - 1).constant(Tensor::zeros(&source.source_shape()));
        for (source, node) in sources.iter().zip(nodes) {
            let grad = node.and_then(|s| grads.get_mut(s)).and_then(Option::take);
            out.push(grad.unwrap_or_else(|| zeros(source)));
        }
        grads.into_iter().flatten().for_each(done);
    }

    /// Marks the nodes below `end` that are sources or depend on one.
    fn depends_on_sources(
        &self,
        end: usize,
        sources: &[Option<usize>],
    ) -> SmallVec<[bool; INLINE_NODES]> {
        let mut relevant: SmallVec<[bool; INLINE_NODES]> = SmallVec::from_elem(false, end);
        for &s in sources.iter().flatten().filter(|&&s| s < end) {
            relevant[s] = true;
        }
        let nodes = self.nodes.borrow();
        for (i, node) in nodes[..end].iter().enumerate() {
            relevant[i] = relevant[i] || node.inputs.iter().any(|&j| relevant[j]);
        }
        relevant
    }

    #[track_caller]
    fn report_anomaly(&self, pass: &str, op: &str, node: usize, inputs: &[usize], what: &str) -> ! {
        let shapes: Vec<Vec<usize>> = inputs.iter().map(|&j| self.shape(j).to_vec()).collect();
        panic!(
            "anomaly in the {pass} pass: {op} (node {node}, inputs {shapes:?}) produced NaN or \
             infinity in {what}"
        )
    }

    /// Drops every recorded value except the target's (TensorFlow's non-persistent tape); the
    /// storage goes back to the thread's spares.
    fn release(&self, keep: usize) {
        let mut nodes = self.nodes.borrow_mut();
        for (i, node) in nodes.iter_mut().enumerate() {
            node.op = None;
            if let Some(value) = node.value.take_if(|_| i != keep) {
                pool::recycle(value);
            }
        }
        self.variables.borrow_mut().clear();
        self.released.set(true);
    }
}

impl<F: Float> Drop for Tape<F> {
    /// Gives the values' storage and the node list to the thread's spares for the next tape.
    fn drop(&mut self) {
        let mut nodes = std::mem::take(self.nodes.get_mut());
        nodes
            .drain(..)
            .filter_map(|node| node.value)
            .for_each(pool::recycle);
        pool::give(nodes);
        let mut variables = std::mem::take(self.variables.get_mut());
        variables.clear();
        pool::give(variables);
        pool::end_of_tape::<F>();
    }
}

fn all_finite<F: Float>(t: &Tensor<F>) -> bool {
    t.array().iter().all(|x| x.is_finite())
}
