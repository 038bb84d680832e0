//! The systems around the platform's core, in the workload cluster, each with something an
//! operator should see: cert-manager (a certificate about to expire, one that cannot be
//! issued), Velero (a failed and a partly failed backup, an overdue schedule) and Gateway API
//! (a route whose backend does not exist). Shaped as the upstream CRDs define them (a test
//! checks every object against them).

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

fn rfc3339(t: Timestamp) -> String {
    t.round(jiff::Unit::Second)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

fn ago(hours: i64) -> String {
    rfc3339(Timestamp::now() - SignedDuration::from_hours(hours))
}

fn ahead(hours: i64) -> String {
    rfc3339(Timestamp::now() + SignedDuration::from_hours(hours))
}

fn meta(name: &str, namespace: Option<&str>, age_hours: i64) -> Value {
    let mut m = json!({"name": name, "creationTimestamp": ago(age_hours)});
    if let Some(ns) = namespace {
        m["namespace"] = json!(ns);
    }
    m
}

/// A condition as cert-manager and Velero write them.
fn condition(kind: &str, status: bool, reason: &str, message: &str, since: i64) -> Value {
    json!({"type": kind, "status": if status { "True" } else { "False" }, "reason": reason,
           "message": message, "lastTransitionTime": ago(since), "observedGeneration": 1})
}

/// A certificate of `name` in `namespace`: issued `issued_days` ago for 90 days, or not at all.
fn certificate(namespace: &str, name: &str, host: &str, issued_days: Option<i64>) -> Value {
    let mut cert = json!({
        "metadata": meta(name, Some(namespace), 24 * 120),
        "spec": {
            "secretName": format!("{name}-tls"),
            "dnsNames": [host],
            "issuerRef": {"name": "letsencrypt", "kind": "ClusterIssuer", "group": "cert-manager.io"},
            "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"},
        },
    });
    cert["status"] = match issued_days {
        Some(days) => json!({
            "conditions": [condition("Ready", true, "Ready", "Certificate is up to date and has not expired", 24 * days)],
            "notBefore": ago(24 * days),
            // Issued a few hours into the day, so a day count is never on its boundary.
            "notAfter": ahead(24 * (90 - days) + 6),
            "renewalTime": ahead(24 * (60 - days)),
            "revision": 3,
        }),
        None => json!({
            "conditions": [
                condition("Ready", false, "DoesNotExist", "Issuing certificate as Secret does not exist", 30),
                condition("Issuing", true, "DoesNotExist", "Issuing certificate as Secret does not exist", 30),
            ],
            "failedIssuanceAttempts": 4,
            "lastFailureTime": ago(2),
        }),
    };
    cert
}

fn cert_manager() -> Vec<(&'static str, Value)> {
    vec![
        (
            "ClusterIssuer",
            json!({
                "metadata": meta("letsencrypt", None, 24 * 200),
                "spec": {"acme": {"server": "https://acme-v02.api.letsencrypt.org/directory",
                                  "email": "ops@homelab.example",
                                  "privateKeySecretRef": {"name": "letsencrypt-account"},
                                  "solvers": [{"dns01": {"cloudflare": {"apiTokenSecretRef": {"name": "cloudflare", "key": "token"}}}}]}},
                "status": {"acme": {"uri": "https://acme-v02.api.letsencrypt.org/acme/acct/123456789"},
                           "conditions": [condition("Ready", true, "ACMEAccountRegistered", "The ACME account was registered with the ACME server", 24 * 200)]},
            }),
        ),
        (
            "Issuer",
            json!({
                "metadata": meta("internal-ca", Some("immich"), 24 * 90),
                "spec": {"ca": {"secretName": "internal-ca"}},
                "status": {"conditions": [condition("Ready", false, "ErrGetKeyPair",
                    "Error getting keypair for CA issuer: secrets \"internal-ca\" not found", 24)]},
            }),
        ),
        (
            "Certificate",
            certificate("media", "jellyfin", "jellyfin.homelab.example", Some(30)),
        ),
        // Renewal has been failing: nine days left.
        (
            "Certificate",
            certificate("immich", "immich", "photos.homelab.example", Some(81)),
        ),
        (
            "Certificate",
            certificate("nextcloud", "nextcloud", "cloud.homelab.example", None),
        ),
    ]
}

fn backup(name: &str, phase: &str, age_hours: i64, errors: u64, failure: Option<&str>) -> Value {
    let mut status = json!({
        "phase": phase,
        "startTimestamp": ago(age_hours),
        "expiration": ahead(24 * 30 - age_hours),
        "version": 1,
        "formatVersion": "1.1.0",
        "errors": errors,
        "warnings": 2,
        "progress": {"totalItems": 412, "itemsBackedUp": if phase == "Completed" { 412 } else { 287 }},
    });
    if phase != "InProgress" {
        status["completionTimestamp"] = json!(ago(age_hours - 1));
    }
    if let Some(reason) = failure {
        status["failureReason"] = json!(reason);
    }
    json!({
        "metadata": {
            "name": name, "namespace": "velero", "creationTimestamp": ago(age_hours),
            "labels": {"velero.io/schedule-name": "daily", "velero.io/storage-location": "default"},
        },
        "spec": {"includedNamespaces": ["*"], "storageLocation": "default", "ttl": "720h0m0s",
                 "snapshotVolumes": true, "defaultVolumesToFsBackup": false},
        "status": status,
    })
}

fn velero() -> Vec<(&'static str, Value)> {
    vec![
        (
            "BackupStorageLocation",
            json!({
                "metadata": meta("default", Some("velero"), 24 * 200),
                "spec": {"provider": "aws", "default": true,
                         "objectStorage": {"bucket": "homelab-velero", "prefix": "media"},
                         "config": {"region": "minio", "s3ForcePathStyle": "true", "s3Url": "http://minio.storage:9000"}},
                "status": {"phase": "Available", "lastValidationTime": ago(0), "lastSyncedTime": ago(0)},
            }),
        ),
        // Daily at 02:00, but the last good run was three days ago.
        (
            "Schedule",
            json!({
                "metadata": meta("daily", Some("velero"), 24 * 200),
                "spec": {"schedule": "0 2 * * *", "template": {"includedNamespaces": ["*"], "ttl": "720h0m0s",
                                                              "storageLocation": "default"}},
                "status": {"phase": "Enabled", "lastBackup": ago(75)},
            }),
        ),
        (
            "Backup",
            backup("daily-20261127020000", "Completed", 82, 0, None),
        ),
        (
            "Backup",
            backup("daily-20261128020000", "PartiallyFailed", 58, 3, None),
        ),
        (
            "Backup",
            backup(
                "daily-20261129020000",
                "Failed",
                34,
                1,
                Some(
                    "rpc error: code = Unknown desc = error getting volume snapshotter: volume snapshot location default not found",
                ),
            ),
        ),
    ]
}

/// A Gateway API condition (every field is required there).
fn gw_condition(kind: &str, status: bool, reason: &str, message: &str) -> Value {
    json!({"type": kind, "status": if status { "True" } else { "False" }, "reason": reason,
           "message": message, "lastTransitionTime": ago(24), "observedGeneration": 1})
}

fn route(namespace: &str, name: &str, host: &str, backend: &str, resolved: bool) -> Value {
    let refs = if resolved {
        gw_condition(
            "ResolvedRefs",
            true,
            "ResolvedRefs",
            "Resolved all the Object references for the Route",
        )
    } else {
        gw_condition(
            "ResolvedRefs",
            false,
            "BackendNotFound",
            &format!("Service \"{backend}\" not found"),
        )
    };
    json!({
        "metadata": meta(name, Some(namespace), 24 * 40),
        "spec": {
            "parentRefs": [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "public", "namespace": "gateway"}],
            "hostnames": [host],
            "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                       "backendRefs": [{"group": "", "kind": "Service", "name": backend, "port": 80, "weight": 1}]}],
        },
        "status": {"parents": [{
            "parentRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "public", "namespace": "gateway"},
            "controllerName": "io.cilium/gateway-controller",
            "conditions": [gw_condition("Accepted", true, "Accepted", "Accepted HTTPRoute"), refs],
        }]},
    })
}

fn gateway_api() -> Vec<(&'static str, Value)> {
    vec![
        (
            "GatewayClass",
            json!({
                "metadata": meta("cilium", None, 24 * 200),
                "spec": {"controllerName": "io.cilium/gateway-controller"},
                "status": {"conditions": [gw_condition("Accepted", true, "Accepted", "Valid GatewayClass")]},
            }),
        ),
        (
            "Gateway",
            json!({
                "metadata": meta("public", Some("gateway"), 24 * 200),
                "spec": {"gatewayClassName": "cilium",
                         "listeners": [{"name": "https", "port": 443, "protocol": "HTTPS", "hostname": "*.homelab.example",
                                        "tls": {"mode": "Terminate", "certificateRefs": [{"kind": "Secret", "name": "wildcard-tls"}]},
                                        "allowedRoutes": {"namespaces": {"from": "All"}}}]},
                "status": {"addresses": [{"type": "IPAddress", "value": "10.20.100.50"}],
                           "conditions": [gw_condition("Accepted", true, "Accepted", "Gateway successfully scheduled"),
                                          gw_condition("Programmed", true, "Programmed", "Gateway successfully reconciled")]},
            }),
        ),
        (
            "HTTPRoute",
            route(
                "media",
                "jellyfin",
                "jellyfin.homelab.example",
                "jellyfin",
                true,
            ),
        ),
        (
            "HTTPRoute",
            route(
                "immich",
                "immich",
                "photos.homelab.example",
                "immich-web",
                false,
            ),
        ),
    ]
}

/// Every seed object of the workload cluster, with its kind.
pub fn objects() -> Vec<(&'static str, Value)> {
    cert_manager()
        .into_iter()
        .chain(velero())
        .chain(gateway_api())
        .collect()
}
