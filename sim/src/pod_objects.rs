//! Pods of the workload clusters, shaped as the kubelet and the scheduler leave them: a spec
//! with containers, env, probes, resources and volumes; a status with conditions and container
//! statuses. Two replicas of each application's workload, and the states an operator meets:
//! running, crash-looping with restarts, waiting on an init container, pending, completed.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::db::fnv;
use super::scenario::{AppSpec, Scenario};

/// The states a simulated pod can be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodState {
    Running,
    CrashLoop,
    Initializing,
    Pending,
    Completed,
}

/// `len` characters from the alphabet Kubernetes uses for generated names, derived from `seed`.
pub fn suffix(seed: &str, len: usize) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut h = fnv(seed.as_bytes());
    (0..len)
        .map(|_| {
            let c = ALPHABET[(h % ALPHABET.len() as u64) as usize] as char;
            h /= ALPHABET.len() as u64;
            c
        })
        .collect()
}

fn rfc3339(t: Timestamp) -> String {
    t.round(jiff::Unit::Second)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// What owns a pod: the ReplicaSet of a Deployment (`workload-<template hash>`), or a Job.
#[derive(Debug, Clone, Copy)]
pub struct Owner<'a> {
    pub namespace: &'a str,
    pub workload: &'a str,
    /// The pod template's hash: the ReplicaSet's name suffix and the `pod-template-hash` label.
    pub hash: &'a str,
    pub kind: OwnerKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerKind {
    ReplicaSet,
    Job,
}

impl Owner<'_> {
    /// The owning object's name.
    pub fn name(&self) -> String {
        format!("{}-{}", self.workload, self.hash)
    }

    /// Its uid, stable for a name (the ReplicaSet objects are created with the same one).
    pub fn uid(&self) -> String {
        owner_uid(&self.name())
    }
}

/// The uid the simulator gives a ReplicaSet or Job of this name.
pub fn owner_uid(name: &str) -> String {
    format!(
        "00000000-0000-4000-8000-{:012x}",
        fnv(name.as_bytes()) % (1 << 48)
    )
}

/// One pod of `workload` in `namespace`, on `node`, created `age` ago, in `state`, owned by the
/// ReplicaSet of the workload's Deployment as the scenario starts.
pub fn pod(
    namespace: &str,
    workload: &str,
    replica: usize,
    node: &str,
    state: PodState,
    age: SignedDuration,
) -> Value {
    let hash = initial_hash(namespace, workload);
    let owner = Owner {
        namespace,
        workload,
        hash: &hash,
        kind: OwnerKind::ReplicaSet,
    };
    owned_pod(
        &owner,
        &format!("{workload}{replica}"),
        node,
        state,
        Timestamp::now() - age,
    )
}

/// A pod of `owner` named from `seed` (`<owner>-<5 characters>`), on `node`, created at
/// `created`, in `state`.
pub fn owned_pod(
    owner: &Owner,
    seed: &str,
    node: &str,
    state: PodState,
    created: Timestamp,
) -> Value {
    let Owner {
        namespace,
        workload,
        hash,
        ..
    } = *owner;
    let now = Timestamp::now();
    let name = format!("{}-{}", owner.name(), suffix(seed, 5));
    let ip = format!(
        "10.244.{}.{}",
        fnv(node.as_bytes()) % 200 + 1,
        fnv(name.as_bytes()) % 250 + 2
    );
    let image = image_of(workload);
    let ready = state == PodState::Running;
    let restarts = if state == PodState::CrashLoop { 7 } else { 0 };
    let last_exit = rfc3339(now - SignedDuration::from_secs(95));
    let (phase, container_state, last_state) = match state {
        PodState::Running => (
            "Running",
            json!({"running": {"startedAt": rfc3339(created)}}),
            json!({}),
        ),
        PodState::CrashLoop => (
            "Running",
            json!({"waiting": {"reason": "CrashLoopBackOff",
                   "message": format!("back-off 5m0s restarting failed container={workload} pod={name}")}}),
            json!({"terminated": {"exitCode": 1, "reason": "Error", "startedAt": rfc3339(now - SignedDuration::from_secs(100)),
                   "finishedAt": last_exit, "containerID": format!("containerd://{}", suffix(&name, 16))}}),
        ),
        PodState::Initializing | PodState::Pending => (
            "Pending",
            json!({"waiting": {"reason": "PodInitializing"}}),
            json!({}),
        ),
        PodState::Completed => (
            "Succeeded",
            json!({"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": rfc3339(created),
                   "finishedAt": rfc3339(created + SignedDuration::from_secs(40))}}),
            json!({}),
        ),
    };
    let condition = |kind: &str, status: bool| {
        json!({"type": kind, "status": if status { "True" } else { "False" },
               "lastProbeTime": null, "lastTransitionTime": rfc3339(created)})
    };
    let mut status = json!({
        "phase": phase,
        "conditions": [
            condition("PodReadyToStartContainers", state != PodState::Pending),
            condition("Initialized", !matches!(state, PodState::Initializing | PodState::Pending)),
            condition("Ready", ready),
            condition("ContainersReady", ready),
            condition("PodScheduled", state != PodState::Pending),
        ],
        "qosClass": "Burstable",
    });
    if state != PodState::Pending {
        status["hostIP"] = json!("10.20.103.10");
        status["podIP"] = json!(ip);
        status["podIPs"] = json!([{"ip": ip}]);
        status["startTime"] = json!(rfc3339(created));
        status["containerStatuses"] = json!([{
            "name": workload, "image": image, "imageID": format!("{image}@sha256:{}", suffix(&image, 32)),
            "containerID": format!("containerd://{}", suffix(&format!("{name}c"), 32)),
            "ready": ready, "started": ready, "restartCount": restarts,
            "state": container_state, "lastState": last_state,
        }]);
        status["initContainerStatuses"] = json!([{
            "name": "wait-for-db", "image": "busybox:1.36", "ready": state != PodState::Initializing,
            "restartCount": 0,
            "state": if state == PodState::Initializing {
                json!({"running": {"startedAt": rfc3339(created)}})
            } else {
                json!({"terminated": {"exitCode": 0, "reason": "Completed",
                       "startedAt": rfc3339(created), "finishedAt": rfc3339(created + SignedDuration::from_secs(3))}})
            },
        }]);
    } else {
        status["conditions"][4]["reason"] = json!("Unschedulable");
        status["conditions"][4]["message"] = json!(
            "0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available."
        );
    }
    let mut spec = pod_spec(namespace, workload);
    if state == PodState::Completed {
        spec["restartPolicy"] = json!("Never");
    }
    if state != PodState::Pending {
        spec["nodeName"] = json!(node);
    }
    let managed = json!([
        {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1",
         "time": rfc3339(created), "fieldsType": "FieldsV1",
         "fieldsV1": {"f:metadata": {"f:generateName": {}, "f:labels": fields_of(&json!({"app.kubernetes.io/name": 0, "pod-template-hash": 0})),
                                      "f:ownerReferences": {}},
                      "f:spec": fields_of(&spec)}},
        {"manager": "kubelet", "operation": "Update", "apiVersion": "v1", "subresource": "status",
         "time": rfc3339(created), "fieldsType": "FieldsV1",
         "fieldsV1": {"f:status": fields_of(&status)}},
    ]);
    json!({
        "metadata": {
            "name": name,
            "namespace": namespace,
            "creationTimestamp": rfc3339(created),
            "managedFields": managed,
            "generateName": format!("{}-", owner.name()),
            "labels": {"app.kubernetes.io/name": workload, "pod-template-hash": hash},
            "ownerReferences": [{"apiVersion": owner.kind.api_version(), "kind": owner.kind.name(), "name": owner.name(),
                                 "uid": owner.uid(), "controller": true, "blockOwnerDeletion": true}],
        },
        "spec": spec,
        "status": status,
    })
}

impl OwnerKind {
    fn name(self) -> &'static str {
        match self {
            OwnerKind::ReplicaSet => "ReplicaSet",
            OwnerKind::Job => "Job",
        }
    }

    fn api_version(self) -> &'static str {
        match self {
            OwnerKind::ReplicaSet => "apps/v1",
            OwnerKind::Job => "batch/v1",
        }
    }
}

/// The image a workload runs.
pub fn image_of(workload: &str) -> String {
    let h = fnv(workload.as_bytes());
    format!("ghcr.io/homelab/{workload}:1.{}.{}", h % 3, h % 20)
}

/// The pod template of a workload as its Deployment starts.
pub fn template(namespace: &str, workload: &str) -> Value {
    json!({
        "metadata": {"labels": {"app.kubernetes.io/name": workload}},
        "spec": pod_spec(namespace, workload),
    })
}

/// The `pod-template-hash` of a template: ten name characters from its content, so any change
/// (a new image, a `restartedAt` annotation) makes a new ReplicaSet.
pub fn template_hash(template: &Value) -> String {
    suffix(&template.to_string(), 10)
}

/// The hash of the workload's template as the scenario starts.
pub fn initial_hash(namespace: &str, workload: &str) -> String {
    template_hash(&template(namespace, workload))
}

/// The pod spec a workload's template holds (a pod adds its node).
pub fn pod_spec(namespace: &str, workload: &str) -> Value {
    let image = image_of(workload);
    json!({
        "initContainers": [{"name": "wait-for-db", "image": "busybox:1.36",
                            "command": ["sh", "-c", "until nc -z db 5432; do sleep 2; done"]}],
        "containers": [{
            "name": workload,
            "image": image,
            "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
            "env": [
                {"name": "TZ", "value": "Europe/Berlin"},
                {"name": "LOG_LEVEL", "value": "info"},
                {"name": "DB_HOST", "value": format!("{namespace}-db.{namespace}.svc")},
                {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": format!("{workload}-db"), "key": "password"}}},
            ],
            "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "1Gi"}},
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 10, "failureThreshold": 3},
            "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}, "periodSeconds": 5},
            "volumeMounts": [
                {"name": "data", "mountPath": "/data"},
                {"name": "kube-api-access", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true},
            ],
            "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "File",
            "imagePullPolicy": "IfNotPresent",
        }],
        "volumes": [
            {"name": "data", "persistentVolumeClaim": {"claimName": format!("{workload}-data")}},
            {"name": "kube-api-access", "projected": {"defaultMode": 420, "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            ]}},
        ],
        "restartPolicy": "Always",
        "serviceAccountName": "default",
        "dnsPolicy": "ClusterFirst",
        "schedulerName": "default-scheduler",
        "terminationGracePeriodSeconds": 30,
        "tolerations": [
            {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
        ],
    })
}

/// The `fieldsV1` shape of a value: `f:<key>` for every object key, down to the leaves, as a
/// server's managedFields record which manager owns which field.
fn fields_of(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (format!("f:{k}"), fields_of(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Object(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let key = v
                        .get("name")
                        .and_then(Value::as_str)
                        .map_or_else(|| format!("i:{i}"), |n| format!("k:{{\"name\":\"{n}\"}}"));
                    (key, fields_of(v))
                })
                .collect(),
        ),
        _ => json!({}),
    }
}

/// The state an application's pods are in, from how the scenario describes the app.
pub fn state_of(app: &AppSpec, replica: usize) -> PodState {
    match (app.health.as_str(), replica) {
        ("Degraded", 0) => PodState::CrashLoop,
        ("Progressing", 0) => PodState::Initializing,
        ("Missing", _) => PodState::Pending,
        _ => PodState::Running,
    }
}

/// The pods of one workload cluster: two per application deployed there, and a completed
/// backup Job pod.
pub fn workload_pods(s: &Scenario, cluster: &str, nodes: &[String]) -> Vec<Value> {
    let mut out = Vec::new();
    if nodes.is_empty() {
        return out;
    }
    for (i, app) in s.apps.iter().filter(|a| a.cluster == cluster).enumerate() {
        for replica in 0..2 {
            let node = &nodes[(i + replica) % nodes.len()];
            let age = SignedDuration::from_hours(3 + (i as i64 * 7) % 70);
            out.push(pod(
                &app.namespace,
                &app.name,
                replica,
                node,
                state_of(app, replica),
                age,
            ));
        }
    }
    let backup = Owner {
        namespace: "kube-system",
        workload: "etcd-backup",
        hash: "29412360",
        kind: OwnerKind::Job,
    };
    out.push(owned_pod(
        &backup,
        "etcd-backup",
        &nodes[0],
        PodState::Completed,
        Timestamp::now() - SignedDuration::from_hours(5),
    ));
    out
}

/// A log-shipping sidecar next to the pod's container (spec, status and the managed fields that
/// record them), as many production pods carry.
fn with_sidecar(mut pod: Value) -> Value {
    let mut container = pod["spec"]["containers"][0].clone();
    container["name"] = json!("log-shipper");
    container["image"] = json!("docker.io/fluent/fluent-bit:3.1.4");
    if let Some(env) = container["env"].as_array_mut() {
        env.push(json!({"name": "FLUENT_OUTPUT", "value": "loki.monitoring.svc:3100"}));
    }
    let mut status = pod["status"]["containerStatuses"][0].clone();
    status["name"] = json!("log-shipper");
    status["image"] = container["image"].clone();
    if let Some(list) = pod["spec"]["containers"].as_array_mut() {
        list.push(container);
    }
    if let Some(list) = pod["status"]["containerStatuses"].as_array_mut() {
        list.push(status);
    }
    let spec_fields = fields_of(&pod["spec"]);
    let status_fields = fields_of(&pod["status"]);
    pod["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"] = spec_fields;
    pod["metadata"]["managedFields"][1]["fieldsV1"]["f:status"] = status_fields;
    pod
}

/// `count` pods of realistic size (about 11 KB of JSON, managed fields included) spread over
/// `nodes`, for benchmarks.
pub fn many_pods(count: usize, nodes: &[String]) -> impl Iterator<Item = Value> + Send + '_ {
    (0..count).map(move |i| {
        let node = &nodes[i % nodes.len().max(1)];
        let state = if i % 97 == 0 {
            PodState::CrashLoop
        } else {
            PodState::Running
        };
        with_sidecar(pod(
            &format!("team-{}", i % 40),
            &format!("svc-{}", i / 2),
            i % 2,
            node,
            state,
            SignedDuration::from_hours(1 + (i as i64 % 200)),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pod_is_about_the_size_of_a_real_one() {
        let p = pod(
            "media",
            "immich-server",
            0,
            "media-workers-a",
            PodState::CrashLoop,
            SignedDuration::from_hours(3),
        );
        let size = serde_json::to_vec(&p).map(|v| v.len()).unwrap_or(0);
        assert!((3_000..20_000).contains(&size), "{size} bytes");
        assert_eq!(p["status"]["containerStatuses"][0]["restartCount"], 7);
        let bench: Vec<Value> = many_pods(1, &["node-a".to_string()]).collect();
        let size = serde_json::to_vec(&bench[0]).map(|v| v.len()).unwrap_or(0);
        assert!(
            (9_000..14_000).contains(&size),
            "a benchmark pod: {size} bytes"
        );
        assert_eq!(
            bench[0]["spec"]["containers"].as_array().map(Vec::len),
            Some(2)
        );
    }
}
