//! A table pane is one projection and one registry entry: a pane no source file knows, added
//! here at run time, gets its `:` command with completion, its number key, help, the shared
//! table (title with the state of its feeds, widths, sort, filter, cursor by key) and hints.

use std::collections::BTreeMap;

use opsdeck::app::action::Action;
use opsdeck::app::ids::{PaneId, TableId};
use opsdeck::app::msg::Msg;
use opsdeck::app::panes::{Feed, Pane};
use opsdeck::app::state::{Screen, State};
use opsdeck::app::tables::{self, Table};
use opsdeck::app::update::update;
use opsdeck::model::store::{ObjRef, WatchUpdate};
use opsdeck::model::table::{Cell, Column, TableRow};

use crate::common::{self, key_event, render, shown_names, test_state};

/// The projection: one row per Argo CD destination, with how many apps target it.
const COLUMNS: &[Column] = &[
    Column::new("DESTINATION", 40).flex(),
    Column::new("APPS", 6).right(),
    Column::new("OUT OF SYNC", 12).right(),
];

fn destination_rows(state: &State) -> Vec<TableRow> {
    let mut by_destination: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for app in state.argo.apps.iter() {
        let counts = by_destination.entry(&app.destination).or_default();
        counts.0 += 1;
        counts.1 += i64::from(app.sync != "Synced");
    }
    by_destination
        .into_iter()
        .map(|(dest, (apps, drifted))| {
            TableRow::new(
                ObjRef::new("", dest),
                vec![
                    Cell::plain(dest),
                    Cell::plain(apps.to_string()).sorted_by(apps),
                    Cell::plain(drifted.to_string()).sorted_by(drifted),
                ],
            )
        })
        .collect()
}

static DESTINATIONS: Table = Table::list(TableId::new("destinations"), COLUMNS, destination_rows);

/// The registry entry.
const PANE: Pane = Pane {
    id: PaneId::new("destinations"),
    names: &["destinations", "dest"],
    key: Some('7'),
    title: "Destinations",
    about: "Where the applications deploy",
    feeds: &[Feed::Apps],
    table: Some(&DESTINATIONS),
    empty: "no destinations match",
    actions: &[],
};

fn app(name: &str, destination: &str, sync: &str) -> opsdeck::model::argo::AppRow {
    opsdeck::model::argo::AppRow {
        destination: destination.into(),
        ..common::app_row(name, sync, "Healthy")
    }
}

fn press(state: &mut State, keys: &[&str]) {
    for k in keys {
        update(state, key_event(k));
    }
}

fn with_destinations() -> State {
    let mut s = test_state();
    s.add_pane(PANE).expect("the name, key and id are free");
    let apps = vec![
        app("web", "media/web", "Synced"),
        app("db", "media/db", "OutOfSync"),
        app("cache", "media/web", "OutOfSync"),
        app("dns", "in-cluster/kube-system", "Synced"),
        app("ingress", "media/web", "Synced"),
    ];
    update(&mut s, Msg::Apps(WatchUpdate::Relisted("c".into(), apps)));
    s
}

#[test]
fn a_pane_added_at_run_time_opens_by_name_and_key_and_draws_its_table() {
    let mut s = with_destinations();
    // `:dest` completes and opens it.
    press(&mut s, &[":", "d", "e", "<Tab>"]);
    assert!(render(&mut s, 100, 12).contains(":destinations"));
    press(&mut s, &["<Enter>"]);
    assert_eq!(s.screen(), &Screen::Pane(PANE.id));
    let frame = render(&mut s, 100, 12);
    assert!(frame.contains("Destinations (3)"), "{frame}");
    assert!(frame.contains("DESTINATION"), "{frame}");
    let web = common::row(&frame, "media/web");
    assert!(web.contains('3') && web.contains('1'), "{web}");
    // Its number key from anywhere.
    press(&mut s, &["1", "7"]);
    assert_eq!(s.screen(), &Screen::Pane(PANE.id));
    // Help lists its command with its alias.
    let help: Vec<String> = opsdeck::views::help::lines(&s)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        help.iter()
            .any(|l| l.contains(":destinations") && l.contains("dest")),
        "{help:?}"
    );
}

#[test]
fn the_shared_table_sorts_filters_and_keeps_the_cursor_on_a_pane_it_never_heard_of() {
    let mut s = with_destinations();
    press(&mut s, &["7"]);
    assert_eq!(
        shown_names(&s, &DESTINATIONS),
        ["in-cluster/kube-system", "media/db", "media/web"]
    );
    // Sort by APPS, descending: the busiest destination first; the header shows it.
    press(&mut s, &[">", ">", "~"]);
    assert!(render(&mut s, 100, 12).contains("APPS↓"));
    assert_eq!(shown_names(&s, &DESTINATIONS)[0], "media/web");
    // The cursor stays on its destination when a watch event re-sorts the rows.
    press(&mut s, &["j"]);
    let cursor = tables::selected(&s, &DESTINATIONS).map(|k| k.name);
    for name in ["a", "b", "c"] {
        update(
            &mut s,
            Msg::Apps(WatchUpdate::Upsert(app(
                name,
                "in-cluster/kube-system",
                "Synced",
            ))),
        );
    }
    assert_eq!(shown_names(&s, &DESTINATIONS)[0], "in-cluster/kube-system");
    assert_eq!(tables::selected(&s, &DESTINATIONS).map(|k| k.name), cursor);
    // The filter applies to its rows.
    press(&mut s, &["/", "m", "e", "d", "i", "a", "<Enter>"]);
    assert_eq!(shown_names(&s, &DESTINATIONS).len(), 2);
    let frame = render(&mut s, 100, 12);
    assert!(!frame.contains("kube-system"), "{frame}");
}

#[test]
fn its_hints_and_its_actions_come_from_its_entry() {
    let mut s = with_destinations();
    press(&mut s, &["7"]);
    let frame = render(&mut s, 100, 12);
    let footer = common::footer(&frame);
    assert!(
        footer.contains(": command") && footer.contains("? help"),
        "{footer}"
    );
    // It offers no action: a sync key bound everywhere does nothing to the apps behind its rows.
    s.keymap
        .merge(
            "user",
            "[global]\nkeymap = [{ on = \"s\", run = \"sync\" }]\n",
        )
        .expect("keymap");
    press(&mut s, &["s"]);
    assert!(s.actions.dialog.is_none());
    assert!(
        s.notice
            .as_deref()
            .unwrap_or_default()
            .contains("not offered in Destinations"),
        "{:?}",
        s.notice
    );
}

#[test]
fn the_hint_bar_shows_the_panes_own_keys_and_gives_them_up_before_help() {
    let mut s = test_state();
    press(&mut s, &["2"]);
    let footer = |s: &mut State, width| common::footer(&render(s, width, 12)).to_string();
    let wide = footer(&mut s, 140);
    assert!(
        wide.contains("s sync") && wide.contains("R hard refresh"),
        "{wide}"
    );
    assert!(wide.contains("? help") && wide.contains("q quit"), "{wide}");
    // In the cluster tree, its own keys instead.
    press(&mut s, &["1"]);
    let tree = footer(&mut s, 140);
    assert!(
        tree.contains("S scale") && !tree.contains("s sync"),
        "{tree}"
    );
    // Narrow: the pane's last keys go, help stays.
    press(&mut s, &["2"]);
    let narrow = footer(&mut s, 60);
    assert!(narrow.contains("? help"), "{narrow}");
    assert!(!narrow.contains("terminate"), "{narrow}");
}

#[test]
fn a_pane_that_would_take_another_ones_name_or_key_is_refused() {
    let mut s = test_state();
    let clash = Pane {
        id: PaneId::new("apps-again"),
        names: &["apps"],
        ..PANE
    };
    assert!(s.add_pane(clash).is_err());
    assert_eq!(
        s.panes.resolve_command("apps"),
        Some(Action::Show(PaneId::APPS))
    );
}
