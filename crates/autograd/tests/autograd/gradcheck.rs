//! The gradient-check table: every differentiable `Var` op against central differences, in f64
//! (first and second order) and f32. `every_var_op_has_a_row` parses the op sources and this
//! table (see `gradcheck/coverage.rs`), so an op cannot be added without a row here that calls it.

use descent_autograd::{Float, Reduction, Tensor, Var, Window, check};
use rand::{SeedableRng, rngs::StdRng};

mod coverage;

/// Where a row's inputs are drawn from: away from kinks and poles.
#[derive(Clone, Copy)]
enum Domain {
    /// Uniform in [-2, 2].
    Any,
    /// ±[0.2, 2]: no values near zero (relu, abs, leaky_relu, elu kinks).
    NonZero,
    /// [0.5, 2]: for ln, sqrt, pow bases, divisors.
    Positive,
}

type OpFn<F> = Box<dyn for<'t> Fn(&[Var<'t, F>]) -> Var<'t, F>>;

struct Row<F: Float> {
    name: &'static str,
    shapes: Vec<Vec<usize>>,
    domain: Domain,
    f: OpFn<F>,
}

fn row<F: Float>(
    name: &'static str,
    shapes: &[&[usize]],
    domain: Domain,
    f: impl for<'t> Fn(&[Var<'t, F>]) -> Var<'t, F> + 'static,
) -> Row<F> {
    Row {
        name,
        shapes: shapes.iter().map(|s| s.to_vec()).collect(),
        domain,
        f: Box::new(f),
    }
}

fn ids(values: &[usize]) -> Tensor<usize> {
    Tensor::from_vec(values.to_vec(), &[values.len()])
}

/// Integer labels of the given shape.
fn labels(values: &[usize], shape: &[usize]) -> Tensor<usize> {
    Tensor::from_vec(values.to_vec(), shape)
}

/// A constant zero target of `v`'s shape.
fn zeros_like<'t, F: Float>(v: &Var<'t, F>) -> Var<'t, F> {
    v.tape().watch(Tensor::zeros(&v.shape()))
}

fn table<F: Float>() -> Vec<Row<F>> {
    use Domain::*;
    use Reduction::{Mean, Sum};
    let c = F::cast;
    vec![
        // Elementwise, unary.
        row("exp", &[&[2, 3]], Any, |v| v[0].exp()),
        row("ln", &[&[2, 3]], Positive, |v| v[0].ln()),
        row("ln_1p", &[&[2, 3]], Positive, |v| v[0].ln_1p()),
        row("tanh", &[&[2, 3]], Any, |v| v[0].tanh()),
        row("sigmoid", &[&[2, 3]], Any, |v| v[0].sigmoid()),
        row("relu", &[&[2, 3]], NonZero, |v| v[0].relu()),
        row("abs", &[&[2, 3]], NonZero, |v| v[0].abs()),
        row("clamp", &[&[2, 3]], NonZero, move |v| {
            v[0].clamp(c(-1.0), c(1.0))
        }),
        row("powf", &[&[2, 3]], Any, move |v| v[0].powf(c(3.0))),
        row("powf", &[&[2, 3]], Positive, move |v| v[0].powf(c(-1.5))),
        row("sqrt", &[&[2, 3]], Positive, |v| v[0].sqrt()),
        row("square", &[&[2, 3]], Any, |v| v[0].square()),
        row("neg", &[&[2, 3]], Any, |v| v[0].neg()),
        row("add_scalar", &[&[2, 3]], Any, move |v| {
            v[0].add_scalar(c(1.5))
        }),
        row("mul_scalar", &[&[2, 3]], Any, move |v| {
            v[0].mul_scalar(c(-2.5))
        }),
        row("leaky_relu", &[&[2, 3]], NonZero, move |v| {
            v[0].leaky_relu(c(0.1))
        }),
        row("elu", &[&[2, 3]], NonZero, move |v| v[0].elu(c(1.0))),
        row("softplus", &[&[2, 3]], Any, |v| v[0].softplus()),
        row("gelu", &[&[2, 3]], Any, |v| v[0].gelu()),
        row("gelu_tanh", &[&[2, 3]], Any, |v| v[0].gelu_tanh()),
        row("silu", &[&[2, 3]], Any, |v| v[0].silu()),
        row("mish", &[&[2, 3]], Any, |v| v[0].mish()),
        row("selu", &[&[2, 3]], NonZero, |v| v[0].selu()),
        row("softsign", &[&[2, 3]], NonZero, |v| v[0].softsign()),
        row("log_sigmoid", &[&[2, 3]], Any, |v| v[0].log_sigmoid()),
        row("sin", &[&[2, 3]], Any, |v| v[0].sin()),
        row("cos", &[&[2, 3]], Any, |v| v[0].cos()),
        row("erf", &[&[2, 3]], Any, |v| v[0].erf()),
        // Elementwise, binary (same shape and broadcasting).
        row("add", &[&[2, 3], &[2, 3]], Any, |v| v[0].add(&v[1])),
        row("add", &[&[2, 3], &[3]], Any, |v| v[0].add(&v[1])),
        row("add", &[&[2, 1], &[1, 3]], Any, |v| v[0].add(&v[1])),
        row("sub", &[&[2, 3], &[2, 1]], Any, |v| v[0].sub(&v[1])),
        row("mul", &[&[2, 3], &[2, 3]], Any, |v| v[0].mul(&v[1])),
        row("mul", &[&[4, 2, 3], &[2, 1]], Any, |v| v[0].mul(&v[1])),
        row("div", &[&[2, 3], &[3]], Positive, |v| v[0].div(&v[1])),
        row("pow", &[&[2, 3], &[2, 3]], Positive, |v| v[0].pow(&v[1])),
        row("pow", &[&[2, 3], &[]], Positive, |v| v[0].pow(&v[1])),
        row("minimum", &[&[2, 3], &[3]], NonZero, |v| {
            v[0].minimum(&v[1])
        }),
        row("maximum", &[&[2, 3], &[2, 3]], NonZero, |v| {
            v[0].maximum(&v[1])
        }),
        row("select", &[&[2, 3], &[3]], Any, |v| {
            let mask = Tensor::from_vec(vec![true, false, true, false, false, true], &[2, 3]);
            Var::select(&mask, &v[0], &v[1])
        }),
        // Reductions.
        row("sum", &[&[2, 3]], Any, |v| v[0].sum(&[], false)),
        row("sum", &[&[2, 3, 2]], Any, |v| v[0].sum(&[1], true)),
        row("sum", &[&[2, 3, 2]], Any, |v| v[0].sum(&[0, 2], false)),
        row("mean", &[&[2, 3]], Any, |v| v[0].mean(&[1], false)),
        row("max", &[&[3, 4]], Any, |v| v[0].max(&[1], false)),
        row("max", &[&[3, 4]], Any, |v| v[0].max(&[], true)),
        row("min", &[&[3, 4]], Any, |v| v[0].min(&[0], true)),
        row("mean", &[&[2, 3, 2]], Any, |v| v[0].mean((-1, 0), true)),
        row("variance", &[&[3, 4]], Any, |v| v[0].variance(&[1], false)),
        row("variance_with", &[&[3, 4]], Any, |v| {
            v[0].variance_with(-1, true, 1)
        }),
        row("std", &[&[3, 4]], Any, |v| v[0].std(-1, false)),
        row("std", &[&[2, 3, 2]], Any, |v| v[0].std(&[], false)),
        row("std_with", &[&[3, 4]], Any, |v| v[0].std_with(0, true, 0)),
        row("prod", &[&[3, 5]], Any, |v| v[0].prod(-1, false)),
        row("prod", &[&[2, 3, 2]], Any, |v| v[0].prod(&[0, 2], true)),
        row("cumsum", &[&[3, 4]], Any, |v| v[0].cumsum(-1)),
        row("cumsum", &[&[3, 4, 2]], Any, |v| v[0].cumsum(1)),
        row("norm", &[&[3, 4]], Any, |v| v[0].norm(-1, true)),
        row("norm", &[&[2, 3]], Any, |v| v[0].norm(&[], false)),
        row("logsumexp", &[&[3, 4]], Any, |v| v[0].logsumexp(&[1], true)),
        row("logsumexp", &[&[3, 4]], Any, |v| v[0].logsumexp(&[], false)),
        // Products and shapes.
        row("matmul", &[&[3, 4], &[4, 2]], Any, |v| v[0].matmul(&v[1])),
        row("matmul", &[&[2, 3, 4], &[4, 5]], Any, |v| {
            v[0].matmul(&v[1])
        }),
        row("matmul", &[&[2, 1, 3, 4], &[3, 4, 2]], Any, |v| {
            v[0].matmul(&v[1])
        }),
        row("linear", &[&[3, 4], &[4, 2], &[2]], Any, |v| {
            v[0].linear(&v[1], &v[2])
        }),
        row("transpose", &[&[2, 3]], Any, |v| {
            v[0].transpose().matmul(&v[0])
        }),
        row("permute", &[&[2, 3, 4]], Any, |v| v[0].permute(&[2, 0, 1])),
        row("reshape", &[&[2, 3]], Any, |v| {
            v[0].reshape(&[3, 2]).matmul(&v[0])
        }),
        row("broadcast_to", &[&[3, 1]], Any, |v| {
            v[0].broadcast_to(&[2, 3, 4])
        }),
        row("slice", &[&[4, 3]], Any, |v| v[0].slice(0, 1, 3)),
        row("slice", &[&[4, 3]], Any, |v| v[0].slice(-1, 1, 2)),
        row("concat", &[&[2, 3], &[1, 3]], Any, |v| {
            Var::concat(&[v[0], v[1]], 0)
        }),
        row("stack", &[&[2, 3], &[2, 3]], Any, |v| {
            Var::stack(&[v[0], v[1]], 1)
        }),
        row("index_select", &[&[4, 3]], Any, |v| {
            v[0].index_select(0, &ids(&[2, 0, 2]))
        }),
        row("scatter_add", &[&[3, 2]], Any, |v| {
            v[0].scatter_add(0, &ids(&[1, 3, 1]), 4)
        }),
        // Convolutions and pooling: batch and channels > 1, stride 2, padding, dilation,
        // non-square kernels, a kernel equal to the input.
        row("unfold", &[&[2, 3, 5, 4]], Any, |v| {
            v[0].unfold(Window::new([3, 2]).stride([2, 1]).padding([1, 0]))
        }),
        row("fold", &[&[2, 6, 6]], Any, |v| {
            v[0].fold([4, 5], Window::new([2, 1]).stride([2, 2]).dilation([1, 2]))
        }),
        row("conv2d", &[&[2, 3, 5, 5], &[4, 3, 3, 3], &[4]], Any, |v| {
            v[0].conv2d(&v[1], Some(&v[2]), [1, 1], [0, 0], [1, 1])
        }),
        row("conv2d", &[&[2, 2, 6, 5], &[3, 2, 3, 2]], Any, |v| {
            v[0].conv2d(&v[1], None, [2, 1], [1, 2], [1, 2])
        }),
        row("conv2d", &[&[3, 2, 4, 3], &[2, 2, 4, 3], &[2]], Any, |v| {
            v[0].conv2d(&v[1], Some(&v[2]), [1, 1], [0, 0], [1, 1])
        }),
        row("conv2d", &[&[2, 2, 5, 5], &[2, 2, 3, 3], &[2]], Any, |v| {
            v[0].conv2d(&v[1], Some(&v[2]), [2, 2], [1, 1], [2, 2])
        }),
        row("conv1d", &[&[2, 3, 7], &[2, 3, 3], &[2]], Any, |v| {
            v[0].conv1d(&v[1], Some(&v[2]), 2, 1, 2)
        }),
        row("max_pool2d", &[&[2, 3, 4, 6]], Any, |v| {
            v[0].max_pool2d([2, 3], [2, 3])
        }),
        row("max_pool2d", &[&[2, 2, 5, 5]], Any, |v| {
            v[0].max_pool2d([3, 3], [2, 2])
        }),
        row("avg_pool2d", &[&[2, 3, 5, 4]], Any, |v| {
            v[0].avg_pool2d([3, 2], [2, 2])
        }),
        row("avg_pool2d", &[&[2, 2, 3, 3]], Any, |v| {
            v[0].avg_pool2d([3, 3], [1, 1])
        }),
        row("global_avg_pool2d", &[&[2, 3, 4, 5]], Any, |v| {
            v[0].global_avg_pool2d()
        }),
        row("flatten", &[&[2, 3, 2, 2]], Any, |v| {
            v[0].flatten(1).matmul(&v[0].flatten(2).reshape(&[12, 2]))
        }),
        row("pad", &[&[2, 3, 3]], Any, move |v| {
            v[0].pad(&[[1, 0], [2, 1]], c(0.5)).square()
        }),
        // Softmax and losses.
        row("softmax", &[&[3, 4]], Any, |v| v[0].softmax(1)),
        row("softmax", &[&[2, 3, 4]], Any, |v| v[0].softmax(-1)),
        row("log_softmax", &[&[3, 4]], Any, |v| v[0].log_softmax(0)),
        row("cross_entropy", &[&[3, 4]], Any, |v| {
            v[0].cross_entropy(&ids(&[1, 0, 3]))
        }),
        row("cross_entropy", &[&[2, 3, 2]], Any, |v| {
            v[0].cross_entropy(&labels(&[0, 2, 1, 1], &[2, 2]))
        }),
        row("cross_entropy_with", &[&[3, 4]], Any, move |v| {
            v[0].cross_entropy_with(&ids(&[1, 0, 3]), c(0.1), Sum)
        }),
        row("cross_entropy_with", &[&[2, 3, 2, 2]], Any, move |v| {
            let labels = labels(&[0, 2, 1, 1, 2, 2, 0, 1], &[2, 2, 2]);
            v[0].cross_entropy_with(&labels, c(0.2), Reduction::None)
        }),
        row("cross_entropy_with", &[&[3, 4]], Any, move |v| {
            v[0].cross_entropy_with(&ids(&[1, 0, 3]), c(0.0), Mean)
        }),
        row("nll_loss", &[&[3, 4]], Any, |v| {
            v[0].log_softmax(1).nll_loss(&ids(&[1, 0, 3]))
        }),
        row("nll_loss_with", &[&[2, 3, 2]], Any, |v| {
            v[0].nll_loss_with(&labels(&[0, 2, 1, 1], &[2, 2]), Sum)
        }),
        row("mse", &[&[2, 3], &[2, 3]], Any, |v| v[0].mse(&v[1])),
        row("mse_with", &[&[2, 3], &[2, 3]], Any, |v| {
            v[0].mse_with(&v[1], Reduction::None)
        }),
        row("l1", &[&[2, 3]], NonZero, |v| v[0].l1(&zeros_like(&v[0]))),
        row("l1_with", &[&[2, 3]], NonZero, |v| {
            v[0].l1_with(&zeros_like(&v[0]), Sum)
        }),
        row("smooth_l1", &[&[2, 3], &[2, 3]], Any, move |v| {
            v[0].smooth_l1(&v[1], c(0.5))
        }),
        row("smooth_l1_with", &[&[2, 3], &[2, 3]], Any, move |v| {
            v[0].smooth_l1_with(&v[1], c(1.5), Reduction::None)
        }),
        row(
            "binary_cross_entropy_with_logits",
            &[&[2, 3], &[2, 3]],
            Any,
            |v| v[0].binary_cross_entropy_with_logits(&v[1].sigmoid()),
        ),
        row(
            "binary_cross_entropy_with_logits_with",
            &[&[2, 3], &[2, 3]],
            Any,
            |v| v[0].binary_cross_entropy_with_logits_with(&v[1].sigmoid(), Sum),
        ),
        row("huber", &[&[2, 3], &[2, 3]], Any, move |v| {
            v[0].huber(&v[1], c(0.5))
        }),
        row("huber_with", &[&[2, 3], &[2, 3]], Any, move |v| {
            v[0].huber_with(&v[1], c(1.5), Sum)
        }),
        row("kl_div", &[&[3, 4], &[3, 4]], Any, |v| {
            v[0].log_softmax(1).kl_div(&v[1].softmax(1))
        }),
        row("cosine_similarity", &[&[3, 4], &[3, 4]], Any, |v| {
            v[0].cosine_similarity(&v[1], 1)
        }),
        row("cosine_similarity", &[&[2, 3, 4], &[2, 3, 4]], Any, |v| {
            v[0].cosine_similarity(&v[1], -2)
        }),
        // Negative axes (appended, so the rows above keep their seeds).
        row("max", &[&[3, 4]], Any, |v| v[0].max(-1, false)),
        row("logsumexp", &[&[2, 3, 4]], Any, |v| {
            v[0].logsumexp((0, -1), false)
        }),
        row("permute", &[&[2, 3, 4]], Any, |v| v[0].permute((-1, 0, -2))),
        row("log_softmax", &[&[2, 3, 4]], Any, |v| v[0].log_softmax(-2)),
        row("concat", &[&[2, 3], &[2, 1]], Any, |v| {
            Var::concat(&[v[0], v[1]], -1)
        }),
        row("stack", &[&[2, 3], &[2, 3]], Any, |v| {
            Var::stack(&[v[0], v[1]], -1)
        }),
        row("index_select", &[&[3, 4]], Any, |v| {
            v[0].index_select(-1, &ids(&[3, 0, 3]))
        }),
        row("scatter_add", &[&[2, 3]], Any, |v| {
            v[0].scatter_add(-1, &ids(&[1, 3, 1]), 4)
        }),
        row("flatten", &[&[2, 3, 2]], Any, |v| v[0].flatten(-2)),
    ]
}

fn inputs<F: Float>(row: &Row<F>, seed: u64) -> Vec<Tensor<F>> {
    let mut rng = StdRng::seed_from_u64(seed);
    let draw = |rng: &mut StdRng| {
        let u = F::sample_uniform(rng, F::zero(), F::one()).as_f64();
        match row.domain {
            Domain::Any => 4.0 * u - 2.0,
            Domain::Positive => 0.5 + 1.5 * u,
            Domain::NonZero if u < 0.5 => -(0.2 + 3.6 * u),
            Domain::NonZero => 0.2 + 3.6 * (u - 0.5),
        }
    };
    row.shapes
        .iter()
        .map(|shape| {
            let n = shape.iter().product();
            Tensor::from_vec((0..n).map(|_| F::cast(draw(&mut rng))).collect(), shape)
        })
        .collect()
}

fn run_table<F: Float>(tolerance: f64, second_order: bool) {
    let mut failures = Vec::new();
    for (i, row) in table::<F>().iter().enumerate() {
        let inputs = inputs(row, 1000 + i as u64);
        let result = match second_order {
            false => check::gradients(&row.f, &inputs, tolerance),
            true => check::second_order(&row.f, &inputs, tolerance),
        };
        if let Err(error) = result {
            failures.push(format!("{} {:?}: {error}", row.name, row.shapes));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn f64_first_order() {
    run_table::<f64>(1e-6, false);
}

#[test]
fn f64_second_order() {
    run_table::<f64>(1e-6, true);
}

#[test]
fn f32_first_order() {
    run_table::<f32>(2e-2, false);
}

/// Public `Var` methods that are not differentiable ops.
const NOT_OPS: &[&str] = &["tape", "index", "value", "shape", "item", "stop_gradient"];

/// Every public `Var` op has a row whose returned expression calls it, and every row's name is
/// an op it calls. `coverage.rs` says why this cannot be fooled.
#[test]
fn every_var_op_has_a_row() {
    let root = env!("CARGO_MANIFEST_DIR");
    let (methods, problems) = coverage::public_var_methods(format!("{root}/src").as_ref());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        methods.len() > 80,
        "found only {} Var methods: has the parser lost its way?",
        methods.len()
    );
    let source =
        std::fs::read_to_string(format!("{root}/tests/autograd/gradcheck.rs")).expect("table");
    let rows = coverage::table_rows(&source);
    assert_eq!(
        rows.len(),
        table::<f64>().len(),
        "every row of the table was parsed"
    );
    let mislabelled: Vec<_> = rows
        .iter()
        .filter(|r| !r.calls.contains(&r.name))
        .map(|r| format!("{} (calls {:?})", r.name, r.calls))
        .collect();
    assert!(
        mislabelled.is_empty(),
        "rows whose returned expression does not call the op they name: {mislabelled:?}"
    );
    let missing: Vec<_> = methods
        .iter()
        .filter(|(name, _)| !NOT_OPS.contains(&name.as_str()))
        .filter(|(name, _)| !rows.iter().any(|r| r.name == *name))
        .map(|(name, file)| format!("{name} ({})", file.display()))
        .collect();
    assert!(
        missing.is_empty(),
        "ops without a gradient-check row: {missing:?}"
    );
}

/// The check itself can fail: a method in an oddly spelled impl is found, a row that only
/// names an op is not a row for it, and a call whose result is discarded does not count.
#[test]
fn the_coverage_check_sees_through_spelling_and_names() {
    let dir = std::env::temp_dir().join(format!("descent-coverage-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("nested")).expect("temp dir");
    let odd = "mod m { impl<'a, T: crate::Float>\n crate::var::Var<'a, T> { pub fn hidden_op(&self) {} } }\n\
               type V<'t, F> = Var<'t, F>;\n impl<'t, F: Float> V<'t, F> { pub fn aliased(&self) {} }";
    std::fs::write(dir.join("nested/odd.rs"), odd).expect("write");
    std::fs::write(
        dir.join("macro.rs"),
        "macro_rules! m { () => { impl Var { pub fn x() {} } } }",
    )
    .expect("write");
    let (methods, problems) = coverage::public_var_methods(&dir);
    std::fs::remove_dir_all(&dir).expect("clean up");
    let names: Vec<_> = methods.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["hidden_op", "aliased"]);
    assert_eq!(problems.len(), 1, "{problems:?}");

    let table = r#"fn table() { vec![
        row("erf", &[&[2]], Any, |v| v[0].exp()),
        row("sin", &[&[2]], Any, |v| { let _ = v[0].cos(); v[0].sin().mul(&v[0]) }),
        row("select", &[&[2]], Any, |v| { let m = mask(); Var::select(&m, &v[0], &v[1]) }),
    ] }"#;
    let rows = coverage::table_rows(table);
    let calls = |i: usize| rows[i].calls.iter().cloned().collect::<Vec<_>>();
    assert_eq!(calls(0), ["exp"]); // named erf, calls exp: not a row for erf
    assert_eq!(calls(1), ["mul", "sin"]); // the discarded cos does not count
    assert_eq!(calls(2), ["select"]);
}
