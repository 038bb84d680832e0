//! Argo CD Applications and AppProjects of a scenario, shaped like Argo CD 3.x writes them
//! (with per-resource health persisted in the CR).

use serde_json::{Value, json};

use super::db::{fnv, now_rfc3339};
use super::scenario::{AppSpec, HookType, ResourceSpec, Scenario};

pub const ARGO_NAMESPACE: &str = "argocd";
pub const REPO_URL: &str = "https://git.home.arpa/platform/gitops.git";

/// Group, version and whether the kind is cluster-scoped, for the kinds apps deploy.
fn kind_info(kind: &str) -> (&'static str, &'static str, bool) {
    match kind {
        "Namespace" | "PersistentVolume" => ("", "v1", true),
        "ConfigMap" | "Service" | "ServiceAccount" | "Secret" | "PersistentVolumeClaim" => {
            ("", "v1", false)
        }
        "Deployment" | "StatefulSet" | "DaemonSet" => ("apps", "v1", false),
        "Job" | "CronJob" => ("batch", "v1", false),
        "Ingress" => ("networking.k8s.io", "v1", false),
        "IngressClass" => ("networking.k8s.io", "v1", true),
        "StorageClass" => ("storage.k8s.io", "v1", true),
        "CustomResourceDefinition" => ("apiextensions.k8s.io", "v1", true),
        "APIService" => ("apiregistration.k8s.io", "v1", true),
        "ClusterIssuer" => ("cert-manager.io", "v1", true),
        "ClusterSecretStore" => ("external-secrets.io", "v1", true),
        "Schedule" => ("velero.io", "v1", false),
        _ => ("", "v1", false),
    }
}

/// A deterministic 40-hex-digit commit for an app (changes when `generation` changes).
pub fn revision(app: &str, generation: u64) -> String {
    let a = fnv(format!("{app}/{generation}").as_bytes());
    let b = fnv(format!("{generation}/{app}").as_bytes());
    format!("{a:016x}{b:016x}{:08x}", (a ^ b) as u32)
}

fn destination(app: &AppSpec) -> Value {
    if app.cluster == "in-cluster" {
        json!({"server": "https://kubernetes.default.svc", "namespace": app.namespace})
    } else {
        json!({"name": app.cluster, "namespace": app.namespace})
    }
}

fn source(app: &AppSpec) -> Value {
    json!({"repoURL": REPO_URL, "path": app.path, "targetRevision": "main"})
}

/// One entry of `status.resources`.
pub fn resource_status(app: &AppSpec, r: &ResourceSpec) -> Value {
    let (group, version, cluster_scoped) = kind_info(&r.kind);
    let mut v = json!({
        "version": version,
        "kind": r.kind,
        "name": r.name,
        "status": r.sync.clone().unwrap_or_else(|| "Synced".into()),
        "health": {"status": r.health.clone().unwrap_or_else(|| "Healthy".into())},
        "syncWave": r.wave,
    });
    if !group.is_empty() {
        v["group"] = json!(group);
    }
    if !cluster_scoped {
        v["namespace"] = json!(r.namespace.clone().unwrap_or_else(|| app.namespace.clone()));
    }
    if r.hook.is_some() {
        v["hook"] = json!(true);
    }
    v
}

/// One `syncResult.resources` entry for a resource the last sync applied.
pub fn sync_result(status_entry: &Value, hook: Option<HookType>, hook_phase: &str) -> Value {
    let mut v = json!({
        "group": status_entry.get("group").cloned().unwrap_or(json!("")),
        "version": status_entry["version"],
        "kind": status_entry["kind"],
        "namespace": status_entry.get("namespace").cloned().unwrap_or(json!("")),
        "name": status_entry["name"],
        "status": "Synced",
        "message": if hook.is_some() { "job.batch/created" } else { "configured" },
        "syncPhase": hook.unwrap_or_default().as_str(),
    });
    if let Some(h) = hook {
        v["hookType"] = json!(h.as_str());
        v["hookPhase"] = json!(hook_phase);
        if hook_phase == "Failed" {
            v["status"] = json!("SyncFailed");
            v["message"] = json!("Job has reached the specified backoff limit");
        }
    }
    v
}

/// Set an Application's `status.health` to `health`, stamping `lastTransitionTime` when it
/// changes (as Argo CD 3 does).
pub fn set_app_health(app: &mut Value, health: &str) {
    let h = &mut app["status"]["health"];
    if h["status"] != health {
        h["lastTransitionTime"] = json!(now_rfc3339());
    }
    h["status"] = json!(health);
}

/// The worst health among resources (Degraded, then Progressing, then Missing), as Argo CD
/// rolls its resources' health up into the app's; Healthy when there are none.
pub fn worst_health<'a>(resources: impl Iterator<Item = &'a Value>) -> &'a str {
    resources
        .map(|r| r["health"]["status"].as_str().unwrap_or("Healthy"))
        .max_by_key(|h| match *h {
            "Degraded" => 3,
            "Progressing" => 2,
            "Missing" => 1,
            _ => 0,
        })
        .unwrap_or("Healthy")
}

pub fn application(app: &AppSpec) -> Value {
    let rev = revision(&app.name, 1);
    // What the source resolves to now: the synced revision, or a newer commit.
    let head = revision(&app.name, if app.behind { 2 } else { 1 });
    let now = now_rfc3339();
    // The last sync, and the health it left, from some hours before the scenario starts, as
    // on a platform that has been running a while.
    let synced = jiff::Timestamp::now()
        - jiff::SignedDuration::from_hours(1 + (fnv(app.name.as_bytes()) % 20) as i64);
    let synced = synced
        .round(jiff::Unit::Second)
        .map(|t| t.to_string())
        .unwrap_or_else(|_| now.clone());
    let resources: Vec<Value> = app
        .resources
        .iter()
        .map(|r| resource_status(app, r))
        .collect();
    let results: Vec<Value> = app
        .resources
        .iter()
        .zip(&resources)
        .map(|(r, s)| {
            let failed = app.failing_hook && r.hook == Some(HookType::PostSync);
            sync_result(s, r.hook, if failed { "Failed" } else { "Succeeded" })
        })
        .collect();
    let (phase, message) = if app.failing_hook {
        (
            "Failed",
            "one or more synchronization tasks completed unsuccessfully",
        )
    } else {
        ("Succeeded", "successfully synced (all tasks run)")
    };
    let mut sync_policy = json!({"syncOptions": ["CreateNamespace=true"]});
    if app.self_heal {
        sync_policy["automated"] = json!({"prune": true, "selfHeal": true});
    }
    json!({
        "metadata": {
            "name": app.name,
            "namespace": ARGO_NAMESPACE,
            "labels": {"opsdeck.dev/project": app.project},
            "finalizers": ["resources-finalizer.argocd.argoproj.io"],
        },
        "spec": {
            "project": app.project,
            "source": source(app),
            "destination": destination(app),
            "syncPolicy": sync_policy,
        },
        "status": {
            "sync": {
                "status": app.sync,
                "revision": head,
                "comparedTo": {"source": source(app), "destination": destination(app)},
            },
            "health": {"status": app.health, "lastTransitionTime": synced},
            "resources": resources,
            "operationState": {
                "operation": {
                    "sync": {"revision": rev, "syncStrategy": {"hook": {}}},
                    "initiatedBy": {"automated": true},
                    "retry": {"limit": 5},
                },
                "phase": phase,
                "message": message,
                "syncResult": {"revision": rev, "source": source(app), "resources": results},
                "startedAt": synced,
                "finishedAt": synced,
            },
            "history": [{
                "id": 1, "revision": rev, "deployedAt": synced, "deployStartedAt": synced,
                "source": source(app), "initiatedBy": {"automated": true},
            }],
            "reconciledAt": now,
            "sourceType": "Directory",
            "summary": {},
        }
    })
}

pub fn app_project(name: &str) -> Value {
    json!({
        "metadata": {"name": name, "namespace": ARGO_NAMESPACE},
        "spec": {
            "description": format!("{name} applications"),
            "sourceRepos": [REPO_URL],
            "destinations": [{"server": "*", "namespace": "*"}, {"name": "*", "namespace": "*"}],
            "clusterResourceWhitelist": [{"group": "*", "kind": "*"}],
        }
    })
}

pub fn argo_objects(s: &Scenario) -> Vec<(&'static str, Value)> {
    let mut out = vec![
        ("Namespace", json!({"metadata": {"name": ARGO_NAMESPACE}})),
        ("AppProject", app_project("default")),
    ];
    out.extend(s.projects.iter().map(|p| ("AppProject", app_project(p))));
    out.extend(s.apps.iter().map(|a| ("Application", application(a))));
    out
}

/// A Talos node of the management or a workload cluster; control-plane nodes carry the role
/// label kubectl prints in ROLES.
pub fn node(name: &str, control_plane: bool) -> Value {
    let mut labels = json!({"kubernetes.io/hostname": name});
    if control_plane {
        labels["node-role.kubernetes.io/control-plane"] = json!("");
    }
    // Joined the cluster some weeks ago.
    let joined = jiff::Timestamp::now()
        - jiff::SignedDuration::from_hours(
            24 * (20 + (super::db::fnv(name.as_bytes()) % 40) as i64),
        );
    json!({
        "metadata": {"name": name, "labels": labels,
                     "creationTimestamp": joined.round(jiff::Unit::Second).map(|t| t.to_string()).unwrap_or_default()},
        "spec": {"providerID": format!("talos://{name}")},
        "status": {
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                            "message": "kubelet is posting ready status",
                            "lastHeartbeatTime": now_rfc3339(), "lastTransitionTime": now_rfc3339()}],
            "nodeInfo": {"kubeletVersion": "v1.33.4", "osImage": "Talos (v1.10.6)",
                         "architecture": "amd64", "operatingSystem": "linux"},
            // A 4-core, 16 GiB VM less what Talos reserves for the system.
            "capacity": {"cpu": "4", "memory": "16393388Ki", "pods": "110"},
            "allocatable": {"cpu": "3950m", "memory": "15766700Ki", "pods": "110"},
        }
    })
}
