//! Programmer errors panic with a message that names the op and the shapes (or the index, axis
//! or bound) involved: one test per op family, each with the exact message prefix.

use descent_autograd::{Reduction, Tape, Tensor, Var};

fn zeros<'t>(tape: &'t Tape<f64>, shape: &[usize]) -> Var<'t, f64> {
    tape.watch(Tensor::zeros(shape))
}

fn ids(values: &[usize]) -> Tensor<usize> {
    Tensor::from_vec(values.to_vec(), &[values.len()])
}

// Elementwise binary ops.

#[test]
#[should_panic(expected = "add: cannot broadcast shapes [2, 3] and [4]")]
fn add_names_both_shapes() {
    let tape = Tape::new();
    zeros(&tape, &[2, 3]).add(&zeros(&tape, &[4]));
}

#[test]
#[should_panic(expected = "add: cannot broadcast shapes [2, 3] and [4]")]
fn add_operator_names_both_shapes() {
    let tape = Tape::new();
    let _ = zeros(&tape, &[2, 3]) + zeros(&tape, &[4]);
}

#[test]
#[should_panic(expected = "add: cannot broadcast shapes [2, 3] and [3, 2]")]
fn tensor_add_names_both_shapes() {
    Tensor::<f32>::zeros(&[2, 3]).add(&Tensor::zeros(&[3, 2]));
}

#[test]
#[should_panic(expected = "mul: cannot broadcast shapes [5, 1, 3] and [4, 2]")]
fn mul_names_both_shapes() {
    let tape = Tape::new();
    zeros(&tape, &[5, 1, 3]).mul(&zeros(&tape, &[4, 2]));
}

#[test]
#[should_panic(expected = "sub: cannot broadcast shapes [2, 3] and [2]")]
fn sub_names_both_shapes() {
    let tape = Tape::new();
    zeros(&tape, &[2, 3]).sub(&zeros(&tape, &[2]));
}

#[test]
#[should_panic(expected = "sub: cannot broadcast shapes [2, 3] and [2]")]
fn sub_operator_names_both_shapes() {
    let tape = Tape::new();
    let _ = zeros(&tape, &[2, 3]) - zeros(&tape, &[2]);
}

#[test]
#[should_panic(expected = "div: cannot broadcast shapes [3] and [2, 2]")]
fn div_names_both_shapes() {
    let tape = Tape::new();
    zeros(&tape, &[3]).div(&zeros(&tape, &[2, 2]));
}

#[test]
#[should_panic(expected = "minimum: cannot broadcast shapes [2, 3] and [2, 4]")]
fn minimum_names_both_shapes() {
    let tape = Tape::new();
    zeros(&tape, &[2, 3]).minimum(&zeros(&tape, &[2, 4]));
}

#[test]
#[should_panic(expected = "maximum: cannot broadcast shapes [4] and [3]")]
fn maximum_names_both_shapes() {
    let tape = Tape::new();
    zeros(&tape, &[4]).maximum(&zeros(&tape, &[3]));
}

#[test]
#[should_panic(expected = "select: cannot broadcast shapes [2, 3] and [2]")]
fn select_values_name_both_shapes() {
    let tape = Tape::new();
    let mask = Tensor::full(&[2, 3], true);
    Var::select(&mask, &zeros(&tape, &[2, 3]), &zeros(&tape, &[2]));
}

#[test]
#[should_panic(expected = "select: values do not broadcast to the mask's shape: [2, 3] and [3]")]
fn select_mask_names_both_shapes() {
    let tape = Tape::new();
    let mask = Tensor::full(&[3], true);
    Var::select(&mask, &zeros(&tape, &[2, 3]), &zeros(&tape, &[3]));
}

// Products.

#[test]
#[should_panic(expected = "matmul: cannot multiply [64, 784] and [128, 10]")]
fn matmul_inner_dimensions() {
    let tape = Tape::new();
    zeros(&tape, &[64, 784]).matmul(&zeros(&tape, &[128, 10]));
}

#[test]
#[should_panic(expected = "matmul: needs at least 2-D operands, got [3] and [3, 2]")]
fn matmul_needs_matrices() {
    let tape = Tape::new();
    zeros(&tape, &[3]).matmul(&zeros(&tape, &[3, 2]));
}

#[test]
#[should_panic(expected = "matmul: batch dimensions do not broadcast: [2, 3, 4] and [3, 4, 5]")]
fn matmul_batch_dimensions() {
    let tape = Tape::new();
    zeros(&tape, &[2, 3, 4]).matmul(&zeros(&tape, &[3, 4, 5]));
}

#[test]
#[should_panic(expected = "linear: cannot multiply [8, 3] and [4, 2]")]
fn linear_weight() {
    let tape = Tape::new();
    zeros(&tape, &[8, 3]).linear(&zeros(&tape, &[4, 2]), &zeros(&tape, &[2]));
}

#[test]
#[should_panic(expected = "linear: bias must match the weight's columns: [3] and [4, 2]")]
fn linear_bias() {
    let tape = Tape::new();
    zeros(&tape, &[8, 4]).linear(&zeros(&tape, &[4, 2]), &zeros(&tape, &[3]));
}

// Reductions: a bad axis.

#[test]
#[should_panic(expected = "sum: axis 2 is out of range for shape [2, 3]")]
fn sum_axis() {
    let tape = Tape::new();
    zeros(&tape, &[2, 3]).sum(&[0, 2], false);
}

#[test]
#[should_panic(expected = "mean: axis 3 is out of range for shape [2, 3]")]
fn mean_axis() {
    let tape = Tape::new();
    zeros(&tape, &[2, 3]).mean(&[3], true);
}

#[test]
#[should_panic(expected = "max: axis 1 is out of range for shape [4]")]
fn max_axis() {
    let tape = Tape::new();
    zeros(&tape, &[4]).max(&[1], false);
}

#[test]
#[should_panic(expected = "min: axis 1 is out of range for shape [4]")]
fn min_axis() {
    let tape = Tape::new();
    zeros(&tape, &[4]).min(&[1], false);
}

#[test]
#[should_panic(expected = "variance: axis 2 is out of range for shape [2, 2]")]
fn variance_axis() {
    let tape = Tape::new();
    zeros(&tape, &[2, 2]).variance(&[2], false);
}

#[test]
#[should_panic(expected = "logsumexp: axis 2 is out of range for shape [2, 2]")]
fn logsumexp_axis() {
    let tape = Tape::new();
    zeros(&tape, &[2, 2]).logsumexp(&[2], false);
}

#[test]
#[should_panic(expected = "softmax: axis 2 is out of range for shape [2, 2]")]
fn softmax_axis() {
    let tape = Tape::new();
    zeros(&tape, &[2, 2]).softmax(2);
}

#[test]
#[should_panic(expected = "log_softmax: axis 1 is out of range for shape [3]")]
fn log_softmax_axis() {
    let tape = Tape::new();
    zeros(&tape, &[3]).log_softmax(1);
}

// Shapes.

#[test]
#[should_panic(expected = "reshape: cannot reshape [2, 3] and [4]")]
fn reshape_element_count() {
    let tape = Tape::new();
    zeros(&tape, &[2, 3]).reshape(&[4]);
}

#[test]
#[should_panic(expected = "permute: [0, 0] is not a permutation of the axes of shape [2, 3]")]
fn permute_repeated_axis() {
    let tape = Tape::new();
    zeros(&tape, &[2, 3]).permute(&[0, 0]);
}

#[test]
#[should_panic(expected = "permute: [1, 0] is not a permutation of the axes of shape [2, 3, 4]")]
fn permute_wrong_length() {
    let tape = Tape::new();
    zeros(&tape, &[2, 3, 4]).permute(&[1, 0]);
}

#[test]
#[should_panic(expected = "transpose: needs at least 2 axes, not shape [3]")]
fn transpose_of_a_vector() {
    let tape = Tape::new();
    zeros(&tape, &[3]).transpose();
}

#[test]
#[should_panic(expected = "transpose: needs at least 2 axes, not shape [3]")]
fn tensor_transpose_of_a_vector() {
    Tensor::<f32>::zeros(&[3]).transpose();
}

#[test]
#[should_panic(expected = "broadcast_to: cannot broadcast [2, 3] and [3]")]
fn broadcast_to_smaller() {
    let tape = Tape::new();
    zeros(&tape, &[2, 3]).broadcast_to(&[3]);
}

#[test]
#[should_panic(expected = "broadcast_to: cannot broadcast [2] and [2, 3]")]
fn broadcast_to_incompatible() {
    let tape = Tape::new();
    zeros(&tape, &[2]).broadcast_to(&[2, 3]);
}

#[test]
#[should_panic(expected = "slice: range 1..5 is out of bounds for axis 0 of shape [4, 2]")]
fn slice_range() {
    let tape = Tape::new();
    zeros(&tape, &[4, 2]).slice(0, 1, 5);
}

#[test]
#[should_panic(expected = "slice: range 2..1 is out of bounds for axis 1 of shape [4, 2]")]
fn slice_reversed_range() {
    let tape = Tape::new();
    zeros(&tape, &[4, 2]).slice(1, 2, 1);
}

#[test]
#[should_panic(expected = "slice: axis 2 is out of range for shape [4, 2]")]
fn slice_axis() {
    let tape = Tape::new();
    zeros(&tape, &[4, 2]).slice(2, 0, 1);
}

#[test]
#[should_panic(expected = "concat: cannot join [2, 3] and [2, 4] along axis 0")]
fn concat_shapes() {
    let tape = Tape::new();
    Var::concat(&[zeros(&tape, &[2, 3]), zeros(&tape, &[2, 4])], 0);
}

#[test]
#[should_panic(expected = "concat: axis 2 is out of range for shape [2, 3]")]
fn concat_axis() {
    let tape = Tape::new();
    Var::concat(&[zeros(&tape, &[2, 3]), zeros(&tape, &[2, 3])], 2);
}

#[test]
#[should_panic(expected = "concat: nothing to join")]
fn concat_nothing() {
    Var::<f64>::concat(&[], 0);
}

#[test]
#[should_panic(expected = "stack: cannot stack shapes [2, 3] and [3, 2]")]
fn stack_shapes_with_the_same_element_count() {
    // Same number of elements: without its own check, stack would reshape silently.
    let tape = Tape::new();
    Var::stack(&[zeros(&tape, &[2, 3]), zeros(&tape, &[3, 2])], 0);
}

#[test]
#[should_panic(expected = "stack: cannot stack shapes [2, 3] and [2, 4]")]
fn stack_shapes() {
    let tape = Tape::new();
    Var::stack(&[zeros(&tape, &[2, 3]), zeros(&tape, &[2, 4])], 1);
}

#[test]
#[should_panic(expected = "stack: axis 3 is out of range for shape [2, 3, 1]")]
fn stack_axis() {
    let tape = Tape::new();
    Var::stack(&[zeros(&tape, &[2, 3]), zeros(&tape, &[2, 3])], 3);
}

#[test]
#[should_panic(expected = "stack: nothing to stack")]
fn stack_nothing() {
    Var::<f64>::stack(&[], 0);
}

// Integer indices.

#[test]
#[should_panic(expected = "index_select: index 3 is out of range for axis 0 of length 3")]
fn index_select_index() {
    let tape = Tape::new();
    zeros(&tape, &[3, 2]).index_select(0, &ids(&[0, 3]));
}

#[test]
#[should_panic(expected = "index_select: indices must be 1-D, not shape [1, 2]")]
fn index_select_indices_shape() {
    let tape = Tape::new();
    zeros(&tape, &[3, 2]).index_select(0, &Tensor::from_vec(vec![0, 1], &[1, 2]));
}

#[test]
#[should_panic(expected = "index_select: axis 2 is out of range for shape [3, 2]")]
fn index_select_axis() {
    let tape = Tape::new();
    zeros(&tape, &[3, 2]).index_select(2, &ids(&[0]));
}

#[test]
#[should_panic(expected = "scatter_add: index 4 is out of range for axis 1 of length 4")]
fn scatter_add_index() {
    let tape = Tape::new();
    zeros(&tape, &[2, 3]).scatter_add(1, &ids(&[0, 4, 1]), 4);
}

#[test]
#[should_panic(expected = "scatter_add: 2 indices for axis 0 of shape [3, 2]")]
fn scatter_add_index_count() {
    let tape = Tape::new();
    zeros(&tape, &[3, 2]).scatter_add(0, &ids(&[0, 1]), 4);
}

#[test]
#[should_panic(expected = "cross_entropy: label 4 is out of range for 4 classes")]
fn cross_entropy_label() {
    let tape = Tape::new();
    zeros(&tape, &[2, 4]).cross_entropy(&ids(&[1, 4]));
}

#[test]
#[should_panic(
    expected = "cross_entropy: logits must be [n, classes, …] with labels [n, …], got [3, 4] and [2]"
)]
fn cross_entropy_batch() {
    let tape = Tape::new();
    zeros(&tape, &[3, 4]).cross_entropy(&ids(&[1, 0]));
}

#[test]
#[should_panic(
    expected = "cross_entropy: logits must be [n, classes, …] with labels [n, …], got [4] and [4]"
)]
fn cross_entropy_logits_rank() {
    let tape = Tape::new();
    zeros(&tape, &[4]).cross_entropy(&ids(&[1, 0, 1, 0]));
}

#[test]
#[should_panic(
    expected = "cross_entropy: logits must be [n, classes, …] with labels [n, …], got [2, 3, 4] and [2, 3]"
)]
fn cross_entropy_spatial_labels() {
    let tape = Tape::new();
    zeros(&tape, &[2, 3, 4]).cross_entropy(&Tensor::from_vec(vec![0; 6], &[2, 3]));
}

#[test]
#[should_panic(expected = "nll_loss: label 3 is out of range for 3 classes")]
fn nll_loss_label() {
    let tape = Tape::new();
    zeros(&tape, &[2, 3]).nll_loss(&ids(&[1, 3]));
}

#[test]
#[should_panic(expected = "cross_entropy: label_smoothing must be in [0, 1], got 1.5")]
fn cross_entropy_smoothing() {
    let tape = Tape::new();
    zeros(&tape, &[2, 3]).cross_entropy_with(&ids(&[1, 0]), 1.5, Reduction::Mean);
}

#[test]
#[should_panic(
    expected = "softmax: axis -3 is out of range for shape [2, 2] (rank 2: axes -2..=1)"
)]
fn negative_axis_out_of_range_names_op_axis_and_rank() {
    let tape = Tape::new();
    zeros(&tape, &[2, 2]).softmax(-3);
}

// Bounds and constructors.

#[test]
#[should_panic(expected = "clamp: low bound 1 is above high bound 0")]
fn clamp_bounds() {
    let tape = Tape::new();
    zeros(&tape, &[2]).clamp(1.0, 0.0);
}

#[test]
#[should_panic(expected = "Tensor::from_vec: 5 values cannot fill shape [2, 3]")]
fn from_vec_length() {
    Tensor::from_vec(vec![0.0f32; 5], &[2, 3]);
}

#[test]
#[should_panic(expected = "Tensor::from_vec: 0 values cannot fill shape [1, 1]")]
fn from_vec_empty() {
    assert_eq!(Tensor::from_vec(vec![1.0f64], &[]).item(), 1.0); // a scalar is fine
    Tensor::<f64>::from_vec(vec![], &[1, 1]);
}

#[test]
#[should_panic(expected = "item: tensor of shape [2] is not a single value")]
fn item_of_a_vector() {
    Tensor::<f32>::zeros(&[2]).item();
}
