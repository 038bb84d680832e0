//! An object as YAML for reading: `managedFields` left out, a Secret's values masked unless the
//! user asked to see them, and every line stripped of terminal control sequences.

use serde_json::Value;

use super::store::ObjRef;
use super::text::sanitize;

/// What `y` fetches: an object by its API coordinates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRef {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub plural: String,
    pub namespaced: bool,
    /// Cluster (kube context), namespace and name.
    pub key: ObjRef,
}

impl ObjectRef {
    pub fn path(&self) -> String {
        let base = if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        };
        if self.namespaced && !self.key.namespace.is_empty() {
            format!(
                "{base}/namespaces/{}/{}/{}",
                self.key.namespace, self.plural, self.key.name
            )
        } else {
            format!("{base}/{}/{}", self.plural, self.key.name)
        }
    }
}

/// Shown instead of a Secret's values.
pub const MASK: &str = "••••••••";

/// The object as YAML lines.
pub fn yaml_lines(object: &Value, reveal_secrets: bool) -> Vec<String> {
    let mut object = object.clone();
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
    }
    if object["kind"] == "Secret" && !reveal_secrets {
        for field in ["data", "stringData"] {
            if let Some(values) = object.get_mut(field).and_then(Value::as_object_mut) {
                for value in values.values_mut() {
                    *value = Value::String(MASK.into());
                }
            }
        }
    }
    let text = serde_saphyr::to_string(&object).unwrap_or_else(|e| format!("# not shown: {e}"));
    text.lines().map(sanitize).collect()
}

/// Whether it has values that are masked until asked for.
pub fn has_secret_values(object: &Value) -> bool {
    object["kind"] == "Secret"
        && ["data", "stringData"]
            .iter()
            .any(|f| object[f].as_object().is_some_and(|m| !m.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn managed_fields_go_secret_values_hide_and_escapes_are_stripped() {
        let secret = json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "db", "managedFields": [{"manager": "kubectl"}],
                         "annotations": {"note": "evil\u{1b}]0;title\u{7}x"}},
            "data": {"password": "aHVudGVyMg=="},
        });
        let masked = yaml_lines(&secret, false).join("\n");
        assert!(
            !masked.contains("managedFields") && !masked.contains("aHVudGVy"),
            "{masked}"
        );
        assert!(masked.contains(MASK), "{masked}");
        assert!(
            !masked.contains('\u{1b}') && !masked.contains('\u{7}'),
            "{masked}"
        );
        assert!(
            yaml_lines(&secret, true)
                .join("\n")
                .contains("aHVudGVyMg==")
        );
        assert!(has_secret_values(&secret));
        let r = ObjectRef {
            group: "argoproj.io".into(),
            version: "v1alpha1".into(),
            kind: "Application".into(),
            plural: "applications".into(),
            namespaced: true,
            key: ObjRef::in_cluster("mgmt", "argocd", "immich"),
        };
        assert_eq!(
            r.path(),
            "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/immich"
        );
    }
}
