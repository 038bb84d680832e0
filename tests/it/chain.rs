//! The cross-layer chain over the simulated platform: every running Machine's chain resolves
//! from its BMC to the apps on its cluster; an object removed leaves its layer missing, never
//! another object in its place; the trace view and the jump keys walk the layers in rendered
//! frames.

use opsdeck::app::chain::{LayerKind, Verdict, trace};
use opsdeck::app::ids::PaneId;
use opsdeck::app::state::{Screen, State};
use opsdeck::app::tables;
use opsdeck::model::tree::NodeId;

use crate::common::{client_for, every_layer, frozen_sim_with_talos, merge_patch};

fn running(state: &State, cluster: &str) -> Vec<opsdeck::model::capi::MachineRow> {
    state
        .capi
        .machines
        .iter()
        .filter(|m| m.cluster == cluster && m.phase == "Running" && !m.node.is_empty())
        .cloned()
        .collect()
}

#[tokio::test]
async fn every_running_machine_has_a_complete_chain() {
    let sim = frozen_sim_with_talos().await;
    let c = every_layer(&sim).await;
    let media = running(&c.state, "media");
    assert!(media.len() >= 5, "{media:?}");
    for m in &media {
        let layers = trace(&c.state, m);
        let kinds: Vec<LayerKind> = layers.iter().map(|l| l.kind).collect();
        assert_eq!(
            kinds,
            [
                LayerKind::Bmc,
                LayerKind::Hardware,
                LayerKind::Host,
                LayerKind::Vm,
                LayerKind::Machine,
                LayerKind::Node,
                LayerKind::Talos,
                LayerKind::Group,
                LayerKind::Cluster,
                LayerKind::Apps,
                LayerKind::Secrets,
            ]
        );
        for l in &layers {
            assert!(
                l.verdict != Verdict::Unknown,
                "{}: {:?} missing: {}",
                m.key.name,
                l.kind,
                l.detail
            );
        }
        // The links are the right objects: the VM is the Machine's, the Node and the Talos
        // node carry its nodeRef.
        let name = |k: LayerKind| {
            layers
                .iter()
                .find(|l| l.kind == k)
                .and_then(|l| l.key.as_ref())
                .map(|k| k.name.clone())
        };
        assert_eq!(name(LayerKind::Vm).as_deref(), Some(m.key.name.as_str()));
        assert_eq!(name(LayerKind::Node).as_deref(), Some(m.node.as_str()));
        assert_eq!(name(LayerKind::Talos).as_deref(), Some(m.node.as_str()));
    }
    // The lab cluster has no API server of its own here: its Nodes are missing, and say why.
    for m in running(&c.state, "lab") {
        let layers = trace(&c.state, &m);
        let node = layers
            .iter()
            .find(|l| l.kind == LayerKind::Node)
            .expect("a Node layer");
        assert_eq!(node.verdict, Verdict::Unknown);
        assert!(
            node.key.is_none() && node.detail.contains("context lab"),
            "{node:?}"
        );
        let vm = layers
            .iter()
            .find(|l| l.kind == LayerKind::Vm)
            .expect("a VM layer");
        assert!(vm.key.is_some(), "{vm:?}");
    }
}

#[tokio::test]
async fn a_removed_vm_leaves_its_layer_missing_not_another() {
    let sim = frozen_sim_with_talos().await;
    let mut c = every_layer(&sim).await;
    let m = running(&c.state, "media").remove(0);
    let harvester = client_for(&sim, "opsdeck-harvester").await;
    let path = format!(
        "/apis/kubevirt.io/v1/namespaces/{}/virtualmachines/{}",
        m.key.namespace, m.key.name
    );
    let request = http::Request::delete(&path)
        .body(Vec::new())
        .expect("a request");
    harvester.request_text(request).await.expect("VM deleted");
    let vm_key = c
        .state
        .harvester
        .vms
        .iter()
        .find(|v| v.key.name == m.key.name)
        .map(|v| v.key.clone())
        .expect("the VM");
    c.wait_for("the VM to go", |s| s.harvester.vms.get(&vm_key).is_none())
        .await;
    let layers = trace(&c.state, &m);
    let vm = &layers[0];
    assert_eq!(vm.kind, LayerKind::Vm);
    assert!(vm.key.is_none(), "{vm:?}");
    assert!(vm.detail.starts_with("no VM with uid "), "{vm:?}");
    // Nothing below it is guessed.
    assert!(!layers.iter().any(|l| matches!(
        l.kind,
        LayerKind::Host | LayerKind::Hardware | LayerKind::Bmc
    )));
    // The layers above still resolve.
    assert!(
        layers
            .iter()
            .any(|l| l.kind == LayerKind::Talos && l.key.is_some())
    );
}

#[tokio::test]
async fn a_machine_tinkerbell_provisioned_sits_on_its_hardware() {
    let sim = frozen_sim_with_talos().await;
    let mut c = every_layer(&sim).await;
    let machines = running(&c.state, "lab");
    let (m, other) = (&machines[0], &machines[1]);
    let hw = c
        .state
        .metal
        .hardware
        .iter()
        .find(|h| h.key.name == "hv-04")
        .map(|h| h.key.clone())
        .expect("the spare server");
    let mgmt = client_for(&sim, "opsdeck-management").await;
    let path = |m: &opsdeck::model::capi::MachineRow| {
        format!(
            "/apis/cluster.x-k8s.io/v1beta2/namespaces/{}/machines/{}",
            m.key.namespace, m.key.name
        )
    };
    let provider = |name: &str| format!("tinkerbell://{}/{name}", hw.namespace);
    let set = |id: String| serde_json::json!({"spec": {"providerID": id}});
    merge_patch(&mgmt, &path(m), set(provider("hv-04"))).await;
    c.wait_for("the new providerID", |s| seen_in(s, m, &provider("hv-04")))
        .await;
    let row = c.state.capi.machines.get(&m.key).cloned().expect("m");
    let layers = trace(&c.state, &row);
    let below: Vec<(LayerKind, Option<String>)> = layers
        .iter()
        .take_while(|l| l.kind != LayerKind::Machine)
        .map(|l| (l.kind, l.key.as_ref().map(|k| k.name.to_string())))
        .collect();
    let bmc = c.state.metal.hardware.get(&hw).and_then(|h| h.bmc.clone());
    assert_eq!(
        below,
        [
            (LayerKind::Bmc, bmc),
            (LayerKind::Hardware, Some("hv-04".into()))
        ],
        "bare metal: no host, no VM"
    );
    // `t` on the Hardware in :hosts traces that Machine.
    c.press(&["6"]);
    c.cursor_to(&tables::HOSTS, &hw);
    c.press(&["t"]);
    assert_eq!(c.state.trace.as_ref(), Some(&m.key));

    // A second Machine naming the same server: which one is right is not known.
    merge_patch(&mgmt, &path(other), set(provider("hv-04"))).await;
    c.wait_for("both on hv-04", |s| seen_in(s, other, &provider("hv-04")))
        .await;
    let layers = trace(&c.state, &row);
    assert_eq!(layers[0].kind, LayerKind::Hardware);
    assert!(layers[0].key.is_none(), "{:?}", layers[0]);
    assert_eq!(
        layers[0].detail,
        format!("2 Machines name Hardware {}/hv-04", hw.namespace)
    );

    // Hardware that does not exist: missing, nothing below guessed.
    merge_patch(&mgmt, &path(m), set(provider("hv-99"))).await;
    c.wait_for("the wrong providerID", |s| {
        seen_in(s, m, &provider("hv-99"))
    })
    .await;
    let row = c.state.capi.machines.get(&m.key).cloned().expect("m");
    let layers = trace(&c.state, &row);
    assert_eq!(layers[0].kind, LayerKind::Hardware);
    assert!(layers[0].key.is_none());
    assert!(
        layers[0].detail.starts_with("no Hardware "),
        "{:?}",
        layers[0]
    );
    assert_eq!(layers[1].kind, LayerKind::Machine);
}

fn seen_in(s: &State, m: &opsdeck::model::capi::MachineRow, id: &str) -> bool {
    s.capi
        .machines
        .get(&m.key)
        .is_some_and(|r| r.provider_id == id)
}

#[tokio::test]
async fn the_trace_view_and_the_jump_keys_walk_the_layers() {
    let sim = frozen_sim_with_talos().await;
    let mut c = every_layer(&sim).await;
    let m = running(&c.state, "media").remove(0);

    // From the cluster tree: `t` on the Machine.
    c.select_in_tree(&NodeId::Machine(m.key.clone())).await;
    c.press(&["t"]);
    assert_eq!(c.state.screen(), &Screen::Pane(PaneId::TRACE));
    let frame = c.frame();
    for layer in [
        "BMC",
        "Hardware",
        "Harvester host",
        "VM",
        "Machine",
        "Node",
        "Talos",
        "Cluster",
        "Argo CD apps",
        "ExternalSecrets",
    ] {
        assert!(
            frame.contains(&format!("│  {layer} ")) || frame.contains(&format!("│▶ {layer} ")),
            "{layer}:\n{frame}"
        );
    }
    // Apps on top, the BMC at the bottom.
    let at = |s: &str| frame.find(s).unwrap_or_else(|| panic!("{s}:\n{frame}"));
    assert!(at("Argo CD apps") < at("Machine  ") && at("Machine  ") < at("BMC"));
    // The first failing layer from the bottom is marked, and only it.
    let layers = trace(&c.state, &m);
    let root = opsdeck::app::chain::first_unhealthy(&layers).expect("media has trouble");
    assert!(
        frame.contains(&format!("│▶ {} ", layers[root].kind.title())),
        "{frame}"
    );
    assert_eq!(frame.matches('▶').count(), 1, "{frame}");

    // Enter on the VM layer: :vms, the cursor on that VM.
    let vm_key = c
        .state
        .harvester
        .vms
        .iter()
        .find(|v| v.key.name == m.key.name)
        .map(|v| v.key.clone())
        .expect("its VM");
    c.cursor_to(&tables::TRACE, &vm_key);
    c.press(&["<Enter>"]);
    assert_eq!(c.state.screen(), &Screen::Pane(PaneId::VMS));
    assert_eq!(
        tables::selected(&c.state, &tables::VMS),
        Some(vm_key.clone())
    );

    // `]` from the VM: the Machine in the tree. `[` from there: back to the VM.
    c.press(&["]"]);
    assert_eq!(c.state.screen(), &Screen::Pane(PaneId::CLUSTERS));
    assert_eq!(c.state.tree.selected, Some(NodeId::Machine(m.key.clone())));
    c.press(&["["]);
    assert_eq!(tables::selected(&c.state, &tables::VMS), Some(vm_key));

    // `]` from the Machine: its workload Node, in the kind browser on its cluster; `]` again:
    // its Talos node.
    c.press(&["]"]);
    c.press(&["]"]);
    assert_eq!(c.state.screen(), &Screen::Pane(PaneId::BROWSE));
    c.wait_for("the Node", |s| !s.browse.rows.is_empty()).await;
    let names: Vec<String> = c
        .state
        .browse
        .rows
        .iter()
        .map(|r| r.key.name.to_string())
        .collect();
    assert_eq!(names, std::slice::from_ref(&m.node), "only that Node");
    let frame = c.frame();
    assert!(frame.contains(&format!("named {}", m.node)), "{frame}");
    c.press(&["]"]);
    assert_eq!(c.state.screen(), &Screen::Pane(PaneId::TALOS));
    let talos = tables::selected(&c.state, &tables::TALOS).expect("a Talos row");
    assert_eq!(talos.name, m.node);

    // Three keys from the workload Node down to the host: Node → Machine → VM → host.
    c.command("nodes @opsdeck-media");
    c.wait_for("the media nodes", |s| s.browse.rows.len() >= 5)
        .await;
    let node_key = opsdeck::model::store::ObjRef::in_cluster("opsdeck-media", "", m.node.clone());
    c.cursor_to(&tables::BROWSE, &node_key);
    c.press(&["["]);
    assert_eq!(c.state.tree.selected, Some(NodeId::Machine(m.key.clone())));
    c.press(&["["]);
    assert_eq!(c.state.screen(), &Screen::Pane(PaneId::VMS));
    c.press(&["["]);
    let frame = c.frame();
    let host = c
        .state
        .harvester
        .vmis
        .iter()
        .find(|v| v.key.name == m.key.name)
        .map(|v| v.node.clone())
        .expect("its host");
    assert!(frame.contains(&host), "{frame}");
    assert_eq!(c.state.screen(), &Screen::Pane(PaneId::VMS));
}
