//! The upgrade API of Talos 1.13+ on a simulated node: `ImageService.Pull` streams layer
//! progress and the image name, `LifecycleService.Upgrade` streams installer lines and an exit
//! code and stages the version for the next reboot. Nodes before 1.13 do not have these
//! services, so they answer Unimplemented, as an old apid does.

use std::pin::Pin;

use futures::Stream;
use tonic::{Request, Response, Status};

use super::NodeApi;
use super::node::{NodeState, image_version};
use crate::proto::machine::image_service_pull_layer_progress::Status as LayerStatus;
use crate::proto::machine::image_service_pull_response::Response as PullResponse;
use crate::proto::machine::image_service_server::ImageService;
use crate::proto::machine::lifecycle_service_install_progress::Response as InstallResponse;
use crate::proto::machine::lifecycle_service_server::LifecycleService;
use crate::proto::machine::{
    ImageServicePullLayerProgress, ImageServicePullProgress, ImageServicePullRequest,
    ImageServicePullResponse, LifecycleServiceInstallProgress, LifecycleServiceUpgradeRequest,
    LifecycleServiceUpgradeResponse,
};
use crate::versions::has_lifecycle_service;

fn new_api(node: &NodeState, service: &str) -> Result<(), Status> {
    if has_lifecycle_service(&node.spec.talos_version) {
        Ok(())
    } else {
        Err(Status::unimplemented(format!(
            "unknown service machine.{service}"
        )))
    }
}

type Streamed<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send>>;

fn stream_of<T: Send + 'static>(items: Vec<T>) -> Streamed<T> {
    Box::pin(tokio_stream::iter(items.into_iter().map(Ok)))
}

#[tonic::async_trait]
impl ImageService for NodeApi {
    type PullStream = Streamed<ImageServicePullResponse>;

    async fn pull(
        &self,
        req: Request<ImageServicePullRequest>,
    ) -> Result<Response<Self::PullStream>, Status> {
        let node = self.stream_target(&req)?;
        new_api(&node, "ImageService")?;
        let image = req.get_ref().image_ref.clone();
        image_version(&image)?;
        let layer = |id: &str, status: LayerStatus, offset: i64| ImageServicePullResponse {
            response: Some(PullResponse::PullProgress(ImageServicePullProgress {
                layer_id: id.into(),
                progress: Some(ImageServicePullLayerProgress {
                    status: status as i32,
                    elapsed: None,
                    offset,
                    total: 52_428_800,
                }),
            })),
        };
        Ok(Response::new(stream_of(vec![
            layer("sha256:a1", LayerStatus::Downloading, 10_485_760),
            layer("sha256:a1", LayerStatus::DownloadComplete, 52_428_800),
            layer("sha256:a1", LayerStatus::ExtractComplete, 52_428_800),
            ImageServicePullResponse {
                response: Some(PullResponse::Name(image)),
            },
        ])))
    }
}

#[tonic::async_trait]
impl LifecycleService for NodeApi {
    type UpgradeStream = Streamed<LifecycleServiceUpgradeResponse>;

    async fn upgrade(
        &self,
        req: Request<LifecycleServiceUpgradeRequest>,
    ) -> Result<Response<Self::UpgradeStream>, Status> {
        let node = self.stream_target(&req)?;
        new_api(&node, "LifecycleService")?;
        let image = req
            .get_ref()
            .source
            .as_ref()
            .map(|s| s.image_name.clone())
            .unwrap_or_default();
        let version = image_version(&image)?;
        self.registry.stage(&node, version.clone());
        let line = |text: String| LifecycleServiceUpgradeResponse {
            progress: Some(LifecycleServiceInstallProgress {
                response: Some(InstallResponse::Message(text)),
            }),
        };
        Ok(Response::new(stream_of(vec![
            line(format!("validating {image}")),
            line("installing to the inactive boot partition".into()),
            line(format!(
                "installation of {version} complete; reboot to activate"
            )),
            LifecycleServiceUpgradeResponse {
                progress: Some(LifecycleServiceInstallProgress {
                    response: Some(InstallResponse::ExitCode(0)),
                }),
            },
        ])))
    }
}
