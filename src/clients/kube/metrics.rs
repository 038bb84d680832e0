//! Polling the Metrics API (`metrics.k8s.io/v1beta1`) of one cluster while the kind browser
//! shows pods or nodes: it has no watch, so the list is asked for at metrics-server's
//! resolution; for nodes the allocatable capacity comes along (one small list) so usage can be
//! shown as a share. Only the numbers travel back.

use std::time::Duration;

use kube::Client;
use tokio::task::JoinHandle;

use crate::clients::Sink;
use crate::clients::error::ClientError;
use crate::model::metrics::{self, MetricsOf, Report};
use crate::model::store::ObjRef;

async fn get_json(client: &Client, path: &str) -> Result<serde_json::Value, ClientError> {
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

async fn poll_once(
    client: &Client,
    cluster: &str,
    of: MetricsOf,
    namespace: Option<&str>,
) -> Result<Report, ClientError> {
    let base = "/apis/metrics.k8s.io/v1beta1";
    let path = match (of, namespace) {
        (MetricsOf::Pods, Some(ns)) => format!("{base}/namespaces/{ns}/pods"),
        (MetricsOf::Pods, None) => format!("{base}/pods"),
        (MetricsOf::Nodes, _) => format!("{base}/nodes"),
    };
    let list = get_json(client, &path).await?;
    let key = |ns: String, name: String| ObjRef::in_cluster(cluster, ns, name);
    Ok(match of {
        MetricsOf::Pods => Report {
            usage: metrics::pod_usage(&list)
                .into_iter()
                .map(|((ns, name), u)| (key(ns, name), u))
                .collect(),
            allocatable: Vec::new(),
        },
        MetricsOf::Nodes => {
            let nodes = get_json(client, "/api/v1/nodes").await?;
            let by_name = |list: Vec<(String, metrics::Usage)>| {
                list.into_iter()
                    .map(|(name, u)| (key(String::new(), name), u))
                    .collect()
            };
            Report {
                usage: by_name(metrics::node_usage(&list)),
                allocatable: by_name(metrics::allocatable(&nodes)),
            }
        }
    })
}

/// Poll every `every` until the task is aborted or nobody listens.
pub fn poll(
    client: Client,
    cluster: String,
    of: MetricsOf,
    namespace: Option<String>,
    every: Duration,
    sink: Sink<Result<Report, ClientError>>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            let report = poll_once(&client, &cluster, of, namespace.as_deref()).await;
            if !sink.send(report) {
                return;
            }
        }
    })
}
