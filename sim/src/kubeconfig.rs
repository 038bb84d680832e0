//! The kubeconfig the simulator hands out: a cluster entry per simulated API server (the
//! simulator's CA inline), and a context per (cluster, token).

use base64::Engine;
use serde_json::json;

pub struct ContextParts {
    pub context: String,
    pub cluster: String,
    pub server: String,
    pub user: String,
    pub token: String,
}

/// The first context is the current one.
pub fn render(ca_pem: &str, contexts: &[ContextParts]) -> String {
    let ca = base64::engine::general_purpose::STANDARD.encode(ca_pem);
    let mut clusters: Vec<serde_json::Value> = Vec::new();
    let mut users: Vec<serde_json::Value> = Vec::new();
    for c in contexts {
        let cluster = json!({"name": c.cluster, "cluster": {"server": c.server, "certificate-authority-data": ca}});
        if !clusters.contains(&cluster) {
            clusters.push(cluster);
        }
        let user = json!({"name": c.user, "user": {"token": c.token}});
        if !users.contains(&user) {
            users.push(user);
        }
    }
    let doc = json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": clusters,
        "users": users,
        "contexts": contexts.iter().map(|c| json!({"name": c.context, "context": {"cluster": c.cluster, "user": c.user}})).collect::<Vec<_>>(),
        "current-context": contexts.first().map(|c| c.context.clone()).unwrap_or_default(),
    });
    serde_saphyr::to_string(&doc).unwrap_or_default()
}
