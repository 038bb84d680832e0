//! `opsdeck info`: what this opsdeck would use, without starting it — its version, the config
//! files found, where it logs and audits, the kubeconfig and its contexts, the clusters it
//! would watch in which role, the talosconfig and argocd-server.

use std::fmt::Write;
use std::path::Path;

use opsdeck::app::config::{UserConfig, config_dir};
use opsdeck::clients::audit;
use opsdeck::clients::kube::connect::kubeconfig_summary;
use opsdeck::clients::talos::config as talos_config;

/// What `info` reports on, from the command line and config.toml.
pub struct Asked<'a> {
    pub kubeconfig: Option<&'a Path>,
    pub context: Option<&'a str>,
    /// `--cluster ROLE=CONTEXT` flags as given.
    pub clusters: &'a [String],
    pub talosconfig: Option<&'a Path>,
    pub argocd_server: Option<&'a str>,
    pub log: Option<opsdeck::app::config::LogSetup>,
}

fn present(path: &Path) -> &'static str {
    if path.exists() {
        "present"
    } else {
        "not there"
    }
}

/// The report, one `name  value` line per item.
pub fn report(asked: &Asked, user: &UserConfig) -> String {
    let mut out = String::new();
    let mut line = |name: &str, value: String| {
        let _ = writeln!(out, "{name:<12}{value}");
    };
    line("opsdeck", env!("CARGO_PKG_VERSION").to_string());
    match config_dir() {
        Some(dir) => {
            let files: Vec<String> = [
                "config.toml",
                "keymap.toml",
                "theme.toml",
                "plugins.toml",
                "aliases.toml",
            ]
            .iter()
            .map(|f| format!("{f} {}", present(&dir.join(f))))
            .collect();
            line(
                "config",
                format!("{} ({})", dir.display(), files.join(", ")),
            );
        }
        None => line("config", "no config directory on this system".into()),
    }
    match &asked.log {
        Some(log) => line("log", log.describe()),
        None => line("log", "none: no cache directory on this system".into()),
    }
    match audit::default_audit_path() {
        Some(path) => line(
            "audit log",
            format!("{} ({})", path.display(), present(&path)),
        ),
        None => line(
            "audit log",
            "no data directory on this system: not kept".into(),
        ),
    }
    let summary = kubeconfig_summary(asked.kubeconfig);
    let paths = summary.paths;
    let current = match &summary.contexts {
        Ok((contexts, current)) => {
            line(
                "kubeconfig",
                format!(
                    "{}: contexts {} (current {})",
                    paths.join(", "),
                    contexts.join(", "),
                    current.as_deref().unwrap_or("none")
                ),
            );
            current.clone()
        }
        Err(e) => {
            line("kubeconfig", e.to_string());
            None
        }
    };
    let sources: Vec<String> = if !asked.clusters.is_empty() {
        asked.clusters.to_vec()
    } else if !user.clusters.is_empty() {
        user.clusters
            .iter()
            .map(|c| format!("{}={}", c.role.name(), c.context))
            .collect()
    } else {
        let context = asked.context.map(str::to_string).or(current);
        vec![format!(
            "management={} (no --cluster and none in config.toml)",
            context.unwrap_or_else(|| "?".into())
        )]
    };
    line("clusters", sources.join(", "));
    if user.discover {
        line(
            "discover",
            "workload clusters from CAPI Secrets (config.toml)".into(),
        );
    }
    let talos = asked
        .talosconfig
        .map(Path::to_path_buf)
        .or(user.talosconfig.clone());
    match talos_config::find(talos.as_deref()) {
        Some(path) => line(
            "talosconfig",
            format!("{} ({})", path.display(), present(&path)),
        ),
        None => line(
            "talosconfig",
            "none found ($TALOSCONFIG, ~/.talos/config)".into(),
        ),
    }
    let argocd = asked
        .argocd_server
        .map(str::to_string)
        .or_else(|| std::env::var("ARGOCD_SERVER").ok())
        .or_else(|| user.argocd_server.clone());
    line(
        "argocd",
        argocd
            .unwrap_or_else(|| "not configured (Argo CD actions go to the Application CRs)".into()),
    );
    out
}
