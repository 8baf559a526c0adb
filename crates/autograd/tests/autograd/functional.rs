//! The higher-order helpers agree with each other and with central differences: the Jacobian's
//! rows are vector-Jacobian products and its columns Jacobian-vector products, the Hessian is
//! symmetric and its product with `v` is `hvp`, and both match finite differences.

use descent_autograd::{Tensor, Var, check, functional};
use rand::{SeedableRng, rngs::StdRng};

/// A vector function of a `[2, 3]` input with every kind of coupling: `softmax(tanh(x) ⊙ x)`.
fn vector<'t>(x: &Var<'t, f64>) -> Var<'t, f64> {
    x.tanh().mul(x).softmax(-1).mul(&x.sin())
}

/// A scalar function: `Σ gelu(x) · cumsum(x)`.
fn scalar<'t>(x: &Var<'t, f64>) -> Var<'t, f64> {
    x.gelu().mul(&x.cumsum(1)).sum(&[], false)
}

fn random(shape: &[usize], seed: u64) -> Tensor<f64> {
    Tensor::uniform(shape, -1.5, 1.5, &mut StdRng::seed_from_u64(seed))
}

fn close(a: &[f64], b: &[f64], tolerance: f64) {
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= tolerance * (1.0 + y.abs()),
            "element {i}: {x} vs {y}"
        );
    }
}

fn unit(i: usize, shape: &[usize]) -> Tensor<f64> {
    let mut values = vec![0.0; shape.iter().product()];
    values[i] = 1.0;
    Tensor::from_vec(values, shape)
}

#[test]
fn jacobian_rows_are_vjps_and_columns_are_jvps() {
    let x = random(&[2, 3], 1);
    let j = functional::jacobian(vector, &x);
    assert_eq!(j.shape(), &[2, 3, 2, 3]);
    let j = j.reshape(&[6, 6]);
    for i in 0..6 {
        let (_, row) = functional::vjp(vector, &x, &unit(i, &[2, 3]));
        close(&row.to_vec(), &j.slice(0, i, i + 1).to_vec(), 1e-12);
        let (_, column) = functional::jvp(vector, &x, &unit(i, &[2, 3]));
        close(&column.to_vec(), &j.slice(1, i, i + 1).to_vec(), 1e-12);
        // Row i against central differences of output element i.
        let numeric = check::numerical_gradient(
            |v| {
                vector(&v[0])
                    .mul(&v[0].tape().watch(unit(i, &[2, 3])))
                    .sum(&[], false)
            },
            std::slice::from_ref(&x),
        );
        close(&row.to_vec(), &numeric[0].to_vec(), 1e-7);
    }
}

#[test]
fn hessian_is_symmetric_and_its_products_are_hvps() {
    let x = random(&[2, 3], 2);
    let h = functional::hessian(scalar, &x).reshape(&[6, 6]);
    let transposed = h.transpose().to_vec();
    close(&h.to_vec(), &transposed, 1e-12);
    let v = random(&[2, 3], 3);
    let (y, hv) = functional::hvp(scalar, &x, &v);
    let expected = h.matmul(&v.reshape(&[6, 1])).to_vec();
    close(&hv.to_vec(), &expected, 1e-12);
    // The value is f(x), and H v matches central differences of ∇f · v.
    assert!(
        (y.item() - scalar(&descent_autograd::Tape::new().watch(x.clone())).item()).abs() == 0.0
    );
    let numeric = check::numerical_gradient(
        |vars| {
            let tape = vars[0].tape();
            let g = tape.gradient_vars(&scalar(&vars[0]), &[vars[0]]).remove(0);
            g.mul(&tape.watch(v.clone())).sum(&[], false)
        },
        std::slice::from_ref(&x),
    );
    close(&hv.to_vec(), &numeric[0].to_vec(), 1e-7);
}

#[test]
#[should_panic(expected = "hvp: x and v: shapes differ: [2, 3] and [3]")]
fn hvp_direction_of_another_shape_panics() {
    functional::hvp(scalar, &random(&[2, 3], 4), &random(&[3], 5));
}
