//! Core Events about the simulated pods, as the scheduler and the kubelet record them: where a
//! pod was scheduled, images pulled, containers started, and the warnings an operator looks for
//! (back-off restarting a failed container, no node with room).

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::json_at::At;

fn rfc3339(t: Timestamp) -> String {
    t.round(jiff::Unit::Second)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

struct Seen {
    first: SignedDuration,
    last: SignedDuration,
    count: u32,
}

fn event(
    pod: &Value,
    kind: &str,
    reason: &str,
    message: String,
    seen: Seen,
    component: &str,
) -> Value {
    let now = Timestamp::now();
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let namespace = pod["metadata"]["namespace"].as_str().unwrap_or_default();
    json!({
        "metadata": {
            "name": format!("{name}.{:x}", super::db::fnv(format!("{name}{reason}").as_bytes()) & 0xffff_ffff_ffff),
            "namespace": namespace,
            "creationTimestamp": rfc3339(now - seen.first),
        },
        "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": name, "namespace": namespace},
        "reason": reason,
        "message": message,
        "source": {"component": component, "host": pod["spec"]["nodeName"].as_str().unwrap_or("")},
        "firstTimestamp": rfc3339(now - seen.first),
        "lastTimestamp": rfc3339(now - seen.last),
        "count": seen.count,
        "type": kind,
        "reportingComponent": component,
    })
}

/// The events the pods' current states leave behind.
pub fn pod_events(pods: &[Value]) -> Vec<Value> {
    let mut out = Vec::new();
    for pod in pods {
        let name = pod["metadata"]["name"].as_str().unwrap_or_default();
        let created = pod["metadata"]["creationTimestamp"]
            .as_str()
            .and_then(|t| t.parse::<Timestamp>().ok())
            .map_or(SignedDuration::from_hours(1), |t| {
                Timestamp::now().duration_since(t)
            });
        let once = |at: SignedDuration| Seen {
            first: at,
            last: at,
            count: 1,
        };
        let node = pod["spec"]["nodeName"].as_str();
        let Some(node) = node else {
            out.push(event(
                pod,
                "Warning",
                "FailedScheduling",
                "0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.".into(),
                Seen {
                    first: created,
                    last: SignedDuration::from_secs(40),
                    count: 12,
                },
                "default-scheduler",
            ));
            continue;
        };
        let namespace = pod["metadata"]["namespace"].as_str().unwrap_or_default();
        out.push(event(
            pod,
            "Normal",
            "Scheduled",
            format!("Successfully assigned {namespace}/{name} to {node}"),
            once(created),
            "default-scheduler",
        ));
        let image = pod["spec"]["containers"][0]["image"].as_str().unwrap_or("");
        out.push(event(
            pod,
            "Normal",
            "Pulled",
            format!("Container image \"{image}\" already present on machine"),
            once(created - SignedDuration::from_secs(5)),
            "kubelet",
        ));
        let waiting = pod
            .at("/status/containerStatuses/0/state/waiting/reason")
            .and_then(Value::as_str);
        if waiting == Some("CrashLoopBackOff") {
            let container = pod["spec"]["containers"][0]["name"].as_str().unwrap_or("");
            out.push(event(
                pod,
                "Warning",
                "BackOff",
                format!(
                    "Back-off restarting failed container {container} in pod {name}_{namespace}"
                ),
                Seen {
                    first: created - SignedDuration::from_mins(2),
                    last: SignedDuration::from_secs(20),
                    count: 31,
                },
                "kubelet",
            ));
        }
    }
    out
}
