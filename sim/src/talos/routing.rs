//! How the simulated apid routes a request, as the real one does (see "What follows for a
//! client and for a faithful simulator" in the Talos reference): no key answers for the
//! endpoint itself; `node` (exactly one value) passes the call through to machined, whose reply
//! carries no `common.Metadata` and whose failure is a plain gRPC status; `nodes` (one header
//! value per node, never split on commas; it wins over `node`) fans out, each reply entry with
//! its node's metadata and a failing node as an entry with only `metadata.error`. Streams may
//! fan out too, each chunk with its node's metadata.

use std::pin::Pin;
use std::time::Duration;

use futures::Stream;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Status};

use super::NodeApi;
use super::node::NodeState;
use crate::proto::common::{Data, Metadata, RpcStatus};

pub(super) enum Targets {
    Local,
    One(String),
    Many(Vec<String>),
}

pub(super) fn targets<T>(req: &Request<T>) -> Result<Targets, Status> {
    let md = req.metadata();
    let values = |key: &str| -> Vec<String> {
        md.get_all(key)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect()
    };
    let nodes = values("nodes");
    if !nodes.is_empty() {
        return Ok(Targets::Many(nodes));
    }
    let node = values("node");
    match node.as_slice() {
        [] => Ok(Targets::Local),
        [one] => Ok(Targets::One(one.clone())),
        _ => Err(Status::invalid_argument(
            "node metadata must be single-valued",
        )),
    }
}

/// How apid words a target it cannot dial.
pub(super) fn unreachable(node: &str) -> String {
    format!(
        "connection error: desc = \"transport: Error while dialing: dial tcp {node}:50000: connect: no route to host\""
    )
}

/// A failed node's entry in a fan-out reply.
pub(super) fn failed(node: &str, status: &Status) -> Metadata {
    Metadata {
        hostname: node.to_string(),
        error: status.message().to_string(),
        status: Some(RpcStatus {
            code: status.code() as i32,
            message: status.message().to_string(),
        }),
    }
}

/// Messages that carry per-node metadata in field 1.
pub(super) trait WithMeta: Default {
    fn set_meta(&mut self, m: Option<Metadata>);
}

pub(super) type DataStream = Pin<Box<dyn Stream<Item = Result<Data, Status>> + Send>>;

impl NodeApi {
    fn up(&self, node: &str) -> Result<NodeState, Status> {
        self.registry
            .state_of_up(node)
            .ok_or_else(|| Status::unavailable(unreachable(node)))
    }

    /// Run `make` for each target node, shaped as apid shapes replies.
    pub(super) fn answer<T: WithMeta>(
        &self,
        targets: Targets,
        make: impl Fn(&NodeState) -> Result<T, Status>,
    ) -> Result<Vec<T>, Status> {
        let passed_through = |node: &str| {
            let mut m = make(&self.up(node)?)?;
            // machined never fills the metadata; only a fan-out adds it.
            m.set_meta(None);
            Ok(vec![m])
        };
        match targets {
            Targets::Local => passed_through(&self.me.clone()),
            Targets::One(node) => passed_through(&node),
            Targets::Many(nodes) => Ok(nodes
                .into_iter()
                .map(|node| {
                    let mut m = T::default();
                    match self.up(&node).and_then(|s| make(&s)) {
                        Ok(made) => {
                            m = made;
                            m.set_meta(Some(Metadata {
                                hostname: node,
                                ..Default::default()
                            }));
                        }
                        Err(status) => m.set_meta(Some(failed(&node, &status))),
                    }
                    m
                })
                .collect()),
        }
    }

    /// A stream only one node can answer (the LifecycleService and ImageService calls, which
    /// apid does not fan out).
    pub(super) fn stream_target<T>(&self, req: &Request<T>) -> Result<NodeState, Status> {
        let node = match targets(req)? {
            Targets::Local => self.me.clone(),
            Targets::One(n) => n,
            Targets::Many(_) => {
                return Err(Status::invalid_argument(
                    "one-2-many proxying is not supported for this method",
                ));
            }
        };
        self.up(&node)
    }

    /// A MachineService stream to one node or many: `open` makes a node's text stream; with
    /// `nodes`, every chunk carries its node's metadata and a node that fails is one chunk
    /// with its error.
    pub(super) fn text_streams<T>(
        &self,
        req: &Request<T>,
        open: impl Fn(NodeState) -> Result<TextStream, Status>,
    ) -> Result<DataStream, Status> {
        match targets(req)? {
            Targets::Local => open(self.up(&self.me.clone())?).map(|s| s.run(None)),
            Targets::One(node) => open(self.up(&node)?).map(|s| s.run(None)),
            Targets::Many(nodes) => {
                let streams = nodes
                    .into_iter()
                    .map(|node| match self.up(&node).and_then(&open) {
                        Ok(s) => s.run(Some(node)),
                        Err(status) => {
                            let chunk = Data {
                                metadata: Some(failed(&node, &status)),
                                bytes: Vec::new(),
                            };
                            Box::pin(tokio_stream::iter([Ok(chunk)])) as DataStream
                        }
                    });
                Ok(Box::pin(futures::stream::select_all(streams)))
            }
        }
    }
}

/// A node's log: lines already there, then (when following) one more every `every`.
pub(super) struct TextStream {
    pub first: Vec<String>,
    pub follow: bool,
    pub every: Duration,
    pub next: Box<dyn Fn(u64) -> String + Send>,
}

impl TextStream {
    /// Send the chunks until the client goes; each tagged with `node` when fanned out.
    fn run(self, node: Option<String>) -> DataStream {
        let (tx, rx) = mpsc::channel::<Result<Data, Status>>(64);
        let meta = node.map(|hostname| Metadata {
            hostname,
            ..Default::default()
        });
        let chunk = move |text: String| Data {
            metadata: meta.clone(),
            bytes: text.into_bytes(),
        };
        tokio::spawn(async move {
            let start = self.first.len() as u64;
            for text in self.first {
                if tx.send(Ok(chunk(text))).await.is_err() {
                    return;
                }
            }
            if !self.follow {
                return;
            }
            let mut n = start;
            let mut tick = tokio::time::interval(self.every);
            tick.tick().await;
            loop {
                tick.tick().await;
                if tx.send(Ok(chunk((self.next)(n)))).await.is_err() {
                    return;
                }
                n += 1;
            }
        });
        Box::pin(ReceiverStream::new(rx))
    }
}
