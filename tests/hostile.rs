//! The hostile-input suite of issue 20: a generator of the input classes the issue probed
//! (invalid UTF-8, empty, huge, devices and FIFOs, folders, deep nesting in every format and in
//! rule packs, bombs, control and bidi characters, duplicate keys and ids, path escapes,
//! foreign SQLite files, read-only files and folders), each run through every command of the
//! real binary that reads input, in the argument that command reads.
//!
//! Every run must end in bounded time (60 s) and memory (a 4 GiB address-space limit) with a
//! result or a clear error (the CLI's exit statuses 0 to 5), never a panic (exit 101) or a
//! signal, and must leave every input file as it was (bytes, mode, modification time) with
//! nothing new beside it. When the tests run as root, the commands run as `nobody`, so that read-only files and
//! folders are read-only to them too. The figures are printed at the end:
//! `cargo test --test hostile -- --nocapture`.

mod common;
use common::{s, sample};

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use stridewise_core::model::{self, Element, ElementKind};

/// How long one command may take.
const TIMEOUT: Duration = Duration::from_secs(60);
/// The address space a command may use (KiB, for `ulimit -v`).
const MEMORY_KIB: u64 = 4 * 1024 * 1024;

struct Input {
    name: String,
    path: PathBuf,
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn fixture(rel: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/interop")
            .join(rel),
    )
    .unwrap()
}

/// The hostile inputs, written into `dir` (and a few that exist already: devices).
fn generate(dir: &Path) -> Vec<Input> {
    let mut files: Vec<(&str, Vec<u8>)> = Vec::new();
    let good = model::to_canonical_json(&sample("orders"));

    // Bytes that are not what they claim to be.
    files.push(("empty.stride.json", Vec::new()));
    files.push((
        "invalid-utf8.stride.json",
        b"{\"name\": \"\xff\xfe\xc3\x28\"}".to_vec(),
    ));
    files.push((
        "invalid-utf8-in-a-model.stride.json",
        good.replace("orders", "ord\u{1}ers")
            .into_bytes()
            .into_iter()
            .map(|b| if b == 1 { 0xff } else { b })
            .collect(),
    ));
    files.push(("nul-bytes.stride.json", vec![0u8; 4096]));
    files.push((
        "truncated.stride.json",
        good.as_bytes()[..good.len() / 2].to_vec(),
    ));

    // Deep nesting in every format.
    let deep = 200_000;
    files.push((
        "deep-json.stride.json",
        format!("{}{}", "[".repeat(deep), "]".repeat(deep)).into_bytes(),
    ));
    files.push((
        "deep-json-object.json",
        format!("{}1{}", "{\"a\":".repeat(deep), "}".repeat(deep)).into_bytes(),
    ));
    files.push((
        "deep-yaml.yaml",
        format!("title: x\nx: {}\n", "[".repeat(deep)).into_bytes(),
    ));
    files.push((
        "deep-yaml-block.yaml",
        (0..5000)
            .map(|i| format!("{}k:\n", " ".repeat(i)))
            .collect::<String>()
            .into_bytes(),
    ));
    files.push((
        "deep-xml.tm7",
        format!(
            "<?xml version=\"1.0\"?><ThreatModel>{}{}</ThreatModel>",
            "<a>".repeat(deep),
            "</a>".repeat(deep)
        )
        .into_bytes(),
    ));
    files.push((
        "deep-toml.toml",
        format!("a = {}{}\n", "[".repeat(deep), "]".repeat(deep)).into_bytes(),
    ));
    files.push((
        "deep-toml-tables.toml",
        format!("a = {}1{}\n", "{b = ".repeat(20_000), "}".repeat(20_000)).into_bytes(),
    ));
    files.push((
        "deep-condition-parens.toml",
        rule_pack(&format!(
            "{}element.validates_input{}",
            "(".repeat(100_000),
            ")".repeat(100_000)
        )),
    ));
    files.push((
        "deep-condition-not.toml",
        rule_pack(&format!(
            "{}element.validates_input",
            "not ".repeat(100_000)
        )),
    ));
    files.push((
        "long-condition.toml",
        rule_pack(&vec!["element.validates_input"; 50_000].join(" and ")),
    ));

    // Bombs.
    let mut yaml_bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (i, name) in "bcdefghij".chars().enumerate() {
        let prev = (b'a' + i as u8) as char;
        yaml_bomb.push_str(&format!(
            "{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
    }
    yaml_bomb.push_str("title: *j\ntechnical_assets: *j\n");
    files.push(("yaml-bomb.yaml", yaml_bomb.into_bytes()));
    let mut xml_bomb =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        xml_bomb.push_str(&format!(
            " <!ENTITY lol{i} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
    }
    xml_bomb.push_str(
        "]>\n<ThreatModel><DrawingSurfaceList>&lol9;</DrawingSurfaceList></ThreatModel>\n",
    );
    files.push(("xml-bomb.tm7", xml_bomb.into_bytes()));
    files.push((
        "xml-external-entity.tm7",
        b"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><ThreatModel>&e;</ThreatModel>".to_vec(),
    ));
    // Many small objects: within the size limit, large in memory.
    let mut wide = sample("wide");
    for i in 0..1_000 {
        wide.elements
            .push(Element::new(ElementKind::Process, format!("p{i}")));
    }
    files.push((
        "wide.stride.json",
        model::to_canonical_json(&wide).into_bytes(),
    ));

    // Names that would act on a terminal or a spreadsheet.
    let mut hostile_names = sample("\u{1b}]0;pwned\u{7}\u{1b}[2J merge ok");
    hostile_names.elements[0].name = "=HYPERLINK(\"http://x\")\u{202e}txt.exe".into();
    hostile_names.elements[1].name = "\r\u{1b}[1A\u{1b}[Kx;=1+1\u{9b}31m".into();
    hostile_names.flows[0].name = "\u{feff} @SUM(1)\u{2066}".into();
    files.push((
        "control-and-bidi.stride.json",
        model::to_canonical_json(&hostile_names).into_bytes(),
    ));

    // Duplicates.
    files.push((
        "duplicate-key.stride.json",
        good.replacen("\"name\":", "\"name\": \"a\", \"name\":", 1)
            .into_bytes(),
    ));
    let mut dup = sample("dup");
    let twin = dup.elements[0].clone();
    dup.elements.push(twin);
    files.push((
        "duplicate-element-id.stride.json",
        serde_json::to_vec_pretty(&dup).unwrap(),
    ));
    let td = fixture("threat-dragon/clinic.json");
    let v: serde_json::Value = serde_json::from_str(&td).unwrap();
    files.push(("threat-dragon-duplicate-cell.json", {
        let mut v = v.clone();
        if let Some(cells) = v
            .pointer_mut("/detail/diagrams/0/cells")
            .and_then(|c| c.as_array_mut())
        {
            let first = cells[0].clone();
            cells.push(first);
        }
        serde_json::to_vec(&v).unwrap()
    }));
    let rules = String::from_utf8(rule_pack("element.validates_input")).unwrap();
    files.push((
        "duplicate-rule-id.toml",
        format!("{rules}\n{rules}").into_bytes(),
    ));

    // Path escapes in Threagile includes.
    files.push((
        "include-escape.yaml",
        b"includes:\n  - ../../../../../../etc/passwd\ntitle: escape\n".to_vec(),
    ));
    files.push((
        "include-absolute.yaml",
        b"includes:\n  - /etc/passwd\ntitle: escape\n".to_vec(),
    ));
    files.push((
        "include-self.yaml",
        b"includes:\n  - include-self.yaml\ntitle: loop\n".to_vec(),
    ));

    // Real files in each format, for the commands that read them right (a clean control).
    files.push(("good.stride.json", good.clone().into_bytes()));
    files.push((
        "threagile.yaml",
        fixture("threagile/clinic.yaml").into_bytes(),
    ));
    files.push(("tmt.tm7", fixture("tmt/clinic.tm7").into_bytes()));

    let mut inputs: Vec<Input> = files
        .into_iter()
        .map(|(name, bytes)| {
            let path = dir.join(name);
            std::fs::write(&path, bytes).unwrap();
            Input {
                name: name.to_string(),
                path,
            }
        })
        .collect();
    let mut add = |name: &str, path: PathBuf| {
        inputs.push(Input {
            name: name.into(),
            path,
        })
    };

    // Huge: over every limit by its size alone (sparse, so it costs no disk).
    let huge = dir.join("huge.stride.json");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(200 * 1024 * 1024)
        .unwrap();
    add("huge (200 MiB, sparse)", huge);
    add("/dev/zero", "/dev/zero".into());
    add("/dev/null", "/dev/null".into());
    let fifo = dir.join("pipe.stride.json");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    add("FIFO", fifo);
    let folder = dir.join("folder.stride.json");
    std::fs::create_dir(&folder).unwrap();
    add("folder", folder);
    add("missing file", dir.join("missing.stride.json"));
    let link = dir.join("link-to-passwd.stride.json");
    std::os::unix::fs::symlink("/etc/passwd", &link).unwrap();
    add("symlink to /etc/passwd", link);

    // Foreign SQLite files: another program's database, and a damaged header.
    let foreign = dir.join("foreign.stridewise");
    let made = Command::new("sqlite3")
        .arg(&foreign)
        .arg("CREATE TABLE models(id TEXT); INSERT INTO models VALUES ('x'); PRAGMA user_version = 7;")
        .status();
    if made.map(|s| s.success()).unwrap_or(false) {
        add("foreign SQLite database", foreign);
    }
    let mut damaged = b"SQLite format 3\0".to_vec();
    damaged.extend(std::iter::repeat_n(0xA5u8, 8192));
    let damaged_path = dir.join("damaged.stridewise");
    std::fs::write(&damaged_path, damaged).unwrap();
    add("damaged SQLite header", damaged_path);

    // Read-only: a real workspace and model in a folder nobody may write.
    let ro = dir.join("read-only");
    std::fs::create_dir(&ro).unwrap();
    let ro_ws = ro.join("shop.stridewise");
    let ro_model = ro.join("orders.stride.json");
    model::save(&sample("orders"), &ro_model).unwrap();
    let bin = env!("CARGO_BIN_EXE_stridewise");
    for args in [
        vec!["workspace", "init", s(&ro_ws)],
        vec!["workspace", "add", s(&ro_ws), "--app", "shop", s(&ro_model)],
    ] {
        assert!(
            Command::new(bin)
                .args(&args)
                .output()
                .unwrap()
                .status
                .success()
        );
    }
    chmod(&ro_ws, 0o444);
    chmod(&ro_model, 0o444);
    chmod(&ro, 0o555);
    add("read-only workspace in a read-only folder", ro_ws);
    add("read-only model in a read-only folder", ro_model);
    inputs
}

/// A rule pack with one threat whose condition is `when`.
fn rule_pack(when: &str) -> Vec<u8> {
    format!(
        "[[threat]]\nid = \"HOSTILE-01\"\nstride = \"tampering\"\napplies_to = \"process\"\nwhen = \"{when}\"\ntitle = \"{{element}}\"\nmitigations = [\"MIT-INPUT-VALIDATION\"]\nsource = {{ section = \"s\", quote = \"q\" }}\n"
    )
    .into_bytes()
}

/// What must not change about an input: its inode, mode, size and modification time (and,
/// when `bytes`, a digest of its contents), or for a folder its listing.
fn fingerprint(path: &Path, bytes: bool) -> String {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return "absent".into();
    };
    if meta.is_dir() {
        let mut names: Vec<String> = std::fs::read_dir(path)
            .map(|r| {
                r.filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        return format!("dir {:o} {names:?}", meta.mode());
    }
    if !meta.is_file() {
        return format!("special {:o}", meta.mode());
    }
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    if bytes && meta.len() < 64 * 1024 * 1024 {
        std::fs::read(path).unwrap_or_default().hash(&mut h);
    }
    format!(
        "file {} {:o} {} {} {:x}",
        meta.ino(),
        meta.mode(),
        meta.len(),
        meta.mtime_nsec() + meta.mtime() * 1_000_000_000,
        h.finish()
    )
}

enum Ending {
    /// Exit 0 (clean), 1 (found what was asked) or 2 to 5 (an error, by its code's kind).
    Clean(i32),
    Panic(String),
    Abort(String),
    Timeout,
}

/// Runs the binary with the time and memory bounds, as `nobody` when the tests run as root.
fn run(args: &[String], as_nobody: bool, cwd: &Path) -> (Ending, Duration) {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("ulimit -v {MEMORY_KIB}; exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_stridewise"))
        .args(args)
        .current_dir(cwd)
        .env("STRIDEWISE_AUTHOR", "hostile")
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if as_nobody {
        cmd.uid(65534).gid(65534);
    }
    let start = Instant::now();
    let mut child = cmd.spawn().expect("sh runs");
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut buf).ok();
        buf
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    let err = String::from_utf8_lossy(&reader.join().unwrap()).into_owned();
    let tail = |e: &str| e.lines().take(3).collect::<Vec<_>>().join(" / ");
    let ending = match status {
        None => Ending::Timeout,
        Some(st) => match st.code() {
            Some(c @ 0..=5) if !err.contains("panicked") => Ending::Clean(c),
            Some(101) => Ending::Panic(tail(&err)),
            Some(_) if err.contains("panicked") => Ending::Panic(tail(&err)),
            Some(c) => Ending::Abort(format!("exit {c}: {}", tail(&err))),
            None => Ending::Abort(format!("{st}: {}", tail(&err))),
        },
    };
    (ending, elapsed)
}

/// Every command that reads input, with `{in}` where the hostile input goes (in the place of a
/// model, a workspace or a rule pack: every input goes in every place), `{ws}` a fresh
/// workspace per run, `{good}` a valid model, `{out}` a file in the output folder, `{copy}`
/// and `{copy2}` copies of the valid model that the merge driver may write.
fn entry_points() -> Vec<&'static str> {
    vec![
        "validate {in}",
        "fmt --check {in}",
        "analyze {in}",
        "analyze --format json {in}",
        "report {in} -o {out}",
        "export --format csv {in} -o {out}",
        "export --format sarif {in} -o {out}",
        "export --format threat-dragon {in} -o {out}",
        "check --fail-on high {in}",
        "consolidate {in} {good} -o {out}",
        "diff {good} {in}",
        "diff {in} {good}",
        "merge {in} {good} {good} -o {out}",
        "merge {good} {in} {good} -o {out}",
        "merge-driver {in} {copy} {copy2}",
        "workspace add {ws} --app a {in}",
        "import {in} -o {out}",
        "threat list {in}",
        "workspace list {in}",
        "workspace verify {in}",
        "workspace history {in} --service orders",
        "workspace add {in} --app shop {good}",
        "analyze --workspace {in}",
        "report --workspace {in} -o {out}",
        "check --fail-on high --workspace {in}",
        "triage {in}",
        "review list {in}",
        "catalog check {in}",
        "analyze --catalog {in} {good}",
        "check --fail-on high --catalog {in} {good}",
    ]
}

/// Runs one command line of `entry_points` with `input`, in its own folder `case`.
fn run_case(
    line: &str,
    input: &Input,
    case: &Path,
    good: &Path,
    as_nobody: bool,
) -> (Ending, Duration) {
    std::fs::create_dir(case).unwrap();
    chmod(case, 0o777);
    let ws = case.join("w.stridewise");
    let copy = case.join("ours.stride.json");
    let copy2 = case.join("theirs.stride.json");
    for c in [&copy, &copy2] {
        std::fs::copy(good, c).unwrap();
        chmod(c, 0o666);
    }
    if line.contains("{ws}") {
        let made = Command::new(env!("CARGO_BIN_EXE_stridewise"))
            .args(["workspace", "init", s(&ws)])
            .output()
            .unwrap();
        assert!(made.status.success());
        chmod(&ws, 0o666);
    }
    let args: Vec<String> = line
        .split(' ')
        .map(|a| match a {
            "{in}" => input.path.display().to_string(),
            "{ws}" => ws.display().to_string(),
            "{good}" => good.display().to_string(),
            "{out}" => case.join("out").display().to_string(),
            "{copy}" => copy.display().to_string(),
            "{copy2}" => copy2.display().to_string(),
            other => other.to_string(),
        })
        .collect();
    let ended = run(&args, as_nobody, case);
    let _ = std::fs::remove_dir_all(case);
    ended
}

#[test]
fn issue_20_hostile_inputs_end_cleanly_in_bounded_time_and_leave_inputs_unchanged() {
    let root = tempfile::tempdir().unwrap();
    chmod(root.path(), 0o755);
    let inputs_dir = root.path().join("inputs");
    std::fs::create_dir(&inputs_dir).unwrap();
    chmod(&inputs_dir, 0o755);
    let inputs = generate(&inputs_dir);
    let as_nobody = std::fs::metadata(&inputs_dir).unwrap().uid() == 0;
    let work = root.path().join("work");
    std::fs::create_dir(&work).unwrap();
    chmod(&work, 0o777);
    let good = work.join("good.stride.json");
    model::save(&sample("orders"), &good).unwrap();
    chmod(&good, 0o644);

    let before: BTreeMap<PathBuf, String> = inputs
        .iter()
        .map(|i| (i.path.clone(), fingerprint(&i.path, false)))
        .chain(std::iter::once((
            inputs_dir.clone(),
            fingerprint(&inputs_dir, false),
        )))
        .collect();
    let contents: BTreeMap<PathBuf, String> = inputs
        .iter()
        .map(|i| (i.path.clone(), fingerprint(&i.path, true)))
        .collect();

    let points = entry_points();
    let cases: Vec<(usize, usize)> = (0..inputs.len())
        .flat_map(|n| (0..points.len()).map(move |i| (n, i)))
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    // Two runs at a time: CI has two cores, and most of a run is the binary starting.
    let results: Vec<(String, Ending, Duration, Vec<String>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        let Some(&(n, i)) = cases.get(k) else {
                            return out;
                        };
                        let (input, line) = (&inputs[n], points[i]);
                        let case = work.join(format!("case-{n}-{i}"));
                        let (ending, took) = run_case(line, input, &case, &good, as_nobody);
                        // What changed is seen after this run (or the other one running).
                        let changed: Vec<String> = before
                            .iter()
                            .filter_map(|(path, was)| {
                                let now = fingerprint(path, false);
                                (&now != was).then(|| format!("{}: {was} -> {now}", path.display()))
                            })
                            .collect();
                        out.push((format!("{line} with {}", input.name), ending, took, changed));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });

    let (mut panics, mut aborts, mut timeouts, mut modified) = (0, 0, 0, 0);
    let mut by_exit = BTreeMap::new();
    let mut slowest = (Duration::ZERO, String::new());
    let mut failures = Vec::new();
    for (what, ending, took, changed) in &results {
        if *took > slowest.0 {
            slowest = (*took, what.clone());
        }
        match ending {
            Ending::Clean(code) => *by_exit.entry(*code).or_insert(0) += 1,
            Ending::Panic(e) => {
                panics += 1;
                failures.push(format!("panic: {what}: {e}"));
            }
            Ending::Abort(e) => {
                aborts += 1;
                failures.push(format!("abort: {what}: {e}"));
            }
            Ending::Timeout => {
                timeouts += 1;
                failures.push(format!("timeout: {what}"));
            }
        }
        for c in changed {
            modified += 1;
            failures.push(format!("modified by {what}: {c}"));
        }
    }
    let runs = results.len();
    // The bytes too, once at the end (a write keeps no old modification time and inode).
    for (path, was) in &contents {
        let now = fingerprint(path, true);
        if &now != was {
            modified += 1;
            failures.push(format!("modified: {}: {was} -> {now}", path.display()));
        }
    }
    let summary = format!(
        "hostile inputs: {} inputs x {} entry points = {runs} runs: {panics} panics, {aborts} aborts, {timeouts} timeouts, {modified} modified inputs; exits {by_exit:?}; slowest {:.1} s ({})",
        inputs.len(),
        points.len(),
        slowest.0.as_secs_f64(),
        slowest.1
    );
    println!("{summary}");
    // The figures for scripts/test.sh to print (a passing test's output is captured).
    let _ = std::fs::write(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("target/hostile-inputs.txt"),
        format!("{summary}\n"),
    );
    // Put the read-only folder back, so the temporary folder can be removed.
    chmod(&inputs_dir.join("read-only"), 0o755);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
