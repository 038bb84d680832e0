//! What the remediation calls do to a simulated node, as the real machined does: a service
//! restart only for `kubelet` and extension services, etcd maintenance only on control planes,
//! disarming clears the cluster's alarms, forfeiting hands leadership to another member.

use tonic::Status;

use super::Registry;
use super::node::NodeState;

/// The error machined gives for a service the API may not touch.
fn not_via_api(id: &str) -> Status {
    Status::unknown(format!(
        "service {id:?} doesn't support restart operation via API"
    ))
}

/// etcd calls on a worker.
pub fn control_plane_only(s: &NodeState, api: &str) -> Result<(), Status> {
    if s.spec.control_plane {
        Ok(())
    } else {
        Err(Status::unimplemented(format!(
            "{api} is only available on control plane nodes"
        )))
    }
}

impl Registry {
    /// `ServiceRestart`: kubelet and extension services only.
    pub(super) fn restart_service(&self, s: &NodeState, id: &str) -> Result<String, Status> {
        if !s.services().contains(&id) && !id.starts_with("ext-") {
            return Err(Status::unknown(format!("service {id:?} not found")));
        }
        if id != "kubelet" && !id.starts_with("ext-") {
            return Err(not_via_api(id));
        }
        if id == "kubelet" {
            self.runtime()
                .entry(s.spec.hostname.clone())
                .or_default()
                .kubelet_restarted = true;
        }
        // A restarted kubelet comes back healthy: the machine is ready again if that was all.
        let was_all = s.spec.unhealthy_service.as_deref() == Some(id);
        self.record(s, super::events::service_restart(id, was_all), "");
        Ok(format!("Service {id:?} restarted"))
    }

    pub(super) fn defragment(&self, s: &NodeState) -> Result<(), Status> {
        control_plane_only(s, "etcd defragment")?;
        self.runtime()
            .entry(s.spec.hostname.clone())
            .or_default()
            .defragmented = true;
        Ok(())
    }

    /// Disarm every alarm of the member's cluster; the ones cleared, by member.
    pub(super) fn disarm(&self, s: &NodeState) -> Result<Vec<(String, String)>, Status> {
        control_plane_only(s, "etcd alarm disarm")?;
        let mut cleared = Vec::new();
        let mut runtime = self.runtime();
        for peer in &s.etcd_peers {
            if let Some(r) = runtime.get_mut(peer) {
                cleared.extend(r.etcd_errors.drain(..).map(|e| (peer.clone(), e)));
            }
        }
        Ok(cleared)
    }

    /// The cluster's etcd leader now.
    pub fn leader(&self, s: &NodeState) -> Option<String> {
        let leaders = self.leaders.lock().unwrap_or_else(|p| p.into_inner());
        leaders
            .get(&s.spec.cluster)
            .filter(|l| s.etcd_peers.contains(l))
            .cloned()
            .or_else(|| s.etcd_peers.first().cloned())
    }

    /// Hand leadership to the next member, if this one leads; the member that got it.
    pub(super) fn forfeit(&self, s: &NodeState) -> Result<String, Status> {
        control_plane_only(s, "etcd forfeit leadership")?;
        if s.etcd_peers.len() < 2 {
            return Err(Status::failed_precondition(
                "etcdserver: cannot transfer leadership in a one-member cluster",
            ));
        }
        if self.leader(s).as_deref() != Some(s.spec.hostname.as_str()) {
            return Ok(String::new());
        }
        let next = s
            .etcd_peers
            .iter()
            .find(|p| **p != s.spec.hostname)
            .cloned()
            .unwrap_or_default();
        self.leaders
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(s.spec.cluster.clone(), next.clone());
        Ok(next)
    }
}

/// A member's snapshot: the 18 MiB its status says are in use, as 512-byte pages that differ
/// per member, then the SHA-256 of all of it (so its length is 32 past a multiple of 512).
pub fn snapshot_bytes(s: &NodeState) -> Vec<u8> {
    use sha2::Digest;
    let pages: u64 = 18 * 1024 * 2;
    let seed = crate::db::fnv(s.spec.hostname.as_bytes());
    let mut db: Vec<u8> = (0..pages * 512)
        .map(|i: u64| ((seed.wrapping_mul(i + 1) >> 13) & 0xff) as u8)
        .collect();
    db[..8].copy_from_slice(b"etcd-bbo");
    let sum = sha2::Sha256::digest(&db);
    db.extend_from_slice(&sum);
    db
}
