//! `GET /api/v1/applications/<app>/managed-resources`: each resource of an app as argocd-server
//! reports it for a diff — the manifest from git (`targetState`) and the live object
//! (`liveState`, `normalizedLiveState`, `predictedLiveState`), each a JSON document in a
//! string. A resource the app reports OutOfSync differs the way hand edits do: a Deployment
//! scaled by hand, a ConfigMap value edited, a label changed.

use serde_json::{Value, json};

use crate::json_at::At;

/// The manifest git has for a resource of this app at this revision.
fn target(app: &str, revision: &str, r: &Value) -> Value {
    let group = r["group"].as_str().unwrap_or("");
    let version = r["version"].as_str().unwrap_or("v1");
    let api_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    let kind = r["kind"].as_str().unwrap_or("");
    let name = r["name"].as_str().unwrap_or("");
    let mut manifest = json!({
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {
            "name": name,
            "labels": {
                "app.kubernetes.io/instance": app,
                "app.kubernetes.io/version": revision.chars().take(7).collect::<String>(),
            },
        },
    });
    if let Some(ns) = r["namespace"].as_str().filter(|n| !n.is_empty()) {
        manifest["metadata"]["namespace"] = json!(ns);
    }
    match kind {
        "Deployment" | "StatefulSet" => {
            manifest["spec"] = json!({
                "replicas": 2,
                "template": {"spec": {"containers": [{"name": name, "image": format!("ghcr.io/homelab/{name}:1.0.8")}]}},
            });
        }
        "ConfigMap" => manifest["data"] = json!({"log-level": "info"}),
        _ => {}
    }
    manifest
}

/// The live object: the target, or for a drifted resource the target as edited by hand.
fn live(target: &Value, drifted: bool) -> Value {
    let mut live = target.clone();
    if !drifted {
        return live;
    }
    match target["kind"].as_str() {
        Some("Deployment" | "StatefulSet") => live["spec"]["replicas"] = json!(3),
        Some("ConfigMap") => live["data"]["log-level"] = json!("debug"),
        _ => live["metadata"]["labels"]["edited-by"] = json!("kubectl"),
    }
    live
}

/// The response for an Application object.
pub fn managed_resources(app: &Value) -> Value {
    let name = app["metadata"]["name"].as_str().unwrap_or("");
    let revision = app
        .at("/status/sync/revision")
        .and_then(Value::as_str)
        .unwrap_or("");
    let items: Vec<Value> = app["status"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            let drifted = r["status"] == "OutOfSync";
            let target = target(name, revision, r);
            let live = live(&target, drifted);
            json!({
                "group": r["group"].as_str().unwrap_or(""),
                "kind": r["kind"],
                "namespace": r["namespace"].as_str().unwrap_or(""),
                "name": r["name"],
                "targetState": target.to_string(),
                "liveState": live.to_string(),
                "normalizedLiveState": live.to_string(),
                "predictedLiveState": target.to_string(),
                "modified": drifted,
                "hook": false,
            })
        })
        .collect();
    json!({"items": items})
}
