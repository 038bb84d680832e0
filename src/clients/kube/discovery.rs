//! Opt-in discovery from the management cluster: workload clusters from CAPI's
//! `<cluster>-kubeconfig` Secrets and Talos endpoints from CACPPT's `<cluster>-talosconfig`
//! Secrets. The Secrets are read to connect, never shown.

use base64::Engine;
use k8s_openapi::api::core::v1::Secret;
use kube::Client;
use kube::api::{Api, ListParams};

use super::connect::{KubeconfigSource, connect};
use super::sources::{KubeSource, Role};
use crate::clients::talos::config::{TalosContext, Talosconfig};
use crate::model::capi::CLUSTER_NAME_LABEL;
use crate::model::text::sanitize;

#[derive(Default)]
pub struct Discovered {
    pub kube: Vec<KubeSource>,
    pub talos: Vec<TalosContext>,
    /// What could not be used, in words (shown in the footer).
    pub problems: Vec<String>,
}

fn value(secret: &Secret, key: &str) -> Option<String> {
    let bytes = secret.data.as_ref()?.get(key)?;
    String::from_utf8(bytes.0.clone()).ok().or_else(|| {
        // Some tools store the value base64-encoded twice; accept that too.
        base64::engine::general_purpose::STANDARD
            .decode(&bytes.0)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
    })
}

/// Look through the management cluster's CAPI Secrets. Contexts already watched (by name) are
/// skipped.
pub async fn discover(management: &Client, known: &[String]) -> Discovered {
    let mut found = Discovered::default();
    let secrets: Api<Secret> = Api::all(management.clone());
    let list = match secrets
        .list(&ListParams::default().labels(CLUSTER_NAME_LABEL))
        .await
    {
        Ok(l) => l,
        Err(kube::Error::Api(s)) if s.code == 403 => {
            found
                .problems
                .push(format!("discovery: {}", sanitize(&s.message)));
            return found;
        }
        Err(e) => {
            found
                .problems
                .push(format!("discovery: {}", sanitize(&e.to_string())));
            return found;
        }
    };
    for secret in list.items {
        let name = secret.metadata.name.clone().unwrap_or_default();
        if let Some(cluster) = name.strip_suffix("-kubeconfig") {
            if known.iter().any(|k| k == cluster) {
                continue;
            }
            let Some(text) = value(&secret, "value") else {
                found.problems.push(format!(
                    "discovery: secret {name} has no kubeconfig in data.value"
                ));
                continue;
            };
            match connect(KubeconfigSource::Text(&text), None).await {
                Ok((client, _)) => found.kube.push(KubeSource {
                    context: cluster.to_string(),
                    role: Role::Workload,
                    client,
                }),
                Err(e) => found.problems.push(format!("discovery: {name}: {e}")),
            }
        } else if name.ends_with("-talosconfig") {
            let Some(text) = value(&secret, "talosconfig") else {
                continue;
            };
            match Talosconfig::parse(&format!("secret {name}"), &text) {
                Ok(cfg) => found.talos.extend(cfg.contexts),
                Err(e) => found.problems.push(format!("discovery: {e}")),
            }
        }
    }
    found
}
