//! The reverse sweep: one walk down the node list from the target, each marked node handing its
//! gradient to its op's backward rule.

use super::{Source, Tape, anomaly::all_finite};
use crate::op::{Backward, DynOp, Grads};
use crate::{Float, Operand, Tensor, Var};
use smallvec::SmallVec;

/// Per-node scratch of the reverse sweep, inline for tapes of up to this many nodes (a
/// training step of a small network), so a gradient call allocates nothing for it.
const INLINE_NODES: usize = 64;

impl<F: Float> Tape<F> {
    /// The reverse sweep, generic over the value type the backward rules run on: `lift` turns
    /// a node into a value, `run` runs an op's backward rule, `done` takes each gradient no
    /// longer needed, and the sources' gradients are pushed onto `out` in order.
    #[track_caller]
    pub(super) fn sweep<V: Operand<F>, S: Source<F>>(
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
    pub(super) fn depends_on_sources(
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
}
