//! What metrics-server reports (`metrics.k8s.io/v1beta1`): a PodMetrics per running pod with
//! each container's CPU (nanocores) and memory (KiB) over a 15 s window, and a NodeMetrics per
//! node with the sum of its pods and what the system itself uses. The numbers are derived
//! from the pod's name and move with `phase`, so a refresh shows them change.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::db::{Db, fnv, meta_str};
use super::kinds::kind_id;
use crate::json_at::At;

/// The usage of one container: (CPU in millicores, memory in MiB).
fn usage(pod: &str, container: &str, crashing: bool, phase: u64) -> (u64, u64) {
    if crashing {
        return (1, 18);
    }
    let h = fnv(format!("{pod}/{container}").as_bytes());
    let base_cpu = 5 + h % 180;
    // ±30 % around the base, a different beat per container.
    let swing = (phase + h % 7) % 7;
    let cpu = base_cpu * (7 + swing) / 10;
    let memory = 60 + (h >> 8) % 380 + swing * 3;
    (cpu.max(1), memory)
}

fn rfc3339(t: Timestamp) -> String {
    t.round(jiff::Unit::Second)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// The PodMetrics of a pod that runs, else `None` (metrics-server skips the others).
pub fn pod_metrics(pod: &Value, at: Timestamp, phase: u64) -> Option<Value> {
    if pod.at("/status/phase").and_then(Value::as_str) != Some("Running") {
        return None;
    }
    let name = meta_str(pod, "name");
    let statuses = pod
        .at("/status/containerStatuses")
        .and_then(Value::as_array)?;
    let containers: Vec<Value> = statuses
        .iter()
        .map(|c| {
            let container = c["name"].as_str().unwrap_or_default();
            let crashing = c.at("/state/running").is_none();
            let (cpu, memory) = usage(name, container, crashing, phase);
            json!({"name": container, "usage": {
                "cpu": format!("{}n", cpu * 1_000_000 + fnv(container.as_bytes()) % 999_999),
                "memory": format!("{}Ki", memory * 1024),
            }})
        })
        .collect();
    Some(json!({
        "metadata": {
            "name": name,
            "namespace": meta_str(pod, "namespace"),
            "creationTimestamp": rfc3339(at),
            "labels": pod["metadata"]["labels"].clone(),
        },
        "timestamp": rfc3339(at),
        "window": "15s",
        "containers": containers,
    }))
}

/// A quantity's value in base units ×1000 for CPU (millicores from `n`) or KiB for memory.
fn amount(quantity: &str) -> u64 {
    let (digits, unit): (String, String) = quantity.chars().partition(char::is_ascii_digit);
    let n: u64 = digits.parse().unwrap_or(0);
    match unit.as_str() {
        "n" => n / 1_000_000,
        "Ki" => n,
        "Mi" => n * 1024,
        _ => n,
    }
}

/// The NodeMetrics of `node`: its pods' usage and the system's own (kubelet, containerd).
pub fn node_metrics(node: &str, pods: &[(String, Value)], at: Timestamp, phase: u64) -> Value {
    let (mut cpu, mut memory) = (
        180 + fnv(node.as_bytes()) % 120 + phase % 5 * 7,
        1_100 * 1024,
    );
    for (on, metrics) in pods {
        if on != node {
            continue;
        }
        for c in metrics["containers"].as_array().into_iter().flatten() {
            cpu += amount(c["usage"]["cpu"].as_str().unwrap_or("0"));
            memory += amount(c["usage"]["memory"].as_str().unwrap_or("0"));
        }
    }
    json!({
        "metadata": {"name": node, "creationTimestamp": rfc3339(at),
                     "labels": {"kubernetes.io/hostname": node}},
        "timestamp": rfc3339(at),
        "window": "20s",
        "usage": {"cpu": format!("{}n", cpu * 1_000_000), "memory": format!("{memory}Ki")},
    })
}

/// Every PodMetrics and NodeMetrics of a cluster from its pods and nodes now.
pub fn metrics_of(
    pods: &[Value],
    nodes: &[String],
    at: Timestamp,
    phase: u64,
) -> Vec<(&'static str, Value)> {
    let per_pod: Vec<(String, Value)> = pods
        .iter()
        .filter_map(|p| {
            let node = p.at("/spec/nodeName")?.as_str()?.to_string();
            Some((node, pod_metrics(p, at, phase)?))
        })
        .collect();
    let node_metrics: Vec<(&'static str, Value)> = nodes
        .iter()
        .map(|n| ("NodeMetrics", node_metrics(n, &per_pod, at, phase)))
        .collect();
    per_pod
        .into_iter()
        .map(|(_, m)| ("PodMetrics", m))
        .chain(node_metrics)
        .collect()
}

/// metrics-server's scrape: the cluster's metrics replaced by fresh ones.
pub fn refresh(db: &mut Db, phase: u64) {
    let (Some(pod), Some(node), Some(pod_metrics)) =
        (kind_id("Pod"), kind_id("Node"), kind_id("PodMetrics"))
    else {
        return;
    };
    let pods: Vec<Value> = db.list(pod, None, None).cloned().collect();
    let nodes: Vec<String> = db
        .list(node, None, None)
        .map(|n| meta_str(n, "name").to_string())
        .collect();
    let fresh = metrics_of(&pods, &nodes, Timestamp::now(), phase);
    let keys: std::collections::BTreeSet<_> = fresh
        .iter()
        .filter_map(|(kind, m)| Some(Db::key_of(kind_id(kind)?, m)))
        .collect();
    // Pods that stopped have no metrics any more.
    let gone: Vec<_> = db
        .list(pod_metrics, None, None)
        .map(|m| Db::key_of(pod_metrics, m))
        .filter(|k| !keys.contains(k))
        .collect();
    for key in gone {
        let _ = db.delete(&key);
    }
    for (kind, m) in fresh {
        let Some(id) = kind_id(kind) else { continue };
        let key = Db::key_of(id, &m);
        if db.get(&key).is_some() {
            let _ = db.update(&key, m, None);
        } else {
            let _ = db.create(id, m);
        }
    }
}
