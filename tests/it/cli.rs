//! The command line outside the cockpit: a first run without a kubeconfig says what to do in
//! one paragraph (no error chain, no backtrace), and completions and the manual page come from
//! the CLI definition.

use crate::common::Cli;

#[test]
fn a_first_run_without_a_kubeconfig_says_what_to_do() {
    let cli = Cli::new();
    let out = cli.cmd().output().expect("runs");
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
    let out = cli
        .cmd()
        .env("KUBECONFIG", "/nonexistent/a.yaml")
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("looked at /nonexistent/a.yaml"), "{err}");
}

#[test]
fn completions_and_the_manual_page_come_from_the_cli() {
    let cli = Cli::new();
    let text = |args: &[&str]| {
        let out = cli.cmd().args(args).output().expect("runs");
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
    let out = cli
        .cmd()
        .args(["completions", "nosh"])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("possible values"));
}

#[tokio::test]
async fn info_says_what_opsdeck_would_use() {
    let cli = Cli::new();
    let sim = crate::common::frozen_sim().await;
    let dir = std::env::temp_dir().join(format!("opsdeck-info-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(&kubeconfig, sim.kubeconfig_yaml()).expect("written");
    let out = cli
        .cmd()
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

#[test]
fn the_log_goes_to_a_file_at_the_level_asked_for() {
    let cli = Cli::new();
    let home = tempfile::tempdir().expect("temp home");
    let run = |args: &[&str]| {
        cli.cmd()
            .env("HOME", home.path())
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            .args(args)
            .output()
            .expect("runs")
    };
    let log = home.path().join("cache/opsdeck/opsdeck.log");
    let out = run(&["--log-level", "info", "demo", "check"]);
    assert!(
        out.stderr.is_empty() || !String::from_utf8_lossy(&out.stderr).contains("INFO"),
        "nothing of the log on the terminal"
    );
    let text = std::fs::read_to_string(&log).expect("a log file");
    assert!(
        text.contains("INFO") && text.contains("opsdeck starting"),
        "{text}"
    );
    // `info` and help say where it is and at what level.
    let out = run(&["--log-level", "debug", "info"]);
    let info = String::from_utf8_lossy(&out.stdout);
    assert!(
        info.contains(&format!("{} (level debug", log.display())),
        "{info}"
    );
    // A filter that does not parse is said, with where it came from.
    let out = run(&["--log-level", "debug,[[[", "info"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("opsdeck: --log-level \"debug,[[[\""),
        "{err}"
    );
    let out = cli
        .cmd()
        .env("HOME", home.path())
        .env("OPSDECK_LOG", "[[[")
        .arg("info")
        .output()
        .expect("runs");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("OPSDECK_LOG \"[[[\""),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_api_server_that_does_not_answer_is_said_in_one_paragraph() {
    let cli = Cli::new();
    let dir = tempfile::tempdir().expect("temp dir");
    let kubeconfig = dir.path().join("kubeconfig");
    // Port 1 on loopback refuses at once.
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\ncurrent-context: prod\nclusters:\n- name: prod\n  cluster:\n    server: https://127.0.0.1:1\ncontexts:\n- name: prod\n  context:\n    cluster: prod\n    user: u\n- name: staging\n  context:\n    cluster: prod\n    user: u\nusers:\n- name: u\n  user:\n    token: t\n",
    )
    .expect("written");
    let out = cli
        .cmd()
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("opsdeck: the Kubernetes API does not answer — context \"prod\" (https://127.0.0.1:1): unreachable"),
        "{err}"
    );
    assert!(err.to_lowercase().contains("refused"), "{err}");
    assert!(
        err.contains("opsdeck check") && err.contains("opsdeck demo"),
        "{err}"
    );
    assert!(err.contains("(also in the kubeconfig: staging)"), "{err}");
    // Not color-eyre's report: no "Error:" block, no location.
    assert!(
        !err.lines().any(|l| l.starts_with("Error:")) && !err.contains("Location:"),
        "{err}"
    );
    // `check` says the same as a line, and fails.
    let out = cli
        .cmd()
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .arg("check")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("kube   prod (management)  DOWN  unreachable"),
        "{text}"
    );
}
