//! The Talos OS upgrade of one node, as talosctl 1.13 does it: pull the installer image, run
//! the installer through `LifecycleService.Upgrade`, reboot. Nodes older than 1.13 (or any
//! that answers Unimplemented) get the deprecated `MachineService.Upgrade`, after which they
//! reboot by themselves.

use std::time::Duration;

use tonic::Code;

use super::client::TalosClient;
use super::proto::common::{ContainerDriver, ContainerdInstance, ContainerdNamespace};
use super::proto::machine::image_service_client::ImageServiceClient;
use super::proto::machine::image_service_pull_response::Response as PullResponse;
use super::proto::machine::lifecycle_service_client::LifecycleServiceClient;
use super::proto::machine::lifecycle_service_install_progress::Response as InstallResponse;
use super::proto::machine::{
    ImageServicePullRequest, InstallArtifactsSource, LifecycleServiceUpgradeRequest, RebootRequest,
    UpgradeRequest, reboot_request,
};
use crate::clients::error::ClientError;
use crate::model::request::ActionKind;
use crate::model::text::sanitize;
use crate::model::upgrade::{TalosUpgrade, UpgradeApi};

/// Pulling an installer and installing it take minutes on a slow link, not seconds.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// talosctl's default `--namespace system`.
fn system_containerd() -> ContainerdInstance {
    ContainerdInstance {
        driver: ContainerDriver::Cri as i32,
        namespace: ContainerdNamespace::NsSystem as i32,
    }
}

impl TalosClient {
    /// Run the upgrade the plan shows; `Ok` says what the node acknowledged.
    pub async fn upgrade(&self, plan: &TalosUpgrade) -> Result<String, ClientError> {
        if plan.api == UpgradeApi::Lifecycle {
            match self.lifecycle_upgrade(plan).await {
                Err(status) if status.code() == Code::Unimplemented => {}
                Err(status) => return Err(ClientError::from_grpc(&status)),
                Ok(Err(failure)) => return Err(failure),
                Ok(Ok(done)) => return Ok(done),
            }
        }
        self.legacy_upgrade(plan).await
    }

    fn long_call<T>(&self, node: &str, msg: T) -> tonic::Request<T> {
        let mut req = self.to_node(node, msg);
        req.set_timeout(INSTALL_TIMEOUT);
        req
    }

    /// Pull, install, reboot. The outer error is the transport's (Unimplemented falls back);
    /// the inner one is the node saying the install failed.
    async fn lifecycle_upgrade(
        &self,
        plan: &TalosUpgrade,
    ) -> Result<Result<String, ClientError>, tonic::Status> {
        let node = plan.node.as_str();
        let mut images = ImageServiceClient::new(self.channel.clone());
        let mut pull = images
            .pull(self.long_call(
                node,
                ImageServicePullRequest {
                    containerd: Some(system_containerd()),
                    image_ref: plan.image.clone(),
                },
            ))
            .await?
            .into_inner();
        let mut pulled = None;
        while let Some(msg) = pull.message().await? {
            if let Some(PullResponse::Name(name)) = msg.response {
                pulled = Some(name);
            }
        }
        let Some(pulled) = pulled else {
            return Ok(Err(ClientError::Server(
                "the image pull ended without naming the image".into(),
            )));
        };
        let mut lifecycle = LifecycleServiceClient::new(self.channel.clone());
        let mut install = lifecycle
            .upgrade(self.long_call(
                node,
                LifecycleServiceUpgradeRequest {
                    containerd: Some(system_containerd()),
                    source: Some(InstallArtifactsSource { image_name: pulled }),
                },
            ))
            .await?
            .into_inner();
        let mut last_line = String::new();
        let mut exit = None;
        while let Some(msg) = install.message().await? {
            match msg.progress.and_then(|p| p.response) {
                Some(InstallResponse::Message(line)) => last_line = line,
                Some(InstallResponse::ExitCode(code)) => exit = Some(code),
                None => {}
            }
        }
        match exit {
            Some(0) => {}
            Some(code) => {
                return Ok(Err(ClientError::Server(sanitize(&format!(
                    "the installer exited with {code}: {last_line}"
                )))));
            }
            None => {
                return Ok(Err(ClientError::Server(
                    "the installer stream ended without an exit code".into(),
                )));
            }
        }
        let reply = self
            .machine()
            .reboot(self.to_node(
                node,
                RebootRequest {
                    mode: reboot_request::Mode::Default as i32,
                },
            ))
            .await?
            .into_inner();
        if let Some(e) = reply
            .messages
            .iter()
            .filter_map(|m| m.metadata.as_ref())
            .find(|m| !m.error.is_empty())
        {
            return Ok(Err(ClientError::Server(sanitize(&format!(
                "installed, but the reboot failed: {}",
                e.error
            )))));
        }
        Ok(Ok(format!("installed {}; rebooting", plan.image)))
    }

    async fn legacy_upgrade(&self, plan: &TalosUpgrade) -> Result<String, ClientError> {
        let reply = self
            .machine()
            .upgrade(self.long_call(
                &plan.node,
                UpgradeRequest {
                    image: plan.image.clone(),
                    preserve: true,
                    ..UpgradeRequest::default()
                },
            ))
            .await
            .map_err(|s| ClientError::from_grpc(&s))?
            .into_inner();
        let Some(first) = reply.messages.first() else {
            return Err(ClientError::Server("the node sent an empty reply".into()));
        };
        if let Some(e) = first.metadata.as_ref().filter(|m| !m.error.is_empty()) {
            return Err(ClientError::Server(sanitize(&e.error)));
        }
        Ok(sanitize(&format!(
            "upgrade acknowledged ({}); the node reboots by itself",
            first.ack
        )))
    }
}

/// Append the audit line of a node upgrade.
pub fn audit(
    path: &std::path::Path,
    plan: &TalosUpgrade,
    result: Option<&Result<String, ClientError>>,
) -> std::io::Result<()> {
    let request = match plan.api {
        UpgradeApi::Lifecycle => serde_json::json!({
            "rpc": ["/machine.ImageService/Pull", "/machine.LifecycleService/Upgrade", "/machine.MachineService/Reboot"],
            "image": plan.image,
            "containerd": {"driver": "CRI", "namespace": "NS_SYSTEM"},
        }),
        UpgradeApi::Legacy => serde_json::json!({
            "rpc": ["/machine.MachineService/Upgrade"],
            "image": plan.image,
            "preserve": true,
        }),
    };
    crate::clients::audit::append(
        path,
        &plan.context,
        ActionKind::TalosUpgrade,
        serde_json::json!({"kind": "TalosNode", "name": plan.node}),
        request,
        result,
    )
}
