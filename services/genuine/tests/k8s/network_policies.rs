//! NetworkPolicies admit exactly the callers of DESIGN.md's diagram, evaluated (not
//! pattern-matched) for every workload and for a sample of parties outside the namespace.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use serde_json::Value;

use crate::objects::{array, namespace, of_kind};
use crate::policy_model::{Endpoint, address, connects, pod};
use crate::render::{Overlay, assert_all, overlays};
use crate::suite::{CALLS, DATABASE_OWNERS, LISTING_CLIENT_LABEL, port_name};
use crate::workloads::{EnvValue, environment, preflight, workloads};

/// The connections the diagram allows, and no others, for every workload in the namespace and
/// for a sample of parties outside it.
pub fn check_network_policies(overlay: &Overlay) -> Vec<String> {
    let mut found = preflight(overlay);
    let ns = namespace(overlay);
    let policies: Vec<&Value> = of_kind(overlay, "NetworkPolicy").collect();
    let mut next_ip = 10;
    let mut ip = || {
        next_ip += 1;
        Ipv4Addr::new(10, 244, 0, next_ip)
    };

    // The collector the overlay exports to, if any: every workload must agree.
    let endpoints: BTreeSet<Option<String>> = workloads(overlay)
        .iter()
        .map(|w| {
            match environment(overlay, w.main_container()).get("OTEL_EXPORTER_OTLP_ENDPOINT") {
                Some(EnvValue::Literal(v)) => Some(v.clone()),
                _ => None,
            }
        })
        .collect();
    if endpoints.len() > 1 {
        found.push(format!(
            "workloads disagree on OTEL_EXPORTER_OTLP_ENDPOINT: {endpoints:?}"
        ));
    }
    let collector = endpoints.into_iter().next().flatten().map(|url| {
        let authority = url
            .split_once("://")
            .map_or(url.as_str(), |(_, r)| r)
            .to_owned();
        let (host, port) = authority.rsplit_once(':').unwrap_or((&authority, "4317"));
        let namespace = host.split('.').nth(1).unwrap_or(&ns).to_owned();
        let collector_labels = BTreeMap::from([(
            "app.kubernetes.io/name".to_owned(),
            "otel-collector".to_owned(),
        )]);
        (
            pod(
                "the OTel collector",
                &namespace,
                &[],
                &collector_labels,
                Ipv4Addr::new(10, 244, 9, 1),
            ),
            port.parse::<i64>().unwrap_or(4317),
        )
    });

    // Our workloads, with their service and listening port.
    let mut ours: Vec<(Endpoint, String, bool, i64)> = Vec::new();
    for w in workloads(overlay) {
        let c = w.main_container();
        let mut endpoint = pod(&w.id(), &ns, &[], &w.labels(), ip());
        for p in array(&c["ports"]) {
            if let (Some(n), Some(number)) = (p["name"].as_str(), p["containerPort"].as_i64()) {
                endpoint.ports.insert(n.to_owned(), number);
            }
        }
        let port = endpoint
            .ports
            .get(port_name(&w.service))
            .copied()
            .unwrap_or(-1);
        ours.push((endpoint, w.service.clone(), w.kind == "Deployment", port));
    }

    let nobody = BTreeMap::new();
    let ingress_controller = pod(
        "a pod in ingress-nginx",
        "ingress-nginx",
        &[],
        &nobody,
        Ipv4Addr::new(10, 244, 7, 1),
    );
    let platform_client = pod(
        "a pod in a listing-client namespace",
        "marketplace",
        &[(LISTING_CLIENT_LABEL, "true")],
        &nobody,
        Ipv4Addr::new(10, 244, 8, 1),
    );
    let stray = pod(
        "an unlabelled pod of this namespace",
        &ns,
        &[],
        &nobody,
        ip(),
    );
    let dns_labels = BTreeMap::from([("k8s-app".to_owned(), "kube-dns".to_owned())]);
    let cluster_dns = pod(
        "cluster DNS",
        "kube-system",
        &[],
        &dns_labels,
        Ipv4Addr::new(10, 244, 6, 1),
    );
    let node_local_dns = address("a node-local DNS cache", Ipv4Addr::new(169, 254, 20, 10));
    let database = address("PostgreSQL", Ipv4Addr::new(10, 20, 0, 5));
    let internet = address("the internet", Ipv4Addr::new(203, 0, 113, 10));

    let mut expect = |from: &Endpoint, to: &Endpoint, port: i64, protocol: &str, allowed: bool| {
        if connects(&policies, from, to, port, protocol) != allowed {
            found.push(format!(
                "{} -> {} on {port}/{protocol} should be {}",
                from.what,
                to.what,
                if allowed { "allowed" } else { "denied" }
            ));
        }
    };

    for (from, from_service, from_server, _) in &ours {
        for (to, to_service, to_server, to_port) in &ours {
            if !*to_server {
                continue;
            }
            let called =
                *from_server && CALLS.contains(&(from_service.as_str(), to_service.as_str()));
            expect(from, to, *to_port, "TCP", called);
            expect(from, to, 9090, "TCP", false);
        }
        expect(from, &cluster_dns, 53, "UDP", true);
        expect(from, &cluster_dns, 53, "TCP", true);
        expect(from, &node_local_dns, 53, "UDP", true);
        expect(
            from,
            &database,
            5432,
            "TCP",
            DATABASE_OWNERS.contains(&from_service.as_str()),
        );
        expect(from, &internet, 443, "TCP", false);
        expect(from, &ingress_controller, 80, "TCP", false);
        match &collector {
            Some((collector, port)) => expect(from, collector, *port, "TCP", true),
            None => {
                let somewhere = pod(
                    "an OTel collector",
                    "observability",
                    &[],
                    &nobody,
                    Ipv4Addr::new(10, 244, 9, 1),
                );
                expect(from, &somewhere, 4317, "TCP", false);
            }
        }
    }
    for (to, to_service, to_server, to_port) in &ours {
        if !*to_server {
            continue;
        }
        let public = to_service == "gateway";
        expect(&ingress_controller, to, *to_port, "TCP", public);
        expect(&internet, to, *to_port, "TCP", public);
        // A pod of this namespace that is none of ours gets nowhere: it is isolated too.
        expect(&stray, to, *to_port, "TCP", false);
        expect(
            &platform_client,
            to,
            *to_port,
            "TCP",
            public || to_service == "listing",
        );
        if let Some((collector, _)) = &collector {
            expect(collector, to, *to_port, "TCP", public);
        }
    }
    found
}

#[test]
fn network_policies_admit_exactly_the_diagrams_callers() {
    let Some(overlays) = overlays() else { return };
    assert_all(overlays, check_network_policies);
}
