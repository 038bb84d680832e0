//! A structural validator for Kubernetes CRD openAPI v3 schemas: types, required fields,
//! enums, unknown fields (what the API server would prune), items and additionalProperties,
//! and the x-kubernetes extensions that relax them.

use serde_json::Value;

fn type_ok(schema: &Value, v: &Value) -> bool {
    if schema
        .get("x-kubernetes-int-or-string")
        .and_then(Value::as_bool)
        == Some(true)
    {
        return v.is_i64() || v.is_u64() || v.is_string();
    }
    match schema.get("type").and_then(Value::as_str) {
        None => true,
        Some("object") => v.is_object(),
        Some("array") => v.is_array(),
        Some("string") => v.is_string(),
        Some("integer") => v.is_i64() || v.is_u64(),
        Some("number") => v.is_number(),
        Some("boolean") => v.is_boolean(),
        Some(_) => true,
    }
}

/// Every problem found, as `path: message`.
pub fn validate(schema: &Value, v: &Value, path: &str, errors: &mut Vec<String>) {
    if v.is_null() {
        if schema.get("nullable").and_then(Value::as_bool) != Some(true) {
            errors.push(format!("{path}: null is not allowed"));
        }
        return;
    }
    if !type_ok(schema, v) {
        errors.push(format!("{path}: expected {}, got {v}", schema["type"]));
        return;
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(v)
    {
        errors.push(format!("{path}: {v} is not one of {allowed:?}"));
    }
    if let Some(items) = schema.get("items")
        && let Some(arr) = v.as_array()
    {
        for (i, item) in arr.iter().enumerate() {
            validate(items, item, &format!("{path}[{i}]"), errors);
        }
    }
    let Some(obj) = v.as_object() else { return };
    for req in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(r) = req.as_str()
            && !obj.contains_key(r)
        {
            errors.push(format!("{path}: missing required field {r:?}"));
        }
    }
    let preserve = schema
        .get("x-kubernetes-preserve-unknown-fields")
        .and_then(Value::as_bool)
        == Some(true);
    let props = schema.get("properties").and_then(Value::as_object);
    let additional = schema.get("additionalProperties");
    for (k, child) in obj {
        let child_path = format!("{path}.{k}");
        if let Some(s) = props.and_then(|p| p.get(k)) {
            validate(s, child, &child_path, errors);
        } else if let Some(a) = additional.filter(|a| a.is_object()) {
            validate(a, child, &child_path, errors);
        } else if additional.and_then(Value::as_bool) == Some(true) || preserve {
            // allowed as is
        } else if props.is_some() || schema.get("type").and_then(Value::as_str) == Some("object") {
            errors.push(format!(
                "{child_path}: unknown field (the API server would prune it)"
            ));
        }
    }
}

/// The openAPIV3Schema of `version` in a CRD document.
pub fn version_schema(crd: &Value, version: &str) -> Option<Value> {
    crd["spec"]["versions"]
        .as_array()?
        .iter()
        .find(|v| v["name"] == version)
        .map(|v| v["schema"]["openAPIV3Schema"].clone())
}
