//! A kube client from a kubeconfig file (or an in-memory one, for the demo), with a context.

use std::path::Path;
use std::sync::Arc;

use kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};
use kube::{Client, Config};

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("reading kubeconfig {path}: {source}")]
    Read {
        path: String,
        source: KubeconfigError,
    },
    #[error("parsing kubeconfig: {0}")]
    Parse(KubeconfigError),
    #[error("kubeconfig context {context:?}: {source} (contexts in the file: {available})")]
    Context {
        context: String,
        available: String,
        source: KubeconfigError,
    },
    #[error("building the client for context {context:?}: {source}")]
    Client {
        context: String,
        source: kube::Error,
    },
    /// None of the places a kubeconfig is looked for has one (a first run, a new machine).
    #[error("no kubeconfig found (looked at {})", looked_at.join(", "))]
    NoKubeconfig { looked_at: Vec<String> },
}

/// Where the kubeconfig comes from.
#[derive(Clone)]
pub enum KubeconfigSource<'a> {
    /// `--kubeconfig`, else `KUBECONFIG`, else `~/.kube/config`.
    Default(Option<&'a Path>),
    Text(&'a str),
}

fn load(source: KubeconfigSource<'_>) -> Result<Kubeconfig, ConnectError> {
    match source {
        KubeconfigSource::Text(text) => Kubeconfig::from_yaml(text).map_err(ConnectError::Parse),
        KubeconfigSource::Default(Some(path)) => {
            Kubeconfig::read_from(path).map_err(|source| ConnectError::Read {
                path: path.display().to_string(),
                source,
            })
        }
        KubeconfigSource::Default(None) => {
            // kube reads $KUBECONFIG's files, else ~/.kube/config; if none of them exists the
            // user has none yet, which deserves a different word than a broken file.
            let looked_at = default_paths();
            if !looked_at.is_empty() && looked_at.iter().all(|p| !std::path::Path::new(p).exists())
            {
                return Err(ConnectError::NoKubeconfig { looked_at });
            }
            match Kubeconfig::read() {
                Ok(k) => Ok(k),
                Err(KubeconfigError::FindPath) => Err(ConnectError::NoKubeconfig { looked_at }),
                Err(e) => Err(ConnectError::Parse(e)),
            }
        }
    }
}

/// A kubeconfig as `opsdeck info` reports it: the files in use, and — when they can be read —
/// their contexts and the current one.
pub struct KubeconfigSummary {
    pub paths: Vec<String>,
    pub contexts: Result<(Vec<String>, Option<String>), ConnectError>,
}

/// The kubeconfig the flag names, or the default places'.
pub fn kubeconfig_summary(flag: Option<&Path>) -> KubeconfigSummary {
    let paths = match flag {
        Some(p) => vec![p.display().to_string()],
        None => default_paths(),
    };
    let contexts = load(KubeconfigSource::Default(flag)).map(|k| {
        let names = k.contexts.iter().map(|c| c.name.clone()).collect();
        (names, k.current_context.clone())
    });
    KubeconfigSummary { paths, contexts }
}

/// Where kube looks for a kubeconfig without `--kubeconfig`: `$KUBECONFIG`'s files, else
/// `~/.kube/config`.
fn default_paths() -> Vec<String> {
    match std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
        Some(list) => std::env::split_paths(&list)
            .map(|p| p.display().to_string())
            .collect(),
        None => directories::BaseDirs::new()
            .map(|d| {
                d.home_dir()
                    .join(".kube")
                    .join("config")
                    .display()
                    .to_string()
            })
            .into_iter()
            .collect(),
    }
}

/// The API server URL a context points at, for messages (None if the file cannot say).
pub fn server_of(source: KubeconfigSource<'_>, context: &str) -> Option<String> {
    let kubeconfig = load(source).ok()?;
    let cluster = kubeconfig
        .contexts
        .iter()
        .find(|c| c.name == context)?
        .context
        .as_ref()?
        .cluster
        .clone();
    kubeconfig
        .clusters
        .iter()
        .find(|c| c.name == cluster)?
        .cluster
        .as_ref()?
        .server
        .clone()
}

/// The other contexts of the kubeconfig, for "use another one".
pub fn context_names(source: KubeconfigSource<'_>) -> Vec<String> {
    load(source)
        .map(|k| k.contexts.into_iter().map(|c| c.name).collect())
        .unwrap_or_default()
}

/// Build a client. Nothing is sent yet: an unreachable server shows up later, per pane.
/// Which of these contexts reach their server without verifying its certificate
/// (`insecure-skip-tls-verify: true` on the context's cluster): anyone in between could be it.
pub fn unverified_contexts(source: KubeconfigSource<'_>, contexts: &[String]) -> Vec<String> {
    let Ok(kubeconfig) = load(source) else {
        return Vec::new();
    };
    contexts
        .iter()
        .filter(|name| {
            let cluster = kubeconfig
                .contexts
                .iter()
                .find(|c| &c.name == *name)
                .and_then(|c| c.context.as_ref())
                .map(|c| c.cluster.clone());
            kubeconfig
                .clusters
                .iter()
                .filter(|c| Some(&c.name) == cluster.as_ref())
                .filter_map(|c| c.cluster.as_ref())
                .any(|c| c.insecure_skip_tls_verify == Some(true))
        })
        .cloned()
        .collect()
}

pub async fn connect(
    source: KubeconfigSource<'_>,
    context: Option<&str>,
) -> Result<(Client, String), ConnectError> {
    let kubeconfig = load(source)?;
    let name = context
        .map(str::to_string)
        .or_else(|| kubeconfig.current_context.clone())
        .unwrap_or_default();
    let available = kubeconfig
        .contexts
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let options = KubeConfigOptions {
        context: context.map(str::to_string),
        ..KubeConfigOptions::default()
    };
    let config = Config::from_custom_kubeconfig(kubeconfig.clone(), &options)
        .await
        .map_err(|source| ConnectError::Context {
            context: name.clone(),
            available,
            source,
        })?;
    let default_namespace = config.default_namespace.clone();
    let client = client_of(config).map_err(|source| ConnectError::Client {
        context: name.clone(),
        source,
    })?;
    // Refused credentials (a revoked or rotated token) are fetched again from the kubeconfig.
    let rebuild: super::reauth::Rebuild = Arc::new(move || {
        let (kubeconfig, options) = (kubeconfig.clone(), options.clone());
        Box::pin(async move {
            let config = Config::from_custom_kubeconfig(kubeconfig, &options)
                .await
                .map_err(|e| e.to_string())?;
            client_of(config).map_err(|e| e.to_string())
        })
    });
    let client = Client::new(
        super::reauth::Reauth::new(client, rebuild),
        default_namespace,
    );
    Ok((client, name))
}

fn client_of(mut config: Config) -> Result<Client, kube::Error> {
    // A 429 is an answer here, not a hiccup: a PodDisruptionBudget refusing an eviction must
    // reach the operator now, not after kube's default of 15 retries over minutes. Watches
    // and lists back off on their own.
    config.default_retry = false;
    Client::try_from(config)
}
