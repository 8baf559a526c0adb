//! Shape composites: `transpose`, `stack`, `flatten`.

use crate::axis::{Axis, resolve};
use crate::shape::mismatch;
use crate::{Float, Tensor, Var};

impl<F: Float> Tensor<F> {
    /// The last two axes swapped (a view).
    ///
    /// # Panics
    /// When the tensor has fewer than 2 axes.
    #[track_caller]
    pub fn transpose(&self) -> Self {
        if self.ndim() < 2 {
            panic!(
                "transpose: needs at least 2 axes, not shape {:?}",
                self.shape()
            );
        }
        crate::Operand::transpose(self)
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// The last two axes swapped (a view, no copy).
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::<f32>::zeros(&[2, 3]));
    /// assert_eq!(x.transpose().shape().as_slice(), &[3, 2]);
    /// ```
    ///
    /// # Panics
    /// When the var has fewer than 2 axes.
    #[track_caller]
    pub fn transpose(&self) -> Var<'t, F> {
        if self.shape().len() < 2 {
            panic!(
                "transpose: needs at least 2 axes, not shape {:?}",
                self.shape()
            );
        }
        crate::Operand::transpose(self)
    }

    /// Joins vars of one shape along a new axis at position `axis` (negative counts from the end
    /// of the result's axes, as in `torch.stack`).
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor, Var};
    /// let tape = Tape::new();
    /// let a = tape.watch(Tensor::<f32>::zeros(&[3]));
    /// assert_eq!(Var::stack(&[a, a], 0).shape().as_slice(), &[2, 3]);
    /// assert_eq!(Var::stack(&[a, a], 1).shape().as_slice(), &[3, 2]);
    /// assert_eq!(Var::stack(&[a, a], -1).shape().as_slice(), &[3, 2]);
    /// ```
    ///
    /// # Panics
    /// When `parts` is empty, their shapes differ or `axis` is beyond the new number of axes.
    #[track_caller]
    pub fn stack(parts: &[Var<'t, F>], axis: impl Axis) -> Var<'t, F> {
        let Some(first) = parts.first() else {
            panic!("stack: nothing to stack")
        };
        let mut shape = first.shape();
        for part in &parts[1..] {
            if part.shape() != shape {
                mismatch("stack", "cannot stack shapes", &shape, &part.shape());
            }
        }
        let axis = resolve("stack", axis, &[shape.as_slice(), &[1]].concat());
        shape.insert(axis, 1);
        let lifted: Vec<_> = parts.iter().map(|p| p.reshape(&shape)).collect();
        Var::concat(&lifted, axis)
    }

    /// The axes from `from_axis` on merged into one (PyTorch's `flatten(start_dim)`):
    /// `[N, C, H, W]` with `from_axis` 1 becomes `[N, C·H·W]`, the input of a dense layer.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::<f32>::zeros(&[64, 32, 4, 4]));
    /// assert_eq!(x.flatten(1).shape().as_slice(), &[64, 512]);
    /// assert_eq!(x.flatten(0).shape().as_slice(), &[32768]);
    /// assert_eq!(x.flatten(-2).shape().as_slice(), &[64, 32, 16]);
    /// ```
    ///
    /// # Panics
    /// When `from_axis` is not an axis of the var.
    #[track_caller]
    pub fn flatten(&self, from_axis: impl Axis) -> Var<'t, F> {
        let shape = self.shape();
        let from_axis = resolve("flatten", from_axis, &shape);
        let mut flat: crate::Shape = shape[..from_axis].iter().copied().collect();
        flat.push(shape[from_axis..].iter().product());
        self.reshape(&flat)
    }
}
