//! The TLS accept loop: hyper (HTTP/1.1 and HTTP/2) over tokio-rustls, one task per connection,
//! all of them stopped by one shutdown signal.

use std::convert::Infallible;
use std::sync::Arc;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use super::http::Body;

/// Something that answers HTTP requests: the Kubernetes API, or the Argo CD API.
pub trait Handler: Send + Sync + 'static {
    fn handle(
        self: Arc<Self>,
        req: http::Request<hyper::body::Incoming>,
    ) -> impl Future<Output = Result<http::Response<Body>, Infallible>> + Send;
}

/// The user a connection's client certificate names (its subject's common name).
#[derive(Debug, Clone)]
pub struct PeerUser(pub String);

pub async fn serve<H: Handler>(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    api: Arc<H>,
    mut shutdown: watch::Receiver<bool>,
) {
    let acceptor = TlsAcceptor::from(tls);
    loop {
        let (tcp, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!("simulator accept failed: {e}");
                    continue;
                }
            },
            _ = shutdown.changed() => return,
        };
        // As Go's net package does for every TCP connection (so a real API server too):
        // without it a response's last short segment waits for the client's delayed ACK,
        // and every other page of a long list stalled 40 ms.
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("TCP_NODELAY not set: {e}");
        }
        let acceptor = acceptor.clone();
        let api = api.clone();
        let mut conn_shutdown = shutdown.clone();
        tokio::spawn(async move {
            let Ok(stream) = acceptor.accept(tcp).await else {
                return;
            };
            // A verified client certificate names the user, as on a real API server.
            let peer = stream
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|certs| certs.first())
                .and_then(|cert| crate::tls::common_name(cert))
                .map(PeerUser);
            let service = service_fn(move |mut req: http::Request<hyper::body::Incoming>| {
                if let Some(peer) = &peer {
                    req.extensions_mut().insert(peer.clone());
                }
                api.clone().handle(req)
            });
            let builder = auto::Builder::new(TokioExecutor::new());
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = conn => {}
                _ = conn_shutdown.changed() => {}
            }
        });
    }
}
