//! PyTorch's `state_dict` layout: the names of [`Module::state`], with the tensors PyTorch
//! stores transposed ([`Module::torch_transposed`], a [`Dense`](crate::Dense) weight) turned
//! round on the way out and back on the way in.

use super::options::assign;
use super::{LoadOptions, Result, save};
use crate::Module;
use descent_autograd::{Float, Tensor};
use std::path::Path;

/// The tensor with its axes reversed (a transpose, for a 2-D weight), in standard layout.
fn transposed<F: Float>(tensor: &Tensor<F>) -> Tensor<F> {
    Tensor::from(tensor.array().t().as_standard_layout().into_owned())
}

/// The module's state in PyTorch's layout: names as [`Module::state`], the tensors named by
/// [`Module::torch_transposed`] transposed.
fn torch_state<F: Float, M: Module<F> + ?Sized>(module: &M) -> Vec<(String, Tensor<F>)> {
    let transpose = module.torch_transposed();
    let state = module.state().into_iter();
    state
        .map(|(name, v)| match transpose.contains(&name) {
            true => (name, transposed(&v.value())),
            false => (name, v.value()),
        })
        .collect()
}

/// Saves a module as PyTorch's `state_dict` would hold it, so that for a [`Sequential`] of
/// [`Dense`] layers and activations
/// `torch.nn.Sequential(...).load_state_dict(safetensors.torch.load_file(path), strict=True)`
/// loads it into the matching `nn.Linear` layers and gives the same predictions
/// (`scripts/torch_state_dict.py` checks it). Convolutions, `LayerNorm` and `Embedding` share
/// PyTorch's layout already; BatchNorm is not supported (PyTorch adds a `num_batches_tracked`
/// counter that descent does not keep).
///
/// [`Sequential`]: crate::Sequential
/// [`Dense`]: crate::Dense
///
/// ```
/// use descent_autograd::Tensor;
/// use descent_layers::{Dense, Module, Relu, Sequential, checkpoint};
/// use rand::{SeedableRng, rngs::StdRng};
///
/// let mut rng = StdRng::seed_from_u64(0);
/// let model = Sequential::<f32>::new().push(Dense::new(4, 3, &mut rng)).push(Relu);
/// let path = std::env::temp_dir().join(format!("descent-doc-torch-{}.safetensors", std::process::id()));
/// checkpoint::save_torch(&path, &model)?;
///
/// let stored = checkpoint::load::<f32>(&path)?; // sorted by name
/// assert_eq!(stored[1].0, "0.weight");
/// assert_eq!(stored[1].1.shape(), [3, 4]); // nn.Linear(4, 3).weight is [out, in]
///
/// let copy = Sequential::<f32>::new().push(Dense::new(4, 3, &mut rng)).push(Relu);
/// checkpoint::load_torch(&path, &copy)?;
/// let x = Tensor::ones(&[2, 4]);
/// assert_eq!(copy.predict(&x), model.predict(&x));
/// # std::fs::remove_file(&path).unwrap();
/// # Ok::<(), checkpoint::CheckpointError>(())
/// ```
///
/// # Errors
/// As [`save`].
pub fn save_torch<F: Float, M: Module<F> + ?Sized>(
    path: impl AsRef<Path>,
    module: &M,
) -> Result<()> {
    save(path, &torch_state(module))
}

/// Loads a state saved in PyTorch's layout (by [`save_torch`], or by PyTorch:
/// `safetensors.torch.save_file(model.state_dict(), path)`) into a module of the same
/// structure. Files without descent's checksums are accepted, since PyTorch writes none
/// (checksums a file has are verified). As with [`load_module`](super::load_module), all is
/// checked before anything is assigned; shapes in errors are in descent's layout.
///
/// # Errors
/// As [`load_module`](super::load_module), less [`Unverified`](super::CheckpointError::Unverified).
pub fn load_torch<F: Float, M: Module<F> + ?Sized>(
    path: impl AsRef<Path>,
    module: &M,
) -> Result<()> {
    let path = path.as_ref();
    let transpose = module.torch_transposed();
    let stored = LoadOptions::new().allow_unverified().load(path)?;
    let stored = stored
        .into_iter()
        .map(|(name, t)| match transpose.contains(&name) {
            true => (name, transposed(&t)),
            false => (name, t),
        });
    assign(path, stored.collect(), module)
}
