//! `SelfSubjectAccessReview`: "may this token do that?", answered from the token's rules.

use http::{Method, Request, Response};
use http_body_util::BodyExt;
use serde_json::{Value, json};

use super::auth::Identity;
use super::http::{Body, error_response, json_response};
use super::status;

/// `SelfSubjectAccessReview`: may this token do that? Answered from the token's rules.
pub async fn access_review(
    req: Request<hyper::body::Incoming>,
    identity: &Identity,
) -> Response<Body> {
    if req.method() != Method::POST {
        return error_response(status::method_not_allowed(req.method().as_str()));
    }
    let body = match req.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => return error_response(status::bad_request(e.to_string())),
    };
    let review: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return error_response(status::bad_request(format!("error decoding body: {e}")));
        }
    };
    let attrs = &review["spec"]["resourceAttributes"];
    let field = |k: &str| attrs.get(k).and_then(Value::as_str).unwrap_or("");
    let allowed = identity.can_raw(
        field("verb"),
        field("group"),
        field("resource"),
        Some(field("subresource")),
    );
    // A denial carries no reason, as the real server answers for RBAC.
    let status = json!({"allowed": allowed});
    json_response(
        201,
        &json!({
            "kind": "SelfSubjectAccessReview",
            "apiVersion": "authorization.k8s.io/v1",
            "metadata": {},
            "spec": review["spec"],
            "status": status,
        }),
        None,
    )
}
