//! Generated server (and client, for tests that call an apid directly) code for the Talos
//! .proto subset in the workspace's `proto/`.

pub mod common {
    tonic::include_proto!("common");
}
pub mod machine {
    tonic::include_proto!("machine");
}
pub mod storage {
    tonic::include_proto!("storage");
}
pub mod cosi {
    pub mod resource {
        tonic::include_proto!("cosi.resource");
    }
}
/// The resource specs' protobuf form (`Spec.proto_spec`).
pub mod talos {
    pub mod resource {
        pub mod definitions {
            pub mod runtime {
                tonic::include_proto!("talos.resource.definitions.runtime");
            }
            pub mod cluster {
                tonic::include_proto!("talos.resource.definitions.cluster");
            }
            pub mod network {
                tonic::include_proto!("talos.resource.definitions.network");
            }
        }
    }
}
pub mod resource {
    pub mod config {
        tonic::include_proto!("resource.config");
    }
}
