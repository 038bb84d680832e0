//! Compile the Talos machine API subset in `proto/` (our own .proto files, wire-compatible with
//! Talos) with protox, so no system `protoc` is needed.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = [
        "proto/common.proto",
        "proto/machine.proto",
        "proto/lifecycle.proto",
        "proto/storage.proto",
        "proto/cosi.proto",
    ];
    for f in &files {
        println!("cargo:rerun-if-changed={f}");
    }
    let descriptors = protox::compile(files, ["proto"])?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(false)
        .compile_fds(descriptors)?;
    Ok(())
}
