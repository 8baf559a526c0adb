//! Course, lesson 4: Momentum, Nesterov, AdaGrad, RMSprop and Adam against plain gradient
//! descent on an ill-conditioned quadratic, J(θ) = ½(θ₁² + 25·θ₂²), whose valley is 25 times
//! steeper across than along.
//!
//! Gradient descent must keep its rate below 2/25 for the steep direction and then crawls along
//! the flat one: at its best rate, 2/(1 + 25), the error shrinks by (κ − 1)/(κ + 1) = 0.92 per
//! step (κ = 25, the condition number). Momentum with the heavy-ball tuning shrinks it by
//! (√κ − 1)/(√κ + 1) = 0.67, Nesterov's with its own tuning by 1 − 1/√κ = 0.8. The adaptive methods divide each coordinate's step by a running
//! size of its gradients, so both coordinates move alike whatever the curvature. The plot,
//! target/plots/course_04_optimizers.svg, draws every path over the loss's contours.
//!
//! (The same optimizers on a small network: `cargo run --release --example optimizers`.)
//!
//! Run it with `cargo run --release --example course_04_optimizers`.

#[path = "course/plot.rs"]
mod plot;

use descent::prelude::*;
use plot::{Axis, Chart, Line};

const STEPS: usize = 150;
const START: [f64; 2] = [-4.0, 1.0];
/// The Hessian's eigenvalues: J(θ) = ½(μ·θ₁² + L·θ₂²).
const MU: f64 = 1.0;
const L: f64 = 25.0;

/// One optimizer's run.
struct Run {
    name: String,
    /// θ before each step and after the last.
    path: Vec<(f64, f64)>,
    /// The first step, θ₁ − θ₀.
    first: (f64, f64),
    /// The step after which |θ| stays below 1e-3, if it does.
    settled: Option<usize>,
    /// |θ| at the end.
    last: f64,
}

fn main() -> Result<(), String> {
    let kappa = L / MU;
    let (sqrt_mu, sqrt_l) = (MU.sqrt(), L.sqrt());
    let gd_rate = 2.0 / (MU + L);
    let heavy_ball = (
        4.0 / (sqrt_mu + sqrt_l).powi(2),
        ((kappa.sqrt() - 1.0) / (kappa.sqrt() + 1.0)).powi(2),
    );
    // Nesterov's own tuning: lr 1/L, μ = (√κ − 1)/(√κ + 1); the heavy-ball tuning makes it
    // diverge, its look-ahead step is 1 + μ times longer.
    let nesterov = (1.0 / L, (kappa.sqrt() - 1.0) / (kappa.sqrt() + 1.0));
    let optimizers: Vec<(String, Box<dyn Optimizer<f64>>)> = vec![
        (format!("GD, lr {gd_rate:.3}"), Box::new(Sgd::new(gd_rate))),
        (
            format!("Momentum, lr {:.3}, μ {:.3}", heavy_ball.0, heavy_ball.1),
            Box::new(Momentum::new(heavy_ball.0, heavy_ball.1)),
        ),
        (
            format!("Nesterov, lr {:.3}, μ {:.3}", nesterov.0, nesterov.1),
            Box::new(Momentum::nesterov(nesterov.0, nesterov.1)),
        ),
        ("AdaGrad, lr 1".into(), Box::new(AdaGrad::new(1.0))),
        ("RMSprop, lr 0.05".into(), Box::new(RmsProp::new(0.05))),
        ("Adam, lr 0.3".into(), Box::new(Adam::new(0.3))),
    ];

    println!("J(θ) = ½(θ₁² + 25·θ₂²) from θ = {START:?}, {STEPS} steps\n");
    println!(
        "{:<32} {:>14} {:>18} {:>14}",
        "optimizer", "first step", "steps to |θ| < 1e-3", "final |θ|"
    );
    let mut paths = vec![];
    for (name, mut optimizer) in optimizers {
        let theta = Variable::named("θ", Tensor::from_vec(START.to_vec(), &[2]));
        let curvature = Tensor::from_vec(vec![MU / 2.0, L / 2.0], &[2]);
        let mut path = vec![(START[0], START[1])];
        for _ in 0..STEPS {
            let tape = Tape::new();
            let loss = tape
                .read(&theta)
                .square()
                .mul(&tape.watch(curvature.clone()))
                .sum(&[], false);
            let grads = tape.gradient(&loss, &[&theta]);
            optimizer.apply_gradients(&grads, std::slice::from_ref(&theta));
            let t = theta.value().to_vec();
            path.push((t[0], t[1]));
        }
        let norm = |&(a, b): &(f64, f64)| (a * a + b * b).sqrt();
        let first = (path[1].0 - path[0].0, path[1].1 - path[0].1);
        // The step after which the path stays within 1e-3 of the minimum.
        let settled = path.iter().rposition(|p| norm(p) >= 1e-3).map(|i| i + 1);
        let settled = settled.filter(|&s| s < path.len());
        let last = norm(&path[STEPS]);
        let settled_text = settled.map_or("not within 150".to_string(), |s| s.to_string());
        println!(
            "{name:<32} ({:>+5.2}, {:>+5.2}) {settled_text:>18} {last:>14.2e}",
            first.0, first.1
        );
        paths.push(Run {
            name,
            path,
            first,
            settled,
            last,
        });
    }

    // Contours of J at the levels the paths pass through, as grey ellipses; one panel for the
    // momentum methods, one for the adaptive ones.
    let contours = || -> Vec<Line> {
        [0.1, 0.5, 2.0, 5.0, 10.0, 20.5]
            .iter()
            .map(|&level: &f64| {
                let (a, b) = ((2.0 * level / MU).sqrt(), (2.0 * level / L).sqrt());
                let ellipse = (0..=100).map(|k| {
                    let t = k as f64 * std::f64::consts::TAU / 100.0;
                    (a * t.cos(), b * t.sin())
                });
                Line::new("", ellipse.collect())
            })
            .collect()
    };
    let panel = |title, range: std::ops::Range<usize>| {
        let mut lines = contours();
        let first_40 = |p: &Run| p.path[..=40].to_vec();
        lines.extend(
            paths[range]
                .iter()
                .map(|p| Line::new(p.name.clone(), first_40(p)).marked()),
        );
        Chart {
            title,
            x: Axis::linear("θ₁"),
            y: Axis::linear("θ₂"),
            lines,
        }
    };
    let path = "target/plots/course_04_optimizers.svg";
    plot::save(
        path,
        &[
            panel("First 40 steps: GD and momentum", 0..3),
            panel("First 40 steps: adaptive rates", 3..6),
        ],
    )?;
    println!("\nplot: {path}");

    let [gd, momentum, nesterov, adagrad, rmsprop, adam] = &paths[..] else {
        unreachable!("six optimizers")
    };
    let steps = |p: &Run| {
        p.settled
            .unwrap_or_else(|| panic!("{} did not reach the minimum", p.name))
    };
    // Theory: GD needs ln(1e-3/4.1)/ln(0.923) ≈ 104 steps, heavy-ball momentum about a third.
    let predicted = |factor: f64| ((1e-3 / 4.2f64).ln() / factor.ln()).ceil() as usize;
    let gd_predicted = predicted((kappa - 1.0) / (kappa + 1.0));
    println!(
        "theory: gradient descent needs about {gd_predicted} steps, heavy-ball momentum {}",
        predicted((kappa.sqrt() - 1.0) / (kappa.sqrt() + 1.0))
    );
    assert!(
        steps(gd).abs_diff(gd_predicted) <= 5,
        "GD took {} steps",
        steps(gd)
    );
    assert!(
        3 * steps(momentum) < steps(gd),
        "momentum is not 3× faster than GD"
    );
    assert!(
        steps(nesterov) < steps(gd),
        "Nesterov is not faster than GD"
    );
    // The adaptive methods' first step moves both coordinates by the same amount, although the
    // gradient (−4, 25) is six times larger across the valley than along it.
    for p in [adagrad, rmsprop, adam] {
        let (dx, dy) = p.first;
        assert!(
            (dx.abs() - dy.abs()).abs() < 1e-6,
            "{}: first step ({dx}, {dy})",
            p.name
        );
        assert!(
            p.last < 1e-2,
            "{} ended {} from the minimum",
            p.name,
            p.last
        );
    }
    Ok(())
}
