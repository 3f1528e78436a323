//! The graph facts that rule conditions may use: their names, arguments and types.
//!
//! A fact is a named column over a model's elements (or flows) that analysis computes once per
//! model before any rule runs (`crate::analysis::facts` holds how, one entry per row here, in
//! the same order; a test checks both lists). The type checker and the catalog reference read
//! this table. Facts with arguments (`in_boundary('internet')`) get one column per distinct
//! argument list used by the catalog, so evaluation never looks at a string.

use crate::model::BoundaryKind;

/// What a fact is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FactOn {
    Element,
    Flow,
}

/// The type of a fact argument. Arguments are literals checked when the catalog loads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    /// A trust-boundary kind such as `'internet'`.
    BoundaryKind,
    /// A stencil tag such as `'waf'`.
    Tag,
}

/// The type a fact yields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FactType {
    Bool,
    Number,
}

/// A checked fact argument.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FactArg {
    Boundary(BoundaryKind),
    Tag(String),
}

/// One graph fact, as conditions see it.
pub struct FactDef {
    pub name: &'static str,
    pub on: FactOn,
    pub args: &'static [ArgKind],
    pub result: FactType,
    /// One sentence for the catalog reference.
    pub doc: &'static str,
}

/// Every graph fact. Keep the list sorted by subject, then by name, for the reference.
pub static FACTS: &[FactDef] = &[
    FactDef {
        name: "in_boundary",
        on: FactOn::Element,
        args: &[ArgKind::BoundaryKind],
        result: FactType::Bool,
        doc: "inside a boundary of that kind, at any depth",
    },
    FactDef {
        name: "has_tag",
        on: FactOn::Element,
        args: &[ArgKind::Tag],
        result: FactType::Bool,
        doc: "its stencil has the tag",
    },
    FactDef {
        name: "internet_facing",
        on: FactOn::Element,
        args: &[],
        result: FactType::Bool,
        doc: "a flow from an element inside an `internet` boundary reaches it directly",
    },
    FactDef {
        name: "reachable_from_internet",
        on: FactOn::Element,
        args: &[],
        result: FactType::Bool,
        doc: "a path of flows leads to it from an element inside an `internet` boundary",
    },
    FactDef {
        name: "reachable_from_internet_via",
        on: FactOn::Element,
        args: &[ArgKind::Tag],
        result: FactType::Bool,
        doc: "some path of flows from the internet reaches it through an element with that tag",
    },
    FactDef {
        name: "behind_waf",
        on: FactOn::Element,
        args: &[],
        result: FactType::Bool,
        doc: "reachable from the internet, and every such path passes a WAF (a `waf` tag, or `waf_enabled = true`) before it",
    },
    FactDef {
        name: "behind_gateway",
        on: FactOn::Element,
        args: &[],
        result: FactType::Bool,
        doc: "reachable from the internet, and every such path passes a `gateway` or WAF element before it",
    },
    FactDef {
        name: "behind_ddos_protection",
        on: FactOn::Element,
        args: &[],
        result: FactType::Bool,
        doc: "reachable from the internet, and every such path passes a `ddos_protection` element before it",
    },
    FactDef {
        name: "holds_secrets",
        on: FactOn::Element,
        args: &[],
        result: FactType::Bool,
        doc: "its stencil has the `secrets_store` tag, or `stores_secrets` is true",
    },
    FactDef {
        name: "sensitive",
        on: FactOn::Element,
        args: &[],
        result: FactType::Bool,
        doc: "holds secrets, or `data_classification` is `confidential` or `restricted`, or `handles_sensitive_data` is true",
    },
    FactDef {
        name: "inbound",
        on: FactOn::Element,
        args: &[],
        result: FactType::Number,
        doc: "the number of flows into it (a bidirectional flow counts both ways)",
    },
    FactDef {
        name: "outbound",
        on: FactOn::Element,
        args: &[],
        result: FactType::Number,
        doc: "the number of flows out of it (a bidirectional flow counts both ways)",
    },
    FactDef {
        name: "reads_from_tag",
        on: FactOn::Element,
        args: &[ArgKind::Tag],
        result: FactType::Bool,
        doc: "a flow comes to it from an element with that tag",
    },
    FactDef {
        name: "writes_to_tag",
        on: FactOn::Element,
        args: &[ArgKind::Tag],
        result: FactType::Bool,
        doc: "a flow goes from it to an element with that tag",
    },
    FactDef {
        name: "reachable_from_tag",
        on: FactOn::Element,
        args: &[ArgKind::Tag],
        result: FactType::Bool,
        doc: "a path of flows leads to it from an element with that tag",
    },
    FactDef {
        name: "services",
        on: FactOn::Element,
        args: &[],
        result: FactType::Number,
        doc: "in an application model, how many services draw it (its origins); 0 in a service model",
    },
    FactDef {
        name: "unauthenticated_cross_service_path",
        on: FactOn::Element,
        args: &[],
        result: FactType::Bool,
        doc: "a path from the internet reaches it through flows that all authenticate nobody, and the path passes from one service to another",
    },
    FactDef {
        name: "written_by_internet_service_read_unvalidated",
        on: FactOn::Element,
        args: &[],
        result: FactType::Bool,
        doc: "a process reachable from the internet writes to it, and a process of another service that does not validate its input reads from it",
    },
    FactDef {
        name: "crosses",
        on: FactOn::Flow,
        args: &[ArgKind::BoundaryKind],
        result: FactType::Bool,
        doc: "one end is inside a boundary of that kind and the other is not",
    },
    FactDef {
        name: "crosses_boundary",
        on: FactOn::Flow,
        args: &[],
        result: FactType::Bool,
        doc: "its ends sit in different boundaries",
    },
    FactDef {
        name: "cross_service",
        on: FactOn::Flow,
        args: &[],
        result: FactType::Bool,
        doc: "in an application model, its ends come from different services (no common origin)",
    },
    FactDef {
        name: "from_internet",
        on: FactOn::Flow,
        args: &[],
        result: FactType::Bool,
        doc: "its source is inside an `internet` boundary",
    },
];

/// The fact called `name` about `on`.
pub fn lookup(name: &str, on: FactOn) -> Option<&'static FactDef> {
    FACTS.iter().find(|f| f.name == name && f.on == on)
}

/// The index of a fact in [`FACTS`].
pub fn index_of(def: &FactDef) -> usize {
    FACTS.iter().position(|f| std::ptr::eq(f, def)).unwrap_or(0)
}
