//! The switches tests turn on a running simulator: end or expire watches, stop and restart an
//! API server, swallow answers, take an API group off, and count lists.

use crate::auth::Rule;
use crate::{MANAGEMENT, SimError, Simulator};

impl Simulator {
    /// Replace a bearer token on every cluster (the old one is refused from now on), as a
    /// token that expired and was reissued.
    pub fn replace_token(&self, old: &str, new: &str) {
        for cluster in self.cluster_names() {
            if let Some(s) = self.server(&cluster) {
                let mut identities = s.api.identities.lock().unwrap_or_else(|p| p.into_inner());
                for identity in identities.iter_mut().filter(|i| i.token == old) {
                    identity.token = new.to_string();
                }
            }
        }
    }

    /// Give a user one more RBAC rule on every cluster, as an admin binding a role would.
    pub fn grant(&self, user: &str, rule: Rule) {
        for cluster in self.cluster_names() {
            if let Some(s) = self.server(&cluster) {
                let mut identities = s.api.identities.lock().unwrap_or_else(|p| p.into_inner());
                for identity in identities.iter_mut().filter(|i| i.user == user) {
                    identity.rules.push(rule.clone());
                }
            }
        }
    }

    /// End every open watch stream on the management cluster (clients reconnect from their
    /// last resourceVersion).
    pub fn end_watches(&self) {
        if let Some(s) = self.server(MANAGEMENT) {
            s.api.watch_epoch.send_modify(|e| *e += 1);
        }
    }

    /// Apply writes to a cluster but never answer them (until `stop_cluster` ends them), as
    /// a server that dies right after it wrote.
    pub fn swallow_answers(&self, cluster: &str, on: bool) {
        if let Some(s) = self.server(cluster) {
            s.api
                .swallow_answers
                .store(on, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// Refuse bearer tokens on a cluster (401) or take them again: with them refused, only a
    /// client certificate (`client_certificate`) gets in.
    pub fn refuse_tokens(&self, cluster: &str, on: bool) {
        if let Some(s) = self.server(cluster) {
            s.api
                .tokens_refused
                .store(on, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// Make every request to a cluster wait `delay` before it is served (zero: back to
    /// normal), as an overloaded API server does; open watches end, so they reopen slowly.
    pub fn slow_answers(&self, cluster: &str, delay: std::time::Duration) {
        if let Some(s) = self.server(cluster) {
            s.api.answer_delay_ms.store(
                delay.as_millis() as u64,
                std::sync::atomic::Ordering::SeqCst,
            );
            s.api.watch_epoch.send_modify(|e| *e += 1);
        }
    }

    /// From now on every watch of a cluster that resumes from a resourceVersion is told
    /// `410 Expired` (and the open ones end), until turned off: a watch expiry storm.
    pub fn expire_watches(&self, cluster: &str, on: bool) {
        if let Some(s) = self.server(cluster) {
            s.api
                .expire_watches
                .store(on, std::sync::atomic::Ordering::SeqCst);
            if on {
                s.api.watch_epoch.send_modify(|e| *e += 1);
            }
        }
    }

    /// Take an API group's CRDs off a cluster (their objects kept) or put them back, as
    /// deleting and recreating them would; open watches end.
    pub fn set_group_installed(&self, cluster: &str, group: &str, installed: bool) {
        if let Some(s) = self.server(cluster) {
            {
                let mut hidden = s
                    .api
                    .hidden_groups
                    .lock()
                    .unwrap_or_else(|p| p.into_inner());
                hidden.retain(|g| g != group);
                if !installed {
                    hidden.push(group.to_string());
                }
            }
            s.api.watch_epoch.send_modify(|e| *e += 1);
        }
    }

    /// How many lists a cluster's API server has served.
    pub fn list_count(&self, cluster: &str) -> u64 {
        self.server(cluster)
            .map_or(0, |s| s.api.lists.load(std::sync::atomic::Ordering::SeqCst))
    }

    /// How many lists of one kind (`Pod`) a cluster's API server has served.
    pub fn list_count_of(&self, cluster: &str, kind: &str) -> u64 {
        self.server(cluster).map_or(0, |s| {
            let lists = s
                .api
                .lists_of
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            lists.get(kind).copied().unwrap_or(0)
        })
    }

    /// Stop one cluster's API server (the others keep serving).
    pub fn stop_cluster(&mut self, cluster: &str) {
        if let Some(s) = self.server_mut(cluster) {
            s.stop();
        }
    }

    /// Bring a stopped cluster's API server back on its port, with its data.
    pub async fn restart_cluster(&mut self, cluster: &str) -> Result<(), SimError> {
        match self.server_mut(cluster) {
            Some(s) => s.restart().await,
            None => Ok(()),
        }
    }
}
