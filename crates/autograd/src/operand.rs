//! `Operand`: the operations backward rules are written in, for tensors and for vars alike.
//!
//! Each method is the op of the same name: on [`Tensor`] it computes eagerly and records
//! nothing; on [`Var`] it is recorded on the var's tape and can be differentiated again.

use crate::shape::Shape;
use crate::{Float, Tensor, Var, Window};

/// The algebra of backward rules (see [`crate::Op`]). Implemented by [`Tensor`] and [`Var`].
///
/// ```
/// use descent_autograd::{Tensor, Operand};
/// // d/dx tanh x = 1 − tanh² x, written once for any value type:
/// fn tanh_grad<F: descent_autograd::Float, V: Operand<F>>(y: &V, g: &V) -> V {
///     g.mul(&y.mul(y).mul_scalar(-F::one()).add_scalar(F::one()))
/// }
/// let y = Tensor::from_vec(vec![0.5f64], &[1]);
/// assert_eq!(tanh_grad(&y, &Tensor::ones(&[1])).to_vec(), vec![0.75]);
/// ```
pub trait Operand<F: Float>: Clone {
    /// The value as a tensor (for a var, its recorded value).
    fn tensor(&self) -> Tensor<F>;
    /// The shape.
    fn shape(&self) -> Shape;
    /// A constant of the same kind as `self` (for a var: a new leaf on the same tape).
    fn constant(&self, value: Tensor<F>) -> Self;
    /// Elementwise sum, broadcasting.
    fn add(&self, other: &Self) -> Self;
    /// Elementwise product, broadcasting.
    fn mul(&self, other: &Self) -> Self;
    /// `self + s`.
    fn add_scalar(&self, s: F) -> Self;
    /// `self * s`.
    fn mul_scalar(&self, s: F) -> Self;
    /// `self ^ p`.
    fn powf(&self, p: F) -> Self;
    /// `e ^ self`.
    fn exp(&self) -> Self;
    /// The sine of each element.
    fn sin(&self) -> Self;
    /// The cosine of each element.
    fn cos(&self) -> Self;
    /// Running sums along `axis`.
    fn cumsum(&self, axis: usize) -> Self;
    /// Sum over `axes` (all when empty).
    fn sum(&self, axes: &[usize], keepdims: bool) -> Self;
    /// `ln Σ exp` over `axes` (all when empty).
    fn logsumexp(&self, axes: &[usize], keepdims: bool) -> Self;
    /// Broadcast to a larger shape.
    fn broadcast_to(&self, shape: &[usize]) -> Self;
    /// Same elements, new shape.
    fn reshape(&self, shape: &[usize]) -> Self;
    /// Reorder the axes.
    fn permute(&self, axes: &[usize]) -> Self;
    /// Matrix product over the last two axes, batching over the others.
    fn matmul(&self, other: &Self) -> Self;
    /// Elements `start..end` along `axis`.
    fn slice(&self, axis: usize, start: usize, end: usize) -> Self;
    /// Joins `parts` along `axis`.
    fn concat(parts: &[Self], axis: usize) -> Self;
    /// Picks positions `indices` along `axis`.
    fn index_select(&self, axis: usize, indices: &Tensor<usize>) -> Self;
    /// Adds slices of `self` into a zero tensor of length `size` along `axis` at `indices`.
    fn scatter_add(&self, axis: usize, indices: &Tensor<usize>, size: usize) -> Self;
    /// Elementwise `if mask { on_true } else { on_false }`.
    fn select(mask: &Tensor<bool>, on_true: &Self, on_false: &Self) -> Self;
    /// The windows of `[N, C, H, W]` as the columns of `[N, C·kh·kw, oh·ow]` (im2col).
    fn unfold(&self, window: Window) -> Self;
    /// Columns `[N, C·kh·kw, oh·ow]` summed back onto `[N, C, H, W]` (col2im), `size` = `[H, W]`.
    fn fold(&self, size: [usize; 2], window: Window) -> Self;

    /// `self + other` for two gradients of one shape; tensors add in place when unshared.
    fn accumulate(self, other: &Self) -> Self {
        self.add(other)
    }
    /// `-self`.
    fn neg(&self) -> Self {
        self.mul_scalar(-F::one())
    }
    /// `self - other`.
    fn sub(&self, other: &Self) -> Self {
        self.add(&other.neg())
    }
    /// `self * c` for a constant tensor `c`.
    fn mul_const(&self, c: Tensor<F>) -> Self {
        self.mul(&self.constant(c))
    }
    /// Sums a broadcast gradient back down to `shape` (the adjoint of `broadcast_to`).
    fn sum_to(&self, shape: &[usize]) -> Self {
        let own = self.shape();
        if own.as_slice() == shape {
            return self.clone();
        }
        let lead = own.len() - shape.len();
        let axes: Shape = (0..own.len())
            .filter(|&i| i < lead || shape[i - lead] == 1 && own[i] != 1)
            .collect();
        self.sum(&axes, true).reshape(shape)
    }
    /// Swaps the last two axes.
    fn transpose(&self) -> Self {
        let n = self.shape().len();
        let mut axes: Shape = (0..n).collect();
        axes.swap(n - 2, n - 1);
        self.permute(&axes)
    }
}

macro_rules! forward_value {
    ($ty:ty) => {
        fn add(&self, other: &Self) -> Self {
            <$ty>::add(self, other)
        }
        fn mul(&self, other: &Self) -> Self {
            <$ty>::mul(self, other)
        }
        fn add_scalar(&self, s: F) -> Self {
            <$ty>::add_scalar(self, s)
        }
        fn mul_scalar(&self, s: F) -> Self {
            <$ty>::mul_scalar(self, s)
        }
        fn powf(&self, p: F) -> Self {
            <$ty>::powf(self, p)
        }
        fn exp(&self) -> Self {
            <$ty>::exp(self)
        }
        fn sin(&self) -> Self {
            <$ty>::sin(self)
        }
        fn cos(&self) -> Self {
            <$ty>::cos(self)
        }
        fn cumsum(&self, axis: usize) -> Self {
            <$ty>::cumsum(self, axis)
        }
        fn sum(&self, axes: &[usize], keepdims: bool) -> Self {
            <$ty>::sum(self, axes, keepdims)
        }
        fn logsumexp(&self, axes: &[usize], keepdims: bool) -> Self {
            <$ty>::logsumexp(self, axes, keepdims)
        }
        fn broadcast_to(&self, shape: &[usize]) -> Self {
            <$ty>::broadcast_to(self, shape)
        }
        fn reshape(&self, shape: &[usize]) -> Self {
            <$ty>::reshape(self, shape)
        }
        fn permute(&self, axes: &[usize]) -> Self {
            <$ty>::permute(self, axes)
        }
        fn matmul(&self, other: &Self) -> Self {
            <$ty>::matmul(self, other)
        }
        fn slice(&self, axis: usize, start: usize, end: usize) -> Self {
            <$ty>::slice(self, axis, start, end)
        }
        fn concat(parts: &[Self], axis: usize) -> Self {
            <$ty>::concat(parts, axis)
        }
        fn index_select(&self, axis: usize, indices: &Tensor<usize>) -> Self {
            <$ty>::index_select(self, axis, indices)
        }
        fn scatter_add(&self, axis: usize, indices: &Tensor<usize>, size: usize) -> Self {
            <$ty>::scatter_add(self, axis, indices, size)
        }
        fn select(mask: &Tensor<bool>, on_true: &Self, on_false: &Self) -> Self {
            <$ty>::select(mask, on_true, on_false)
        }
        fn unfold(&self, window: Window) -> Self {
            <$ty>::unfold(self, window)
        }
        fn fold(&self, size: [usize; 2], window: Window) -> Self {
            <$ty>::fold(self, size, window)
        }
        fn neg(&self) -> Self {
            <$ty>::neg(self)
        }
        fn sub(&self, other: &Self) -> Self {
            <$ty>::sub(self, other)
        }
    };
}

impl<F: Float> Operand<F> for Tensor<F> {
    fn tensor(&self) -> Tensor<F> {
        self.clone()
    }
    fn shape(&self) -> Shape {
        self.dims()
    }
    fn constant(&self, value: Tensor<F>) -> Self {
        value
    }
    fn accumulate(mut self, other: &Self) -> Self {
        self.expect_shape("accumulate", other);
        ndarray::Zip::from(self.view_mut())
            .and(other.array())
            .for_each(|a, &b| *a += b);
        self
    }
    forward_value!(Tensor<F>);
}

impl<'t, F: Float> Operand<F> for Var<'t, F> {
    fn tensor(&self) -> Tensor<F> {
        self.value()
    }
    fn shape(&self) -> Shape {
        Var::shape(self)
    }
    fn constant(&self, value: Tensor<F>) -> Self {
        self.tape().watch(value)
    }
    forward_value!(Var<'t, F>);
}
