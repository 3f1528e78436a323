//! Threat Dragon import on arbitrary bytes; what imports must validate, export and re-import.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stridewise_core::{catalog, interop, model};

fuzz_target!(|data: &[u8]| {
    if let Ok((models, _)) = interop::threat_dragon::import(data, "fuzz") {
        for m in &models {
            let _ = model::validate(m, catalog::builtin_stencils());
            let _ = model::to_canonical_json(m);
            let td = serde_json::to_vec(&interop::threat_dragon::export(m)).unwrap();
            interop::threat_dragon::import(&td, "exported").expect("an export imports again");
            let _ = interop::otm::export(m);
        }
    }
});
