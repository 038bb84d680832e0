//! `update` without a terminal: messages in, state and commands out.

use crate::common::{self, key_event, render, shown_names, test_state};
use opsdeck::app::ids::PaneId;
use opsdeck::app::msg::{Command, Msg};
use opsdeck::app::state::{Prompt, Screen, State};
use opsdeck::app::tables;
use opsdeck::app::update::update;
use opsdeck::model::argo::AppRow;
use opsdeck::model::source::SourceState;
use opsdeck::model::store::{ObjRef, WatchUpdate};

fn app(name: &str, sync: &str) -> AppRow {
    common::app_row(name, sync, "Healthy")
}

fn press(state: &mut opsdeck::app::state::State, keys: &[&str]) -> Vec<Command> {
    keys.iter()
        .flat_map(|k| update(state, key_event(k)))
        .collect()
}

#[test]
fn enter_on_an_app_opens_its_sync_wave_view_and_esc_returns() {
    let mut s = test_state();
    update(
        &mut s,
        Msg::Apps(WatchUpdate::Relisted(
            "c".into(),
            vec![app("a", "Synced"), app("b", "OutOfSync")],
        )),
    );
    press(&mut s, &["2", "j"]);
    let cmds = press(&mut s, &["<Enter>"]);
    assert_eq!(
        cmds,
        vec![Command::WatchAppDetail(ObjRef::in_cluster(
            "c", "argocd", "b"
        ))]
    );
    assert_eq!(
        s.screen(),
        &Screen::SyncWaves(ObjRef::in_cluster("c", "argocd", "b"))
    );
    assert_eq!(press(&mut s, &["<Esc>"]), vec![Command::StopAppDetail]);
    assert_eq!(s.screen(), &Screen::Pane(PaneId::APPS));
}

#[test]
fn filter_applies_while_typing_and_esc_clears_it_first() {
    let mut s = test_state();
    update(
        &mut s,
        Msg::Apps(WatchUpdate::Relisted(
            "c".into(),
            vec![app("alpha", "Synced"), app("beta", "OutOfSync")],
        )),
    );
    press(&mut s, &["2", "/", "b", "e"]);
    assert_eq!(s.prompt, Some(Prompt::Filter("be".into())));
    assert_eq!(shown_names(&s, &tables::APPS), vec!["beta"]);
    press(&mut s, &["<Enter>"]);
    assert_eq!(s.prompt, None);
    assert_eq!(s.filter(), "be");
    press(&mut s, &["<Esc>"]);
    assert_eq!(s.filter(), "");
    assert_eq!(
        s.screen(),
        &Screen::Pane(PaneId::APPS),
        "Esc with a filter only clears the filter"
    );
    press(&mut s, &["/", "!", "a", "l", "p", "<Enter>"]);
    assert_eq!(shown_names(&s, &tables::APPS), vec!["beta"]);
}

#[test]
fn command_line_completes_and_reports_unknown_commands() {
    let mut s = test_state();
    press(&mut s, &[":", "a", "p", "<Tab>"]);
    assert_eq!(s.prompt, Some(Prompt::Command("apps".into())));
    press(&mut s, &["<Enter>"]);
    assert_eq!(s.screen(), &Screen::Pane(PaneId::APPS));
    press(&mut s, &[":", "c", "l", "<Enter>"]);
    assert_eq!(s.screen(), &Screen::Pane(PaneId::CLUSTERS), "aliases work");
    press(&mut s, &[":", "p", "o", "d", "s", "<Enter>"]);
    assert!(s.notice.as_deref().is_some_and(|n| n.contains("pods")));
    let frame = render(&mut s, 120, 20);
    assert!(frame.contains("unknown command \"pods\""), "{frame}");
}

#[test]
fn help_is_generated_from_the_keymap() {
    let mut s = test_state();
    press(&mut s, &["2", "?"]);
    assert!(s.show_help);
    let frame = render(&mut s, 120, 50);
    assert!(frame.contains("Open the sync-wave view"), "{frame}");
    assert!(frame.contains("Filter rows"), "{frame}");
    assert!(frame.contains(":apps"), "{frame}");
    press(&mut s, &["<Esc>"]);
    assert!(!s.show_help);
    // The longest description in the tree's section is shown whole when the screen has room.
    press(&mut s, &["1", "?"]);
    let frame = render(&mut s, 160, 60);
    assert!(
        frame.contains("Upgrade the selected cluster's Kubernetes (control plane, then workers)"),
        "{frame}"
    );
}

#[test]
fn help_on_a_small_screen_wraps_its_descriptions_and_scrolls_to_its_last_line() {
    let mut s = test_state();
    render(&mut s, 70, 20);
    press(&mut s, &["1", "?"]);
    let frame = render(&mut s, 70, 20);
    // The tree's longest description, on two lines under its own column, every word kept.
    let upgrade = "Upgrade the selected cluster's Kubernetes (control plane, then workers)";
    let shown: Vec<&str> = frame.split_whitespace().filter(|w| *w != "│").collect();
    let words: Vec<&str> = upgrade.split(' ').collect();
    assert!(
        shown.windows(words.len()).any(|w| w == words.as_slice()),
        "{frame}"
    );
    assert!(frame.contains("j k to scroll (1–18 of "), "{frame}");
    assert!(!frame.contains(":quit"), "{frame}");
    // To the last line; further does not move, and one line back is one line back.
    press(&mut s, &["G"]);
    let bottom = render(&mut s, 70, 20);
    assert!(bottom.contains(":quit"), "{bottom}");
    let at_end = s.help_scroll;
    press(&mut s, &["j", "j", "<PageDown>"]);
    assert_eq!(s.help_scroll, at_end);
    press(&mut s, &["k"]);
    assert_eq!(s.help_scroll, at_end - 1);
    press(&mut s, &["g"]);
    assert_eq!(s.help_scroll, 0);
    // Closed and opened again, it starts at the top.
    press(&mut s, &["G", "<Esc>", "?"]);
    assert_eq!(s.help_scroll, 0);
    // The title names the keys the keymap binds to scrolling.
    s.keymap
        .merge(
            "keymap.toml",
            "[global]\nkeymap = [\n  { on = \"n\", run = \"down\" },\n  { on = \"j\", run = \"top\" },\n]\n",
        )
        .expect("a keymap");
    let rebound = render(&mut s, 70, 20);
    assert!(rebound.contains("· n k to scroll ("), "{rebound}");
    // On a screen with room for all of it, it does not scroll.
    let tall = render(&mut s, 200, 100);
    press(&mut s, &["G"]);
    assert_eq!(s.help_scroll, 0, "{tall}");
    assert!(!tall.contains("to scroll"), "{tall}");
}

#[test]
fn navigation_stays_in_bounds() {
    let mut s = test_state();
    let rows: Vec<AppRow> = (0..50)
        .map(|i| app(&format!("app-{i:02}"), "Synced"))
        .collect();
    update(&mut s, Msg::Apps(WatchUpdate::Relisted("c".into(), rows)));
    let selected = |s: &State| tables::selected(s, &tables::APPS).map(|k| k.name);
    press(&mut s, &["2", "G"]);
    assert_eq!(selected(&s).as_deref(), Some("app-49"));
    press(&mut s, &["j"]);
    assert_eq!(selected(&s).as_deref(), Some("app-49"));
    press(&mut s, &["g", "k"]);
    assert_eq!(selected(&s).as_deref(), Some("app-00"));
    // A 20-row terminal: header, footer, the pane's frame and column header leave 15 rows.
    render(&mut s, 100, 20);
    press(&mut s, &["<PageDown>"]);
    assert_eq!(selected(&s).as_deref(), Some("app-15"));
    let frame = render(&mut s, 100, 20);
    assert!(
        frame.contains("app-15") && !frame.contains("app-00"),
        "selection scrolled into view:\n{frame}"
    );
}

#[test]
fn redraw_only_when_something_changed() {
    let mut s = test_state();
    render(&mut s, 80, 20);
    s.dirty = false;
    let now = s.now;
    update(&mut s, Msg::Tick(now));
    assert!(!s.dirty, "a tick with nothing to move draws nothing");
    update(
        &mut s,
        Msg::Apps(WatchUpdate::State("c".into(), SourceState::Live)),
    );
    assert!(s.dirty);
}

#[test]
fn quit_keys() {
    let mut s = test_state();
    press(&mut s, &["q"]);
    assert!(s.quit);
    let mut s = test_state();
    press(&mut s, &["<C-c>"]);
    assert!(s.quit);
}

#[test]
fn rows_from_two_management_clusters_say_which_cluster() {
    let mut s = test_state();
    let mut other = app("gitea", "Synced");
    other.key.cluster = "mgmt-b".into();
    let mut mine = app("gitea", "Synced");
    mine.key.cluster = "mgmt-a".into();
    update(
        &mut s,
        Msg::Apps(WatchUpdate::Relisted("mgmt-a".into(), vec![mine])),
    );
    update(
        &mut s,
        Msg::Apps(WatchUpdate::Relisted("mgmt-b".into(), vec![other])),
    );
    press(&mut s, &["2"]);
    let frame = render(&mut s, 140, 10);
    assert!(
        frame.contains("gitea @mgmt-a") && frame.contains("gitea @mgmt-b"),
        "{frame}"
    );
    assert!(
        frame.contains("Applications (2) [live] mgmt-a, mgmt-b"),
        "{frame}"
    );
}

#[test]
fn a_mutating_key_acts_only_where_its_pane_offers_it() {
    let mut s = test_state();
    // A user binds sync everywhere: on the secrets pane it must not reach the apps.
    s.keymap
        .merge(
            "user",
            "[global]\nkeymap = [{ on = \"y\", run = \"sync\" }]\n",
        )
        .expect("merge");
    update(
        &mut s,
        Msg::Apps(WatchUpdate::Relisted(
            "c".into(),
            vec![app("a", "OutOfSync")],
        )),
    );
    press(&mut s, &["4", "y"]);
    assert!(s.actions.dialog.is_none());
    assert!(
        s.notice
            .as_deref()
            .is_some_and(|n| n.contains("not offered")),
        "{:?}",
        s.notice
    );
    press(&mut s, &["2", "y"]);
    assert!(s.actions.dialog.is_some(), "the apps pane offers sync");
}

fn kind(group: &str, kind: &str, plural: &str) -> opsdeck::model::catalog::ApiKind {
    opsdeck::model::catalog::ApiKind {
        group: group.into(),
        version: if group.is_empty() { "v1" } else { "v1beta1" }.into(),
        kind: kind.into(),
        plural: plural.into(),
        singular: kind.to_lowercase(),
        short_names: Vec::new(),
        namespaced: true,
    }
}

#[test]
fn metrics_are_polled_once_discovery_finds_metrics_server_after_the_core_group() {
    use opsdeck::model::metrics::MetricsSource;
    let mut s = test_state();
    let pods = kind("", "Pod", "pods");
    // The core group answers first: `:pods` opens, and the cluster has no metrics yet.
    update(
        &mut s,
        Msg::Catalog {
            cluster: "c".into(),
            result: Ok(vec![pods.clone()]),
            complete: false,
        },
    );
    let opened = press(&mut s, &[":", "p", "o", "d", "s", "<Enter>"]);
    assert!(
        opened.iter().any(|c| matches!(c, Command::Browse(_))),
        "{opened:?}"
    );
    assert!(
        !opened
            .iter()
            .any(|c| matches!(c, Command::PollMetrics { .. }))
    );
    assert_eq!(
        s.browse.metrics.clusters.get("c"),
        Some(&MetricsSource::NotServed)
    );
    // Then every group: metrics-server is there, so the usage is polled — once.
    let all = vec![pods, kind("metrics.k8s.io", "PodMetrics", "pods")];
    let more = update(
        &mut s,
        Msg::Catalog {
            cluster: "c".into(),
            result: Ok(all.clone()),
            complete: true,
        },
    );
    assert!(
        matches!(more.as_slice(), [Command::PollMetrics { clusters, .. }] if clusters == &["c".to_string()]),
        "{more:?}"
    );
    assert_eq!(
        s.browse.metrics.clusters.get("c"),
        Some(&MetricsSource::Waiting)
    );
    let again = update(
        &mut s,
        Msg::Catalog {
            cluster: "c".into(),
            result: Ok(all),
            complete: true,
        },
    );
    assert!(again.is_empty(), "{again:?}");
}

#[test]
fn help_says_where_the_log_goes() {
    let mut s = test_state();
    let text = |s: &State| {
        opsdeck::views::help::lines(s)
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(!text(&s).contains("OPSDECK_LOG"));
    s.log = Some(opsdeck::app::config::LogSetup {
        path: "/home/op/.cache/opsdeck/opsdeck.log".into(),
        level: "info".into(),
    });
    // Under `files`, in the keys' column like every other entry.
    assert!(
        text(&s).contains(&format!(
            "\n  {:<20}/home/op/.cache/opsdeck/opsdeck.log (level info, cut at 10 MiB, 3 kept; --log-level or OPSDECK_LOG to change)",
            "log"
        )),
        "{}",
        text(&s)
    );
}

/// The Machines of cluster `c`, each naming its HarvesterMachine.
fn machines_naming_their_provider() -> Msg {
    let machine: opsdeck::model::capi::MachineW = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "m-1", "namespace": "c"},
        "spec": {"clusterName": "c", "infrastructureRef": {
            "apiGroup": "infrastructure.cluster.x-k8s.io", "kind": "HarvesterMachine", "name": "m-1"}}
    }))
    .expect("a Machine");
    let mut row = opsdeck::model::capi::machine_row(&machine);
    row.key.cluster = "c".into();
    Msg::Machines(WatchUpdate::Relisted("c".into(), vec![row]))
}

fn watches_infra(commands: &[Command]) -> bool {
    commands
        .iter()
        .any(|c| matches!(c, Command::WatchInfra { kind, .. } if kind.kind == "HarvesterMachine"))
}

#[test]
fn provider_machines_wait_for_the_pane_on_screen_to_finish_listing() {
    let mut s = test_state();
    let harvester = kind(
        "infrastructure.cluster.x-k8s.io",
        "HarvesterMachine",
        "harvestermachines",
    );
    update(
        &mut s,
        Msg::Catalog {
            cluster: "c".into(),
            result: Ok(vec![kind("", "Pod", "pods"), harvester]),
            complete: true,
        },
    );
    press(&mut s, &[":", "p", "o", "d", "s", "<Enter>"]);
    let id = s.browse.target.as_ref().expect("browsing").id;
    let pods_state = |state| Msg::Browse {
        id,
        update: opsdeck::clients::kube::browse::BrowseUpdate::Rows(WatchUpdate::State(
            "c".into(),
            state,
        )),
    };
    // The Machines arrive while the pods are listed: their providers' machines wait.
    let held = update(&mut s, machines_naming_their_provider());
    assert!(!watches_infra(&held), "{held:?}");
    // The pods are in: they start, once.
    let started = update(&mut s, pods_state(SourceState::Live));
    assert!(watches_infra(&started), "{started:?}");
    let again = update(&mut s, machines_naming_their_provider());
    assert!(!watches_infra(&again), "{again:?}");
}

#[test]
fn provider_machines_wait_for_a_list_that_never_ends_only_a_few_seconds() {
    let mut s = test_state();
    update(
        &mut s,
        Msg::Catalog {
            cluster: "c".into(),
            result: Ok(vec![
                kind("", "Pod", "pods"),
                kind(
                    "infrastructure.cluster.x-k8s.io",
                    "HarvesterMachine",
                    "harvestermachines",
                ),
            ]),
            complete: true,
        },
    );
    press(&mut s, &[":", "p", "o", "d", "s", "<Enter>"]);
    let start = s.now;
    assert!(!watches_infra(&update(
        &mut s,
        machines_naming_their_provider()
    )));
    let tick = |secs| Msg::Tick(start + jiff::SignedDuration::from_secs(secs));
    assert!(!watches_infra(&update(&mut s, tick(1))));
    assert!(watches_infra(&update(&mut s, tick(3))));
}
