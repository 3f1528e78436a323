//! The values a compiled condition works on. Text is interned to a symbol when the catalog
//! loads (literals) or once per model (property values), so evaluation compares integers.

use std::collections::HashMap;

/// A value during evaluation. `Missing` is a property with no value and no default: every
/// comparison with it is false.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    Missing,
    Bool(bool),
    Num(f64),
    Sym(u32),
}

impl Value {
    pub fn truthy(self) -> bool {
        matches!(self, Value::Bool(true))
    }

    /// The value as plain data that can be hashed and compared exactly (a number by its bits),
    /// for finding equal rows of values.
    pub fn bits(self) -> (u8, u64) {
        match self {
            Value::Missing => (0, 0),
            Value::Bool(b) => (1, u64::from(b)),
            Value::Num(n) => (2, n.to_bits()),
            Value::Sym(s) => (3, u64::from(s)),
        }
    }
}

/// Text to symbol numbers. The catalog owns one with every literal; analysis extends a copy
/// of the lookups with the model's own texts.
#[derive(Clone, Debug, Default)]
pub struct Interner {
    ids: HashMap<String, u32>,
    texts: Vec<String>,
}

impl Interner {
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.texts.len() as u32;
        self.ids.insert(s.to_string(), id);
        self.texts.push(s.to_string());
        id
    }

    pub fn get(&self, s: &str) -> Option<u32> {
        self.ids.get(s).copied()
    }

    pub fn len(&self) -> usize {
        self.texts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }
}

/// The catalog's symbols plus the texts of one model that no literal mentions.
pub struct LocalSymbols<'a> {
    base: &'a Interner,
    extra: HashMap<&'a str, u32>,
}

impl<'a> LocalSymbols<'a> {
    pub fn new(base: &'a Interner) -> Self {
        Self {
            base,
            extra: HashMap::new(),
        }
    }

    pub fn sym(&mut self, s: &'a str) -> u32 {
        if let Some(id) = self.base.get(s) {
            return id;
        }
        let next = (self.base.len() + self.extra.len()) as u32;
        *self.extra.entry(s).or_insert(next)
    }
}
