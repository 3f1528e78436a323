//! A rule pack on arbitrary text, loaded on top of the built-in catalog (so that its rules'
//! conditions are checked against the real stencils): an error or a catalog, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stridewise_core::catalog::Catalog;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Catalog::from_texts(&[("fuzz.toml", text)], true);
});
