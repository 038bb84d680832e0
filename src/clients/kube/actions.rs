//! Sending action plans: the permission check (SelfSubjectAccessReview), the request itself
//! (exactly the plan's body), and one audit line per action. Tokens and secret values never
//! reach the audit log: only the plan and the outcome do.

use std::path::Path;

use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use kube::Client;
use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use kube::core::ApiResource;
use serde_json::json;

use crate::clients::error::ClientError;
use crate::model::actions::ActionPlan;
use crate::model::request::Method;

/// May this client send every one of these requests? `None` if so, else why not (the first
/// request refused).
pub async fn check_all(
    client: &Client,
    plans: &[ActionPlan],
) -> Result<Option<String>, ClientError> {
    for plan in plans {
        if !check_access(client, plan).await? {
            return Ok(Some(plan.denied_reason()));
        }
    }
    Ok(None)
}

/// May this client do what the plan does?
pub async fn check_access(client: &Client, plan: &ActionPlan) -> Result<bool, ClientError> {
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                group: Some(plan.group.to_string()),
                resource: Some(plan.plural.to_string()),
                subresource: plan.subresource.map(str::to_string),
                verb: Some(plan.verb().to_string()),
                namespace: Some(plan.target.namespace.to_string()).filter(|n| !n.is_empty()),
                // A create names no existing object.
                name: Some(plan.target.name.to_string()).filter(|_| plan.method != Method::Post),
                ..ResourceAttributes::default()
            }),
            ..SelfSubjectAccessReviewSpec::default()
        },
        ..SelfSubjectAccessReview::default()
    };
    let api: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    match api.create(&PostParams::default(), &review).await {
        Ok(r) => Ok(r.status.is_some_and(|s| s.allowed)),
        Err(e) => Err(ClientError::from_kube(&e)),
    }
}

/// Send the plan as it is.
pub async fn execute(client: &Client, plan: &ActionPlan) -> Result<String, ClientError> {
    if plan.method != Method::Patch {
        return send_body(client, plan).await;
    }
    let ar = ApiResource {
        group: plan.group.to_string(),
        version: plan.version.to_string(),
        api_version: if plan.group.is_empty() {
            plan.version.to_string()
        } else {
            format!("{}/{}", plan.group, plan.version)
        },
        kind: plan.kind.to_string(),
        plural: plan.plural.to_string(),
    };
    let api: Api<DynamicObject> = if plan.target.namespace.is_empty() {
        Api::all_with(client.clone(), &ar)
    } else {
        Api::namespaced_with(client.clone(), &plan.target.namespace, &ar)
    };
    let pp = PatchParams::default();
    let patch = Patch::Merge(&plan.body);
    let rv = match plan.subresource {
        // The answer is the subresource (a Scale); its metadata is the object's.
        Some(sub) => api
            .patch_subresource(sub, &plan.target.name, &pp, &patch)
            .await
            .map_err(|e| ClientError::from_kube(&e))?
            .metadata
            .resource_version
            .unwrap_or_default(),
        None => api
            .patch(&plan.target.name, &pp, &patch)
            .await
            .map_err(|e| ClientError::from_kube(&e))?
            .metadata
            .resource_version
            .unwrap_or_default(),
    };
    Ok(format!("accepted (resourceVersion {rv})"))
}

/// A `PUT` (KubeVirt's lifecycle subresources) or `POST` (a create) of the plan's body to its
/// path.
async fn send_body(client: &Client, plan: &ActionPlan) -> Result<String, ClientError> {
    let body = serde_json::to_vec(&plan.body).map_err(|e| ClientError::Invalid(e.to_string()))?;
    let request = http::Request::builder()
        .method(plan.method.as_str())
        .uri(plan.path())
        .header(http::header::CONTENT_TYPE, plan.content_type)
        .body(body)
        .map_err(|e| ClientError::Invalid(e.to_string()))?;
    client
        .request_text(request)
        .await
        .map_err(|e| ClientError::from_kube(&e))?;
    Ok(if plan.subresource == Some("eviction") {
        format!("evicted {}", plan.target.name)
    } else if plan.method == Method::Post {
        format!("created {}", plan.target.name)
    } else {
        "accepted".into()
    })
}

/// Append the audit line of a Kubernetes request.
pub fn audit(
    path: &Path,
    plan: &ActionPlan,
    result: Option<&Result<String, ClientError>>,
) -> std::io::Result<()> {
    crate::clients::audit::append(
        path,
        &plan.target.cluster,
        plan.action,
        json!({"kind": plan.kind, "namespace": plan.target.namespace, "name": plan.target.name}),
        json!({"method": plan.method.as_str(), "path": plan.path(), "contentType": plan.content_type, "body": plan.body}),
        result,
    )
}
