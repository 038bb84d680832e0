//! Generated code for our Talos .proto subset (see `proto/` and `build.rs`).

#![allow(clippy::all, clippy::pedantic, missing_docs)]

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
