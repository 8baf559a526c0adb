//! Every optimizer minimises a convex quadratic and the Rosenbrock function from a fixed start,
//! with gradients from the real tape. Learning rates and step counts are tuned per optimizer
//! so that each run takes a fraction of a second in a debug build; tolerances are distances
//! from the optimum.

use descent_autograd::{Tape, Tensor, Var, Variable};
use descent_optim::{AdaGrad, Adam, Momentum, Optimizer, RmsProp, Sgd};

/// One run: an optimizer, its step count, and how close to the optimum it must end.
struct Run {
    name: &'static str,
    optimizer: Box<dyn Optimizer<f64>>,
    steps: usize,
    tolerance: f64,
}

fn run(
    name: &'static str,
    optimizer: impl Optimizer<f64> + 'static,
    steps: usize,
    tolerance: f64,
) -> Run {
    Run {
        name,
        optimizer: Box::new(optimizer),
        steps,
        tolerance,
    }
}

/// Runs each optimizer on `loss` from `start` and checks it ends within its tolerance of `optimum`.
fn converges(
    loss: for<'t> fn(&Var<'t, f64>) -> Var<'t, f64>,
    start: [f64; 2],
    optimum: [f64; 2],
    runs: Vec<Run>,
) {
    for Run {
        name,
        mut optimizer,
        steps,
        tolerance,
    } in runs
    {
        let point = Variable::named("point", Tensor::from_vec(start.to_vec(), &[2]));
        let variables = [point.clone()];
        let clock = std::time::Instant::now();
        for _ in 0..steps {
            let tape = Tape::new();
            let value = loss(&tape.read(&point));
            let grads = tape.gradient(&value, &variables);
            optimizer.apply_gradients(&grads, &variables);
        }
        let end = point.value().to_vec();
        let distance = end
            .iter()
            .zip(optimum)
            .map(|(a, b)| (a - b).powi(2))
            .sum::<f64>()
            .sqrt();
        let time = clock.elapsed();
        println!(
            "{name}: {end:?}, {distance:.1e} from {optimum:?} after {steps} steps ({time:.0?})"
        );
        assert!(
            distance < tolerance,
            "{name} ended at {end:?}, {distance:e} from {optimum:?}"
        );
    }
}

/// (x − 1)² + 10·(y + 2)²: convex, condition number 10, minimum 0 at (1, −2).
fn quadratic<'t>(p: &Var<'t, f64>) -> Var<'t, f64> {
    let tape = p.tape();
    let centre = tape.watch(Tensor::from_vec(vec![1.0, -2.0], &[2]));
    let weights = tape.watch(Tensor::from_vec(vec![1.0, 10.0], &[2]));
    ((*p - centre).square() * weights).sum(&[], false)
}

/// (1 − x)² + 100·(y − x²)²: a curved, badly scaled valley, minimum 0 at (1, 1).
fn rosenbrock<'t>(p: &Var<'t, f64>) -> Var<'t, f64> {
    let (x, y) = (p.slice(0, 0, 1), p.slice(0, 1, 2));
    ((-x + 1.0).square() + (y - x.square()).square() * 100.0).sum(&[], false)
}

#[test]
fn every_optimizer_minimises_a_quadratic() {
    converges(
        quadratic,
        [0.0, 0.0],
        [1.0, -2.0],
        vec![
            run("SGD", Sgd::new(0.05), 300, 1e-9),
            run("Momentum", Momentum::new(0.002, 0.9), 500, 1e-9),
            run("Nesterov", Momentum::nesterov(0.002, 0.9), 500, 1e-9),
            run("AdaGrad", AdaGrad::new(0.5), 200, 1e-9),
            run("RMSprop", RmsProp::new(0.02), 500, 1e-9),
            run("Adam", Adam::new(0.1), 500, 1e-9),
            // Decoupled decay pulls towards 0: AdamW's fixed point is near the optimum, not at it.
            run(
                "AdamW",
                Adam::adamw(0.1).decoupled_weight_decay(1e-3),
                500,
                1e-3,
            ),
        ],
    );
}

#[test]
fn every_optimizer_minimises_the_rosenbrock_function() {
    converges(
        rosenbrock,
        [-1.2, 1.0],
        [1.0, 1.0],
        vec![
            run("SGD", Sgd::new(0.002), 10_000, 1e-3),
            run("Momentum", Momentum::new(0.002, 0.9), 2000, 1e-6),
            run("Nesterov", Momentum::nesterov(0.001, 0.9), 3000, 1e-5),
            run("AdaGrad", AdaGrad::new(0.5), 10_000, 1e-3),
            // A constant rate leaves RMSprop hopping around the optimum by about the rate.
            run("RMSprop", RmsProp::new(0.001), 10_000, 5e-3),
            run("Adam", Adam::new(0.1), 2000, 1e-6),
            run(
                "AdamW",
                Adam::adamw(0.1).decoupled_weight_decay(1e-4),
                2000,
                2e-3,
            ),
        ],
    );
}
