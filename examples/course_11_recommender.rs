//! Course, lesson 11: a recommender by matrix factorisation.
//!
//! The ratings of 300 users for 200 items are made of a global mean, a bias per user and per
//! item, and a low-rank interaction (rank 4) plus noise:
//!
//! ```text
//! r(u, i) = μ + b_u + c_i + p_u · q_i + ε,   ε ~ N(0, 0.25²)
//! ```
//!
//! Only 10% of the entries are observed; 80% of those train, 20% are held out. The model learns
//! the same form, with user and item embeddings p_u, q_i of size k (`Embedding`), by full-batch
//! Adam (150 steps) on the squared error of the observed entries plus weight decay λ(‖p_u‖² + ‖q_i‖²).
//! Held-out RMSE is compared with two baselines, the global mean and the biases alone, and
//! then for several embedding sizes and weight decays: with too little decay a large k fits
//! the noise of 4,800 ratings, and the held-out error rises.
//!
//! Run it with `cargo run --release --example course_11_recommender`.

use descent::prelude::*;
use descent::rand::{RngExt, rngs::StdRng};

const USERS: usize = 300;
const ITEMS: usize = 200;
const RANK: usize = 4;
const NOISE: f64 = 0.25;
const STEPS: usize = 150;

/// Observed ratings: user ids, item ids and ratings, as tensors.
struct Ratings {
    users: Tensor<usize>,
    items: Tensor<usize>,
    ratings: Tensor<f64>,
}

impl Ratings {
    fn from(entries: &[(usize, usize, f64)]) -> Ratings {
        let n = entries.len();
        Ratings {
            users: Tensor::from_vec(entries.iter().map(|e| e.0).collect(), &[n]),
            items: Tensor::from_vec(entries.iter().map(|e| e.1).collect(), &[n]),
            ratings: Tensor::from_vec(entries.iter().map(|e| e.2).collect(), &[n]),
        }
    }
}

/// The model: μ + b_u + c_i + p_u · q_i (the interaction only when k > 0).
struct Factorisation {
    mean: Variable<f64>,
    user_bias: Embedding<f64>,
    item_bias: Embedding<f64>,
    users: Embedding<f64>,
    items: Embedding<f64>,
    k: usize,
}

impl Factorisation {
    fn new(k: usize, mean: f64, rng: &mut StdRng) -> Factorisation {
        let small = |rows: usize, rng: &mut StdRng| {
            Embedding::from_tensor(Tensor::normal(&[rows, k.max(1)], 0.0, 0.1, rng))
        };
        Factorisation {
            mean: Variable::named("mean", Tensor::scalar(mean)),
            user_bias: Embedding::from_tensor(Tensor::zeros(&[USERS, 1])),
            item_bias: Embedding::from_tensor(Tensor::zeros(&[ITEMS, 1])),
            users: small(USERS, rng),
            items: small(ITEMS, rng),
            k,
        }
    }

    fn variables(&self) -> Vec<Variable<f64>> {
        let mut vs = vec![
            self.mean.clone(),
            self.user_bias.weight().clone(),
            self.item_bias.weight().clone(),
        ];
        if self.k > 0 {
            vs.extend([self.users.weight().clone(), self.items.weight().clone()]);
        }
        vs
    }

    /// Predictions for the pairs of `data`, and the mean squared embedding norm (for the decay).
    fn predict<'t>(&self, tape: &'t Tape<f64>, data: &Ratings) -> (Var<'t, f64>, Var<'t, f64>) {
        let n = data.users.len();
        let biases = self
            .user_bias
            .lookup(tape, &data.users)
            .add(&self.item_bias.lookup(tape, &data.items))
            .reshape(&[n]);
        let prediction = biases.add(&tape.read(&self.mean));
        if self.k == 0 {
            return (prediction, tape.watch(Tensor::scalar(0.0)));
        }
        let (p, q) = (
            self.users.lookup(tape, &data.users),
            self.items.lookup(tape, &data.items),
        );
        let interaction = p.mul(&q).sum(&[1], false);
        let norms = p
            .square()
            .add(&q.square())
            .sum(&[1], false)
            .mean(&[], false);
        (prediction.add(&interaction), norms)
    }

    fn rmse(&self, data: &Ratings) -> f64 {
        let tape = Tape::new();
        let (prediction, _) = self.predict(&tape, data);
        prediction
            .mse(&tape.watch(data.ratings.clone()))
            .item()
            .sqrt()
    }

    /// Full-batch Adam (0.1) on the squared error plus `decay` × the embeddings' squared norm.
    fn fit(&self, train: &Ratings, decay: f64) {
        let variables = self.variables();
        let mut optimizer = Adam::new(0.1);
        for _ in 0..STEPS {
            let tape = Tape::new();
            let (prediction, norms) = self.predict(&tape, train);
            let loss = prediction
                .mse(&tape.watch(train.ratings.clone()))
                .add(&norms.mul_scalar(decay));
            let grads = tape.gradient(&loss, &variables);
            optimizer.apply_gradients(&grads, &variables);
        }
    }
}

fn main() {
    // The hidden truth and 10% of its entries, seeded.
    let mut rng = StdRng::seed_from_u64(7);
    let user_bias = Tensor::<f64>::normal(&[USERS], 0.0, 0.5, &mut rng).to_vec();
    let item_bias = Tensor::<f64>::normal(&[ITEMS], 0.0, 0.5, &mut rng).to_vec();
    let p = Tensor::<f64>::normal(&[USERS, RANK], 0.0, 0.6, &mut rng).to_vec();
    let q = Tensor::<f64>::normal(&[ITEMS, RANK], 0.0, 0.6, &mut rng).to_vec();
    let noise = Tensor::<f64>::normal(&[USERS, ITEMS], 0.0, NOISE, &mut rng).to_vec();
    let mut entries = vec![];
    for u in 0..USERS {
        for i in 0..ITEMS {
            if rng.random::<f64>() < 0.1 {
                let dot: f64 = (0..RANK).map(|r| p[u * RANK + r] * q[i * RANK + r]).sum();
                entries.push((
                    u,
                    i,
                    3.5 + user_bias[u] + item_bias[i] + dot + noise[u * ITEMS + i],
                ));
            }
        }
    }
    let (train_rows, test_rows) = train_test_split(entries.len(), 0.2, 0);
    let pick = |rows: &[usize]| rows.iter().map(|&r| entries[r]).collect::<Vec<_>>();
    let (train, test) = (
        Ratings::from(&pick(&train_rows)),
        Ratings::from(&pick(&test_rows)),
    );
    println!(
        "{USERS} users × {ITEMS} items, rank {RANK} + noise {NOISE}: {} ratings observed ({:.1}%), {} to train, {} held out\n",
        entries.len(),
        100.0 * entries.len() as f64 / (USERS * ITEMS) as f64,
        train.users.len(),
        test.users.len()
    );

    // Baseline 1: predict the training mean for everything.
    let mean = train.ratings.to_vec().iter().sum::<f64>() / train.users.len() as f64;
    let test_ratings = test.ratings.to_vec();
    let global = (test_ratings.iter().map(|r| (r - mean).powi(2)).sum::<f64>()
        / test_ratings.len() as f64)
        .sqrt();
    // Baseline 2: the biases alone (k = 0).
    let mut rng = StdRng::seed_from_u64(0);
    let biases = Factorisation::new(0, mean, &mut rng);
    biases.fit(&train, 0.0);
    let bias_rmse = biases.rmse(&test);
    println!("held-out RMSE (the noise alone is {NOISE}):");
    println!("  global mean            {global:.4}");
    println!("  user and item biases   {bias_rmse:.4}");

    let mut results = vec![];
    println!("\n  embedding size k, weight decay λ → training RMSE, held-out RMSE");
    let settings = [(2, 0.01), (4, 0.0), (4, 0.01), (16, 0.0), (16, 0.01)];
    for (k, decay) in settings {
        let model = Factorisation::new(k, mean, &mut rng);
        model.fit(&train, decay);
        let (train_rmse, test_rmse) = (model.rmse(&train), model.rmse(&test));
        println!("  k {k:2}, λ {decay:<5}  {train_rmse:.4}  {test_rmse:.4}");
        results.push(((k, decay), train_rmse, test_rmse));
    }
    let find = |k, decay| {
        results
            .iter()
            .find(|r| r.0 == (k, decay))
            .map(|r| (r.1, r.2))
            .expect("trained")
    };
    let (best, best_rmse) = results
        .iter()
        .map(|r| (r.0, r.2))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .expect("results");
    println!(
        "\nbest: k {}, λ {} with held-out RMSE {best_rmse:.4}",
        best.0, best.1
    );

    // Each model beats the one before: mean < biases < factorisation.
    assert!(
        bias_rmse < global,
        "the biases did not beat the global mean"
    );
    assert!(
        best_rmse < 0.8 * bias_rmse,
        "factorisation did not beat the biases by 20%"
    );
    // With the right size and some decay it gets near the noise floor.
    assert!(
        find(RANK, 0.01).1 < 2.0 * NOISE,
        "k = {RANK} is far from the noise floor"
    );
    // Too small an embedding underfits: k = 2 cannot express rank 4.
    assert!(find(2, 0.01).1 > find(RANK, 0.01).1);
    // A large embedding without decay overfits: it fits the training ratings better than the
    // right size and predicts the held-out ones worse; decay brings it back.
    let (free_train, free_test) = find(16, 0.0);
    assert!(
        free_train < find(RANK, 0.01).0 && free_test > find(RANK, 0.01).1,
        "k = 16 did not overfit"
    );
    assert!(
        find(16, 0.01).1 < free_test,
        "weight decay did not help k = 16"
    );
}
