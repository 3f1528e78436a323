//! Terraform's built-in functions that are cheap and pure: strings, numbers, collections,
//! type conversions, `try` and `can`. Functions that read files, the clock, randomness or the
//! network (`file`, `templatefile`, `fileset`, `timestamp`, `uuid`, ...) and hashes are not
//! evaluated: they give an unknown value that says so. So does any function not listed here.
//!
//! Functions that build collections check their size before building them (`range` with a
//! million elements is refused, not allocated).

use std::collections::BTreeMap;

use hcl::expr::FuncCall;

use super::TerraformError;
use super::eval::{EvalResult, Evaluator, Fail, Scope, equal, soft};
use super::value::{Kind, Refs, Value, format_number};

/// Functions that are known but deliberately not evaluated.
const NOT_EVALUATED: &[&str] = &[
    "file",
    "fileexists",
    "fileset",
    "filebase64",
    "templatefile",
    "timestamp",
    "timeadd",
    "plantimestamp",
    "uuid",
    "uuidv5",
    "bcrypt",
    "md5",
    "sha1",
    "sha256",
    "sha512",
    "base64sha256",
    "base64sha512",
    "filemd5",
    "filesha256",
    "cidrsubnet",
    "cidrsubnets",
    "cidrhost",
    "cidrnetmask",
    "rsadecrypt",
    "abspath",
    "pathexpand",
    "yamldecode",
];

pub(super) fn call(ev: &mut Evaluator<'_>, call: &FuncCall, scope: &Scope) -> EvalResult {
    let name = call.name.name.as_str();
    let full = if call.name.namespace.is_empty() {
        name.to_string()
    } else {
        format!(
            "{}::{name}",
            call.name
                .namespace
                .iter()
                .map(|i| i.as_str())
                .collect::<Vec<_>>()
                .join("::")
        )
    };
    // try and can look at failures, so they evaluate their arguments themselves.
    if name == "try" && call.name.namespace.is_empty() {
        let mut last = None;
        for a in &call.args {
            match ev.arg(a, scope) {
                Ok(v) => return Ok(v),
                Err(Fail::Soft(m)) => last = Some(m),
                Err(hard) => return Err(hard),
            }
        }
        return soft(format!(
            "no argument of try() could be evaluated{}",
            last.map(|m| format!(" (last: {m})")).unwrap_or_default()
        ));
    }
    if name == "can" && call.name.namespace.is_empty() {
        let Some(a) = call.args.first() else {
            return soft("can() needs one argument");
        };
        return match ev.arg(a, scope) {
            Ok(v) if !v.is_known() => Ok(Value::unknown("can() of a value that is not known")),
            Ok(_) => Ok(Value::bool(true)),
            Err(Fail::Soft(_)) => Ok(Value::bool(false)),
            Err(hard) => Err(hard),
        };
    }
    let mut args = Vec::with_capacity(call.args.len());
    for a in &call.args {
        args.push(ev.arg(a, scope)?);
    }
    if call.expand_final
        && let Some(last) = args.pop()
    {
        match &last.kind {
            Kind::List(items) => args.extend(items.iter().cloned()),
            Kind::Unknown(_) => return Ok(last),
            _ => return soft(format!("{full}(...): the last argument must be a list")),
        }
    }
    let refs = args.iter().fold(Refs::default(), |r, a| r.union(&a.refs));
    if NOT_EVALUATED.contains(&name) || !call.name.namespace.is_empty() {
        return Ok(Value::unknown(format!("{full}() is not evaluated")).with_refs(&refs));
    }
    // Identity functions first: they keep unknowns as they are.
    if matches!(name, "sensitive" | "nonsensitive" | "type") && args.len() == 1 {
        return Ok(args.remove(0));
    }
    if let Some(u) = args
        .iter()
        .find(|a| !a.is_known() && !tolerates_unknown(name))
    {
        let why = u.unknown_reason().unwrap_or("").to_string();
        return Ok(Value::unknown(why).with_refs(&refs));
    }
    let v = builtin(ev, name, &args)?;
    ev.check_value(v.with_refs(&refs))
}

/// Functions that work on collections whose elements may be unknown, or that skip unknowns.
fn tolerates_unknown(name: &str) -> bool {
    matches!(name, "coalesce")
}

fn want_str(f: &str, v: &Value) -> Result<String, Fail> {
    match v.to_text() {
        Some(s) => Ok(s),
        None => soft(format!("{f}() needs a string, not a {}", v.type_name())),
    }
}

fn want_num(f: &str, v: &Value) -> Result<f64, Fail> {
    v.as_number()
        .ok_or_else(|| Fail::Soft(format!("{f}() needs a number, not a {}", v.type_name())))
}

fn want_list<'a>(f: &str, v: &'a Value) -> Result<&'a [Value], Fail> {
    v.as_list()
        .ok_or_else(|| Fail::Soft(format!("{f}() needs a list, not a {}", v.type_name())))
}

fn arity(f: &str, args: &[Value], min: usize, max: usize) -> Result<(), Fail> {
    if args.len() < min || args.len() > max {
        return soft(format!(
            "{f}() takes {} argument(s), not {}",
            if min == max {
                min.to_string()
            } else {
                format!("{min} to {max}")
            },
            args.len()
        ));
    }
    Ok(())
}

fn limit(ev: &Evaluator<'_>, f: &str, n: f64) -> Result<(), Fail> {
    let max = ev.limits().max_value_nodes as f64;
    if n > max {
        return Err(Fail::Hard(TerraformError::Limit(format!(
            "{f}() would build {} elements; at most {} are allowed",
            format_number(n),
            ev.limits().max_value_nodes
        ))));
    }
    Ok(())
}

fn strings(v: Vec<String>) -> Value {
    Value::list(v.into_iter().map(Value::string).collect())
}

/// Sorted and without repeats, as Terraform's sets of strings are.
fn set(mut items: Vec<Value>) -> Value {
    items.sort_by_key(|a| a.to_text());
    items.dedup_by(|a, b| equal(a, b) == Some(true));
    Value::list(items)
}

fn builtin(ev: &mut Evaluator<'_>, f: &str, a: &[Value]) -> EvalResult {
    ev.tick()?;
    Ok(match f {
        // Strings.
        "lower" | "upper" | "trimspace" | "chomp" | "strrev" | "title" => {
            arity(f, a, 1, 1)?;
            let s = want_str(f, &a[0])?;
            Value::string(match f {
                "lower" => s.to_lowercase(),
                "upper" => s.to_uppercase(),
                "trimspace" => s.trim().to_string(),
                "chomp" => s.trim_end_matches(['\n', '\r']).to_string(),
                "strrev" => s.chars().rev().collect(),
                _ => s
                    .split(' ')
                    .map(|w| {
                        let mut c = w.chars();
                        c.next()
                            .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                            .unwrap_or_default()
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
            })
        }
        "trimprefix" | "trimsuffix" | "trim" | "startswith" | "endswith" | "strcontains" => {
            arity(f, a, 2, 2)?;
            let (s, p) = (want_str(f, &a[0])?, want_str(f, &a[1])?);
            match f {
                "trimprefix" => Value::string(s.strip_prefix(p.as_str()).unwrap_or(&s)),
                "trimsuffix" => Value::string(s.strip_suffix(p.as_str()).unwrap_or(&s)),
                "trim" => Value::string(s.trim_matches(|c| p.contains(c))),
                "startswith" => Value::bool(s.starts_with(&p)),
                "endswith" => Value::bool(s.ends_with(&p)),
                _ => Value::bool(s.contains(&p)),
            }
        }
        "replace" => {
            arity(f, a, 3, 3)?;
            let (s, from, to) = (
                want_str(f, &a[0])?,
                want_str(f, &a[1])?,
                want_str(f, &a[2])?,
            );
            if from.len() >= 2 && from.starts_with('/') && from.ends_with('/') {
                let re = regex(&from[1..from.len() - 1])?;
                let to = to.replace("$", "$$").replace("$${", "${");
                Value::string(re.replace_all(&s, to.as_str()).to_string())
            } else if from.is_empty() {
                Value::string(s)
            } else {
                let n = s.matches(from.as_str()).count() as f64;
                limit_string(ev, s.len() as f64 + n * to.len() as f64)?;
                Value::string(s.replace(from.as_str(), &to))
            }
        }
        "split" => {
            arity(f, a, 2, 2)?;
            let (sep, s) = (want_str(f, &a[0])?, want_str(f, &a[1])?);
            if sep.is_empty() {
                strings(s.chars().map(String::from).collect())
            } else {
                strings(s.split(sep.as_str()).map(String::from).collect())
            }
        }
        "join" => {
            if a.is_empty() {
                return soft("join() needs a separator and lists");
            }
            let sep = want_str(f, &a[0])?;
            let mut parts = Vec::new();
            for l in &a[1..] {
                for v in want_list(f, l)? {
                    match v.to_text() {
                        Some(t) => parts.push(t),
                        None if !v.is_known() => {
                            return Ok(Value::unknown(
                                v.unknown_reason().unwrap_or("").to_string(),
                            ));
                        }
                        None => return soft("join() joins strings only"),
                    }
                }
            }
            let len: usize = parts.iter().map(String::len).sum::<usize>() + sep.len() * parts.len();
            limit_string(ev, len as f64)?;
            Value::string(parts.join(&sep))
        }
        "substr" => {
            arity(f, a, 3, 3)?;
            let s: Vec<char> = want_str(f, &a[0])?.chars().collect();
            let off = want_num(f, &a[1])?;
            let len = want_num(f, &a[2])?;
            let start = if off < 0.0 {
                (s.len() as f64 + off).max(0.0) as usize
            } else {
                (off as usize).min(s.len())
            };
            let end = if len < 0.0 {
                s.len()
            } else {
                (start + len as usize).min(s.len())
            };
            Value::string(s[start..end].iter().collect::<String>())
        }
        "format" => format(ev, a)?,
        "regex" => {
            arity(f, a, 2, 2)?;
            let re = regex(&want_str(f, &a[0])?)?;
            let s = want_str(f, &a[1])?;
            let Some(caps) = re.captures(&s) else {
                return soft("regex() found no match");
            };
            let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
            if names.is_empty() {
                Value::string(caps.get(0).map_or("", |m| m.as_str()))
            } else if names.iter().all(Option::is_some) {
                Value::map(
                    names
                        .iter()
                        .flatten()
                        .map(|n| {
                            let v = caps
                                .name(n)
                                .map_or(Value::null(), |m| Value::string(m.as_str()));
                            (n.to_string(), v)
                        })
                        .collect(),
                )
            } else {
                Value::list(
                    (1..caps.len())
                        .map(|i| {
                            caps.get(i)
                                .map_or(Value::null(), |m| Value::string(m.as_str()))
                        })
                        .collect(),
                )
            }
        }
        "base64encode" => {
            arity(f, a, 1, 1)?;
            Value::string(base64(want_str(f, &a[0])?.as_bytes()))
        }
        "jsonencode" => {
            arity(f, a, 1, 1)?;
            match to_json(&a[0]) {
                Some(j) => Value::string(j.to_string()),
                None => Value::unknown("jsonencode() of a value that is not known"),
            }
        }
        "jsondecode" => {
            arity(f, a, 1, 1)?;
            let s = want_str(f, &a[0])?;
            let j: serde_json::Value =
                serde_json::from_str(&s).map_err(|e| Fail::Soft(format!("jsondecode(): {e}")))?;
            from_json(&j)
        }
        // Numbers.
        "abs" | "ceil" | "floor" | "signum" => {
            arity(f, a, 1, 1)?;
            let n = want_num(f, &a[0])?;
            Value::number(match f {
                "abs" => n.abs(),
                "ceil" => n.ceil(),
                "floor" => n.floor(),
                _ => n.signum(),
            })
        }
        "min" | "max" => {
            if a.is_empty() {
                return soft(format!("{f}() needs numbers"));
            }
            let ns = a
                .iter()
                .map(|v| want_num(f, v))
                .collect::<Result<Vec<_>, _>>()?;
            let pick = if f == "min" { f64::min } else { f64::max };
            Value::number(ns.into_iter().reduce(pick).unwrap_or(0.0))
        }
        "pow" => {
            arity(f, a, 2, 2)?;
            Value::number(want_num(f, &a[0])?.powf(want_num(f, &a[1])?))
        }
        "parseint" => {
            arity(f, a, 2, 2)?;
            let s = want_str(f, &a[0])?;
            let base = want_num(f, &a[1])? as u32;
            if !(2..=36).contains(&base) {
                return soft("parseint() base must be between 2 and 36");
            }
            match i64::from_str_radix(&s, base) {
                Ok(n) => Value::number(n as f64),
                Err(e) => return soft(format!("parseint(): {e}")),
            }
        }
        "sum" => {
            arity(f, a, 1, 1)?;
            let mut total = 0.0;
            for v in want_list(f, &a[0])? {
                total += want_num(f, v)?;
            }
            Value::number(total)
        }
        // Collections.
        "length" => {
            arity(f, a, 1, 1)?;
            match &a[0].kind {
                Kind::List(items) => Value::number(items.len() as f64),
                Kind::Map(e, _) => Value::number(e.len() as f64),
                Kind::String(s) => Value::number(s.chars().count() as f64),
                _ => return soft(format!("length() of a {}", a[0].type_name())),
            }
        }
        "concat" => {
            let mut out = Vec::new();
            for l in a {
                out.extend(want_list(f, l)?.iter().cloned());
            }
            Value::list(out)
        }
        "merge" => {
            let mut out = BTreeMap::new();
            for m in a {
                match &m.kind {
                    Kind::Map(e, _) => {
                        for (k, v) in e.iter() {
                            out.insert(k.clone(), v.clone().with_refs(&m.refs));
                        }
                    }
                    Kind::Null => {}
                    _ => return soft(format!("merge() of a {}", m.type_name())),
                }
            }
            Value::map(out)
        }
        "lookup" => {
            arity(f, a, 2, 3)?;
            let key = want_str(f, &a[1])?;
            match a[0].as_map().and_then(|m| m.get(&key)) {
                Some(v) => v.clone(),
                None if a.len() == 3 => a[2].clone(),
                None if a[0].as_map().is_some() => {
                    return soft(format!("lookup(): no key '{key}' and no default"));
                }
                None => return soft(format!("lookup() of a {}", a[0].type_name())),
            }
        }
        "element" => {
            arity(f, a, 2, 2)?;
            let items = want_list(f, &a[0])?;
            if items.is_empty() {
                return soft("element() of an empty list");
            }
            let i = want_num(f, &a[1])? as i64;
            items[i.rem_euclid(items.len() as i64) as usize].clone()
        }
        "index" => {
            arity(f, a, 2, 2)?;
            match want_list(f, &a[0])?
                .iter()
                .position(|v| equal(v, &a[1]) == Some(true))
            {
                Some(i) => Value::number(i as f64),
                None => return soft("index(): the value is not in the list"),
            }
        }
        "contains" => {
            arity(f, a, 2, 2)?;
            let items = want_list(f, &a[0])?;
            let mut unknown = false;
            for v in items {
                match equal(v, &a[1]) {
                    Some(true) => return Ok(Value::bool(true)),
                    None => unknown = true,
                    Some(false) => {}
                }
            }
            if unknown {
                Value::unknown("contains() over values that are not known")
            } else {
                Value::bool(false)
            }
        }
        "keys" => {
            arity(f, a, 1, 1)?;
            match a[0].as_map() {
                Some(m) => strings(m.keys().cloned().collect()),
                None => return soft(format!("keys() of a {}", a[0].type_name())),
            }
        }
        "values" => {
            arity(f, a, 1, 1)?;
            match a[0].as_map() {
                Some(m) => Value::list(m.values().cloned().collect()),
                None => return soft(format!("values() of a {}", a[0].type_name())),
            }
        }
        "flatten" => {
            arity(f, a, 1, 1)?;
            let mut out = Vec::new();
            flatten(want_list(f, &a[0])?, &mut out, 0)?;
            Value::list(out)
        }
        "distinct" => {
            arity(f, a, 1, 1)?;
            let mut out: Vec<Value> = Vec::new();
            for v in want_list(f, &a[0])? {
                if !out.iter().any(|o| equal(o, v) == Some(true)) {
                    out.push(v.clone());
                }
            }
            Value::list(out)
        }
        "compact" => {
            arity(f, a, 1, 1)?;
            Value::list(
                want_list(f, &a[0])?
                    .iter()
                    .filter(|v| !v.is_null() && v.as_str() != Some(""))
                    .cloned()
                    .collect(),
            )
        }
        "reverse" => {
            arity(f, a, 1, 1)?;
            Value::list(want_list(f, &a[0])?.iter().rev().cloned().collect())
        }
        "sort" => {
            arity(f, a, 1, 1)?;
            let mut items = want_list(f, &a[0])?
                .iter()
                .map(|v| want_str(f, v).map(|s| (s, v.clone())))
                .collect::<Result<Vec<_>, _>>()?;
            items.sort_by(|x, y| x.0.cmp(&y.0));
            Value::list(items.into_iter().map(|(_, v)| v).collect())
        }
        "slice" => {
            arity(f, a, 3, 3)?;
            let items = want_list(f, &a[0])?;
            let (s, e) = (want_num(f, &a[1])? as usize, want_num(f, &a[2])? as usize);
            if s > e || e > items.len() {
                return soft("slice(): indices out of range");
            }
            Value::list(items[s..e].to_vec())
        }
        "one" => {
            arity(f, a, 1, 1)?;
            let items = want_list(f, &a[0])?;
            match items.len() {
                0 => Value::null(),
                1 => items[0].clone(),
                n => return soft(format!("one() of a list of {n}")),
            }
        }
        "coalesce" => {
            for v in a {
                match &v.kind {
                    Kind::Unknown(_) => return Ok(v.clone()),
                    Kind::Null => {}
                    Kind::String(s) if s.is_empty() => {}
                    _ => return Ok(v.clone()),
                }
            }
            return soft("coalesce(): every argument is null or empty");
        }
        "coalescelist" => {
            for v in a {
                if want_list(f, v)?.is_empty() {
                    continue;
                }
                return Ok(v.clone());
            }
            return soft("coalescelist(): every list is empty");
        }
        "alltrue" | "anytrue" => {
            arity(f, a, 1, 1)?;
            let bs = want_list(f, &a[0])?
                .iter()
                .map(|v| v.as_bool())
                .collect::<Option<Vec<_>>>();
            match bs {
                Some(bs) if f == "alltrue" => Value::bool(bs.into_iter().all(|b| b)),
                Some(bs) => Value::bool(bs.into_iter().any(|b| b)),
                None => {
                    Value::unknown(format!("{f}() over values that are not bools or not known"))
                }
            }
        }
        "range" => {
            arity(f, a, 1, 3)?;
            let ns = a
                .iter()
                .map(|v| want_num(f, v))
                .collect::<Result<Vec<_>, _>>()?;
            let (start, end, step) = match ns.as_slice() {
                [e] => (0.0, *e, 1.0),
                [s, e] => (*s, *e, if e >= s { 1.0 } else { -1.0 }),
                [s, e, st] => (*s, *e, *st),
                _ => unreachable!("arity checked"),
            };
            if step == 0.0 || (end - start) * step < 0.0 && end != start {
                return soft("range(): the step goes the wrong way or is zero");
            }
            let n = ((end - start) / step).ceil().max(0.0);
            limit(ev, f, n)?;
            Value::list(
                (0..n as usize)
                    .map(|i| Value::number(start + i as f64 * step))
                    .collect(),
            )
        }
        "zipmap" => {
            arity(f, a, 2, 2)?;
            let (ks, vs) = (want_list(f, &a[0])?, want_list(f, &a[1])?);
            if ks.len() != vs.len() {
                return soft("zipmap(): the lists differ in length");
            }
            let mut out = BTreeMap::new();
            for (k, v) in ks.iter().zip(vs) {
                out.insert(want_str(f, k)?, v.clone());
            }
            Value::map(out)
        }
        "setunion" | "setintersection" | "setsubtract" => {
            let lists = a
                .iter()
                .map(|l| want_list(f, l))
                .collect::<Result<Vec<_>, _>>()?;
            let first = lists.first().map(|l| l.to_vec()).unwrap_or_default();
            let out: Vec<Value> = match f {
                "setunion" => lists.iter().flat_map(|l| l.iter().cloned()).collect(),
                "setintersection" => first
                    .into_iter()
                    .filter(|v| {
                        lists[1..]
                            .iter()
                            .all(|l| l.iter().any(|x| equal(x, v) == Some(true)))
                    })
                    .collect(),
                _ => first
                    .into_iter()
                    .filter(|v| {
                        !lists[1..]
                            .iter()
                            .any(|l| l.iter().any(|x| equal(x, v) == Some(true)))
                    })
                    .collect(),
            };
            set(out)
        }
        "chunklist" => {
            arity(f, a, 2, 2)?;
            let items = want_list(f, &a[0])?;
            let size = want_num(f, &a[1])? as usize;
            if size == 0 {
                Value::list(vec![Value::list(items.to_vec())])
            } else {
                Value::list(
                    items
                        .chunks(size)
                        .map(|c| Value::list(c.to_vec()))
                        .collect(),
                )
            }
        }
        // Conversions.
        "tostring" => {
            arity(f, a, 1, 1)?;
            match (&a[0].kind, a[0].to_text()) {
                (Kind::Null, _) => Value::null(),
                (_, Some(t)) => Value::string(t),
                _ => return soft(format!("tostring() of a {}", a[0].type_name())),
            }
        }
        "tonumber" => {
            arity(f, a, 1, 1)?;
            match (&a[0].kind, a[0].as_number()) {
                (Kind::Null, _) => Value::null(),
                (_, Some(n)) => Value::number(n),
                _ => return soft(format!("tonumber() cannot convert {}", a[0])),
            }
        }
        "tobool" => {
            arity(f, a, 1, 1)?;
            match (&a[0].kind, a[0].as_bool()) {
                (Kind::Null, _) => Value::null(),
                (_, Some(b)) => Value::bool(b),
                _ => return soft(format!("tobool() cannot convert {}", a[0])),
            }
        }
        "toset" => {
            arity(f, a, 1, 1)?;
            set(want_list(f, &a[0])?.to_vec())
        }
        "tolist" | "tomap" => {
            arity(f, a, 1, 1)?;
            a[0].clone()
        }
        _ => return Ok(Value::unknown(format!("{f}() is not evaluated"))),
    })
}

fn limit_string(ev: &Evaluator<'_>, len: f64) -> Result<(), Fail> {
    if len > ev.limits().max_string_bytes as f64 {
        return Err(Fail::Hard(TerraformError::Limit(format!(
            "a string grew past {} bytes",
            ev.limits().max_string_bytes
        ))));
    }
    Ok(())
}

fn flatten(items: &[Value], out: &mut Vec<Value>, depth: usize) -> Result<(), Fail> {
    if depth > 64 {
        return soft("flatten() of lists nested deeper than 64");
    }
    for v in items {
        match &v.kind {
            Kind::List(inner) => flatten(inner, out, depth + 1)?,
            _ => out.push(v.clone()),
        }
    }
    Ok(())
}

fn regex(pattern: &str) -> Result<regex::Regex, Fail> {
    regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| Fail::Soft(format!("bad regular expression: {e}")))
}

/// `format` with the verbs Terraform configurations use: `%s`, `%d`, `%v`, `%q`, `%%`, with an
/// optional width and precision for numbers.
fn format(ev: &Evaluator<'_>, a: &[Value]) -> EvalResult {
    let Some(spec) = a.first() else {
        return soft("format() needs a format string");
    };
    let spec = want_str("format", spec)?;
    let mut out = String::new();
    let mut args = a[1..].iter();
    let mut chars = spec.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut flags = String::new();
        while let Some(&d) = chars.peek() {
            if d.is_ascii_digit() || d == '.' || d == '-' || d == '+' || d == ' ' || d == '#' {
                flags.push(d);
                chars.next();
            } else {
                break;
            }
        }
        let Some(verb) = chars.next() else {
            return soft("format(): the string ends in '%'");
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(v) = args.next() else {
            return soft("format(): more verbs than arguments");
        };
        let text = match verb {
            's' | 'v' => v.to_text().unwrap_or_else(|| v.to_string()),
            'q' => format!("{:?}", v.to_text().unwrap_or_default()),
            'd' => format_number(want_num("format", v)?.trunc()),
            'f' => {
                let prec = flags
                    .split_once('.')
                    .and_then(|(_, p)| p.parse().ok())
                    .unwrap_or(6);
                format!("{:.*}", prec, want_num("format", v)?)
            }
            't' => v.as_bool().map(|b| b.to_string()).unwrap_or_default(),
            other => return soft(format!("format(): the verb '%{other}' is not supported")),
        };
        let digits = flags.trim_start_matches(['-', '+', ' ', '#']);
        let width: usize = digits
            .split('.')
            .next()
            .and_then(|w| w.parse().ok())
            .unwrap_or(0);
        if text.chars().count() < width {
            let fill = if digits.starts_with('0') && !flags.starts_with('-') {
                "0"
            } else {
                " "
            };
            let pad = fill.repeat(width - text.chars().count());
            if flags.starts_with('-') {
                out.push_str(&text);
                out.push_str(&pad);
            } else {
                out.push_str(&pad);
                out.push_str(&text);
            }
        } else {
            out.push_str(&text);
        }
        limit_string(ev, out.len() as f64)?;
    }
    Ok(Value::string(out))
}

fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn to_json(v: &Value) -> Option<serde_json::Value> {
    Some(match &v.kind {
        Kind::Null => serde_json::Value::Null,
        Kind::Bool(b) => (*b).into(),
        Kind::Number(n) => {
            serde_json::Number::from_f64(*n).map_or(serde_json::Value::Null, Into::into)
        }
        Kind::String(s) => s.to_string().into(),
        Kind::List(items) => items
            .iter()
            .map(to_json)
            .collect::<Option<Vec<_>>>()?
            .into(),
        Kind::Map(e, _) => serde_json::Value::Object(
            e.iter()
                .map(|(k, v)| Some((k.clone(), to_json(v)?)))
                .collect::<Option<_>>()?,
        ),
        Kind::Unknown(_) => return None,
    })
}

fn from_json(j: &serde_json::Value) -> Value {
    match j {
        serde_json::Value::Null => Value::null(),
        serde_json::Value::Bool(b) => Value::bool(*b),
        serde_json::Value::Number(n) => Value::number(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(s) => Value::string(s.as_str()),
        serde_json::Value::Array(a) => Value::list(a.iter().map(from_json).collect()),
        serde_json::Value::Object(o) => {
            Value::map(o.iter().map(|(k, v)| (k.clone(), from_json(v))).collect())
        }
    }
}
