//! The committed JSON Schema of the file format must match the Rust types.
//! Run with `UPDATE_EXPECT=1` to rewrite it after changing the model.

use std::path::Path;

#[test]
fn committed_json_schema_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/stride-model.schema.json");
    let current = stridewise_core::model::json_schema();
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, &current).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == current,
        "docs/stride-model.schema.json is stale: run `UPDATE_EXPECT=1 cargo test -p stridewise-core --test schema` and commit it"
    );
}

#[test]
fn schema_describes_the_top_level_fields() {
    let schema: serde_json::Value =
        serde_json::from_str(&stridewise_core::model::json_schema()).unwrap();
    let props = &schema["properties"];
    for field in [
        "schema_version",
        "id",
        "name",
        "elements",
        "flows",
        "boundaries",
        "layout",
    ] {
        assert!(props.get(field).is_some(), "schema lacks '{field}'");
    }
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(required, ["schema_version", "id", "name"]);
}
