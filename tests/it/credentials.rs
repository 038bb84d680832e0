//! Credentials as operators have them: a kubeconfig whose user runs an exec credential plugin
//! (as OIDC logins and Omni do), one that reads a token file, and one that skips TLS
//! verification (which the cockpit says, every time it draws).

use std::os::unix::fs::PermissionsExt;

use base64::Engine;
use opsdeck::clients::kube::connect::{KubeconfigSource, connect};
use serde_json::json;

use crate::common::{self, Cockpit};

/// A kubeconfig for the simulated management cluster with one context per user given.
fn kubeconfig(sim: &opsdeck_sim::Simulator, users: &[(&str, serde_json::Value, bool)]) -> String {
    let ca = base64::engine::general_purpose::STANDARD.encode(&sim.ca_pem);
    let mut clusters = vec![json!({"name": "mgmt", "cluster": {
        "server": sim.server_url(), "certificate-authority-data": ca}})];
    clusters.push(json!({"name": "mgmt-insecure", "cluster": {
        "server": sim.server_url(), "insecure-skip-tls-verify": true}}));
    let doc = json!({
        "apiVersion": "v1", "kind": "Config",
        "clusters": clusters,
        "users": users.iter().map(|(name, user, _)| json!({"name": name, "user": user})).collect::<Vec<_>>(),
        "contexts": users.iter().map(|(name, _, insecure)| json!({"name": name, "context": {
            "cluster": if *insecure { "mgmt-insecure" } else { "mgmt" }, "user": name}})).collect::<Vec<_>>(),
        "current-context": users[0].0,
    });
    serde_saphyr::to_string(&doc).expect("yaml")
}

async fn machines_through(yaml: &str, context: &str) -> Cockpit {
    let (client, _) = connect(KubeconfigSource::Text(yaml), Some(context))
        .await
        .expect("the context connects");
    let mut c = Cockpit::start(client).await;
    c.wait_for("machines", |s| s.capi.machines.len() == 9).await;
    c
}

#[tokio::test]
async fn an_exec_plugin_and_a_token_file_are_used_as_kubectl_uses_them() {
    let sim = common::frozen_sim().await;
    let dir = tempfile::tempdir().expect("dir");
    // The plugin prints an ExecCredential, as kubelogin or omnictl do.
    let plugin = dir.path().join("credential-plugin");
    let credential = json!({
        "apiVersion": "client.authentication.k8s.io/v1",
        "kind": "ExecCredential",
        "status": {"token": sim.admin_token},
    });
    std::fs::write(
        &plugin,
        format!("#!/bin/sh\ncat <<'EOF'\n{credential}\nEOF\n"),
    )
    .expect("plugin");
    std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, &sim.admin_token).expect("token file");
    let yaml = kubeconfig(
        &sim,
        &[
            (
                "exec",
                json!({"exec": {
                    "apiVersion": "client.authentication.k8s.io/v1",
                    "command": plugin.to_string_lossy(),
                    "interactiveMode": "Never",
                }}),
                false,
            ),
            (
                "token-file",
                json!({"tokenFile": token_file.to_string_lossy()}),
                false,
            ),
        ],
    );
    assert!(
        !yaml.contains(&sim.admin_token),
        "the token is only in the plugin and the file"
    );
    machines_through(&yaml, "exec").await;
    machines_through(&yaml, "token-file").await;
}

#[tokio::test]
async fn a_context_that_skips_tls_verification_works_and_is_warned_about_always() {
    use opsdeck::clients::kube::connect::unverified_contexts;
    let sim = common::frozen_sim().await;
    let yaml = kubeconfig(
        &sim,
        &[
            ("checked", json!({"token": sim.admin_token}), false),
            ("unchecked", json!({"token": sim.admin_token}), true),
        ],
    );
    let names = ["checked".to_string(), "unchecked".to_string()];
    assert_eq!(
        unverified_contexts(KubeconfigSource::Text(&yaml), &names),
        ["unchecked"]
    );
    let mut c = machines_through(&yaml, "unchecked").await;
    c.state.unverified_contexts = vec!["unchecked".into()];
    let frame = c.frame_sized(160, 20);
    let footer = frame.lines().last().unwrap_or_default();
    assert!(
        footer.starts_with(" ⚠ TLS not verified: unchecked "),
        "{footer}"
    );
    // A notice does not push it off.
    c.state.notice = Some("sync sent".into());
    let frame = c.frame_sized(160, 20);
    let footer = frame.lines().last().unwrap_or_default();
    assert!(
        footer.starts_with(" ⚠ TLS not verified: unchecked  sync sent "),
        "{footer}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_exec_token_that_expires_is_fetched_again_and_the_panes_stay_live() {
    let sim = common::frozen_sim().await;
    let dir = tempfile::tempdir().expect("dir");
    let token = dir.path().join("token");
    std::fs::write(&token, &sim.admin_token).expect("token");
    // Each run hands out the current token, said to expire in 11 s (kube-rs asks again
    // within 10 s of the expiry, so every request after the first second runs it again).
    let plugin = dir.path().join("credential-plugin");
    std::fs::write(
        &plugin,
        format!(
            "#!/bin/sh\nexp=$(date -u -d '+11 seconds' +%Y-%m-%dT%H:%M:%SZ)\n\
             printf '{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\
             \"status\":{{\"token\":\"%s\",\"expirationTimestamp\":\"%s\"}}}}' \"$(cat {})\" \"$exp\"\n",
            token.display()
        ),
    )
    .expect("plugin");
    std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let yaml = kubeconfig(
        &sim,
        &[(
            "exec",
            json!({"exec": {
                "apiVersion": "client.authentication.k8s.io/v1",
                "command": plugin.to_string_lossy(),
                "interactiveMode": "Never",
            }}),
            false,
        )],
    );
    let mut c = machines_through(&yaml, "exec").await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    // The token is reissued: the old one is refused from now on, the plugin has the new one.
    sim.replace_token(&sim.admin_token, "reissued-token");
    std::fs::write(&token, "reissued-token").expect("token");
    // Every watch starts again (as after a server restart): each reconnects with a fresh token.
    sim.end_watches();
    c.settle(std::time::Duration::from_secs(2)).await;
    assert!(
        c.state.capi.machines.state().is_healthy() && c.state.capi.machines.len() == 9,
        "{:?}",
        c.state.capi.machines.state()
    );
    // A change goes through with the new token too.
    sim.db()
        .modify(
            &(
                opsdeck_sim::kinds::kind_id("Application").expect("kind"),
                "argocd".to_string(),
                "gitea".to_string(),
            ),
            |o| o["status"]["health"]["status"] = json!("Degraded"),
        )
        .expect("app");
    c.wait_for("the change, seen with the new token", |s| {
        s.argo
            .apps
            .iter()
            .any(|a| a.key.name == "gitea" && a.health == "Degraded")
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_token_runs_the_plugin_again_and_the_panes_come_back() {
    let sim = common::frozen_sim().await;
    let dir = tempfile::tempdir().expect("dir");
    let token = dir.path().join("token");
    std::fs::write(&token, &sim.admin_token).expect("token");
    // No expiry: kube-rs would use the first token for ever.
    let plugin = dir.path().join("credential-plugin");
    std::fs::write(
        &plugin,
        format!(
            "#!/bin/sh\nprintf '{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\
             \"kind\":\"ExecCredential\",\"status\":{{\"token\":\"%s\"}}}}' \"$(cat {})\"\n",
            token.display()
        ),
    )
    .expect("plugin");
    std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let yaml = kubeconfig(
        &sim,
        &[(
            "exec",
            json!({"exec": {
                "apiVersion": "client.authentication.k8s.io/v1",
                "command": plugin.to_string_lossy(),
                "interactiveMode": "Never",
            }}),
            false,
        )],
    );
    let mut c = machines_through(&yaml, "exec").await;
    // Revoked and reissued before any expiry: the next requests are refused (401).
    sim.replace_token(&sim.admin_token, "reissued-token");
    std::fs::write(&token, "reissued-token").expect("token");
    sim.end_watches();
    sim.db()
        .modify(
            &(
                opsdeck_sim::kinds::kind_id("Application").expect("kind"),
                "argocd".to_string(),
                "gitea".to_string(),
            ),
            |o| o["status"]["health"]["status"] = json!("Degraded"),
        )
        .expect("app");
    // The 401 runs the plugin again; the panes' retries then get through.
    c.wait_for("the change, seen with the reissued token", |s| {
        s.argo
            .apps
            .iter()
            .any(|a| a.key.name == "gitea" && a.health == "Degraded")
    })
    .await;
    c.wait_for("live again", |s| {
        s.argo.apps.state().is_healthy() && s.capi.machines.state().is_healthy()
    })
    .await;
}
