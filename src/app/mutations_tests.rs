//! Unit tests of the mutation path: dialogs, permission, read-only, value prompts.
use super::*;
use crate::app::keymap::Keymap;
use crate::app::prompts::value_entered;
use crate::app::state::Asks;
use crate::app::theme::{DEFAULT_THEME, Theme};
use crate::model::capi::fixtures::deployment;
use crate::model::store::{ObjRef, WatchUpdate};
use jiff::Timestamp;

fn app(name: &str) -> AppRow {
    AppRow {
        key: ObjRef::in_cluster("mgmt", "argocd", name),
        project: "platform".into(),
        sync: "OutOfSync".into(),
        health: "Healthy".into(),
        revision: "abcdef1".into(),
        last_sync: None,
        operation: None,
        destination: "in-cluster/x".into(),
        resources: 1,
        out_of_sync: 1,
        drifted: Vec::new(),
        ..Default::default()
    }
}

fn state_on_apps() -> State {
    let theme = Theme::parse("default", DEFAULT_THEME).expect("theme");
    let mut s = State::new(
        "mgmt".into(),
        false,
        Keymap::defaults(),
        theme,
        Timestamp::UNIX_EPOCH,
    );
    s.argo
        .apps
        .apply(WatchUpdate::Relisted("mgmt".into(), vec![app("immich")]));
    s.stack = vec![Screen::Pane(PaneId::APPS)];
    s
}

#[test]
fn a_sync_dialog_asks_permission_and_its_options_change_the_body() {
    let mut s = state_on_apps();
    let commands = offer(&mut s, Action::Sync);
    assert!(
        matches!(commands.as_slice(), [Command::CheckAccess { plans, .. }] if plans.len() == 1)
    );
    let body = |s: &State| match s.actions.dialog.as_ref().map(|d| &d.plan) {
        Some(Plan::Request(p)) => p.body["operation"]["sync"].clone(),
        other => panic!("no request plan: {other:?}"),
    };
    assert_eq!(body(&s)["prune"], false);
    dialog_key(&mut s, KeyCode::Char('p'), KeyModifiers::NONE);
    assert_eq!(body(&s)["prune"], true, "p toggles prune in what is sent");
    dialog_key(&mut s, KeyCode::Esc, KeyModifiers::NONE);
    assert!(s.actions.dialog.is_none() && s.actions.operations.is_empty());
}

#[test]
fn denied_read_only_and_read_only_contexts_send_nothing() {
    let mut s = state_on_apps();
    offer(&mut s, Action::Refresh);
    if let Some(d) = s.actions.dialog.as_mut() {
        d.access = Access::Denied("your token may not patch applications".into());
    }
    assert!(dialog_key(&mut s, KeyCode::Enter, KeyModifiers::NONE).is_empty());
    assert!(s.actions.operations.is_empty());
    assert!(
        s.notice
            .as_deref()
            .is_some_and(|n| n.contains("may not patch"))
    );

    s.readonly_contexts.insert("mgmt".into());
    assert!(offer(&mut s, Action::Refresh).is_empty());
    assert!(s.notice.as_deref().is_some_and(|n| n.contains("read-only")));

    s.readonly = true;
    s.readonly_contexts.clear();
    assert!(offer(&mut s, Action::Sync).is_empty());
    assert!(s.actions.dialog.is_none());
}

#[test]
fn a_replica_count_is_checked_before_any_dialog() {
    let mut s = state_on_apps();
    let md = deployment("lab", "v1.33.2", 2);
    let key = md.key.clone();
    s.capi
        .deployments
        .apply(WatchUpdate::Relisted("mgmt".into(), vec![md]));
    s.capi
        .deployments
        .apply(WatchUpdate::Served("mgmt".into(), "v1beta1".into()));
    value_entered(&mut s, Asks::Replicas(key.clone()), "three");
    assert!(s.actions.dialog.is_none());
    assert!(
        s.notice
            .as_deref()
            .is_some_and(|n| n.contains("not a replica count"))
    );
    value_entered(&mut s, Asks::Replicas(key), "3");
    match s.actions.dialog.as_ref().map(|d| &d.plan) {
        Some(Plan::Request(p)) => {
            assert_eq!(
                p.path(),
                "/apis/cluster.x-k8s.io/v1beta1/namespaces/lab/machinedeployments/lab-workers/scale"
            );
            assert_eq!(p.body["spec"]["replicas"], 3);
        }
        other => panic!("no scale plan: {other:?}"),
    }
}
