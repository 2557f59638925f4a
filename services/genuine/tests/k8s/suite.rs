//! The suite as DESIGN.md draws it, which the manifests must deploy: its services, who calls
//! whom, the image and the user every pod runs as.

use std::time::Duration;

/// The services of the suite, the binary's name for each (`genuine serve <name>`).
pub const SERVICES: [&str; 4] = ["listing", "reputation", "enforcement", "gateway"];
/// Services that own a database (and so a migration Job, a database Secret and PostgreSQL egress).
pub const DATABASE_OWNERS: [&str; 3] = ["listing", "reputation", "enforcement"];
/// Who calls whom (../shared/DESIGN.md, "Shape"): (caller, callee).
pub const CALLS: [(&str, &str); 8] = [
    ("gateway", "listing"),
    ("gateway", "reputation"),
    ("gateway", "enforcement"),
    ("listing", "reputation"),
    ("listing", "enforcement"),
    ("reputation", "listing"),
    ("enforcement", "listing"),
    ("enforcement", "reputation"),
];
/// Namespace label that admits the marketplace's internal platform clients to listing.
pub const LISTING_CLIENT_LABEL: &str = "genuine-project.github.io/listing-client";
/// The image every workload runs.
pub const IMAGE: &str = "ghcr.io/genuine-project/genuine";
/// The user of the distroless `nonroot` image and of every pod.
pub const NONROOT_UID: i64 = 65532;
/// The drain time a service uses when `GENUINE_<SVC>_SHUTDOWN_GRACE` is not set.
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// The port name a service's main port must have.
pub fn port_name(service: &str) -> &'static str {
    if service == "gateway" { "http" } else { "grpc" }
}
