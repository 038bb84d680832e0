//! The command line outside the cockpit: a first run without a kubeconfig says what to do in
//! one paragraph (no error chain, no backtrace), and completions and the manual page come from
//! the CLI definition.

use std::process::Command;

fn opsdeck() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_opsdeck"));
    // Nothing of the machine's own config: an empty home, no KUBECONFIG.
    let home = std::env::temp_dir().join(format!("opsdeck-cli-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&home);
    cmd.env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env_remove("KUBECONFIG")
        .env_remove("RUST_BACKTRACE");
    cmd
}

#[test]
fn a_first_run_without_a_kubeconfig_says_what_to_do() {
    let out = opsdeck().output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no kubeconfig found (looked at "), "{err}");
    assert!(err.contains(".kube/config"), "{err}");
    assert!(err.contains("opsdeck demo"), "{err}");
    assert!(err.contains("--kubeconfig FILE"), "{err}");
    // One message, not a chain of the same cause.
    assert!(
        !err.contains("Error:") && !err.contains("BACKTRACE"),
        "{err}"
    );
    assert_eq!(err.matches("no kubeconfig").count(), 1, "{err}");
    // $KUBECONFIG naming missing files: those are what was looked at.
    let out = opsdeck()
        .env("KUBECONFIG", "/nonexistent/a.yaml")
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("looked at /nonexistent/a.yaml"), "{err}");
}

#[test]
fn completions_and_the_manual_page_come_from_the_cli() {
    let text = |args: &[&str]| {
        let out = opsdeck().args(args).output().expect("runs");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let bash = text(&["completions", "bash"]);
    assert!(
        bash.contains("_opsdeck()") && bash.contains("demo"),
        "{bash}"
    );
    assert!(bash.contains("--kubeconfig"), "{bash}");
    let fish = text(&["completions", "fish"]);
    assert!(fish.contains("complete -c opsdeck"), "{fish}");
    let zsh = text(&["completions", "zsh"]);
    assert!(zsh.starts_with("#compdef opsdeck"), "{zsh}");
    let man = text(&["man"]);
    assert!(man.contains(".TH opsdeck 1"), "{man}");
    assert!(man.contains("demo") && man.contains("completions"), "{man}");
    let out = opsdeck()
        .args(["completions", "nosh"])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("possible values"));
}

#[tokio::test]
async fn info_says_what_opsdeck_would_use() {
    let sim = crate::common::frozen_sim().await;
    let dir = std::env::temp_dir().join(format!("opsdeck-info-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(&kubeconfig, sim.kubeconfig_yaml()).expect("written");
    let out = opsdeck()
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .args(["--cluster", "harvester=opsdeck-harvester", "info"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let line = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no {name} line in:\n{text}"))
            .to_string()
    };
    assert!(
        line("opsdeck").contains(env!("CARGO_PKG_VERSION")),
        "{text}"
    );
    let kube = line("kubeconfig");
    assert!(kube.contains(&kubeconfig.display().to_string()), "{kube}");
    assert!(
        kube.contains("opsdeck-management") && kube.contains("opsdeck-harvester"),
        "{kube}"
    );
    assert_eq!(line("clusters"), "clusters    harvester=opsdeck-harvester");
    assert!(line("config").contains("config.toml not there"), "{text}");
    assert!(line("audit log").contains("audit.jsonl"), "{text}");
    assert!(line("log").contains("opsdeck.log"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
