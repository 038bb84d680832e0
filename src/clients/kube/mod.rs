//! Kubernetes: connecting from a kubeconfig, and watches that feed row stores.

pub mod actions;
pub mod browse;
pub mod connect;
pub mod discovery;
pub mod logs;
pub mod metrics;
pub mod pages;
pub mod reauth;
pub mod sources;
pub mod typed;
pub mod watch;

pub use connect::{ConnectError, connect};

/// GET a path as JSON (an object, a list, a PodMetricsList …), errors as `ClientError`.
pub async fn get_json(
    client: &kube::Client,
    path: &str,
) -> Result<serde_json::Value, crate::clients::error::ClientError> {
    use crate::clients::error::ClientError;
    let request = http::Request::get(path)
        .header(http::header::ACCEPT, "application/json")
        .body(Vec::new())
        .map_err(|e| ClientError::Invalid(e.to_string()))?;
    let text = client
        .request_text(request)
        .await
        .map_err(|e| ClientError::from_kube(&e))?;
    serde_json::from_str(&text).map_err(|e| ClientError::Invalid(e.to_string()))
}

/// POST a JSON body to a path (a self-review) and read the JSON reply.
pub async fn post_json(
    client: &kube::Client,
    path: &str,
    body: &serde_json::Value,
) -> Result<serde_json::Value, crate::clients::error::ClientError> {
    use crate::clients::error::ClientError;
    let request = http::Request::post(path)
        .header(http::header::ACCEPT, "application/json")
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(serde_json::to_vec(body).map_err(|e| ClientError::Invalid(e.to_string()))?)
        .map_err(|e| ClientError::Invalid(e.to_string()))?;
    let text = client
        .request_text(request)
        .await
        .map_err(|e| ClientError::from_kube(&e))?;
    serde_json::from_str(&text).map_err(|e| ClientError::Invalid(e.to_string()))
}
