//! I/O: clients that talk to the platform's APIs and turn what they read into rows.

pub mod argocd;
pub mod audit;
pub mod backoff;
pub mod check;
pub mod clipboard;
pub mod error;
pub mod kube;
pub mod plugin;
pub mod talos;

use std::sync::Arc;

/// Where a client reports what it reads: a function the app hands it, which wraps each report
/// in the app's own message. Clients never see the app's types. `send` says whether anyone is
/// still listening; a client stops when no one is.
pub struct Sink<T>(Arc<dyn Fn(T) -> bool + Send + Sync>);

impl<T> Sink<T> {
    pub fn new(f: impl Fn(T) -> bool + Send + Sync + 'static) -> Self {
        Sink(Arc::new(f))
    }

    pub fn send(&self, report: T) -> bool {
        (self.0)(report)
    }
}

impl<T> Clone for Sink<T> {
    fn clone(&self) -> Self {
        Sink(self.0.clone())
    }
}
