//! `checkpoint::load` returns `Ok` or `Err`, never panics, as `f32` and as `f64`.
//!
//! The loader takes a path (there is no public bytes API), so each input is written to a file
//! of this process first.
#![no_main]

use descent_layers::checkpoint;
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::LazyLock;

static FILE: LazyLock<PathBuf> = LazyLock::new(|| {
    std::env::temp_dir().join(format!(
        "descent-fuzz-checkpoint-{}.safetensors",
        std::process::id()
    ))
});

fuzz_target!(|data: &[u8]| {
    std::fs::write(&*FILE, data).expect("write the input to a scratch file");
    if let Ok(tensors) = checkpoint::load::<f32>(&*FILE) {
        assert!(
            tensors.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted, unique names"
        );
    }
    let _ = checkpoint::load::<f64>(&*FILE);
});
