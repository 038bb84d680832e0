//! More of the platform around the core, each kind with one object an operator should look
//! at: in the workload cluster MetalLB (a pool with no address left), Kyverno's policy report
//! (failures), a Traefik IngressRoute and Karpenter (a NodeClaim that never registered); in the
//! management cluster Kratix promises, Metal3 bare-metal hosts (one whose BMC refuses the
//! credentials) and an Argo CD ApplicationSet whose template does not render. Shaped as the
//! upstream CRDs define them (a test checks every object against them).

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

fn ago(hours: i64) -> String {
    (Timestamp::now() - SignedDuration::from_hours(hours))
        .round(jiff::Unit::Second)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

fn meta(name: &str, namespace: Option<&str>, age_hours: i64) -> Value {
    let mut m = json!({"name": name, "creationTimestamp": ago(age_hours)});
    if let Some(ns) = namespace {
        m["namespace"] = json!(ns);
    }
    m
}

/// A condition with every field the stricter CRDs require.
fn condition(kind: &str, status: bool, reason: &str, message: &str) -> Value {
    json!({"type": kind, "status": if status { "True" } else { "False" }, "reason": reason,
           "message": message, "lastTransitionTime": ago(48)})
}

fn karpenter_requirements() -> Value {
    json!([{"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64"]},
           {"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["on-demand"]}])
}

/// The workload cluster's objects of these systems, with their kinds.
pub fn workload() -> Vec<(&'static str, Value)> {
    let now = Timestamp::now();
    vec![
        (
            "IPAddressPool",
            json!({
                "metadata": meta("services", Some("metallb-system"), 24 * 200),
                "spec": {"addresses": ["10.20.100.50-10.20.100.55"], "autoAssign": true},
                "status": {"assignedIPv4": 6, "availableIPv4": 0, "assignedIPv6": 0, "availableIPv6": 0},
            }),
        ),
        (
            "PolicyReport",
            json!({
                "metadata": meta("cpol-require-requests", Some("media"), 24 * 3),
                "scope": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "radarr", "namespace": "media"},
                "summary": {"pass": 4, "fail": 2, "warn": 0, "error": 0, "skip": 0},
                "results": [
                    {"policy": "require-requests-limits", "rule": "validate-resources", "result": "fail",
                     "message": "validation error: CPU and memory resource requests and limits are required. rule validate-resources failed at path /spec/template/spec/containers/0/resources/limits/cpu/",
                     "source": "kyverno", "scored": true, "severity": "medium", "category": "Best Practices",
                     "timestamp": {"seconds": now.as_second() - 3600, "nanos": 0}},
                    {"policy": "disallow-latest-tag", "rule": "validate-image-tag", "result": "fail",
                     "message": "validation error: Using a mutable image tag e.g. 'latest' is not allowed.",
                     "source": "kyverno", "scored": true, "severity": "medium", "category": "Best Practices",
                     "timestamp": {"seconds": now.as_second() - 3600, "nanos": 0}},
                ],
            }),
        ),
        (
            "IngressRoute",
            json!({
                "metadata": meta("traefik-dashboard", Some("traefik"), 24 * 150),
                "spec": {"entryPoints": ["websecure"],
                         "routes": [{"match": "Host(`traefik.homelab.example`)", "kind": "Rule",
                                     "services": [{"name": "api@internal", "kind": "TraefikService"}]}],
                         "tls": {"certResolver": "letsencrypt"}},
            }),
        ),
        (
            "NodePool",
            json!({
                "metadata": meta("burst", None, 24 * 30),
                "spec": {"template": {"spec": {
                             "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"},
                             "requirements": karpenter_requirements()}},
                         "limits": {"cpu": "64"},
                         "disruption": {"consolidationPolicy": "WhenEmptyOrUnderutilized", "consolidateAfter": "1m"}},
                "status": {"conditions": [condition("Ready", true, "Ready", "")],
                           "resources": {"cpu": "4", "memory": "16Gi", "nodes": "1"}},
            }),
        ),
        (
            "NodeClaim",
            json!({
                "metadata": meta("burst-x7k2p", None, 1),
                "spec": {"nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"},
                         "requirements": karpenter_requirements()},
                "status": {"providerID": "aws:///eu-central-1a/i-0a1b2c3d4e5f60718",
                           "conditions": [
                               condition("Launched", true, "Launched", ""),
                               condition("Registered", false, "NodeNotFound", "Node not registered with cluster"),
                           ]},
            }),
        ),
    ]
}

fn bare_metal_host(name: &str, address: &str, healthy: bool) -> Value {
    let status = if healthy {
        json!({"operationalStatus": "OK", "errorCount": 0, "errorMessage": "", "poweredOn": true,
               "provisioning": {"ID": format!("{name}-ironic-id"), "state": "provisioned",
                                "image": {"url": "https://factory.talos.dev/image/talos-metal-amd64.raw.zst"}}})
    } else {
        json!({"operationalStatus": "error", "errorType": "registration error", "errorCount": 7,
               "errorMessage": "Failed to get power state for node: BMC authentication failed (401)",
               "poweredOn": false, "provisioning": {"ID": "", "state": "registering"}})
    };
    json!({
        "metadata": meta(name, Some("metal3"), 24 * 60),
        "spec": {"online": true, "bootMACAddress": "52:54:00:ab:cd:01",
                 "bmc": {"address": format!("redfish-virtualmedia://{address}/redfish/v1/Systems/1"),
                         "credentialsName": format!("{name}-bmc"), "disableCertificateVerification": true}},
        "status": status,
    })
}

/// The management cluster's objects of these systems, with their kinds.
pub fn management() -> Vec<(&'static str, Value)> {
    vec![
        (
            "Promise",
            json!({
                "metadata": meta("postgresql", None, 24 * 90),
                "spec": {},
                "status": {"status": "Available", "version": "v1.2.0",
                           "conditions": [condition("ConfigureWorkflowCompleted", true, "WorkflowsCompleted", "All workflows completed")]},
            }),
        ),
        (
            "Promise",
            json!({
                "metadata": meta("redis", None, 24 * 20),
                "spec": {},
                "status": {"status": "Unavailable", "version": "v0.4.1",
                           "conditions": [condition("RequirementsFulfilled", false, "RequirementsNotInstalled",
                                                    "Requirements not fulfilled: promise \"namespace\" not installed")]},
            }),
        ),
        (
            "BareMetalHost",
            bare_metal_host("rack2-node1", "10.10.2.11", true),
        ),
        (
            "BareMetalHost",
            bare_metal_host("rack2-node2", "10.10.2.12", false),
        ),
        (
            "ApplicationSet",
            json!({
                "metadata": meta("team-apps", Some("argocd"), 24 * 45),
                "spec": {
                    "generators": [{"git": {"repoURL": "https://git.homelab.example/platform/apps.git",
                                            "revision": "main", "directories": [{"path": "teams/*"}]}}],
                    "template": {
                        "metadata": {"name": "{{.path.basename}}"},
                        "spec": {"project": "teams",
                                 "source": {"repoURL": "https://git.homelab.example/platform/apps.git",
                                            "targetRevision": "main", "path": "{{.path.path}}"},
                                 "destination": {"name": "media", "namespace": "{{.path.basename}}"}},
                    },
                    "goTemplate": true,
                },
                "status": {"conditions": [
                    {"type": "ErrorOccurred", "status": "True", "reason": "ApplicationGenerationFromParamsError",
                     "message": "failed to execute go template {{.path.basename}}: map has no entry for key \"path\"",
                     "lastTransitionTime": ago(5)},
                    {"type": "ResourcesUpToDate", "status": "False", "reason": "ApplicationGenerationFromParamsError",
                     "message": "failed to execute go template", "lastTransitionTime": ago(5)},
                ]},
            }),
        ),
    ]
}
