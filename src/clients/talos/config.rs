//! talosconfig: where it is, what it says, and the certificates in it.
//!
//! Lookup as talosctl does: `--talosconfig`, then `$TALOSCONFIG`, then `$TALOS_HOME/config`,
//! then `~/.talos/config`, then `/var/run/secrets/talos.dev/config`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::Engine;
use serde::Deserialize;

pub const APID_PORT: u16 = 50000;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TalosConfigError {
    #[error("reading talosconfig {path}: {message}")]
    Read { path: String, message: String },
    #[error("talosconfig {source_name}: {message}")]
    Parse {
        source_name: String,
        message: String,
    },
    #[error("talosconfig {source_name}, context {context:?}: {message}")]
    Context {
        source_name: String,
        context: String,
        message: String,
    },
    #[error("no talosconfig found: pass --talosconfig or set TALOSCONFIG")]
    NotFound,
}

#[derive(Deserialize)]
struct FileW {
    context: Option<String>,
    #[serde(default)]
    contexts: BTreeMap<String, ContextW>,
}

#[derive(Deserialize)]
struct ContextW {
    #[serde(default)]
    endpoints: Vec<String>,
    #[serde(default)]
    nodes: Vec<String>,
    ca: Option<String>,
    crt: Option<String>,
    key: Option<String>,
    /// Legacy single endpoint, superseded by `endpoints`.
    target: Option<String>,
}

/// One context, decoded and ready to dial.
#[derive(Debug, Clone, PartialEq)]
pub struct TalosContext {
    pub name: String,
    /// `host:port`, port 50000 when the file gave none.
    pub endpoints: Vec<String>,
    pub nodes: Vec<String>,
    pub ca_pem: String,
    pub crt_pem: String,
    /// PKCS#8 keys are labelled `PRIVATE KEY` here, whatever label Talos wrote.
    pub key_pem: String,
}

impl TalosContext {
    /// The roles the client certificate carries (its subject's Organization values), or why
    /// they could not be read.
    pub fn roles(&self) -> Result<Vec<String>, String> {
        let (_, pem) = x509_parser::pem::parse_x509_pem(self.crt_pem.as_bytes())
            .map_err(|e| format!("client certificate: {e}"))?;
        let cert = pem
            .parse_x509()
            .map_err(|e| format!("client certificate: {e}"))?;
        Ok(cert
            .subject()
            .iter_organization()
            .filter_map(|o| o.as_str().ok())
            .map(crate::model::text::sanitize)
            .collect())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Talosconfig {
    pub current: Option<String>,
    pub contexts: Vec<TalosContext>,
}

/// The first talosconfig that exists, in talosctl's order.
pub fn find(flag: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = flag {
        return Some(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("TALOSCONFIG") {
        return Some(PathBuf::from(p));
    }
    let mut candidates = Vec::new();
    if let Some(home) = std::env::var_os("TALOS_HOME") {
        candidates.push(PathBuf::from(home).join("config"));
    }
    if let Some(home) = directories::BaseDirs::new() {
        candidates.push(home.home_dir().join(".talos").join("config"));
    }
    candidates.push(PathBuf::from("/var/run/secrets/talos.dev/config"));
    candidates.into_iter().find(|p| p.exists())
}

/// `https://h:1/x` → `h:1`; `h` → `h:50000`; `[::1]` → `[::1]:50000`.
pub fn normalize_endpoint(e: &str) -> String {
    let e = e.trim();
    let e = e.split_once("://").map_or(e, |(_, rest)| rest);
    let host_port = e.split('/').next().unwrap_or(e);
    let has_port = if host_port.starts_with('[') {
        host_port.contains("]:")
    } else {
        host_port.matches(':').count() == 1
    };
    if has_port {
        host_port.to_string()
    } else if host_port.contains(':') && !host_port.starts_with('[') {
        // A bare IPv6 address.
        format!("[{host_port}]:{APID_PORT}")
    } else {
        format!("{host_port}:{APID_PORT}")
    }
}

/// Talos PEM-encodes Ed25519 PKCS#8 keys as `ED25519 PRIVATE KEY`; rustls only reads
/// `PRIVATE KEY` for PKCS#8. Same DER, new label.
pub fn relabel_key(pem: &str) -> String {
    pem.replace("ED25519 PRIVATE KEY", "PRIVATE KEY")
}

fn decode(
    source: &str,
    context: &str,
    field: &str,
    value: Option<&String>,
) -> Result<String, TalosConfigError> {
    let err = |message: String| TalosConfigError::Context {
        source_name: source.to_string(),
        context: context.to_string(),
        message,
    };
    let value = value
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| err(format!("{field} is missing")))?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .map_err(|e| err(format!("{field} is not base64: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|_| err(format!("{field} is not PEM text")))?;
    if !text.contains("-----BEGIN ") {
        return Err(err(format!("{field} is not a PEM block")));
    }
    Ok(text)
}

impl Talosconfig {
    pub fn parse(source: &str, text: &str) -> Result<Self, TalosConfigError> {
        let file: FileW = serde_saphyr::from_str(text).map_err(|e| TalosConfigError::Parse {
            source_name: source.to_string(),
            message: e.to_string(),
        })?;
        let mut contexts = Vec::new();
        for (name, c) in file.contexts {
            let mut endpoints: Vec<String> =
                c.endpoints.iter().map(|e| normalize_endpoint(e)).collect();
            if endpoints.is_empty()
                && let Some(t) = &c.target
            {
                endpoints.push(normalize_endpoint(t));
            }
            if endpoints.is_empty() {
                return Err(TalosConfigError::Context {
                    source_name: source.to_string(),
                    context: name,
                    message: "no endpoints".into(),
                });
            }
            contexts.push(TalosContext {
                endpoints,
                nodes: c.nodes,
                ca_pem: decode(source, &name, "ca", c.ca.as_ref())?,
                crt_pem: decode(source, &name, "crt", c.crt.as_ref())?,
                key_pem: relabel_key(&decode(source, &name, "key", c.key.as_ref())?),
                name,
            });
        }
        if contexts.is_empty() {
            return Err(TalosConfigError::Parse {
                source_name: source.to_string(),
                message: "no contexts".into(),
            });
        }
        Ok(Talosconfig {
            current: file.context,
            contexts,
        })
    }

    pub fn load(path: &Path) -> Result<Self, TalosConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| TalosConfigError::Read {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Self::parse(&path.display().to_string(), &text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    #[test]
    fn endpoints_get_the_apid_port() {
        assert_eq!(normalize_endpoint("10.0.0.2"), "10.0.0.2:50000");
        assert_eq!(normalize_endpoint("cp.example:6000"), "cp.example:6000");
        assert_eq!(
            normalize_endpoint("https://cp.example:6000/x"),
            "cp.example:6000"
        );
        assert_eq!(normalize_endpoint("fd00::1"), "[fd00::1]:50000");
        assert_eq!(normalize_endpoint("[fd00::1]:7"), "[fd00::1]:7");
    }

    #[test]
    fn parses_contexts_and_relabels_ed25519_keys() {
        let pem = |label: &str| format!("-----BEGIN {label}-----\nAAAA\n-----END {label}-----\n");
        let text = format!(
            "context: media\ncontexts:\n  media:\n    endpoints: [10.0.0.2]\n    nodes: [a, b]\n    ca: {}\n    crt: {}\n    key: {}\n",
            b64(&pem("CERTIFICATE")),
            b64(&pem("CERTIFICATE")),
            b64(&pem("ED25519 PRIVATE KEY"))
        );
        let cfg = Talosconfig::parse("t", &text).expect("parses");
        assert_eq!(cfg.current.as_deref(), Some("media"));
        let c = &cfg.contexts[0];
        assert_eq!(c.endpoints, vec!["10.0.0.2:50000"]);
        assert_eq!(c.nodes, vec!["a", "b"]);
        assert!(
            c.key_pem.starts_with("-----BEGIN PRIVATE KEY-----"),
            "{}",
            c.key_pem
        );
    }

    #[test]
    fn bad_files_say_what_and_where() {
        let e = Talosconfig::parse("cfg", "contexts: [").expect_err("yaml");
        assert!(e.to_string().starts_with("talosconfig cfg:"), "{e}");
        let e = Talosconfig::parse(
            "cfg",
            "contexts:\n  x:\n    endpoints: [a]\n    ca: '!!!'\n",
        )
        .expect_err("base64");
        assert!(
            e.to_string().contains("context \"x\": ca is not base64"),
            "{e}"
        );
        let e =
            Talosconfig::parse("cfg", "contexts:\n  x:\n    nodes: [a]\n").expect_err("endpoints");
        assert!(e.to_string().contains("no endpoints"), "{e}");
    }
}
