//! `Tensor<T>`: an n-dimensional array with shared storage, so a clone is cheap.

use crate::Float;
use crate::shape::{Shape, mismatch};
use ndarray::{ArcArray, Array, ArrayD, ArrayViewD, Dimension, IxDyn};
use rand::Rng;
use std::fmt;

/// An n-dimensional array of `T` (usually `f32` or `f64`; `bool` for masks, `usize` for labels).
///
/// Storage is shared (`ndarray::ArcArray`): cloning a tensor copies a pointer, not the data, and
/// transposes and slices are strided views of the same storage.
///
/// ```
/// use descent_autograd::Tensor;
/// let t = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
/// assert_eq!(t.shape(), &[2, 3]);
/// assert_eq!(t.get(&[1, 0]), Some(4.0));
/// assert_eq!(t.to_string(), "Tensor[2, 3]\n[[1, 2, 3],\n [4, 5, 6]]");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Tensor<T> {
    data: ArcArray<T, IxDyn>,
}

impl<T> Tensor<T> {
    /// The dimensions.
    pub fn shape(&self) -> &[usize] {
        self.data.shape()
    }

    /// The number of dimensions (0 for a scalar).
    pub fn ndim(&self) -> usize {
        self.data.ndim()
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True when the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// A read-only ndarray view of the data.
    pub fn view(&self) -> ArrayViewD<'_, T> {
        self.data.view()
    }

    /// The shared ndarray behind this tensor (cheap: a pointer copy).
    pub fn array(&self) -> &ArcArray<T, IxDyn> {
        &self.data
    }

    /// The shape as an inline vector.
    pub(crate) fn dims(&self) -> Shape {
        self.shape().iter().copied().collect()
    }

    /// Applies `f` to every element (a new tensor of the same shape).
    pub fn map<U: Clone>(&self, mut f: impl FnMut(&T) -> U) -> Tensor<U> {
        match self.data.as_slice() {
            Some(values) => {
                let values = values.iter().map(f).collect();
                Array::from_shape_vec(self.data.raw_dim(), values)
                    .expect("same length")
                    .into()
            }
            None => self.data.map(&mut f).into(),
        }
    }

    /// Panics with the op's name unless `other` has the same shape.
    #[track_caller]
    pub(crate) fn expect_shape<U>(&self, op: &str, other: &Tensor<U>) {
        if self.shape() != other.shape() {
            mismatch(op, "shapes differ:", self.shape(), other.shape());
        }
    }
}

impl<T: Clone> Tensor<T> {
    /// A tensor holding `values` in row-major order.
    ///
    /// # Panics
    /// When `values.len()` is not the product of `shape`.
    #[track_caller]
    pub fn from_vec(values: Vec<T>, shape: &[usize]) -> Self {
        let len = values.len();
        match Array::from_shape_vec(IxDyn(shape), values) {
            Ok(array) => array.into(),
            Err(_) => panic!("Tensor::from_vec: {len} values cannot fill shape {shape:?}"),
        }
    }

    /// A tensor of `shape` with every element `value`.
    ///
    /// ```
    /// # use descent_autograd::Tensor;
    /// assert_eq!(Tensor::full(&[2], 7u8).to_vec(), vec![7, 7]);
    /// ```
    pub fn full(shape: &[usize], value: T) -> Self {
        Array::from_elem(IxDyn(shape), value).into()
    }

    /// The element at `index`, or `None` when the index is out of bounds.
    pub fn get(&self, index: &[usize]) -> Option<T> {
        self.data.get(IxDyn(index)).cloned()
    }

    /// The elements in row-major (logical) order.
    pub fn to_vec(&self) -> Vec<T> {
        self.data.iter().cloned().collect()
    }

    /// A mutable view of the data; the storage is copied first only if it is shared.
    ///
    /// ```
    /// # use descent_autograd::Tensor;
    /// let mut t = Tensor::<f32>::zeros(&[2]);
    /// t.view_mut()[[1]] = 5.0;
    /// assert_eq!(t.to_vec(), vec![0.0, 5.0]);
    /// ```
    pub fn view_mut(&mut self) -> ndarray::ArrayViewMutD<'_, T> {
        self.data.view_mut()
    }

    /// Converts into an owned ndarray array, copying only if the storage is shared.
    pub fn into_array(self) -> ArrayD<T> {
        self.data.into_owned()
    }

    /// The same tensor in standard (row-major, contiguous) layout, copied only if it is not.
    pub(crate) fn into_standard_layout(self) -> Self
    where
        T: Clone,
    {
        if self.data.is_standard_layout() {
            return self;
        }
        let data = self.data.as_standard_layout().into_owned().into_shared();
        Tensor { data }
    }
}

impl<F: Float> Tensor<F> {
    /// A tensor of `shape` on storage from this thread's spares (see `pool`), its elements
    /// set by `fill`, which must write every one (they start unspecified). `fill` runs
    /// [`crate::vectorized`].
    pub(crate) fn pooled(shape: &[usize], fill: impl FnOnce(&mut [F])) -> Self {
        let storage = crate::pool::storage(shape.iter().product());
        // A spare usually comes back for a tensor of the shape it had: then there is nothing
        // to reshape (reshaping builds the dimensions and strides anew).
        let mut data = if storage.shape() == shape {
            storage
        } else {
            storage
                .into_shape_with_order(IxDyn(shape))
                .expect("spare storage is in standard order and of the shape's length")
        };
        let values = data.as_slice_mut().expect("standard order");
        crate::vectorized(|| fill(values));
        Tensor { data }
    }

    /// The shared array itself (for the pool to take back).
    pub(crate) fn into_shared(self) -> ArcArray<F, IxDyn> {
        self.data
    }

    /// `f` of each element, on a pooled buffer (`map` for the float ops of a training step).
    pub(crate) fn map_pooled(&self, f: impl Fn(F) -> F + Sync) -> Self {
        match self.data.as_slice() {
            Some(values) => Self::pooled(self.shape(), |out| {
                crate::parallel::halves(out, |out, start| {
                    let values = &values[start..];
                    out.iter_mut().zip(values).for_each(|(o, &x)| *o = f(x))
                })
            }),
            None => self.map(|&x| f(x)),
        }
    }
}

impl<F: Float> Tensor<F> {
    /// A 0-dimensional tensor holding `value`.
    ///
    /// ```
    /// # use descent_autograd::Tensor;
    /// assert_eq!(Tensor::scalar(2.5f32).item(), 2.5);
    /// ```
    pub fn scalar(value: F) -> Self {
        Self::full(&[], value)
    }

    /// A tensor of zeros.
    pub fn zeros(shape: &[usize]) -> Self {
        Self::full(shape, F::zero())
    }

    /// A tensor of ones.
    pub fn ones(shape: &[usize]) -> Self {
        Self::full(shape, F::one())
    }

    /// `[start, start + step, …]` up to but excluding `end`, as a 1-D tensor.
    ///
    /// ```
    /// # use descent_autograd::Tensor;
    /// assert_eq!(Tensor::arange(0.0, 1.0, 0.25).to_vec(), vec![0.0, 0.25, 0.5, 0.75]);
    /// ```
    pub fn arange(start: F, end: F, step: F) -> Self {
        Array::range(start, end, step).into()
    }

    /// `n` evenly spaced values from `start` to `end` inclusive, as a 1-D tensor.
    ///
    /// ```
    /// # use descent_autograd::Tensor;
    /// assert_eq!(Tensor::linspace(0.0, 1.0, 3).to_vec(), vec![0.0, 0.5, 1.0]);
    /// ```
    pub fn linspace(start: F, end: F, n: usize) -> Self {
        Array::linspace(start, end, n).into()
    }

    /// Independent draws from the uniform distribution on `[low, high)`.
    ///
    /// ```
    /// use descent_autograd::Tensor;
    /// use rand::{SeedableRng, rngs::StdRng};
    /// let t = Tensor::<f64>::uniform(&[100], -1.0, 1.0, &mut StdRng::seed_from_u64(0));
    /// assert!(t.to_vec().iter().all(|x| (-1.0..1.0).contains(x)));
    /// ```
    pub fn uniform<R: Rng + ?Sized>(shape: &[usize], low: F, high: F, rng: &mut R) -> Self {
        Array::from_shape_simple_fn(IxDyn(shape), || F::sample_uniform(rng, low, high)).into()
    }

    /// Independent draws from the normal distribution N(mean, std²).
    ///
    /// ```
    /// use descent_autograd::Tensor;
    /// use rand::{SeedableRng, rngs::StdRng};
    /// let t = Tensor::<f64>::normal(&[10_000], 3.0, 0.5, &mut StdRng::seed_from_u64(0));
    /// let mean = t.to_vec().iter().sum::<f64>() / 10_000.0;
    /// assert!((mean - 3.0).abs() < 0.02);
    /// ```
    pub fn normal<R: Rng + ?Sized>(shape: &[usize], mean: F, std: F, rng: &mut R) -> Self {
        Array::from_shape_simple_fn(IxDyn(shape), || mean + std * F::sample_normal(rng)).into()
    }

    /// The single element of a one-element tensor (a loss, say).
    ///
    /// # Panics
    /// When the tensor does not have exactly one element.
    #[track_caller]
    pub fn item(&self) -> F {
        match self.data.len() {
            1 => *self.data.iter().next().expect("one element"),
            _ => panic!(
                "item: tensor of shape {:?} is not a single value",
                self.shape()
            ),
        }
    }

    /// Elementwise binary map of two tensors of one shape (the kernel of binary primitives);
    /// contiguous operands take a plain slice loop.
    #[track_caller]
    pub(crate) fn zip_map(&self, op: &str, other: &Self, f: impl Fn(F, F) -> F + Sync) -> Self {
        self.expect_shape(op, other);
        if let (Some(a), Some(b)) = (self.data.as_slice(), other.data.as_slice()) {
            return Self::pooled(self.shape(), |out| {
                crate::parallel::halves(out, |out, start| {
                    for ((o, &a), &b) in out.iter_mut().zip(&a[start..]).zip(&b[start..]) {
                        *o = f(a, b);
                    }
                })
            });
        }
        ndarray::Zip::from(&self.data)
            .and(&other.data)
            .map_collect(|&a, &b| f(a, b))
            .into()
    }

    /// `zip_map` when the shapes are equal, else ndarray's broadcasting `fallback`.
    #[track_caller]
    pub(crate) fn binary(
        &self,
        op: &str,
        other: &Self,
        f: impl Fn(F, F) -> F + Sync,
        fallback: impl Fn(&Self, &Self) -> ArrayD<F>,
    ) -> Self {
        if self.shape() == other.shape() {
            return self.zip_map(op, other, f);
        }
        crate::shape::broadcast_shapes(op, self.shape(), other.shape());
        fallback(self, other).into()
    }
}

impl<T: Clone, D: Dimension> From<Array<T, D>> for Tensor<T> {
    /// Wraps an ndarray array without copying.
    fn from(array: Array<T, D>) -> Self {
        Tensor {
            data: array.into_dyn().into_shared(),
        }
    }
}

impl<T, D: Dimension> From<ArcArray<T, D>> for Tensor<T> {
    /// Wraps a shared ndarray array without copying.
    fn from(array: ArcArray<T, D>) -> Self {
        Tensor {
            data: array.into_dyn(),
        }
    }
}

impl<T: fmt::Display> fmt::Display for Tensor<T> {
    /// `Tensor[shape]` on one line, then the values.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tensor{:?}\n{}", self.data.shape(), self.data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_storage() {
        let a = Tensor::<f32>::zeros(&[1000]);
        let b = a.clone();
        assert_eq!(a.array().as_ptr(), b.array().as_ptr());
    }

    #[test]
    fn converts_from_ndarray_without_copy() {
        let array = ndarray::Array2::<f64>::ones((3, 4));
        let ptr = array.as_ptr();
        let t = Tensor::from(array);
        assert_eq!(t.array().as_ptr(), ptr);
        assert_eq!(t.into_array().as_ptr(), ptr);
    }

    #[test]
    #[should_panic(expected = "Tensor::from_vec: 5 values cannot fill shape [2, 3]")]
    fn from_vec_names_the_mismatch() {
        Tensor::from_vec(vec![0.0f32; 5], &[2, 3]);
    }

    #[test]
    fn random_tensors_are_seeded() {
        use rand::{SeedableRng, rngs::StdRng};
        let a = Tensor::<f32>::normal(&[4], 0.0, 1.0, &mut StdRng::seed_from_u64(7));
        let b = Tensor::<f32>::normal(&[4], 0.0, 1.0, &mut StdRng::seed_from_u64(7));
        assert_eq!(a, b);
    }
}
