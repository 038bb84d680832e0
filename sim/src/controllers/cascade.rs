//! What a workload Node going silent does to what runs on it, as the real controllers play it:
//! the node lifecycle controller marks the Node's pods not Ready, so their Deployments lose
//! available replicas, and Argo CD's health check for a Deployment with fewer available than
//! updated replicas says `Progressing` ("Waiting for rollout to finish") — it only says
//! `Degraded` once the progress deadline passes, which a completed rollout never reaches.
//! When the Node posts again, the pods are Ready and the apps Healthy again.

use serde_json::{Value, json};

use super::Controllers;
use crate::argo_objects::{ARGO_NAMESPACE, set_app_health, worst_health};
use crate::db::{Db, now_rfc3339};
use crate::json_at::At;
use crate::kinds::kind_id;

/// The message Argo CD's Deployment health check gives while replicas are unavailable.
fn waiting(available: usize, updated: usize) -> String {
    format!(
        "Waiting for rollout to finish: {available} of {updated} updated replicas are available..."
    )
}

/// Whether an app's resource is waiting for pods a silent Node took away.
pub(super) fn waiting_for_pods(resource: &Value) -> bool {
    resource["health"]["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("Waiting for rollout to finish"))
}

/// Set a pod's Ready and ContainersReady conditions.
fn set_pod_ready(pod: &mut Value, ready: bool) {
    let status = if ready { "True" } else { "False" };
    if let Some(conditions) = pod["status"]["conditions"].as_array_mut() {
        for c in conditions
            .iter_mut()
            .filter(|c| c["type"] == "Ready" || c["type"] == "ContainersReady")
        {
            if c["status"] != status {
                c["lastTransitionTime"] = json!(now_rfc3339());
            }
            c["status"] = json!(status);
        }
    }
}

/// The workloads (namespace, name) with a pod on `node`, and for each how many of its pods
/// are Ready once `node`'s pods are set to `up`, out of how many.
fn follow_node(db: &mut Db, node: &str, up: bool) -> Vec<(String, String, usize, usize)> {
    let pod_kind = kind_id("Pod").unwrap_or_default();
    let on_node: Vec<_> = db
        .list(pod_kind, None, None)
        .filter(|p| p.at("/spec/nodeName").and_then(Value::as_str) == Some(node))
        .filter(|p| p.at("/status/phase").and_then(Value::as_str) == Some("Running"))
        .map(|p| Db::key_of(pod_kind, p))
        .collect();
    let mut workloads: Vec<(String, String)> = Vec::new();
    for key in on_node {
        let mut workload = None;
        let _ = db.modify(&key, |p| {
            set_pod_ready(p, up);
            workload = p
                .at("/metadata/labels/app.kubernetes.io~1name")
                .and_then(Value::as_str)
                .map(|w| (key.1.clone(), w.to_string()));
        });
        if let Some(w) = workload.filter(|w| !workloads.contains(w)) {
            workloads.push(w);
        }
    }
    workloads
        .into_iter()
        .map(|(ns, name)| {
            let pods: Vec<bool> = db
                .list(pod_kind, Some(&ns), None)
                .filter(|p| {
                    p.at("/metadata/labels/app.kubernetes.io~1name")
                        .and_then(Value::as_str)
                        == Some(name.as_str())
                })
                .filter(|p| p.at("/status/phase").and_then(Value::as_str) == Some("Running"))
                .map(|p| {
                    p["status"]["conditions"].as_array().is_some_and(|cs| {
                        cs.iter()
                            .any(|c| c["type"] == "Ready" && c["status"] == "True")
                    })
                })
                .collect();
            let ready = pods.iter().filter(|r| **r).count();
            (ns, name, ready, pods.len())
        })
        .collect()
}

/// Set the health of the app's Deployment `name` and work the app's health out again (the
/// worst of its resources'), stamping `lastTransitionTime` when it changes.
fn set_workload_health(app: &mut Value, name: &str, health: Value) {
    if let Some(resources) = app["status"]["resources"].as_array_mut() {
        for r in resources
            .iter_mut()
            .filter(|r| r["kind"] == "Deployment" && r["name"] == name)
        {
            r["health"] = health.clone();
        }
    }
    // Hooks count only after a failed sync, as when the sync finished.
    let failed = app["status"]["operationState"]["phase"] == "Failed";
    let resources = app["status"]["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let worst = worst_health(
        resources
            .iter()
            .filter(|r| r.get("hook").is_none() || failed),
    );
    set_app_health(app, worst);
}

impl Controllers {
    /// The workload Node `node` of `cluster` stopped (or resumed) posting its status: its pods
    /// and the apps whose Deployments run them follow.
    pub(super) fn follow_workload_node(&self, cluster: &str, node: &str, up: bool) {
        let Some((_, db)) = self.workload_clusters.iter().find(|(n, _)| n == cluster) else {
            return;
        };
        let workloads = {
            let mut db = db.lock().unwrap_or_else(|p| p.into_inner());
            follow_node(&mut db, node, up)
        };
        let apps: Vec<String> = self
            .scenario
            .apps
            .iter()
            .filter(|a| a.cluster == cluster)
            .map(|a| a.name.clone())
            .collect();
        for (ns, workload, ready, total) in workloads {
            for app in &apps {
                let key = (self.app_kind, ARGO_NAMESPACE.to_string(), app.clone());
                let _ = self.db().modify(&key, |a| {
                    let runs_it = a["spec"]["destination"]["namespace"] == ns.as_str()
                        && a["status"]["resources"].as_array().is_some_and(|rs| {
                            rs.iter().any(|r| {
                                r["kind"] == "Deployment" && r["name"] == workload.as_str()
                            })
                        });
                    // A Deployment already failing for its own reasons keeps its word.
                    let own_trouble = a["status"]["resources"].as_array().is_some_and(|rs| {
                        rs.iter().any(|r| {
                            r["kind"] == "Deployment"
                                && r["name"] == workload.as_str()
                                && r["health"]["status"] == "Degraded"
                        })
                    });
                    if !runs_it || own_trouble {
                        return;
                    }
                    let health = if ready < total {
                        json!({"status": "Progressing", "message": waiting(ready, total)})
                    } else {
                        json!({"status": "Healthy"})
                    };
                    set_workload_health(a, &workload, health);
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_app_is_as_healthy_as_its_worst_resource_and_stamps_the_change() {
        let mut app = json!({"status": {
        "health": {"status": "Healthy", "lastTransitionTime": "2020-01-01T00:00:00Z"},
        "resources": [
            {"kind": "Deployment", "name": "web", "health": {"status": "Healthy"}},
            {"kind": "Service", "name": "web", "health": {"status": "Healthy"}},
            {"kind": "Job", "name": "migrate", "hook": true, "health": {"status": "Degraded"}},
        ]}});
        set_workload_health(
            &mut app,
            "web",
            json!({"status": "Progressing", "message": waiting(1, 2)}),
        );
        assert_eq!(app["status"]["health"]["status"], "Progressing");
        assert_ne!(
            app["status"]["health"]["lastTransitionTime"],
            "2020-01-01T00:00:00Z"
        );
        assert_eq!(
            app["status"]["resources"][0]["health"]["message"],
            "Waiting for rollout to finish: 1 of 2 updated replicas are available..."
        );
        set_workload_health(&mut app, "web", json!({"status": "Healthy"}));
        assert_eq!(
            app["status"]["health"]["status"], "Healthy",
            "a failed hook does not count"
        );
    }
}
