//! Issue 15: the CLI's exit status follows the core's error code, so a script can tell a typo
//! (3) from a lost race or a refused state (4) from wrong input (2) without reading messages,
//! and every refusal still prints `error[CODE]`.

mod common;

use common::{ok, s, stridewise};

/// Runs the command, which must fail, and returns its exit status and the code it printed.
fn refused(args: &[&str]) -> (i32, String) {
    let out = stridewise(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = stderr
        .split_once("error[")
        .and_then(|(_, rest)| rest.split_once(']'))
        .map(|(code, _)| code.to_owned())
        .unwrap_or_else(|| panic!("{args:?} printed no error code: {stderr}"));
    (out.status.code().unwrap(), code)
}

#[test]
fn each_kind_of_refusal_has_its_own_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("w.stridewise");
    let model = concat!(env!("CARGO_MANIFEST_DIR"), "/models/mc-global.stride.json");
    ok(&["workspace", "init", s(&ws)]);
    ok(&["workspace", "add", s(&ws), model, "--app", "mc"]);

    // Something named does not exist: 3.
    let missing = dir.path().join("nope.stridewise");
    assert_eq!(
        refused(&["workspace", "list", s(&missing)]),
        (3, "not_found".into())
    );
    assert_eq!(
        refused(&[
            "triage",
            s(&ws),
            "NO-SUCH-RULE@nowhere",
            "--status",
            "mitigated"
        ]),
        (3, "not_found".into())
    );

    // The workspace's state refuses it: 4.
    assert_eq!(
        refused(&["workspace", "init", s(&ws)]),
        (4, "already_exists".into())
    );
    ok(&[
        "review",
        "start",
        "--workspace",
        s(&ws),
        "--sprint",
        "2026.1",
    ]);
    assert_eq!(
        refused(&[
            "review",
            "start",
            "--workspace",
            s(&ws),
            "--sprint",
            "2026.2"
        ]),
        (4, "review_open".into())
    );

    // Wrong input: 2.
    let broken = dir.path().join("broken.stride.json");
    std::fs::write(&broken, "{ not json").unwrap();
    assert_eq!(stridewise(&["validate", s(&broken)]).status.code(), Some(2));
    let not_a_workspace = dir.path().join("plain.stridewise");
    std::fs::write(&not_a_workspace, "hello").unwrap();
    assert_eq!(
        refused(&["workspace", "list", s(&not_a_workspace)]),
        (2, "not_a_workspace".into())
    );
}
