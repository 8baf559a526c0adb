//! `parse_idx` (plain or gzip bytes) returns `Ok` or `Err`, never panics, and what it returns
//! is consistent: as many bytes as the dimensions' product.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(idx) = descent_data::parse_idx(data, "fuzz.idx") {
        assert_eq!(idx.data.len(), idx.dims.iter().product::<usize>());
    }
});
