//! Static evaluation of a Terraform configuration: what can be known without running
//! Terraform, providers or any other program.
//!
//! Variables come from variable files and defaults, locals and module inputs are evaluated
//! lazily (each once per module instance), `count` and `for_each` over known collections give
//! one instance per element named after its key, and string templates, references, operators,
//! conditionals, `for` expressions, splats and the common functions ([`super::funcs`]) are
//! computed. Everything else stays *unknown*, with the reason, and carries the addresses of the
//! resources it was read from (see [`super::value`]): attributes that only exist after apply
//! (`id`, `principal_id`), variables nobody gave, functions that read files or the clock.
//! A `count` or `for_each` that is not known gives one symbolic instance whose key is `*`.
//!
//! Work is bounded: a step budget, a depth limit on nested expressions and reference chains,
//! limits on instances, on the size of values and on string lengths. A reference cycle is an
//! error that names the chain.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use hcl::expr::{BinaryOperator, Operation, TraversalOperator, UnaryOperator};
use hcl::template::{Directive, Element as TplElement};
use hcl::{Body, Expression, ObjectKey, Structure};

use super::funcs;
use super::load::{Config, Loc, Mode, ResourceDecl};
use super::value::{Kind, Refs, Value, format_number};
use super::{Limits, TerraformError};

/// Why an expression gave no value. Soft failures are problems of one attribute (Terraform
/// would refuse the configuration; the import reports it and goes on with an unknown value);
/// hard ones stop the import.
#[derive(Debug)]
pub enum Fail {
    Soft(String),
    Hard(TerraformError),
}

pub type EvalResult = Result<Value, Fail>;

pub(super) fn soft<T>(message: impl Into<String>) -> Result<T, Fail> {
    Err(Fail::Soft(message.into()))
}

/// One instance of a resource or data source, with its evaluated arguments.
#[derive(Clone, Debug)]
pub struct ResourceInstance {
    /// The full address: `module.stamp["eastus2"].azurerm_key_vault.stamp`.
    pub address: String,
    pub mode: Mode,
    pub ty: String,
    pub name: String,
    /// The string keys of the module instances it sits in, outermost first.
    pub module_keys: Vec<String>,
    /// Arguments and nested blocks (blocks are lists of objects, as Terraform reads them).
    pub attrs: Value,
    pub loc: Loc,
    /// The instance's key is `*`: its count or for_each is not known.
    pub symbolic: bool,
}

/// What evaluation found besides the resources.
#[derive(Clone, Debug, Default)]
pub struct Findings {
    /// Values that are not known statically and why (variables without a value, symbolic
    /// instance counts), one line each.
    pub symbolic: BTreeSet<String>,
    /// Expressions Terraform would refuse, located.
    pub problems: BTreeSet<String>,
    /// Modules from registries or remote sources, which are not read.
    pub remote_modules: BTreeSet<String>,
    /// Steps of evaluation used.
    pub steps: u64,
}

/// A module instance.
#[derive(Clone, Debug)]
struct Instance {
    module: usize,
    /// `""` for the root, else `module.a["k"].module.b`.
    address: String,
    /// The parent instance and the index of the call in the parent's module.
    parent: Option<(usize, usize)>,
    each: Option<(Value, Value)>,
    count: Option<Value>,
    keys: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Node {
    Var(String),
    Local(String),
    Output(String),
    Resource(usize),
    Call(usize),
}

impl Node {
    fn describe(&self, inst: &Instance, config: &Config) -> String {
        let prefix = if inst.address.is_empty() {
            String::new()
        } else {
            format!("{}.", inst.address)
        };
        match self {
            Node::Var(n) => format!("{prefix}var.{n}"),
            Node::Local(n) => format!("{prefix}local.{n}"),
            Node::Output(n) => format!("{prefix}output.{n}"),
            Node::Resource(i) => format!(
                "{prefix}{}",
                config.modules[inst.module].resources[*i].local_address()
            ),
            Node::Call(i) => format!(
                "{prefix}module.{}",
                config.modules[inst.module].calls[*i].name
            ),
        }
    }
}

enum Slot {
    InProgress,
    Done(Value),
}

/// Names bound inside an expression: `each`, `count`, `for` variables, dynamic iterators.
#[derive(Clone, Default)]
pub(super) struct Scope {
    inst: usize,
    each: Option<(Value, Value)>,
    count: Option<Value>,
    bound: Vec<(String, Value)>,
}

impl Scope {
    fn lookup(&self, name: &str) -> Option<&Value> {
        self.bound
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    fn bind(&self, name: &str, value: Value) -> Scope {
        let mut s = self.clone();
        s.bound.push((name.to_string(), value));
        s
    }
}

/// Arguments that are Terraform's, not the provider's.
const META: [&str; 7] = [
    "count",
    "for_each",
    "depends_on",
    "provider",
    "lifecycle",
    "provisioner",
    "connection",
];

pub struct Evaluator<'c> {
    config: &'c Config,
    limits: &'c Limits,
    /// The root module's variable values from variable files.
    root_vars: BTreeMap<String, Value>,
    /// The imported folder, for `path.root` / `path.module`.
    root_dir: String,
    instances: Vec<Instance>,
    memo: HashMap<(usize, Node), Slot>,
    /// Children of each (instance, call): instance ids.
    children: HashMap<(usize, usize), Vec<usize>>,
    /// The evaluated instances of each (module instance, resource), once evaluated.
    evaluated: HashMap<(usize, usize), Vec<ResourceInstance>>,
    stack: Vec<(usize, Node)>,
    depth: usize,
    used: u64,
    instances_made: usize,
    pub findings: Findings,
}

impl<'c> Evaluator<'c> {
    pub fn new(
        config: &'c Config,
        limits: &'c Limits,
        root_vars: BTreeMap<String, Value>,
        root_dir: String,
    ) -> Self {
        Evaluator {
            config,
            limits,
            root_vars,
            root_dir,
            instances: vec![Instance {
                module: 0,
                address: String::new(),
                parent: None,
                each: None,
                count: None,
                keys: Vec::new(),
            }],
            memo: HashMap::new(),
            children: HashMap::new(),
            evaluated: HashMap::new(),
            stack: Vec::new(),
            depth: 0,
            used: 0,
            instances_made: 0,
            findings: Findings::default(),
        }
    }

    /// Evaluates every resource and data source of every module instance.
    pub fn run(mut self) -> Result<(Vec<ResourceInstance>, Findings), TerraformError> {
        let mut out = Vec::new();
        let mut i = 0;
        // Instances are added while walking (module calls expand): walk until none is left.
        while i < self.instances.len() {
            let inst = self.instances[i].clone();
            let module = &self.config.modules[inst.module];
            for (c, call) in module.calls.iter().enumerate() {
                if call.child.is_none() {
                    self.findings.remote_modules.insert(format!(
                        "{}module.{} (source \"{}\")",
                        prefix(&inst.address),
                        call.name,
                        call.source
                    ));
                    continue;
                }
                hard(self.expand_call(i, c))?;
            }
            for r in 0..module.resources.len() {
                let list = hard(self.resource_instances(i, r))?;
                out.extend(list);
            }
            i += 1;
        }
        self.findings.steps = self.used;
        Ok((out, self.findings))
    }
}

fn hard<T>(r: Result<T, Fail>) -> Result<T, TerraformError> {
    match r {
        Ok(v) => Ok(v),
        Err(Fail::Hard(e)) => Err(e),
        Err(Fail::Soft(m)) => Err(TerraformError::Eval(m)),
    }
}

fn prefix(address: &str) -> String {
    if address.is_empty() {
        String::new()
    } else {
        format!("{address}.")
    }
}

/// `["key"]`, `[0]` or `[*]`.
fn key_suffix(key: &Value) -> String {
    match &key.kind {
        Kind::Number(n) => format!("[{}]", format_number(*n)),
        Kind::String(s) => format!("[{s:?}]"),
        _ => "[*]".into(),
    }
}

/// An expansion: one entry per instance, `(each.key, each.value)` or `(count.index, _)`.
enum Expansion {
    Single,
    Count(Vec<Value>),
    ForEach(Vec<(Value, Value)>),
    /// Not known: one symbolic instance.
    Unknown(String),
}

impl Evaluator<'_> {
    // ----------------------------------------------------------------------------------------
    // Budget and limits.

    fn step(&mut self) -> Result<(), Fail> {
        self.used += 1;
        if self.used > self.limits.max_steps {
            return Err(Fail::Hard(TerraformError::Limit(format!(
                "evaluation took more than {} steps",
                self.limits.max_steps
            ))));
        }
        Ok(())
    }

    fn enter(&mut self) -> Result<(), Fail> {
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            let chain: Vec<String> = self
                .stack
                .iter()
                .rev()
                .take(4)
                .map(|(i, n)| n.describe(&self.instances[*i], self.config))
                .collect();
            return Err(Fail::Hard(TerraformError::Limit(format!(
                "expressions and references nested deeper than {} (near {})",
                self.limits.max_depth,
                if chain.is_empty() {
                    "the start".to_string()
                } else {
                    chain.join(" <- ")
                }
            ))));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    pub(super) fn check_value(&self, v: Value) -> EvalResult {
        if v.weight > self.limits.max_value_nodes {
            return Err(Fail::Hard(TerraformError::Limit(format!(
                "a value grew past {} elements",
                self.limits.max_value_nodes
            ))));
        }
        if let Kind::String(s) = &v.kind
            && s.len() > self.limits.max_string_bytes
        {
            return Err(Fail::Hard(TerraformError::Limit(format!(
                "a string grew past {} bytes",
                self.limits.max_string_bytes
            ))));
        }
        Ok(v)
    }

    pub(super) fn limits(&self) -> &Limits {
        self.limits
    }

    // ----------------------------------------------------------------------------------------
    // Lazy nodes.

    fn node(&mut self, inst: usize, node: Node) -> EvalResult {
        match self.memo.get(&(inst, node.clone())) {
            Some(Slot::Done(v)) => return Ok(v.clone()),
            Some(Slot::InProgress) => {
                let start = self
                    .stack
                    .iter()
                    .position(|(i, n)| *i == inst && *n == node)
                    .unwrap_or(0);
                let mut chain: Vec<String> = self.stack[start..]
                    .iter()
                    .map(|(i, n)| n.describe(&self.instances[*i], self.config))
                    .collect();
                chain.push(node.describe(&self.instances[inst], self.config));
                return Err(Fail::Hard(TerraformError::Cycle(chain.join(" -> "))));
            }
            None => {}
        }
        self.memo.insert((inst, node.clone()), Slot::InProgress);
        self.stack.push((inst, node.clone()));
        self.enter()?;
        let result = self.compute(inst, &node);
        self.leave();
        self.stack.pop();
        let value = match result {
            Ok(v) => v,
            Err(Fail::Soft(m)) => {
                let what = node.describe(&self.instances[inst], self.config);
                self.findings.problems.insert(format!("{what}: {m}"));
                Value::unknown(format!("{what} could not be evaluated: {m}"))
            }
            Err(hard) => return Err(hard),
        };
        self.memo.insert((inst, node), Slot::Done(value.clone()));
        Ok(value)
    }

    fn compute(&mut self, inst: usize, node: &Node) -> EvalResult {
        let i = self.instances[inst].clone();
        let module = &self.config.modules[i.module];
        match node {
            Node::Local(name) => {
                let Some((expr, _)) = module.locals.get(name) else {
                    return soft(format!("there is no local value '{name}'"));
                };
                self.expr(expr, &self.scope(inst))
            }
            Node::Output(name) => {
                let Some((expr, _)) = module.outputs.get(name) else {
                    return soft(format!("the module has no output '{name}'"));
                };
                self.expr(expr, &self.scope(inst))
            }
            Node::Var(name) => self.variable(inst, name),
            Node::Resource(r) => self.resource_value(inst, *r),
            Node::Call(c) => self.call_value(inst, *c),
        }
    }

    fn scope(&self, inst: usize) -> Scope {
        let i = &self.instances[inst];
        Scope {
            inst,
            each: i.each.clone(),
            count: i.count.clone(),
            bound: Vec::new(),
        }
    }

    fn variable(&mut self, inst: usize, name: &str) -> EvalResult {
        let i = self.instances[inst].clone();
        let module = &self.config.modules[i.module];
        let Some(decl) = module.variables.get(name) else {
            return soft(format!("there is no variable '{name}'"));
        };
        if let Some((parent, call)) = i.parent {
            let call = &self.config.modules[self.instances[parent].module].calls[call];
            if let Some(a) = call.body.attributes().find(|a| a.key.as_str() == name) {
                // Module arguments are evaluated in the caller, with this instance's each/count.
                let scope = Scope {
                    inst: parent,
                    each: i.each.clone(),
                    count: i.count.clone(),
                    bound: Vec::new(),
                };
                let expr = a.expr.clone();
                return self.expr(&expr, &scope);
            }
        } else if let Some(v) = self.root_vars.get(name) {
            return Ok(v.clone());
        }
        if let Some(default) = decl.default.clone() {
            return self.expr(&default, &self.scope(inst));
        }
        let what = format!("{}var.{name}", prefix(&i.address));
        self.findings.symbolic.insert(format!(
            "{what} has no value (declared at {}); pass it in a variable file",
            decl.loc
        ));
        Ok(Value::unknown(format!("{what} has no value")))
    }

    // ----------------------------------------------------------------------------------------
    // Instances.

    fn expansion(&mut self, body: &Body, scope: &Scope, what: &str) -> Result<Expansion, Fail> {
        let get = |n: &str| body.attributes().find(|a| a.key.as_str() == n);
        if let Some(a) = get("for_each") {
            let v = self.expr(&a.expr.clone(), scope)?;
            return Ok(match &v.kind {
                Kind::Map(entries, _) => {
                    self.count_instances(entries.len(), what)?;
                    Expansion::ForEach(
                        entries
                            .iter()
                            .map(|(k, v)| (Value::string(k.as_str()), v.clone()))
                            .collect(),
                    )
                }
                Kind::List(items) => {
                    self.count_instances(items.len(), what)?;
                    let mut out = Vec::new();
                    for item in items.iter() {
                        match &item.kind {
                            Kind::String(_) => out.push((item.clone(), item.clone())),
                            Kind::Unknown(why) => return Ok(Expansion::Unknown(why.to_string())),
                            _ => {
                                return soft(format!(
                                    "for_each of {what} needs a map or a set of strings, not a list of {}",
                                    item.type_name()
                                ));
                            }
                        }
                    }
                    out.sort_by(|a, b| a.0.as_str().cmp(&b.0.as_str()));
                    out.dedup_by(|a, b| a.0 == b.0);
                    Expansion::ForEach(out)
                }
                Kind::Unknown(why) => Expansion::Unknown(why.to_string()),
                _ => {
                    return soft(format!(
                        "for_each of {what} needs a map or a set of strings, not {}",
                        v.type_name()
                    ));
                }
            });
        }
        if let Some(a) = get("count") {
            let v = self.expr(&a.expr.clone(), scope)?;
            return Ok(match &v.kind {
                Kind::Unknown(why) => Expansion::Unknown(why.to_string()),
                _ => {
                    let Some(n) = v.as_number().filter(|n| *n >= 0.0 && n.fract() == 0.0) else {
                        return soft(format!("count of {what} must be a whole number, not {v}"));
                    };
                    self.count_instances(n as usize, what)?;
                    Expansion::Count((0..n as usize).map(|i| Value::number(i as f64)).collect())
                }
            });
        }
        Ok(Expansion::Single)
    }

    fn count_instances(&mut self, n: usize, what: &str) -> Result<(), Fail> {
        self.instances_made = self.instances_made.saturating_add(n);
        if n > self.limits.max_instances || self.instances_made > self.limits.max_instances {
            return Err(Fail::Hard(TerraformError::Limit(format!(
                "{what} expands to {n} instances; at most {} resource and module instances in all",
                self.limits.max_instances
            ))));
        }
        Ok(())
    }

    fn expand_call(&mut self, inst: usize, c: usize) -> Result<Vec<usize>, Fail> {
        if let Some(kids) = self.children.get(&(inst, c)) {
            return Ok(kids.clone());
        }
        let i = self.instances[inst].clone();
        let call = self.config.modules[i.module].calls[c].clone();
        let Some(child) = call.child else {
            return Ok(Vec::new());
        };
        let base = format!("{}module.{}", prefix(&i.address), call.name);
        if i.address.matches("module.").count() >= self.limits.max_module_depth {
            return Err(Fail::Hard(TerraformError::Limit(format!(
                "modules nested deeper than {} ({base})",
                self.limits.max_module_depth
            ))));
        }
        let expansion = self.expansion(&call.body, &self.scope(inst), &base)?;
        let mut made = Vec::new();
        let mut add = |this: &mut Self, address: String, each, count, key: Option<String>| {
            let mut keys = i.keys.clone();
            keys.extend(key);
            this.instances.push(Instance {
                module: child,
                address,
                parent: Some((inst, c)),
                each,
                count,
                keys,
            });
            made.push(this.instances.len() - 1);
        };
        match expansion {
            Expansion::Single => add(self, base, None, None, None),
            Expansion::Count(ix) => {
                for n in ix {
                    add(
                        self,
                        format!("{base}{}", key_suffix(&n)),
                        None,
                        Some(n),
                        None,
                    )
                }
            }
            Expansion::ForEach(entries) => {
                for (k, v) in entries {
                    let key = k.as_str().map(str::to_string);
                    add(
                        self,
                        format!("{base}{}", key_suffix(&k)),
                        Some((k, v)),
                        None,
                        key,
                    )
                }
            }
            Expansion::Unknown(why) => {
                self.findings.symbolic.insert(format!(
                    "{base}: the number of instances is not known ({why}); imported once as {base}[*]"
                ));
                let u = Value::unknown(format!("the instance key of {base}[*] is not known"));
                add(
                    self,
                    format!("{base}[*]"),
                    Some((u.clone(), u.clone())),
                    Some(u),
                    None,
                )
            }
        }
        self.children.insert((inst, c), made.clone());
        Ok(made)
    }

    /// The value `module.NAME` stands for: an object of outputs, or a list / map of them.
    fn call_value(&mut self, inst: usize, c: usize) -> EvalResult {
        let kids = self.expand_call(inst, c)?;
        let call = &self.config.modules[self.instances[inst].module].calls[c];
        let Some(child) = call.child else {
            return Ok(Value::unknown(format!(
                "module.{} comes from '{}', which is not read",
                call.name, call.source
            )));
        };
        let outputs: Vec<String> = self.config.modules[child].outputs.keys().cloned().collect();
        let mut objects = Vec::new();
        for k in &kids {
            let mut entries = BTreeMap::new();
            for o in &outputs {
                entries.insert(o.clone(), self.node(*k, Node::Output(o.clone()))?);
            }
            let inst = &self.instances[*k];
            let key = inst
                .each
                .as_ref()
                .map(|(k, _)| k.clone())
                .or(inst.count.clone());
            objects.push((key, Value::object(entries, None)));
        }
        let body = &call.body;
        let has = |n: &str| body.attributes().any(|a| a.key.as_str() == n);
        let v = if has("for_each") {
            match objects.first() {
                Some((Some(k), _)) if !k.is_known() => Value::unknown("module instances not known"),
                _ => Value::map(
                    objects
                        .into_iter()
                        .filter_map(|(k, v)| Some((k?.as_str()?.to_string(), v)))
                        .collect(),
                ),
            }
        } else if has("count") {
            match objects.first() {
                Some((Some(k), _)) if !k.is_known() => Value::unknown("module instances not known"),
                _ => Value::list(objects.into_iter().map(|(_, v)| v).collect()),
            }
        } else {
            objects
                .pop()
                .map(|(_, v)| v)
                .unwrap_or_else(|| Value::unknown("module not expanded"))
        };
        self.check_value(v)
    }

    /// `module.NAME.OUTPUT` and `module.NAME[KEY].OUTPUT` without evaluating other outputs.
    fn module_output(
        &mut self,
        inst: usize,
        c: usize,
        key: Option<&Value>,
        output: &str,
    ) -> Result<Option<Value>, Fail> {
        let kids = self.expand_call(inst, c)?;
        let found = kids.into_iter().find(|k| {
            let i = &self.instances[*k];
            let ik = i.each.as_ref().map(|(k, _)| k).or(i.count.as_ref());
            match (key, ik) {
                (None, None) => true,
                (Some(want), Some(have)) => {
                    want.is_known() && have.is_known() && { want.to_text() == have.to_text() }
                }
                _ => false,
            }
        });
        match found {
            Some(k) => Ok(Some(self.node(k, Node::Output(output.to_string()))?)),
            None => Ok(None),
        }
    }

    fn resource_instances(&mut self, inst: usize, r: usize) -> Result<Vec<ResourceInstance>, Fail> {
        let i = self.instances[inst].clone();
        let decl: ResourceDecl = self.config.modules[i.module].resources[r].clone();
        let base = format!("{}{}", prefix(&i.address), decl.local_address());
        let scope = self.scope(inst);
        let expansion = match self.expansion(&decl.body, &scope, &base) {
            Ok(e) => e,
            Err(Fail::Soft(m)) => {
                self.findings
                    .problems
                    .insert(format!("{}: {base}: {m}", decl.loc));
                Expansion::Unknown(m)
            }
            Err(hard) => return Err(hard),
        };
        let mut out = Vec::new();
        let mut one = |this: &mut Self, address: String, scope: Scope, symbolic| {
            let attrs = this.body_value(&decl.body, &scope, &address, &decl.loc)?;
            out.push(ResourceInstance {
                address,
                mode: decl.mode,
                ty: decl.ty.clone(),
                name: decl.name.clone(),
                module_keys: i.keys.clone(),
                attrs,
                loc: decl.loc.clone(),
                symbolic,
            });
            Ok::<(), Fail>(())
        };
        match expansion {
            Expansion::Single => one(self, base, scope, false)?,
            Expansion::Count(ix) => {
                for n in ix {
                    let mut s = scope.clone();
                    s.count = Some(n.clone());
                    one(self, format!("{base}{}", key_suffix(&n)), s, false)?;
                }
            }
            Expansion::ForEach(entries) => {
                for (k, v) in entries {
                    let mut s = scope.clone();
                    let address = format!("{base}{}", key_suffix(&k));
                    s.each = Some((k, v));
                    one(self, address, s, false)?;
                }
            }
            Expansion::Unknown(why) => {
                self.findings.symbolic.insert(format!(
                    "{base}: the number of instances is not known ({why}); imported once as {base}[*]"
                ));
                let mut s = scope.clone();
                let u = Value::unknown(format!("the instance key of {base}[*] is not known"));
                s.each = Some((u.clone(), u.clone()));
                s.count = Some(u);
                one(self, format!("{base}[*]"), s, true)?;
            }
        }
        self.evaluated.insert((inst, r), out.clone());
        Ok(out)
    }

    /// The value a reference to a resource gives: its object, or a list / map of objects.
    fn resource_value(&mut self, inst: usize, r: usize) -> EvalResult {
        let decl = &self.config.modules[self.instances[inst].module].resources[r];
        let has = |n: &str| decl.body.attributes().any(|a| a.key.as_str() == n);
        let (for_each, count) = (has("for_each"), has("count"));
        let list = self.resource_instances(inst, r)?;
        let v = if list.len() == 1 && list[0].symbolic {
            let addr = list[0].address.clone();
            Value::unknown(format!("the instances of {addr} are not known"))
                .with_refs(&Refs::one(&addr))
        } else if for_each {
            let mut entries = BTreeMap::new();
            for ri in list {
                let key = ri
                    .address
                    .rsplit_once("[\"")
                    .map(|(_, k)| k.trim_end_matches("\"]").to_string())
                    .unwrap_or_default();
                entries.insert(unescape(&key), ri.attrs);
            }
            Value::map(entries)
        } else if count {
            Value::list(list.into_iter().map(|ri| ri.attrs).collect())
        } else {
            list.into_iter()
                .next()
                .map(|ri| ri.attrs)
                .unwrap_or_else(Value::null)
        };
        self.check_value(v)
    }

    /// A block body as an object: arguments, and nested blocks as lists of objects.
    fn body_value(&mut self, body: &Body, scope: &Scope, address: &str, loc: &Loc) -> EvalResult {
        let open: Arc<str> = Arc::from(address);
        let mut entries: BTreeMap<String, Value> = BTreeMap::new();
        for s in body.iter() {
            match s {
                Structure::Attribute(a) => {
                    if META.contains(&a.key.as_str()) {
                        continue;
                    }
                    let v = match self.expr(&a.expr, scope) {
                        Ok(v) => v,
                        Err(Fail::Soft(m)) => {
                            self.findings
                                .problems
                                .insert(format!("{loc}: {address}: {}: {m}", a.key));
                            Value::unknown(format!("{} could not be evaluated: {m}", a.key))
                        }
                        Err(hard) => return Err(hard),
                    };
                    entries.insert(a.key.to_string(), v);
                }
                Structure::Block(b) => {
                    let name = b.identifier.as_str();
                    if META.contains(&name) {
                        continue;
                    }
                    if name == "dynamic" {
                        let Some(label) = b.labels.first().map(|l| l.as_str().to_string()) else {
                            continue;
                        };
                        let v = self.dynamic_block(b, &label, scope, address, loc)?;
                        let list = entries
                            .entry(label)
                            .or_insert_with(|| Value::list(Vec::new()));
                        *list = append(list, v);
                        continue;
                    }
                    let v = self.body_value(&b.body, scope, address, loc)?;
                    let list = entries
                        .entry(name.to_string())
                        .or_insert_with(|| Value::list(Vec::new()));
                    *list = append(list, vec![v]);
                }
            }
        }
        self.check_value(Value::object(entries, Some(open)).with_refs(&Refs::one(address)))
    }

    fn dynamic_block(
        &mut self,
        b: &hcl::Block,
        label: &str,
        scope: &Scope,
        address: &str,
        loc: &Loc,
    ) -> Result<Vec<Value>, Fail> {
        let get = |n: &str| b.body.attributes().find(|a| a.key.as_str() == n);
        let iterator = get("iterator")
            .and_then(|a| match &a.expr {
                Expression::Variable(v) => Some(v.to_string()),
                _ => None,
            })
            .unwrap_or_else(|| label.to_string());
        let Some(content) = b.body.blocks().find(|c| c.identifier.as_str() == "content") else {
            return Ok(Vec::new());
        };
        let collection = match get("for_each") {
            Some(a) => self.expr(&a.expr.clone(), scope)?,
            None => return Ok(Vec::new()),
        };
        let items: Vec<(Value, Value)> = match &collection.kind {
            Kind::List(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (Value::number(i as f64), v.clone()))
                .collect(),
            Kind::Map(entries, _) => entries
                .iter()
                .map(|(k, v)| (Value::string(k.as_str()), v.clone()))
                .collect(),
            Kind::Unknown(why) => {
                let mut entry = BTreeMap::new();
                entry.insert("key".to_string(), Value::unknown(why.clone()));
                entry.insert("value".to_string(), Value::unknown(why.clone()));
                let it = Value::map(entry).with_refs(&collection.refs);
                let v = self.body_value(&content.body, &scope.bind(&iterator, it), address, loc)?;
                return Ok(vec![v]);
            }
            Kind::Null => Vec::new(),
            _ => {
                return soft(format!(
                    "dynamic \"{label}\": for_each is a {}",
                    collection.type_name()
                ));
            }
        };
        let mut out = Vec::new();
        for (k, v) in items {
            self.step()?;
            let mut entry = BTreeMap::new();
            entry.insert("key".to_string(), k);
            entry.insert("value".to_string(), v);
            let s = scope.bind(&iterator, Value::map(entry));
            out.push(self.body_value(&content.body, &s, address, loc)?);
        }
        Ok(out)
    }

    // ----------------------------------------------------------------------------------------
    // Expressions.

    fn expr(&mut self, e: &Expression, scope: &Scope) -> EvalResult {
        self.step()?;
        self.enter()?;
        let r = self.expr_inner(e, scope);
        self.leave();
        r.and_then(|v| self.check_value(v))
    }

    fn expr_inner(&mut self, e: &Expression, scope: &Scope) -> EvalResult {
        Ok(match e {
            Expression::Null => Value::null(),
            Expression::Bool(b) => Value::bool(*b),
            Expression::Number(n) => Value::number(n.as_f64().unwrap_or(f64::NAN)),
            Expression::String(s) => Value::string(s.as_str()),
            Expression::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    out.push(self.expr(i, scope)?);
                }
                Value::list(out)
            }
            Expression::Object(obj) => {
                let mut out = BTreeMap::new();
                for (k, v) in obj.iter() {
                    let key = match k {
                        ObjectKey::Identifier(id) => id.to_string(),
                        ObjectKey::Expression(Expression::Variable(v)) => v.to_string(),
                        ObjectKey::Expression(kx) => {
                            let kv = self.expr(kx, scope)?;
                            match kv.to_text() {
                                Some(t) => t,
                                None if !kv.is_known() => {
                                    return Ok(Value::unknown(format!(
                                        "an object key is not known: {}",
                                        kv.unknown_reason().unwrap_or("")
                                    ))
                                    .with_refs(&kv.refs));
                                }
                                None => {
                                    return soft(format!("an object key is a {}", kv.type_name()));
                                }
                            }
                        }
                        _ => return soft("an object key of a kind this version does not read"),
                    };
                    let value = self.expr(v, scope)?;
                    out.insert(key, value);
                }
                Value::map(out)
            }
            Expression::TemplateExpr(t) => {
                let template = hcl::Template::from_expr(t)
                    .map_err(|e| Fail::Soft(format!("bad template: {e}")))?;
                self.template(template.elements(), scope)?
            }
            Expression::Variable(v) => self.root(v.as_str(), &[], scope)?.0,
            Expression::Traversal(t) => {
                if let Expression::Variable(v) = &t.expr {
                    let (value, used) = self.root(v.as_str(), &t.operators, scope)?;
                    self.traverse(value, &t.operators[used..], scope)?
                } else {
                    let base = self.expr(&t.expr, scope)?;
                    self.traverse(base, &t.operators, scope)?
                }
            }
            Expression::FuncCall(call) => funcs::call(self, call, scope)?,
            Expression::Parenthesis(inner) => self.expr(inner, scope)?,
            Expression::Conditional(c) => {
                let cond = self.expr(&c.cond_expr, scope)?;
                match &cond.kind {
                    Kind::Bool(true) => self.expr(&c.true_expr, scope)?,
                    Kind::Bool(false) => self.expr(&c.false_expr, scope)?,
                    Kind::Unknown(why) => {
                        let a = self.expr(&c.true_expr, scope)?;
                        let b = self.expr(&c.false_expr, scope)?;
                        if a.kind == b.kind {
                            a.with_refs(&b.refs)
                        } else {
                            Value::unknown(format!(
                                "depends on a condition that is not known ({why})"
                            ))
                            .with_refs(&a.refs.union(&b.refs).union(&cond.refs))
                        }
                    }
                    _ => match cond.as_bool() {
                        Some(true) => self.expr(&c.true_expr, scope)?,
                        Some(false) => self.expr(&c.false_expr, scope)?,
                        None => {
                            return soft(format!(
                                "a condition is a {}, not a bool",
                                cond.type_name()
                            ));
                        }
                    },
                }
            }
            Expression::Operation(op) => self.operation(op, scope)?,
            Expression::ForExpr(f) => self.for_expr(f, scope)?,
            _ => return soft("an expression of a kind this version does not read"),
        })
    }

    fn template(&mut self, elements: &[TplElement], scope: &Scope) -> EvalResult {
        // A template that is one interpolation gives the value itself, not its text.
        if let [TplElement::Interpolation(i)] = elements {
            return self.expr(&i.expr, scope);
        }
        let mut text = String::new();
        let mut refs = Refs::default();
        let mut unknown: Option<String> = None;
        for el in elements {
            match el {
                TplElement::Literal(s) => text.push_str(s),
                TplElement::Interpolation(i) => {
                    let v = self.expr(&i.expr, scope)?;
                    refs = refs.union(&v.refs);
                    match (&v.kind, v.to_text()) {
                        (_, Some(t)) => text.push_str(&t),
                        (Kind::Unknown(why), _) => {
                            unknown.get_or_insert_with(|| why.to_string());
                        }
                        (Kind::Null, _) => return soft("a template interpolates null"),
                        _ => return soft(format!("a template interpolates a {}", v.type_name())),
                    }
                }
                TplElement::Directive(d) => match &**d {
                    Directive::If(dir) => {
                        let c = self.expr(&dir.cond_expr, scope)?;
                        refs = refs.union(&c.refs);
                        let branch = match c.as_bool() {
                            Some(true) => Some(&dir.true_template),
                            Some(false) => dir.false_template.as_ref(),
                            None => {
                                unknown.get_or_insert_with(|| {
                                    "a template condition is not known".to_string()
                                });
                                None
                            }
                        };
                        if let Some(t) = branch {
                            let v = self.template(t.elements(), scope)?;
                            refs = refs.union(&v.refs);
                            match v.to_text() {
                                Some(s) => text.push_str(&s),
                                None => {
                                    unknown.get_or_insert_with(|| {
                                        v.first_unknown().unwrap_or("not text").to_string()
                                    });
                                }
                            }
                        }
                    }
                    Directive::For(dir) => {
                        let coll = self.expr(&dir.collection_expr, scope)?;
                        refs = refs.union(&coll.refs);
                        for (k, v) in pairs(&coll) {
                            self.step()?;
                            let mut s = scope.bind(dir.value_var.as_str(), v);
                            if let Some(kv) = &dir.key_var {
                                s = s.bind(kv.as_str(), k);
                            }
                            let v = self.template(dir.template.elements(), &s)?;
                            refs = refs.union(&v.refs);
                            match v.to_text() {
                                Some(t) => text.push_str(&t),
                                None => {
                                    unknown.get_or_insert_with(|| "not text".into());
                                }
                            }
                        }
                        if !coll.is_known() {
                            unknown.get_or_insert_with(|| {
                                coll.unknown_reason().unwrap_or("").to_string()
                            });
                        }
                    }
                },
            }
            if text.len() > self.limits.max_string_bytes {
                return self.check_value(Value::string(text));
            }
        }
        Ok(match unknown {
            Some(why) => Value::unknown(why).with_refs(&refs),
            None => Value::string(text).with_refs(&refs),
        })
    }

    /// The value a root name gives, and how many operators it used up.
    fn root(
        &mut self,
        name: &str,
        ops: &[TraversalOperator],
        scope: &Scope,
    ) -> Result<(Value, usize), Fail> {
        if let Some(v) = scope.lookup(name) {
            return Ok((v.clone(), 0));
        }
        let attr = |i: usize| match ops.get(i) {
            Some(TraversalOperator::GetAttr(id)) => Some(id.as_str()),
            _ => None,
        };
        let inst = scope.inst;
        let module_idx = self.instances[inst].module;
        match name {
            "var" | "local" => {
                let Some(n) = attr(0) else {
                    return soft(format!("'{name}' needs a name after it"));
                };
                let node = if name == "var" {
                    Node::Var(n.to_string())
                } else {
                    Node::Local(n.to_string())
                };
                Ok((self.node(inst, node)?, 1))
            }
            "each" => {
                let Some((k, v)) = &scope.each else {
                    return soft("'each' is used where there is no for_each");
                };
                match attr(0) {
                    Some("key") => Ok((k.clone(), 1)),
                    Some("value") => Ok((v.clone(), 1)),
                    _ => soft("'each' has only 'key' and 'value'"),
                }
            }
            "count" => {
                let Some(c) = &scope.count else {
                    return soft("'count' is used where there is no count");
                };
                Ok((c.clone(), 1))
            }
            "path" => match attr(0) {
                Some("root" | "module" | "cwd") => Ok((Value::string(self.root_dir.as_str()), 1)),
                _ => soft("'path' has only 'root', 'module' and 'cwd'"),
            },
            "terraform" => Ok((
                Value::unknown("terraform.workspace is chosen when Terraform runs"),
                1,
            )),
            "self" => Ok((Value::unknown("'self' is known only to provisioners"), 0)),
            "module" => {
                let Some(n) = attr(0) else {
                    return soft("'module' needs a name after it");
                };
                let module = &self.config.modules[module_idx];
                let Some(c) = module.calls.iter().position(|c| c.name == n) else {
                    return soft(format!("there is no module '{n}'"));
                };
                // module.NAME.OUTPUT / module.NAME[KEY].OUTPUT without the other outputs.
                let body = &module.calls[c].body;
                let instanced = body
                    .attributes()
                    .any(|a| matches!(a.key.as_str(), "for_each" | "count"));
                if module.calls[c].child.is_some() {
                    if !instanced && let Some(out) = attr(1) {
                        if let Some(v) = self.module_output(inst, c, None, out)? {
                            return Ok((v, 2));
                        }
                    } else if instanced
                        && let (Some(TraversalOperator::Index(kx)), Some(out)) =
                            (ops.get(1), attr(2))
                    {
                        let key = self.expr(&kx.clone(), scope)?;
                        if key.is_known()
                            && let Some(v) = self.module_output(inst, c, Some(&key), out)?
                        {
                            return Ok((v, 3));
                        }
                    }
                }
                Ok((self.node(inst, Node::Call(c))?, 1))
            }
            "data" => {
                let (Some(ty), Some(n)) = (attr(0), attr(1)) else {
                    return soft("'data' needs a type and a name after it");
                };
                let module = &self.config.modules[module_idx];
                let Some(r) = module
                    .resources
                    .iter()
                    .position(|r| r.mode == Mode::Data && r.ty == ty && r.name == n)
                else {
                    return soft(format!("there is no data source data.{ty}.{n}"));
                };
                Ok((self.node(inst, Node::Resource(r))?, 2))
            }
            ty => {
                let Some(n) = attr(0) else {
                    return soft(format!("unknown name '{ty}'"));
                };
                let module = &self.config.modules[module_idx];
                let Some(r) = module
                    .resources
                    .iter()
                    .position(|r| r.mode == Mode::Managed && r.ty == ty && r.name == n)
                else {
                    return soft(format!("there is no resource {ty}.{n}"));
                };
                Ok((self.node(inst, Node::Resource(r))?, 1))
            }
        }
    }

    fn traverse(&mut self, mut v: Value, ops: &[TraversalOperator], scope: &Scope) -> EvalResult {
        for (i, op) in ops.iter().enumerate() {
            self.step()?;
            match op {
                TraversalOperator::GetAttr(name) => v = get_attr(&v, name.as_str())?,
                TraversalOperator::LegacyIndex(n) => v = index(&v, &Value::number(*n as f64))?,
                TraversalOperator::Index(e) => {
                    let k = self.expr(e, scope)?;
                    v = index(&v, &k)?;
                }
                TraversalOperator::AttrSplat | TraversalOperator::FullSplat => {
                    let rest = &ops[i + 1..];
                    return Ok(match &v.kind {
                        Kind::List(items) => {
                            let mut out = Vec::new();
                            for item in items.iter() {
                                out.push(self.traverse(item.clone(), rest, scope)?);
                            }
                            Value::list(out).with_refs(&v.refs)
                        }
                        Kind::Null => Value::list(Vec::new()),
                        Kind::Unknown(_) => v,
                        _ => {
                            let refs = v.refs.clone();
                            Value::list(vec![self.traverse(v, rest, scope)?]).with_refs(&refs)
                        }
                    });
                }
            }
        }
        Ok(v)
    }

    fn operation(&mut self, op: &Operation, scope: &Scope) -> EvalResult {
        match op {
            Operation::Unary(u) => {
                let v = self.expr(&u.expr, scope)?;
                if !v.is_known() {
                    return Ok(v);
                }
                let refs = v.refs.clone();
                Ok(match u.operator {
                    UnaryOperator::Neg => match v.as_number() {
                        Some(n) => Value::number(-n),
                        None => return soft(format!("cannot negate a {}", v.type_name())),
                    },
                    UnaryOperator::Not => match v.as_bool() {
                        Some(b) => Value::bool(!b),
                        None => return soft(format!("cannot apply ! to a {}", v.type_name())),
                    },
                }
                .with_refs(&refs))
            }
            Operation::Binary(b) => {
                let l = self.expr(&b.lhs_expr, scope)?;
                let r = self.expr(&b.rhs_expr, scope)?;
                binary(b.operator, &l, &r)
            }
        }
    }

    fn for_expr(&mut self, f: &hcl::expr::ForExpr, scope: &Scope) -> EvalResult {
        let coll = self.expr(&f.collection_expr, scope)?;
        if let Kind::Unknown(why) = &coll.kind {
            return Ok(Value::unknown(format!(
                "a for expression runs over a value that is not known ({why})"
            ))
            .with_refs(&coll.refs));
        }
        if !matches!(coll.kind, Kind::List(_) | Kind::Map(..)) {
            return soft(format!(
                "a for expression needs a collection, not a {}",
                coll.type_name()
            ));
        }
        let mut list = Vec::new();
        let mut map: BTreeMap<String, Value> = BTreeMap::new();
        let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for (k, v) in pairs(&coll) {
            self.step()?;
            let mut s = scope.bind(f.value_var.as_str(), v);
            if let Some(kv) = &f.key_var {
                s = s.bind(kv.as_str(), k);
            }
            if let Some(c) = &f.cond_expr {
                let keep = self.expr(c, &s)?;
                match keep.as_bool() {
                    Some(true) => {}
                    Some(false) => continue,
                    None if !keep.is_known() => {
                        return Ok(Value::unknown(
                            "a for expression filters on a condition that is not known",
                        )
                        .with_refs(&coll.refs));
                    }
                    None => return soft("a for expression's 'if' is not a bool"),
                }
            }
            let value = self.expr(&f.value_expr, &s)?;
            match &f.key_expr {
                None => list.push(value),
                Some(ke) => {
                    let key = self.expr(ke, &s)?;
                    let Some(key) = key.to_text() else {
                        return Ok(Value::unknown("a for expression's key is not known")
                            .with_refs(&key.refs));
                    };
                    if f.grouping {
                        groups.entry(key).or_default().push(value);
                    } else if map.insert(key.clone(), value).is_some() {
                        return soft(format!("a for expression gives the key '{key}' twice"));
                    }
                }
            }
        }
        let v = if f.key_expr.is_none() {
            Value::list(list)
        } else if f.grouping {
            Value::map(
                groups
                    .into_iter()
                    .map(|(k, v)| (k, Value::list(v)))
                    .collect(),
            )
        } else {
            Value::map(map)
        };
        Ok(v.with_refs(&coll.refs))
    }

    /// Evaluates an expression from a variable file, where only literals and functions mean
    /// anything.
    pub fn literal(&mut self, e: &Expression) -> EvalResult {
        self.expr(e, &Scope::default())
    }

    /// For the functions: an argument, in the caller's scope.
    pub(super) fn arg(&mut self, e: &Expression, scope: &Scope) -> EvalResult {
        self.expr(e, scope)
    }

    pub(super) fn tick(&mut self) -> Result<(), Fail> {
        self.step()
    }
}

/// The `(key, value)` pairs of a collection: indices of a list, keys of a map.
pub(super) fn pairs(v: &Value) -> Vec<(Value, Value)> {
    match &v.kind {
        Kind::List(items) => items
            .iter()
            .enumerate()
            .map(|(i, x)| (Value::number(i as f64), x.clone()))
            .collect(),
        Kind::Map(entries, _) => entries
            .iter()
            .map(|(k, x)| (Value::string(k.as_str()), x.clone()))
            .collect(),
        _ => Vec::new(),
    }
}

fn append(list: &Value, more: Vec<Value>) -> Value {
    let mut items: Vec<Value> = list.as_list().map(<[Value]>::to_vec).unwrap_or_default();
    items.extend(more);
    Value::list(items)
}

fn unescape(key: &str) -> String {
    key.replace("\\\"", "\"").replace("\\\\", "\\")
}

/// `v.name`.
pub(super) fn get_attr(v: &Value, name: &str) -> EvalResult {
    match &v.kind {
        Kind::Map(entries, open) => match entries.get(name) {
            Some(x) => Ok(x.clone().with_refs(&v.refs)),
            None => match open {
                Some(addr) => Ok(
                    Value::unknown(format!("{addr}.{name} is known after apply"))
                        .with_refs(&v.refs.union(&Refs::one(addr))),
                ),
                None => soft(format!("the object has no attribute '{name}'")),
            },
        },
        Kind::Unknown(_) => Ok(v.clone()),
        // `list.0` is an old way to write `list[0]`.
        Kind::List(_) if name.parse::<usize>().is_ok() => {
            index(v, &Value::number(name.parse::<usize>().unwrap_or(0) as f64))
        }
        _ => soft(format!("cannot read '{name}' of a {}", v.type_name())),
    }
}

/// `v[k]`.
pub(super) fn index(v: &Value, k: &Value) -> EvalResult {
    if !k.is_known() {
        return Ok(Value::unknown(format!(
            "an index is not known ({})",
            k.unknown_reason().unwrap_or("")
        ))
        .with_refs(&v.refs.union(&k.refs)));
    }
    match &v.kind {
        Kind::List(items) => {
            let Some(n) = k.as_number().filter(|n| *n >= 0.0 && n.fract() == 0.0) else {
                return soft(format!("a list index must be a whole number, not {k}"));
            };
            match items.get(n as usize) {
                Some(x) => Ok(x.clone().with_refs(&v.refs)),
                None => soft(format!(
                    "index {} is out of range for a list of {}",
                    format_number(n),
                    items.len()
                )),
            }
        }
        Kind::Map(..) => match k.to_text() {
            Some(key) => get_attr(v, &key),
            None => soft(format!(
                "a map key must be a string, not a {}",
                k.type_name()
            )),
        },
        Kind::Unknown(_) => Ok(v.clone()),
        _ => soft(format!("cannot index a {}", v.type_name())),
    }
}

/// Structural equality, ignoring provenance. `None` when either side is (partly) unknown.
pub(super) fn equal(a: &Value, b: &Value) -> Option<bool> {
    match (&a.kind, &b.kind) {
        (Kind::Unknown(_), _) | (_, Kind::Unknown(_)) => None,
        (Kind::List(x), Kind::List(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            let mut all = true;
            for (p, q) in x.iter().zip(y.iter()) {
                match equal(p, q) {
                    Some(false) => return Some(false),
                    None => all = false,
                    Some(true) => {}
                }
            }
            all.then_some(true)
        }
        (Kind::Map(x, _), Kind::Map(y, _)) => {
            if x.len() != y.len() || x.keys().ne(y.keys()) {
                return Some(false);
            }
            let mut all = true;
            for (p, q) in x.values().zip(y.values()) {
                match equal(p, q) {
                    Some(false) => return Some(false),
                    None => all = false,
                    Some(true) => {}
                }
            }
            all.then_some(true)
        }
        (Kind::Number(x), Kind::Number(y)) => Some(x == y),
        (Kind::Number(_), Kind::String(_)) | (Kind::String(_), Kind::Number(_)) => {
            Some(a.to_text() == b.to_text())
        }
        (x, y) => Some(x == y),
    }
}

fn binary(op: BinaryOperator, l: &Value, r: &Value) -> EvalResult {
    use BinaryOperator::*;
    let refs = l.refs.union(&r.refs);
    // `false && x` and `true || x` are known whatever x is.
    match (op, l.as_bool(), r.as_bool()) {
        (And, Some(false), _) | (And, _, Some(false)) => {
            return Ok(Value::bool(false).with_refs(&refs));
        }
        (Or, Some(true), _) | (Or, _, Some(true)) => return Ok(Value::bool(true).with_refs(&refs)),
        _ => {}
    }
    if matches!(op, Eq | NotEq) {
        return Ok(match equal(l, r) {
            Some(e) => Value::bool(if op == Eq { e } else { !e }),
            None => Value::unknown("compares a value that is not known"),
        }
        .with_refs(&refs));
    }
    if !l.is_known() || !r.is_known() {
        let why = l.unknown_reason().or(r.unknown_reason()).unwrap_or("");
        return Ok(Value::unknown(why).with_refs(&refs));
    }
    if matches!(op, And | Or) {
        return match (l.as_bool(), r.as_bool()) {
            (Some(a), Some(b)) => {
                Ok(Value::bool(if op == And { a && b } else { a || b }).with_refs(&refs))
            }
            _ => soft("&& and || need bools"),
        };
    }
    let (Some(a), Some(b)) = (l.as_number(), r.as_number()) else {
        return soft(format!(
            "arithmetic and comparison need numbers, not {} and {}",
            l.type_name(),
            r.type_name()
        ));
    };
    let v = match op {
        Plus => Value::number(a + b),
        Minus => Value::number(a - b),
        Mul => Value::number(a * b),
        Div if b == 0.0 => return soft("division by zero"),
        Div => Value::number(a / b),
        Mod if b == 0.0 => return soft("modulo by zero"),
        Mod => Value::number(a % b),
        Less => Value::bool(a < b),
        LessEq => Value::bool(a <= b),
        Greater => Value::bool(a > b),
        GreaterEq => Value::bool(a >= b),
        Eq | NotEq | And | Or => unreachable!("handled above"),
    };
    Ok(v.with_refs(&refs))
}
