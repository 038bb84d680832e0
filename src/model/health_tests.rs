use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use super::*;

fn now() -> Timestamp {
    "2026-11-30T12:00:00Z".parse().expect("time")
}

fn at(days: i64) -> String {
    (now() + SignedDuration::from_hours(24 * days)).to_string()
}

/// The verdict on `object` as the kind browser reads it (its spec reduced to the fields rules
/// read).
fn check(group: &str, kind: &str, object: serde_json::Value) -> Health {
    let rule = rule(group, kind).unwrap_or_else(|| panic!("a rule for {kind}"));
    let read: crate::model::browse::PartialW = serde_json::from_value(object).expect("an object");
    rule(&read.judged(), now())
}

fn ready(status: &str, reason: &str) -> serde_json::Value {
    json!([{"type": "Ready", "status": status, "reason": reason, "message": ""}])
}

#[test]
fn certificates_are_ready_expiring_or_failed() {
    let cert = |conds, not_after: Option<String>| json!({"status": {"conditions": conds, "notAfter": not_after}});
    let ok = check(
        "cert-manager.io",
        "Certificate",
        cert(ready("True", "Ready"), Some(at(60))),
    );
    assert_eq!(ok, Health::healthy());
    let soon = check(
        "cert-manager.io",
        "Certificate",
        cert(ready("True", "Ready"), Some(at(5))),
    );
    assert_eq!(soon.text(), "Warning: expires in 5d");
    let expired = check(
        "cert-manager.io",
        "Certificate",
        cert(ready("False", "Expired"), Some(at(-1))),
    );
    assert_eq!(expired.text(), "Degraded: expired 1d ago");
    let failed = check(
        "cert-manager.io",
        "Certificate",
        cert(ready("False", "DoesNotExist"), None),
    );
    assert_eq!(failed.level, Level::Degraded);
    let new = check("cert-manager.io", "Certificate", json!({}));
    assert_eq!(new.level, Level::Progressing);
    assert!(
        check(
            "cert-manager.io",
            "ClusterIssuer",
            json!({"status": {"conditions": ready("True", "ACMEAccountRegistered")}})
        )
        .level
            == Level::Healthy
    );
}

#[test]
fn routes_need_every_parent_to_accept_and_resolve() {
    let parent = |resolved: &str| {
        json!({"parentRef": {"name": "public"}, "conditions": [
            {"type": "Accepted", "status": "True", "reason": "Accepted"},
            {"type": "ResolvedRefs", "status": resolved, "reason": "BackendNotFound",
             "message": "service immich-web not found"}]})
    };
    let good = check(
        "gateway.networking.k8s.io",
        "HTTPRoute",
        json!({"status": {"parents": [parent("True")]}}),
    );
    assert_eq!(good.level, Level::Healthy);
    let bad = check(
        "gateway.networking.k8s.io",
        "HTTPRoute",
        json!({"status": {"parents": [parent("True"), parent("False")]}}),
    );
    assert_eq!(
        bad.text(),
        "Degraded: ResolvedRefs: BackendNotFound — service immich-web not found (parent public)"
    );
    let gw = check(
        "gateway.networking.k8s.io",
        "Gateway",
        json!({"status": {"conditions": [
        {"type": "Accepted", "status": "True"}, {"type": "Programmed", "status": "False", "reason": "AddressNotAssigned"}]}}),
    );
    assert_eq!(gw.text(), "Degraded: Programmed: AddressNotAssigned");
}

#[test]
fn backups_and_schedules() {
    let failed = check(
        "velero.io",
        "Backup",
        json!({"status": {"phase": "Failed", "failureReason": "error getting backup store"}}),
    );
    assert_eq!(
        failed.text(),
        "Degraded: Failed — error getting backup store"
    );
    let partial = check(
        "velero.io",
        "Backup",
        json!({"status": {"phase": "PartiallyFailed", "errors": 3}}),
    );
    assert_eq!(partial.text(), "Degraded: PartiallyFailed (3 errors)");
    assert_eq!(
        check(
            "velero.io",
            "Backup",
            json!({"status": {"phase": "InProgress"}})
        )
        .level,
        Level::Progressing
    );
    let daily = |last: String| json!({"spec": {"schedule": "0 2 * * *"}, "status": {"phase": "Enabled", "lastBackup": last}});
    assert_eq!(
        check("velero.io", "Schedule", daily(at(-1))).level,
        Level::Healthy
    );
    assert_eq!(
        check("velero.io", "Schedule", daily(at(-3))).text(),
        "Warning: last backup 3d ago (every 1d)"
    );
    assert_eq!(
        cron_interval("0 */6 * * *"),
        Some(SignedDuration::from_hours(6))
    );
    assert_eq!(
        cron_interval("@every 1h30m"),
        Some(SignedDuration::from_mins(90))
    );
    assert_eq!(
        cron_interval("0 3 * * 0"),
        Some(SignedDuration::from_hours(168))
    );
    assert_eq!(
        cron_interval("*/15 * * * *"),
        Some(SignedDuration::from_mins(15))
    );
    assert_eq!(cron_interval("nonsense"), None);
    let bsl = check(
        "velero.io",
        "BackupStorageLocation",
        json!({"status": {"phase": "Unavailable", "message": "bucket not found"}}),
    );
    assert_eq!(bsl.text(), "Degraded: Unavailable — bucket not found");
}

#[test]
fn the_other_seed_kinds() {
    assert_eq!(
        check(
            "metallb.io",
            "IPAddressPool",
            json!({"status": {"assignedIPv4": 8, "availableIPv4": 0}})
        )
        .text(),
        "Warning: all 8 addresses assigned"
    );
    assert_eq!(
        check(
            "wgpolicyk8s.io",
            "PolicyReport",
            json!({"summary": {"pass": 10, "fail": 2, "error": 1}})
        )
        .text(),
        "Degraded: 2 fail, 1 error"
    );
    let claim = check(
        "karpenter.sh",
        "NodeClaim",
        json!({"status": {"conditions": [
        {"type": "Launched", "status": "True"}, {"type": "Registered", "status": "False", "reason": "NodeNotFound"}]}}),
    );
    assert_eq!(claim.text(), "Degraded: Registered: NodeNotFound");
    assert_eq!(
        check(
            "platform.kratix.io",
            "Promise",
            json!({"status": {"status": "Available"}})
        )
        .level,
        Level::Healthy
    );
    let bmh = check(
        "metal3.io",
        "BareMetalHost",
        json!({"status": {"operationalStatus": "error",
        "errorType": "registration error", "errorMessage": "BMC credentials rejected"}}),
    );
    assert_eq!(
        bmh.text(),
        "Degraded: registration error — BMC credentials rejected"
    );
    let appset = check(
        "argoproj.io",
        "ApplicationSet",
        json!({"status": {"conditions": [
        {"type": "ErrorOccurred", "status": "True", "reason": "ApplicationGenerationFromParamsError", "message": "bad template"}]}}),
    );
    assert_eq!(appset.level, Level::Degraded);
    let node = check(
        "",
        "Node",
        json!({"spec": {"unschedulable": true}, "status": {"conditions": [
        {"type": "Ready", "status": "True"}, {"type": "DiskPressure", "status": "True"}]}}),
    );
    assert_eq!(node.text(), "Warning: DiskPressure");
    assert!(rule("example.com", "Widget").is_none());
    let vsphere = check(
        "infrastructure.cluster.x-k8s.io",
        "VSphereMachine",
        json!({"status": {"conditions": [
        {"type": "Ready", "status": "False", "reason": "WaitingForNetworkAddress", "message": "waiting for an IP"}]}}),
    );
    assert_eq!(
        vsphere.text(),
        "Degraded: WaitingForNetworkAddress — waiting for an IP"
    );
    let old = check(
        "infrastructure.cluster.x-k8s.io",
        "TinkerbellMachine",
        json!({"status": {"ready": true}}),
    );
    assert_eq!(old.level, Level::Healthy);
    let failed = check(
        "infrastructure.cluster.x-k8s.io",
        "Metal3Machine",
        json!({"status": {
        "failureReason": "CreateError", "failureMessage": "no host available"}}),
    );
    assert_eq!(failed.text(), "Degraded: CreateError no host available");
    assert!(rule("infrastructure.cluster.x-k8s.io", "VSphereCluster").is_none());
}

#[test]
fn pods_from_their_printed_cells() {
    assert_eq!(pod("Running", "0", None), Health::healthy());
    assert_eq!(
        pod("CrashLoopBackOff", "7 (95s ago)", None).text(),
        "Degraded: CrashLoopBackOff, 7 restarts"
    );
    assert_eq!(
        pod("Init:ImagePullBackOff", "0", None).level,
        Level::Degraded
    );
    assert_eq!(
        pod("Init:0/1", "0", Some(SignedDuration::from_hours(48))).text(),
        "Warning: Init:0/1 for 2d"
    );
    assert_eq!(
        pod("Pending", "0", Some(SignedDuration::from_secs(30))).level,
        Level::Progressing
    );
    assert_eq!(
        pod("Running", "12 (3h ago)", None).text(),
        "Warning: 12 restarts"
    );
}

#[test]
fn pointers_are_followed_without_copies_as_serde_json_follows_them() {
    let v = json!({"status": {"conditions": [{"type": "Ready"}], "ready": true, "": 1}});
    for pointer in [
        "",
        "/status",
        "/status/ready",
        "/status/conditions/0/type",
        "/status/conditions/1",
        "/status/conditions/x",
        "/status/ready/deeper",
        "/status/",
        "/missing",
        "status",
    ] {
        assert_eq!(super::at(&v, pointer), v.pointer(pointer), "{pointer:?}");
    }
}
