//! Optimizer state that decays where the gradient is zero is stored as zero once it falls
//! below the least normal float, instead of lingering as a subnormal (slow on Intel cores).

use descent_autograd::{Tensor, Variable};
use descent_optim::{Adam, Momentum, Optimizer, RmsProp};

/// One step with gradient 1, then `quiet` steps with gradient 0; the state tensors after.
fn decayed_state(optimizer: &mut dyn Optimizer<f32>, quiet: usize) -> Vec<(String, f32)> {
    let w = Variable::new(Tensor::from_vec(vec![0.0f32], &[1]));
    optimizer.apply_gradients(
        &[Tensor::from_vec(vec![1.0], &[1])],
        std::slice::from_ref(&w),
    );
    for _ in 0..quiet {
        optimizer.apply_gradients(
            &[Tensor::from_vec(vec![0.0], &[1])],
            std::slice::from_ref(&w),
        );
    }
    let state = optimizer.state(&[("w".into(), w)]);
    state
        .into_iter()
        .filter(|(name, _)| name != "steps")
        .map(|(name, t)| (name, t.to_vec()[0]))
        .collect()
}

fn assert_no_subnormal(state: &[(String, f32)]) {
    for (name, x) in state {
        assert!(!x.is_subnormal(), "{name} = {x:e} is subnormal");
    }
}

#[test]
fn momentum_velocity_decays_to_zero_not_subnormal() {
    // 0.9^900 ≈ 6e-42 would be subnormal in f32
    let state = decayed_state(&mut Momentum::new(1e-3, 0.9), 900);
    assert_eq!(state, [("w.momentum".to_string(), 0.0)]);
}

#[test]
fn adam_and_rmsprop_state_never_holds_a_subnormal() {
    for quiet in [850, 900, 950] {
        assert_no_subnormal(&decayed_state(&mut Adam::new(1e-3).betas(0.9, 0.9), quiet));
        let mut rms = RmsProp::new(1e-3).alpha(0.9).momentum(0.9);
        assert_no_subnormal(&decayed_state(&mut rms, quiet));
    }
}
