//! One simulated Kubernetes API server: its object database, its HTTPS listener on a loopback
//! port, and the ability to stop and come back on the same port (as a restarted API server
//! does, with its data kept, the way etcd keeps it).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::SimError;
use super::db::Db;
use super::server;
use super::server_state::Api;

pub struct ApiServer {
    pub addr: SocketAddr,
    pub db: Arc<Mutex<Db>>,
    pub api: Arc<Api>,
    tls: Arc<rustls::ServerConfig>,
    shutdown: Option<watch::Sender<bool>>,
    task: Option<JoinHandle<()>>,
}

impl ApiServer {
    /// Serve `api` on a new random loopback port.
    pub async fn start(api: Arc<Api>, tls: Arc<rustls::ServerConfig>) -> Result<Self, SimError> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(SimError::Bind)?;
        let addr = listener.local_addr().map_err(SimError::Bind)?;
        let mut s = ApiServer {
            addr,
            db: api.db.clone(),
            api,
            tls,
            shutdown: None,
            task: None,
        };
        s.serve(listener);
        Ok(s)
    }

    fn serve(&mut self, listener: TcpListener) {
        let (tx, rx) = watch::channel(false);
        self.shutdown = Some(tx);
        self.task = Some(tokio::spawn(server::serve(
            listener,
            self.tls.clone(),
            self.api.clone(),
            rx,
        )));
    }

    pub fn is_running(&self) -> bool {
        self.task.is_some()
    }

    /// Stop listening and drop every open connection at once.
    pub fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(true);
        }
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }

    /// Listen again on the same port, with the same data.
    pub async fn restart(&mut self) -> Result<(), SimError> {
        self.stop();
        let listener = TcpListener::bind(self.addr).await.map_err(SimError::Bind)?;
        self.serve(listener);
        Ok(())
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        self.stop();
    }
}
