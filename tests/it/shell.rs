//! The commands for scripts: `check` reaches every source over the real clients and says what
//! it found (and what the token's rules allow); `snapshot` draws one frame of a pane after its
//! first complete load, with no terminal.

use std::time::Duration;

use opsdeck::app::headless::{ShotRequest, snapshot};
use opsdeck::app::watches::kinds_for;
use opsdeck::clients::argocd::ArgoCd;
use opsdeck::clients::check::{self, SourceCheck};
use opsdeck::clients::kube::connect::{KubeconfigSource, connect};
use opsdeck::clients::kube::sources::{KubeSource, KubeSources, Role};
use opsdeck::clients::talos::poller::TalosSetup;
use opsdeck::views::printed;

use crate::common::{
    Cli, all_sources, argocd_settings, client_for, frozen_sim_with_talos, talos_setup, test_state,
};

/// A state naming the clusters the snapshot watches, as the command line builds it.
fn state_for(kube: &KubeSources) -> opsdeck::app::state::State {
    let mut state = test_state();
    state.context = kube.names();
    state
}

fn find<'a>(checks: &'a [SourceCheck], source: &str, name: &str) -> &'a SourceCheck {
    checks
        .iter()
        .find(|c| c.source == source && c.name == name)
        .unwrap_or_else(|| panic!("no {source} {name} in {checks:#?}"))
}

/// A kube client for a server that is not there (port 1 on loopback refuses at once).
async fn nowhere() -> KubeSource {
    let yaml = "apiVersion: v1\nkind: Config\ncurrent-context: gone\nclusters:\n- name: gone\n  cluster:\n    server: https://127.0.0.1:1\n    insecure-skip-tls-verify: true\ncontexts:\n- name: gone\n  context:\n    cluster: gone\n    user: u\nusers:\n- name: u\n  user:\n    token: t\n";
    let (client, context) = connect(KubeconfigSource::Text(yaml), None)
        .await
        .expect("a client");
    KubeSource {
        context,
        role: Role::Workload,
        client,
    }
}

#[tokio::test]
async fn check_reports_each_source_and_what_its_rules_allow() {
    let sim = frozen_sim_with_talos().await;
    let mut kube = all_sources(&sim).await;
    kube.0.push(KubeSource {
        context: "opsdeck-viewer".into(),
        role: Role::Management,
        client: client_for(&sim, "opsdeck-viewer").await,
    });
    kube.0.push(nowhere().await);
    let argocd = ArgoCd::new(&argocd_settings(&sim)).expect("argocd client");
    let talos = talos_setup(&sim);
    let checks = check::check_all(
        &kube,
        kinds_for,
        &talos,
        Some(&argocd),
        Duration::from_secs(10),
    )
    .await;

    let mgmt = find(&checks, "kube", "opsdeck-management");
    assert!(mgmt.reachable, "{mgmt:#?}");
    assert!(
        mgmt.version
            .as_deref()
            .is_some_and(|v| v.starts_with("v1."))
    );
    assert_eq!(mgmt.user.as_deref(), Some("opsdeck-admin"));
    let kinds = mgmt.kinds.as_ref().expect("kinds");
    assert!(kinds.missing.is_empty(), "{kinds:?}");
    assert!(
        kinds
            .present
            .contains(&"machines.cluster.x-k8s.io".to_string())
    );
    let rbac = mgmt.rbac.as_ref().expect("rbac");
    assert_eq!((rbac.read, rbac.patch), (rbac.of, rbac.of));

    // The viewer reads CAPI and Argo CD only: the rest is named, and it may patch nothing.
    let viewer = find(&checks, "kube", "opsdeck-viewer");
    assert_eq!(viewer.user.as_deref(), Some("opsdeck-viewer"));
    let rbac = viewer.rbac.as_ref().expect("rbac");
    assert_eq!(rbac.patch, 0, "{rbac:?}");
    assert!(rbac.read < rbac.of, "{rbac:?}");
    assert!(
        rbac.unreadable
            .contains(&"hardware.tinkerbell.org".to_string()),
        "{rbac:?}"
    );
    assert!(
        !rbac
            .unreadable
            .contains(&"machines.cluster.x-k8s.io".to_string())
    );

    // The workload cluster has no Tinkerbell, and is not asked for it.
    let media = checks
        .iter()
        .find(|c| c.role.as_deref() == Some("workload") && c.reachable)
        .expect("the workload cluster");
    assert!(
        media.kinds.as_ref().expect("kinds").present.len() == 3,
        "{media:#?}"
    );

    let gone = find(&checks, "kube", "gone");
    assert!(!gone.reachable);
    assert!(
        gone.error.as_deref().is_some_and(|e| !e.is_empty()),
        "{gone:#?}"
    );

    let argo = find(&checks, "argocd", &argocd.server);
    assert!(argo.reachable, "{argo:#?}");
    assert_eq!(argo.user.as_deref(), Some("admin"));

    // Every Talos node answers with its version, or says why not.
    let nodes: Vec<&SourceCheck> = checks.iter().filter(|c| c.source == "talos").collect();
    assert_eq!(nodes.len(), talos.nodes.len());
    for node in nodes {
        assert!(
            node.reachable == node.version.is_some() && (node.reachable || node.error.is_some()),
            "{node:#?}"
        );
    }

    let text = check::render(&checks, false);
    assert!(
        text.lines()
            .any(|l| l.starts_with("kube   gone") && l.contains("DOWN")),
        "{text}"
    );
    let down = checks.iter().filter(|c| !c.reachable).count();
    assert!(
        text.ends_with(&format!("{down} of {} sources down\n", checks.len())),
        "{text}"
    );
}

#[tokio::test]
async fn a_refused_argocd_token_is_a_failed_check() {
    let sim = frozen_sim_with_talos().await;
    let mut settings = argocd_settings(&sim);
    settings.token = "not-a-token".into();
    let argocd = ArgoCd::new(&settings).expect("argocd client");
    let checks = check::check_all(
        &KubeSources::default(),
        kinds_for,
        &TalosSetup::default(),
        Some(&argocd),
        Duration::from_secs(10),
    )
    .await;
    assert!(!checks[0].reachable);
    assert!(
        checks[0]
            .error
            .as_deref()
            .is_some_and(|e| e.contains("unauthorized")),
        "{checks:#?}"
    );
    assert!(!check::all_reachable(&checks));
}

#[tokio::test]
async fn a_snapshot_waits_for_the_first_complete_load() {
    let sim = frozen_sim_with_talos().await;
    let kube = all_sources(&sim).await;
    let shot = snapshot(
        state_for(&kube),
        kube.clone(),
        talos_setup(&sim),
        None,
        ShotRequest {
            command: Some("apps".into()),
            width: 120,
            height: 20,
            patience: Duration::from_secs(15),
        },
    )
    .await;
    assert!(shot.waiting_for.is_empty(), "{:?}", shot.waiting_for);
    let text = printed::plain(&shot.frame);
    assert_eq!(text.lines().count(), 20);
    assert!(text.contains("Applications ("), "{text}");
    assert!(text.contains("[live]"), "{text}");
    assert!(text.contains("cert-manager"), "{text}");
    assert!(!text.lines().any(|l| l.ends_with(' ')), "trimmed:\n{text}");

    // A kind waits for discovery, then for its rows.
    let shot = snapshot(
        state_for(&kube),
        kube.clone(),
        TalosSetup::default(),
        None,
        ShotRequest {
            command: Some("pods media".into()),
            width: 140,
            height: 30,
            patience: Duration::from_secs(15),
        },
    )
    .await;
    let text = printed::plain(&shot.frame);
    assert!(
        shot.waiting_for.is_empty(),
        "{:?}\n{text}",
        shot.waiting_for
    );
    assert!(text.contains("radarr-"), "{text}");
    assert!(!shot.unknown_command);

    // A command nothing answers to is said so once discovery has finished everywhere.
    let shot = snapshot(
        state_for(&kube),
        kube,
        TalosSetup::default(),
        None,
        ShotRequest {
            command: Some("nosuchkind".into()),
            width: 100,
            height: 10,
            patience: Duration::from_secs(15),
        },
    )
    .await;
    assert!(shot.unknown_command, "{:?}", shot.notice);
}

#[test]
fn the_demo_snapshots_and_checks_from_the_command_line() {
    // Its own TMPDIR: the demo's credentials folder must be gone after each command, however
    // it ends (the demo's check exits 1: one of its Talos nodes is down on purpose).
    let tmp = tempfile::tempdir().expect("TMPDIR");
    let cli = Cli::new();
    let opsdeck = || {
        let mut cmd = cli.cmd();
        cmd.env("TMPDIR", tmp.path());
        cmd
    };
    let out = opsdeck()
        .args([
            "demo", "snapshot", "apps", "--width", "100", "--height", "12",
        ])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(text.lines().count(), 12, "{text}");
    assert!(
        text.contains("Applications (") && text.contains("[live]"),
        "{text}"
    );
    assert!(!text.contains('\x1b'), "plain text has no escapes");
    let out = opsdeck()
        .args([
            "demo", "snapshot", "apps", "--color", "--width", "100", "--height", "12",
        ])
        .output()
        .expect("runs");
    let colored = String::from_utf8_lossy(&out.stdout);
    assert!(colored.contains("\x1b[0;"), "{colored:?}");

    let out = opsdeck()
        .args(["demo", "check", "--output", "json"])
        .output()
        .expect("runs");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let sources = doc["sources"].as_array().expect("sources");
    assert!(
        sources
            .iter()
            .any(|s| s["source"] == "kube" && s["name"] == "media")
    );
    assert!(sources.iter().any(|s| s["source"] == "argocd"));
    let all_up = sources.iter().all(|s| s["reachable"] == true);
    assert_eq!(doc["ok"], all_up);
    assert_eq!(
        out.status.success(),
        all_up,
        "exit code follows the verdict"
    );
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("TMPDIR")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

// Multi-threaded: the simulator must serve while this thread waits for the child.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_also_reaches_the_clusters_capi_secrets_name() {
    let sim = crate::common::frozen_sim().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(&kubeconfig, sim.kubeconfig_yaml()).expect("written");
    let out = Cli::new()
        .cmd()
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .args(["check", "-o", "json"])
        .output()
        .expect("runs");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let sources = doc["sources"].as_array().expect("sources");
    let media = sources
        .iter()
        .find(|s| s["source"] == "kube" && s["name"] == "media")
        .unwrap_or_else(|| panic!("the discovered workload cluster: {doc:#}"));
    assert_eq!(media["role"], "workload");
    assert_eq!(media["reachable"], true, "{media:#}");
}
