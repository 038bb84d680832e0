//! The JSONPath subset CRD printer columns use: `.a.b`, escaped dots in names
//! (`.metadata.labels.cluster\.x-k8s\.io/cluster-name`), `['name']`, `[0]`, `[*]`, and filters
//! `[?(@.type=="Ready")]`.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Field(String),
    Index(usize),
    All,
    Filter { field: String, equals: String },
}

fn parse(path: &str) -> Option<Vec<Step>> {
    let mut steps = Vec::new();
    let chars: Vec<char> = path.trim().chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '.' => {
                i += 1;
                let mut name = String::new();
                while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        i += 1;
                    }
                    name.push(chars[i]);
                    i += 1;
                }
                if !name.is_empty() {
                    steps.push(Step::Field(name));
                }
            }
            '[' => {
                let end = (i..chars.len()).find(|&j| chars[j] == ']')?;
                let inner: String = chars[i + 1..end].iter().collect();
                let inner = inner.trim();
                steps.push(if inner == "*" {
                    Step::All
                } else if let Some(quoted) =
                    inner.strip_prefix('\'').and_then(|s| s.strip_suffix('\''))
                {
                    Step::Field(quoted.replace("\\.", "."))
                } else if let Some(expr) =
                    inner.strip_prefix("?(").and_then(|s| s.strip_suffix(')'))
                {
                    let (left, right) = expr.split_once("==")?;
                    let field = left.trim().strip_prefix("@.")?.to_string();
                    let equals = right.trim().trim_matches(['"', '\'']).to_string();
                    Step::Filter { field, equals }
                } else {
                    Step::Index(inner.parse().ok()?)
                });
                i = end + 1;
            }
            _ => return None,
        }
    }
    Some(steps)
}

/// Every value the path selects in `obj` (none when a step finds nothing).
pub fn select<'a>(obj: &'a Value, path: &str) -> Vec<&'a Value> {
    let Some(steps) = parse(path) else {
        return Vec::new();
    };
    let mut current = vec![obj];
    for step in &steps {
        let mut next = Vec::new();
        for value in current {
            match step {
                Step::Field(name) => next.extend(value.get(name)),
                Step::Index(n) => next.extend(value.get(*n)),
                Step::All => next.extend(value.as_array().into_iter().flatten()),
                Step::Filter { field, equals } => next.extend(
                    value
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|item| item.get(field).and_then(Value::as_str) == Some(equals)),
                ),
            }
        }
        current = next;
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_forms_printer_columns_use() {
        let o = json!({
            "metadata": {"labels": {"cluster.x-k8s.io/cluster-name": "lab"}},
            "status": {
                "conditions": [{"type": "Ready", "status": "True"}, {"type": "Paused", "status": "False"}],
                "addresses": [{"type": "InternalIP", "address": "10.0.0.1"}, {"type": "ExternalIP", "address": "1.2.3.4"}],
            },
        });
        let one = |p: &str| select(&o, p).first().map(|v| v.to_string());
        assert_eq!(
            one(r".metadata.labels.cluster\.x-k8s\.io/cluster-name").as_deref(),
            Some("\"lab\"")
        );
        assert_eq!(
            one(r".metadata.labels['cluster\.x-k8s\.io/cluster-name']").as_deref(),
            Some("\"lab\"")
        );
        assert_eq!(
            one(r#".status.conditions[?(@.type == "Paused")].status"#).as_deref(),
            Some("\"False\"")
        );
        assert_eq!(
            one(r#".status.addresses[?(@.type=="ExternalIP")].address"#).as_deref(),
            Some("\"1.2.3.4\"")
        );
        assert_eq!(
            one(".status.addresses[0].address").as_deref(),
            Some("\"10.0.0.1\"")
        );
        assert_eq!(select(&o, ".status.addresses[*].type").len(), 2);
        assert!(select(&o, ".spec.nothing").is_empty());
    }
}
