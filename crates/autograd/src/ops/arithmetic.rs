//! Arithmetic composites: `neg`, `sub`, `div`, `square`, `sqrt`, `minimum`, `maximum`. (`pow`,
//! with a tensor exponent, is a primitive beside `powf`.)
//! Their gradients come from the primitives they are made of.

use crate::ops::broadcast_pair;
use crate::shape::broadcast_shapes;
use crate::{Float, Tensor, Var};

impl<F: Float> Tensor<F> {
    /// `-self` elementwise.
    ///
    /// ```
    /// # use descent_autograd::Tensor;
    /// assert_eq!(Tensor::from_vec(vec![1.0f32, -2.0], &[2]).neg().to_vec(), vec![-1.0, 2.0]);
    /// ```
    pub fn neg(&self) -> Self {
        self.map_pooled(|x| -x)
    }

    /// Elementwise `self - other`, broadcasting.
    ///
    /// # Panics
    /// When the shapes do not broadcast.
    #[track_caller]
    pub fn sub(&self, other: &Self) -> Self {
        self.binary("sub", other, |a, b| a - b, |a, b| a.array() - b.array())
    }
}

impl<'t, F: Float> Var<'t, F> {
    /// `-self` (also `-&x`).
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![1.0f32, -2.0], &[2]));
    /// assert_eq!((-x).value().to_vec(), vec![-1.0, 2.0]);
    /// ```
    pub fn neg(&self) -> Var<'t, F> {
        self.mul_scalar(-F::one())
    }

    /// Elementwise `self - other`, broadcasting (also `&a - &b`).
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let a = tape.watch(Tensor::from_vec(vec![5.0f32, 7.0], &[2]));
    /// assert_eq!(a.sub(&a.mul_scalar(2.0)).value().to_vec(), vec![-5.0, -7.0]);
    /// ```
    ///
    /// # Panics
    /// When the shapes do not broadcast.
    #[track_caller]
    pub fn sub(&self, other: &Var<'t, F>) -> Var<'t, F> {
        broadcast_shapes("sub", &self.shape(), &other.shape());
        self.add(&other.neg())
    }

    /// Elementwise `self / other`, broadcasting (also `&a / &b`). `x / 0` is ±inf and `0 / 0`
    /// is NaN, as in IEEE arithmetic.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let a = tape.watch(Tensor::from_vec(vec![1.0f64, 6.0], &[2]));
    /// let b = tape.watch(Tensor::scalar(2.0));
    /// assert_eq!(a.div(&b).value().to_vec(), vec![0.5, 3.0]);
    /// ```
    ///
    /// # Panics
    /// When the shapes do not broadcast.
    #[track_caller]
    pub fn div(&self, other: &Var<'t, F>) -> Var<'t, F> {
        broadcast_shapes("div", &self.shape(), &other.shape());
        self.mul(&other.powf(-F::one()))
    }

    /// `self²` elementwise.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![-3.0f32, 2.0], &[2]));
    /// assert_eq!(x.square().value().to_vec(), vec![9.0, 4.0]);
    /// ```
    pub fn square(&self) -> Var<'t, F> {
        self.mul(self)
    }

    /// `√self` elementwise. `sqrt 0 = 0` with gradient `+inf`; negative inputs give NaN.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.watch(Tensor::from_vec(vec![4.0f32, 9.0], &[2]));
    /// assert_eq!(x.sqrt().value().to_vec(), vec![2.0, 3.0]);
    /// ```
    pub fn sqrt(&self) -> Var<'t, F> {
        self.powf(F::cast(0.5))
    }

    /// The elementwise smaller of two values, broadcasting; at ties the gradient goes to `other`.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let a = tape.watch(Tensor::from_vec(vec![1.0f32, 5.0], &[2]));
    /// let b = tape.watch(Tensor::scalar(3.0f32));
    /// assert_eq!(a.minimum(&b).value().to_vec(), vec![1.0, 3.0]);
    /// ```
    ///
    /// # Panics
    /// When the shapes do not broadcast.
    #[track_caller]
    pub fn minimum(&self, other: &Var<'t, F>) -> Var<'t, F> {
        let (a, b) = broadcast_pair("minimum", self, other);
        let mask = a.value().zip_mask(&b.value(), |x, y| x < y);
        Var::select(&mask, &a, &b)
    }

    /// The elementwise larger of two values, broadcasting; at ties the gradient goes to `other`.
    ///
    /// ```
    /// # use descent_autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let a = tape.watch(Tensor::from_vec(vec![1.0f32, 5.0], &[2]));
    /// let b = tape.watch(Tensor::scalar(3.0f32));
    /// assert_eq!(a.maximum(&b).value().to_vec(), vec![3.0, 5.0]);
    /// ```
    ///
    /// # Panics
    /// When the shapes do not broadcast.
    #[track_caller]
    pub fn maximum(&self, other: &Var<'t, F>) -> Var<'t, F> {
        let (a, b) = broadcast_pair("maximum", self, other);
        let mask = a.value().zip_mask(&b.value(), |x, y| x > y);
        Var::select(&mask, &a, &b)
    }
}
