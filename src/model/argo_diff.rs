//! The diff argocd-server can tell for an app's resources (`managed-resources`): for each
//! modified one, its live object against what git would make of it, as a unified diff of the
//! YAML (Secrets masked on both sides, so a value never shows).

use serde_json::Value;

use super::text::sanitize;
use super::yaml::yaml_lines;

/// One resource's difference.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceDiff {
    /// `Deployment monitoring/grafana`.
    pub title: String,
    pub modified: bool,
    /// The unified diff, live (`-`) to git (`+`).
    pub lines: Vec<String>,
}

/// A state field: a JSON document in a string, as argocd-server sends it.
fn state(item: &Value, field: &str) -> Option<Value> {
    let text = item
        .get(field)?
        .as_str()
        .filter(|s| !s.is_empty() && *s != "null")?;
    serde_json::from_str(text).ok()
}

/// The diff of every resource in a `managed-resources` reply; the modified ones first.
pub fn parse(body: &Value) -> Result<Vec<ResourceDiff>, String> {
    let items = body
        .get("items")
        .and_then(Value::as_array)
        .ok_or("argocd-server's reply has no items")?;
    let mut out: Vec<ResourceDiff> = items
        .iter()
        .map(|item| {
            let field = |f: &str| sanitize(item.get(f).and_then(Value::as_str).unwrap_or(""));
            let ns = field("namespace");
            let title = match ns.as_str() {
                "" => format!("{} {}", field("kind"), field("name")),
                ns => format!("{} {ns}/{}", field("kind"), field("name")),
            };
            // What the Argo CD UI compares: normalized live against predicted live, else the
            // raw states.
            let live = state(item, "normalizedLiveState").or_else(|| state(item, "liveState"));
            let target = state(item, "predictedLiveState").or_else(|| state(item, "targetState"));
            let text = |v: &Option<Value>| match v {
                Some(v) => yaml_lines(v, false).join("\n") + "\n",
                None => String::new(),
            };
            let (old, new) = (text(&live), text(&target));
            let diff = similar::udiff::unified_diff(
                similar::Algorithm::Myers,
                &old,
                &new,
                3,
                Some(("live", "git")),
            );
            ResourceDiff {
                title,
                modified: item
                    .get("modified")
                    .and_then(Value::as_bool)
                    .unwrap_or(old != new),
                lines: diff.lines().map(sanitize).collect(),
            }
        })
        .collect();
    out.sort_by_key(|d| !d.modified);
    Ok(out)
}

/// The lines the diff view shows: each modified resource's heading and its diff.
pub fn lines(diffs: &[ResourceDiff]) -> Vec<String> {
    let modified: Vec<&ResourceDiff> = diffs.iter().filter(|d| d.modified).collect();
    if modified.is_empty() {
        return vec![format!(
            "no resource differs from git ({} compared)",
            diffs.len()
        )];
    }
    let mut out = Vec::new();
    for d in modified {
        out.push(format!("── {} (live → git)", d.title));
        out.extend(d.lines.iter().cloned());
        out.push(String::new());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_scaled_deployment_diffs_its_replicas_and_a_secret_never_shows() {
        let deployment =
            json!({"kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 2}});
        let mut scaled = deployment.clone();
        scaled["spec"]["replicas"] = json!(3);
        let secret =
            json!({"kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "c2VjcmV0"}});
        let mut edited = secret.clone();
        edited["data"]["k"] = json!("b3RoZXI=");
        let body = json!({"items": [
            {"kind": "Secret", "name": "s", "namespace": "a", "modified": true,
             "liveState": edited.to_string(), "targetState": secret.to_string()},
            {"kind": "Deployment", "name": "web", "namespace": "a", "modified": true,
             "normalizedLiveState": scaled.to_string(), "predictedLiveState": deployment.to_string()},
            {"kind": "Service", "name": "web", "namespace": "a", "modified": false,
             "liveState": "{}", "targetState": "{}"},
        ]});
        let diffs = parse(&body).expect("parses");
        let text = lines(&diffs).join("\n");
        assert!(text.contains("── Deployment a/web (live → git)"), "{text}");
        assert!(
            text.contains("-  replicas: 3") && text.contains("+  replicas: 2"),
            "{text}"
        );
        assert!(
            !text.contains("c2VjcmV0") && !text.contains("b3RoZXI="),
            "{text}"
        );
        assert!(
            !text.contains("Service"),
            "unmodified resources are left out: {text}"
        );
        assert!(parse(&json!({"nope": 1})).is_err());
    }
}
