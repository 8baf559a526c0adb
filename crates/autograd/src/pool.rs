//! Reuse instead of allocation: what one training step frees, the next one takes again.
//!
//! A training step builds a tape, computes values and gradients of the same shapes as the step
//! before it, and drops them all. Rather than hand that memory back to the allocator and ask for
//! it again, a dropped tape gives its values' storage (and its own node list) to a per-thread
//! store of spares, and the next step's ops take from it. After the first step nothing new is
//! allocated. Only storage nothing else shares is taken back (a value the user still holds, or
//! a variable's own tensor, is left alone), and the store keeps at most [`MAX_SPARE_BYTES`]
//! per element type, so a program that stops training gives back all but that.

use crate::{Float, Tensor};
use ndarray::{ArcArray, IxDyn};
use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The most bytes of spare tensor storage kept per thread and element type (256 MiB).
const MAX_SPARE_BYTES: usize = 256 << 20;

thread_local! {
    /// One list of spares per type (`Vec<T>` for spares of type `T`), tagged with the type's
    /// id so that finding it compares ids without a call through each list's vtable.
    static SPARES: RefCell<Vec<(TypeId, Box<dyn Any>)>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on this thread's spares of type `T`.
fn with_spares<T: 'static, R>(f: impl FnOnce(&mut Vec<T>) -> R) -> R {
    SPARES.with(|cell| {
        let mut lists = cell.borrow_mut();
        let id = TypeId::of::<Vec<T>>();
        let index = match lists.iter().position(|(of, _)| *of == id) {
            Some(index) => index,
            None => {
                lists.push((id, Box::new(Vec::<T>::new())));
                lists.len() - 1
            }
        };
        f(lists[index]
            .1
            .downcast_mut()
            .expect("the list holds spares of T"))
    })
}

thread_local! {
    /// The tensor storage store of each built-in element type, reached without the search
    /// and downcast of [`with_spares`]: it is on every op's path (two lookups per op).
    static STORAGE_F32: RefCell<Storage<f32>> = RefCell::new(Storage::default());
    static STORAGE_F64: RefCell<Storage<f64>> = RefCell::new(Storage::default());
}

/// Runs `f` on this thread's spare tensor storage of element type `F`.
fn with_storage<F: Float, R>(f: impl FnOnce(&mut Storage<F>) -> R) -> R {
    fn open<T: 'static, F: 'static>(store: &mut Storage<T>) -> &mut Storage<F> {
        (store as &mut dyn Any)
            .downcast_mut()
            .expect("called for its own type")
    }
    let id = TypeId::of::<F>(); // the branches below are decided at compile time
    if id == TypeId::of::<f32>() {
        STORAGE_F32.with(|cell| f(open(&mut cell.borrow_mut())))
    } else if id == TypeId::of::<f64>() {
        STORAGE_F64.with(|cell| f(open(&mut cell.borrow_mut())))
    } else {
        with_spares(|spares: &mut Vec<Storage<F>>| f(first(spares)))
    }
}

/// A spare `T` (an empty one when there is none).
pub(crate) fn take<T: Default + 'static>() -> T {
    with_spares(Vec::pop).unwrap_or_default()
}

/// Keeps `spare` for a later [`take`] (callers clear it first).
pub(crate) fn give<T: 'static>(spare: T) {
    with_spares(|spares| spares.push(spare));
}

/// `len` zeros in a `Vec` taken from this thread's spares and given back when dropped: scratch and index buffers that
/// allocate nothing once training is steady (a buffer only grows, so after a step or two every
/// spare fits every use). Drop it on the thread that made it: one made on the helper thread and
/// dropped on the caller's would be a new allocation there, and one more spare here, every step.
pub(crate) struct SpareVec<T: 'static>(pub(crate) Vec<T>);

impl<T: Copy + Default + 'static> SpareVec<T> {
    /// A spare of `len` elements, each `T::default()`.
    pub(crate) fn zeroed(len: usize) -> Self {
        let mut values: Vec<T> = take();
        values.clear();
        values.resize(len, T::default());
        SpareVec(values)
    }

    /// A spare of `len` elements holding what its last use left (`T::default()` where it
    /// grows): for a buffer the caller writes whole, without a pass of zeros first.
    pub(crate) fn overwritten(len: usize) -> Self {
        let mut values: Vec<T> = take();
        values.truncate(len);
        values.resize(len, T::default());
        SpareVec(values)
    }
}

impl<T: 'static> Drop for SpareVec<T> {
    fn drop(&mut self) {
        give(std::mem::take(&mut self.0));
    }
}

/// Spare tensor storage of one element type, by length.
struct Storage<F> {
    by_len: HashMap<usize, Spares<F>, BuildHasherDefault<LenHasher>>,
    /// Elements held in all lists.
    elements: usize,
}

impl<F> Default for Storage<F> {
    fn default() -> Self {
        Storage {
            by_len: HashMap::default(),
            elements: 0,
        }
    }
}

/// Hashes a length with one multiplication (Fibonacci hashing) instead of SipHash: the keys are
/// a step's tensor lengths, not input an attacker chooses, and the lookup is on every op's path.
#[derive(Default)]
struct LenHasher(u64);

impl Hasher for LenHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        bytes.iter().for_each(|&b| self.write_u64(u64::from(b)));
    }
    fn write_usize(&mut self, len: usize) {
        self.write_u64(len as u64);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// The spares of one length, and how many of that length the ops of one tape have asked for
/// (this tape so far, and the most for any tape): no more are kept than one tape will take.
struct Spares<F> {
    arrays: Vec<ArcArray<F, IxDyn>>,
    asked: usize,
    most_asked: usize,
}

impl<F> Default for Spares<F> {
    fn default() -> Self {
        Spares {
            arrays: Vec::new(),
            asked: 0,
            most_asked: 0,
        }
    }
}

/// Storage for `len` elements whose contents are unspecified (whatever a previous tensor left
/// there, or zeros): for callers that overwrite every element. A spare is reshaped as the
/// caller needs, so even the shared-storage header is reused.
pub(crate) fn storage<F: Float>(len: usize) -> ArcArray<F, IxDyn> {
    let spare = with_storage(|store: &mut Storage<F>| {
        let of_len = store.by_len.entry(len).or_default();
        of_len.asked += 1;
        let spare = of_len.arrays.pop()?;
        store.elements -= len;
        Some(spare)
    });
    spare.unwrap_or_else(|| ArcArray::from_vec(vec![F::zero(); len]).into_dyn())
}

/// Takes back the storage of `tensor` if nothing else shares it, it is laid out in order (so
/// it can be reshaped), fewer spares of its length are kept than one tape's ops have asked for
/// (so tensors the ops did not make are not hoarded), and the store holds less than
/// [`MAX_SPARE_BYTES`]; otherwise just drops this handle.
pub(crate) fn recycle<F: Float>(tensor: Tensor<F>) {
    let storage = tensor.into_shared();
    if !storage.is_unique() || !storage.is_standard_layout() {
        return;
    }
    with_storage(|store: &mut Storage<F>| {
        let len = storage.len();
        let fits = (store.elements + len) * size_of::<F>() <= MAX_SPARE_BYTES;
        let Some(of_len) = store.by_len.get_mut(&len) else {
            return;
        };
        if fits && of_len.arrays.len() < of_len.asked.max(of_len.most_asked) {
            of_len.arrays.push(storage);
            store.elements += len;
        }
    });
}

/// Marks the end of a tape: what its ops asked for sets how many spares are worth keeping.
pub(crate) fn end_of_tape<F: Float>() {
    with_storage(|store: &mut Storage<F>| {
        for of_len in store.by_len.values_mut() {
            of_len.most_asked = of_len.most_asked.max(of_len.asked);
            of_len.asked = 0;
        }
    });
}

/// The one store in its list (the list exists so that `with_spares` can hold it).
fn first<F>(spares: &mut Vec<Storage<F>>) -> &mut Storage<F> {
    if spares.is_empty() {
        spares.push(Storage::default());
    }
    &mut spares[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recycled_buffer_is_taken_again() {
        drop(storage::<f32>(1234)); // an op asks for this length
        let t = Tensor::from_vec(vec![1.0f32; 1234], &[1234]);
        let ptr = t.array().as_ptr();
        recycle(t);
        let again = storage::<f32>(1234);
        assert_eq!(again.as_ptr(), ptr);
    }

    #[test]
    fn lengths_nobody_asked_for_are_not_kept() {
        recycle(Tensor::from_vec(vec![1.0f32; 4321], &[4321]));
        let kept = with_spares(|s: &mut Vec<Storage<f32>>| first(s).by_len.contains_key(&4321));
        assert!(!kept);
    }

    #[test]
    fn shared_storage_is_not_taken() {
        drop(storage::<f64>(777));
        let t = Tensor::from_vec(vec![1.0f64; 777], &[777]);
        let kept = t.clone();
        recycle(t);
        let other = storage::<f64>(777);
        assert_ne!(other.as_ptr(), kept.array().as_ptr());
        assert_eq!(kept.to_vec(), vec![1.0; 777]);
    }
}
