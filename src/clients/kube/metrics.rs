//! Polling the Metrics API (`metrics.k8s.io/v1beta1`) of one cluster while the kind browser
//! shows pods or nodes: it has no watch, so the list is asked for at metrics-server's
//! resolution; for nodes the allocatable capacity comes along (one small list) so usage can be
//! shown as a share. Only the numbers travel back.

use std::collections::HashSet;
use std::time::Duration;

use kube::Client;
use tokio::task::JoinHandle;

use super::get_json;
use crate::clients::Sink;
use crate::clients::error::ClientError;
use crate::model::metrics::{self, MetricsOf, Report};
use crate::model::store::ObjRef;

/// Above this many pods without known requests and limits, one list beats a GET per pod.
const LIST_ABOVE: usize = 20;

/// The requests and limits of the pods in `new` (namespace, name): one GET each when they
/// are few, else one list of the namespace (or all) keeping only theirs.
async fn resources_of(
    client: &Client,
    namespace: Option<&str>,
    new: &[(String, String)],
) -> Vec<((String, String), metrics::Resources)> {
    if new.len() > LIST_ABOVE {
        let path = match namespace {
            Some(ns) => format!("/api/v1/namespaces/{ns}/pods"),
            None => "/api/v1/pods".to_string(),
        };
        let wanted: HashSet<&(String, String)> = new.iter().collect();
        return match get_json(client, &path).await {
            Ok(list) => metrics::pod_resources(&list)
                .into_iter()
                .filter(|(k, _)| wanted.contains(k))
                .collect(),
            Err(_) => Vec::new(),
        };
    }
    // One task per pod, each owning what it asks with (they are few).
    let mut asked = tokio::task::JoinSet::new();
    for (ns, name) in new {
        let (client, path) = (
            client.clone(),
            format!("/api/v1/namespaces/{ns}/pods/{name}"),
        );
        asked.spawn(async move { get_json(&client, &path).await.ok() });
    }
    let mut found = Vec::new();
    while let Some(answer) = asked.join_next().await {
        if let Ok(Some(pod)) = answer {
            found.extend(metrics::pod_resources(&pod));
        }
    }
    found
}

async fn poll_once(
    client: &Client,
    cluster: &str,
    of: MetricsOf,
    namespace: Option<&str>,
    known: &mut HashSet<(String, String)>,
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
        MetricsOf::Pods => {
            let usage = metrics::pod_usage(&list);
            // Requests and limits never change in a pod's life: asked for once per pod.
            known.retain(|k| usage.iter().any(|(u, _)| u == k));
            let new: Vec<(String, String)> = usage
                .iter()
                .map(|(k, _)| k.clone())
                .filter(|k| !known.contains(k))
                .collect();
            let resources = resources_of(client, namespace, &new).await;
            known.extend(resources.iter().map(|(k, _)| k.clone()));
            Report {
                usage: usage
                    .into_iter()
                    .map(|((ns, name), u)| (key(ns, name), u))
                    .collect(),
                allocatable: Vec::new(),
                resources: resources
                    .into_iter()
                    .map(|((ns, name), r)| (key(ns, name), r))
                    .collect(),
            }
        }
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
                resources: Vec::new(),
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
        let mut known = HashSet::new();
        loop {
            interval.tick().await;
            let report = poll_once(&client, &cluster, of, namespace.as_deref(), &mut known).await;
            if !sink.send(report) {
                return;
            }
        }
    })
}
