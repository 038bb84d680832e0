//! Compile the workspace's Talos .proto subset (`../proto`) into server stubs for the simulated
//! apid. The cockpit compiles the same files into its client: the .proto text is the shared wire
//! contract, the generated types are each crate's own.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = [
        "../proto/common.proto",
        "../proto/machine.proto",
        "../proto/lifecycle.proto",
        "../proto/storage.proto",
        "../proto/cosi.proto",
        // The resource specs' protobuf form: only the simulator writes it (the cockpit reads
        // the YAML form, as talosctl does).
        "../proto/resource/runtime.proto",
        "../proto/resource/cluster.proto",
        "../proto/resource/network.proto",
        "../proto/resource/config.proto",
    ];
    for f in &files {
        println!("cargo:rerun-if-changed={f}");
    }
    let descriptors = protox::compile(files, ["../proto"])?;
    tonic_prost_build::configure()
        .build_client(false)
        .build_server(true)
        .compile_fds(descriptors)?;
    Ok(())
}
