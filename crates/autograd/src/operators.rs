//! Operator overloading for vars: `&a + &b`, `a * 2.0`, `2.0 * &a`, `-&a`, on values and
//! references alike. Each operator is the method of the same name.

use crate::{Float, Var};
use std::ops::{Add, Div, Mul, Neg, Sub};

macro_rules! binary {
    ($trait:ident, $method:ident) => {
        impl<'t, F: Float> $trait<&Var<'t, F>> for &Var<'t, F> {
            type Output = Var<'t, F>;
            #[track_caller]
            fn $method(self, other: &Var<'t, F>) -> Var<'t, F> {
                Var::$method(self, other)
            }
        }
        impl<'t, F: Float> $trait<Var<'t, F>> for Var<'t, F> {
            type Output = Var<'t, F>;
            #[track_caller]
            fn $method(self, other: Var<'t, F>) -> Var<'t, F> {
                Var::$method(&self, &other)
            }
        }
    };
}

binary!(Add, add);
binary!(Sub, sub);
binary!(Mul, mul);
binary!(Div, div);

macro_rules! scalar {
    ($trait:ident, $method:ident, |$v:ident, $s:ident| $body:expr) => {
        impl<'t, F: Float> $trait<F> for &Var<'t, F> {
            type Output = Var<'t, F>;
            fn $method(self, $s: F) -> Var<'t, F> {
                let $v = self;
                $body
            }
        }
        impl<'t, F: Float> $trait<F> for Var<'t, F> {
            type Output = Var<'t, F>;
            fn $method(self, $s: F) -> Var<'t, F> {
                let $v = &self;
                $body
            }
        }
    };
}

scalar!(Add, add, |v, s| v.add_scalar(s));
scalar!(Sub, sub, |v, s| v.add_scalar(-s));
scalar!(Mul, mul, |v, s| v.mul_scalar(s));
scalar!(Div, div, |v, s| v.mul_scalar(F::one() / s));

impl<'t, F: Float> Neg for &Var<'t, F> {
    type Output = Var<'t, F>;
    fn neg(self) -> Var<'t, F> {
        Var::neg(self)
    }
}

impl<'t, F: Float> Neg for Var<'t, F> {
    type Output = Var<'t, F>;
    fn neg(self) -> Var<'t, F> {
        Var::neg(&self)
    }
}

macro_rules! scalar_on_left {
    ($f:ty) => {
        impl<'t> Mul<&Var<'t, $f>> for $f {
            type Output = Var<'t, $f>;
            fn mul(self, v: &Var<'t, $f>) -> Var<'t, $f> {
                v.mul_scalar(self)
            }
        }
        impl<'t> Mul<Var<'t, $f>> for $f {
            type Output = Var<'t, $f>;
            fn mul(self, v: Var<'t, $f>) -> Var<'t, $f> {
                v.mul_scalar(self)
            }
        }
        impl<'t> Add<&Var<'t, $f>> for $f {
            type Output = Var<'t, $f>;
            fn add(self, v: &Var<'t, $f>) -> Var<'t, $f> {
                v.add_scalar(self)
            }
        }
        impl<'t> Add<Var<'t, $f>> for $f {
            type Output = Var<'t, $f>;
            fn add(self, v: Var<'t, $f>) -> Var<'t, $f> {
                v.add_scalar(self)
            }
        }
    };
}

scalar_on_left!(f32);
scalar_on_left!(f64);

#[cfg(test)]
mod tests {
    use crate::{Tape, Tensor};

    #[test]
    #[allow(clippy::op_ref)] // the reference forms are what this test is about
    fn operators_match_methods() {
        let tape = Tape::new();
        let a = tape.watch(Tensor::from_vec(vec![1.0f64, 2.0], &[2]));
        let b = tape.watch(Tensor::from_vec(vec![4.0f64, 8.0], &[2]));
        assert_eq!((&a + &b).value().to_vec(), vec![5.0, 10.0]);
        assert_eq!((a - b).value().to_vec(), vec![-3.0, -6.0]);
        assert_eq!((&a * &b).value().to_vec(), vec![4.0, 16.0]);
        assert_eq!((&b / &a).value().to_vec(), vec![4.0, 4.0]);
        assert_eq!((-&a).value().to_vec(), vec![-1.0, -2.0]);
        assert_eq!((2.0 * &a + 1.0).value().to_vec(), vec![3.0, 5.0]);
        assert_eq!((&a / 2.0 - 1.0).value().to_vec(), vec![-0.5, 0.0]);
    }
}
