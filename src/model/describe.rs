//! `d` on a row: an object as `kubectl describe` prints one it has no special describer for —
//! its identity, labels and annotations, who controls it, then spec and status as indented
//! `Key: value` lines (conditions as a table), then its events, newest last. Every server
//! string is sanitized; managed fields are left out; a Secret's values are counted, not shown.

use jiff::Timestamp;
use serde_json::{Map, Value};

use super::text::{age, sanitize};
use super::yaml::ObjectRef;

/// The request for the object's events: its namespace's (all for a cluster-scoped object),
/// narrowed by a field selector as `kubectl describe` asks.
pub fn events_path(target: &ObjectRef) -> String {
    let selector = format!(
        "involvedObject.name={},involvedObject.kind={}",
        target.key.name, target.kind
    )
    .replace('=', "%3D")
    .replace(',', "%2C");
    match (target.namespaced, target.key.namespace.as_str()) {
        (true, ns) if !ns.is_empty() => {
            format!("/api/v1/namespaces/{ns}/events?fieldSelector={selector}")
        }
        _ => format!("/api/v1/events?fieldSelector={selector}"),
    }
}

/// Width of the label column of the header lines (`Namespace:` and its padding).
const LABEL: usize = 16;

pub fn describe(object: &Value, events: &[Value], now: Timestamp) -> Vec<String> {
    let mut out = Vec::new();
    let meta = &object["metadata"];
    let text = |v: &Value| v.as_str().map(sanitize).unwrap_or_default();
    header(&mut out, "Name:", &text(&meta["name"]));
    if let Some(ns) = meta["namespace"].as_str() {
        header(&mut out, "Namespace:", &sanitize(ns));
    }
    pairs(&mut out, "Labels:", &meta["labels"]);
    pairs(&mut out, "Annotations:", &meta["annotations"]);
    if let Some(created) = meta["creationTimestamp"]
        .as_str()
        .and_then(|t| t.parse::<Timestamp>().ok())
    {
        header(
            &mut out,
            "Created:",
            &format!("{created} ({} ago)", age(created, now)),
        );
    }
    let controller = meta["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|o| o["controller"] == true);
    if let Some(owner) = controller {
        header(
            &mut out,
            "Controlled By:",
            &format!("{}/{}", text(&owner["kind"]), text(&owner["name"])),
        );
    }
    if let Some(deleting) = meta["deletionTimestamp"].as_str() {
        header(
            &mut out,
            "Terminating:",
            &format!("since {}", sanitize(deleting)),
        );
    }
    header(&mut out, "API Version:", &text(&object["apiVersion"]));
    header(&mut out, "Kind:", &text(&object["kind"]));
    let secret = object["kind"] == "Secret";
    for (key, value) in object.as_object().into_iter().flatten() {
        if matches!(key.as_str(), "metadata" | "apiVersion" | "kind") {
            continue;
        }
        if secret && matches!(key.as_str(), "data" | "stringData") {
            secret_sizes(&mut out, key, value);
            continue;
        }
        field(&mut out, 0, key, value);
    }
    event_table(&mut out, events, now);
    out
}

fn header(out: &mut Vec<String>, label: &str, value: &str) {
    out.push(format!("{label:<LABEL$}{value}"));
}

/// `key=value` pairs under a header label, one per line; `<none>` when there are none.
fn pairs(out: &mut Vec<String>, label: &str, map: &Value) {
    let entries: Vec<String> = map
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            format!(
                "{}={}",
                sanitize(k),
                v.as_str().map(sanitize).unwrap_or_default()
            )
        })
        .collect();
    match entries.split_first() {
        None => header(out, label, "<none>"),
        Some((first, rest)) => {
            header(out, label, first);
            out.extend(rest.iter().map(|e| format!("{:LABEL$}{e}", "")));
        }
    }
}

/// `camelCase` as describe prints a field name: `Camel Case`.
fn title(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    let mut prev_lower = false;
    for (i, c) in key.chars().enumerate() {
        if i == 0 {
            out.extend(c.to_uppercase());
        } else {
            if c.is_uppercase() && prev_lower {
                out.push(' ');
            }
            out.push(c);
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
    }
    sanitize(&out)
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => sanitize(s),
        Value::Null => "<nil>".into(),
        other => other.to_string(),
    }
}

/// One field at `depth`: a scalar on its line, a map or list below it, conditions as a table.
fn field(out: &mut Vec<String>, depth: usize, key: &str, value: &Value) {
    let pad = "  ".repeat(depth);
    let name = title(key);
    match value {
        Value::Object(map) if map.is_empty() => out.push(format!("{pad}{name}:  <none>")),
        Value::Object(map) => {
            out.push(format!("{pad}{name}:"));
            fields(out, depth + 1, map);
        }
        Value::Array(items) if items.is_empty() => out.push(format!("{pad}{name}:  <none>")),
        Value::Array(items) if key == "conditions" && items.iter().all(Value::is_object) => {
            out.push(format!("{pad}{name}:"));
            condition_table(out, depth + 1, items);
        }
        Value::Array(items) => {
            out.push(format!("{pad}{name}:"));
            for item in items {
                match item {
                    Value::Object(map) => {
                        // Each item's fields, the first marked as kubectl marks list items.
                        let start = out.len();
                        fields(out, depth + 1, map);
                        if let Some(first) = out.get_mut(start) {
                            let at = 2 * (depth + 1);
                            first.replace_range(at.saturating_sub(2)..at.min(first.len()), "- ");
                        }
                    }
                    other => out.push(format!("{pad}  {}", scalar(other))),
                }
            }
        }
        other => out.push(format!("{pad}{name}:  {}", scalar(other))),
    }
}

fn fields(out: &mut Vec<String>, depth: usize, map: &Map<String, Value>) {
    for (key, value) in map {
        field(out, depth, key, value);
    }
}

/// Columns padded to their widest cell, as kubectl's tab writer lays them out.
fn aligned(out: &mut Vec<String>, indent: usize, rows: &[Vec<String>]) {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| unicode_width::UnicodeWidthStr::width(s.as_str()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let mut line = " ".repeat(indent);
        for (c, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if c + 1 < row.len() {
                let w = unicode_width::UnicodeWidthStr::width(cell.as_str());
                line.push_str(&" ".repeat(widths[c] - w + 2));
            }
        }
        out.push(line.trim_end().to_string());
    }
}

fn condition_table(out: &mut Vec<String>, depth: usize, items: &[Value]) {
    let mut rows = vec![
        ["Type", "Status", "Reason", "Message"]
            .map(str::to_string)
            .to_vec(),
        ["----", "------", "------", "-------"]
            .map(str::to_string)
            .to_vec(),
    ];
    for c in items {
        rows.push(
            ["type", "status", "reason", "message"]
                .iter()
                .map(|k| c[*k].as_str().map(sanitize).unwrap_or_default())
                .collect(),
        );
    }
    aligned(out, 2 * depth, &rows);
}

fn secret_sizes(out: &mut Vec<String>, key: &str, value: &Value) {
    out.push(format!("{}:", title(key)));
    for (k, v) in value.as_object().into_iter().flatten() {
        // `data` is base64: its decoded size is about three quarters of the text.
        let text = v.as_str().unwrap_or("");
        let bytes = if key == "data" {
            text.trim_end_matches('=').len() * 3 / 4
        } else {
            text.len()
        };
        out.push(format!("  {}:  {bytes} bytes", sanitize(k)));
    }
}

/// The object's events, oldest first as describe lists them, or `<none>`.
fn event_table(out: &mut Vec<String>, events: &[Value], now: Timestamp) {
    let when = |e: &Value| {
        ["lastTimestamp", "eventTime", "firstTimestamp"]
            .iter()
            .find_map(|k| e[*k].as_str().and_then(|t| t.parse::<Timestamp>().ok()))
    };
    let mut sorted: Vec<&Value> = events.iter().collect();
    sorted.sort_by_key(|e| when(e));
    if sorted.is_empty() {
        header(out, "Events:", "<none>");
        return;
    }
    out.push("Events:".into());
    let mut rows = vec![
        ["Type", "Reason", "Age", "From", "Message"]
            .map(str::to_string)
            .to_vec(),
        ["----", "------", "----", "----", "-------"]
            .map(str::to_string)
            .to_vec(),
    ];
    for e in sorted {
        let count = e["count"].as_u64().unwrap_or(1);
        let seen = when(e)
            .map(|t| age(t, now))
            .unwrap_or_else(|| "<unknown>".into());
        let age = match count {
            0 | 1 => seen,
            n => format!("{seen} (x{n})"),
        };
        let from = e["source"]["component"]
            .as_str()
            .or(e["reportingComponent"].as_str())
            .unwrap_or("");
        rows.push(vec![
            e["type"].as_str().map(sanitize).unwrap_or_default(),
            e["reason"].as_str().map(sanitize).unwrap_or_default(),
            age,
            sanitize(from),
            e["message"].as_str().map(sanitize).unwrap_or_default(),
        ]);
    }
    aligned(out, 2, &rows);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_object_reads_as_kubectl_describe_prints_it() {
        let now: Timestamp = "2026-11-30T12:00:00Z".parse().expect("time");
        let pod = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {
                "name": "web-1", "namespace": "media",
                "labels": {"app": "web", "tier": "front"},
                "creationTimestamp": "2026-11-30T10:00:00Z",
                "ownerReferences": [{"kind": "ReplicaSet", "name": "web-7d9", "controller": true}],
                "managedFields": [{"manager": "kubelet"}],
            },
            "spec": {"nodeName": "w1", "containers": [{"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}]},
            "status": {"phase": "Running", "conditions": [
                {"type": "Ready", "status": "False", "reason": "ContainersNotReady", "message": "containers with unready status: [web]"},
                {"type": "PodScheduled", "status": "True"},
            ]},
        });
        let events = [
            json!({"type": "Warning", "reason": "BackOff", "count": 7, "message": "Back-off \u{1b}[31mrestarting\u{1b}[0m",
                   "lastTimestamp": "2026-11-30T11:59:40Z", "source": {"component": "kubelet"}}),
            json!({"type": "Normal", "reason": "Scheduled", "message": "Successfully assigned media/web-1 to w1",
                   "lastTimestamp": "2026-11-30T10:00:00Z", "source": {"component": "default-scheduler"}}),
        ];
        let lines = describe(&pod, &events, now);
        let text = lines.join("\n");
        assert_eq!(lines[0], "Name:           web-1");
        assert!(
            text.contains("Labels:         app=web\n                tier=front"),
            "{text}"
        );
        assert!(text.contains("Annotations:    <none>"), "{text}");
        assert!(
            text.contains("Created:        2026-11-30T10:00:00Z (2h ago)"),
            "{text}"
        );
        assert!(
            text.contains("Controlled By:  ReplicaSet/web-7d9"),
            "{text}"
        );
        assert!(
            !text.contains("managedFields") && !text.contains("kubelet\"}"),
            "{text}"
        );
        assert!(
            text.contains("Spec:\n  Containers:\n  - Image:  nginx:1.27\n    Name:  web\n    Ports:\n    - Container Port:  80\n  Node Name:  w1"),
            "{text}"
        );
        assert!(
            text.contains("    Type          Status  Reason              Message"),
            "{text}"
        );
        assert!(text.contains("    Ready         False   ContainersNotReady  containers with unready status: [web]"), "{text}");
        // Events oldest first, counted, escape codes gone.
        let scheduled = text.find("Scheduled  ").expect("scheduled");
        let backoff = text.find("BackOff").expect("back-off");
        assert!(scheduled < backoff, "{text}");
        assert!(text.contains("20s (x7)  kubelet"), "{text}");
        assert!(
            text.contains("Back-off restarting") && !text.contains('\u{1b}'),
            "{text}"
        );
    }

    #[test]
    fn secret_values_are_counted_not_shown() {
        let secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"},
                            "data": {"password": "aHVudGVyMg=="}, "type": "Opaque"});
        let text = describe(&secret, &[], Timestamp::UNIX_EPOCH).join("\n");
        assert!(text.contains("  password:  7 bytes"), "{text}");
        assert!(!text.contains("aHVudGVyMg"), "{text}");
        assert!(text.contains("Events:         <none>"), "{text}");
    }
}
