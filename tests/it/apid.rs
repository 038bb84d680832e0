//! The simulated apid routes requests as the real one does (the Talos reference, "What follows
//! for a client and for a faithful simulator"), and the client reads the replies that way: with
//! `node` a reply has no metadata and a failure is a plain status without an `rpc error:`
//! prefix; `nodes` fans out, each header value one node, and wins over `node`; streams fan out
//! too.

use std::time::Duration;

use futures::StreamExt;
use tonic::Request;
use tonic::metadata::MetadataValue;

use opsdeck::clients::talos::client::TalosClient;
use opsdeck::clients::talos::config::Talosconfig;
use opsdeck::clients::talos::proto::machine::DmesgRequest;

use crate::common;

async fn media_client(sim: &opsdeck_sim::Simulator) -> (TalosClient, Vec<String>) {
    let yaml = sim.talosconfig_yaml().expect("talos is simulated");
    let cfg = Talosconfig::parse("sim", &yaml).expect("talosconfig");
    let media = cfg
        .contexts
        .iter()
        .find(|c| c.name == "media")
        .expect("media");
    let client = TalosClient::new(media, Duration::from_secs(3)).expect("client");
    (client, media.nodes.clone())
}

fn with(keys: &[(&'static str, &str)]) -> Request<()> {
    let mut req = Request::new(());
    for (key, value) in keys {
        let value = MetadataValue::try_from(*value).expect("ascii");
        req.metadata_mut().append(*key, value);
    }
    req
}

#[tokio::test]
async fn node_passes_through_and_nodes_fans_out() {
    let sim = common::frozen_sim_with_talos().await;
    let (client, nodes) = media_client(&sim).await;
    let (a, b) = (&nodes[0], &nodes[1]);
    let mut m = client.machine();

    // `node`: machined's own reply, no metadata at all.
    let one = m
        .version(with(&[("node", a)]))
        .await
        .expect("version")
        .into_inner();
    assert_eq!(one.messages.len(), 1);
    assert_eq!(one.messages[0].metadata, None);

    // `nodes`: one entry per header value, each with its hostname; a value with a comma is
    // one (unknown) node, not two.
    let many = m
        .version(with(&[
            ("nodes", a),
            ("nodes", b),
            ("nodes", &format!("{a},{b}")),
        ]))
        .await
        .expect("version")
        .into_inner();
    let hosts: Vec<(String, bool)> = many
        .messages
        .iter()
        .map(|v| {
            let md = v.metadata.clone().unwrap_or_default();
            (md.hostname, md.error.is_empty())
        })
        .collect();
    assert_eq!(
        hosts,
        [
            (a.clone(), true),
            (b.clone(), true),
            (format!("{a},{b}"), false)
        ]
    );

    // Both keys: `nodes` wins.
    let both = m
        .version(with(&[("node", a), ("nodes", b)]))
        .await
        .expect("version")
        .into_inner();
    assert_eq!(
        both.messages[0]
            .metadata
            .as_ref()
            .map(|m| m.hostname.as_str()),
        Some(b.as_str())
    );

    // `node` twice is refused.
    let twice = m
        .version(with(&[("node", a), ("node", b)]))
        .await
        .expect_err("refused");
    assert_eq!(twice.code(), tonic::Code::InvalidArgument);
    assert_eq!(twice.message(), "node metadata must be single-valued");
}

#[tokio::test]
async fn an_unreachable_target_is_a_plain_status_worded_as_apid_words_it() {
    let sim = common::frozen_sim_with_talos().await;
    let (client, nodes) = media_client(&sim).await;
    let victim = &nodes[1];
    sim.talos.as_ref().expect("talos").set_down(victim, true);

    let status = client
        .machine()
        .version(with(&[("node", victim)]))
        .await
        .expect_err("down");
    assert_eq!(status.code(), tonic::Code::Unavailable);
    assert!(
        status
            .message()
            .starts_with("connection error: desc = \"transport: Error while dialing: dial tcp"),
        "{}",
        status.message()
    );
    // Fanned out, the same failure is an entry with only its error.
    let many = client
        .machine()
        .version(with(&[("nodes", victim)]))
        .await
        .expect("fan-out succeeds")
        .into_inner();
    let md = many.messages[0].metadata.clone().expect("metadata");
    assert_eq!(md.hostname, *victim);
    assert!(md.error.starts_with("connection error:"), "{md:?}");
    assert!(many.messages[0].version.is_none());

    // What the cockpit shows: the status, without a doubled prefix.
    let row = client.snapshot(victim).await;
    let error = row.error.expect("an error");
    assert!(
        error.starts_with("Unavailable: connection error:") && !error.contains("rpc error:"),
        "{error}"
    );
    // A reachable node's row has its hostname from its own answer.
    let row = client.snapshot(&nodes[0]).await;
    assert_eq!(row.hostname.as_deref(), Some(nodes[0].as_str()));
}

#[tokio::test]
async fn a_stream_fans_out_with_each_chunk_tagged() {
    let sim = common::frozen_sim_with_talos().await;
    let (client, nodes) = media_client(&sim).await;
    let (a, b) = (&nodes[0], &nodes[1]);
    let mut req = Request::new(DmesgRequest {
        follow: false,
        tail: false,
    });
    for n in [a, b] {
        req.metadata_mut()
            .append("nodes", MetadataValue::try_from(n.as_str()).expect("ascii"));
    }
    let chunks: Vec<_> = client
        .machine()
        .dmesg(req)
        .await
        .expect("stream")
        .into_inner()
        .collect()
        .await;
    let mut from: Vec<String> = chunks
        .iter()
        .map(|c| {
            let c = c.as_ref().expect("chunk");
            assert!(!c.bytes.is_empty());
            c.metadata.clone().map(|m| m.hostname).unwrap_or_default()
        })
        .collect();
    from.dedup();
    from.sort();
    from.dedup();
    let mut expected = vec![a.clone(), b.clone()];
    expected.sort();
    assert_eq!(from, expected, "every chunk says its node");
}
