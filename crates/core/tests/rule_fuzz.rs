//! The bounded, stable-Rust counterpart of the `rule_pack` and `condition` cargo-fuzz targets
//! (fuzz/, run at length by `fuzz/run.sh`): proptest feeds the condition language with token
//! soups built from its own vocabulary and the rule-pack loader with mutated copies of the
//! built-in catalog's files. Whatever the input, the result is an error or a value, never a
//! panic or a stack overflow. It runs with every `cargo test`, in a few seconds.

use std::path::Path;

use proptest::prelude::*;
use stridewise_core::catalog::{self, Catalog};
use stridewise_core::condition;

/// Compiles `src` as an element rule's and as a flow rule's condition.
fn compile_everywhere(src: &str) {
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
}

/// Words of the condition language and of the built-in catalog, and bytes that break it.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "element",
            "source",
            "target",
            "flow",
            ".",
            "(",
            ")",
            "not",
            "and",
            "or",
            "==",
            "!=",
            "<",
            ">=",
            "in",
            "[",
            "]",
            ",",
            "'",
            "\"",
            "true",
            "false",
            "0",
            "-1",
            "99999999999999999999",
            "1e308",
            "'internet'",
            "internet_facing",
            "kind",
            "crosses_boundary",
            "data_classification",
            "'confidential'",
            "validates_input",
            "protocol",
            "\\",
            "\u{0}",
            "\u{202e}",
            "é",
            "  ",
            "\n",
        ])
        .prop_map(str::to_string),
        "[a-z_]{1,12}",
        "\\PC{0,3}",
    ]
}

fn built_in_pack_texts() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog");
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir.join("threats"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .chain([dir.join("stencils.toml"), dir.join("mitigations.toml")])
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    assert!(files.len() >= 3, "{files:?}");
    files
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, text: String },
    Repeat { at: usize, len: usize, times: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1usize..64).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), token()).prop_map(|(at, text)| Mutation::Insert { at, text }),
        (any::<usize>(), 1usize..32, 2usize..2000).prop_map(|(at, len, times)| Mutation::Repeat {
            at,
            len,
            times
        }),
    ]
}

/// `text` with the mutations applied at char boundaries (positions taken modulo its length).
fn mutate(text: &str, mutations: &[Mutation]) -> String {
    let mut s = text.to_string();
    let boundary = |s: &str, at: usize| {
        let mut i = if s.is_empty() { 0 } else { at % s.len() };
        while !s.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    for m in mutations {
        match m {
            Mutation::Delete { at, len } => {
                let a = boundary(&s, *at);
                let b = boundary(&s, a + len).max(a);
                s.replace_range(a..b, "");
            }
            Mutation::Insert { at, text } => {
                let a = boundary(&s, *at);
                s.insert_str(a, text);
            }
            Mutation::Repeat { at, len, times } => {
                let a = boundary(&s, *at);
                let b = boundary(&s, a + len).max(a);
                let piece = s[a..b].repeat(*times);
                s.insert_str(a, &piece);
            }
        }
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn a_condition_of_any_tokens_compiles_or_is_an_error(tokens in prop::collection::vec(token(), 0..60)) {
        compile_everywhere(&tokens.join(" "));
        compile_everywhere(&tokens.concat());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn a_mutated_rule_pack_loads_or_is_an_error(
        file in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let packs = built_in_pack_texts();
        let (name, text) = &packs[file.index(packs.len())];
        let mutated = mutate(text, &mutations);
        let _ = Catalog::from_texts(&[(name.as_str(), mutated.as_str())], false);
        let _ = Catalog::from_texts(&[("pack.toml", mutated.as_str())], true);
    }
}

// Deep nesting and long chains built on purpose, beyond what random mutation reaches.
#[test]
fn deep_and_long_conditions_are_errors_or_values() {
    for depth in [63, 64, 65, 1_000, 100_000] {
        compile_everywhere(&format!(
            "{}element.validates_input{}",
            "(".repeat(depth),
            ")".repeat(depth)
        ));
        compile_everywhere(&format!("{}element.validates_input", "not ".repeat(depth)));
        compile_everywhere(&"(not ".repeat(depth));
    }
    compile_everywhere(&vec!["element.validates_input"; 100_000].join(" and "));
    compile_everywhere(&vec!["element.validates_input"; 100_000].join(" or not "));
}
