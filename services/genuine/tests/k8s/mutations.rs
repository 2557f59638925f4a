//! The checks can fail: break a rendered overlay (or a Dockerfile) on purpose and see each
//! check notice.

use serde_json::{Value, json};

use crate::deployments::check_deployments;
use crate::dev_and_production::{check_dev, check_production};
use crate::dockerfile::check_dockerfile;
use crate::hardening::check_hardening;
use crate::network_policies::check_network_policies;
use crate::objects::{kind, name};
use crate::render::{Overlay, overlay, overlays};
use crate::secrets::check_secrets_and_migrations;
use crate::tls::check_tls_wiring;

fn mutate(base: &Overlay, change: impl Fn(&mut Vec<Value>)) -> Overlay {
    let mut broken = base.clone();
    change(&mut broken.objects);
    broken
}

fn object_mut<'a>(objects: &'a mut [Value], k: &str, n: &str) -> &'a mut Value {
    objects
        .iter_mut()
        .find(|o| kind(o) == k && name(o) == n)
        .unwrap_or_else(|| panic!("{k}/{n}"))
}

fn assert_caught(found: &[String], expected: &str) {
    assert!(
        found.iter().any(|f| f.contains(expected)),
        "expected a violation containing {expected:?}, got {found:#?}"
    );
}

#[test]
fn mutations_are_caught() {
    let Some(overlays) = overlays() else { return };
    let production = overlay(overlays, "production");
    let dev = overlay(overlays, "dev");

    let broken = mutate(production, |objects| {
        let d = object_mut(objects, "Deployment", "listing");
        let c = &mut d["spec"]["template"]["spec"]["containers"][0];
        c["image"] = json!("ghcr.io/genuine-project/genuine:latest");
        c["securityContext"]["readOnlyRootFilesystem"] = json!(false);
        c["resources"]["limits"] = json!({});
        d["spec"]["template"]["spec"]["securityContext"]["runAsUser"] = json!(0);
    });
    let found = check_hardening(&broken);
    assert_caught(&found, "not pinned");
    assert_caught(&found, "readOnlyRootFilesystem");
    assert_caught(&found, "cpu request and limit");
    assert_caught(&found, "runAsUser");

    let broken = mutate(production, |objects| {
        let d = object_mut(objects, "Deployment", "reputation");
        let spec = &mut d["spec"]["template"]["spec"];
        spec["terminationGracePeriodSeconds"] = json!(20);
        spec["containers"][0]["readinessProbe"] = Value::Null;
        let ports = spec["containers"][0]["ports"]
            .as_array_mut()
            .expect("ports");
        let grpc = ports
            .iter_mut()
            .find(|p| p["name"] == json!("grpc"))
            .expect("grpc port");
        grpc["containerPort"] = json!(50099);
        objects.retain(|o| !(kind(o) == "PodDisruptionBudget" && name(o) == "reputation"));
        objects.retain(|o| !(kind(o) == "NetworkPolicy" && name(o) == "reputation"));
    });
    let found = check_deployments(&broken);
    assert_caught(&found, "terminationGracePeriodSeconds 20");
    assert_caught(&found, "no readinessProbe");
    assert_caught(&found, "LISTEN_ADDR says 50052");
    assert_caught(&found, "no PodDisruptionBudget");
    assert_caught(&found, "no NetworkPolicy of its own");

    // No policies: everything talks to everything.
    let broken = mutate(production, |objects| {
        objects.retain(|o| kind(o) != "NetworkPolicy");
    });
    let found = check_network_policies(&broken);
    assert_caught(
        &found,
        "Deployment/listing -> Deployment/gateway on 8080/TCP should be denied",
    );
    assert_caught(
        &found,
        "the internet -> Deployment/listing on 50051/TCP should be denied",
    );
    // One edge too many: reputation may not call enforcement.
    let broken = mutate(production, |objects| {
        let p = object_mut(objects, "NetworkPolicy", "enforcement");
        p["spec"]["ingress"][0]["from"][0]["podSelector"]["matchExpressions"][0]["values"] =
            json!(["gateway", "listing", "reputation"]);
        let p = object_mut(objects, "NetworkPolicy", "reputation");
        p["spec"]["egress"]
            .as_array_mut()
            .expect("egress")
            .push(json!({"to": [{"podSelector": {}}], "ports": [{"port": 50053}]}));
    });
    assert_caught(
        &check_network_policies(&broken),
        "Deployment/reputation -> Deployment/enforcement on 50053/TCP should be denied",
    );

    let broken = mutate(production, |objects| {
        objects.retain(|o| !(kind(o) == "Job" && name(o) == "enforcement-migrate"));
        objects.push(json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "genuine-auth", "namespace": "genuine"}, "stringData": {"secret": "x"}}));
    });
    let found = check_secrets_and_migrations(&broken);
    assert_caught(&found, "no Job runs `migrate enforcement`");
    assert_caught(&found, "Secret/genuine-auth is committed");

    let broken = mutate(dev, |objects| {
        let d = object_mut(objects, "Deployment", "listing");
        d["spec"]["replicas"] = json!(3);
    });
    assert_caught(
        &check_secrets_and_migrations(&broken),
        "exactly one replica",
    );
    assert_caught(&check_dev(&broken), "one replica");

    let broken = mutate(production, |objects| {
        objects.retain(|o| kind(o) != "Certificate");
        let h = object_mut(objects, "HorizontalPodAutoscaler", "gateway");
        h["spec"]["minReplicas"] = json!(1);
    });
    let found = check_production(&broken);
    assert_caught(&found, "issued by no Certificate");
    assert_caught(&found, "minReplicas >= 2");

    // TLS on, but a peer URL left in plaintext, a probe left on the mTLS-only gRPC port, an
    // undeclared health port and a URL host the callee's certificate does not hold.
    let broken = mutate(production, |objects| {
        let common = config_map_mut(objects, "genuine-common");
        common["data"]["GENUINE_REPUTATION_URL"] = json!("http://reputation:50052");
        common["data"]["GENUINE_ENFORCEMENT_URL"] = json!("https://enforcement.genuine:50053");
        let d = object_mut(objects, "Deployment", "listing");
        let c = &mut d["spec"]["template"]["spec"]["containers"][0];
        c["readinessProbe"]["grpc"]["port"] = json!(50051);
        let d = object_mut(objects, "Deployment", "enforcement");
        let c = &mut d["spec"]["template"]["spec"]["containers"][0];
        c["ports"]
            .as_array_mut()
            .expect("ports")
            .retain(|p| p["name"] != json!("health"));
        let cert = object_mut(objects, "Certificate", "enforcement-tls");
        cert["spec"]["dnsNames"] = json!(["enforcement", "enforcement.genuine.svc"]);
    });
    let found = check_tls_wiring(&broken);
    assert_caught(
        &found,
        "Deployment/listing: GENUINE_REPUTATION_URL=http://reputation:50052 is not https://",
    );
    assert_caught(
        &found,
        "Deployment/gateway: GENUINE_REPUTATION_URL=http://reputation:50052 is not https://",
    );
    assert_caught(
        &found,
        "Deployment/listing: readinessProbe probes 50051, not the health port 8081",
    );
    assert_caught(
        &found,
        "Deployment/enforcement: container port \"health\" is None",
    );
    assert_caught(
        &found,
        "enforcement.genuine is not among Certificate/enforcement-tls's dnsNames",
    );
    assert_caught(
        &check_deployments(&broken),
        "Deployment/listing: readinessProbe is not a gRPC health probe on 8081",
    );

    // No TLS in dev: an https:// peer would fail the handshake against a plaintext server, and
    // probes belong on the gRPC port.
    let broken = mutate(dev, |objects| {
        let common = config_map_mut(objects, "genuine-common");
        common["data"]["GENUINE_LISTING_URL"] = json!("https://listing:50051");
        let d = object_mut(objects, "Deployment", "reputation");
        let c = &mut d["spec"]["template"]["spec"]["containers"][0];
        c["livenessProbe"]["grpc"]["port"] = json!(8081);
    });
    let found = check_tls_wiring(&broken);
    assert_caught(
        &found,
        "Deployment/enforcement: GENUINE_LISTING_URL=https://listing:50051 is not http://",
    );
    assert_caught(
        &found,
        "Deployment/reputation: livenessProbe probes 8081, not the gRPC port 50052",
    );
}

/// A generated ConfigMap, whose name kustomize suffixes with a content hash.
fn config_map_mut<'a>(objects: &'a mut [Value], prefix: &str) -> &'a mut Value {
    let hashed = format!("{prefix}-");
    objects
        .iter_mut()
        .find(|o| kind(o) == "ConfigMap" && name(o).starts_with(&hashed))
        .unwrap_or_else(|| panic!("ConfigMap/{prefix}"))
}

/// Needs no tool, so it always runs.
#[test]
fn dockerfile_mutations_are_caught() {
    let dockerfile =
        "FROM rust:latest\nRUN cargo build --release\nCMD /genuine serve\nENTRYPOINT /genuine\n";
    let found = check_dockerfile(dockerfile);
    assert_caught(&found, "not a multi-stage build");
    let dockerfile = "FROM rust:1.95 AS build\nCOPY . .\nRUN cargo build --release -p genuine\n\
                      FROM debian:12\nCOPY --from=build /src/target/release/genuine /genuine\n\
                      ENTRYPOINT /genuine\n";
    let found = check_dockerfile(dockerfile);
    assert_caught(&found, "neither distroless nor scratch");
    assert_caught(&found, "sets no USER");
    assert_caught(&found, "shell form");
    assert_caught(&found, "no cached dependency layer");
    assert_caught(&found, "without --locked");
}
