//! The kubeconfig the simulator hands out: one cluster (its CA inline), one user and context per
//! token.

use base64::Engine;
use serde_json::json;

pub struct KubeconfigParts {
    pub server: String,
    pub ca_pem: String,
    /// (context name, user name, bearer token); the first is the current context.
    pub contexts: Vec<(String, String, String)>,
}

pub fn render(p: &KubeconfigParts) -> String {
    let ca = base64::engine::general_purpose::STANDARD.encode(&p.ca_pem);
    let cluster = "opsdeck-simulator";
    let doc = json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": cluster, "cluster": {"server": p.server, "certificate-authority-data": ca}}],
        "users": p.contexts.iter().map(|(_, user, token)| json!({"name": user, "user": {"token": token}})).collect::<Vec<_>>(),
        "contexts": p.contexts.iter().map(|(ctx, user, _)| json!({"name": ctx, "context": {"cluster": cluster, "user": user}})).collect::<Vec<_>>(),
        "current-context": p.contexts.first().map(|c| c.0.clone()).unwrap_or_default(),
    });
    serde_yaml::to_string(&doc).unwrap_or_default()
}
