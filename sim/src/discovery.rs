//! Legacy discovery documents (`/api`, `/apis`, group and group-version resource lists) and
//! `/version`. Aggregated discovery is not served; kubectl falls back to these.

use serde_json::{Value, json};

use super::kinds::{KINDS, KindDef, groups};

pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": "33",
        "gitVersion": "v1.33.4+opsdeck-sim",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-11-01T00:00:00Z",
        "goVersion": "go1.24.6",
        "compiler": "gc",
        "platform": "linux/amd64"
    })
}

pub fn core_versions(server_address: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]
    })
}

fn group_doc(group: &str) -> Value {
    let versions: Vec<&str> = KINDS
        .iter()
        .find(|k| k.group == group)
        .map(|k| k.versions.to_vec())
        .unwrap_or_default();
    let entries: Vec<Value> = versions
        .iter()
        .map(|v| json!({"groupVersion": format!("{group}/{v}"), "version": v}))
        .collect();
    json!({
        "name": group,
        "versions": entries,
        "preferredVersion": entries.first().cloned().unwrap_or(Value::Null),
    })
}

pub fn group_list(hidden: &[String]) -> Value {
    let groups: Vec<Value> = groups()
        .into_iter()
        .filter(|g| !hidden.iter().any(|h| h == g))
        .map(group_doc)
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

pub fn group(group: &str) -> Option<Value> {
    KINDS.iter().any(|k| k.group == group).then(|| {
        let mut doc = group_doc(group);
        doc["kind"] = json!("APIGroup");
        doc["apiVersion"] = json!("v1");
        doc
    })
}

fn resource_entries(def: &KindDef) -> Vec<Value> {
    let mut out = vec![json!({
        "name": def.plural,
        "singularName": def.singular,
        "namespaced": def.namespaced,
        "kind": def.kind,
        "verbs": def.verbs(),
        "shortNames": def.short_names,
        "categories": def.categories,
    })];
    if def.status_subresource {
        out.push(json!({
            "name": format!("{}/status", def.plural),
            "singularName": "",
            "namespaced": def.namespaced,
            "kind": def.kind,
            "verbs": ["get", "patch", "update"],
        }));
    }
    if def.kind == "Pod" && def.is_core() {
        out.push(json!({"name": "pods/eviction", "singularName": "", "namespaced": true,
                        "group": "policy", "version": "v1", "kind": "Eviction", "verbs": ["create"]}));
        out.push(
            json!({"name": "pods/log", "singularName": "", "namespaced": true,
                        "kind": "Pod", "verbs": ["get"]}),
        );
    }
    if def.scale.is_some() {
        out.push(json!({
            "name": format!("{}/scale", def.plural),
            "singularName": "",
            "namespaced": def.namespaced,
            "group": "autoscaling",
            "version": "v1",
            "kind": "Scale",
            "verbs": ["get", "patch", "update"],
        }));
    }
    out
}

/// `APIResourceList` for a group-version; `None` when nothing is served there.
pub fn resource_list(group: &str, version: &str) -> Option<Value> {
    let resources: Vec<Value> = KINDS
        .iter()
        .filter(|k| k.group == group && k.versions.contains(&version))
        .flat_map(resource_entries)
        .collect();
    if resources.is_empty() {
        return None;
    }
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": resources,
    }))
}
