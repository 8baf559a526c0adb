//! Giving memory back: a non-persistent tape's release after its gradient call, and a dropped
//! tape's storage returned to the thread's spares.

use super::Tape;
use crate::{Float, pool};

impl<F: Float> Tape<F> {
    /// Drops every recorded value except the target's (TensorFlow's non-persistent tape); the
    /// storage goes back to the thread's spares.
    pub(super) fn release(&self, keep: usize) {
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
