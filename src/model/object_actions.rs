//! What the kind browser does to the object under the cursor, as plans: delete any object,
//! cordon or uncordon a Node, rollout-restart a workload, scale one. Each is the request
//! kubectl sends for the same command.

use jiff::Timestamp;
use serde_json::json;

use super::actions::{ActionPlan, MERGE_PATCH};
use super::catalog::ApiKind;
use super::request::{ActionKind, Method};
use super::store::ObjRef;
use super::table::interned;

/// The annotation `kubectl rollout restart` stamps on the pod template.
pub const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";

/// Workloads whose pod template a restart changes.
pub fn restartable(kind: &ApiKind) -> bool {
    kind.group == "apps"
        && matches!(
            kind.kind.as_str(),
            "Deployment" | "StatefulSet" | "DaemonSet"
        )
}

/// Workloads with a `scale` subresource.
pub fn scalable(kind: &ApiKind) -> bool {
    kind.group == "apps"
        && matches!(
            kind.kind.as_str(),
            "Deployment" | "StatefulSet" | "ReplicaSet"
        )
}

/// ` in <namespace>` for namespaced objects.
fn scope(key: &ObjRef) -> String {
    if key.namespace.is_empty() {
        String::new()
    } else {
        format!(" in {}", key.namespace)
    }
}

/// A plan on `key` of the browsed `kind`; the kind's names come from discovery and each
/// distinct one is kept once (they are few).
fn on_object(kind: &ApiKind, key: &ObjRef, action: ActionKind, title: String) -> ActionPlan {
    ActionPlan {
        action,
        title,
        target: key.clone(),
        group: interned(&kind.group),
        version: kind.version.clone(),
        kind: interned(&kind.kind),
        plural: interned(&kind.plural),
        subresource: None,
        method: Method::Patch,
        content_type: MERGE_PATCH,
        body: json!({}),
    }
}

/// Delete any object the kind browser shows, as `kubectl delete` does: dependents are removed
/// by the garbage collector in the background, and a controller that owns the object (a
/// ReplicaSet, a Job) makes a new one.
pub fn delete_object(kind: &ApiKind, key: &ObjRef) -> ActionPlan {
    let title = format!(
        "Delete {} {}{} on {}",
        kind.kind,
        key.name,
        scope(key),
        key.cluster
    );
    ActionPlan {
        method: Method::Delete,
        content_type: "application/json",
        body: json!({"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"}),
        ..on_object(kind, key, ActionKind::Delete, title)
    }
}

/// Cordon (no new pods) or uncordon a Node, as `kubectl cordon` patches it.
pub fn node_schedulable(node: &ObjRef, version: &str, schedulable: bool) -> ActionPlan {
    let (action, verb) = match schedulable {
        true => (ActionKind::NodeUncordon, "Uncordon"),
        false => (ActionKind::NodeCordon, "Cordon"),
    };
    ActionPlan {
        action,
        title: format!("{verb} node {} on {}", node.name, node.cluster),
        target: node.clone(),
        group: "",
        version: version.into(),
        kind: "Node",
        plural: "nodes",
        subresource: None,
        method: Method::Patch,
        content_type: MERGE_PATCH,
        body: json!({"spec": {"unschedulable": !schedulable}}),
    }
}

/// Restart a workload's pods as `kubectl rollout restart` does: a new `restartedAt` annotation
/// on the pod template makes a new revision, which its controller rolls out. (kubectl sends it
/// as a strategic merge patch; for this body a JSON merge patch is the same change.)
pub fn rollout_restart(kind: &ApiKind, key: &ObjRef, now: Timestamp) -> ActionPlan {
    let title = format!(
        "Restart {} {}{} on {}",
        kind.kind,
        key.name,
        scope(key),
        key.cluster
    );
    let at = now.round(jiff::Unit::Second).unwrap_or(now).to_string();
    ActionPlan {
        body: json!({"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: at}}}}}),
        ..on_object(kind, key, ActionKind::RolloutRestart, title)
    }
}

/// Scale a workload through its `scale` subresource, as `kubectl scale` does; `from` is the
/// count the row showed, when known.
pub fn workload_scale(kind: &ApiKind, key: &ObjRef, from: Option<u32>, to: u32) -> ActionPlan {
    let from = from.map(|n| format!(" from {n}")).unwrap_or_default();
    let title = format!(
        "Scale {} {}{}{from} to {to} on {}",
        kind.kind,
        key.name,
        scope(key),
        key.cluster
    );
    ActionPlan {
        subresource: Some("scale"),
        body: json!({"spec": {"replicas": to}}),
        ..on_object(kind, key, ActionKind::WorkloadScale, title)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(group: &str, kind: &str, plural: &str, namespaced: bool) -> ApiKind {
        ApiKind {
            group: group.into(),
            version: "v1beta2".into(),
            kind: kind.into(),
            plural: plural.into(),
            singular: kind.to_lowercase(),
            short_names: Vec::new(),
            namespaced,
        }
    }

    #[test]
    fn a_delete_goes_to_the_object_in_its_group_and_scope() {
        let machine = ObjRef::in_cluster("mgmt", "media", "media-cp-abc");
        let p = delete_object(
            &kind("cluster.x-k8s.io", "Machine", "machines", true),
            &machine,
        );
        assert_eq!(
            p.path(),
            "/apis/cluster.x-k8s.io/v1beta2/namespaces/media/machines/media-cp-abc"
        );
        assert_eq!((p.method, p.verb()), (Method::Delete, "delete"));
        assert_eq!(p.title, "Delete Machine media-cp-abc in media on mgmt");
        assert_eq!(p.body["propagationPolicy"], json!("Background"));
        // A cluster-scoped core kind: no namespace in the path or the title.
        let node = ObjRef::in_cluster("media", "", "worker-1");
        let p = delete_object(&kind("", "Node", "nodes", false), &node);
        assert_eq!(p.path(), "/api/v1beta2/nodes/worker-1");
        assert_eq!(p.title, "Delete Node worker-1 on media");
        assert_eq!(
            p.denied_reason(),
            "your token may not delete nodes in the core group"
        );
    }

    #[test]
    fn a_restart_stamps_the_template_and_a_scale_goes_to_the_subresource() {
        let deploy = ApiKind {
            version: "v1".into(),
            ..kind("apps", "Deployment", "deployments", true)
        };
        let web = ObjRef::in_cluster("media", "media", "web");
        let now: Timestamp = "2026-11-30T14:00:00.4Z".parse().expect("time");
        let p = rollout_restart(&deploy, &web, now);
        assert_eq!(p.path(), "/apis/apps/v1/namespaces/media/deployments/web");
        assert_eq!((p.method, p.verb()), (Method::Patch, "patch"));
        assert_eq!(
            p.body["spec"]["template"]["metadata"]["annotations"][RESTARTED_AT],
            json!("2026-11-30T14:00:00Z")
        );
        assert_eq!(p.title, "Restart Deployment web in media on media");
        let p = workload_scale(&deploy, &web, Some(2), 3);
        assert_eq!(
            p.path(),
            "/apis/apps/v1/namespaces/media/deployments/web/scale"
        );
        assert_eq!(p.body, json!({"spec": {"replicas": 3}}));
        assert_eq!(
            p.title,
            "Scale Deployment web in media from 2 to 3 on media"
        );
        assert!(restartable(&deploy) && scalable(&deploy));
        let daemons = kind("apps", "DaemonSet", "daemonsets", true);
        assert!(restartable(&daemons) && !scalable(&daemons));
        assert!(!restartable(&kind("", "Pod", "pods", true)));
    }
}
