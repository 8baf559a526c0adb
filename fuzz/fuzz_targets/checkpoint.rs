//! `checkpoint::load` returns `Ok` or `Err`, never panics, as `f32` and as `f64`, strict and
//! with the checks that can be turned off turned off (to reach the decoding of files without
//! checksums).
//!
//! The loader takes a path (there is no public bytes API), so each input is written to a file
//! of this process first.
#![no_main]

use descent_layers::checkpoint::{self, LoadOptions};
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
    let lenient = LoadOptions::new().allow_unverified().allow_non_finite();
    if let Ok(tensors) = lenient.load::<f32>(&*FILE) {
        assert!(
            tensors.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted, unique names"
        );
    }
    let _ = lenient.load::<f64>(&*FILE);
    let _ = checkpoint::load::<f32>(&*FILE);
});
