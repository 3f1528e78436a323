//! stub
use crate::model::ServiceModel;
use serde_json::{Value, json};
pub fn export(_m: &ServiceModel) -> Value {
    json!({})
}
