//! Learning-rate schedules: their values at chosen steps, and driving an optimizer.

use crate::common;

use common::every_optimizer;
use descent_autograd::{Tensor, Variable};
use descent_optim::{
    CosineAnnealing, ExponentialDecay, Optimizer, Schedule, Sgd, StepDecay, Warmup,
};

fn rates(schedule: &impl Schedule, steps: &[usize]) -> Vec<f64> {
    steps.iter().map(|&step| schedule.rate(step)).collect()
}

fn assert_close(got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < 1e-12, "{got:?} is not {want:?}");
    }
}

#[test]
fn step_decay() {
    // 0.1 · 0.1^⌊step/30⌋: 0.1 for steps 0–29, 0.01 for 30–59, 0.001 from 60.
    let schedule = StepDecay {
        initial: 0.1,
        every: 30,
        gamma: 0.1,
    };
    assert_close(
        &rates(&schedule, &[0, 29, 30, 59, 60, 95]),
        &[0.1, 0.1, 0.01, 0.01, 1e-3, 1e-4],
    );
}

#[test]
#[should_panic(expected = "StepDecay: `every` must be at least 1")]
fn step_decay_every_zero_steps_panics() {
    StepDecay {
        initial: 0.1,
        every: 0,
        gamma: 0.1,
    }
    .rate(3);
}

#[test]
fn exponential_decay() {
    // 0.2 · 0.9^step: 0.2, 0.18, 0.162, and 0.2·0.9¹⁰ = 0.0697356880…
    let schedule = ExponentialDecay {
        initial: 0.2,
        gamma: 0.9,
    };
    assert_close(
        &rates(&schedule, &[0, 1, 2, 10]),
        &[0.2, 0.18, 0.162, 0.069_735_688_02],
    );
}

#[test]
fn cosine_annealing() {
    // 0.01 + 0.09·(1 + cos(π·step/10))/2: cos(π/5) = 0.8090169944, cos(π/2) = 0, cos(π) = −1.
    let schedule = CosineAnnealing {
        initial: 0.1,
        min: 0.01,
        steps: 10,
    };
    let at_2 = 0.01 + 0.09 * (1.0 + 0.809_016_994_374_947_5) / 2.0;
    assert_close(
        &rates(&schedule, &[0, 2, 5, 10, 11]),
        &[0.1, at_2, 0.055, 0.01, 0.01],
    );
}

#[test]
fn warmup_then_another_schedule() {
    // Steps 0–3 ramp to 0.4 in quarters; from step 4 the decay runs from its own step 0.
    let schedule = Warmup {
        steps: 4,
        then: StepDecay {
            initial: 0.4,
            every: 2,
            gamma: 0.5,
        },
    };
    assert_close(
        &rates(&schedule, &[0, 1, 2, 3, 4, 5, 6, 8]),
        &[0.1, 0.2, 0.3, 0.4, 0.4, 0.4, 0.2, 0.1],
    );
    let constant = Warmup {
        steps: 2,
        then: 0.5,
    };
    assert_close(&rates(&constant, &[0, 1, 2, 1000]), &[0.25, 0.5, 0.5, 0.5]);
    let none = Warmup {
        steps: 0,
        then: 0.5,
    };
    assert_close(&rates(&none, &[0, 1]), &[0.5, 0.5]);
}

#[test]
fn a_schedule_drives_any_optimizer_through_its_step_count() {
    let schedule = Warmup {
        steps: 3,
        then: CosineAnnealing {
            initial: 0.3,
            min: 0.0,
            steps: 6,
        },
    };
    for (name, mut optimizer) in every_optimizer::<f64>() {
        let w = [Variable::new(Tensor::from_vec(vec![1.0, -1.0], &[2]))];
        let mut used = Vec::new();
        for _ in 0..12 {
            optimizer.set_learning_rate(schedule.rate(optimizer.steps()));
            used.push(optimizer.learning_rate());
            optimizer.apply_gradients(&[Tensor::from_vec(vec![0.5, 0.5], &[2])], &w);
        }
        assert_eq!(
            used,
            rates(&schedule, &(0..12).collect::<Vec<_>>()),
            "{name}"
        );
    }
}

#[test]
fn with_a_zero_rate_sgd_stands_still() {
    // The last steps of a cosine schedule annealed to 0 do not move the weights.
    let w = [Variable::new(Tensor::scalar(1.0f64))];
    let mut sgd = Sgd::new(0.0);
    let schedule = CosineAnnealing {
        initial: 0.5,
        min: 0.0,
        steps: 2,
    };
    let mut trajectory = Vec::new();
    for _ in 0..4 {
        sgd.set_learning_rate(schedule.rate(sgd.steps()));
        sgd.apply_gradients(&[Tensor::scalar(1.0)], &w);
        trajectory.push(w[0].value().item());
    }
    // Rates 0.5, 0.25, 0, 0.
    assert_eq!(trajectory, vec![0.5, 0.25, 0.25, 0.25]);
}
