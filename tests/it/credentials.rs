//! Credentials as operators have them: a kubeconfig whose user runs an exec credential plugin
//! (as OIDC logins and Omni do), one that reads a token file, one with a client certificate,
//! one that goes through a proxy, and one that skips TLS verification (which the cockpit
//! says, every time it draws).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

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
    c.wait_for("machines, and the tree live", |s| {
        s.capi.machines.len() == 9 && common::pane_settled(s, &opsdeck::app::panes::CLUSTERS)
    })
    .await;
    c
}

/// Write an exec credential plugin that prints the token `token` holds (read at each run, so a
/// test can reissue it), with an expiry `expires_in` seconds ahead when given.
fn token_plugin(dir: &Path, token: &Path, expires_in: Option<u32>) -> PathBuf {
    let plugin = dir.join("credential-plugin");
    let status = match expires_in {
        Some(secs) => format!(
            "{{\"token\":\"$(cat {})\",\"expirationTimestamp\":\"$(date -u -d '+{secs} seconds' +%Y-%m-%dT%H:%M:%SZ)\"}}",
            token.display()
        ),
        None => format!("{{\"token\":\"$(cat {})\"}}", token.display()),
    };
    let script = format!(
        "#!/bin/sh\ncat <<EOF\n{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{status}}}\nEOF\n"
    );
    std::fs::write(&plugin, script).expect("plugin");
    std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    plugin
}

/// A kubeconfig user that runs `plugin`, as kubelogin or omnictl users do.
fn exec_user(plugin: &Path) -> serde_json::Value {
    json!({"exec": {
        "apiVersion": "client.authentication.k8s.io/v1",
        "command": plugin.to_string_lossy(),
        "interactiveMode": "Never",
    }})
}

/// Reissue the admin token (the old one is refused from now on; the plugin hands out the new
/// one), end every watch, and wait until a change made after it shows: the panes got through.
async fn reissue_and_see_a_change(sim: &opsdeck_sim::Simulator, token: &Path, c: &mut Cockpit) {
    sim.replace_token(&sim.admin_token, "reissued-token");
    std::fs::write(token, "reissued-token").expect("token");
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
    c.wait_for("the change, seen with the reissued token", |s| {
        s.argo
            .apps
            .iter()
            .any(|a| a.key.name == "gitea" && a.health == "Degraded")
    })
    .await;
    c.wait_for("live", |s| {
        s.argo.apps.state().is_healthy() && s.capi.machines.state().is_healthy()
    })
    .await;
}

#[tokio::test]
async fn an_exec_plugin_and_a_token_file_are_used_as_kubectl_uses_them() {
    let sim = common::frozen_sim().await;
    let dir = tempfile::tempdir().expect("dir");
    let token = dir.path().join("token");
    std::fs::write(&token, &sim.admin_token).expect("token file");
    let plugin = token_plugin(dir.path(), &token, None);
    let yaml = kubeconfig(
        &sim,
        &[
            ("exec", exec_user(&plugin), false),
            (
                "token-file",
                json!({"tokenFile": token.to_string_lossy()}),
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
    // Said to expire in 11 s: kube-rs asks again within 10 s of the expiry, so every request
    // after the first second runs the plugin again.
    let plugin = token_plugin(dir.path(), &token, Some(11));
    let yaml = kubeconfig(&sim, &[("exec", exec_user(&plugin), false)]);
    let mut c = machines_through(&yaml, "exec").await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    reissue_and_see_a_change(&sim, &token, &mut c).await;
    assert_eq!(c.state.capi.machines.len(), 9);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_token_runs_the_plugin_again_and_the_panes_come_back() {
    let sim = common::frozen_sim().await;
    let dir = tempfile::tempdir().expect("dir");
    let token = dir.path().join("token");
    std::fs::write(&token, &sim.admin_token).expect("token");
    // No expiry: kube-rs would use the first token for ever; the 401 after the reissue runs
    // the plugin again, and the panes' retries then get through.
    let plugin = token_plugin(dir.path(), &token, None);
    let yaml = kubeconfig(&sim, &[("exec", exec_user(&plugin), false)]);
    let mut c = machines_through(&yaml, "exec").await;
    reissue_and_see_a_change(&sim, &token, &mut c).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_certificate_names_the_user_as_the_api_server_checks_it() {
    use opsdeck::model::source::SourceState;
    let sim = common::frozen_sim().await;
    let b64 = |pem: &str| base64::engine::general_purpose::STANDARD.encode(pem);
    let cert_user = |user: &str| {
        let (cert, key) = sim.client_certificate(user).expect("a client certificate");
        json!({"client-certificate-data": b64(&cert), "client-key-data": b64(&key)})
    };
    let yaml = kubeconfig(
        &sim,
        &[
            ("admin-cert", cert_user("opsdeck-admin"), false),
            ("stranger-cert", cert_user("someone-else"), false),
        ],
    );
    // The server requires certificates: no token gets in.
    sim.refuse_tokens(opsdeck_sim::MANAGEMENT, true);
    let by_token =
        kube::Api::<k8s_openapi::api::core::v1::Namespace>::all(common::admin(&sim).await);
    let refused = by_token.list(&Default::default()).await;
    assert!(
        matches!(&refused, Err(kube::Error::Api(s)) if s.code == 401),
        "{refused:?}"
    );
    // The certificate's subject is a user the server knows: everything as with its token.
    let mut c = machines_through(&yaml, "admin-cert").await;
    assert!(c.frame().contains("[live]"));
    // One it does not know is authenticated and refused by RBAC: the panes say so.
    let (client, _) = connect(KubeconfigSource::Text(&yaml), Some("stranger-cert"))
        .await
        .expect("the context connects");
    let mut c = Cockpit::start(client).await;
    c.wait_for("forbidden", |s| {
        matches!(s.capi.machines.state(), SourceState::Forbidden(_))
    })
    .await;
    let SourceState::Forbidden(why) = c.state.capi.machines.state() else {
        unreachable!("waited for it");
    };
    assert!(why.contains("someone-else"), "{why}");
}

/// An HTTP CONNECT proxy on loopback, as a corporate or bastion proxy: it tunnels each
/// connection to where the CONNECT line says and counts the tunnels.
async fn tunnelling_proxy() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let tunnels = std::sync::Arc::new(AtomicUsize::new(0));
    let counted = tunnels.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let counted = counted.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read_exact(&mut byte).await.is_err() || head.len() > 8192 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head);
                let Some(target) = head
                    .lines()
                    .next()
                    .and_then(|l| l.strip_prefix("CONNECT "))
                    .and_then(|l| l.split_whitespace().next())
                else {
                    let _ = client
                        .write_all(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n")
                        .await;
                    return;
                };
                let Ok(mut upstream) = tokio::net::TcpStream::connect(target).await else {
                    let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                    return;
                };
                counted.fetch_add(1, Ordering::SeqCst);
                if client
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await
                    .is_ok()
                {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                }
            });
        }
    });
    (url, tunnels)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proxy_url_in_the_kubeconfig_carries_every_connection() {
    let sim = common::frozen_sim().await;
    let (proxy, tunnels) = tunnelling_proxy().await;
    let ca = base64::engine::general_purpose::STANDARD.encode(&sim.ca_pem);
    let doc = json!({
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "mgmt", "cluster": {"server": sim.server_url(),
            "certificate-authority-data": ca, "proxy-url": proxy}}],
        "users": [{"name": "admin", "user": {"token": sim.admin_token}}],
        "contexts": [{"name": "proxied", "context": {"cluster": "mgmt", "user": "admin"}}],
        "current-context": "proxied",
    });
    let yaml = serde_saphyr::to_string(&doc).expect("yaml");
    let mut c = machines_through(&yaml, "proxied").await;
    assert!(c.frame().contains("[live]"));
    assert!(
        tunnels.load(std::sync::atomic::Ordering::SeqCst) > 0,
        "nothing went through the proxy"
    );
}
