//! The simulated apid's StorageService: the node's disks, routed like every other call.

use tonic::{Request, Response, Status};

use super::NodeApi;
use super::routing::{WithMeta, targets};
use crate::proto::common::Metadata;
use crate::proto::storage::storage_service_server::StorageService;
use crate::proto::storage::{Disks, DisksResponse};

impl WithMeta for Disks {
    fn set_meta(&mut self, m: Option<Metadata>) {
        self.metadata = m;
    }
}

#[tonic::async_trait]
impl StorageService for NodeApi {
    async fn disks(&self, req: Request<()>) -> Result<Response<DisksResponse>, Status> {
        let messages = self.answer(targets(&req)?, |s| {
            Ok(Disks {
                metadata: None,
                disks: s.disks(),
            })
        })?;
        Ok(Response::new(DisksResponse { messages }))
    }
}
