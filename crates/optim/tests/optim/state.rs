//! Optimizer state survives a round trip through named tensors bit for bit, and a bad list of
//! tensors is refused without changing anything.

use crate::common;

use common::every_optimizer;
use descent_autograd::{Tape, Tensor, Variable};
use descent_optim::{Adam, Momentum, Optimizer, Sgd, StateError};
use rand::{SeedableRng, rngs::StdRng};

type Named = Vec<(String, Variable<f32>)>;
type Tensors = Vec<(String, Tensor<f32>)>;

/// A seeded dense layer: "w" [3, 2] and "b" [2].
fn model() -> Named {
    let mut rng = StdRng::seed_from_u64(7);
    let w = Variable::new(Tensor::uniform(&[3, 2], -1.0, 1.0, &mut rng));
    let b = Variable::new(Tensor::uniform(&[2], -1.0, 1.0, &mut rng));
    vec![("w".into(), w), ("b".into(), b)]
}

/// `steps` steps on a fixed batch, with gradients from the tape.
fn train(optimizer: &mut dyn Optimizer<f32>, model: &Named, steps: usize) {
    let x = Tensor::from_vec((0..12).map(|i| (i as f32 - 5.0) / 4.0).collect(), &[4, 3]);
    let variables: Vec<Variable<f32>> = model.iter().map(|(_, v)| v.clone()).collect();
    for _ in 0..steps {
        let tape = Tape::new();
        let out =
            tape.watch(x.clone()).matmul(&tape.read(&variables[0])) + tape.read(&variables[1]);
        let loss = out.tanh().add_scalar(-0.5).square().sum(&[], false);
        let grads = tape.gradient(&loss, &variables);
        optimizer.apply_gradients(&grads, &variables);
    }
}

/// The model with these weights, in new variables.
fn model_holding(weights: &[Vec<f32>]) -> Named {
    let model = model();
    for ((_, variable), value) in model.iter().zip(weights) {
        variable.assign(Tensor::from_vec(value.clone(), &variable.shape()));
    }
    model
}

fn values(model: &Named) -> Vec<Vec<f32>> {
    model.iter().map(|(_, v)| v.value().to_vec()).collect()
}

#[test]
fn a_resumed_run_matches_an_uninterrupted_one_bit_for_bit() {
    let fresh = || {
        every_optimizer::<f32>()
            .into_iter()
            .map(|(_, optimizer)| optimizer)
    };
    let runs = every_optimizer::<f32>()
        .into_iter()
        .zip(fresh().zip(fresh().zip(fresh())));
    for ((name, mut uninterrupted), (mut first, (mut resumed, mut restarted))) in runs {
        let straight = model();
        train(&mut *uninterrupted, &straight, 7);

        // Stop after four steps; resume in a new "process": new variables (new ids) holding
        // the saved weights, and a new optimizer loading the saved state.
        let interrupted = model();
        train(&mut *first, &interrupted, 4);
        let (weights, state) = (values(&interrupted), first.state(&interrupted));
        let restored = model_holding(&weights);
        resumed.load_state(&restored, &state).unwrap();
        assert_eq!(resumed.steps(), 4, "{name}");
        train(&mut *resumed, &restored, 3);
        assert_eq!(
            values(&restored),
            values(&straight),
            "{name}: weights differ"
        );
        assert_eq!(
            resumed.state(&restored),
            uninterrupted.state(&straight),
            "{name}: state differs"
        );

        // Without the state the same three steps go elsewhere (SGD keeps no state but the count).
        let lost = model_holding(&weights);
        train(&mut *restarted, &lost, 3);
        assert_eq!(values(&lost) == values(&straight), name == "SGD", "{name}");
    }
}

#[test]
fn state_names_each_slot_after_its_variable() {
    let model = model();
    let mut momentum = Momentum::new(0.1, 0.9);
    let names = |m: &Momentum<f32>| {
        m.state(&model)
            .into_iter()
            .map(|(n, t)| (n, t.shape().to_vec()))
    };
    let expected = [
        ("steps", vec![1]),
        ("w.momentum", vec![3, 2]),
        ("b.momentum", vec![2]),
    ];
    let expected: Vec<(String, Vec<usize>)> = expected.map(|(n, s)| (n.to_string(), s)).into();
    assert_eq!(names(&momentum).collect::<Vec<_>>(), expected);
    // Before the first step the state is zeros, the state of a fresh optimizer.
    assert!(
        momentum.state(&model)[1]
            .1
            .to_vec()
            .iter()
            .all(|&x| x == 0.0)
    );
    train(&mut momentum, &model, 2);
    let state = momentum.state(&model);
    assert_eq!(state[0].1.to_vec(), vec![2.0]);
    assert!(state[1].1.to_vec().iter().any(|&x| x != 0.0));
}

/// Adam after two steps on the model, and its state.
fn trained_adam() -> (Adam<f32>, Named, Tensors) {
    let model = model();
    let mut adam = Adam::new(0.01);
    train(&mut adam, &model, 2);
    let state = adam.state(&model);
    (adam, model, state)
}

/// Loads `tensors` into a trained Adam, expects `error`, and checks that nothing changed.
fn refused(tensors: Tensors, error: StateError) {
    let (mut adam, model, before) = trained_adam();
    assert_eq!(adam.load_state(&model, &tensors), Err(error));
    assert_eq!(adam.state(&model), before);
}

fn edited(edit: impl FnOnce(&mut Tensors)) -> Tensors {
    let (_, _, mut state) = trained_adam();
    edit(&mut state);
    state
}

#[test]
fn a_missing_tensor_is_refused() {
    let tensors = edited(|s| s.retain(|(name, _)| name != "b.exp_avg"));
    refused(
        tensors,
        StateError::Missing {
            name: "b.exp_avg".into(),
        },
    );
}

#[test]
fn an_unknown_tensor_is_refused() {
    let tensors = edited(|s| s.push(("w.momentum".into(), Tensor::zeros(&[3, 2]))));
    refused(
        tensors,
        StateError::Unexpected {
            name: "w.momentum".into(),
        },
    );
}

#[test]
fn a_repeated_name_is_refused() {
    let tensors = edited(|s| s.push(("steps".into(), Tensor::from_vec(vec![2.0], &[1]))));
    refused(
        tensors,
        StateError::Duplicate {
            name: "steps".into(),
        },
    );
}

#[test]
fn a_wrong_shape_is_refused() {
    let tensors = edited(|s| s[4].1 = Tensor::zeros(&[3]));
    assert_eq!(tensors[4].0, "b.exp_avg_sq");
    refused(
        tensors,
        StateError::Shape {
            name: "b.exp_avg_sq".into(),
            expected: vec![2],
            found: vec![3],
        },
    );
}

#[test]
fn a_bad_step_count_is_refused() {
    let steps = |value: Vec<f32>| {
        let shape = [value.len()];
        edited(|s| s[0].1 = Tensor::from_vec(value, &shape))
    };
    refused(steps(vec![-1.0]), StateError::Steps { found: -1.0 });
    refused(steps(vec![2.5]), StateError::Steps { found: 2.5 });
    let (mut adam, model, before) = trained_adam();
    let error = adam.load_state(&model, &steps(vec![f32::NAN]));
    assert!(matches!(error, Err(StateError::Steps { found }) if found.is_nan()));
    assert_eq!(adam.state(&model), before);
    let found = vec![2];
    refused(
        steps(vec![2.0, 2.0]),
        StateError::Shape {
            name: "steps".into(),
            expected: vec![1],
            found,
        },
    );
}

#[test]
fn another_optimizers_state_is_refused() {
    let (_, model, adam_state) = trained_adam();
    let mut sgd = Sgd::new(0.1);
    let error = sgd.load_state(&model, &adam_state).unwrap_err();
    assert_eq!(
        error,
        StateError::Unexpected {
            name: "b.exp_avg".into()
        }
    );
    let momentum_state = Momentum::new(0.1, 0.9).state(&model);
    let error = Adam::new(0.1)
        .load_state(&model, &momentum_state)
        .unwrap_err();
    assert_eq!(
        error,
        StateError::Missing {
            name: "w.exp_avg".into()
        }
    );
}

#[test]
fn errors_say_what_is_wrong() {
    let shape = StateError::Shape {
        name: "w.exp_avg".into(),
        expected: vec![3, 2],
        found: vec![2, 3],
    };
    assert_eq!(
        shape.to_string(),
        "optimizer state: tensor \"w.exp_avg\" has shape [2, 3], expected [3, 2]"
    );
    let missing = StateError::Missing {
        name: "b.sum".into(),
    };
    assert_eq!(
        missing.to_string(),
        "optimizer state: no tensor named \"b.sum\""
    );
    let steps = StateError::Steps { found: -1.0 };
    assert_eq!(
        steps.to_string(),
        "optimizer state: \"steps\" holds -1, not a step count"
    );
}

#[test]
#[should_panic(expected = "state: two variables are named \"w\"")]
fn two_variables_with_one_name_panic() {
    let (_, model, _) = trained_adam();
    let twice = vec![model[0].clone(), ("w".to_string(), model[1].1.clone())];
    Adam::<f32>::new(0.1).state(&twice);
}

#[test]
fn a_scalar_step_count_is_accepted() {
    let (_, model, mut state) = trained_adam();
    state[0].1 = Tensor::scalar(2.0);
    let mut adam = Adam::new(0.01);
    adam.load_state(&model, &state).unwrap();
    assert_eq!(adam.steps(), 2);
}

/// A [2, 2] tensor whose storage is column-major: the transpose of `rows`.
fn transposed(rows: [[f32; 2]; 2]) -> Tensor<f32> {
    Tensor::from(ndarray::arr2(&rows).reversed_axes().into_shared())
}

#[test]
fn values_and_gradients_in_any_layout_update_element_by_element() {
    // The rules loop over contiguous slices; a transposed value or gradient must still meet
    // its own element, in every optimizer.
    for ((name, mut optimizer), (_, mut twin)) in
        every_optimizer().into_iter().zip(every_optimizer())
    {
        let (w, w_standard) = (
            [Variable::new(transposed([[1.0, 2.0], [3.0, 4.0]]))],
            [Variable::new(Tensor::from_vec(
                vec![1.0, 3.0, 2.0, 4.0],
                &[2, 2],
            ))],
        );
        let gradient = transposed([[0.5, -1.0], [2.0, 0.25]]);
        let gradient_standard = Tensor::from_vec(vec![0.5, 2.0, -1.0, 0.25], &[2, 2]);
        for _ in 0..3 {
            optimizer.apply_gradients(std::slice::from_ref(&gradient), &w);
            twin.apply_gradients(std::slice::from_ref(&gradient_standard), &w_standard);
        }
        assert_eq!(
            w[0].value().to_vec(),
            w_standard[0].value().to_vec(),
            "{name}"
        );
    }
}
