//! Every op that takes an axis accepts it counted from the end: `-k` is axis `rank − k`, with
//! the same value as the positive spelling.

use descent_autograd::{Tape, Tensor, Var};

#[test]
fn negative_axes_equal_their_positive_spelling() {
    let tape = Tape::new();
    let values: Vec<f64> = (0..24).map(|i| ((i * 7) % 11) as f64 - 5.0).collect();
    let x = tape.watch(Tensor::from_vec(values, &[2, 3, 4]));
    let ids = Tensor::from_vec(vec![3, 0, 3], &[3]);
    type Pair<'t> = (&'static str, Var<'t, f64>, Var<'t, f64>);
    let pairs: Vec<Pair<'_>> = vec![
        ("sum", x.sum(-1, false), x.sum(2, false)),
        ("sum", x.sum((0, -1), true), x.sum(&[0, 2], true)),
        ("mean", x.mean(-2, false), x.mean(1, false)),
        ("max", x.max(-1, true), x.max(2, true)),
        ("min", x.min((-3, -2), false), x.min(&[0, 1], false)),
        ("logsumexp", x.logsumexp(-1, false), x.logsumexp(2, false)),
        ("variance", x.variance(-1, false), x.variance(2, false)),
        ("std", x.std(-2, true), x.std(1, true)),
        ("prod", x.prod(-1, false), x.prod(2, false)),
        ("norm", x.norm((-2, -1), false), x.norm(&[1, 2], false)),
        ("cumsum", x.cumsum(-2), x.cumsum(1)),
        ("softmax", x.softmax(-1), x.softmax(2)),
        ("log_softmax", x.log_softmax(-3), x.log_softmax(0)),
        ("slice", x.slice(-1, 1, 3), x.slice(2, 1, 3)),
        ("concat", Var::concat(&[x, x], -2), Var::concat(&[x, x], 1)),
        ("stack", Var::stack(&[x, x], -1), Var::stack(&[x, x], 3)),
        (
            "index_select",
            x.index_select(-1, &ids),
            x.index_select(2, &ids),
        ),
        (
            "scatter_add",
            x.scatter_add(-2, &ids, 5),
            x.scatter_add(1, &ids, 5),
        ),
        ("flatten", x.flatten(-2), x.flatten(1)),
        ("permute", x.permute((-1, 0, -2)), x.permute(&[2, 0, 1])),
        (
            "cosine_similarity",
            x.cosine_similarity(&x.sin(), -1),
            x.cosine_similarity(&x.sin(), 2),
        ),
    ];
    for (name, negative, positive) in pairs {
        assert_eq!(negative.shape(), positive.shape(), "{name}");
        assert_eq!(
            negative.value().to_vec(),
            positive.value().to_vec(),
            "{name}"
        );
    }
}

#[test]
#[should_panic(
    expected = "cumsum: axis -4 is out of range for shape [2, 3, 4] (rank 3: axes -3..=2)"
)]
fn an_axis_below_minus_rank_panics_naming_op_axis_and_rank() {
    let tape = Tape::new();
    tape.watch(Tensor::<f32>::zeros(&[2, 3, 4])).cumsum(-4);
}

#[test]
#[should_panic(expected = "stack: axis -4 is out of range for shape [3, 1]")]
fn stack_counts_negative_axes_over_the_result() {
    let tape = Tape::new();
    let a = tape.watch(Tensor::<f32>::zeros(&[3]));
    assert_eq!(Var::stack(&[a, a], -2).shape().as_slice(), &[2, 3]);
    Var::stack(&[a, a], -4);
}
