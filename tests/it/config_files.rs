//! Keymap and theme files: every shipped one loads; every invalid fixture fails with a message
//! that names the file and the line (and the key, where there is one), and leaves the
//! defaults in place.

use std::path::Path;

use opsdeck::app::action::Action;
use opsdeck::app::ids::PaneId;
use opsdeck::app::keymap::{DEFAULT_KEYMAP, Keymap, Scope, VIM_KEYMAP};
use opsdeck::app::keys::Key;
use opsdeck::app::theme::{DEFAULT_THEME, MONO_THEME, Theme};

fn fixtures(kind: &str) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/invalid")
        .join(kind);
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("fixtures dir")
        .map(|e| {
            let path = e.expect("entry").path();
            (
                path.display().to_string(),
                std::fs::read_to_string(&path).expect("read"),
            )
        })
        .collect();
    out.sort();
    assert!(!out.is_empty());
    out
}

#[test]
fn shipped_keymaps_load_and_bind_every_scope() {
    Keymap::parse("keymaps/default.toml", DEFAULT_KEYMAP).expect("the default file parses");
    let mut km = Keymap::defaults();
    let j = Key::parse("j").expect("key");
    let help = Key::parse("?").expect("key");
    let scopes: Vec<Scope> = km.scopes().collect();
    for scope in scopes {
        assert_eq!(
            km.resolve(scope, j),
            Some(opsdeck::app::action::Action::Down),
            "{scope:?}"
        );
        assert_eq!(
            km.resolve(scope, help),
            Some(opsdeck::app::action::Action::Help),
            "{scope:?}"
        );
    }
    for pane in [
        PaneId::CLUSTERS,
        PaneId::APPS,
        PaneId::SYNC_WAVES,
        PaneId::TALOS,
        PaneId::TALOS_NODE,
    ] {
        let scope = Scope::Pane(pane);
        assert!(
            !km.bindings(scope).is_empty(),
            "{scope:?} has no keys of its own"
        );
    }
    let ctrl_d = Key::parse("<C-d>").expect("key");
    let browse = Scope::Pane(PaneId::BROWSE);
    assert_eq!(km.resolve(browse, ctrl_d), Some(Action::Delete), "as k9s");
    km.merge("keymaps/vim.toml", VIM_KEYMAP)
        .expect("vim keymap merges");
    assert!(km.resolve(Scope::Pane(PaneId::APPS), ctrl_d).is_some());
    // vim's C-d pages everywhere, the browser too; D deletes there instead.
    assert_eq!(km.resolve(browse, ctrl_d), Some(Action::PageDown));
    assert_eq!(km.resolve(browse, Key::char('D')), Some(Action::Delete));
    // Every pane with a number key opens from anywhere.
    for pane in opsdeck::app::panes::PANES {
        if let Some(c) = pane.key {
            assert_eq!(
                km.resolve(Scope::Global, Key::char(c)),
                Some(Action::Show(pane.id))
            );
        }
    }
}

#[test]
fn shipped_themes_load() {
    let mut t = Theme::parse("themes/default.toml", DEFAULT_THEME).expect("default theme");
    t.merge("themes/mono.toml", MONO_THEME, true)
        .expect("mono theme");
}

#[test]
fn invalid_keymaps_fail_clearly_and_keep_the_defaults() {
    for (path, text) in fixtures("keymap") {
        let mut km = Keymap::parse("default", DEFAULT_KEYMAP).expect("default");
        let before = km.bindings(Scope::Global).to_vec();
        let err = km.merge(&path, &text).expect_err(&path);
        let msg = err.to_string();
        assert!(msg.starts_with(&path), "message names the file: {msg}");
        assert!(
            msg.contains(&format!("line {}", err.line)) && err.line > 1,
            "message names the line: {msg}"
        );
        assert_eq!(
            km.bindings(Scope::Global),
            before.as_slice(),
            "{path} changed the keymap"
        );
    }
}

#[test]
fn invalid_keymap_messages_say_what_is_wrong() {
    let all = fixtures("keymap");
    let find = |name: &str| {
        all.iter()
            .find(|(p, _)| p.ends_with(name))
            .expect(name)
            .clone()
    };
    let mut km = Keymap::parse("default", DEFAULT_KEYMAP).expect("default");
    let (p, t) = find("unknown-action.toml");
    let e = km.merge(&p, &t).expect_err("unknown action");
    assert_eq!((e.line, e.key.as_str()), (4, "run"));
    assert!(e.message.contains("explode"));
    let (p, t) = find("bad-key.toml");
    let e = km.merge(&p, &t).expect_err("bad key");
    assert_eq!((e.line, e.key.as_str()), (3, "on"));
    let (p, t) = find("unknown-section.toml");
    let e = km.merge(&p, &t).expect_err("unknown section");
    assert!(e.message.contains("podz"), "{e}");
    assert_eq!(e.line, 4, "{e}");
    assert!(
        e.message.contains("apps") && e.message.contains("talosnode"),
        "the registry's sections are listed: {e}"
    );
}

#[test]
fn invalid_themes_fail_clearly() {
    for (path, text) in fixtures("theme") {
        let mut t = Theme::parse("default", DEFAULT_THEME).expect("default");
        let err = t.merge(&path, &text, true).expect_err(&path);
        assert!(err.to_string().starts_with(&path), "{err}");
        assert_eq!(err.line, 2, "{err}");
        assert!(!err.key.is_empty(), "{err}");
    }
}
