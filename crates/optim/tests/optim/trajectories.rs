//! The first three steps of each optimizer against values computed by hand (the arithmetic is
//! in the comments, to check on paper), with fixed gradients and default hyperparameters.

use descent_autograd::{Tensor, Variable};
use descent_optim::{AdaGrad, Adam, Momentum, Optimizer, RmsProp, Sgd};

/// Applies `gradients` one step each from `start`, and checks the value after every step.
fn check(
    mut optimizer: impl Optimizer<f64>,
    start: &[f64],
    gradients: [&[f64]; 3],
    expected: [&[f64]; 3],
) {
    let shape = [start.len()];
    let variable = [Variable::named(
        "p",
        Tensor::from_vec(start.to_vec(), &shape),
    )];
    for (step, (gradient, expected)) in gradients.iter().zip(expected).enumerate() {
        let gradient = Tensor::from_vec(gradient.to_vec(), &shape);
        optimizer.apply_gradients(&[gradient], &variable);
        // 1e-8 also covers the ε = 1e-8 or 1e-10 that the hand arithmetic leaves out.
        let value = variable[0].value().to_vec();
        for (got, want) in value.iter().zip(expected) {
            assert!(
                (got - want).abs() < 1e-8,
                "step {}: {value:?}, expected {expected:?}",
                step + 1
            );
        }
    }
}

#[test]
fn sgd() {
    // lr = 0.1: p ← p − 0.1·g, elementwise.
    // p₁ = [1 − 0.1,    −2 + 0.2]   = [0.9,  −1.8]
    // p₂ = [0.9 − 0.05, −1.8 − 0]   = [0.85, −1.8]
    // p₃ = [0.85 + 0.1, −1.8 − 0.4] = [0.95, −2.2]
    let gradients: [&[f64]; 3] = [&[1.0, -2.0], &[0.5, 0.0], &[-1.0, 4.0]];
    check(
        Sgd::new(0.1),
        &[1.0, -2.0],
        gradients,
        [&[0.9, -1.8], &[0.85, -1.8], &[0.95, -2.2]],
    );
}

#[test]
fn sgd_with_weight_decay() {
    // lr = 0.1, λ = 0.5: g' = g + 0.5·p, p ← p − 0.1·g'.
    // g' = 1 + 0.5         = 1.5:       p₁ = 1 − 0.15          = 0.85
    // g' = 2 + 0.425       = 2.425:     p₂ = 0.85 − 0.2425     = 0.6075
    // g' = −1 + 0.30375    = −0.69625:  p₃ = 0.6075 + 0.069625 = 0.677125
    let gradients: [&[f64]; 3] = [&[1.0], &[2.0], &[-1.0]];
    check(
        Sgd::new(0.1).weight_decay(0.5),
        &[1.0],
        gradients,
        [&[0.85], &[0.6075], &[0.677125]],
    );
}

#[test]
fn momentum() {
    // lr = 0.1, μ = 0.9: v ← 0.9·v + g, p ← p − 0.1·v.
    // v₁ = 1:               p₁ = 1 − 0.1     = 0.9
    // v₂ = 0.9 + 2  = 2.9:  p₂ = 0.9 − 0.29  = 0.61
    // v₃ = 2.61 − 1 = 1.61: p₃ = 0.61 − 0.161 = 0.449
    let gradients: [&[f64]; 3] = [&[1.0], &[2.0], &[-1.0]];
    check(
        Momentum::new(0.1, 0.9),
        &[1.0],
        gradients,
        [&[0.9], &[0.61], &[0.449]],
    );
}

#[test]
fn nesterov() {
    // lr = 0.1, μ = 0.9: v ← 0.9·v + g, p ← p − 0.1·(g + 0.9·v).
    // v₁ = 1:    p₁ = 1 − 0.1·(1 + 0.9)       = 0.81
    // v₂ = 2.9:  p₂ = 0.81 − 0.1·(2 + 2.61)   = 0.349
    // v₃ = 1.61: p₃ = 0.349 − 0.1·(−1 + 1.449) = 0.3041
    let gradients: [&[f64]; 3] = [&[1.0], &[2.0], &[-1.0]];
    check(
        Momentum::nesterov(0.1, 0.9),
        &[1.0],
        gradients,
        [&[0.81], &[0.349], &[0.3041]],
    );
}

#[test]
fn adagrad() {
    // lr = 0.1: s ← s + g², p ← p − 0.1·g/√s.
    // s₁ = 9:   p₁ = 1 − 0.1·3/3      = 0.9
    // s₂ = 25:  p₂ = 0.9 − 0.1·4/5    = 0.82
    // s₃ = 169: p₃ = 0.82 + 0.1·12/13 = 0.82 + 0.0923076923 = 0.9123076923
    let gradients: [&[f64]; 3] = [&[3.0], &[4.0], &[-12.0]];
    check(
        AdaGrad::new(0.1),
        &[1.0],
        gradients,
        [&[0.9], &[0.82], &[0.9123076923]],
    );
}

#[test]
fn rmsprop() {
    // lr = 0.01, α = 0.99: a ← 0.99·a + 0.01·g², p ← p − 0.01·g/√a.
    // a₁ = 0.01·100          = 1:      p₁ = 1 − 0.01·10/1           = 0.9
    // a₂ = 0.99 + 0.01·100   = 1.99:   p₂ = 0.9 + 0.1/1.4106735980  = 0.9708881205
    // a₃ = 1.9701 + 0.01·400 = 5.9701: p₃ = 0.9708881205 − 0.2/2.4433788081
    //                                     = 0.9708881205 − 0.0818538654 = 0.8890342551
    let gradients: [&[f64]; 3] = [&[10.0], &[-10.0], &[20.0]];
    check(
        RmsProp::new(0.01),
        &[1.0],
        gradients,
        [&[0.9], &[0.9708881205], &[0.8890342551]],
    );
}

#[test]
fn adam() {
    // lr = 0.1, β = (0.9, 0.999): m ← 0.9·m + 0.1·g, v ← 0.999·v + 0.001·g²,
    // p ← p − 0.1·m̂/√v̂ with m̂ = m/(1 − 0.9ᵗ), v̂ = v/(1 − 0.999ᵗ).
    // t = 1, g = 1:  m = 0.1, v = 0.001, m̂ = 1, v̂ = 1: p₁ = 1 − 0.1 = 0.9
    // t = 2, g = 2:  m = 0.09 + 0.2 = 0.29, v = 0.000999 + 0.004 = 0.004999,
    //                m̂ = 0.29/0.19 = 1.5263157895, v̂ = 0.004999/0.001999 = 2.5007503752,
    //                p₂ = 0.9 − 0.1·1.5263157895/1.5813761018 = 0.9 − 0.0965182010 = 0.8034817990
    // t = 3, g = −1: m = 0.261 − 0.1 = 0.161, v = 0.004994001 + 0.001 = 0.005994001,
    //                m̂ = 0.161/0.271 = 0.5940959410, v̂ = 0.005994001/0.002997001 = 1.9999996663,
    //                p₃ = 0.8034817990 − 0.1·0.5940959410/1.4142134444
    //                   = 0.8034817990 − 0.0420089301 = 0.7614728689
    let gradients: [&[f64]; 3] = [&[1.0], &[2.0], &[-1.0]];
    check(
        Adam::new(0.1),
        &[1.0],
        gradients,
        [&[0.9], &[0.8034817990], &[0.7614728689]],
    );
}

#[test]
fn adamw() {
    // As Adam above (same m̂/√v̂ at each step), after p ← p·(1 − 0.1·0.01) = 0.999·p:
    // p₁ = 0.999·1            − 0.1          = 0.899
    // p₂ = 0.999·0.899        − 0.0965182010 = 0.898101     − 0.0965182010 = 0.8015827990
    // p₃ = 0.999·0.8015827990 − 0.0420089301 = 0.8007812162 − 0.0420089301 = 0.7587722861
    let gradients: [&[f64]; 3] = [&[1.0], &[2.0], &[-1.0]];
    check(
        Adam::adamw(0.1),
        &[1.0],
        gradients,
        [&[0.899], &[0.8015827990], &[0.7587722861]],
    );
}

#[test]
fn adam_with_l2_weight_decay() {
    // lr = 0.1, λ = 1: g' = g + p. With g = −p the effective gradient is 0 and nothing moves;
    // the decay enters m and v like a gradient, which is what separates it from AdamW.
    // t = 1, g' = −1 + 1 = 0: m = v = 0, 0/(0 + ε) = 0: p₁ = 1, and so on.
    let gradients: [&[f64]; 3] = [&[-1.0], &[-1.0], &[-1.0]];
    check(
        Adam::new(0.1).weight_decay(1.0),
        &[1.0],
        gradients,
        [&[1.0], &[1.0], &[1.0]],
    );
}

// The options asked for by people coming from PyTorch, each on three steps by hand.

#[test]
fn sgd_maximize() {
    // lr = 0.5, climbing: p ← p + 0.5·g.  p₁ = 1 + 1 = 2,  p₂ = 2 − 0.5 = 1.5,  p₃ = 1.5 + 0.
    check(
        Sgd::new(0.5).maximize(),
        &[1.0],
        [&[2.0], &[-1.0], &[0.0]],
        [&[2.0], &[1.5], &[1.5]],
    );
}

#[test]
fn momentum_with_dampening() {
    // lr = 0.1, μ = 0.5, τ = 0.5; the first velocity is the gradient, undamped.
    // v₁ = 2:                    p₁ = 1 − 0.1·2     = 0.8
    // v₂ = 0.5·2 + 0.5·2 = 2:    p₂ = 0.8 − 0.1·2   = 0.6
    // v₃ = 0.5·2 + 0.5·(−4) = −1: p₃ = 0.6 + 0.1     = 0.7
    check(
        Momentum::new(0.1, 0.5).dampening(0.5),
        &[1.0],
        [&[2.0], &[2.0], &[-4.0]],
        [&[0.8], &[0.6], &[0.7]],
    );
}

#[test]
fn adagrad_with_lr_decay_and_initial_accumulator() {
    // lr = 1, d = 1 (η = 1/t), s₀ = 7, ε = 0.
    // s₁ = 7 + 9 = 16:     p₁ = 0 − 1·3/4           = −0.75
    // s₂ = 16 + 9 = 25:    p₂ = −0.75 − (1/2)·3/5   = −1.05
    // s₃ = 25 + 144 = 169: p₃ = −1.05 − (1/3)·12/13 = −1.05 − 4/13
    check(
        AdaGrad::new(1.0)
            .lr_decay(1.0)
            .initial_accumulator_value(7.0)
            .eps(0.0),
        &[0.0],
        [&[3.0], &[3.0], &[12.0]],
        [&[-0.75], &[-1.05], &[-1.05 - 4.0 / 13.0]],
    );
}

#[test]
fn rmsprop_centered_with_momentum() {
    // lr = 1, α = 0.5, μ = 0.5, ε = 0; a: mean of g², m: mean of g, b: momentum buffer.
    // g = 2:  a₁ = 2,  m₁ = 1,    d = √(2 − 1) = 1,      b₁ = 2:              p₁ = −2
    // g = −2: a₂ = 3,  m₂ = −0.5, d = √(3 − 0.25) = √2.75, b₂ = 1 − 2/√2.75:  p₂ = −2 − b₂
    // g = 2:  a₃ = 3.5, m₃ = 0.75, d = √(3.5 − 0.5625) = √2.9375, b₃ = b₂/2 + 2/√2.9375
    let b2 = 1.0 - 2.0 / 2.75f64.sqrt();
    let b3 = b2 / 2.0 + 2.0 / 2.9375f64.sqrt();
    check(
        RmsProp::new(1.0)
            .alpha(0.5)
            .eps(0.0)
            .momentum(0.5)
            .centered(),
        &[0.0],
        [&[2.0], &[-2.0], &[2.0]],
        [&[-2.0], &[-2.0 - b2], &[-2.0 - b2 - b3]],
    );
}

#[test]
fn adam_amsgrad() {
    // lr = 1, β = (0, 0) so m = g, v = g² and no bias correction; ε = 0; v_max = max of v.
    // v₁ = 16, v_max = 16: p₁ = −4/4      = −1
    // v₂ = 1,  v_max = 16: p₂ = −1 − 1/4  = −1.25  (plain Adam would step by 1/1)
    // v₃ = 64, v_max = 64: p₃ = −1.25 − 8/8 = −2.25
    check(
        Adam::new(1.0).betas(0.0, 0.0).eps(0.0).amsgrad(),
        &[0.0],
        [&[4.0], &[1.0], &[8.0]],
        [&[-1.0], &[-1.25], &[-2.25]],
    );
}
