//! The attention feed over the simulated platform: a host powered off through its BMC shows as
//! one root — the BMC — explaining the host, the VMs on it, their Nodes and Talos nodes, while
//! trouble that was there before stays on its own; the header counts it; power back on and the
//! group is gone.

use jiff::Timestamp;
use serde_json::json;

use opsdeck::app::msg::Msg;
use opsdeck::clients::kube::post_json;
use opsdeck::model::attention::{Area, Group};
use opsdeck::model::layer::LayerKind;

use crate::common::{Cockpit, admin, all_sources, every_layer, frozen_sim_with_talos, talos_setup};

fn power(action: &str, n: u32) -> serde_json::Value {
    json!({
        "apiVersion": "bmc.tinkerbell.org/v1alpha1",
        "kind": "Job",
        "metadata": {"name": format!("test-power-{action}-{n}"), "namespace": "tink-system"},
        "spec": {"machineRef": {"name": "bmc-hv-02", "namespace": "tink-system"},
                 "tasks": [{"powerAction": action}]},
    })
}

fn bmc_group(c: &Cockpit) -> Option<&Group> {
    c.state
        .attention
        .groups
        .iter()
        .find(|g| g.root.layer == LayerKind::Bmc && g.root.key.name == "bmc-hv-02")
}

#[tokio::test]
async fn a_host_powered_off_is_one_root_explaining_everything_on_it() {
    let sim = frozen_sim_with_talos().await;
    let mut c = every_layer(&sim).await;
    c.wait_for("the pods", |s| s.harvester.workload_pods.len() > 10)
        .await;
    c.send(Msg::Tick(Timestamp::now()));
    assert!(bmc_group(&c).is_none());
    // The crash-looping pod is there on its own: its node is fine.
    let crash = c
        .state
        .attention
        .groups
        .iter()
        .find(|g| g.root.area == Area::Pods)
        .expect("a pod problem");
    assert!(crash.root.key.name.starts_with("radarr-"), "{crash:?}");
    assert!(crash.root.what.contains("CrashLoopBackOff"), "{crash:?}");
    // Enter on it: the pod in the kind browser, on its cluster, ready for `l`.
    let pod = crash.root.key.clone();
    c.press(&["8"]);
    c.cursor_to(&opsdeck::app::tables::ATTENTION, &pod);
    c.press(&["<Enter>"]);
    c.wait_for("the pod", |s| !s.browse.rows.is_empty()).await;
    let shown: Vec<_> = c.state.browse.rows.iter().map(|r| r.key.clone()).collect();
    assert_eq!(shown, [pod]);
    let degraded_before: Vec<String> = c
        .state
        .argo
        .apps
        .iter()
        .filter(|a| a.health == "Degraded")
        .map(|a| a.key.name.to_string())
        .collect();
    assert!(!degraded_before.is_empty());
    let healthy_before: Vec<String> = c
        .state
        .argo
        .apps
        .iter()
        .filter(|a| a.health == "Healthy")
        .map(|a| a.key.name.to_string())
        .collect();
    let on_host: Vec<String> = c
        .state
        .harvester
        .vmis
        .iter()
        .filter(|v| v.node == "hv-02")
        .map(|v| v.key.name.to_string())
        .collect();
    assert!(on_host.len() >= 2, "{on_host:?}");

    let mgmt = admin(&sim).await;
    let jobs = "/apis/bmc.tinkerbell.org/v1alpha1/namespaces/tink-system/jobs";
    post_json(&mgmt, jobs, &power("off", 1)).await.expect("job");
    // The Job starts, then powers the machine off; the host notices the tick after.
    sim.controllers().tick();
    sim.controllers().tick();
    c.wait_for("the BMC off", |s| {
        s.metal
            .bmcs
            .iter()
            .any(|b| b.key.name == "bmc-hv-02" && b.power == "off")
    })
    .await;
    sim.controllers().tick();
    c.wait_for("the cascade", |s| {
        s.harvester
            .hosts
            .iter()
            .any(|h| h.key.name == "hv-02" && h.ready.ok.is_none())
            && s.harvester
                .vms
                .iter()
                .filter(|v| v.status == "Unknown")
                .count()
                == on_host.len()
            && s.talos
                .nodes
                .iter()
                .filter(|t| on_host.contains(&t.key.name.to_string()))
                .all(|t| t.error.is_some())
    })
    .await;
    // Their pods are not Ready any more: the apps running them wait for replicas.
    c.wait_for("apps waiting for their pods", |s| {
        s.argo
            .apps
            .iter()
            .any(|a| a.health == "Progressing" && healthy_before.contains(&a.key.name.to_string()))
    })
    .await;
    c.send(Msg::Tick(Timestamp::now()));
    let group = bmc_group(&c).expect("the BMC is a root").clone();
    let waiting: Vec<String> = c
        .state
        .argo
        .apps
        .iter()
        .filter(|a| a.health == "Progressing" && healthy_before.contains(&a.key.name.to_string()))
        .map(|a| a.key.name.to_string())
        .collect();
    for app in &waiting {
        assert!(
            group
                .explained
                .iter()
                .any(|p| p.area == Area::Apps && p.key.name == *app),
            "{app} Progressing since the power went: {group:#?}"
        );
    }
    let explained = |kind: LayerKind| -> Vec<String> {
        group
            .explained
            .iter()
            .filter(|p| p.layer == kind)
            .map(|p| p.key.name.to_string())
            .collect()
    };
    assert_eq!(explained(LayerKind::Host), ["hv-02"]);
    let mut vms = explained(LayerKind::Vm);
    vms.sort();
    let mut expected = on_host.clone();
    expected.sort();
    assert_eq!(vms, expected);
    // Every workload Node of a media Machine on that host.
    for node in explained(LayerKind::Node) {
        assert!(on_host.contains(&node), "{node}");
    }
    assert!(!explained(LayerKind::Node).is_empty());
    // Every Talos node of a Running Machine on it (a Provisioning one never answered).
    for node in c
        .state
        .talos
        .nodes
        .iter()
        .filter(|t| on_host.contains(&t.key.name.to_string()))
    {
        let running = c
            .state
            .capi
            .machines
            .iter()
            .any(|m| m.node == node.key.name && m.phase == "Running");
        assert_eq!(
            explained(LayerKind::Talos).contains(&node.key.name.to_string()),
            running,
            "{}: {group:#?}",
            node.key.name
        );
    }
    // Apps that were Degraded before the power went are not its consequence.
    for app in &degraded_before {
        assert!(
            !group
                .explained
                .iter()
                .any(|p| p.area == Area::Apps && p.key.name == *app),
            "{app} was degraded before: {:#?} {:#?} hosts {:?}",
            group
                .explained
                .iter()
                .filter(|p| p.area == Area::Apps)
                .collect::<Vec<_>>(),
            c.state
                .argo
                .apps
                .iter()
                .find(|a| a.key.name == *app)
                .map(|a| a.last_sync),
            c.state
                .harvester
                .hosts
                .iter()
                .map(|h| (h.key.name.clone(), h.ready.since))
                .collect::<Vec<_>>()
        );
    }
    // The root is listed first, what it explains under it, and the header counts it all.
    c.press(&["8"]);
    let frame = c.frame();
    let root_line = frame
        .lines()
        .position(|l| l.contains("bmc-hv-02") && l.contains("power off"))
        .unwrap_or_else(|| panic!("{frame}"));
    let host_line = frame
        .lines()
        .position(|l| l.contains("↳ hv-02") && l.contains("explained by BMC bmc-hv-02"))
        .unwrap_or_else(|| panic!("{frame}"));
    assert!(root_line < host_line);
    let header = frame.lines().next().unwrap_or_default();
    assert!(
        header.contains("⚠") && header.contains("metal") && header.contains("nodes"),
        "{header}"
    );

    // The timeline tells the story in order: the power first, then what it took down.
    let story: Vec<(String, &str, String)> = c
        .state
        .history
        .newest_first()
        .map(|t| (t.key.name.to_string(), t.field, t.new.clone()))
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let at = |name: &str, field: &str, new: &str| {
        story
            .iter()
            .position(|(n, f, v)| n == name && *f == field && v == new)
            .unwrap_or_else(|| panic!("{name} {field} → {new} not in {story:?}"))
    };
    let power_off = at("bmc-hv-02", "power", "off");
    assert!(power_off < at("hv-02", "ready", "Unknown"));
    for vm in &on_host {
        assert!(power_off < at(vm, "status", "Unknown"));
    }
    c.command("timeline");
    let frame = c.frame();
    let line = |needle: &str| {
        frame
            .lines()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle}:\n{frame}"))
    };
    // Newest first: the host's silence above the power going off.
    assert!(
        line("ready: Ready → Unknown") < line("power: on → off"),
        "{frame}"
    );

    // Power back on: the group goes.
    post_json(&mgmt, jobs, &power("on", 2)).await.expect("job");
    sim.controllers().tick();
    sim.controllers().tick();
    c.wait_for("the BMC on", |s| {
        s.metal
            .bmcs
            .iter()
            .any(|b| b.key.name == "bmc-hv-02" && b.power == "on")
    })
    .await;
    sim.controllers().tick();
    c.wait_for("the host back", |s| {
        s.harvester
            .hosts
            .iter()
            .any(|h| h.key.name == "hv-02" && h.ready.ok == Some(true))
            && !s.harvester.vms.iter().any(|v| v.status == "Unknown")
    })
    .await;
    c.wait_for("the apps healthy again", |s| {
        s.argo
            .apps
            .iter()
            .filter(|a| waiting.contains(&a.key.name.to_string()))
            .all(|a| a.health == "Healthy")
    })
    .await;
    c.send(Msg::Tick(Timestamp::now()));
    assert!(bmc_group(&c).is_none(), "{:#?}", c.state.attention.groups);
    assert!(
        !c.state
            .attention
            .groups
            .iter()
            .any(|g| g.root.area == Area::Apps && waiting.contains(&g.root.key.name.to_string())),
        "{:#?}",
        c.state.attention.groups
    );
}

#[tokio::test]
async fn an_etcd_alarm_is_a_problem_of_its_member() {
    let sim = frozen_sim_with_talos().await;
    let mut c = Cockpit::start_with_sources(all_sources(&sim).await, talos_setup(&sim)).await;
    c.wait_for("the Talos nodes", |s| {
        s.talos.nodes.iter().filter(|t| t.etcd.is_some()).count() >= 3
    })
    .await;
    let talos = sim.talos.as_ref().expect("talos is simulated");
    talos.set_etcd_errors("media-cp-jmb8d", vec!["NOSPACE alarm raised".into()]);
    c.wait_for("the alarm", |s| {
        s.talos.nodes.iter().any(|t| {
            t.key.name == "media-cp-jmb8d" && t.etcd.as_ref().is_some_and(|e| !e.errors.is_empty())
        })
    })
    .await;
    c.send(Msg::Tick(Timestamp::now()));
    let problem = c
        .state
        .attention
        .groups
        .iter()
        .flat_map(|g| std::iter::once(&g.root).chain(&g.explained))
        .find(|p| p.kind == "etcd member")
        .expect("the alarm is listed");
    assert_eq!(problem.key.name, "media-cp-jmb8d");
    assert_eq!(problem.what, "etcd: NOSPACE alarm raised");
    talos.set_etcd_errors("media-cp-jmb8d", Vec::new());
    c.wait_for("the alarm cleared", |s| {
        s.talos.nodes.iter().any(|t| {
            t.key.name == "media-cp-jmb8d" && t.etcd.as_ref().is_some_and(|e| e.errors.is_empty())
        })
    })
    .await;
    c.send(Msg::Tick(Timestamp::now()));
    assert!(
        !c.state
            .attention
            .groups
            .iter()
            .flat_map(|g| std::iter::once(&g.root).chain(&g.explained))
            .any(|p| p.kind == "etcd member")
    );
}

#[tokio::test]
async fn the_other_systems_health_rules_feed_the_attention() {
    let sim = frozen_sim_with_talos().await;
    let mut c = Cockpit::start_with_sources(all_sources(&sim).await, Default::default()).await;
    c.wait_for("cert-manager, Velero and Gateway API objects", |s| {
        [
            "Issuer",
            "Certificate",
            "Backup",
            "Schedule",
            "HTTPRoute",
            "GatewayClass",
        ]
        .iter()
        .all(|kind| s.platform_health.rows().any(|r| r.kind.kind == *kind))
    })
    .await;
    c.send(Msg::Tick(Timestamp::now()));
    let platform: Vec<(String, String, String)> = c
        .state
        .attention
        .groups
        .iter()
        .map(|g| &g.root)
        .filter(|p| p.area == Area::Platform)
        .map(|p| (p.kind.to_string(), p.key.name.to_string(), p.what.clone()))
        .collect();
    let has = |kind: &str, name: &str, why: &str| {
        platform
            .iter()
            .any(|(k, n, w)| k == kind && n == name && w.contains(why))
    };
    assert!(
        has("Issuer", "internal-ca", "ErrGetKeyPair"),
        "{platform:#?}"
    );
    assert!(
        has("Certificate", "nextcloud", "DoesNotExist"),
        "{platform:#?}"
    );
    assert!(has("Certificate", "immich", "expires in"), "{platform:#?}");
    assert!(has("Backup", "daily-20261129020000", ""), "{platform:#?}");
    assert!(has("Schedule", "daily", ""), "{platform:#?}");
    assert!(has("HTTPRoute", "immich", ""), "{platform:#?}");
    // The well ones are not there.
    for (kind, name) in [
        ("Certificate", "jellyfin"),
        ("GatewayClass", "cilium"),
        ("ClusterIssuer", "letsencrypt"),
        ("Backup", "daily-20261127020000"),
    ] {
        assert!(
            !platform.iter().any(|(k, n, _)| k == kind && n == name),
            "{kind} {name}: {platform:#?}"
        );
    }
    c.wait_for("media's discovery", |s| {
        s.catalog
            .resolve("issuers")
            .is_some_and(|(_, on)| on.contains("opsdeck-media"))
    })
    .await;
    // On screen, counted in the header; Enter shows the object in the kind browser.
    c.press(&["8"]);
    let frame = c.frame();
    let header = frame.lines().next().unwrap_or_default();
    assert!(header.contains("platform"), "{header}");
    assert!(frame.contains("internal-ca"), "{frame}");
    let issuer = c
        .state
        .attention
        .groups
        .iter()
        .find(|g| g.root.kind == "Issuer")
        .map(|g| g.root.key.clone())
        .expect("the issuer");
    c.cursor_to(&opsdeck::app::tables::ATTENTION, &issuer);
    c.press(&["<Enter>"]);
    c.wait_for("the issuer", |s| !s.browse.rows.is_empty())
        .await;
    let shown: Vec<_> = c.state.browse.rows.iter().map(|r| r.key.clone()).collect();
    assert_eq!(shown, [issuer]);
}
