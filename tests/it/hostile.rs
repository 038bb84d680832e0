//! Hostile and malformed input. Server strings carrying terminal escape sequences (OSC 52
//! clipboard writes, screen clears, DCS), C1 controls, bidi overrides and a 100 KB line go
//! through the simulator into every pane, and the bytes crossterm writes for each frame carry
//! none of them. Every parser of user files and server replies, fed arbitrary and wrongly typed
//! input, answers with a message naming the file or object, never a panic (property tests with
//! a bounded number of cases).

use opsdeck_sim::kinds::kind_id;
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::common::{self, Cockpit};

/// Everything a hostile server string could try, and a line far longer than any screen.
fn hostile(tag: &str) -> String {
    format!(
        "{tag}\u{1b}]52;c;cHduZWQ=\u{7}\u{1b}[2J\u{9b}31m\u{202e}live\u{1b}Pq#0\u{1b}\\\u{0}{}",
        "A".repeat(100_000)
    )
}

/// What may appear in crossterm's output: CSI sequences for cursor moves (`H`), colours and
/// attributes (`m`) and showing or hiding the cursor (`?25l`, `?25h`) — and nothing else that a
/// terminal acts on.
fn assert_inert(bytes: &[u8], screen: &str) {
    let text = String::from_utf8_lossy(bytes);
    for (bad, what) in [
        ("\u{7}", "BEL"),
        ("\u{1b}]", "OSC"),
        ("\u{1b}P", "DCS"),
        ("\u{1b}_", "APC"),
        ("\u{9b}", "C1 CSI"),
        ("\u{202e}", "bidi override"),
        ("\u{0}", "NUL"),
    ] {
        assert!(
            !text.contains(bad),
            "{what} reached the terminal on {screen}"
        );
    }
    let mut rest = text.as_ref();
    while let Some(at) = rest.find('\u{1b}') {
        let seq = &rest[at + 1..];
        assert!(
            seq.starts_with('['),
            "a bare ESC on {screen}: {:?}",
            &seq[..seq.len().min(12)]
        );
        let end = seq[1..]
            .find(|c: char| ('@'..='~').contains(&c))
            .map(|i| i + 1)
            .expect("a complete CSI");
        let (params, last) = (&seq[1..end], &seq[end..=end]);
        let allowed = matches!(last, "m" | "H") || matches!(&seq[..=end], "[?25l" | "[?25h");
        assert!(allowed, "CSI {params:?}{last} on {screen}");
        rest = &seq[end + 1..];
    }
}

#[tokio::test]
async fn hostile_server_strings_never_reach_the_terminal() {
    let sim = common::frozen_sim().await;
    {
        let app = (
            kind_id("Application").expect("kind"),
            "argocd".to_string(),
            "gitea".to_string(),
        );
        let mut db = sim.db();
        db.modify(&app, |o| {
            o["spec"]["project"] = json!(hostile("project"));
            o["status"]["health"] = json!({"status": "Degraded", "message": hostile("health")});
            o["status"]["conditions"] =
                json!([{"type": "ComparisonError", "message": hostile("condition")}]);
        })
        .expect("app");
        let machines: Vec<_> = db
            .list(kind_id("Machine").expect("kind"), None, None)
            .map(|m| {
                (
                    kind_id("Machine").expect("kind"),
                    m["metadata"]["namespace"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    m["metadata"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                )
            })
            .collect();
        for key in machines.iter().take(3) {
            db.modify(key, |o| {
                if let Some(conds) = o["status"]["conditions"].as_array_mut() {
                    for c in conds {
                        c["message"] = json!(hostile("machine"));
                        c["status"] = json!("False");
                    }
                }
            })
            .expect("machine");
        }
    }
    let mut c = Cockpit::start(common::admin(&sim).await).await;
    c.press(&["2"]);
    c.wait_for("apps", |s| s.argo.apps.len() == 25).await;
    let screens: &[(&str, &[&str])] = &[
        ("clusters", &["1"]),
        ("apps", &["2"]),
        ("secrets", &["4"]),
        ("vms", &["5"]),
        ("hosts", &["6"]),
        ("attention", &["8"]),
        ("operations", &["0"]),
    ];
    for (name, keys) in screens {
        c.press(keys);
        assert_inert(&c.frame_bytes(160, 40), name);
    }
    c.command("timeline");
    assert_inert(&c.frame_bytes(160, 40), "timeline");
    c.command("drift");
    assert_inert(&c.frame_bytes(160, 40), "drift");
    // The app itself: its row, its sync waves, its YAML and its description.
    c.press(&["2", "/"]);
    c.type_text("gitea");
    c.press(&["<Enter>"]);
    let frame = c.frame();
    assert!(frame.contains("gitea"), "{frame}");
    assert_inert(&c.frame_bytes(160, 40), "apps, filtered");
    c.press(&["<Enter>"]);
    assert_inert(&c.frame_bytes(160, 40), "sync waves");
    c.press(&["<Esc>", "y"]);
    c.wait_for("the YAML", |s| matches!(s.yaml.object, Some(Ok(_))))
        .await;
    assert_inert(&c.frame_bytes(160, 40), "yaml");
    c.press(&["<Esc>", "d"]);
    c.wait_for("the description", |s| s.describe.lines.is_some())
        .await;
    assert_inert(&c.frame_bytes(160, 40), "describe");
}

/// A field of another type than its schema's, in a listed object and in a watched change:
/// the object's row is there with that field empty, the pane's title counts it, describe says
/// which field held what, and the object read whole again clears it. (serde alone failed the
/// kind's whole list, and the pane with it.)
#[tokio::test]
async fn an_object_with_a_field_of_another_type_costs_that_field_only() {
    let sim = common::frozen_sim().await;
    let app = (
        kind_id("Application").expect("kind"),
        "argocd".to_string(),
        "gitea".to_string(),
    );
    sim.db()
        .modify(&app, |o| {
            o["status"]["sync"]["status"] = json!({"surprise": ["Synced"]});
            o["spec"]["project"] = json!(42);
        })
        .expect("app");
    let mut c = Cockpit::start(common::admin(&sim).await).await;
    c.press(&["2"]);
    c.wait_for("every app, gitea noted", |s| {
        s.argo.apps.len() == 25 && s.argo.apps.malformed().len() == 1
    })
    .await;
    let frame = c.frame_sized(200, 40);
    assert!(frame.contains("· 1 malformed"), "{frame}");
    c.press(&["/"]);
    c.type_text("gitea");
    c.press(&["<Enter>", "d"]);
    c.wait_for("the description", |s| s.describe.lines.is_some())
        .await;
    let frame = c.frame_sized(200, 40);
    assert!(
        frame
            .contains("Malformed:      spec.project: a number where a string belongs (and 1 more); its row shows it empty"),
        "{frame}"
    );

    // A change that arrives on the watch, to a kind already live.
    let machine = {
        let db = sim.db();
        let m = db
            .list(kind_id("Machine").expect("kind"), None, None)
            .next()
            .expect("a machine")
            .clone();
        let text = |p: &str| {
            m.pointer(p)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        (
            kind_id("Machine").expect("kind"),
            text("/metadata/namespace"),
            text("/metadata/name"),
        )
    };
    let machines = c.state.capi.machines.len();
    assert!(machines > 0);
    sim.db()
        .modify(&machine, |o| o["status"]["phase"] = json!(["Running"]))
        .expect("machine");
    c.wait_for("the odd machine noted", |s| {
        s.capi.machines.malformed().values().any(|m| {
            m.key.name == machine.2 && &*m.fields == "status.phase: a list where a string belongs"
        })
    })
    .await;
    assert_eq!(c.state.capi.machines.len(), machines, "no row lost");
    assert_eq!(
        c.state.capi.machines.state(),
        opsdeck::model::source::SourceState::Live
    );

    // Read whole again: nothing left to say.
    sim.db()
        .modify(&app, |o| {
            o["status"]["sync"]["status"] = json!("Synced");
            o["spec"]["project"] = json!("default");
        })
        .expect("app");
    c.press(&["<Esc>", "<Esc>"]);
    c.wait_for("gitea read whole", |s| s.argo.apps.malformed().is_empty())
        .await;
    let frame = c.frame_sized(200, 40);
    assert!(!frame.contains("malformed"), "{frame}");
}

/// Any JSON value, nested a few levels, with keys a wire type looks for among random ones.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
    ];
    let keys = prop_oneof![
        Just("metadata".to_string()),
        Just("spec".to_string()),
        Just("status".to_string()),
        Just("name".to_string()),
        Just("conditions".to_string()),
        Just("replicas".to_string()),
        Just("phase".to_string()),
        "[a-zA-Z]{1,8}",
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(keys.clone(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A real object with one field replaced by a value of another type.
fn mutated(sample: Value) -> impl Strategy<Value = Value> {
    fn paths(v: &Value, at: String, out: &mut Vec<String>) {
        out.push(at.clone());
        match v {
            Value::Object(m) => m
                .iter()
                .for_each(|(k, v)| paths(v, format!("{at}/{k}"), out)),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, v)| paths(v, format!("{at}/{i}"), out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    paths(&sample, String::new(), &mut all);
    (prop::sample::select(all), json_value()).prop_map(move |(path, replacement)| {
        let mut v = sample.clone();
        if let Some(slot) = v.pointer_mut(&path) {
            *slot = replacement;
        }
        v
    })
}

fn machine_sample() -> Value {
    json!({
        "apiVersion": "cluster.x-k8s.io/v1beta2", "kind": "Machine",
        "metadata": {"name": "m1", "namespace": "lab", "labels": {"cluster.x-k8s.io/cluster-name": "lab"}},
        "spec": {"clusterName": "lab", "version": "v1.33.2", "providerID": "harvester://x",
                 "bootstrap": {"dataSecretName": "s"}, "infrastructureRef": {"kind": "HarvesterMachine", "name": "m1"}},
        "status": {"phase": "Running", "nodeRef": {"name": "m1"},
                   "addresses": [{"type": "InternalIP", "address": "10.0.0.1"}],
                   "conditions": [{"type": "Ready", "status": "True", "reason": "Ready", "message": ""}]}
    })
}

fn app_sample() -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": "a", "namespace": "argocd"},
        "spec": {"project": "p", "destination": {"name": "media", "namespace": "a"},
                 "source": {"repoURL": "https://git", "path": "a", "targetRevision": "main"}},
        "status": {"sync": {"status": "Synced", "revision": "abc"},
                   "health": {"status": "Healthy", "lastTransitionTime": "2026-11-30T10:00:00Z"},
                   "operationState": {"phase": "Succeeded", "message": "ok",
                                      "syncResult": {"revision": "abc", "resources": [{"kind": "Deployment", "name": "a", "syncPhase": "Sync", "status": "Synced"}]}},
                   "resources": [{"kind": "Deployment", "name": "a", "namespace": "a", "status": "Synced", "health": {"status": "Healthy"}}]}
    })
}

/// Deserialize as the watches do; a parse that succeeds must make a row without panicking.
fn rows_from(v: &Value) {
    use opsdeck::model::{argo, capi, eso, hosts, pods, vms};
    if let Ok(o) = serde_json::from_value::<capi::MachineW>(v.clone()) {
        let _ = capi::machine_row(&o);
    }
    if let Ok(o) = serde_json::from_value::<capi::ClusterW>(v.clone()) {
        let _ = capi::cluster_row(&o);
    }
    if let Ok(o) = serde_json::from_value::<capi::DeploymentW>(v.clone()) {
        let _ = capi::deployment_row(&o);
    }
    if let Ok(o) = serde_json::from_value::<capi::ControlPlaneW>(v.clone()) {
        let _ = capi::control_plane_row(&o);
    }
    if let Ok(o) = serde_json::from_value::<argo::AppSummaryW>(v.clone()) {
        let _ = argo::app_row(&o);
    }
    if let Ok(o) = serde_json::from_value::<eso::ExternalSecretW>(v.clone()) {
        let _ = eso::external_secret_row(&o);
    }
    if let Ok(o) = serde_json::from_value::<vms::VmW>(v.clone()) {
        let _ = vms::vm_row(&o);
    }
    if let Ok(o) = serde_json::from_value::<vms::NodeW>(v.clone()) {
        let _ = vms::host_row(&o);
    }
    if let Ok(o) = serde_json::from_value::<hosts::HardwareW>(v.clone()) {
        let _ = hosts::hardware_row(&o);
    }
    if let Ok(o) = serde_json::from_value::<hosts::BmcW>(v.clone()) {
        let _ = hosts::bmc_row(&o);
    }
    if let Ok(o) = serde_json::from_value::<pods::PodW>(v.clone()) {
        let _ = pods::pod_row(&o);
    }
    let now = jiff::Timestamp::now();
    let _ = opsdeck::model::describe::describe(v, std::slice::from_ref(v), now);
    let _ = opsdeck::model::yaml::yaml_lines(v, false);
    let _ = opsdeck::model::argo_diff::parse(v);
    let _ = opsdeck::model::argo_rest::tree_health(v);
    let _ = opsdeck::model::metrics::pod_usage(v);
    let _ = opsdeck::model::metrics::node_usage(v);
}

/// An object (whatever its fields hold) is read from its bytes as the watches read it; what
/// was left empty is named by a path into the object.
fn read_whole<T>(v: &Value) -> Result<(), TestCaseError>
where
    T: serde::de::DeserializeOwned + opsdeck::model::wire::ReadNotes,
{
    if !v.is_object() {
        return Ok(());
    }
    let read = serde_json::from_slice::<T>(v.to_string().as_bytes());
    prop_assert!(read.is_ok(), "{:?} for {v}", read.err());
    if let Some(said) = read.ok().as_ref().and_then(|o| o.malformed()) {
        prop_assert!(
            ["metadata", "spec", "status"]
                .iter()
                .any(|p| said.starts_with(p))
                && said.contains(" where "),
            "{said}"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn objects_of_any_shape_never_panic_a_row(v in json_value()) {
        rows_from(&v);
        use opsdeck::model::{argo, capi, eso, hosts, pods, vms};
        read_whole::<capi::MachineW>(&v)?;
        read_whole::<capi::ClusterW>(&v)?;
        read_whole::<capi::DeploymentW>(&v)?;
        read_whole::<capi::ControlPlaneW>(&v)?;
        read_whole::<argo::AppDetailW>(&v)?;
        read_whole::<eso::ExternalSecretW>(&v)?;
        read_whole::<eso::StoreW>(&v)?;
        read_whole::<vms::VmW>(&v)?;
        read_whole::<vms::VmiW>(&v)?;
        read_whole::<vms::ImageW>(&v)?;
        read_whole::<vms::NodeW>(&v)?;
        read_whole::<hosts::HardwareW>(&v)?;
        read_whole::<hosts::WorkflowW>(&v)?;
        read_whole::<hosts::BmcW>(&v)?;
        read_whole::<hosts::BmcJobW>(&v)?;
        read_whole::<pods::PodW>(&v)?;
    }

    #[test]
    fn a_real_machine_with_a_field_of_another_type_is_read_and_the_field_named(v in mutated(machine_sample())) {
        rows_from(&v);
        read_whole::<opsdeck::model::capi::MachineW>(&v)?;
    }

    #[test]
    fn a_real_app_with_a_field_of_another_type_is_read_and_the_field_named(v in mutated(app_sample())) {
        rows_from(&v);
        read_whole::<opsdeck::model::argo::AppSummaryW>(&v)?;
        read_whole::<opsdeck::model::argo::AppDetailW>(&v)?;
    }

    #[test]
    fn user_files_of_any_content_get_a_message_naming_them(text in ".{0,200}", toml_ish in "([a-z_]{1,8} = (\"[^\"]{0,6}\"|[0-9]{1,3}|\\[\\]|true)\n|\\[[a-z]{1,8}\\]\n){0,6}") {
        for input in [&text, &toml_ish] {
            if let Err(e) = opsdeck::app::config::UserConfig::parse("config.toml", input) {
                prop_assert!(e.to_string().starts_with("config.toml"), "{e}");
            }
            if let Err(e) = opsdeck::app::theme::Theme::parse("theme.toml", input) {
                prop_assert!(e.to_string().starts_with("theme.toml"), "{e}");
            }
            if let Err(e) = opsdeck::app::keymap::Keymap::parse("keymap.toml", input) {
                prop_assert!(e.to_string().starts_with("keymap.toml"), "{e}");
            }
            if let Err(e) = opsdeck::app::aliases::Aliases::parse("aliases.toml", input) {
                prop_assert!(e.to_string().starts_with("aliases.toml"), "{e}");
            }
            if let Err(e) = opsdeck::app::plugin_file::Plugins::parse("plugins.toml", input, &["apps"]) {
                prop_assert!(e.to_string().starts_with("plugins.toml"), "{e}");
            }
        }
    }

    #[test]
    fn configs_of_any_yaml_shape_get_a_message_naming_them(v in json_value()) {
        let text = serde_saphyr::to_string(&v).unwrap_or_default();
        if let Err(e) = opsdeck::clients::talos::config::Talosconfig::parse("my-talosconfig", &text) {
            prop_assert!(e.to_string().contains("my-talosconfig"), "{e}");
        }
        if let Err(e) = opsdeck_sim::scenario::Scenario::parse("my-scenario", &text) {
            prop_assert!(e.to_string().contains("my-scenario"), "{e}");
        }
        let _ = opsdeck::clients::kube::connect::context_names(
            opsdeck::clients::kube::connect::KubeconfigSource::Text(&text),
        );
    }

    #[test]
    fn talos_replies_of_any_content_never_panic(
        type_url in prop_oneof![
            Just("talos/runtime/machine.SequenceEvent".to_string()),
            Just("talos/runtime/machine.ServiceStateEvent".to_string()),
            Just("talos/runtime/machine.MachineStatusEvent".to_string()),
            Just("talos/runtime/machine.AddressEvent".to_string()),
            ".{0,40}",
        ],
        value in prop::collection::vec(any::<u8>(), 0..64),
        id in ".{0,24}",
        yaml in ".{0,120}",
    ) {
        use opsdeck::clients::talos::proto::machine::Event;
        let event = Event {
            metadata: None,
            data: Some(prost_types::Any { type_url, value }),
            id,
            actor_id: String::new(),
        };
        if let Some(e) = opsdeck::clients::talos::state::decode(event) {
            let (_, text) = e.describe();
            prop_assert!(!text.chars().any(char::is_control));
        }
        let _ = opsdeck::model::talos_machine::machine_status(&yaml);
        let _ = opsdeck::model::talos_machine::member(&yaml);
        let _ = opsdeck::model::talos_machine::node_addresses(&yaml);
        let _ = opsdeck::model::talos_machine::redacted_config(&yaml);
    }
}
