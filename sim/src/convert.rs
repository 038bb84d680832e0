//! Conversion between CAPI v1beta2 (storage) and the deprecated v1beta1, for the fields where
//! the two differ in shape: object references, `nodeRef`, and where conditions live.
//! A real cluster does this in CAPI's conversion webhook.

use serde_json::{Map, Value, json};

use super::kinds::KindDef;
use crate::json_at::At;

const REF_PATHS: &[&str] = &[
    "/spec/controlPlaneRef",
    "/spec/infrastructureRef",
    "/spec/bootstrap/configRef",
    "/spec/template/spec/infrastructureRef",
    "/spec/template/spec/bootstrap/configRef",
];

/// Version a provider group's objects are referenced at in v1beta1 `apiVersion` fields.
fn provider_version(group: &str) -> &'static str {
    match group {
        "controlplane.cluster.x-k8s.io" | "bootstrap.cluster.x-k8s.io" => "v1alpha3",
        _ => "v1beta1",
    }
}

pub fn deprecation_warning(def: &KindDef, version: &str) -> Option<String> {
    (def.group == "cluster.x-k8s.io" && version == "v1beta1").then(|| {
        format!(
            "cluster.x-k8s.io/v1beta1 {kind} is deprecated; use cluster.x-k8s.io/v1beta2 {kind}",
            kind = def.kind
        )
    })
}

/// Fields that live at different paths in v1beta2 (left) and v1beta1 (right). Applied in
/// order going to v1beta1, in reverse order (swapped) coming back; the order matters for
/// conditions, whose slot is reused.
const MOVES: &[(&str, &str)] = &[
    ("/status/conditions", "/status/v1beta2/conditions"),
    (
        "/status/deprecated/v1beta1/conditions",
        "/status/conditions",
    ),
    ("/status/controlPlane", "/status/v1beta2/controlPlane"),
    ("/status/workers", "/status/v1beta2/workers"),
    (
        "/status/upToDateReplicas",
        "/status/v1beta2/upToDateReplicas",
    ),
    (
        "/status/initialization/infrastructureProvisioned",
        "/status/infrastructureReady",
    ),
    (
        "/status/initialization/controlPlaneInitialized",
        "/status/controlPlaneReady",
    ),
    (
        "/status/initialization/bootstrapDataSecretCreated",
        "/status/bootstrapReady",
    ),
    ("/spec/rollout/strategy", "/spec/strategy"),
    ("/spec/rollout/after", "/spec/rolloutAfter"),
];

/// Objects that a move may leave empty, removed afterwards (deepest first).
const EMPTIED: &[&str] = &[
    "/status/deprecated/v1beta1",
    "/status/deprecated",
    "/status/initialization",
    "/status/v1beta2",
    "/spec/rollout",
];

fn take(obj: &mut Value, pointer: &str) -> Option<Value> {
    let (parent, key) = pointer.rsplit_once('/')?;
    obj.pointer_mut(parent)?.as_object_mut()?.remove(key)
}

fn put(obj: &mut Value, pointer: &str, value: Value) {
    let mut cur = obj;
    let segments: Vec<&str> = pointer.split('/').skip(1).collect();
    for (i, seg) in segments.iter().enumerate() {
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        if i == segments.len() - 1 {
            cur[*seg] = value;
            return;
        }
        cur = &mut cur[*seg];
    }
}

fn move_field(obj: &mut Value, from: &str, to: &str) {
    if let Some(v) = take(obj, from) {
        put(obj, to, v);
    }
}

fn drop_emptied(obj: &mut Value) {
    for pointer in EMPTIED {
        if obj
            .at(pointer)
            .is_some_and(|v| v.as_object().is_some_and(Map::is_empty))
        {
            take(obj, pointer);
        }
    }
}

/// Storage form → the requested version.
pub fn to_version(def: &KindDef, mut obj: Value, version: &str) -> Value {
    if version == def.storage_version() {
        return obj;
    }
    obj["apiVersion"] = json!(def.api_version(version));
    if def.group != "cluster.x-k8s.io" {
        return obj;
    }
    let namespace = obj.at("/metadata/namespace").cloned();
    for path in REF_PATHS {
        if let Some(r) = obj.pointer_mut(path).and_then(Value::as_object_mut)
            && let Some(Value::String(group)) = r.remove("apiGroup")
        {
            r.insert(
                "apiVersion".into(),
                json!(format!("{group}/{}", provider_version(&group))),
            );
            if let Some(ns) = &namespace {
                r.insert("namespace".into(), ns.clone());
            }
        }
    }
    if let Some(node) = obj
        .pointer_mut("/status/nodeRef")
        .and_then(Value::as_object_mut)
    {
        node.insert("kind".into(), json!("Node"));
        node.insert("apiVersion".into(), json!("v1"));
    }
    for (from, to) in MOVES {
        move_field(&mut obj, from, to);
    }
    drop_emptied(&mut obj);
    obj
}

/// A v1beta1 object (e.g. after a client patched its v1beta1 view) → storage form.
pub fn from_version(def: &KindDef, mut obj: Value, version: &str) -> Value {
    if version == def.storage_version() {
        return obj;
    }
    obj["apiVersion"] = json!(def.api_version(def.storage_version()));
    if def.group != "cluster.x-k8s.io" {
        return obj;
    }
    for path in REF_PATHS {
        if let Some(r) = obj.pointer_mut(path).and_then(Value::as_object_mut)
            && let Some(Value::String(api_version)) = r.remove("apiVersion")
        {
            let group = api_version
                .split('/')
                .next()
                .unwrap_or_default()
                .to_string();
            r.insert("apiGroup".into(), json!(group));
            r.retain(|k, _| matches!(k.as_str(), "apiGroup" | "kind" | "name"));
        }
    }
    if let Some(node) = obj
        .pointer_mut("/status/nodeRef")
        .and_then(Value::as_object_mut)
    {
        node.retain(|k, _| k == "name");
    }
    for (v1beta2, v1beta1) in MOVES.iter().rev() {
        move_field(&mut obj, v1beta1, v1beta2);
    }
    drop_emptied(&mut obj);
    obj
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::{KINDS, kind_id};

    #[test]
    fn machine_round_trips_through_v1beta1() {
        let def = &KINDS[kind_id("Machine").expect("kind")];
        let stored = json!({
            "apiVersion": "cluster.x-k8s.io/v1beta2", "kind": "Machine",
            "metadata": {"name": "m", "namespace": "ns"},
            "spec": {"infrastructureRef": {"apiGroup": "infrastructure.cluster.x-k8s.io", "kind": "HarvesterMachine", "name": "m"}},
            "status": {"nodeRef": {"name": "n1"}, "conditions": [{"type": "Ready"}],
                       "deprecated": {"v1beta1": {"conditions": [{"type": "Ready", "severity": ""}]}}}
        });
        let old = to_version(def, stored.clone(), "v1beta1");
        assert_eq!(old["apiVersion"], "cluster.x-k8s.io/v1beta1");
        assert_eq!(
            old["spec"]["infrastructureRef"]["apiVersion"],
            "infrastructure.cluster.x-k8s.io/v1beta1"
        );
        assert_eq!(old["status"]["nodeRef"]["kind"], "Node");
        assert_eq!(old["status"]["v1beta2"]["conditions"][0]["type"], "Ready");
        assert_eq!(old["status"]["conditions"][0]["severity"], "");
        assert_eq!(from_version(def, old, "v1beta1"), stored);
    }
}
