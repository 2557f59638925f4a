//! The gRPC half of the matrix: every RPC of every service, called as every role and with
//! every bad token, checked against the service's declared access table. An RPC missing from
//! its table fails the test.

use std::collections::BTreeMap;

use genuine_runtime::auth::{Allow, Role};
use genuine_runtime::clock;
use genuine_suite_tests::Suite;
use tonic::Code;
use tonic::codegen::http::uri::PathAndQuery;
use tonic::transport::Channel;
use tonic_prost::ProstCodec;

use crate::bad_tokens::{BadToken, bad_tokens};
use genuine_suite_tests::contract::{self, Method};

/// Zero bytes decode as the default of any proto3 message, so one empty message fits every RPC.
#[derive(Clone, PartialEq, prost::Message)]
struct Empty {}

/// The access layer's own refusal messages (see `genuine_runtime::auth::policy::Denied`).
const LAYER_DENIALS: [&str; 2] = [
    "is not declared in this server's access policy",
    "is open to roles",
];

/// Who calls: a role's valid token, or one of the bad tokens.
#[derive(Debug, Clone)]
enum Caller {
    Role(Role),
    Bad(BadToken),
}

impl Caller {
    fn name(&self) -> String {
        match self {
            Caller::Role(role) => role.as_str().to_owned(),
            Caller::Bad((name, _)) => (*name).to_owned(),
        }
    }
}

async fn call(channel: Channel, method: &Method, token: Option<&str>) -> tonic::Status {
    let path = PathAndQuery::try_from(method.path.as_str()).expect("path");
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.expect("channel ready");
    let codec = ProstCodec::<Empty, Empty>::default();
    let result = if method.streaming {
        let mut request = tonic::Request::new(tonic::codegen::tokio_stream::iter(vec![Empty {}]));
        add_token(request.metadata_mut(), token);
        match grpc.streaming(request, path, codec).await {
            Ok(response) => {
                let mut stream = response.into_inner();
                loop {
                    match stream.message().await {
                        Ok(Some(_)) => {}
                        Ok(None) => break Ok(()),
                        Err(status) => break Err(status),
                    }
                }
            }
            Err(status) => Err(status),
        }
    } else {
        let mut request = tonic::Request::new(Empty {});
        add_token(request.metadata_mut(), token);
        grpc.unary(request, path, codec).await.map(|_| ())
    };
    match result {
        Ok(()) => tonic::Status::ok(""),
        Err(status) => status,
    }
}

fn add_token(metadata: &mut tonic::metadata::MetadataMap, token: Option<&str>) {
    if let Some(token) = token {
        metadata.insert(
            "authorization",
            format!("Bearer {token}").parse().expect("ascii token"),
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_rpc_as_every_caller_matches_its_access_table() {
    let methods = contract::methods();
    assert!(
        !methods.is_empty(),
        "no genuine.*.v1 services in the contract"
    );

    // Every RPC of the contract must be declared in its service's table.
    let undeclared: Vec<&str> = methods
        .iter()
        .filter(|m| m.service.access_policy().rule(&m.path).is_none())
        .map(|m| m.path.as_str())
        .collect();
    assert!(
        undeclared.is_empty(),
        "RPCs missing from their access table: {undeclared:?}"
    );

    let suite = Suite::start(clock::system(), Vec::new())
        .await
        .expect("suite starts");
    let mut callers: Vec<Caller> = Role::ALL.into_iter().map(Caller::Role).collect();
    callers.extend(
        bad_tokens(&[Role::Admin], "DE", &[])
            .into_iter()
            .map(Caller::Bad),
    );

    let mut failures = Vec::new();
    let mut handler_denials = Vec::new();
    let mut codes: BTreeMap<String, usize> = BTreeMap::new();
    let (mut checked, mut allowed, mut denied) = (0usize, 0usize, 0usize);
    for method in &methods {
        let service = method.service;
        let rule = service
            .access_policy()
            .rule(&method.path)
            .expect("checked above");
        let channel = suite.channel(service);
        for caller in &callers {
            let token = match caller {
                // Regulators carry a jurisdiction, as real ones do, so that the handlers'
                // jurisdiction check does not mask the table.
                Caller::Role(Role::Regulator) => {
                    Some(suite.regulator_token("authz-regulator", "DE"))
                }
                Caller::Role(role) => Some(suite.token(*role, &format!("authz-{}", role.as_str()))),
                Caller::Bad((_, token)) => token.clone(),
            };
            let status = call(channel.clone(), method, token.as_deref()).await;
            let code = status.code();
            *codes.entry(format!("{code:?}")).or_default() += 1;
            checked += 1;
            let who = caller.name();
            let path = &method.path;
            let message = status.message();
            let layer_denial = LAYER_DENIALS.iter().any(|m| message.contains(m));
            if matches!(code, Code::Internal | Code::Unknown) {
                failures.push(format!("{path} as {who}: {code:?} {message}"));
            }
            let expect_allowed = match (caller, rule) {
                (_, Allow::Public) => true,
                (Caller::Bad(..), _) => false,
                (Caller::Role(_), Allow::AnyAuthenticated) => true,
                (Caller::Role(role), Allow::Roles(roles)) => roles.contains(role),
            };
            if expect_allowed {
                allowed += 1;
                match code {
                    Code::Unauthenticated => failures.push(format!(
                        "{path} as {who}: allowed by the table but UNAUTHENTICATED: {message}"
                    )),
                    Code::PermissionDenied if layer_denial => failures.push(format!(
                        "{path} as {who}: allowed by the table but refused by the access layer: {message}"
                    )),
                    Code::PermissionDenied => {
                        handler_denials.push(format!("{path} as {who}: {message}"));
                    }
                    _ => {}
                }
            } else {
                denied += 1;
                let wanted = match caller {
                    Caller::Bad(..) => code == Code::Unauthenticated,
                    Caller::Role(_) => code == Code::PermissionDenied && layer_denial,
                };
                if !wanted {
                    failures.push(format!(
                        "{path} as {who}: should be refused, got {code:?}: {message}"
                    ));
                }
            }
        }
    }

    println!(
        "authz matrix: {} methods x {} principals = {checked} calls checked, {allowed} expected allowed, {denied} expected denied",
        methods.len(),
        callers.len()
    );
    println!("status codes seen: {codes:?}");
    println!(
        "allowed by the table, refused by a handler's finer check ({}):",
        handler_denials.len()
    );
    for line in &handler_denials {
        println!("  {line}");
    }
    assert!(
        failures.is_empty(),
        "{} authorization failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
