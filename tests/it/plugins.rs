//! Plugins from plugins.toml, on real rows of the simulator: the variables a row gives, a
//! background run streamed into `:output`, a foreground run handed the terminal, confirms for
//! dangerous ones (hidden in read-only mode), and one audit line per run.

use opsdeck::app::domains::OpStatus;
use opsdeck::app::plugins::Plugins;
use opsdeck::app::state::Screen;

use crate::common::{Cockpit, audit_lines, footer, frozen_sim};

const PANES: &[&str] = &["browse", "apps", "clusters", "talos"];

fn plugins(text: &str) -> Plugins {
    Plugins::parse("plugins.toml", text, PANES).expect("plugins parse")
}

#[tokio::test]
async fn a_background_plugin_runs_on_the_row_and_its_output_is_shown() {
    let sim = frozen_sim().await;
    let (mut c, pod) = Cockpit::on_pods(&sim, "radarr").await;
    c.state.plugins = plugins(
        r#"
[[plugin]]
name = "peek"
key = "<C-o>"
panes = ["browse"]
kinds = ["pods"]
command = "sh"
args = ["-c", "echo \"pod=$1 ns=$2 node=$3 in $4\"; echo oops >&2; exit 3", "peek", "$NAME", "$NAMESPACE", "$NODE", "$CONTEXT"]
background = true
"#,
    );
    // The footer offers it on pods.
    let frame = c.frame();
    assert!(footer(&frame).contains("<C-o> peek"), "{}", footer(&frame));
    c.press(&["<C-o>"]);
    let op = c
        .state
        .actions
        .operations
        .first()
        .unwrap_or_else(|| panic!("no operation: {:?}", c.state.notice))
        .id;
    c.wait_for("the plugin to end", |s| {
        s.actions.output.as_ref().is_some_and(|o| o.ended.is_some())
    })
    .await;
    let output = c.state.actions.output.clone().expect("output");
    // The pod's node is a wide column the table does not show; the plugin gets it anyway.
    let at = c
        .state
        .browse
        .columns
        .iter()
        .position(|col| col.name == "Node")
        .expect("the server sends a Node column");
    let node = c.state.browse.rows.get(&pod).expect("the row").cells[at].clone();
    assert!(
        !node.is_empty() && !c.frame().contains(node.as_str()),
        "{node}"
    );
    let expected = format!(
        "pod={} ns={} node={node} in {}",
        pod.name, pod.namespace, pod.cluster
    );
    assert!(
        output.lines.contains(&expected),
        "{:?} vs {expected}",
        output.lines
    );
    assert!(
        output.lines.contains(&"oops".to_string()),
        "{:?}",
        output.lines
    );
    assert_eq!(output.ended.as_deref(), Some("sh exited 3"));
    let status = &c.state.actions.operations[0].status;
    assert!(
        matches!(status, OpStatus::Failed(m) if m.contains("exited 3")),
        "{status:?}"
    );
    assert_eq!(c.state.actions.operations[0].id, op);

    c.command("output");
    let frame = c.frame();
    assert!(frame.contains("[sh exited 3]"), "{frame}");
    assert!(frame.contains(&expected), "{frame}");

    let audit = audit_lines(&c);
    let line = audit.last().expect("an audit line");
    assert_eq!(line["action"], "plugin");
    assert_eq!(line["target"]["name"], pod.name.as_str());
    assert!(
        line["request"]["command"]
            .as_str()
            .is_some_and(|cmd| cmd.starts_with("sh -c ") && cmd.contains(pod.name.as_str())),
        "{line}"
    );
    assert!(
        line["result"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("exited 3"))
    );
}

#[tokio::test]
async fn a_foreground_plugin_asks_first_shows_the_command_and_gets_the_terminal() {
    let sim = frozen_sim().await;
    let (mut c, pod) = Cockpit::on_pods(&sim, "radarr").await;
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("ran");
    c.state.plugins = plugins(&format!(
        r#"
[[plugin]]
name = "note"
key = "N"
panes = ["browse"]
command = "sh"
args = ["-c", "echo \"$1 $2\" > {}", "note", "$KIND", "$NAME"]
confirm = true
"#,
        out.display()
    ));
    c.press(&["N"]);
    assert!(
        !c.run_foreground_plugin(),
        "nothing runs before the confirm"
    );
    let frame = c.frame();
    assert!(frame.contains("plugin note on Pod"), "{frame}");
    assert!(
        frame.contains(&format!(
            "sh -c 'echo \"$1 $2\" > {}' note Pod {}",
            out.display(),
            pod.name
        )),
        "{frame}"
    );
    assert!(frame.contains("in this terminal"), "{frame}");
    c.press(&["<Enter>"]);
    assert!(
        c.run_foreground_plugin(),
        "the loop is asked for the terminal"
    );
    c.wait_for("the run to be reported", |s| {
        matches!(
            s.actions.operations.first().map(|o| &o.status),
            Some(OpStatus::Succeeded(_))
        )
    })
    .await;
    assert_eq!(
        std::fs::read_to_string(&out).expect("the plugin ran"),
        format!("Pod {}\n", pod.name)
    );
    assert_eq!(
        audit_lines(&c).last().expect("audit")["result"]["ok"],
        "exited 0"
    );
}

#[tokio::test]
async fn dangerous_plugins_are_hidden_in_read_only_mode_and_always_confirmed() {
    let sim = frozen_sim().await;
    let (mut c, _) = Cockpit::on_pods(&sim, "radarr").await;
    c.state.plugins = plugins(
        r#"
[[plugin]]
name = "nuke"
key = "X"
command = "true"
dangerous = true
description = "Delete with prejudice"

[[plugin]]
name = "where"
key = "W"
command = "echo"
args = ["$NOPE"]
"#,
    );
    c.state.readonly = true;
    c.press(&["?"]);
    assert!(!c.frame().contains("nuke"), "hidden in read-only mode");
    c.press(&["<Esc>"]);
    c.press(&["X"]);
    assert!(c.state.actions.dialog.is_none());
    assert!(c.state.actions.operations.is_empty());
    // A plugin that only looks still runs; a variable the row does not have is named.
    c.press(&["W"]);
    let notice = c.state.notice.clone().unwrap_or_default();
    assert!(
        notice.starts_with("plugin where: $NOPE is not a variable here"),
        "{notice}"
    );

    c.state.readonly = false;
    c.press(&["?"]);
    let help = c.frame();
    assert!(
        help.contains("nuke: Delete with prejudice (asks first)"),
        "{help}"
    );
    c.press(&["<Esc>"]);
    c.press(&["X"]);
    let dialog = c
        .state
        .actions
        .dialog
        .as_ref()
        .expect("a dangerous plugin asks first");
    assert!(dialog.plan.title().starts_with("plugin nuke on Pod"));
    assert_eq!(
        c.state.screen(),
        &Screen::Pane(opsdeck::app::ids::PaneId::BROWSE)
    );
}

#[tokio::test]
async fn plugins_work_on_the_cluster_tree_with_its_cluster_and_node() {
    let sim = frozen_sim().await;
    let mut c = Cockpit::start(crate::common::admin(&sim).await).await;
    c.wait_for("machines", |s| s.capi.machines.len() >= 9).await;
    let machine = c
        .state
        .capi
        .machines
        .iter()
        .find(|m| !m.node.is_empty() && m.cluster == "media")
        .expect("a media machine with a node")
        .clone();
    c.select_in_tree(&opsdeck::model::tree::NodeId::Machine(machine.key.clone()))
        .await;
    c.state.plugins = plugins(
        r#"
[[plugin]]
name = "talosctl"
key = "T"
panes = ["clusters"]
kinds = ["machine"]
command = "talosctl"
args = ["-n", "$NODE", "--cluster", "$CLUSTER", "dashboard"]
confirm = true
"#,
    );
    c.press(&["T"]);
    let dialog = c.state.actions.dialog.as_ref().expect("the confirm");
    let preview = dialog.plan.preview().join("\n");
    assert!(
        preview.contains(&format!(
            "talosctl -n {} --cluster media dashboard",
            machine.node
        )),
        "{preview}"
    );
}

#[tokio::test]
async fn a_built_in_key_wins_over_a_plugin_on_it() {
    let sim = frozen_sim().await;
    let (mut c, _) = Cockpit::on_pods(&sim, "radarr").await;
    c.state.plugins = plugins(
        r#"
[[plugin]]
name = "mylogs"
key = "l"
command = "true"
"#,
    );
    assert!(!footer(&c.frame()).contains("mylogs"));
    c.press(&["l"]);
    assert!(
        matches!(c.state.screen(), Screen::Logs(_)),
        "{:?}",
        c.state.screen()
    );
    assert!(c.state.actions.operations.is_empty());
}
