//! Label selectors as the API server parses them: `a=b`, `a==b`, `a!=b`, `a`, `!a`,
//! `a in (x,y)`, `a notin (x,y)`, comma-separated (all must hold).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::json_at::At;

#[derive(Debug, Clone, PartialEq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    Exists(String),
    NotExists(String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selector(Vec<Requirement>);

/// Split on commas that are not inside parentheses.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

fn parse_set(s: &str) -> Result<Vec<String>, String> {
    let inner = s
        .trim()
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .ok_or_else(|| format!("expected a parenthesised set, got {s:?}"))?;
    Ok(inner.split(',').map(|v| v.trim().to_string()).collect())
}

impl Selector {
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut reqs = Vec::new();
        for part in split_top_level(s) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let req = if let Some((k, v)) = part.split_once("!=") {
                Requirement::NotEquals(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = part.split_once("==") {
                Requirement::Equals(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = part.split_once('=') {
                Requirement::Equals(k.trim().into(), v.trim().into())
            } else if let Some((k, set)) = part.split_once(" notin ") {
                Requirement::NotIn(k.trim().into(), parse_set(set)?)
            } else if let Some((k, set)) = part.split_once(" in ") {
                Requirement::In(k.trim().into(), parse_set(set)?)
            } else if let Some(k) = part.strip_prefix('!') {
                Requirement::NotExists(k.trim().into())
            } else if part
                .chars()
                .all(|c| c.is_alphanumeric() || "-_./".contains(c))
            {
                Requirement::Exists(part.into())
            } else {
                return Err(format!("unable to parse requirement: {part:?}"));
            };
            reqs.push(req);
        }
        Ok(Selector(reqs))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn matches_labels(&self, labels: &BTreeMap<&str, &str>) -> bool {
        self.0.iter().all(|r| match r {
            Requirement::Equals(k, v) => labels.get(k.as_str()) == Some(&v.as_str()),
            Requirement::NotEquals(k, v) => labels.get(k.as_str()) != Some(&v.as_str()),
            Requirement::Exists(k) => labels.contains_key(k.as_str()),
            Requirement::NotExists(k) => !labels.contains_key(k.as_str()),
            Requirement::In(k, set) => labels
                .get(k.as_str())
                .is_some_and(|v| set.iter().any(|s| s == v)),
            Requirement::NotIn(k, set) => labels
                .get(k.as_str())
                .is_none_or(|v| !set.iter().any(|s| s == v)),
        })
    }

    /// Whether an object's `metadata.labels` satisfy the selector.
    pub fn matches(&self, obj: &Value) -> bool {
        if self.0.is_empty() {
            return true;
        }
        let labels: BTreeMap<&str, &str> = obj
            .at("/metadata/labels")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|v| (k.as_str(), v)))
                    .collect()
            })
            .unwrap_or_default();
        self.matches_labels(&labels)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selector_forms() {
        let obj = json!({"metadata": {"labels": {"a": "1", "b": "x"}}});
        let yes = [
            "a=1",
            "a==1",
            "a!=2",
            "a",
            "!c",
            "b in (x,y)",
            "b notin (z)",
            "a=1,b=x",
        ];
        for s in yes {
            assert!(Selector::parse(s).expect(s).matches(&obj), "{s}");
        }
        let no = ["a=2", "c", "!a", "b in (y)", "a=1,b=y"];
        for s in no {
            assert!(!Selector::parse(s).expect(s).matches(&obj), "{s}");
        }
        assert!(Selector::parse("a b").is_err());
    }
}

/// Field selectors: `metadata.name` and `metadata.namespace` for every kind (all a custom
/// resource has), with `=`, `==` or `!=`, and the fields the API server adds for some built-in
/// kinds: Events (what `kubectl describe` and `kubectl events --for` select by), Pods (what
/// `kubectl drain` lists a node's pods by), Nodes.
fn supported(kind: &str, field: &str) -> bool {
    let extra: &[&str] = match kind {
        "Event" => &[
            "involvedObject.kind",
            "involvedObject.name",
            "involvedObject.namespace",
            "involvedObject.uid",
            "reason",
            "type",
        ],
        "Pod" => &[
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "status.phase",
            "status.podIP",
            "status.nominatedNodeName",
        ],
        "Node" => &["spec.unschedulable"],
        _ => &[],
    };
    matches!(field, "metadata.name" | "metadata.namespace") || extra.contains(&field)
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldSelector(Vec<(String, String, bool)>);

impl FieldSelector {
    /// A field selector on objects of `kind`.
    pub fn parse(kind: &str, s: &str) -> Result<Self, String> {
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (field, value, equal) = if let Some((f, v)) = part.split_once("!=") {
                (f, v, false)
            } else if let Some((f, v)) = part.split_once("==") {
                (f, v, true)
            } else if let Some((f, v)) = part.split_once('=') {
                (f, v, true)
            } else {
                return Err(format!("invalid field selector: {part:?}"));
            };
            let field = field.trim();
            if !supported(kind, field) {
                return Err(format!("field label not supported: {field}"));
            }
            out.push((field.to_string(), value.trim().to_string(), equal));
        }
        Ok(FieldSelector(out))
    }

    pub fn matches(&self, obj: &Value) -> bool {
        self.0.iter().all(|(field, value, equal)| {
            let pointer = format!("/{}", field.replace('.', "/"));
            let actual = obj.at(&pointer).and_then(Value::as_str).unwrap_or("");
            (actual == value) == *equal
        })
    }
}

#[cfg(test)]
mod field_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn field_selector_on_name() {
        let obj = json!({"metadata": {"name": "a", "namespace": "n"}});
        assert!(
            FieldSelector::parse("Widget", "metadata.name=a")
                .expect("parse")
                .matches(&obj)
        );
        assert!(
            !FieldSelector::parse("Widget", "metadata.name!=a")
                .expect("parse")
                .matches(&obj)
        );
        assert!(FieldSelector::parse("Widget", "spec.x=1").is_err());
        assert!(FieldSelector::parse("Widget", "spec.nodeName=n1").is_err());
        let pod = json!({"spec": {"nodeName": "n1"}});
        assert!(
            FieldSelector::parse("Pod", "spec.nodeName=n1")
                .expect("a pod field")
                .matches(&pod)
        );
    }
}

/// Label and field selectors of one request.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub labels: Selector,
    pub fields: FieldSelector,
}

impl Selection {
    /// The selectors of a request on objects of `kind`.
    pub fn from_query(
        kind: &str,
        query: &std::collections::HashMap<String, String>,
    ) -> Result<Self, String> {
        Ok(Selection {
            labels: Selector::parse(query.get("labelSelector").map_or("", String::as_str))?,
            fields: FieldSelector::parse(
                kind,
                query.get("fieldSelector").map_or("", String::as_str),
            )?,
        })
    }

    pub fn matches(&self, obj: &Value) -> bool {
        self.labels.matches(obj) && self.fields.matches(obj)
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.fields.0.is_empty()
    }
}
