//! The built-in kinds' printers, as the API server's Go printers fill their Table cells: pods
//! (READY, STATUS, RESTARTS), nodes, namespaces, secrets, events; and the short human durations
//! they all use.

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use crate::json_at::At;
use crate::kinds::KindDef;

pub fn name_of(obj: &Value) -> Value {
    obj.at("/metadata/name").cloned().unwrap_or(Value::Null)
}

/// When the object was created, if it says so readably.
fn created_at(obj: &Value) -> Option<Timestamp> {
    obj.at("/metadata/creationTimestamp")
        .and_then(Value::as_str)
        .and_then(|t| t.parse::<Timestamp>().ok())
}

pub fn age_of(obj: &Value, now: Timestamp) -> Value {
    created_at(obj).map_or(json!("<unknown>"), |t| {
        json!(human_duration(now.as_second() - t.as_second()))
    })
}

pub fn name_age_cells(obj: &Value, now: Timestamp) -> Vec<Value> {
    vec![name_of(obj), age_of(obj, now)]
}

pub fn namespace_cells(obj: &Value, now: Timestamp) -> Vec<Value> {
    let phase = obj
        .at("/status/phase")
        .and_then(Value::as_str)
        .unwrap_or("Active");
    vec![name_of(obj), json!(phase), age_of(obj, now)]
}

pub fn secret_cells(obj: &Value, now: Timestamp) -> Vec<Value> {
    let kind = obj.get("type").and_then(Value::as_str).unwrap_or("Opaque");
    let keys = obj
        .get("data")
        .and_then(Value::as_object)
        .map_or(0, Map::len);
    vec![name_of(obj), json!(kind), json!(keys), age_of(obj, now)]
}

/// The template's containers and images, joined by commas, and the selector as `k=v,k=v`:
/// the wide columns of Deployments and ReplicaSets.
fn template_cells(obj: &Value) -> [Value; 3] {
    let containers = obj
        .at("/spec/template/spec/containers")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let joined = |field: &str| {
        containers
            .iter()
            .filter_map(|c| c.get(field).and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(",")
    };
    let selector = obj
        .at("/spec/selector/matchLabels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    [
        json!(joined("name")),
        json!(joined("image")),
        json!(selector),
    ]
}

fn count_at(obj: &Value, pointer: &str) -> i64 {
    obj.at(pointer).and_then(Value::as_i64).unwrap_or(0)
}

/// READY is `readyReplicas/spec.replicas`; Up-to-date and Available are numbers.
pub fn deployment_cells(obj: &Value, now: Timestamp) -> Vec<Value> {
    let ready = format!(
        "{}/{}",
        count_at(obj, "/status/readyReplicas"),
        count_at(obj, "/spec/replicas")
    );
    let mut cells = vec![
        name_of(obj),
        json!(ready),
        json!(count_at(obj, "/status/updatedReplicas")),
        json!(count_at(obj, "/status/availableReplicas")),
        age_of(obj, now),
    ];
    cells.extend(template_cells(obj));
    cells
}

/// DESIRED, CURRENT and READY as numbers.
pub fn replica_set_cells(obj: &Value, now: Timestamp) -> Vec<Value> {
    let mut cells = vec![
        name_of(obj),
        json!(count_at(obj, "/spec/replicas")),
        json!(count_at(obj, "/status/replicas")),
        json!(count_at(obj, "/status/readyReplicas")),
        age_of(obj, now),
    ];
    cells.extend(template_cells(obj));
    cells
}

/// MIN AVAILABLE and MAX UNAVAILABLE as given (`N/A` when not), ALLOWED DISRUPTIONS a number.
pub fn budget_cells(obj: &Value, now: Timestamp) -> Vec<Value> {
    let given = |field: &str| match obj.at(field) {
        Some(Value::Number(n)) => json!(n.to_string()),
        Some(Value::String(s)) => json!(s),
        _ => json!("N/A"),
    };
    vec![
        name_of(obj),
        given("/spec/minAvailable"),
        given("/spec/maxUnavailable"),
        json!(count_at(obj, "/status/disruptionsAllowed")),
        age_of(obj, now),
    ]
}

/// TYPE, CLUSTER-IP, EXTERNAL-IP (`<none>`, `<pending>` for a load balancer without one),
/// PORT(S) (`80/TCP`, `443:31443/TCP` with a node port), AGE, and the selector (wide).
pub fn service_cells(obj: &Value, now: Timestamp) -> Vec<Value> {
    let spec = &obj["spec"];
    let kind = spec["type"].as_str().unwrap_or("ClusterIP");
    let ingress: Vec<&str> = obj
        .at("/status/loadBalancer/ingress")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|i| i["ip"].as_str().or(i["hostname"].as_str()))
        .collect();
    let external = match (kind, ingress.is_empty()) {
        ("LoadBalancer", true) => "<pending>".to_string(),
        (_, false) => ingress.join(","),
        _ => "<none>".to_string(),
    };
    let ports: Vec<String> = spec["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let proto = p["protocol"].as_str().unwrap_or("TCP");
            match p["nodePort"].as_i64() {
                Some(node) => format!("{}:{node}/{proto}", p["port"]),
                None => format!("{}/{proto}", p["port"]),
            }
        })
        .collect();
    let selector = spec["selector"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_else(|| "<none>".into());
    vec![
        name_of(obj),
        json!(kind),
        json!(spec["clusterIP"].as_str().unwrap_or("<none>")),
        json!(external),
        json!(if ports.is_empty() {
            "<none>".to_string()
        } else {
            ports.join(",")
        }),
        age_of(obj, now),
        json!(selector),
    ]
}

/// DATA: how many keys (binary ones too).
pub fn config_map_cells(obj: &Value, now: Timestamp) -> Vec<Value> {
    let keys = ["data", "binaryData"]
        .iter()
        .filter_map(|f| obj.get(*f).and_then(Value::as_object))
        .map(Map::len)
        .sum::<usize>();
    vec![name_of(obj), json!(keys), age_of(obj, now)]
}

pub fn node_cells(obj: &Value, now: Timestamp) -> Vec<Value> {
    let ready = obj
        .at("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|c| c["type"] == "Ready")
        .and_then(|c| c["status"].as_str());
    let mut status = match ready {
        Some("True") => "Ready".to_string(),
        Some("False") => "NotReady".to_string(),
        _ => "Unknown".to_string(),
    };
    if obj.at("/spec/unschedulable") == Some(&json!(true)) {
        status.push_str(",SchedulingDisabled");
    }
    let mut roles: Vec<&str> = obj
        .at("/metadata/labels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, _)| k.strip_prefix("node-role.kubernetes.io/"))
        .filter(|r| !r.is_empty())
        .collect();
    roles.sort_unstable();
    let address = |kind: &str| {
        obj.at("/status/addresses")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|a| a["type"] == kind)
            .and_then(|a| a["address"].as_str())
            .unwrap_or("<none>")
            .to_string()
    };
    let info = |field: &str| {
        obj.at(&format!("/status/nodeInfo/{field}"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    vec![
        name_of(obj),
        json!(status),
        json!(if roles.is_empty() {
            "<none>".to_string()
        } else {
            roles.join(",")
        }),
        age_of(obj, now),
        json!(info("kubeletVersion")),
        json!(address("InternalIP")),
        json!(address("ExternalIP")),
        json!(info("osImage")),
    ]
}

/// A pod's STATUS as the server's printer words it: the reason of the first container that is
/// not running (init containers first, as `Init:…`), Terminating while being deleted.
fn pod_status(obj: &Value) -> String {
    let status = &obj["status"];
    let mut reason = status["reason"]
        .as_str()
        .or(status["phase"].as_str())
        .unwrap_or("Unknown")
        .to_string();
    let inits: &[Value] = status["initContainerStatuses"]
        .as_array()
        .map_or(&[], Vec::as_slice);
    let mut initializing = false;
    for (i, c) in inits.iter().enumerate() {
        let state = &c["state"];
        if state["terminated"]["exitCode"] == 0 && state["terminated"].is_object() {
            continue;
        }
        initializing = true;
        reason = if let Some(r) = state["terminated"]["reason"].as_str() {
            format!("Init:{r}")
        } else if let Some(r) = state["waiting"]["reason"]
            .as_str()
            .filter(|r| *r != "PodInitializing")
        {
            format!("Init:{r}")
        } else {
            format!("Init:{i}/{}", inits.len())
        };
        break;
    }
    if !initializing {
        for c in status["containerStatuses"]
            .as_array()
            .into_iter()
            .flatten()
            .rev()
        {
            let state = &c["state"];
            if let Some(r) = state["waiting"]["reason"].as_str() {
                reason = r.to_string();
            } else if let Some(r) = state["terminated"]["reason"].as_str() {
                reason = r.to_string();
            } else if let Some(code) = state["terminated"]["exitCode"].as_i64() {
                reason = format!("ExitCode:{code}");
            }
        }
    }
    if obj.at("/metadata/deletionTimestamp").is_some()
        && !matches!(status["phase"].as_str(), Some("Succeeded" | "Failed"))
    {
        reason = "Terminating".into();
    }
    reason
}

/// What a kind's printer reads of an object, kept from when it was written, for the kinds a
/// cluster has by the ten thousand: a list prints hundreds of them a page, and reading each
/// from its whole object (~10 KB of small maps, cold in the cache by then) was a third of
/// the simulator's time serving a page of pods. Other kinds print from the object itself.
#[derive(Debug, Clone, PartialEq)]
pub enum PrintFacts {
    Pod(PodFacts),
}

impl PrintFacts {
    pub fn of(def: &KindDef, obj: &Value) -> Option<PrintFacts> {
        match (def.group, def.kind) {
            ("", "Pod") => Some(PrintFacts::Pod(PodFacts::of(obj))),
            _ => None,
        }
    }

    /// The row's cells at `now`.
    pub fn cells(&self, now: Timestamp) -> Vec<Value> {
        match self {
            PrintFacts::Pod(pod) => pod.cells(now),
        }
    }

    /// `cells` as a JSON array onto `out`.
    pub fn write_cells(&self, out: &mut Vec<u8>, now: Timestamp) {
        match self {
            PrintFacts::Pod(pod) => pod.write_cells(out, now),
        }
    }
}

/// What a pod's row says, less what moves with the clock (its age, how long ago it last
/// restarted), which `cells` works out when it prints. The cells that never move are kept
/// encoded: the name, ready and status cells before the clock's two, and the IP, node,
/// nominated node and readiness gates after them.
#[derive(Debug, Clone, PartialEq)]
pub struct PodFacts {
    /// `["<name>","<ready>","<status>",`
    head: Box<[u8]>,
    restarts: i64,
    last_restart: Option<Timestamp>,
    created: Option<Timestamp>,
    /// `,"<ip>","<node>","<nominated>","<none>"]`
    tail: Box<[u8]>,
}

impl PodFacts {
    fn of(obj: &Value) -> PodFacts {
        let containers: &[Value] = obj["status"]["containerStatuses"]
            .as_array()
            .map_or(&[], Vec::as_slice);
        let total = obj["spec"]["containers"].as_array().map_or(0, Vec::len);
        let ready = containers.iter().filter(|c| c["ready"] == true).count();
        let none = || json!("<none>");
        let or_none = |path: &str| obj.at(path).cloned().unwrap_or_else(none);
        let head = json!([name_of(obj), format!("{ready}/{total}"), pod_status(obj)]);
        let tail = json!([
            or_none("/status/podIP"),
            or_none("/spec/nodeName"),
            or_none("/status/nominatedNodeName"),
            "<none>"
        ]);
        PodFacts {
            head: encoded_head(&head),
            restarts: containers
                .iter()
                .map(|c| c["restartCount"].as_i64().unwrap_or(0))
                .sum(),
            last_restart: containers
                .iter()
                .filter_map(|c| c.at("/lastState/terminated/finishedAt")?.as_str())
                .filter_map(|t| t.parse::<Timestamp>().ok())
                .max(),
            created: created_at(obj),
            tail: encoded_tail(&tail),
        }
    }

    fn cells(&self, now: Timestamp) -> Vec<Value> {
        let mut out = Vec::with_capacity(128);
        self.write_cells(&mut out, now);
        serde_json::from_slice(&out).unwrap_or_default()
    }

    /// The row's cells as a JSON array onto `out`: the kept encodings around the two cells
    /// the clock moves (encoding each cell as it printed was a tenth of what serving a
    /// 60,000-pod Table cost the simulator).
    fn write_cells(&self, out: &mut Vec<u8>, now: Timestamp) {
        let since = |t: Timestamp| human_duration(now.as_second() - t.as_second());
        let restarts = match (self.restarts, self.last_restart) {
            (0, _) => "0".to_string(),
            (n, Some(t)) => format!("{n} ({} ago)", since(t)),
            (n, None) => n.to_string(),
        };
        let age = self.created.map_or_else(|| "<unknown>".to_string(), since);
        out.extend_from_slice(&self.head);
        let _ = serde_json::to_writer(&mut *out, &restarts);
        out.push(b',');
        let _ = serde_json::to_writer(&mut *out, &age);
        out.extend_from_slice(&self.tail);
    }
}

/// Cells that come first in a row, encoded to be followed by more: `[a,b,`.
fn encoded_head(cells: &Value) -> Box<[u8]> {
    let mut bytes = serde_json::to_vec(cells).unwrap_or_else(|_| b"[]".to_vec());
    bytes.pop();
    bytes.push(b',');
    bytes.into_boxed_slice()
}

/// Cells that end a row, encoded to follow others: `,c,d]`.
fn encoded_tail(cells: &Value) -> Box<[u8]> {
    let mut bytes = serde_json::to_vec(cells).unwrap_or_else(|_| b"[]".to_vec());
    bytes[0] = b',';
    bytes.into_boxed_slice()
}

pub fn pod_cells(obj: &Value, now: Timestamp) -> Vec<Value> {
    PodFacts::of(obj).cells(now)
}

pub fn event_cells(obj: &Value, now: Timestamp) -> Vec<Value> {
    let since = |field: &str| {
        obj[field]
            .as_str()
            .and_then(|t| t.parse::<Timestamp>().ok())
            .map_or(json!("<unknown>"), |t| {
                json!(human_duration(now.as_second() - t.as_second()))
            })
    };
    let involved = &obj["involvedObject"];
    let object = format!(
        "{}/{}",
        involved["kind"].as_str().unwrap_or("").to_lowercase(),
        involved["name"].as_str().unwrap_or("")
    );
    let source = [
        obj["source"]["component"].as_str(),
        obj["source"]["host"].as_str(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    vec![
        since("lastTimestamp"),
        obj["type"].clone(),
        obj["reason"].clone(),
        json!(object),
        json!(involved["fieldPath"].as_str().unwrap_or("")),
        json!(source),
        obj["message"].clone(),
        since("firstTimestamp"),
        obj["count"].clone(),
        name_of(obj),
    ]
}

/// Kubernetes' short human duration: `45s`, `3m40s`, `44m`, `5h3m`, `20h`, `3d4h`, `120d`, `2y10d`.
pub fn human_duration(seconds: i64) -> String {
    let s = seconds.max(0);
    let (m, h, d) = (s / 60, s / 3600, s / 86400);
    match s {
        s if s < 120 => format!("{s}s"),
        s if s < 600 => match s % 60 {
            0 => format!("{m}m"),
            r => format!("{m}m{r}s"),
        },
        s if s < 3 * 3600 => format!("{m}m"),
        s if s < 8 * 3600 => match m % 60 {
            0 => format!("{h}h"),
            r => format!("{h}h{r}m"),
        },
        s if s < 48 * 3600 => format!("{h}h"),
        s if s < 8 * 86400 => match h % 24 {
            0 => format!("{d}d"),
            r => format!("{d}d{r}h"),
        },
        s if s < 2 * 365 * 86400 => format!("{d}d"),
        s if s < 8 * 365 * 86400 => match d % 365 {
            0 => format!("{}y", d / 365),
            r => format!("{}y{r}d", d / 365),
        },
        _ => format!("{}y", d / 365),
    }
}

#[cfg(test)]
mod tests {
    use jiff::SignedDuration;

    use super::*;
    use crate::kinds::{KINDS, kind_id};
    use crate::pod_objects::{PodState, pod};

    fn def(kind: &str) -> &'static KindDef {
        &KINDS[kind_id(kind).expect("a kind")]
    }

    #[test]
    fn a_pods_row_is_printed_from_facts_kept_at_its_write_and_still_ages() {
        let mut crash_looping = pod(
            "media",
            "web",
            0,
            "w-1",
            PodState::CrashLoop,
            SignedDuration::from_hours(5),
        );
        // Times of its own, so the ages below are exact.
        crash_looping["metadata"]["creationTimestamp"] = json!("2026-03-01T00:00:00Z");
        crash_looping["status"]["containerStatuses"][0]["lastState"]["terminated"]["finishedAt"] =
            json!("2026-03-01T04:58:25Z");
        let written: Timestamp = "2026-03-01T05:00:00Z".parse().expect("a time");
        let facts = PrintFacts::of(def("Pod"), &crash_looping).expect("pods keep facts");
        let at_write = facts.cells(written);
        assert_eq!(at_write, pod_cells(&crash_looping, written));
        assert_eq!(at_write[0], crash_looping["metadata"]["name"]);
        assert_eq!(at_write[1], "0/1");
        assert_eq!(at_write[2], "CrashLoopBackOff");
        assert_eq!(at_write[3], "7 (95s ago)");
        assert_eq!(at_write[4], "5h");
        assert_eq!(at_write[6], "w-1");
        assert_eq!(at_write.len(), 9, "{at_write:?}");
        assert_eq!(at_write[7..], [json!("<none>"), json!("<none>")]);
        // Two hours on, the same facts print the ages of then.
        let later = facts.cells(written + SignedDuration::from_hours(2));
        assert_eq!(later[3], "7 (121m ago)");
        assert_eq!(later[4], "7h");
        assert_eq!(later[..3], at_write[..3]);
        assert!(PrintFacts::of(def("Node"), &crash_looping).is_none());
    }

    #[test]
    fn every_pod_state_reads_as_kubectl_words_it() {
        let now = Timestamp::now();
        let status = |state| {
            let p = pod("m", "w", 0, "n", state, SignedDuration::from_hours(1));
            pod_cells(&p, now)[2].as_str().map(str::to_string)
        };
        assert_eq!(status(PodState::Running).as_deref(), Some("Running"));
        assert_eq!(status(PodState::Pending).as_deref(), Some("Pending"));
        assert_eq!(status(PodState::Completed).as_deref(), Some("Completed"));
        assert!(
            status(PodState::Initializing).is_some_and(|s| s.starts_with("Init:")),
            "{:?}",
            status(PodState::Initializing)
        );
    }
}
