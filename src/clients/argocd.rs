//! A client for argocd-server's REST API: actions (sync, refresh, terminate), the `can-i`
//! permission check, and the resource-tree stream the sync-wave view reads per-resource health
//! from (Argo CD 3.x no longer keeps it in the Application CR). The token travels only in the
//! `Authorization` header; it is never shown, logged or audited.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use serde_json::Value;
use tokio::task::JoinHandle;

use crate::clients::Sink;
use crate::clients::backoff::Backoff;
use crate::clients::error::ClientError;
use crate::model::argo_rest::{ArgoRequest, ResourceHealth, tree_health};
use crate::model::request::{ActionKind, Method};
use crate::model::store::ObjRef;
use crate::model::text::sanitize;

/// Where argocd-server is and how to trust it. The token comes from `ARGOCD_AUTH_TOKEN` or the
/// config file, never from a command-line argument (it would show in `ps`).
#[derive(Clone)]
pub struct ArgoCdSettings {
    /// `https://argocd.example` (a bare host gets `https://`).
    pub server: String,
    pub token: String,
    /// Extra CA (PEM) to trust besides the system roots.
    pub ca_pem: Option<String>,
}

impl std::fmt::Debug for ArgoCdSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArgoCdSettings")
            .field("server", &self.server)
            .field("token", &"<redacted>")
            .finish()
    }
}

#[derive(Clone)]
pub struct ArgoCd {
    pub server: String,
    token: Arc<str>,
    http: reqwest::Client,
}

/// The words of a grpc-gateway error (`{"error": …, "code": …, "message": …}`), or the start
/// of a body that is not one.
fn error_text(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| {
            v["message"]
                .as_str()
                .or(v["error"].as_str())
                .map(str::to_string)
        })
        .unwrap_or_else(|| body.chars().take(200).collect())
}

/// A failed reply in words: `403 Forbidden: permission denied: …`.
fn describe(status: reqwest::StatusCode, body: &str) -> String {
    sanitize(&format!("{status}: {}", error_text(body)))
}

/// A failed reply as the error kind its status means, with the server's message.
fn status_error(status: reqwest::StatusCode, body: &str) -> ClientError {
    ClientError::from_status(status.as_u16(), &error_text(body))
}

impl ArgoCd {
    pub fn new(settings: &ArgoCdSettings) -> Result<Self, String> {
        let server = if settings.server.contains("://") {
            settings.server.trim_end_matches('/').to_string()
        } else {
            format!("https://{}", settings.server.trim_end_matches('/'))
        };
        let mut roots = rustls::RootCertStore::empty();
        for cert in rustls_native_certs::load_native_certs().certs {
            let _ = roots.add(cert);
        }
        if let Some(pem) = &settings.ca_pem {
            for cert in pem_certificates(pem)? {
                roots
                    .add(cert)
                    .map_err(|e| format!("Argo CD CA certificate: {e}"))?;
            }
        }
        let tls = rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| format!("Argo CD client: {e}"))?;
        Ok(ArgoCd {
            server,
            token: settings.token.as_str().into(),
            http,
        })
    }

    fn call(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let method = match method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        };
        self.http
            .request(method, format!("{}{path}", self.server))
            .bearer_auth(&self.token)
    }

    /// Send the request as previewed.
    pub async fn send(&self, request: &ArgoRequest) -> Result<String, ClientError> {
        let mut call = self
            .call(request.method, &request.path)
            .timeout(Duration::from_secs(30));
        if let Some(body) = &request.body {
            call = call.json(body);
        }
        let resp = call
            .send()
            .await
            .map_err(|e| ClientError::from_reqwest(&e))?;
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(status_error(status, &text));
        }
        let app: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let phase = app
            .pointer("/status/operationState/phase")
            .and_then(Value::as_str);
        Ok(match (request.action, phase) {
            (ActionKind::ArgoSync, _) => "accepted by argocd-server".to_string(),
            (_, Some(p)) => format!("done (operation {p})"),
            _ => "done".to_string(),
        })
    }

    /// GET a path as JSON; a failed reply is the error its status means.
    async fn get_json(&self, path: &str) -> Result<Value, ClientError> {
        let resp = self
            .call(Method::Get, path)
            .timeout(Duration::from_secs(15))
            .send()
            .await
            .map_err(|e| ClientError::from_reqwest(&e))?;
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(status_error(status, &text));
        }
        serde_json::from_str(&text).map_err(|e| ClientError::Invalid(e.to_string()))
    }

    /// What argocd-server can tell of an app's resources against git
    /// (`/api/v1/applications/<app>/managed-resources`).
    pub async fn managed_resources(
        &self,
        app: &str,
        app_namespace: &str,
    ) -> Result<Vec<crate::model::argo_diff::ResourceDiff>, ClientError> {
        let path =
            format!("/api/v1/applications/{app}/managed-resources?appNamespace={app_namespace}");
        let body = self.get_json(&path).await?;
        crate::model::argo_diff::parse(&body).map_err(ClientError::Invalid)
    }

    /// The server's version (`/api/version`) and the token's user (`/api/v1/session/userinfo`);
    /// a token the server refuses is an error, not a user-less answer.
    pub async fn whoami(&self) -> Result<(String, Option<String>), ClientError> {
        let version = self.get_json("/api/version").await?;
        let info = self.get_json("/api/v1/session/userinfo").await?;
        let version = version["Version"].as_str().unwrap_or("unknown version");
        let user = info["username"].as_str().map(sanitize);
        Ok((sanitize(version), user))
    }

    /// argocd-server's own RBAC answer for this request (`argocd account can-i`).
    pub async fn can_i(&self, request: &ArgoRequest) -> Result<Option<String>, ClientError> {
        let value = self.get_json(&request.can_i_path()).await?;
        Ok((value["value"] != "yes").then(|| {
            format!(
                "Argo CD RBAC: your token may not {} applications in project {}",
                request.rbac_action, request.project
            )
        }))
    }

    /// Follow an app's resource tree (`/api/v1/stream/…/resource-tree`, newline-delimited
    /// JSON), sending its health on every change; reconnect after the stream ends.
    pub fn watch_tree(
        &self,
        key: ObjRef,
        sink: Sink<Result<ResourceHealth, String>>,
    ) -> JoinHandle<()> {
        let client = self.clone();
        tokio::spawn(async move {
            let mut backoff = Backoff::default();
            loop {
                match client.follow_tree(&key, &sink).await {
                    Err(e) => {
                        if !sink.send(Err(e)) {
                            return;
                        }
                    }
                    Ok(()) => backoff.reset(),
                }
                backoff.wait().await;
            }
        })
    }

    async fn follow_tree(
        &self,
        key: &ObjRef,
        sink: &Sink<Result<ResourceHealth, String>>,
    ) -> Result<(), String> {
        let path = format!(
            "/api/v1/stream/applications/{}/resource-tree?appNamespace={}",
            key.name, key.namespace
        );
        let resp = self
            .call(Method::Get, &path)
            .send()
            .await
            .map_err(|e| sanitize(&format!("resource tree: {e}")))?;
        let status = resp.status();
        if !status.is_success() {
            let text = resp.text().await.unwrap_or_default();
            return Err(format!("resource tree: {}", describe(status, &text)));
        }
        let mut body = resp.bytes_stream();
        let mut buffer = Vec::new();
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| sanitize(&format!("resource tree: {e}")))?;
            buffer.extend_from_slice(&chunk);
            while let Some(end) = buffer.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = buffer.drain(..=end).collect();
                let Ok(event) = serde_json::from_slice::<Value>(&line) else {
                    continue;
                };
                let result = match event.get("result") {
                    Some(tree) => Ok(tree_health(tree)),
                    None => Err(sanitize(&format!(
                        "resource tree: {}",
                        error_text(&event.get("error").unwrap_or(&Value::Null).to_string())
                    ))),
                };
                if !sink.send(result) {
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}

/// The certificates in a PEM text.
fn pem_certificates(pem: &str) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>, String> {
    use rustls::pki_types::pem::PemObject;
    rustls::pki_types::CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("Argo CD CA certificate: {e}"))
}

/// Append the audit line of an Argo CD REST request (the token is a header, not part of it).
pub fn audit(
    path: &std::path::Path,
    request: &ArgoRequest,
    result: Option<&Result<String, ClientError>>,
) -> std::io::Result<()> {
    crate::clients::audit::append(
        path,
        &request.app.cluster,
        request.action,
        serde_json::json!({"kind": "Application", "namespace": request.app.namespace, "name": request.app.name}),
        serde_json::json!({"transport": "argocd-server", "server": request.server, "method": request.method.as_str(),
               "path": request.path, "body": request.body}),
        result,
    )
}
