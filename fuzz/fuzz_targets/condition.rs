//! The condition language on arbitrary text: lexed, parsed, type-checked and compiled against
//! the built-in stencils, as an element rule and as a flow rule.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stridewise_core::{catalog, condition};

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let stencils = catalog::builtin_stencils();
    let all: Vec<_> = stencils.stencils.values().collect();
    let scopes = [
        condition::Scope {
            element: Some(all.clone()),
            source: None,
            target: None,
            flow: None,
        },
        condition::Scope {
            element: None,
            source: Some(all.clone()),
            target: Some(all),
            flow: Some(&stencils.flow_properties),
        },
    ];
    for scope in &scopes {
        let mut slots = condition::Slots::default();
        let _ = condition::compile(src, scope, &mut slots);
    }
});
