//! The Deployments behind the workload pods and their ReplicaSets, as the deployment
//! controller leaves them: a ReplicaSet per pod template (named by the template's hash), the
//! pods owned by the current one, and statuses counted from those pods.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::pod_objects::{PodState, initial_hash, owner_uid, state_of, template};
use super::scenario::Scenario;

/// Replicas of every application's Deployment in the scenario.
pub const REPLICAS: usize = 2;

pub fn rfc3339(t: Timestamp) -> String {
    t.round(jiff::Unit::Second)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// A Deployment of `workload` with `ready` of its `replicas` pods ready, created at `created`.
pub fn deployment(
    namespace: &str,
    workload: &str,
    replicas: usize,
    ready: usize,
    created: Timestamp,
) -> Value {
    let mut d = json!({
        "metadata": {
            "name": workload,
            "namespace": namespace,
            "creationTimestamp": rfc3339(created),
            "labels": {"app.kubernetes.io/name": workload},
            "annotations": {"deployment.kubernetes.io/revision": "1"},
        },
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app.kubernetes.io/name": workload}},
            "template": template(namespace, workload),
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "revisionHistoryLimit": 10,
            "progressDeadlineSeconds": 600,
        },
    });
    let hash = initial_hash(namespace, workload);
    d["status"] = deployment_status(
        1,
        Counts {
            total: replicas,
            updated: replicas,
            ready,
        },
        replicas,
        &format!("{workload}-{hash}"),
        created,
    );
    d
}

/// Pods counted for a status: all of the Deployment's, those of the current template, ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub total: usize,
    pub updated: usize,
    pub ready: usize,
}

/// A Deployment's status as the controller writes it.
pub fn deployment_status(
    generation: u64,
    counts: Counts,
    desired: usize,
    current_set: &str,
    since: Timestamp,
) -> Value {
    let at = rfc3339(since);
    let available = counts.ready >= desired.saturating_sub(desired / 4);
    let progressed = counts.updated >= desired && counts.total == desired;
    let mut status = json!({
        "observedGeneration": generation,
        "replicas": counts.total,
        "updatedReplicas": counts.updated,
        "readyReplicas": counts.ready,
        "availableReplicas": counts.ready,
        "conditions": [
            if available {
                json!({"type": "Available", "status": "True", "lastUpdateTime": at, "lastTransitionTime": at,
                       "reason": "MinimumReplicasAvailable", "message": "Deployment has minimum availability."})
            } else {
                json!({"type": "Available", "status": "False", "lastUpdateTime": at, "lastTransitionTime": at,
                       "reason": "MinimumReplicasUnavailable", "message": "Deployment does not have minimum availability."})
            },
            if progressed {
                json!({"type": "Progressing", "status": "True", "lastUpdateTime": at, "lastTransitionTime": at,
                       "reason": "NewReplicaSetAvailable",
                       "message": format!("ReplicaSet \"{current_set}\" has successfully progressed.")})
            } else {
                json!({"type": "Progressing", "status": "True", "lastUpdateTime": at, "lastTransitionTime": at,
                       "reason": "ReplicaSetUpdated",
                       "message": format!("ReplicaSet \"{current_set}\" is progressing.")})
            },
        ],
    });
    let unavailable = counts.total.saturating_sub(counts.ready);
    if unavailable > 0 {
        status["unavailableReplicas"] = json!(unavailable);
    }
    status
}

/// The ReplicaSet of `deployment` for the template with `hash`, asked for `replicas` pods of
/// which `ready` are ready.
pub fn replica_set(deployment: &Value, hash: &str, replicas: usize, ready: usize) -> Value {
    let workload = deployment["metadata"]["name"].as_str().unwrap_or_default();
    let namespace = deployment["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default();
    let name = format!("{workload}-{hash}");
    let mut template = deployment["spec"]["template"].clone();
    template["metadata"]["labels"]["pod-template-hash"] = json!(hash);
    let mut selector = deployment["spec"]["selector"].clone();
    selector["matchLabels"]["pod-template-hash"] = json!(hash);
    json!({
        "metadata": {
            "name": name,
            "namespace": namespace,
            "uid": owner_uid(&name),
            "labels": {"app.kubernetes.io/name": workload, "pod-template-hash": hash},
            "annotations": {
                "deployment.kubernetes.io/desired-replicas": deployment["spec"]["replicas"].to_string(),
                "deployment.kubernetes.io/revision": deployment["metadata"]["annotations"]["deployment.kubernetes.io/revision"].clone(),
            },
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": workload,
                                 "uid": deployment["metadata"]["uid"].clone(), "controller": true, "blockOwnerDeletion": true}],
        },
        "spec": {"replicas": replicas, "selector": selector, "template": template},
        "status": {"replicas": replicas, "fullyLabeledReplicas": replicas, "readyReplicas": ready,
                   "availableReplicas": ready, "observedGeneration": 1},
    })
}

/// A PodDisruptionBudget over a workload's pods wanting `min` available, with the status the
/// disruption controller would write while `ready` of them are.
pub fn budget(
    namespace: &str,
    workload: &str,
    min: u32,
    ready: usize,
    created: Timestamp,
) -> Value {
    let allowed = (ready as i64 - i64::from(min)).max(0);
    let at = rfc3339(created);
    json!({
        "metadata": {
            "name": workload,
            "namespace": namespace,
            "creationTimestamp": at,
            "labels": {"app.kubernetes.io/name": workload},
        },
        "spec": {
            "minAvailable": min,
            "selector": {"matchLabels": {"app.kubernetes.io/name": workload}},
        },
        "status": budget_status(1, REPLICAS as i64, ready as i64, i64::from(min), allowed, &at),
    })
}

/// A budget's status as the disruption controller writes it.
pub fn budget_status(
    generation: i64,
    expected: i64,
    healthy: i64,
    desired: i64,
    allowed: i64,
    since: &str,
) -> Value {
    let (status, reason) = if allowed > 0 {
        ("True", "SufficientPods")
    } else {
        ("False", "InsufficientPods")
    };
    json!({
        "observedGeneration": generation,
        "disruptionsAllowed": allowed,
        "currentHealthy": healthy,
        "desiredHealthy": desired,
        "expectedPods": expected,
        "conditions": [{"type": "DisruptionAllowed", "status": status, "reason": reason,
                        "message": "", "lastTransitionTime": since, "observedGeneration": generation}],
    })
}

/// A ClusterIP Service in front of a workload's pods, and its ConfigMap; plus the CA bundle
/// every namespace gets.
fn service_and_config(
    namespace: &str,
    workload: &str,
    created: Timestamp,
) -> Vec<(&'static str, Value)> {
    let h = super::db::fnv(format!("{namespace}/{workload}").as_bytes());
    let ip = format!("10.96.{}.{}", h % 200 + 1, (h >> 8) % 250 + 2);
    let at = rfc3339(created);
    vec![
        (
            "Service",
            json!({
                "metadata": {"name": workload, "namespace": namespace, "creationTimestamp": at,
                             "labels": {"app.kubernetes.io/name": workload}},
                "spec": {"type": "ClusterIP", "clusterIP": ip, "clusterIPs": [ip],
                         "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}],
                         "selector": {"app.kubernetes.io/name": workload},
                         "sessionAffinity": "None", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack"},
                "status": {"loadBalancer": {}},
            }),
        ),
        (
            "ConfigMap",
            json!({
                "metadata": {"name": format!("{workload}-config"), "namespace": namespace, "creationTimestamp": at},
                "data": {"LOG_LEVEL": "info", "TZ": "Europe/Berlin", "config.yaml": format!("server:\n  port: 8080\n  name: {workload}\n")},
            }),
        ),
    ]
}

/// The CA bundle the API server puts in every namespace.
fn root_ca(namespace: &str) -> (&'static str, Value) {
    (
        "ConfigMap",
        json!({
            "metadata": {"name": "kube-root-ca.crt", "namespace": namespace, "creationTimestamp": rfc3339(Timestamp::now() - SignedDuration::from_hours(24 * 60))},
            "data": {"ca.crt": "-----BEGIN CERTIFICATE-----\nMIIBdzCCAR2gAwIBAgIBADAKBggqhkjOPQQDAjAjMSEwHwYDVQQDDBhrM3Mtc2Vy\n-----END CERTIFICATE-----\n"},
        }),
    )
}

/// The load balancer in front of the gateway, with the address MetalLB gave it.
fn gateway_service() -> (&'static str, Value) {
    (
        "Service",
        json!({
            "metadata": {"name": "cilium-gateway-public", "namespace": "gateway",
                         "creationTimestamp": rfc3339(Timestamp::now() - SignedDuration::from_hours(24 * 200))},
            "spec": {"type": "LoadBalancer", "clusterIP": "10.96.40.7", "clusterIPs": ["10.96.40.7"],
                     "ports": [{"name": "https", "port": 443, "targetPort": 443, "nodePort": 31443, "protocol": "TCP"}],
                     "externalTrafficPolicy": "Cluster", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack"},
            "status": {"loadBalancer": {"ingress": [{"ip": "10.20.100.50", "ipMode": "VIP"}]}},
        }),
    )
}

/// The Deployments of one workload cluster's applications, then their ReplicaSets.
pub fn workload_objects(s: &Scenario, cluster: &str) -> Vec<(&'static str, Value)> {
    let mut deployments = Vec::new();
    let mut sets = Vec::new();
    for (i, app) in s.apps.iter().filter(|a| a.cluster == cluster).enumerate() {
        let ready = (0..REPLICAS)
            .filter(|r| state_of(app, *r) == PodState::Running)
            .count();
        let created = Timestamp::now() - SignedDuration::from_hours(3 + (i as i64 * 7) % 70);
        let mut d = deployment(&app.namespace, &app.name, REPLICAS, ready, created);
        // Its uid now, so the ReplicaSet's owner reference names it.
        d["metadata"]["uid"] = json!(owner_uid(&format!(
            "deployment/{}/{}",
            app.namespace, app.name
        )));
        let hash = initial_hash(&app.namespace, &app.name);
        let mut set = replica_set(&d, &hash, REPLICAS, ready);
        set["metadata"]["creationTimestamp"] = d["metadata"]["creationTimestamp"].clone();
        sets.push(("ReplicaSet", set));
        if let Some(min) = app.min_available {
            sets.push((
                "PodDisruptionBudget",
                budget(&app.namespace, &app.name, min, ready, created),
            ));
        }
        deployments.push(("Deployment", d));
    }
    let mut namespaces: Vec<&str> = s
        .apps
        .iter()
        .filter(|a| a.cluster == cluster)
        .map(|a| a.namespace.as_str())
        .chain(["kube-system", "gateway", "velero"])
        .collect();
    namespaces.sort_unstable();
    namespaces.dedup();
    let services = s
        .apps
        .iter()
        .filter(|a| a.cluster == cluster)
        .flat_map(|a| {
            service_and_config(
                &a.namespace,
                &a.name,
                Timestamp::now() - SignedDuration::from_hours(24 * 30),
            )
        })
        .chain(namespaces.into_iter().map(root_ca))
        .chain([gateway_service()]);
    deployments
        .into_iter()
        .chain(sets)
        .chain(services)
        .collect()
}
