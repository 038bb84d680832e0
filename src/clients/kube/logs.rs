//! A pod container's log, read as `kubectl logs -f --tail` reads it: the pod first (its
//! containers, and which is the default), then `pods/<name>/log`, streamed. Text goes to the
//! app in whole lines, decoded lossily so a stray byte cannot end the stream.

use futures::AsyncBufReadExt;
use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, LogParams};
use tokio::task::JoinHandle;

use crate::clients::Sink;
use crate::clients::error::ClientError;
use crate::model::store::ObjRef;

/// Lines asked for from the end of the log, as `kubectl logs --tail`.
pub const TAIL_LINES: i64 = 500;

/// kubectl's annotation naming the container `logs` and `exec` pick by default.
const DEFAULT_CONTAINER: &str = "kubectl.kubernetes.io/default-container";

#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogAsk {
    /// `None`: the pod's default container.
    pub container: Option<String>,
    /// The last terminated run instead of the current one (not followed: it is over).
    pub previous: bool,
    pub timestamps: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LogReport {
    /// The pod's containers (init containers last) and the one being read.
    Containers {
        names: Vec<String>,
        reading: String,
    },
    /// Complete lines, each ending in a newline.
    Text(String),
    /// The server closed the stream: the container stopped, or an earlier run's log ended.
    Ended,
    Failed(ClientError),
}

pub fn stream(client: Client, key: ObjRef, ask: LogAsk, sink: Sink<LogReport>) -> JoinHandle<()> {
    tokio::spawn(async move {
        if let Err(e) = read(client, &key, &ask, &sink).await {
            sink.send(LogReport::Failed(e));
        }
    })
}

async fn read(
    client: Client,
    key: &ObjRef,
    ask: &LogAsk,
    sink: &Sink<LogReport>,
) -> Result<(), ClientError> {
    let pods: Api<Pod> = Api::namespaced(client, &key.namespace);
    let pod = pods
        .get(&key.name)
        .await
        .map_err(|e| ClientError::from_kube(&e))?;
    let names = container_names(&pod);
    let reading = ask
        .container
        .clone()
        .or_else(|| default_container(&pod))
        .ok_or_else(|| ClientError::Invalid(format!("pod {} has no containers", key.name)))?;
    let report = LogReport::Containers {
        names,
        reading: reading.clone(),
    };
    if !sink.send(report) {
        return Ok(());
    }
    let params = LogParams {
        container: Some(reading),
        follow: !ask.previous,
        previous: ask.previous,
        tail_lines: Some(TAIL_LINES),
        timestamps: ask.timestamps,
        ..LogParams::default()
    };
    let reader = pods
        .log_stream(&key.name, &params)
        .await
        .map_err(|e| ClientError::from_kube(&e))?;
    let mut reader = Box::pin(reader);
    // Bytes after the last newline wait for the rest of their line (and of their character).
    let mut pending: Vec<u8> = Vec::new();
    loop {
        let chunk = reader
            .fill_buf()
            .await
            .map_err(|e| ClientError::Unreachable(e.to_string()))?;
        if chunk.is_empty() {
            break;
        }
        let read = chunk.len();
        pending.extend_from_slice(chunk);
        reader.consume_unpin(read);
        if let Some(end) = pending.iter().rposition(|b| *b == b'\n') {
            let lines: Vec<u8> = pending.drain(..=end).collect();
            if !sink.send(LogReport::Text(
                String::from_utf8_lossy(&lines).into_owned(),
            )) {
                return Ok(());
            }
        }
    }
    if !pending.is_empty() {
        pending.push(b'\n');
        sink.send(LogReport::Text(
            String::from_utf8_lossy(&pending).into_owned(),
        ));
    }
    sink.send(LogReport::Ended);
    Ok(())
}

fn container_names(pod: &Pod) -> Vec<String> {
    let Some(spec) = pod.spec.as_ref() else {
        return Vec::new();
    };
    spec.containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
        .map(|c| c.name.clone())
        .collect()
}

/// The annotated default container if the pod has it, else the first, as kubectl picks.
fn default_container(pod: &Pod) -> Option<String> {
    let names = container_names(pod);
    pod.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(DEFAULT_CONTAINER))
        .filter(|name| names.contains(name))
        .cloned()
        .or_else(|| names.into_iter().next())
}
