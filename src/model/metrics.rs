//! Usage from the Metrics API (`metrics.k8s.io`, what `kubectl top` reads): CPU and memory per
//! pod (its containers summed) and per node, with nodes' allocatable capacity for percentages.
//! Pure: lists in, a few numbers per object out.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use serde_json::Value;

use super::catalog::ApiKind;
use super::store::ObjRef;
use super::text::sanitize;

/// Which usage a browse shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricsOf {
    Pods,
    Nodes,
}

impl MetricsOf {
    /// The kind's usage, if it has one (core pods and nodes).
    pub fn of(kind: &ApiKind) -> Option<MetricsOf> {
        match (kind.group.as_str(), kind.kind.as_str()) {
            ("", "Pod") => Some(MetricsOf::Pods),
            ("", "Node") => Some(MetricsOf::Nodes),
            _ => None,
        }
    }

    /// `pods` or `nodes` (in the `metrics.k8s.io` group).
    pub fn plural(self) -> &'static str {
        match self {
            MetricsOf::Pods => "pods",
            MetricsOf::Nodes => "nodes",
        }
    }
}

/// One poll's answer: usage per object, for nodes their allocatable capacity, and for pods
/// the requests and limits of those not reported before.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub usage: Vec<(ObjRef, Usage)>,
    pub allocatable: Vec<(ObjRef, Usage)>,
    pub resources: Vec<(ObjRef, Resources)>,
}

/// CPU (millicores) and memory (bytes), each only if some container sets it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Amounts {
    pub cpu_milli: Option<u64>,
    pub memory: Option<u64>,
}

/// A pod's requests and limits: its containers' summed, as k9s sums them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Resources {
    pub requests: Amounts,
    pub limits: Amounts,
}

/// Where one cluster's usage stands.
#[derive(Debug, Clone, PartialEq)]
pub enum MetricsSource {
    Waiting,
    Live,
    /// No metrics-server (the group is not served): `n/a`.
    NotServed,
    Failed(String),
}

/// The usage the browser shows, by row key.
#[derive(Debug, Clone, Default)]
pub struct BrowseMetrics {
    pub of: Option<MetricsOf>,
    pub clusters: BTreeMap<String, MetricsSource>,
    pub usage: HashMap<ObjRef, Usage>,
    pub allocatable: HashMap<ObjRef, Usage>,
    /// Pods' requests and limits (they never change in a pod's life, so they are asked for
    /// once per pod).
    pub resources: HashMap<ObjRef, Resources>,
}

impl BrowseMetrics {
    /// What a row's usage cell says when there is no number: `n/a` without metrics-server,
    /// the error's first word when the poll failed, `-` while waiting or for a pod that does
    /// not run.
    pub fn missing(&self, cluster: &str) -> &'static str {
        match self.clusters.get(cluster) {
            Some(MetricsSource::NotServed) => "n/a",
            Some(MetricsSource::Failed(_)) => "error",
            _ => "-",
        }
    }
}

/// CPU in millicores and memory in bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub cpu_milli: u64,
    pub memory: u64,
}

/// A CPU quantity (`250m`, `2`, `1.5`, `123456789n`, `12u`) in millicores.
pub fn cpu_milli(quantity: &str) -> Option<u64> {
    let q = quantity.trim();
    let (number, scale) = match q.char_indices().last()? {
        (i, 'n') => (&q[..i], 1e-6),
        (i, 'u') => (&q[..i], 1e-3),
        (i, 'm') => (&q[..i], 1.0),
        _ => (q, 1000.0),
    };
    let value: f64 = number.parse().ok()?;
    (value >= 0.0).then(|| (value * scale).round() as u64)
}

/// A memory quantity (`512Mi`, `1Gi`, `1024Ki`, `1G`, `1000`) in bytes.
pub fn bytes(quantity: &str) -> Option<u64> {
    let q = quantity.trim();
    let split = q.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(q.len());
    let (number, suffix) = q.split_at(split);
    let unit: f64 = match suffix {
        "" => 1.0,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "k" | "K" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "m" => 1e-3,
        _ => return None,
    };
    let value: f64 = number.parse().ok()?;
    (value >= 0.0).then(|| (value * unit).round() as u64)
}

/// `123m`, as `kubectl top` prints CPU.
pub fn cpu_text(milli: u64) -> String {
    format!("{milli}m")
}

/// `245Mi`, `1.2Gi`: memory in binary units.
pub fn memory_text(bytes: u64) -> String {
    let mi = bytes as f64 / 1024f64.powi(2);
    if mi >= 10.0 * 1024.0 {
        format!("{:.0}Gi", mi / 1024.0)
    } else if mi >= 1024.0 {
        format!("{:.1}Gi", mi / 1024.0)
    } else {
        format!("{mi:.0}Mi")
    }
}

/// `used` as a share of `of`, in whole percent.
pub fn percent(used: u64, of: u64) -> Option<u64> {
    (of > 0).then(|| (used * 100 + of / 2) / of)
}

#[derive(Deserialize)]
struct List<T> {
    #[serde(default = "Vec::new")]
    items: Vec<T>,
}

#[derive(Deserialize)]
struct Meta {
    #[serde(default)]
    namespace: String,
    #[serde(default)]
    name: String,
}

#[derive(Deserialize, Default)]
struct Quantities {
    #[serde(default)]
    cpu: Option<String>,
    #[serde(default)]
    memory: Option<String>,
}

impl Quantities {
    fn usage(&self) -> Usage {
        Usage {
            cpu_milli: self.cpu.as_deref().and_then(cpu_milli).unwrap_or(0),
            memory: self.memory.as_deref().and_then(bytes).unwrap_or(0),
        }
    }
}

/// `(namespace, name)` and the pod's usage (its containers summed), from a `PodMetricsList`.
pub fn pod_usage(list: &Value) -> Vec<((String, String), Usage)> {
    #[derive(Deserialize)]
    struct PodMetrics {
        metadata: Meta,
        #[serde(default)]
        containers: Vec<Container>,
    }
    #[derive(Deserialize)]
    struct Container {
        #[serde(default)]
        usage: Quantities,
    }
    let Ok(list) = List::<PodMetrics>::deserialize(list) else {
        return Vec::new();
    };
    list.items
        .into_iter()
        .map(|p| {
            let usage = p.containers.iter().fold(Usage::default(), |sum, c| {
                let u = c.usage.usage();
                Usage {
                    cpu_milli: sum.cpu_milli + u.cpu_milli,
                    memory: sum.memory + u.memory,
                }
            });
            let key = (sanitize(&p.metadata.namespace), sanitize(&p.metadata.name));
            (key, usage)
        })
        .collect()
}

/// Each pod's requests and limits, from a `PodList` (or a single Pod: a list of one).
pub fn pod_resources(list: &Value) -> Vec<((String, String), Resources)> {
    #[derive(Deserialize)]
    struct Pod {
        metadata: Meta,
        #[serde(default)]
        spec: Spec,
    }
    #[derive(Deserialize, Default)]
    struct Spec {
        #[serde(default)]
        containers: Vec<Container>,
    }
    #[derive(Deserialize)]
    struct Container {
        #[serde(default)]
        resources: ContainerResources,
    }
    #[derive(Deserialize, Default)]
    struct ContainerResources {
        #[serde(default)]
        requests: Quantities,
        #[serde(default)]
        limits: Quantities,
    }
    let pods: Vec<Pod> = if list.get("items").is_some() {
        List::<Pod>::deserialize(list)
            .map(|l| l.items)
            .unwrap_or_default()
    } else {
        Pod::deserialize(list).into_iter().collect()
    };
    let add = |sum: Option<u64>, more: Option<u64>| match (sum, more) {
        (Some(a), Some(b)) => Some(a + b),
        (a, b) => a.or(b),
    };
    let amounts = |q: &Quantities| Amounts {
        cpu_milli: q.cpu.as_deref().and_then(cpu_milli),
        memory: q.memory.as_deref().and_then(bytes),
    };
    let sum = |a: Amounts, b: Amounts| Amounts {
        cpu_milli: add(a.cpu_milli, b.cpu_milli),
        memory: add(a.memory, b.memory),
    };
    pods.into_iter()
        .map(|p| {
            let r = p
                .spec
                .containers
                .iter()
                .fold(Resources::default(), |r, c| Resources {
                    requests: sum(r.requests, amounts(&c.resources.requests)),
                    limits: sum(r.limits, amounts(&c.resources.limits)),
                });
            (
                (sanitize(&p.metadata.namespace), sanitize(&p.metadata.name)),
                r,
            )
        })
        .collect()
}

/// Each node's usage, from a `NodeMetricsList`.
pub fn node_usage(list: &Value) -> Vec<(String, Usage)> {
    #[derive(Deserialize)]
    struct NodeMetrics {
        metadata: Meta,
        #[serde(default)]
        usage: Quantities,
    }
    let Ok(list) = List::<NodeMetrics>::deserialize(list) else {
        return Vec::new();
    };
    list.items
        .into_iter()
        .map(|n| (sanitize(&n.metadata.name), n.usage.usage()))
        .collect()
}

/// Each node's allocatable CPU and memory, from a `NodeList`.
pub fn allocatable(list: &Value) -> Vec<(String, Usage)> {
    #[derive(Deserialize)]
    struct Node {
        metadata: Meta,
        #[serde(default)]
        status: Status,
    }
    #[derive(Deserialize, Default)]
    struct Status {
        #[serde(default)]
        allocatable: Quantities,
    }
    let Ok(list) = List::<Node>::deserialize(list) else {
        return Vec::new();
    };
    list.items
        .into_iter()
        .map(|n| (sanitize(&n.metadata.name), n.status.allocatable.usage()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quantities_read_as_kubernetes_writes_them() {
        assert_eq!(cpu_milli("123456789n"), Some(123));
        assert_eq!(cpu_milli("250m"), Some(250));
        assert_eq!(cpu_milli("2"), Some(2000));
        assert_eq!(cpu_milli("1.5"), Some(1500));
        assert_eq!(cpu_milli("-1"), None);
        assert_eq!(bytes("1024Ki"), Some(1024 * 1024));
        assert_eq!(bytes("512Mi"), Some(512 * 1024 * 1024));
        assert_eq!(bytes("1G"), Some(1_000_000_000));
        assert_eq!(bytes("12Qi"), None);
        assert_eq!(memory_text(245 * 1024 * 1024), "245Mi");
        assert_eq!(memory_text(1536 * 1024 * 1024), "1.5Gi");
        assert_eq!(percent(50, 200), Some(25));
        assert_eq!(percent(1, 0), None);
    }

    #[test]
    fn a_pods_usage_is_its_containers_summed() {
        let list = json!({"items": [{"metadata": {"namespace": "media", "name": "web-1"},
            "containers": [{"name": "web", "usage": {"cpu": "100000000n", "memory": "102400Ki"}},
                           {"name": "log", "usage": {"cpu": "5m", "memory": "10Mi"}}]}]});
        let pods = pod_usage(&list);
        assert_eq!(pods.len(), 1);
        assert_eq!(
            pods[0],
            (
                ("media".into(), "web-1".into()),
                Usage {
                    cpu_milli: 105,
                    memory: 110 * 1024 * 1024
                }
            )
        );
        assert!(node_usage(&json!({"kind": "Status"})).is_empty());
        let pod = json!({"metadata": {"namespace": "media", "name": "web-1"}, "spec": {"containers": [
            {"resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "1Gi"}}},
            {"resources": {"requests": {"cpu": "50m"}}}]}});
        let r = pod_resources(&pod);
        assert_eq!(
            r[0].1,
            Resources {
                requests: Amounts {
                    cpu_milli: Some(150),
                    memory: Some(256 * 1024 * 1024)
                },
                limits: Amounts {
                    cpu_milli: None,
                    memory: Some(1024 * 1024 * 1024)
                },
            }
        );
    }
}
