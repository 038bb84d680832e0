//! Starting one simulated apid: a listener on 127.0.0.1 (an ephemeral port), the node's own
//! server certificate from the simulator's Talos CA, every Talos service behind machined's role
//! check. It stops with the simulator, or when its node is gone (its Machine deleted).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{oneshot, watch};
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Certificate, Identity, Server, ServerTlsConfig};

use super::{NodeApi, Registry, rbac};
use crate::SimError;
use crate::proto::cosi::resource::state_server::StateServer;
use crate::proto::machine::image_service_server::ImageServiceServer;
use crate::proto::machine::lifecycle_service_server::LifecycleServiceServer;
use crate::proto::machine::machine_service_server::MachineServiceServer;
use crate::proto::storage::storage_service_server::StorageServiceServer;
use crate::tls::TestCa;

/// What it takes to start one more apid.
pub(super) struct Launcher {
    pub ca: Arc<TestCa>,
    /// The simulator's own stop.
    pub stop: watch::Receiver<bool>,
    pub log_every: Duration,
}

/// Serve `hostname`'s apid until the simulator stops or `gone` fires (or its sender is
/// dropped). Needs a tokio runtime.
pub(super) fn serve(
    registry: Arc<Registry>,
    hostname: &str,
    launcher: &Launcher,
    gone: oneshot::Receiver<()>,
) -> Result<SocketAddr, SimError> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).map_err(SimError::Bind)?;
    listener.set_nonblocking(true).map_err(SimError::Bind)?;
    let addr = listener.local_addr().map_err(SimError::Bind)?;
    let listener = tokio::net::TcpListener::from_std(listener).map_err(SimError::Bind)?;
    let ca = &launcher.ca;
    let issued = ca.issue_server_for(&[hostname])?;
    let tls = ServerTlsConfig::new()
        .identity(Identity::from_pem(&issued.cert_pem, &issued.key_pem))
        .client_ca_root(Certificate::from_pem(&ca.cert_pem));
    let api = Arc::new(NodeApi {
        me: hostname.to_string(),
        registry,
        log_every: launcher.log_every,
    });
    let mut stop = launcher.stop.clone();
    let server = Server::builder()
        .tls_config(tls)
        .map_err(|e| SimError::Talos(e.to_string()))?
        .layer(rbac::Layer {
            registry: api.registry.clone(),
            me: hostname.to_string(),
        })
        .add_service(MachineServiceServer::from_arc(api.clone()))
        .add_service(StateServer::from_arc(api.clone()))
        .add_service(LifecycleServiceServer::from_arc(api.clone()))
        .add_service(ImageServiceServer::from_arc(api.clone()))
        .add_service(StorageServiceServer::from_arc(api))
        // TCP_NODELAY as Go (the real apid) sets it on every connection.
        .serve_with_incoming_shutdown(
            TcpIncoming::from(listener).with_nodelay(Some(true)),
            async move {
                tokio::select! {
                    _ = stop.changed() => {}
                    _ = gone => {}
                }
            },
        );
    tokio::spawn(async move {
        if let Err(e) = server.await {
            tracing::warn!("simulated apid stopped: {e}");
        }
    });
    Ok(addr)
}
