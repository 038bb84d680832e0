//! Where user files live, and the error a bad one produces.

use std::collections::BTreeSet;
use std::path::PathBuf;

/// The user's config directory: `$OPSDECK_CONFIG_DIR`, else the platform's config dir
/// (`~/.config/opsdeck` on Linux).
pub fn config_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("OPSDECK_CONFIG_DIR") {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("dev", "opsdeck", "opsdeck")
        .map(|d| d.config_dir().to_path_buf())
}

/// Where the log goes (`~/.cache/opsdeck/opsdeck.log` on Linux).
pub fn log_file() -> Option<PathBuf> {
    directories::ProjectDirs::from("dev", "opsdeck", "opsdeck")
        .map(|dirs| dirs.cache_dir().join("opsdeck.log"))
}

/// Where etcd snapshots are written (`~/.local/share/opsdeck/etcd-snapshots` on Linux).
pub fn snapshot_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("dev", "opsdeck", "opsdeck")
        .map(|dirs| dirs.data_dir().join("etcd-snapshots"))
}

/// The log is cut at this size; the older files are kept as `opsdeck.log.1` … `.3`.
pub const LOG_MAX_BYTES: usize = 10 * 1024 * 1024;
pub const LOG_FILES_KEPT: usize = 3;
/// Written unless `--log-level` or `OPSDECK_LOG` says otherwise: what went wrong, not chatter.
pub const DEFAULT_LOG_LEVEL: &str = "warn";

/// Where this process logs and at what level (help and `info` say it).
#[derive(Debug, Clone, PartialEq)]
pub struct LogSetup {
    pub path: PathBuf,
    /// The tracing filter in force (`warn`, `opsdeck=debug` …); `off` writes nothing.
    pub level: String,
}

impl LogSetup {
    /// `~/.cache/opsdeck/opsdeck.log (level warn, cut at 10 MiB, 3 kept)`.
    pub fn describe(&self) -> String {
        if self.level == "off" {
            return format!("{} (off: --log-level off)", self.path.display());
        }
        format!(
            "{} (level {}, cut at {} MiB, {} kept; --log-level or OPSDECK_LOG to change)",
            self.path.display(),
            self.level,
            LOG_MAX_BYTES / (1024 * 1024),
            LOG_FILES_KEPT
        )
    }
}

/// A problem in a config file, located to the line and the key.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigError {
    pub file: String,
    pub line: usize,
    pub key: String,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.key.is_empty() {
            write!(f, "{}: line {}: {}", self.file, self.line, self.message)
        } else {
            write!(
                f,
                "{}: line {}, key {:?}: {}",
                self.file, self.line, self.key, self.message
            )
        }
    }
}

impl std::error::Error for ConfigError {}

/// 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

impl ConfigError {
    pub fn at(
        file: &str,
        text: &str,
        span: std::ops::Range<usize>,
        key: &str,
        message: impl Into<String>,
    ) -> Self {
        ConfigError {
            file: file.to_string(),
            line: line_of(text, span.start),
            key: key.to_string(),
            message: message.into(),
        }
    }

    /// A TOML syntax or shape error.
    pub fn from_toml(file: &str, text: &str, e: &toml::de::Error) -> Self {
        let line = e.span().map_or(1, |s| line_of(text, s.start));
        ConfigError {
            file: file.to_string(),
            line,
            key: String::new(),
            message: e.message().to_string(),
        }
    }
}

/// Read an optional user override file next to the embedded default.
pub fn read_user_file(name: &str) -> Option<(String, String)> {
    let path = config_dir()?.join(name);
    let text = std::fs::read_to_string(&path).ok()?;
    Some((path.display().to_string(), text))
}

/// `config.toml` in the user's config dir: which kube contexts to watch in which role, and
/// which talosconfig to use.
///
/// ```toml
/// talosconfig = "/home/me/.talos/config"
/// discover = true          # also watch clusters found in CAPI <cluster>-kubeconfig Secrets
///
/// readonly_contexts = ["prod-talos"]   # no mutating action against these (kube or Talos)
///
/// [[cluster]]
/// context = "admin@mgmt"
/// role = "management"      # management | harvester | workload
/// readonly = true          # look, never touch
///
/// [[cluster]]
/// context = "admin@media"
/// role = "workload"
/// capi_cluster = "media"   # the CAPI Cluster this is the API server of
/// ```
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserConfig {
    #[serde(default)]
    pub talosconfig: Option<PathBuf>,
    #[serde(default, rename = "cluster")]
    pub clusters: Vec<ClusterEntry>,
    /// Discover workload clusters and Talos endpoints from CAPI Secrets (like `--discover`).
    #[serde(default)]
    pub discover: bool,
    /// Contexts (kube or Talos) no mutating action may target, whether named below or
    /// discovered.
    #[serde(default)]
    pub readonly_contexts: Vec<String>,
    /// argocd-server for the REST transport (like `--argocd-server`).
    #[serde(default)]
    pub argocd_server: Option<String>,
    /// Its API token (`$ARGOCD_AUTH_TOKEN` wins). Keep this file private if you set it.
    #[serde(default)]
    pub argocd_token: Option<String>,
    /// A CA (PEM file) to trust for argocd-server besides the system roots.
    #[serde(default)]
    pub argocd_ca_file: Option<PathBuf>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterEntry {
    pub context: String,
    pub role: crate::clients::kube::sources::Role,
    #[serde(default)]
    pub readonly: bool,
    /// For a workload context: the CAPI Cluster whose API server it is, when the context is
    /// not named after it (links Machines to their Nodes).
    #[serde(default)]
    pub capi_cluster: Option<String>,
}

impl UserConfig {
    pub fn parse(file: &str, text: &str) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::from_toml(file, text, &e))
    }

    /// Every context marked read-only, by entry or by list.
    pub fn readonly_contexts(&self) -> BTreeSet<String> {
        self.clusters
            .iter()
            .filter(|c| c.readonly)
            .map(|c| c.context.clone())
            .chain(self.readonly_contexts.iter().cloned())
            .collect()
    }

    /// CAPI cluster → kube context, for the workload contexts that name theirs.
    pub fn cluster_contexts(&self) -> std::collections::BTreeMap<String, String> {
        self.clusters
            .iter()
            .filter_map(|c| Some((c.capi_cluster.clone()?, c.context.clone())))
            .collect()
    }

    /// The user's `config.toml`, if there is one.
    pub fn load() -> Result<Option<Self>, ConfigError> {
        read_user_file("config.toml")
            .map(|(path, text)| Self::parse(&path, &text))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::kube::sources::Role;

    #[test]
    fn user_config_names_clusters_and_roles() {
        let cfg = UserConfig::parse(
            "config.toml",
            "talosconfig = \"/t\"\n[[cluster]]\ncontext = \"a\"\nrole = \"harvester\"\n",
        )
        .expect("parses");
        assert_eq!(cfg.clusters[0].role, Role::Harvester);
        assert!(cfg.readonly_contexts().is_empty());
        let cfg = UserConfig::parse(
            "config.toml",
            "readonly_contexts = [\"t\"]\n[[cluster]]\ncontext = \"a\"\nrole = \"workload\"\nreadonly = true\n",
        )
        .expect("parses");
        assert_eq!(
            cfg.readonly_contexts().into_iter().collect::<Vec<_>>(),
            ["a", "t"]
        );
        let err = UserConfig::parse(
            "config.toml",
            "[[cluster]]\ncontext = \"a\"\nrole = \"boss\"\n",
        )
        .expect_err("bad role");
        assert_eq!(err.line, 3, "{err}");
        assert!(err.to_string().contains("boss"), "{err}");
    }
}
