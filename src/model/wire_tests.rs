//! Reading objects whose fields have other types than their schema gives them.

use serde_json::{Value, json};

use super::super::capi::{DeploymentW, MachineW};
use super::super::pods::PodW;
use super::*;

fn machine() -> Value {
    json!({
        "apiVersion": "cluster.x-k8s.io/v1beta2", "kind": "Machine",
        "metadata": {"name": "m1", "namespace": "lab", "creationTimestamp": "2026-11-30T10:00:00Z",
                     "labels": {"cluster.x-k8s.io/cluster-name": "lab", "team": "infra"},
                     "managedFields": [{"x": 1}]},
        "spec": {"clusterName": "lab", "version": "v1.33.2", "providerID": "harvester://x"},
        "status": {"phase": "Running", "nodeRef": {"name": "m1"},
                   "addresses": [{"type": "InternalIP", "address": "10.0.0.1"}],
                   "conditions": [{"type": "Ready", "status": "True"},
                                  {"type": "InfrastructureReady", "status": "True",
                                   "lastTransitionTime": "2026-11-30T10:00:00Z"}]}
    })
}

/// Read as the watches read: from the bytes, and from a `Value` as describe's callers do.
fn read<T: serde::de::DeserializeOwned>(v: &Value) -> T {
    let from_bytes: Result<T, _> = serde_json::from_slice(v.to_string().as_bytes());
    let from_value: Result<T, _> = serde_json::from_value(v.clone());
    assert!(from_value.is_ok(), "from a Value: {:?}", from_value.err());
    from_bytes.expect("from bytes")
}

#[test]
fn a_clean_object_is_read_whole_and_says_nothing() {
    let m: MachineW = read(&machine());
    assert_eq!(m.malformed(), None);
    assert_eq!(m.metadata.name.as_deref(), Some("m1"));
    assert_eq!(m.label("cluster.x-k8s.io/cluster-name"), Some("lab"));
    // Labels no row reads are skipped while parsing.
    let labels: Vec<&str> = m.labels.iter().map(|(k, _)| *k).collect();
    assert_eq!(labels, ["cluster.x-k8s.io/cluster-name"]);
    assert_eq!(m.spec.version.as_deref(), Some("v1.33.2"));
    // Of its conditions, the one its row shows.
    assert_eq!(m.status.conditions.summary().ok, Some(true));
    assert!(m.created().is_some());
}

#[test]
fn a_field_of_another_type_is_read_empty_and_named_with_its_path() {
    let mut v = machine();
    v["status"]["phase"] = json!({"surprise": [1, 2]});
    let m: MachineW = read(&v);
    assert_eq!(
        m.malformed(),
        Some("status.phase: an object where a string belongs")
    );
    assert_eq!(m.status.phase.as_deref(), Some(""), "read as empty");
    assert_eq!(
        m.status.node_ref.and_then(|n| n.name).as_deref(),
        Some("m1")
    );
    assert_eq!(
        m.status.conditions.summary().ok,
        Some(true),
        "fields after it still read"
    );
    assert_eq!(m.spec.version.as_deref(), Some("v1.33.2"));
}

#[test]
fn the_first_odd_field_is_named_and_the_rest_counted() {
    let mut v = machine();
    v["spec"]["version"] = json!(133);
    v["status"]["conditions"][1]["status"] = json!(true);
    v["status"]["addresses"] = json!("10.0.0.1");
    let m: MachineW = read(&v);
    assert_eq!(
        m.malformed(),
        Some("spec.version: a number where a string belongs (and 2 more)")
    );
    assert!(m.status.addresses.is_empty());
    assert_eq!(
        m.status.conditions.summary().ok,
        Some(true),
        "its sibling is read"
    );
}

#[test]
fn a_list_element_is_named_by_its_index() {
    let mut v = machine();
    v["status"]["conditions"][1]["type"] = json!(["Ready"]);
    let m: MachineW = read(&v);
    assert_eq!(
        m.malformed(),
        Some("status.conditions[1].type: a list where a string belongs")
    );
}

#[test]
fn an_integer_too_big_for_its_field_is_named() {
    let v = json!({"metadata": {"name": "md"}, "spec": {"replicas": 1e300, "paused": "yes"}});
    let d: DeploymentW = read(&v);
    assert_eq!(d.spec.replicas, Some(0));
    assert_eq!(d.spec.paused, Some(false));
    assert_eq!(
        d.malformed(),
        Some("spec.paused: a string where a boolean belongs (and 1 more)"),
        "keys in the order they came (a Value's are sorted)"
    );
    let v = json!({"status": {"containerStatuses": [{"name": "c", "restartCount": u64::MAX}]}});
    let p: PodW = read(&v);
    assert_eq!(
        p.malformed(),
        Some("status.containerStatuses[0].restartCount: 18446744073709551615 is out of its range")
    );
}

#[test]
fn null_reads_as_absent_without_a_word() {
    let mut v = machine();
    v["metadata"]["labels"] = Value::Null;
    v["status"]["conditions"] = Value::Null;
    v["status"]["phase"] = Value::Null;
    v["spec"] = Value::Null;
    let m: MachineW = read(&v);
    assert_eq!(m.malformed(), None);
    assert_eq!(m.status.conditions.summary(), &CondSummary::default());
    assert_eq!(m.status.phase, None);
    assert_eq!(m.spec.version, None);
}

#[test]
fn odd_metadata_costs_only_its_field() {
    let mut v = machine();
    v["metadata"]["labels"] = json!(["cluster.x-k8s.io/cluster-name"]);
    v["metadata"]["annotations"] = json!({"harvesterhci.io/maintain-status": 7, "other": {}});
    let m: MachineW = read(&v);
    assert_eq!(
        m.malformed(),
        Some(
            "metadata.annotations.harvesterhci.io/maintain-status: a number where a string belongs (and 1 more)"
        )
    );
    assert_eq!(m.metadata.name.as_deref(), Some("m1"));
    assert_eq!(m.label("cluster.x-k8s.io/cluster-name"), None);
    assert_eq!(m.annotation("harvesterhci.io/maintain-status"), Some(""));
}

#[test]
fn a_timestamp_that_is_no_time_is_absent() {
    let mut v = machine();
    v["metadata"]["creationTimestamp"] = json!("yesterday");
    v["status"]["conditions"][0]["lastTransitionTime"] = json!({"at": 3});
    let m: MachineW = read(&v);
    assert_eq!(m.created(), None);
    assert_eq!(m.status.conditions.summary().since, None);
    assert_eq!(m.status.conditions.summary().ok, Some(true));
    assert_eq!(
        m.malformed(),
        Some("status.conditions[0].lastTransitionTime: an object where a string belongs"),
        "a time that is not even a string is said; one that does not parse is not"
    );
}

#[test]
fn what_is_no_object_at_all_still_fails() {
    for v in [json!("m1"), json!([machine()]), json!(3)] {
        assert!(serde_json::from_value::<MachineW>(v).is_err());
    }
}

#[test]
fn only_the_wanted_labels_and_annotations_are_kept_and_a_repeated_one_keeps_its_last_value() {
    // Built as text: a JSON object with a key given twice cannot be built as a `Value`.
    let text = r#"{"metadata": {"name": "m1",
        "labels": {"cluster.x-k8s.io/cluster-name": "first", "team": "infra",
                   "cluster.x-k8s.io/deployment-name": "workers",
                   "cluster.x-k8s.io/cluster-name": "lab"},
        "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}",
                        "harvesterhci.io/maintain-status": "running"}}}"#;
    let m: MachineW = serde_json::from_str(text).expect("a Machine");
    assert_eq!(m.malformed(), None);
    assert_eq!(m.label(CLUSTER_NAME_LABEL), Some("lab"));
    assert_eq!(m.label(DEPLOYMENT_NAME_LABEL), Some("workers"));
    assert_eq!(m.label(CONTROL_PLANE_LABEL), None);
    assert_eq!(m.labels.len(), 2);
    assert_eq!(
        m.annotation("harvesterhci.io/maintain-status"),
        Some("running")
    );
    assert_eq!(m.annotations.len(), 1);
    // Nothing of them is left in the object's metadata to be read another way.
    assert_eq!(
        (&m.metadata.labels, &m.metadata.annotations),
        (&None, &None)
    );
}
