//! The simulated API server's Table output, as `kubectl get` asks for it: columns from each
//! kind's printer columns (checked against the upstream CRDs), Name/Age for kinds without,
//! the built-ins' own, `includeObject`, a 406 for an unknown Table version, a single GET, and
//! watches whose first event alone carries the column definitions.

use crate::common;

use std::time::Duration;

use kube::Client;
use serde_json::{Value, json};

const KUBECTL_ACCEPT: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

async fn get(client: &Client, path: &str, accept: &str) -> Result<Value, kube::Error> {
    let request = http::Request::get(path)
        .header(http::header::ACCEPT, accept)
        .body(Vec::new())
        .expect("request");
    let text = client.request_text(request).await?;
    Ok(serde_json::from_str(&text).expect("JSON"))
}

fn column_names(table: &Value) -> Vec<String> {
    table["columnDefinitions"]
        .as_array()
        .expect("column definitions")
        .iter()
        .map(|c| c["name"].as_str().unwrap_or("").to_string())
        .collect()
}

/// The printer column names the upstream CRD declares for a version, when CI provides the CRDs.
fn upstream_columns(file: &str, version: &str) -> Option<Vec<String>> {
    let dir = std::env::var_os("OPSDECK_UPSTREAM_CRDS")?;
    let text = std::fs::read_to_string(std::path::Path::new(&dir).join(file)).expect("CRD file");
    let crd: Value = serde_saphyr::from_str(&text).expect("CRD YAML");
    let v = crd["spec"]["versions"]
        .as_array()?
        .iter()
        .find(|v| v["name"] == version)?
        .clone();
    Some(
        v["additionalPrinterColumns"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| c["name"].as_str().unwrap_or("").to_string())
            .collect(),
    )
}

#[tokio::test]
async fn machines_print_their_crd_columns_with_metadata_by_default() {
    let sim = common::frozen_sim().await;
    let client = common::admin(&sim).await;
    let path = "/apis/cluster.x-k8s.io/v1beta2/namespaces/media/machines?limit=500";
    let table = get(&client, path, KUBECTL_ACCEPT).await.expect("table");
    assert_eq!(table["kind"], "Table");
    assert_eq!(table["apiVersion"], "meta.k8s.io/v1");
    let names = column_names(&table);
    assert_eq!(names[0], "Name");
    if let Some(upstream) = upstream_columns("cluster.x-k8s.io_machines.yaml", "v1beta2") {
        assert_eq!(
            names[1..],
            upstream[..],
            "the CRD's printer columns, in order"
        );
    }
    let phase_at = names
        .iter()
        .position(|n| n == "Phase")
        .expect("Phase column");
    let age_at = names.iter().position(|n| n == "Age").expect("Age column");
    let rows = table["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 6, "media's Machines");
    for row in rows {
        let name = row["cells"][0].as_str().expect("name");
        let kind = opsdeck_sim::kinds::kind_id("Machine").expect("kind");
        let stored = sim
            .db()
            .get(&(kind, "media".to_string(), name.to_string()))
            .cloned()
            .expect("the row's object");
        assert_eq!(row["cells"][phase_at], stored["status"]["phase"], "{name}");
        let age = row["cells"][age_at].as_str().expect("age");
        assert!(
            age.ends_with(['s', 'm', 'h', 'd', 'y'])
                && age.starts_with(|c: char| c.is_ascii_digit()),
            "{age}"
        );
        assert_eq!(row["object"]["kind"], "PartialObjectMetadata");
        assert_eq!(row["object"]["metadata"]["name"], name);
        assert!(row["object"].get("spec").is_none());
    }
    let bare = get(
        &client,
        &format!("{path}&includeObject=None"),
        KUBECTL_ACCEPT,
    )
    .await
    .expect("table");
    assert!(bare["rows"][0].get("object").is_none());
    let full = get(
        &client,
        &format!("{path}&includeObject=Object"),
        KUBECTL_ACCEPT,
    )
    .await
    .expect("table");
    assert_eq!(full["rows"][0]["object"]["kind"], "Machine");
    assert!(full["rows"][0]["object"]["spec"].is_object());
}

/// A row's whole object (`includeObject=Object`, as the pod browser asks) is the object as a
/// GET returns it, managed fields and all, for every row of a page.
#[tokio::test]
async fn a_rows_whole_object_is_the_object_as_stored() {
    let sim = common::frozen_sim().await;
    let client = common::client_for(&sim, "opsdeck-media").await;
    let table = get(
        &client,
        "/api/v1/pods?includeObject=Object&limit=10",
        KUBECTL_ACCEPT,
    )
    .await
    .expect("table");
    let rows = table["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 10);
    for row in rows {
        let object = &row["object"];
        let path = format!(
            "/api/v1/namespaces/{}/pods/{}",
            object["metadata"]["namespace"].as_str().expect("namespace"),
            object["metadata"]["name"].as_str().expect("name")
        );
        let mut alone = get(&client, &path, "application/json").await.expect("pod");
        // A single object names its kind; inside a Table row it does too.
        alone["kind"] = json!("Pod");
        alone["apiVersion"] = json!("v1");
        assert!(object["metadata"]["managedFields"].is_array(), "{object}");
        assert_eq!(object, &alone);
    }
}

/// A row's metadata (`includeObject=Metadata`, the default and what the pod browser asks for)
/// is the object's metadata as a GET returns it, managed fields and all, on a page written in
/// several chunks (1,200 pods).
#[tokio::test]
async fn a_rows_metadata_is_the_objects_on_a_page_sent_in_chunks() {
    let sim = common::frozen_sim().await;
    let pod = opsdeck_sim::kinds::kind_id("Pod").expect("pods");
    {
        let mut db = sim.cluster_db("media").expect("media");
        let template = db.list(pod, None, None).next().cloned().expect("a pod");
        for i in 0..1200 {
            let mut copy = template.clone();
            let meta = copy["metadata"].as_object_mut().expect("metadata");
            meta.insert("name".into(), json!(format!("chunked-{i:04}")));
            meta.remove("uid");
            meta.insert(
                "managedFields".into(),
                json!([{"manager": "kubelet", "operation": "Update", "apiVersion": "v1",
                    "fieldsType": "FieldsV1",
                    "fieldsV1": {"f:status": {"f:phase": {}, "f:podIP": {}}}}]),
            );
            db.create(pod, copy).expect("create");
        }
    }
    let client = common::client_for(&sim, "opsdeck-media").await;
    let table = get(&client, "/api/v1/pods?limit=2000", KUBECTL_ACCEPT)
        .await
        .expect("table");
    let rows = table["rows"].as_array().expect("rows");
    assert!(rows.len() > 1200, "{} rows", rows.len());
    let bytes = serde_json::to_vec(&table).expect("json").len();
    assert!(
        bytes > 768 * 1024,
        "a page of {bytes} bytes is several chunks"
    );
    for row in rows.iter().step_by(61) {
        let object = &row["object"];
        assert_eq!(object["kind"], "PartialObjectMetadata");
        let metadata = &object["metadata"];
        let path = format!(
            "/api/v1/namespaces/{}/pods/{}",
            metadata["namespace"].as_str().expect("namespace"),
            metadata["name"].as_str().expect("name")
        );
        let alone = get(&client, &path, "application/json").await.expect("pod");
        assert!(metadata["managedFields"].is_array(), "{metadata}");
        assert_eq!(metadata, &alone["metadata"]);
        assert_eq!(row["cells"][0], alone["metadata"]["name"]);
    }
}

#[tokio::test]
async fn kinds_without_printer_columns_and_built_ins_print_as_the_server_does() {
    let sim = common::frozen_sim().await;
    let client = common::admin(&sim).await;
    let projects = get(
        &client,
        "/apis/argoproj.io/v1alpha1/appprojects",
        KUBECTL_ACCEPT,
    )
    .await
    .expect("table");
    assert_eq!(column_names(&projects), ["Name", "Age"]);
    let namespaces = get(&client, "/api/v1/namespaces", KUBECTL_ACCEPT)
        .await
        .expect("table");
    assert_eq!(column_names(&namespaces), ["Name", "Status", "Age"]);
    assert!(
        namespaces["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .all(|r| r["cells"][1] == "Active")
    );
    let nodes = get(&client, "/api/v1/nodes", KUBECTL_ACCEPT)
        .await
        .expect("table");
    assert_eq!(
        column_names(&nodes)[..5],
        ["Name", "Status", "Roles", "Age", "Version"]
    );
    // One object: a Table of one row.
    let one = get(
        &client,
        "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/immich",
        KUBECTL_ACCEPT,
    )
    .await
    .expect("table");
    assert_eq!(one["kind"], "Table");
    assert_eq!(one["rows"][0]["cells"][0], "immich");
    if let Some(upstream) = upstream_columns("argoproj.io_applications.yaml", "v1alpha1") {
        assert_eq!(column_names(&one)[1..], upstream[..]);
    }
    // Plain JSON still comes for plain JSON; an unknown Table version alone is refused.
    let plain = get(&client, "/api/v1/namespaces", "application/json")
        .await
        .expect("list");
    assert_eq!(plain["kind"], "NamespaceList");
    let refused = get(
        &client,
        "/api/v1/namespaces",
        "application/json;as=Table;v=v2;g=meta.k8s.io",
    )
    .await
    .expect_err("406");
    match refused {
        kube::Error::Api(s) => assert_eq!((s.code, s.reason.as_str()), (406, "NotAcceptable")),
        other => panic!("not a 406: {other}"),
    }
}

#[tokio::test]
async fn a_table_watch_sends_column_definitions_once() {
    let sim = common::frozen_sim().await;
    let client = common::admin(&sim).await;
    let list = get(
        &client,
        "/apis/cluster.x-k8s.io/v1beta2/namespaces/media/machinedeployments",
        KUBECTL_ACCEPT,
    )
    .await
    .expect("table");
    let rv = list["metadata"]["resourceVersion"]
        .as_str()
        .expect("rv")
        .to_string();
    let request = http::Request::get(format!(
        "/apis/cluster.x-k8s.io/v1beta2/namespaces/media/machinedeployments?watch=true&resourceVersion={rv}&timeoutSeconds=2"
    ))
    .header(http::header::ACCEPT, KUBECTL_ACCEPT)
    .body(Vec::new())
    .expect("request");
    let watch = tokio::spawn({
        let client = client.clone();
        async move { client.request_text(request).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let kind = opsdeck_sim::kinds::kind_id("MachineDeployment").expect("kind");
    let key = (kind, "media".to_string(), "media-workers".to_string());
    for poke in ["one", "two"] {
        sim.db()
            .modify(&key, |md| md["metadata"]["labels"]["poke"] = json!(poke))
            .expect("patch");
    }
    let text = watch.await.expect("task").expect("watch");
    let events: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("event line"))
        .collect();
    assert_eq!(events.len(), 2, "{text}");
    for event in &events {
        assert_eq!(event["type"], "MODIFIED");
        assert_eq!(event["object"]["kind"], "Table");
        assert_eq!(event["object"]["rows"].as_array().map(Vec::len), Some(1));
        assert_eq!(event["object"]["rows"][0]["cells"][0], "media-workers");
    }
    assert!(events[0]["object"]["columnDefinitions"].is_array());
    assert!(events[1]["object"]["columnDefinitions"].is_null());
    assert_eq!(
        events[1]["object"]["rows"][0]["object"]["metadata"]["labels"]["poke"],
        "two"
    );
}
