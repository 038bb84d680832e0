//! `Status` objects as a real kube-apiserver writes them (see samples/kube-api/06-errors.txt).

use serde_json::{Value, json};

use super::kinds::KindDef;

#[derive(Debug)]
pub struct StatusError {
    pub code: u16,
    pub body: Value,
}

fn status(code: u16, reason: &str, message: String, details: Option<Value>) -> StatusError {
    let mut body = json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    });
    if let Some(details) = details {
        body["details"] = details;
    }
    StatusError { code, body }
}

/// `details` for NotFound/AlreadyExists/Conflict/Forbidden: the plural resource, group omitted
/// for the core group.
fn details(def: &KindDef, name: &str) -> Value {
    let mut d = json!({"name": name, "kind": def.plural});
    if !def.is_core() {
        d["group"] = json!(def.group);
    }
    d
}

pub fn not_found(def: &KindDef, name: &str) -> StatusError {
    status(
        404,
        "NotFound",
        format!("{} \"{}\" not found", def.qualified_plural(), name),
        Some(details(def, name)),
    )
}

pub fn already_exists(def: &KindDef, name: &str) -> StatusError {
    status(
        409,
        "AlreadyExists",
        format!("{} \"{}\" already exists", def.qualified_plural(), name),
        Some(details(def, name)),
    )
}

pub fn conflict(def: &KindDef, name: &str) -> StatusError {
    conflict_because(
        def,
        name,
        format!(
            "Operation cannot be fulfilled on {} \"{}\": the object has been modified; please apply your changes to the latest version and try again",
            def.qualified_plural(),
            name
        ),
    )
}

/// A 409 with its own message (e.g. KubeVirt's "VM is already running").
pub fn conflict_because(def: &KindDef, name: &str, message: String) -> StatusError {
    status(409, "Conflict", message, Some(details(def, name)))
}

/// The RBAC denial. `subresource` is e.g. `scale`; `namespace` empty for cluster scope.
pub fn forbidden(
    def: &KindDef,
    user: &str,
    verb: &str,
    name: &str,
    namespace: &str,
    subresource: Option<&str>,
) -> StatusError {
    let resource = match subresource {
        Some(sub) => format!("{}/{}", def.plural, sub),
        None => def.plural.to_string(),
    };
    let scope = if namespace.is_empty() {
        "at the cluster scope".to_string()
    } else {
        format!("in the namespace \"{namespace}\"")
    };
    let subject = if name.is_empty() {
        def.qualified_plural()
    } else {
        format!("{} \"{}\"", def.qualified_plural(), name)
    };
    status(
        403,
        "Forbidden",
        format!(
            "{subject} is forbidden: User \"{user}\" cannot {verb} resource \"{resource}\" in API group \"{}\" {scope}",
            def.group
        ),
        Some(details(def, name)),
    )
}

pub fn unauthorized() -> StatusError {
    status(401, "Unauthorized", "Unauthorized".to_string(), None)
}

pub fn invalid(def: &KindDef, name: &str, field: &str, cause: &str) -> StatusError {
    let mut d = json!({
        "name": name,
        "kind": def.kind,
        "causes": [{"reason": "FieldValueInvalid", "message": cause, "field": field}],
    });
    if !def.is_core() {
        d["group"] = json!(def.group);
    }
    status(
        422,
        "Invalid",
        format!(
            "{} \"{}\" is invalid: {}: {}",
            def.qualified_kind(),
            name,
            field,
            cause
        ),
        Some(d),
    )
}

/// A failing JSON-patch op or an unparsable patch body.
pub fn bad_patch(code: u16, message: String) -> StatusError {
    let reason = if code == 422 { "Invalid" } else { "BadRequest" };
    status(code, reason, message, Some(json!({})))
}

pub fn bad_request(message: String) -> StatusError {
    status(400, "BadRequest", message, None)
}

pub fn not_acceptable() -> StatusError {
    status(
        406,
        "NotAcceptable",
        "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf".into(),
        None,
    )
}

pub fn unsupported_media_type(content_type: &str) -> StatusError {
    status(
        415,
        "UnsupportedMediaType",
        format!(
            "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got {content_type})"
        ),
        None,
    )
}

pub fn method_not_allowed(method: &str) -> StatusError {
    status(
        405,
        "MethodNotAllowed",
        format!("the server does not allow this method on the requested resource ({method})"),
        None,
    )
}

/// 500, as a real server answers a request it failed while handling.
pub fn internal(message: String) -> StatusError {
    status(500, "InternalError", message, None)
}

/// 410 for an expired continue token or a too-old resourceVersion.
pub fn expired(message: String) -> StatusError {
    status(410, "Expired", message, None)
}

/// The 429 a PodDisruptionBudget answers an eviction with (no Retry-After, as the real one).
pub fn disruption_budget(budget: &str, desired: i64, healthy: i64) -> StatusError {
    status(
        429,
        "TooManyRequests",
        "Cannot evict pod as it would violate the pod's disruption budget.".into(),
        Some(
            json!({"causes": [{"reason": "DisruptionBudget", "message": format!(
                "The disruption budget {budget} needs {desired} healthy pods and has {healthy} currently"
            )}]}),
        ),
    )
}
