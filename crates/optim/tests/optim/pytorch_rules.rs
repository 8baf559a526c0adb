//! Each optimizer option against PyTorch's update rule, written out by hand here from
//! `torch.optim`'s single-tensor implementations (PyTorch 2.x; PyTorch itself is not needed):
//! seven steps with changing gradients on three elements, every step compared.
//!
//! Tolerance: 1e-12 relative, for the few roundings where PyTorch's kernels order the same
//! arithmetic differently (`lerp` for Adam's first moment, `p·(1 − lr·λ)` for AdamW).

use descent_autograd::{Tensor, Variable};
use descent_optim::{
    AdaGrad, Adam, CosineWarmRestarts, Momentum, Optimizer, RmsProp, Schedule, Sgd,
};
use std::f64::consts::PI;

const START: [f64; 3] = [0.5, -1.5, 2.0];

/// The gradient of step `t` (1, 2, …): changing sign and size, one element sometimes zero.
fn gradient(t: usize) -> [f64; 3] {
    let t = t as f64;
    [
        (1.3 * t).sin() * 2.0,
        0.5 - 0.3 * t,
        if t as usize % 3 == 0 { 0.0 } else { 1.0 / t },
    ]
}

/// Runs `optimizer` and `reference` side by side for seven steps; `reference(t, p, g)` updates
/// one element `p` (its own state lives in the closure, indexed by element).
fn compare(
    name: &str,
    mut optimizer: impl Optimizer<f64>,
    mut reference: impl FnMut(usize, usize, &mut f64, f64),
) {
    let w = [Variable::named("w", Tensor::from_vec(START.to_vec(), &[3]))];
    let mut expected = START;
    for t in 1..=7 {
        let g = gradient(t);
        optimizer.apply_gradients(&[Tensor::from_vec(g.to_vec(), &[3])], &w);
        for i in 0..3 {
            reference(t, i, &mut expected[i], g[i]);
        }
        let got = w[0].value().to_vec();
        for i in 0..3 {
            let tolerance = 1e-12 * expected[i].abs().max(1e-3);
            assert!(
                (got[i] - expected[i]).abs() <= tolerance,
                "{name}, step {t}, element {i}: {} vs PyTorch's {}",
                got[i],
                expected[i]
            );
        }
    }
}

/// `torch.optim.SGD(lr, momentum, dampening, weight_decay, nesterov, maximize)`.
fn sgd(
    lr: f64,
    momentum: f64,
    dampening: f64,
    wd: f64,
    nesterov: bool,
    maximize: bool,
) -> impl FnMut(usize, usize, &mut f64, f64) {
    let mut buf: [Option<f64>; 3] = [None; 3];
    move |_, i, p, g| {
        let mut g = if maximize { -g } else { g };
        if wd != 0.0 {
            g += wd * *p;
        }
        if momentum != 0.0 {
            let b = match buf[i] {
                None => g,
                Some(b) => momentum * b + (1.0 - dampening) * g,
            };
            buf[i] = Some(b);
            g = if nesterov { g + momentum * b } else { b };
        }
        *p -= lr * g;
    }
}

#[test]
fn sgd_options_follow_pytorch() {
    compare(
        "SGD maximize",
        Sgd::new(0.1).maximize(),
        sgd(0.1, 0.0, 0.0, 0.0, false, true),
    );
    compare(
        "SGD momentum + dampening",
        Momentum::new(0.1, 0.9).dampening(0.3),
        sgd(0.1, 0.9, 0.3, 0.0, false, false),
    );
    compare(
        "SGD nesterov + weight decay + maximize",
        Momentum::nesterov(0.05, 0.8).weight_decay(0.1).maximize(),
        sgd(0.05, 0.8, 0.0, 0.1, true, true),
    );
    compare(
        "SGD momentum + dampening + weight decay",
        Momentum::new(0.05, 0.5).dampening(0.5).weight_decay(0.2),
        sgd(0.05, 0.5, 0.5, 0.2, false, false),
    );
}

/// `torch.optim.Adagrad(lr, lr_decay, weight_decay, initial_accumulator_value, eps, maximize)`.
fn adagrad(
    lr: f64,
    lr_decay: f64,
    wd: f64,
    init: f64,
    eps: f64,
    maximize: bool,
) -> impl FnMut(usize, usize, &mut f64, f64) {
    let mut sum = [init; 3];
    move |t, i, p, g| {
        let mut g = if maximize { -g } else { g };
        if wd != 0.0 {
            g += wd * *p;
        }
        let clr = lr / (1.0 + (t - 1) as f64 * lr_decay);
        sum[i] += g * g;
        *p -= clr * g / (sum[i].sqrt() + eps);
    }
}

#[test]
fn adagrad_options_follow_pytorch() {
    compare(
        "Adagrad lr_decay + initial accumulator",
        AdaGrad::new(0.1)
            .lr_decay(0.2)
            .initial_accumulator_value(0.5),
        adagrad(0.1, 0.2, 0.0, 0.5, 1e-10, false),
    );
    compare(
        "Adagrad maximize + weight decay",
        AdaGrad::new(0.3).weight_decay(0.1).maximize(),
        adagrad(0.3, 0.0, 0.1, 0.0, 1e-10, true),
    );
}

/// `torch.optim.RMSprop(lr, alpha, eps, weight_decay, momentum, centered, maximize)`.
fn rmsprop(
    lr: f64,
    alpha: f64,
    eps: f64,
    wd: f64,
    momentum: f64,
    centered: bool,
    maximize: bool,
) -> impl FnMut(usize, usize, &mut f64, f64) {
    let (mut square_avg, mut grad_avg, mut buf) = ([0.0; 3], [0.0; 3], [0.0; 3]);
    move |_, i, p, g| {
        let mut g = if maximize { -g } else { g };
        if wd != 0.0 {
            g += wd * *p;
        }
        square_avg[i] = alpha * square_avg[i] + (1.0 - alpha) * g * g;
        let avg = if centered {
            grad_avg[i] = alpha * grad_avg[i] + (1.0 - alpha) * g;
            (square_avg[i] - grad_avg[i] * grad_avg[i]).sqrt() + eps
        } else {
            square_avg[i].sqrt() + eps
        };
        if momentum > 0.0 {
            buf[i] = momentum * buf[i] + g / avg;
            *p -= lr * buf[i];
        } else {
            *p -= lr * g / avg;
        }
    }
}

#[test]
fn rmsprop_options_follow_pytorch() {
    compare(
        "RMSprop momentum",
        RmsProp::new(0.01).momentum(0.9),
        rmsprop(0.01, 0.99, 1e-8, 0.0, 0.9, false, false),
    );
    compare(
        "RMSprop centered",
        RmsProp::new(0.01).alpha(0.9).centered(),
        rmsprop(0.01, 0.9, 1e-8, 0.0, 0.0, true, false),
    );
    compare(
        "RMSprop momentum + centered + weight decay + maximize",
        RmsProp::new(0.02)
            .centered()
            .momentum(0.5)
            .weight_decay(0.1)
            .maximize(),
        rmsprop(0.02, 0.99, 1e-8, 0.1, 0.5, true, true),
    );
}

/// `torch.optim.Adam` / `AdamW(lr, betas, eps, weight_decay, amsgrad, maximize)`.
fn adam(
    lr: f64,
    betas: (f64, f64),
    wd: f64,
    decoupled: bool,
    amsgrad: bool,
    maximize: bool,
) -> impl FnMut(usize, usize, &mut f64, f64) {
    let (mut m, mut v, mut v_max) = ([0.0; 3], [0.0; 3], [0.0f64; 3]);
    let (beta1, beta2, eps) = (betas.0, betas.1, 1e-8);
    move |t, i, p, g| {
        let mut g = if maximize { -g } else { g };
        if decoupled {
            *p *= 1.0 - lr * wd;
        } else if wd != 0.0 {
            g += wd * *p;
        }
        m[i] += (g - m[i]) * (1.0 - beta1); // exp_avg.lerp_(grad, 1 − β₁)
        v[i] = beta2 * v[i] + (1.0 - beta2) * g * g;
        let bias1 = 1.0 - beta1.powi(t as i32);
        let bias2_sqrt = (1.0 - beta2.powi(t as i32)).sqrt();
        let denom = if amsgrad {
            v_max[i] = v_max[i].max(v[i]);
            v_max[i].sqrt() / bias2_sqrt + eps
        } else {
            v[i].sqrt() / bias2_sqrt + eps
        };
        *p -= lr / bias1 * m[i] / denom;
    }
}

#[test]
fn adam_options_follow_pytorch() {
    compare(
        "Adam amsgrad",
        Adam::new(0.1).amsgrad(),
        adam(0.1, (0.9, 0.999), 0.0, false, true, false),
    );
    compare(
        "Adam maximize + L2",
        Adam::new(0.05).weight_decay(0.1).maximize(),
        adam(0.05, (0.9, 0.999), 0.1, false, false, true),
    );
    compare(
        "AdamW amsgrad + maximize",
        Adam::adamw(0.05).betas(0.8, 0.9).amsgrad().maximize(),
        adam(0.05, (0.8, 0.9), 0.01, true, true, true),
    );
}

/// `torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(T_0, T_mult, eta_min)` at `epoch`,
/// its closed form (the `log` of `T_mult` finds the period).
fn warm_restarts(base: f64, eta_min: f64, t_0: usize, t_mult: usize, epoch: usize) -> f64 {
    let (t_cur, t_i) = if epoch >= t_0 {
        if t_mult == 1 {
            ((epoch % t_0) as f64, t_0 as f64)
        } else {
            let m = t_mult as f64;
            let n = ((epoch as f64 / t_0 as f64 * (m - 1.0) + 1.0).ln() / m.ln()) as i32;
            let t_cur = epoch as f64 - t_0 as f64 * (m.powi(n) - 1.0) / (m - 1.0);
            (t_cur, t_0 as f64 * m.powi(n))
        }
    } else {
        (epoch as f64, t_0 as f64)
    };
    eta_min + (base - eta_min) * (1.0 + (PI * t_cur / t_i).cos()) / 2.0
}

#[test]
fn cosine_warm_restarts_follow_pytorch() {
    for (period, multiplier) in [(10, 1), (4, 2), (5, 2), (1, 2), (3, 4)] {
        let schedule = CosineWarmRestarts {
            initial: 0.1,
            min: 1e-3,
            period,
            multiplier,
        };
        for step in 0..300 {
            let (got, want) = (
                schedule.rate(step),
                warm_restarts(0.1, 1e-3, period, multiplier, step),
            );
            assert!(
                (got - want).abs() < 1e-15,
                "T_0 {period}, T_mult {multiplier}, step {step}: {got} vs PyTorch's {want}"
            );
        }
    }
    // Restarts: back to the initial rate at the start of every period, never stuck at min.
    let schedule = CosineWarmRestarts {
        initial: 0.1,
        min: 0.0,
        period: 4,
        multiplier: 2,
    };
    assert_eq!([0, 4, 12, 28, 60].map(|s| schedule.rate(s)), [0.1; 5]);
}
