//! Threat Modeling Tool import on arbitrary bytes; what imports must validate and export.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stridewise_core::{catalog, interop, model};

fuzz_target!(|data: &[u8]| {
    if let Ok((models, _)) = interop::tmt::import(data, "fuzz", catalog::builtin_stencils()) {
        for m in &models {
            let _ = model::validate(m, catalog::builtin_stencils());
            let _ = model::to_canonical_json(m);
            let _ = interop::threat_dragon::export(m);
            let _ = interop::otm::export(m);
        }
    }
});
