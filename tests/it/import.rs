//! `opsdeck import k9s` on a k9s config directory (tests/fixtures/k9s): the files it writes
//! read back with opsdeck's own parsers and do what the k9s ones did — a hotkey opens its
//! view, an alias names its kind, a plugin keeps its key and arguments, a skin its colours —
//! what has no equivalent is reported, and a file replaced is kept as a backup.

use std::path::Path;
use std::process::Command;

use opsdeck::app::action::Action;
use opsdeck::app::aliases::Aliases;
use opsdeck::app::ids::PaneId;
use opsdeck::app::keymap::{Keymap, Scope};
use opsdeck::app::keys::Key;
use opsdeck::app::plugins::Plugins;
use opsdeck::app::state::Screen;
use opsdeck::app::theme::{DEFAULT_THEME, Theme};
use ratatui::style::Color;

use crate::common::{key_event, test_state};

fn fixture() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/k9s")
}

fn import(config: &Path, extra: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .env("OPSDECK_CONFIG_DIR", config)
        .env("HOME", config.parent().expect("a parent"))
        .env_remove("XDG_CACHE_HOME")
        .args(["import", "k9s", "--from"])
        .arg(fixture())
        .args(extra)
        .output()
        .expect("runs");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn k9s_settings_become_opsdeck_files_that_do_the_same() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cfg = dir.path().join("opsdeck");

    let (ok, report) = import(&cfg, &["--dry-run"]);
    assert!(ok, "{report}");
    assert!(report.contains("would write"), "{report}");
    assert!(!cfg.exists(), "a dry run writes nothing");

    let (ok, report) = import(&cfg, &[]);
    assert!(ok, "{report}");
    for expected in [
        "not imported: hotkey quit-too: q already does quit in opsdeck",
        "not imported: plugin stern: uses $FILTER which opsdeck does not have; left out",
        "not imported: plugin shell-in-container: only for containers",
        "not imported: skin frame.status.killColor: no opsdeck style",
    ] {
        assert!(report.contains(expected), "{expected:?} in\n{report}");
    }

    // Aliases: resource paths become names the browser resolves.
    let aliases = Aliases::parse("aliases.toml", &read(&cfg, "aliases.toml")).expect("aliases");
    assert_eq!(
        aliases.expand("crb"),
        "clusterrolebindings.rbac.authorization.k8s.io"
    );
    assert_eq!(aliases.expand("sec"), "secrets");

    // Hotkeys: Shift-0 is `)` and opens :pods; with the alias file, Shift-1 opens :dp.
    let mut keymap = Keymap::defaults();
    keymap
        .merge("keymap.toml", &read(&cfg, "keymap.toml"))
        .expect("keymap");
    let run = keymap.resolve(Scope::Global, Key::parse(")").expect("key"));
    let Some(Action::RunCommand(at)) = run else {
        panic!("{run:?}")
    };
    assert_eq!(keymap.command(at), Some("pods"));
    assert_eq!(
        keymap.resolve(Scope::Global, Key::parse("q").expect("key")),
        Some(Action::Quit),
        "q still quits"
    );

    // Plugins: keys, scopes and renamed variables.
    let panes: Vec<&str> = opsdeck::app::panes::PANES
        .iter()
        .map(|p| p.id.section())
        .collect();
    let plugins =
        Plugins::parse("plugins.toml", &read(&cfg, "plugins.toml"), &panes).expect("plugins");
    let debug = plugins.0.iter().find(|p| p.name == "debug").expect("debug");
    assert_eq!(debug.key, Key::parse("D").expect("key"));
    assert_eq!(debug.kinds, ["pods", "deployments"]);
    assert!(debug.dangerous && debug.confirm);
    assert!(
        debug.args.contains(&"$NAME".to_string()),
        "$POD is $NAME: {:?}",
        debug.args
    );
    let any = plugins
        .0
        .iter()
        .find(|p| p.name == "describe-any")
        .expect("describe-any");
    assert!(any.panes.is_empty() && any.kinds.is_empty() && any.background);
    assert_eq!(any.key, Key::parse("<A-d>").expect("key"));
    assert!(!plugins.0.iter().any(|p| p.name == "stern"));

    // The skin's colours, by name or hex, on the styles that mean the same.
    let mut theme = Theme::parse("default", DEFAULT_THEME).expect("theme");
    theme
        .merge("theme.toml", &read(&cfg, "theme.toml"), true)
        .expect("theme reads back");
    assert_eq!(
        theme.style("row.selected").bg,
        Some(Color::Rgb(0x7f, 0xff, 0xd4))
    );
    assert_eq!(
        theme.style("status.degraded").fg,
        Some(Color::Rgb(0xdc, 0x14, 0x3c))
    );
    assert_eq!(theme.style("border").fg, Some(Color::Rgb(0x44, 0x47, 0x5a)));

    // Again: every file replaced is kept first.
    let (ok, report) = import(&cfg, &[]);
    assert!(ok, "{report}");
    let backups = std::fs::read_dir(&cfg)
        .expect("dir")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().contains(".toml.bak-"))
        })
        .count();
    assert_eq!(backups, 4, "{report}");
    assert!(report.contains("kept the old keymap.toml as"), "{report}");
}

#[test]
fn a_key_can_type_a_command_and_an_alias_names_one() {
    let mut s = test_state();
    s.keymap
        .merge(
            "keymap.toml",
            "[global]\nkeymap = [{ on = \")\", run = \":apps\", desc = \"Apps\" }]\n",
        )
        .expect("keymap");
    opsdeck::app::update::update(&mut s, key_event(")"));
    assert_eq!(s.screen(), &Screen::Pane(PaneId::APPS));
    s.aliases =
        Aliases::parse("aliases.toml", "[aliases]\nnodes-of-talos = \"talos\"\n").expect("aliases");
    for k in [":"]
        .into_iter()
        .chain("nodes-of-talos".split("").filter(|c| !c.is_empty()))
        .chain(["<Enter>"])
    {
        opsdeck::app::update::update(&mut s, key_event(k));
    }
    assert_eq!(s.screen(), &Screen::Pane(PaneId::TALOS));
    let err = Keymap::defaults()
        .merge(
            "keymap.toml",
            "[global]\nkeymap = [{ on = \")\", run = \":\" }]\n",
        )
        .expect_err("an empty command");
    assert!(
        err.to_string().contains("needs a command after it"),
        "{err}"
    );
}
