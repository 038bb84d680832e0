//! The shared table: the cursor stays on its object whatever the watches do, columns follow
//! their content, sorting by any column, paging by the terminal's height — through `update`
//! and rendered frames.

use crossterm::event::Event;
use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::common::{self, key_event, render, shown_names, test_state};
use opsdeck::app::msg::Msg;
use opsdeck::app::state::State;
use opsdeck::app::tables::{self, Table};
use opsdeck::app::update::update;
use opsdeck::model::argo::AppRow;
use opsdeck::model::shown::Shown;
use opsdeck::model::store::{ObjRef, WatchUpdate};
use opsdeck::model::talos::TalosNodeRow;
use opsdeck::model::vms::HostRow;
use opsdeck::model::wire::CondSummary;

fn app(name: &str, health: &str) -> AppRow {
    common::app_row(name, "Synced", health)
}

fn press(state: &mut State, keys: &[&str]) {
    for k in keys {
        update(state, key_event(k));
    }
}

fn selected(state: &State, table: &Table) -> Option<String> {
    tables::selected(state, table).map(|k| k.name.to_string())
}

fn apps_state(names: &[(&str, &str)]) -> State {
    let mut s = test_state();
    let rows = names.iter().map(|(n, h)| app(n, h)).collect();
    update(&mut s, Msg::Apps(WatchUpdate::Relisted("c".into(), rows)));
    press(&mut s, &["2"]);
    s
}

#[test]
fn a_watch_event_that_moves_rows_never_moves_the_cursor_to_another_object() {
    let mut s = apps_state(&[
        ("alpha", "Healthy"),
        ("bravo", "Healthy"),
        ("delta", "Healthy"),
    ]);
    press(&mut s, &["j"]);
    assert_eq!(selected(&s, &tables::APPS).as_deref(), Some("bravo"));
    // A new app sorts in above the cursor: the cursor stays on bravo, one row lower.
    update(
        &mut s,
        Msg::Apps(WatchUpdate::Upsert(app("azure", "Healthy"))),
    );
    assert_eq!(selected(&s, &tables::APPS).as_deref(), Some("bravo"));
    // Sorted by health, bravo turning Degraded moves it to the top: still bravo.
    press(&mut s, &[">", ">", ">", ">"]);
    assert!(render(&mut s, 120, 20).contains("HEALTH↑"));
    update(
        &mut s,
        Msg::Apps(WatchUpdate::Upsert(app("bravo", "Degraded"))),
    );
    assert_eq!(shown_names(&s, &tables::APPS)[0], "bravo");
    assert_eq!(selected(&s, &tables::APPS).as_deref(), Some("bravo"));
    // The object is deleted: the cursor falls back to the position the user last put it at
    // (the second row), and what it highlights is what an action would target.
    update(
        &mut s,
        Msg::Apps(WatchUpdate::Delete(ObjRef::in_cluster(
            "c", "argocd", "bravo",
        ))),
    );
    assert_eq!(
        selected(&s, &tables::APPS),
        shown_names(&s, &tables::APPS).get(1).cloned()
    );
}

#[test]
fn filters_keep_the_object_or_start_at_the_top() {
    let mut s = apps_state(&[
        ("alpha", "Healthy"),
        ("bravo", "Healthy"),
        ("charlie", "Healthy"),
    ]);
    press(&mut s, &["G"]);
    assert_eq!(selected(&s, &tables::APPS).as_deref(), Some("charlie"));
    // A filter that still shows it keeps it; clearing the filter keeps it too.
    press(&mut s, &["/", "a", "r", "<Enter>"]);
    assert_eq!(selected(&s, &tables::APPS).as_deref(), Some("charlie"));
    press(&mut s, &["<Esc>"]);
    assert_eq!(selected(&s, &tables::APPS).as_deref(), Some("charlie"));
    // A filter that hides it starts at the first match, not at the old position.
    press(&mut s, &["/", "!", "c", "h", "<Enter>"]);
    assert_eq!(selected(&s, &tables::APPS).as_deref(), Some("alpha"));
}

#[test]
fn sorting_cycles_through_the_columns_and_reverses() {
    let mut s = apps_state(&[
        ("node-10", "Healthy"),
        ("node-9", "Degraded"),
        ("node-1", "Healthy"),
    ]);
    assert_eq!(
        shown_names(&s, &tables::APPS),
        ["node-1", "node-10", "node-9"]
    );
    press(&mut s, &[">"]);
    let frame = render(&mut s, 120, 20);
    assert!(frame.contains("NAME↑"), "{frame}");
    assert_eq!(
        shown_names(&s, &tables::APPS),
        ["node-1", "node-9", "node-10"]
    );
    press(&mut s, &["~"]);
    assert!(render(&mut s, 120, 20).contains("NAME↓"));
    assert_eq!(
        shown_names(&s, &tables::APPS),
        ["node-10", "node-9", "node-1"]
    );
    // Back past the first column: the pane's own order, no arrow.
    press(&mut s, &["<"]);
    let frame = render(&mut s, 120, 20);
    assert!(!frame.contains('↑') && !frame.contains('↓'), "{frame}");
}

#[test]
fn long_values_are_shown_whole_while_there_is_room() {
    let mut s = apps_state(&[("kube-prometheus-stack-prod", "Healthy"), ("a", "Healthy")]);
    let frame = render(&mut s, 120, 20);
    assert!(frame.contains("kube-prometheus-stack-prod "), "{frame}");
    let node = TalosNodeRow {
        key: ObjRef::in_cluster("opsdeck-management", "lab", "10.5.0.2"),
        hostname: Some("lab-workers-9bn5h-kphlr".into()),
        talos_version: Some("v1.14.0-rc.1".into()),
        services: None,
        memory_used_pct: Some(41.0),
        load1: Some(0.5),
        boot_time: None,
        etcd: None,
        error: None,
        polled_at: Timestamp::now(),
        sample: None,
    };
    update(
        &mut s,
        Msg::Talos(WatchUpdate::Relisted("lab".into(), vec![node])),
    );
    press(&mut s, &["3"]);
    let frame = render(&mut s, 120, 20);
    for whole in [
        "lab-workers-9bn5h-kphlr",
        "opsdeck-management",
        "v1.14.0-rc.1",
    ] {
        assert!(frame.contains(whole), "{whole} cut:\n{frame}");
    }
    // Too narrow for everything: values are cut with a mark, never silently.
    let narrow = render(&mut s, 60, 20);
    assert!(narrow.contains('…'), "{narrow}");
}

#[test]
fn page_keys_follow_the_terminal_height_without_a_draw() {
    let names: Vec<String> = (0..60).map(|i| format!("app-{i:02}")).collect();
    let pairs: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "Healthy")).collect();
    let mut s = apps_state(&pairs);
    update(&mut s, Msg::Input(Event::Resize(100, 30)));
    // 30 rows: header, footer, the pane's two borders and its column header leave 25.
    press(&mut s, &["<PageDown>"]);
    assert_eq!(selected(&s, &tables::APPS).as_deref(), Some("app-25"));
    update(&mut s, Msg::Input(Event::Resize(100, 15)));
    press(&mut s, &["<PageDown>"]);
    assert_eq!(selected(&s, &tables::APPS).as_deref(), Some("app-35"));
}

#[test]
fn the_harvester_hosts_under_the_vms_have_no_cursor() {
    let mut s = test_state();
    let host = |name: &str| HostRow {
        key: ObjRef::in_cluster("opsdeck-harvester", "", name),
        ready: CondSummary {
            ok: Some(true),
            ..CondSummary::default()
        },
        unschedulable: false,
        maintenance: None,
        version: "v1.32.6".into(),
        os: "Harvester v1.8.2".into(),
    };
    update(
        &mut s,
        Msg::Hosts(WatchUpdate::Relisted(
            "opsdeck-harvester".into(),
            vec![host("hv-01"), host("hv-02"), host("hv-03")],
        )),
    );
    press(&mut s, &["5"]);
    update(&mut s, Msg::Input(Event::Resize(120, 30)));
    let mut terminal = Terminal::new(TestBackend::new(120, 30)).expect("terminal");
    terminal
        .draw(|f| opsdeck::views::draw(f, &s))
        .expect("draw");
    let buffer = terminal.backend().buffer();
    let highlight = s.theme.style("row.selected").bg;
    assert!(highlight.is_some(), "the theme highlights the selected row");
    for y in 0..30 {
        let line: String = (0..120).map(|x| buffer[(x, y)].symbol()).collect();
        if line.contains("hv-0") {
            assert_ne!(
                buffer[(1, y)].bg,
                highlight.expect("bg"),
                "highlighted: {line}"
            );
        }
    }
}

#[test]
fn rows_are_built_once_per_change_and_a_cursor_key_reuses_them() {
    let mut s = apps_state(&[("alpha", "Healthy"), ("bravo", "Healthy")]);
    // The same rows, not equal ones: the first row is where it was.
    let same =
        |a: &Shown, b: &Shown| std::ptr::eq(a.get(0).expect("a row"), b.get(0).expect("a row"));
    let before = tables::shown(&s, &tables::APPS);
    assert!(
        same(&before, &tables::shown(&s, &tables::APPS)),
        "asked twice in one generation: built once"
    );
    press(&mut s, &["j"]);
    let after_move = tables::shown(&s, &tables::APPS);
    assert!(
        same(&before, &after_move),
        "a cursor move changes nothing a table shows"
    );
    assert_eq!(selected(&s, &tables::APPS).as_deref(), Some("bravo"));
    // Any other message may change the rows: they are built again and show the change.
    update(
        &mut s,
        Msg::Apps(WatchUpdate::Upsert(app("charlie", "Degraded"))),
    );
    assert_eq!(
        shown_names(&s, &tables::APPS),
        ["alpha", "bravo", "charlie"]
    );
    // So is a key that is not a cursor move: the filter narrows what the next frame shows.
    press(&mut s, &["/", "c", "h"]);
    assert_eq!(shown_names(&s, &tables::APPS), ["charlie"]);
    assert!(render(&mut s, 120, 20).contains("charlie"));
}

#[test]
fn a_sorted_columns_title_keeps_its_arrow_where_the_column_is_narrow() {
    // LAST SYNC may take 9 cells, its title alone; sorted by it, the title still shows whole.
    let mut s = apps_state(&[("alpha", "Healthy"), ("bravo", "Degraded")]);
    press(&mut s, &[">", ">", ">", ">", ">", ">"]);
    let frame = render(&mut s, 160, 20);
    assert!(frame.contains("LAST SYNC↑"), "{frame}");
}
