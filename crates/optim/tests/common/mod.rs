//! Helpers shared by the integration tests.

use descent_autograd::Float;
use descent_optim::{AdaGrad, Adam, Momentum, Optimizer, RmsProp, Sgd};

/// One of each optimizer (and each kind of weight decay), freshly made.
pub fn every_optimizer<F: Float>() -> Vec<(&'static str, Box<dyn Optimizer<F>>)> {
    vec![
        ("SGD", Box::new(Sgd::new(0.1).weight_decay(1e-2))),
        (
            "Momentum",
            Box::new(Momentum::new(0.05, 0.9).weight_decay(1e-2)),
        ),
        ("Nesterov", Box::new(Momentum::nesterov(0.05, 0.9))),
        ("AdaGrad", Box::new(AdaGrad::new(0.1).weight_decay(1e-2))),
        ("RMSprop", Box::new(RmsProp::new(0.01).weight_decay(1e-2))),
        ("Adam", Box::new(Adam::new(0.01).weight_decay(1e-2))),
        ("AdamW", Box::new(Adam::adamw(0.01))),
        (
            "Momentum (dampening, maximize)",
            Box::new(Momentum::new(0.05, 0.9).dampening(0.1).maximize()),
        ),
        (
            "AdaGrad (lr decay, initial accumulator)",
            Box::new(
                AdaGrad::new(0.1)
                    .lr_decay(1e-3)
                    .initial_accumulator_value(0.1),
            ),
        ),
        (
            "RMSprop (momentum, centered)",
            Box::new(RmsProp::new(0.01).momentum(0.9).centered()),
        ),
        ("Adam (AMSGrad)", Box::new(Adam::new(0.01).amsgrad())),
    ]
}
