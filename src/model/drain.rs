//! Draining a node as `kubectl drain --ignore-daemonsets` does: cordon it, then evict its pods
//! one by one through the eviction API (which honours PodDisruptionBudgets), as a rollout so
//! a refused eviction (the budget's 429) stops it and says why. DaemonSet pods (their
//! controller would put them straight back), mirror pods (the kubelet owns them) and pods
//! already being deleted stay. Pure: the pods come from a list the caller fetched.

use serde::Deserialize;
use serde_json::json;

use super::actions::ActionPlan;
use super::object_actions::node_schedulable;
use super::request::{ActionKind, Method};
use super::rollout::{Gate, Request, Rollout, Step};
use super::store::ObjRef;
use super::text::sanitize;

/// The annotation the kubelet puts on the API copy of a static pod.
const MIRROR: &str = "kubernetes.io/config.mirror";

/// A pod on the node, with what decides whether a drain evicts it.
#[derive(Debug, Clone, PartialEq)]
pub struct NodePod {
    pub namespace: String,
    pub name: String,
    /// The kind of its controlling owner (`ReplicaSet`, `DaemonSet`, `Job` …).
    pub owner: Option<String>,
    pub mirror: bool,
    pub terminating: bool,
}

/// The pods of a `PodList`, with only the fields a drain reads.
pub fn pods_of_list(list: &serde_json::Value) -> Vec<NodePod> {
    #[derive(Deserialize)]
    struct List {
        #[serde(default)]
        items: Vec<Item>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Item {
        metadata: Meta,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Meta {
        #[serde(default)]
        namespace: String,
        #[serde(default)]
        name: String,
        #[serde(default)]
        owner_references: Vec<Owner>,
        #[serde(default)]
        annotations: std::collections::BTreeMap<String, serde_json::Value>,
        deletion_timestamp: Option<String>,
    }
    #[derive(Deserialize)]
    struct Owner {
        #[serde(default)]
        kind: String,
        #[serde(default)]
        controller: bool,
    }
    let Ok(list) = List::deserialize(list) else {
        return Vec::new();
    };
    list.items
        .into_iter()
        .map(|i| NodePod {
            namespace: sanitize(&i.metadata.namespace),
            name: sanitize(&i.metadata.name),
            owner: i
                .metadata
                .owner_references
                .iter()
                .find(|o| o.controller)
                .map(|o| sanitize(&o.kind)),
            mirror: i.metadata.annotations.contains_key(MIRROR),
            terminating: i.metadata.deletion_timestamp.is_some(),
        })
        .collect()
}

/// Why a drain leaves a pod where it is, if it does.
fn stays(pod: &NodePod) -> Option<&'static str> {
    if pod.owner.as_deref() == Some("DaemonSet") {
        Some("DaemonSet")
    } else if pod.mirror {
        Some("mirror")
    } else if pod.terminating {
        Some("terminating")
    } else {
        None
    }
}

/// The eviction of one pod: a policy/v1 Eviction POSTed to its `eviction` subresource.
pub fn evict(pod: &ObjRef) -> ActionPlan {
    ActionPlan {
        action: ActionKind::PodEvict,
        title: format!("Evict pod {} in {}", pod.name, pod.namespace),
        target: pod.clone(),
        group: "",
        version: "v1".into(),
        kind: "Pod",
        plural: "pods",
        subresource: Some("eviction"),
        method: Method::Post,
        content_type: "application/json",
        body: json!({"apiVersion": "policy/v1", "kind": "Eviction",
                     "metadata": {"name": pod.name, "namespace": pod.namespace}}),
    }
}

/// The drain of `node` (served at `version`): cordon, then one eviction per pod that goes.
pub fn drain(node: &ObjRef, version: &str, pods: &[NodePod]) -> Rollout {
    let mut steps = vec![Step {
        label: format!("cordon {}", node.name),
        request: Request::Kube(node_schedulable(node, version, false)),
        gate: Gate::Accepted,
    }];
    let mut kept: Vec<&str> = Vec::new();
    for pod in pods {
        match stays(pod) {
            Some(why) => kept.push(why),
            None => {
                let key = ObjRef::in_cluster(
                    node.cluster.clone(),
                    pod.namespace.clone(),
                    pod.name.clone(),
                );
                steps.push(Step {
                    label: format!("evict {}/{}", pod.namespace, pod.name),
                    request: Request::Kube(evict(&key)),
                    gate: Gate::Accepted,
                });
            }
        }
    }
    let evicted = steps.len() - 1;
    let mut title = format!(
        "Drain node {} on {}: cordon, evict {evicted} pod{}",
        node.name,
        node.cluster,
        if evicted == 1 { "" } else { "s" }
    );
    // kubectl refuses these without --force: nothing starts them again elsewhere.
    let unmanaged = pods
        .iter()
        .filter(|p| stays(p).is_none() && p.owner.is_none())
        .count();
    if unmanaged > 0 {
        title.push_str(&format!(", {unmanaged} with no controller (gone for good)"));
    }
    if !kept.is_empty() {
        title.push_str(&format!(" ({} stay: {})", kept.len(), summary(&kept)));
    }
    Rollout {
        action: ActionKind::NodeDrain,
        title,
        target: format!("Node {}", node.name),
        context: node.cluster.to_string(),
        steps,
    }
}

/// `2 DaemonSet, 1 mirror`.
fn summary(kept: &[&str]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for why in kept {
        match counts.iter_mut().find(|(w, _)| w == why) {
            Some((_, n)) => *n += 1,
            None => counts.push((why, 1)),
        }
    }
    counts
        .iter()
        .map(|(why, n)| format!("{n} {why}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drain_cordons_then_evicts_what_may_go() {
        let list = json!({"items": [
            {"metadata": {"namespace": "media", "name": "web-1",
                          "ownerReferences": [{"kind": "ReplicaSet", "name": "web-abc", "controller": true}]}},
            {"metadata": {"namespace": "kube-system", "name": "cilium-x",
                          "ownerReferences": [{"kind": "DaemonSet", "name": "cilium", "controller": true}]}},
            {"metadata": {"namespace": "kube-system", "name": "kube-apiserver-n1",
                          "annotations": {"kubernetes.io/config.mirror": "abc"}}},
            {"metadata": {"namespace": "media", "name": "old-1", "deletionTimestamp": "2026-11-30T10:00:00Z"}},
            {"metadata": {"namespace": "media", "name": "solo"}},
        ]});
        let pods = pods_of_list(&list);
        assert_eq!(pods.len(), 5);
        let node = ObjRef::in_cluster("media", "", "n1");
        let r = drain(&node, "v1", &pods);
        assert_eq!(
            r.title,
            "Drain node n1 on media: cordon, evict 2 pods, 1 with no controller (gone for good) \
             (3 stay: 1 DaemonSet, 1 mirror, 1 terminating)"
        );
        let labels: Vec<&str> = r.steps.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(
            labels,
            ["cordon n1", "evict media/web-1", "evict media/solo"]
        );
        let Request::Kube(evict) = &r.steps[1].request else {
            panic!("a kube request");
        };
        assert_eq!(evict.path(), "/api/v1/namespaces/media/pods/web-1/eviction");
        assert_eq!((evict.method, evict.verb()), (Method::Post, "create"));
        assert_eq!(evict.body["kind"], "Eviction");
        assert_eq!(evict.body["apiVersion"], "policy/v1");
        assert!(pods_of_list(&json!({"kind": "Status"})).is_empty());
    }
}
