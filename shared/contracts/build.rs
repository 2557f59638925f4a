//! Compiles every `.proto` file under the workspace's `proto/` folder with protox (pure Rust, no
//! system `protoc`), generates tonic clients and servers, and writes the encoded file descriptor
//! set that the servers hand to gRPC reflection.

use std::path::{Path, PathBuf};

use prost::Message;

fn collect_protos(dir: &Path, found: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_protos(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "proto") {
            found.push(path);
        }
    }
}

fn main() {
    // Read at run time, not with `env!`: checkouts sharing one target directory share this
    // script's binary, and a path baked in at compile time would compile another checkout's
    // protos.
    let manifest_dir =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let proto_root = manifest_dir.join("../../proto");
    let mut protos = Vec::new();
    collect_protos(&proto_root.join("genuine"), &mut protos);
    println!("cargo:rerun-if-changed={}", proto_root.display());
    for proto in &protos {
        println!("cargo:rerun-if-changed={}", proto.display());
    }

    let descriptors = protox::compile(&protos, [&proto_root]).expect("protos compile");
    let packages: std::collections::BTreeSet<String> = descriptors
        .file
        .iter()
        .filter_map(|file| file.package.clone())
        // Imported well-known types (google.protobuf) come from prost-types, not from here.
        .filter(|package| package.starts_with("genuine."))
        .collect();
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    std::fs::write(
        out_dir.join("genuine_descriptor.bin"),
        descriptors.encode_to_vec(),
    )
    .expect("write descriptor set");

    write_module_tree(&packages, &out_dir);

    tonic_prost_build::configure()
        // A request that does not decode is INVALID_ARGUMENT naming the field (src/codec.rs).
        .codec_path("crate::codec::ProstCodec")
        .build_server(true)
        .build_client(true)
        .compile_fds(descriptors)
        .expect("generate code");
}

/// Writes `packages.rs`: nested modules mirroring the package names (`genuine.listing.v1` becomes
/// `genuine::listing::v1`), so adding a `.proto` file needs no edit of `lib.rs`.
fn write_module_tree(packages: &std::collections::BTreeSet<String>, out_dir: &Path) {
    #[derive(Default)]
    struct Node {
        children: std::collections::BTreeMap<String, Node>,
        package: Option<String>,
    }
    fn render(node: &Node, out: &mut String) {
        if let Some(package) = &node.package {
            out.push_str(&format!(
                "include!(concat!(env!(\"OUT_DIR\"), \"/{package}.rs\"));\n"
            ));
        }
        for (name, child) in &node.children {
            out.push_str(&format!("pub mod {name} {{\n"));
            render(child, out);
            out.push_str("}\n");
        }
    }
    let mut root = Node::default();
    for package in packages {
        let mut node = &mut root;
        for part in package.split('.') {
            node = node.children.entry(part.to_owned()).or_default();
        }
        node.package = Some(package.clone());
    }
    let mut out = String::new();
    render(&root, &mut out);
    std::fs::write(out_dir.join("packages.rs"), out).expect("write module tree");
}
