//! Pooling and reshaping layers: `MaxPool2d`, `AvgPool2d`, `GlobalAvgPool2d`, `Flatten`.
//!
//! Each is the matching `Var` op as a [`Module`] with no variables, so it can sit in a
//! [`Sequential`](crate::Sequential) between convolutions and dense layers.

use crate::Module;
use descent_autograd::{Float, Var, Variable};

/// Max pooling over `kernel` windows moved by `stride` (PyTorch's `nn.MaxPool2d(kernel,
/// stride)`; [`MaxPool2d::new`] takes the stride equal to the kernel, as PyTorch's default).
///
/// ```
/// use descent_autograd::{Tape, Tensor};
/// use descent_layers::{MaxPool2d, Module};
/// let tape = Tape::new();
/// let y = MaxPool2d::new([2, 2]).forward(&tape.watch(Tensor::<f32>::zeros(&[64, 16, 24, 24])));
/// assert_eq!(y.shape().as_slice(), &[64, 16, 12, 12]);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct MaxPool2d {
    kernel: [usize; 2],
    stride: [usize; 2],
}

impl MaxPool2d {
    /// Non-overlapping `kernel` windows (the stride is the kernel).
    pub fn new(kernel: [usize; 2]) -> Self {
        MaxPool2d {
            kernel,
            stride: kernel,
        }
    }

    /// The layer with this stride.
    pub fn stride(self, stride: [usize; 2]) -> Self {
        MaxPool2d { stride, ..self }
    }
}

impl<F: Float> Module<F> for MaxPool2d {
    /// # Panics
    /// As [`Var::max_pool2d`].
    #[track_caller]
    fn forward<'t>(&self, x: &Var<'t, F>) -> Var<'t, F> {
        x.max_pool2d(self.kernel, self.stride)
    }
    fn variables(&self) -> Vec<(String, Variable<F>)> {
        Vec::new()
    }
}

/// Average pooling over `kernel` windows moved by `stride` (PyTorch's `nn.AvgPool2d(kernel,
/// stride)`; [`AvgPool2d::new`] takes the stride equal to the kernel).
///
/// ```
/// use descent_autograd::{Tape, Tensor};
/// use descent_layers::{AvgPool2d, Module};
/// let tape = Tape::new();
/// let x = tape.watch(Tensor::from_vec(vec![1.0f64, 2.0, 3.0, 6.0], &[1, 1, 2, 2]));
/// assert_eq!(AvgPool2d::new([2, 2]).forward(&x).value().to_vec(), vec![3.0]);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct AvgPool2d {
    kernel: [usize; 2],
    stride: [usize; 2],
}

impl AvgPool2d {
    /// Non-overlapping `kernel` windows (the stride is the kernel).
    pub fn new(kernel: [usize; 2]) -> Self {
        AvgPool2d {
            kernel,
            stride: kernel,
        }
    }

    /// The layer with this stride.
    pub fn stride(self, stride: [usize; 2]) -> Self {
        AvgPool2d { stride, ..self }
    }
}

impl<F: Float> Module<F> for AvgPool2d {
    /// # Panics
    /// As [`Var::avg_pool2d`].
    #[track_caller]
    fn forward<'t>(&self, x: &Var<'t, F>) -> Var<'t, F> {
        x.avg_pool2d(self.kernel, self.stride)
    }
    fn variables(&self) -> Vec<(String, Variable<F>)> {
        Vec::new()
    }
}

/// Global average pooling: `[N, C, H, W]` to `[N, C]`, each channel's mean.
///
/// ```
/// use descent_autograd::{Tape, Tensor};
/// use descent_layers::{GlobalAvgPool2d, Module};
/// let tape = Tape::new();
/// let x = tape.watch(Tensor::<f32>::ones(&[8, 32, 7, 7]));
/// let y = GlobalAvgPool2d.forward(&x);
/// assert_eq!((y.shape().as_slice(), y.value().to_vec()[0]), (&[8, 32][..], 1.0));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct GlobalAvgPool2d;

impl<F: Float> Module<F> for GlobalAvgPool2d {
    /// # Panics
    /// When the input is not 4-D.
    #[track_caller]
    fn forward<'t>(&self, x: &Var<'t, F>) -> Var<'t, F> {
        x.global_avg_pool2d()
    }
    fn variables(&self) -> Vec<(String, Variable<F>)> {
        Vec::new()
    }
}

/// Merges the axes from `from_axis` on into one (PyTorch's `nn.Flatten`; [`Default`] is
/// axis 1, which turns `[N, C, H, W]` into `[N, C·H·W]`).
///
/// ```
/// use descent_autograd::{Tape, Tensor};
/// use descent_layers::{Flatten, Module};
/// let tape = Tape::new();
/// let y = Flatten::default().forward(&tape.watch(Tensor::<f32>::zeros(&[64, 32, 4, 4])));
/// assert_eq!(y.shape().as_slice(), &[64, 512]);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Flatten {
    from_axis: usize,
}

impl Flatten {
    /// Flattens the axes from `from_axis` on.
    pub fn new(from_axis: usize) -> Self {
        Flatten { from_axis }
    }
}

impl Default for Flatten {
    fn default() -> Self {
        Flatten::new(1)
    }
}

impl<F: Float> Module<F> for Flatten {
    /// # Panics
    /// When `from_axis` is not an axis of the input.
    #[track_caller]
    fn forward<'t>(&self, x: &Var<'t, F>) -> Var<'t, F> {
        x.flatten(self.from_axis)
    }
    fn variables(&self) -> Vec<(String, Variable<F>)> {
        Vec::new()
    }
}
