//! The node remediations that are one Machine API call: restart a service (only `kubelet` and
//! extension services — Talos refuses the rest), defragment the local etcd member, disarm the
//! cluster's etcd alarms, hand etcd leadership to another member. Each as it goes on the wire,
//! for the confirm dialog and the audit log. Pure.

use super::request::ActionKind;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TalosCallKind {
    ServiceRestart(String),
    EtcdDefragment,
    EtcdAlarmDisarm,
    EtcdForfeitLeadership,
    /// A graceful reboot (mode DEFAULT).
    Reboot,
    /// A snapshot of the local etcd member, written to this file.
    EtcdSnapshot(String),
}

/// One call to one node, through its talosconfig context's endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TalosCall {
    pub context: String,
    /// The node as addressed (the `node` metadata).
    pub node: String,
    pub kind: TalosCallKind,
    /// What the dialog and the operations panel call it.
    pub title: String,
}

/// Whether the Machine API restarts this service: `kubelet` and extensions (`ext-…`) only.
pub fn restartable(service: &str) -> bool {
    service == "kubelet" || service.starts_with("ext-")
}

fn title(node: &str, kind: &TalosCallKind) -> String {
    match kind {
        TalosCallKind::ServiceRestart(id) => format!("Restart {id} on {}", node),
        TalosCallKind::EtcdDefragment => format!(
            "Defragment etcd on {} (the member blocks while it runs; one node at a time)",
            node
        ),
        TalosCallKind::EtcdAlarmDisarm => {
            format!("Disarm every etcd alarm of {}'s cluster", node)
        }
        TalosCallKind::EtcdForfeitLeadership => {
            format!("Hand etcd leadership from {} to another member", node)
        }
        TalosCallKind::Reboot => format!("Reboot {}", node),
        TalosCallKind::EtcdSnapshot(path) => {
            format!("Snapshot etcd on {} to {path}", node)
        }
    }
}

impl TalosCall {
    pub fn new(context: String, node: String, kind: TalosCallKind) -> TalosCall {
        let title = title(&node, &kind);
        TalosCall {
            context,
            node,
            kind,
            title,
        }
    }

    pub fn action(&self) -> ActionKind {
        match self.kind {
            TalosCallKind::ServiceRestart(_) => ActionKind::TalosServiceRestart,
            TalosCallKind::EtcdDefragment => ActionKind::EtcdDefragment,
            TalosCallKind::EtcdAlarmDisarm => ActionKind::EtcdAlarmDisarm,
            TalosCallKind::EtcdForfeitLeadership => ActionKind::EtcdForfeitLeadership,
            TalosCallKind::Reboot => ActionKind::TalosReboot,
            TalosCallKind::EtcdSnapshot(_) => ActionKind::EtcdSnapshot,
        }
    }

    /// The RPC's full method path.
    pub fn method(&self) -> &'static str {
        match self.kind {
            TalosCallKind::ServiceRestart(_) => "/machine.MachineService/ServiceRestart",
            TalosCallKind::EtcdDefragment => "/machine.MachineService/EtcdDefragment",
            TalosCallKind::EtcdAlarmDisarm => "/machine.MachineService/EtcdAlarmDisarm",
            TalosCallKind::EtcdForfeitLeadership => "/machine.MachineService/EtcdForfeitLeadership",
            TalosCallKind::Reboot => "/machine.MachineService/Reboot",
            TalosCallKind::EtcdSnapshot(_) => "/machine.MachineService/EtcdSnapshot",
        }
    }

    /// The request body, as the dialog and the audit line show it.
    pub fn body(&self) -> String {
        match &self.kind {
            TalosCallKind::ServiceRestart(id) => format!("{{id: {id:?}}}"),
            TalosCallKind::Reboot => "{mode: DEFAULT}".into(),
            _ => "{}".into(),
        }
    }

    /// Exactly what is sent.
    pub fn preview(&self) -> Vec<String> {
        let mut lines = vec![
            format!(
                "talos    context {}, metadata node={}",
                self.context, self.node
            ),
            format!("rpc      {} {}", self.method(), self.body()),
        ];
        if let TalosCallKind::EtcdSnapshot(path) = &self.kind {
            lines.push(format!(
                "write    {path}.part, check its SHA-256 trailer, rename to {path}"
            ));
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_kubelet_and_extensions_are_restartable_and_the_preview_is_the_call() {
        assert!(restartable("kubelet") && restartable("ext-iscsid"));
        for core in [
            "etcd",
            "apid",
            "trustd",
            "containerd",
            "cri",
            "machined",
            "udevd",
        ] {
            assert!(!restartable(core), "{core}");
        }
        let call = TalosCall::new(
            "media".into(),
            "media-cp-1".into(),
            TalosCallKind::ServiceRestart("kubelet".into()),
        );
        assert_eq!(
            call.preview(),
            [
                "talos    context media, metadata node=media-cp-1",
                "rpc      /machine.MachineService/ServiceRestart {id: \"kubelet\"}",
            ]
        );
        assert_eq!(call.action().name(), "talos.service-restart");
    }
}
