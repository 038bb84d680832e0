//! The Talos resource API and event stream on the wire, against the simulated apid, as the
//! reference describes the real one: a watch opens with an empty message, a single-resource
//! watch starts with the resource, a kind watch lists then says BOOTSTRAPPED (only with
//! api_version 1); machined's access filter refuses unknown types, missing namespaces, fan-out
//! and a sensitive type to a non-admin; roles are checked before any call; the event stream opens
//! with an empty event, replays its tail, resumes after an id, and refuses two tails at once.

use std::time::Duration;

use futures::StreamExt;
use tonic::Request;
use tonic::metadata::MetadataValue;

use opsdeck::clients::talos::client::TalosClient;
use opsdeck::clients::talos::config::Talosconfig;
use opsdeck::clients::talos::proto::cosi::resource::state_client::StateClient;
use opsdeck::clients::talos::proto::cosi::resource::{
    EventType, GetRequest, WatchOptions, WatchRequest, WatchResponse,
};
use opsdeck::clients::talos::proto::machine::EventsRequest;
use opsdeck::clients::talos::state::{MACHINE_CONFIGS, MACHINE_STATUS, MEMBERS};
use opsdeck::model::talos_events::What;

use crate::common;

const NODE: &str = "lab-workers-9bn5h-kphlr";

fn lab_client(sim: &opsdeck_sim::Simulator, reader: bool) -> TalosClient {
    let yaml = sim.talosconfig_yaml().expect("talos is simulated");
    let mut cfg = Talosconfig::parse("sim", &yaml).expect("talosconfig");
    let lab = cfg
        .contexts
        .iter_mut()
        .find(|c| c.name == "lab")
        .expect("lab");
    if reader {
        let cert = sim
            .talos
            .as_ref()
            .expect("talos")
            .client_with_role("on-call", "os:reader")
            .expect("cert");
        lab.crt_pem = cert.cert_pem;
        lab.key_pem = cert.key_pem;
    }
    TalosClient::new(lab, Duration::from_secs(3)).expect("client")
}

fn to<T>(key: &'static str, node: &str, msg: T) -> Request<T> {
    let mut req = Request::new(msg);
    req.metadata_mut()
        .insert(key, MetadataValue::try_from(node).expect("ascii"));
    req
}

fn watch_of(ty: (&str, &str), id: Option<&str>, bootstrap: bool, api: i32) -> WatchRequest {
    WatchRequest {
        namespace: ty.0.into(),
        r#type: ty.1.into(),
        id: id.map(str::to_string),
        options: Some(WatchOptions {
            bootstrap_contents: bootstrap,
            ..Default::default()
        }),
        api_version: api,
    }
}

/// The event types of a watch's first `n` messages.
async fn first_messages(
    state: &mut StateClient<tonic::transport::Channel>,
    req: WatchRequest,
    n: usize,
) -> Vec<Vec<(EventType, String)>> {
    let mut stream = state
        .watch(to("node", NODE, req))
        .await
        .expect("watch")
        .into_inner();
    let mut out = Vec::new();
    while out.len() < n {
        let msg: WatchResponse = tokio::time::timeout(Duration::from_secs(5), stream.next())
            .await
            .expect("in time")
            .expect("a message")
            .expect("ok");
        out.push(
            msg.event
                .iter()
                .map(|e| {
                    let id = e
                        .resource
                        .as_ref()
                        .and_then(|r| r.metadata.as_ref())
                        .map(|m| m.id.clone())
                        .unwrap_or_default();
                    (EventType::try_from(e.event_type).expect("known"), id)
                })
                .collect(),
        );
    }
    out
}

#[tokio::test]
async fn watches_open_empty_then_list_as_the_real_state_service_does() {
    let sim = common::frozen_sim_with_talos().await;
    let client = lab_client(&sim, false);
    let mut state = StateClient::new(client.channel());

    // One resource: set up, then its current state.
    let single = first_messages(
        &mut state,
        watch_of(MACHINE_STATUS, Some("machine"), false, 1),
        2,
    )
    .await;
    assert_eq!(single[0], [], "an empty message first");
    assert_eq!(single[1], [(EventType::Created, "machine".into())]);

    // A kind with its contents: every member, sorted, then BOOTSTRAPPED.
    let kind = first_messages(&mut state, watch_of(MEMBERS, None, true, 1), 5).await;
    let ids: Vec<&(EventType, String)> = kind.iter().flatten().collect();
    assert_eq!(ids.len(), 4, "{kind:?}");
    assert!(ids[..3].iter().all(|(t, _)| *t == EventType::Created));
    assert!(
        ids[0].1 < ids[1].1 && ids[1].1 < ids[2].1,
        "sorted: {ids:?}"
    );
    assert_eq!(ids[3].0, EventType::Bootstrapped);
    // api_version 0: the server drops BOOTSTRAPPED.
    let old = first_messages(&mut state, watch_of(MEMBERS, None, true, 0), 4).await;
    assert!(
        old.iter()
            .flatten()
            .all(|(t, _)| *t != EventType::Bootstrapped),
        "{old:?}"
    );
    // A missing resource: DESTROYED with a placeholder.
    let missing = first_messages(
        &mut state,
        watch_of(MACHINE_STATUS, Some("nope"), false, 1),
        2,
    )
    .await;
    assert_eq!(missing[1], [(EventType::Destroyed, "nope".into())]);
}

#[tokio::test]
async fn the_access_filter_refuses_what_machined_refuses() {
    let sim = common::frozen_sim_with_talos().await;
    let admin = lab_client(&sim, false);
    let mut state = StateClient::new(admin.channel());
    let get = |ns: &str, ty: &str, id: &str| GetRequest {
        namespace: ns.into(),
        r#type: ty.into(),
        id: id.into(),
        options: None,
    };
    let status = state
        .get(to("node", NODE, get("runtime", "machinestatus", "machine")))
        .await
        .expect_err("an alias is not a type");
    assert_eq!(status.code(), tonic::Code::PermissionDenied);
    assert!(
        status
            .message()
            .contains("resource type \"machinestatus\" is not supported"),
        "{status:?}"
    );
    let status = state
        .get(to("node", NODE, get("", MACHINE_STATUS.1, "machine")))
        .await
        .expect_err("a namespace is needed");
    assert!(
        status.message().contains("namespace \"\" is not supported"),
        "{status:?}"
    );
    let status = state
        .get(to(
            "nodes",
            NODE,
            get("runtime", MACHINE_STATUS.1, "machine"),
        ))
        .await
        .expect_err("no fan-out for COSI");
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    let status = state
        .get(to("node", NODE, get("runtime", MACHINE_STATUS.1, "other")))
        .await
        .expect_err("no such id");
    assert_eq!(status.code(), tonic::Code::NotFound);

    // Both spec forms, and the config as a YAML string holding the config.
    let config = admin
        .get_spec(NODE, MACHINE_CONFIGS, "v1alpha1")
        .await
        .expect("admin reads the config");
    let text: String = serde_saphyr::from_str(&config).expect("a YAML string");
    assert!(text.starts_with("version: v1alpha1"), "{text}");

    // A reader may read the status, not the config, and may not reboot.
    let reader = lab_client(&sim, true);
    assert!(
        reader
            .get_spec(NODE, MACHINE_STATUS, "machine")
            .await
            .is_ok(),
        "a reader reads the machine status"
    );
    let refused = reader
        .get_spec(NODE, MACHINE_CONFIGS, "v1alpha1")
        .await
        .expect_err("sensitive");
    assert!(refused.contains("PermissionDenied"), "{refused}");
    let reboot = reader
        .machine()
        .reboot(to("node", NODE, Default::default()))
        .await
        .expect_err("os:reader may not reboot");
    assert_eq!(reboot.code(), tonic::Code::PermissionDenied);
    assert_eq!(reboot.message(), "not authorized");
}

#[tokio::test]
async fn the_event_stream_replays_its_tail_and_resumes_after_an_id() {
    let sim = common::frozen_sim_with_talos().await;
    let client = lab_client(&sim, false);
    let events = |req: EventsRequest| {
        let mut m = client.machine();
        async move {
            let mut stream = m
                .events(to("node", NODE, req))
                .await
                .expect("events")
                .into_inner();
            let hello = stream.next().await.expect("hello").expect("ok");
            assert!(
                hello.data.as_ref().is_none_or(|d| d.type_url.is_empty()),
                "the first event is empty"
            );
            let mut got = Vec::new();
            while let Ok(Some(Ok(e))) =
                tokio::time::timeout(Duration::from_millis(700), stream.next()).await
            {
                got.push(e);
            }
            got
        }
    };
    let tail = events(EventsRequest {
        tail_events: 5,
        ..Default::default()
    })
    .await;
    assert_eq!(tail.len(), 5);
    let decoded: Vec<What> = tail
        .iter()
        .cloned()
        .filter_map(opsdeck::clients::talos::state::decode)
        .map(|e| e.what)
        .collect();
    assert!(
        matches!(decoded.last(), Some(What::Sequence { name, action: "stopped", .. }) if name == "boot"),
        "{decoded:?}"
    );
    assert!(
        decoded
            .iter()
            .any(|w| matches!(w, What::Stage { ready: false, .. })),
        "the failing kubelet keeps the machine not ready: {decoded:?}"
    );
    // Resume after the third: the last two again.
    let resumed = events(EventsRequest {
        tail_id: tail[2].id.clone(),
        ..Default::default()
    })
    .await;
    let ids = |v: &[opsdeck::clients::talos::proto::machine::Event]| {
        v.iter().map(|e| e.id.clone()).collect::<Vec<_>>()
    };
    assert_eq!(ids(&resumed), ids(&tail[3..]));
    // Every xid is 20 characters and they only grow.
    assert!(tail.iter().all(|e| e.id.len() == 20));
    assert!(tail.windows(2).all(|w| w[0].id < w[1].id));
    let both = client
        .machine()
        .events(to(
            "node",
            NODE,
            EventsRequest {
                tail_events: 1,
                tail_seconds: 10,
                ..Default::default()
            },
        ))
        .await
        .expect_err("one tail at most");
    assert_eq!(both.code(), tonic::Code::InvalidArgument);
}

#[tokio::test]
async fn a_new_machine_gets_an_apid_of_its_own_and_loses_it_with_the_machine() {
    let sim = common::frozen_sim_with_talos().await;
    let registry = sim.talos.as_ref().expect("talos").registry.clone();
    let mgmt = common::admin(&sim).await;
    let md = "/apis/cluster.x-k8s.io/v1beta2/namespaces/media/machinedeployments/media-workers";
    common::merge_patch(&mgmt, md, serde_json::json!({"spec": {"replicas": 4}})).await;
    for _ in 0..10 {
        sim.controllers().tick();
    }
    let media_workers = |sim: &opsdeck_sim::Simulator| -> Vec<String> {
        let db = sim.db();
        let kind = opsdeck_sim::kinds::kind_id("Machine").expect("Machine");
        db.list(kind, Some("media"), None)
            .filter_map(|m| m["metadata"]["name"].as_str().map(str::to_string))
            .filter(|n| n.starts_with("media-workers-"))
            .collect()
    };
    let workers = media_workers(&sim);
    assert_eq!(workers.len(), 4, "{workers:?}");
    // Every worker, the new one too, answers on its own address for itself.
    let yaml = sim.talosconfig_yaml().expect("talos is simulated");
    let cfg = Talosconfig::parse("sim", &yaml).expect("talosconfig");
    let media = cfg
        .contexts
        .iter()
        .find(|c| c.name == "media")
        .expect("media");
    let mut clients = std::collections::BTreeMap::new();
    for worker in &workers {
        let addr = registry.apid_addr(worker).expect("an apid of its own");
        let mut ctx = media.clone();
        ctx.endpoints = vec![addr.to_string()];
        let client = TalosClient::new(&ctx, Duration::from_secs(3)).expect("client");
        let hostname = client
            .machine()
            .hostname(Request::new(()))
            .await
            .expect("it answers for itself")
            .into_inner()
            .messages[0]
            .hostname
            .clone();
        assert_eq!(&hostname, worker);
        clients.insert(worker.clone(), ctx);
    }
    assert!(
        workers.iter().any(|w| !media.nodes.contains(w)),
        "one is new since the talosconfig was written"
    );

    // Scaled back in: one worker's Machine goes, and its apid with it.
    common::merge_patch(&mgmt, md, serde_json::json!({"spec": {"replicas": 3}})).await;
    for _ in 0..6 {
        sim.controllers().tick();
    }
    let gone: Vec<String> = workers
        .iter()
        .filter(|w| !media_workers(&sim).contains(w))
        .cloned()
        .collect();
    assert_eq!(gone.len(), 1, "{gone:?}");
    assert_eq!(registry.apid_addr(&gone[0]), None);
    // A fresh connection to where it listened is refused: no apid answers there at all (a
    // running apid would have said its node cannot be dialled).
    let client = TalosClient::new(&clients[&gone[0]], Duration::from_secs(3)).expect("client");
    let refused = tokio::time::timeout(
        Duration::from_secs(5),
        client.machine().hostname(Request::new(())),
    )
    .await
    .expect("in time")
    .expect_err("its apid is gone");
    assert_eq!(refused.code(), tonic::Code::Unavailable, "{refused:?}");
    assert!(
        !refused.message().contains("Error while dialing"),
        "{refused:?}"
    );
}
