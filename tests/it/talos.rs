//! The Talos client against the simulated apid over mTLS: snapshots through an endpoint, a
//! down node isolated, a wrong CA rejected, logs streaming.

use crate::common;

use std::time::Duration;

use futures::StreamExt;

use opsdeck::clients::talos::client::TalosClient;
use opsdeck::clients::talos::config::{TalosContext, Talosconfig};
use opsdeck_sim::tls::TestCa;

fn contexts(sim: &opsdeck_sim::Simulator) -> Talosconfig {
    let yaml = sim.talosconfig_yaml().expect("talos is simulated");
    assert!(yaml.contains("key:"), "{yaml}");
    Talosconfig::parse("sim", &yaml).expect("generated talosconfig parses")
}

fn context<'a>(cfg: &'a Talosconfig, name: &str) -> &'a TalosContext {
    cfg.contexts
        .iter()
        .find(|c| c.name == name)
        .expect("context")
}

#[tokio::test]
async fn control_plane_and_worker_snapshots_through_one_endpoint() {
    let sim = common::frozen_sim_with_talos().await;
    let cfg = contexts(&sim);
    let media = context(&cfg, "media");
    assert_eq!(media.endpoints.len(), 3, "control planes are the endpoints");
    assert_eq!(media.nodes.len(), 6);
    let client = TalosClient::new(media, Duration::from_secs(3)).expect("client");

    let cp = media
        .nodes
        .iter()
        .find(|n| n.starts_with("media-cp-"))
        .expect("cp");
    let row = client.snapshot(cp).await;
    assert_eq!(row.error, None, "{row:?}");
    assert_eq!(row.talos_version.as_deref(), Some("v1.13.2"));
    assert_eq!(row.hostname.as_deref(), Some(cp.as_str()));
    let etcd = row.etcd.as_ref().expect("control planes have etcd");
    assert_eq!(etcd.members.len(), 3);
    let services = row.services.as_ref().expect("services");
    assert!(
        services
            .iter()
            .any(|s| s.id == "etcd" && s.state == "Running")
    );
    let mem = row.memory_used_pct.expect("memory");
    assert!((10.0..90.0).contains(&mem), "{mem}");
    assert!(row.boot_time.is_some() && row.load1.is_some());

    let worker = media
        .nodes
        .iter()
        .find(|n| n.starts_with("media-workers-") && !n.ends_with("srl96"))
        .expect("worker");
    let row = client.snapshot(worker).await;
    assert_eq!(row.error, None, "{row:?}");
    assert!(row.etcd.is_none(), "workers have no etcd");
    assert!(!row.is_control_plane());
}

#[tokio::test]
async fn a_node_that_does_not_answer_is_isolated() {
    let sim = common::frozen_sim_with_talos().await;
    let cfg = contexts(&sim);
    let lab = context(&cfg, "lab");
    let client = TalosClient::new(lab, Duration::from_secs(2)).expect("client");
    let talos = sim.talos.as_ref().expect("talos");
    let victim = lab
        .nodes
        .iter()
        .find(|n| n.contains("workers"))
        .expect("worker")
        .clone();
    talos.set_down(&victim, true);
    let rows = futures::future::join_all(lab.nodes.iter().map(|n| client.snapshot(n))).await;
    for row in &rows {
        if row.key.name == victim {
            let err = row.error.as_deref().expect("down node reports an error");
            assert!(err.contains("Unavailable"), "{err}");
            assert!(row.services.is_none());
        } else {
            assert_eq!(row.error, None, "{row:?}");
        }
    }
    // The provisioning media worker is down until its Machine runs.
    let media = context(&cfg, "media");
    let client = TalosClient::new(media, Duration::from_secs(2)).expect("client");
    let booting = media
        .nodes
        .iter()
        .find(|n| n.ends_with("srl96"))
        .expect("provisioning node");
    assert!(client.snapshot(booting).await.error.is_some());
    for _ in 0..8 {
        sim.controllers().tick();
    }
    assert_eq!(
        client.snapshot(booting).await.error,
        None,
        "up once its Machine is Running"
    );
}

#[tokio::test]
async fn a_wrong_ca_is_rejected() {
    let sim = common::frozen_sim_with_talos().await;
    let cfg = contexts(&sim);
    let mut lab = context(&cfg, "lab").clone();
    lab.ca_pem = TestCa::new("impostor").expect("ca").cert_pem;
    let client = TalosClient::new(&lab, Duration::from_secs(2)).expect("client");
    let row = client.snapshot(&lab.nodes[0]).await;
    let err = row.error.expect("TLS must fail");
    assert!(row.talos_version.is_none(), "{err}");

    // And a client certificate from another CA is refused by the server.
    let mut stranger = context(&cfg, "lab").clone();
    let other = TestCa::new("other")
        .expect("ca")
        .issue_client("mallory", "os:admin")
        .expect("cert");
    stranger.crt_pem = other.cert_pem;
    stranger.key_pem = other.key_pem;
    let client = TalosClient::new(&stranger, Duration::from_secs(2)).expect("client");
    assert!(client.snapshot(&stranger.nodes[0]).await.error.is_some());

    // An expired client certificate from the right CA is refused too.
    let mut expired = context(&cfg, "lab").clone();
    let old = sim
        .talos
        .as_ref()
        .expect("talos")
        .expired_client()
        .expect("cert");
    expired.crt_pem = old.cert_pem;
    expired.key_pem = old.key_pem;
    let client = TalosClient::new(&expired, Duration::from_secs(2)).expect("client");
    let row = client.snapshot(&expired.nodes[0]).await;
    assert!(
        row.error.is_some() && row.talos_version.is_none(),
        "{row:?}"
    );
}

#[tokio::test]
async fn logs_and_dmesg_stream() {
    let sim = common::frozen_sim_with_talos().await;
    let cfg = contexts(&sim);
    let lab = context(&cfg, "lab");
    let client = TalosClient::new(lab, Duration::from_secs(3)).expect("client");
    let cp = lab
        .nodes
        .iter()
        .find(|n| n.starts_with("lab-cp-"))
        .expect("cp");
    let mut logs = client.logs(cp, "etcd", 5).await.expect("logs stream");
    let mut chunks = Vec::new();
    while chunks.len() < 7 {
        let chunk = tokio::time::timeout(Duration::from_secs(5), logs.next())
            .await
            .expect("log lines keep coming")
            .expect("open")
            .expect("chunk");
        chunks.push(String::from_utf8_lossy(&chunk.bytes).to_string());
    }
    assert!(
        chunks.iter().all(|c| c.contains("apply entries")),
        "{chunks:?}"
    );
    let mut dmesg = client.dmesg(cp).await.expect("dmesg");
    let first = dmesg.next().await.expect("open").expect("chunk");
    assert!(String::from_utf8_lossy(&first.bytes).contains('['));
    let err = client
        .logs(cp, "nosuch", 5)
        .await
        .expect_err("unknown service");
    assert!(err.starts_with("NotFound"), "{err}");
}

mod frames {
    use super::common::{self, Cockpit, line_with, row};
    use opsdeck::clients::talos::config::Talosconfig;
    use opsdeck::clients::talos::poller::TalosSetup;
    use opsdeck::model::source::SourceState;

    async fn talos_cockpit(sim: &opsdeck_sim::Simulator) -> Cockpit {
        let mut c =
            Cockpit::start_with_talos(common::admin(sim).await, common::talos_setup(sim)).await;
        c.press(&["3"]);
        // Every Machine with a node: the one still provisioning has none to ask yet.
        c.wait_for("every node polled", |s| {
            s.talos.nodes.len() == 8 && s.capi.machines.len() == 9
        })
        .await;
        c
    }

    #[tokio::test]
    async fn talos_pane_joins_capi_and_follows_the_machines() {
        let sim = common::frozen_sim_with_talos().await;
        let mut c = talos_cockpit(&sim).await;
        // Each node's own status comes over its MachineStatus watch.
        c.wait_for("every machine status", |s| {
            s.talos
                .machine
                .values()
                .filter(|m| m.status.is_some())
                .count()
                == 8
        })
        .await;
        let frame = c.frame();
        assert!(frame.contains("Talos nodes (8) [live]"), "{frame}");
        let cp = line_with(&frame, "lab-cp-");
        for want in [
            "lab",
            "controlplane",
            "v1.10.5",
            "v1.33.2",
            "1 members, leader",
            "running, ready",
        ] {
            assert!(cp.contains(want), "{want} missing: {cp}");
        }
        let sick = line_with(&frame, "kubelet");
        assert!(
            sick.contains("worker")
                && sick.contains("lab-workers-")
                && sick.contains("running, not ready: services"),
            "{sick}"
        );
        // The Machine still provisioning has no node to ask yet: no row, not a dead one.
        assert!(!frame.contains("srl96"), "{frame}");

        // It comes up: its node joins the list and answers.
        for _ in 0..8 {
            sim.controllers().tick();
        }
        c.wait_for("the new node answering", |s| {
            s.talos
                .nodes
                .iter()
                .any(|n| n.key.name.ends_with("srl96") && n.error.is_none())
        })
        .await;

        // A scale-out: the new Machine's node appears once it has one; a scale-in: it goes.
        let mgmt = common::admin(&sim).await;
        let md = "/apis/cluster.x-k8s.io/v1beta2/namespaces/media/machinedeployments/media-workers";
        common::merge_patch(&mgmt, md, serde_json::json!({"spec": {"replicas": 4}})).await;
        for _ in 0..10 {
            sim.controllers().tick();
        }
        c.wait_for("ten nodes", |s| s.talos.nodes.len() == 10).await;
        let before: Vec<String> = c
            .state
            .talos
            .nodes
            .iter()
            .map(|n| n.key.name.to_string())
            .collect();
        c.wait_for("the new node answering", |s| {
            s.talos.nodes.iter().all(|n| n.error.is_none())
        })
        .await;
        common::merge_patch(&mgmt, md, serde_json::json!({"spec": {"replicas": 3}})).await;
        for _ in 0..4 {
            sim.controllers().tick();
        }
        c.wait_for("back to nine", |s| s.talos.nodes.len() == 9)
            .await;
        let after: Vec<String> = c
            .state
            .talos
            .nodes
            .iter()
            .map(|n| n.key.name.to_string())
            .collect();
        assert!(
            after.iter().all(|n| before.contains(n)),
            "{before:?} → {after:?}"
        );

        // A node that stops answering only greys its own row.
        sim.talos
            .as_ref()
            .expect("talos")
            .set_down("media-cp-877b9", true);
        c.wait_for("its row unreachable", |s| {
            s.talos
                .nodes
                .iter()
                .any(|n| n.key.name == "media-cp-877b9" && n.error.is_some())
        })
        .await;
        let frame = c.frame();
        assert!(
            row(&frame, "media-cp-877b9").contains("Unavailable"),
            "{frame}"
        );
        assert!(
            row(&frame, "media-cp-jmb8d").contains("running, ready"),
            "{frame}"
        );
    }

    #[tokio::test]
    async fn an_inspector_opened_on_an_address_keeps_its_node_when_the_node_gets_its_name() {
        use opsdeck::app::state::Screen;
        let sim = common::frozen_sim_with_talos().await;
        let mut c = talos_cockpit(&sim).await;
        let machine = |c: &Cockpit| {
            c.state
                .capi
                .machines
                .iter()
                .find(|m| m.key.name.ends_with("srl96"))
                .cloned()
                .expect("the provisioning machine")
        };
        // Provisioned: it has an address, no node name yet, and is polled by its address.
        for _ in 0..10 {
            if machine(&c).address.is_some() {
                break;
            }
            sim.controllers().tick();
            c.settle(std::time::Duration::from_millis(300)).await;
        }
        let address = machine(&c).address.expect("an address");
        assert!(machine(&c).node.is_empty(), "no nodeRef yet");
        c.wait_for("its address polled", |s| {
            s.talos.nodes.iter().any(|n| n.key.name == address)
        })
        .await;
        c.press(&["/"]);
        c.type_text(&address);
        c.press(&["<Enter>", "<Enter>", "p"]);
        assert!(matches!(c.state.screen(), Screen::TalosNode(k) if k.name == address));

        // Running: the node has its name, and the inspector follows it there.
        for _ in 0..8 {
            sim.controllers().tick();
        }
        c.wait_for("the nodeRef", |s| {
            s.capi
                .machines
                .iter()
                .any(|m| m.key.name.ends_with("srl96") && !m.node.is_empty())
        })
        .await;
        let name = machine(&c).node;
        c.wait_for(
            "the inspector on the node's name",
            |s| matches!(s.screen(), Screen::TalosNode(k) if k.name == name),
        )
        .await;
        c.wait_for(
            "its processes, read under the new name",
            |s| matches!(&s.talos.inspector.processes, Some(Ok(p)) if !p.rows.is_empty()),
        )
        .await;
        assert!(c.frame().contains(&format!("Talos node — {name}")));
    }

    #[tokio::test]
    async fn inspector_shows_services_follows_logs_and_shows_dmesg_and_etcd() {
        let sim = common::frozen_sim_with_talos().await;
        let mut c = talos_cockpit(&sim).await;
        c.press(&["/"]);
        c.type_text("media-cp-877b9");
        c.press(&["<Enter>", "<Enter>"]);
        let frame = c.frame();
        assert!(frame.contains("Talos node — media-cp-877b9"), "{frame}");
        assert!(line_with(&frame, "etcd ").contains("Running"), "{frame}");
        assert!(frame.contains("Kubernetes v1.33.4"), "{frame}");

        // Enter on the etcd service follows its log; new lines keep arriving.
        let services: Vec<String> = c
            .state
            .talos
            .nodes
            .iter()
            .find(|n| n.key.name == "media-cp-877b9")
            .and_then(|n| n.services.clone())
            .expect("services")
            .into_iter()
            .map(|s| s.id)
            .collect();
        let at = services
            .iter()
            .position(|s| s == "etcd")
            .expect("etcd service");
        for _ in 0..at {
            c.press(&["j"]);
        }
        c.press(&["<Enter>"]);
        c.wait_for("log lines", |s| s.talos.inspector.text.len() >= 45)
            .await;
        let frame = c.frame();
        assert!(frame.contains("logs: etcd [following]"), "{frame}");
        assert!(frame.contains("apply entries"), "{frame}");
        c.press(&["k", "k"]);
        assert!(c.frame().contains("2 lines back"));
        c.press(&["G"]);

        c.press(&["d"]);
        c.wait_for("dmesg", |s| s.talos.inspector.text.len() >= 30)
            .await;
        let frame = c.frame();
        assert!(
            frame.contains("kernel log (dmesg)") && frame.contains("eth0"),
            "{frame}"
        );

        c.press(&["e"]);
        let frame = c.frame();
        assert!(frame.contains("3 members"), "{frame}");
        assert_eq!(frame.matches("https://media-cp-").count(), 3, "{frame}");
        let leader = frame
            .lines()
            .find(|l| l.contains(" leader ") && l.contains("https://"))
            .unwrap_or_else(|| panic!("no leader row:\n{frame}"));
        assert!(leader.contains("media-cp-"), "{frame}");

        c.press(&["<Esc>"]);
        assert!(
            c.frame().contains("Talos nodes (1) [live]"),
            "back to the filtered list"
        );
    }

    #[tokio::test]
    async fn escape_sequences_in_logs_are_not_drawn() {
        let sim = common::frozen_sim_with_talos().await;
        let mut c = talos_cockpit(&sim).await;
        // The lab worker with the failing kubelet logs in colour.
        let sick = c
            .state
            .talos
            .nodes
            .iter()
            .find(|n| !n.unhealthy_services().is_empty())
            .expect("sick node")
            .key
            .clone();
        c.press(&["/"]);
        c.type_text(&sick.name);
        c.press(&["<Enter>", "<Enter>", "L"]);
        c.wait_for("kubelet log", |s| s.talos.inspector.text.len() >= 10)
            .await;
        let frame = c.frame();
        assert!(
            frame.contains("not ready") && !frame.contains('\u{1b}') && !frame.contains("[31m"),
            "{frame}"
        );
    }

    #[tokio::test]
    async fn a_broken_talosconfig_is_reported_in_the_pane() {
        let sim = common::frozen_sim().await;
        let setup =
            TalosSetup::from_config(Talosconfig::parse("/home/u/.talos/config", "contexts: ["));
        let mut c = Cockpit::start_with_talos(common::admin(&sim).await, setup).await;
        c.press(&["3"]);
        c.wait_for("talos error", |s| {
            matches!(s.talos.nodes.state(), SourceState::Error(_))
        })
        .await;
        let frame = c.frame();
        assert!(frame.contains("Talos nodes (0) [error]"), "{frame}");
        assert!(
            frame.contains("talosconfig /home/u/.talos/config"),
            "{frame}"
        );
        c.press(&["1"]);
        c.wait_for("clusters", |s| s.capi.clusters.state().is_healthy())
            .await;
    }
}
