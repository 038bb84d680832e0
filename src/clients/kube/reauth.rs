//! A kube client that fetches its credentials again when the server refuses them: on a 401 the
//! client is rebuilt from the kubeconfig (running an exec plugin again, rereading a token file),
//! in the background and at most every few seconds, and every clone of it uses the new one from
//! then on. The request that got the 401 fails as it did; its pane retries by itself.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use http::{Request, Response, StatusCode};
use kube::Client;
use kube::client::Body;

/// How to build the client again (from the kubeconfig, for its context).
pub type Rebuild = Arc<dyn Fn() -> BoxFuture<'static, Result<Client, String>> + Send + Sync>;

/// Rebuilds no more often than this: a token the plugin cannot renew must not run it in a loop.
const AT_MOST_EVERY: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct Reauth {
    current: Arc<RwLock<Client>>,
    rebuild: Rebuild,
    rebuilding: Arc<AtomicBool>,
    last: Arc<Mutex<Option<Instant>>>,
}

impl Reauth {
    pub fn new(client: Client, rebuild: Rebuild) -> Self {
        Reauth {
            current: Arc::new(RwLock::new(client)),
            rebuild,
            rebuilding: Arc::new(AtomicBool::new(false)),
            last: Arc::new(Mutex::new(None)),
        }
    }

    fn refresh(&self) {
        {
            let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
            if last.is_some_and(|t| t.elapsed() < AT_MOST_EVERY) {
                return;
            }
            if self.rebuilding.swap(true, Ordering::SeqCst) {
                return;
            }
            *last = Some(Instant::now());
        }
        let this = self.clone();
        tokio::spawn(async move {
            match (this.rebuild)().await {
                Ok(client) => {
                    tracing::info!("credentials refused (401): the client was built again");
                    *this.current.write().unwrap_or_else(|p| p.into_inner()) = client;
                }
                Err(e) => tracing::warn!("credentials refused (401), and rebuilding failed: {e}"),
            }
            this.rebuilding.store(false, Ordering::SeqCst);
        });
    }
}

impl tower::Service<Request<Body>> for Reauth {
    type Response = Response<Body>;
    type Error = kube::Error;
    type Future = BoxFuture<'static, Result<Response<Body>, kube::Error>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        let client = self
            .current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let this = self.clone();
        Box::pin(async move {
            let response = client.send(req).await?;
            if response.status() == StatusCode::UNAUTHORIZED {
                this.refresh();
            }
            Ok(response)
        })
    }
}
