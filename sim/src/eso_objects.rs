//! External Secrets Operator objects of a scenario (external-secrets.io/v1), shaped as ESO v2
//! writes them, and the refresh it performs.

use serde_json::{Value, json};

use super::db::{fnv, now_rfc3339};
use super::scenario::{ExternalSecretSpec, StoreSpec};
use crate::json_at::At;

/// `"<generation>-<hash of labels and annotations>"`, as ESO records the last synced state.
pub fn synced_version(obj: &Value) -> String {
    let generation = obj
        .at("/metadata/generation")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let meta = json!([obj.at("/metadata/labels"), obj.at("/metadata/annotations")]);
    format!("{generation}-{:x}", fnv(meta.to_string().as_bytes()))
}

fn ready(ok: bool, reason: &str, message: &str) -> Value {
    json!([{
        "type": "Ready",
        "status": if ok { "True" } else { "False" },
        "reason": reason,
        "message": message,
        "lastTransitionTime": now_rfc3339(),
    }])
}

pub fn store(s: &StoreSpec) -> (&'static str, Value) {
    let provider = match s.provider.as_str() {
        "vault" => {
            json!({"vault": {"server": "https://vault.home.arpa:8200", "path": "secret", "version": "v2",
                                    "auth": {"tokenSecretRef": {"name": "vault-token", "key": "token"}}}})
        }
        "onepassword" => {
            json!({"onepassword": {"connectHost": "http://onepassword-connect.external-secrets:8080",
                                                "vaults": {"homelab": 1},
                                                "auth": {"secretRef": {"connectTokenSecretRef": {"name": "op-token", "key": "token", "namespace": "external-secrets"}}}}})
        }
        other => {
            json!({"kubernetes": {"remoteNamespace": other, "server": {"caProvider": {"type": "ConfigMap", "name": "kube-root-ca.crt", "key": "ca.crt"}},
                                       "auth": {"serviceAccount": {"name": "eso-reader"}}}})
        }
    };
    let status = if s.valid {
        json!({"conditions": ready(true, "Valid", "store validated"), "capabilities": "ReadOnly"})
    } else {
        json!({"conditions": ready(false, "InvalidProviderConfig", "unable to validate store: permission denied"), "capabilities": "ReadOnly"})
    };
    let mut metadata = json!({"name": s.name});
    let kind = if s.namespace.is_empty() {
        "ClusterSecretStore"
    } else {
        metadata["namespace"] = json!(s.namespace);
        "SecretStore"
    };
    (
        kind,
        json!({"metadata": metadata, "spec": {"provider": provider}, "status": status}),
    )
}

pub fn external_secret(e: &ExternalSecretSpec) -> Value {
    let (store_kind, store_name) = e
        .store
        .split_once('/')
        .unwrap_or(("SecretStore", e.store.as_str()));
    let last = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_secs(e.last_sync_ago as i64))
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .round(jiff::Unit::Second)
        .map(|t| t.to_string())
        .unwrap_or_default();
    let mut obj = json!({
        "metadata": {"name": e.name, "namespace": e.namespace},
        "spec": {
            "secretStoreRef": {"kind": store_kind, "name": store_name},
            "refreshInterval": e.refresh_interval,
            "target": {"name": e.name, "creationPolicy": "Owner"},
            "dataFrom": [{"extract": {"key": format!("{}/{}", e.namespace, e.name)}}],
        },
    });
    let conditions = match &e.error {
        Some(msg) => ready(false, "SecretSyncedError", msg),
        None => ready(true, "SecretSynced", "secret synced"),
    };
    obj["status"] = json!({
        "conditions": conditions,
        "refreshTime": last,
        "syncedResourceVersion": synced_version(&obj),
        "binding": {"name": e.name},
    });
    obj
}

/// Everything ESO-related in one cluster.
pub fn objects_in(
    cluster: &str,
    stores: &[StoreSpec],
    secrets: &[ExternalSecretSpec],
) -> Vec<(&'static str, Value)> {
    let mut out = Vec::new();
    let mut namespaces: Vec<&str> = secrets
        .iter()
        .filter(|e| e.cluster == cluster)
        .map(|e| e.namespace.as_str())
        .collect();
    namespaces.sort();
    namespaces.dedup();
    out.extend(
        namespaces
            .into_iter()
            .map(|ns| ("Namespace", json!({"metadata": {"name": ns}}))),
    );
    out.extend(stores.iter().filter(|s| s.cluster == cluster).map(store));
    out.extend(
        secrets
            .iter()
            .filter(|e| e.cluster == cluster)
            .map(|e| ("ExternalSecret", external_secret(e))),
    );
    out
}
