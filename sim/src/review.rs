//! The self-reviews: `SelfSubjectAccessReview` ("may this token do that?"), `SelfSubjectRulesReview`
//! (what it may do at all) and `SelfSubjectReview` (who it is), answered from the token's rules.

use http::{Method, Request, Response};
use http_body_util::BodyExt;
use serde_json::{Value, json};

use super::auth::Identity;
use super::http::{Body, error_response, json_response};
use super::status;

/// A review's JSON body, or the 400/405 the real server answers instead.
async fn review_body(req: Request<hyper::body::Incoming>) -> Result<Value, Response<Body>> {
    if req.method() != Method::POST {
        return Err(error_response(status::method_not_allowed(
            req.method().as_str(),
        )));
    }
    let body = match req.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => return Err(error_response(status::bad_request(e.to_string()))),
    };
    serde_json::from_slice(&body)
        .map_err(|e| error_response(status::bad_request(format!("error decoding body: {e}"))))
}

/// `SelfSubjectAccessReview`: may this token do that? Answered from the token's rules.
pub async fn access_review(
    req: Request<hyper::body::Incoming>,
    identity: &Identity,
) -> Response<Body> {
    let review = match review_body(req).await {
        Ok(review) => review,
        Err(resp) => return resp,
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

/// `SelfSubjectRulesReview` (`kubectl auth can-i --list`): the token's rules as the real
/// server lists them — the spec comes back empty, the rules are not merged.
pub async fn rules_review(
    req: Request<hyper::body::Incoming>,
    identity: &Identity,
) -> Response<Body> {
    if let Err(resp) = review_body(req).await {
        return resp;
    }
    let rules: Vec<Value> = identity
        .rules
        .iter()
        .map(|r| json!({"verbs": r.verbs, "apiGroups": r.groups, "resources": r.resources}))
        .collect();
    json_response(
        201,
        &json!({
            "kind": "SelfSubjectRulesReview",
            "apiVersion": "authorization.k8s.io/v1",
            "metadata": {},
            "spec": {},
            "status": {
                "resourceRules": rules,
                "nonResourceRules": [
                    {"verbs": ["get"], "nonResourceURLs": ["/healthz", "/livez", "/readyz", "/version", "/version/"]}
                ],
                "incomplete": false,
            },
        }),
        None,
    )
}

/// `SelfSubjectReview` (`kubectl auth whoami`): who the token is.
pub async fn whoami(req: Request<hyper::body::Incoming>, identity: &Identity) -> Response<Body> {
    if let Err(resp) = review_body(req).await {
        return resp;
    }
    json_response(
        201,
        &json!({
            "kind": "SelfSubjectReview",
            "apiVersion": "authentication.k8s.io/v1",
            "metadata": {},
            "status": {"userInfo": {"username": identity.user, "groups": ["system:authenticated"]}},
        }),
        None,
    )
}
