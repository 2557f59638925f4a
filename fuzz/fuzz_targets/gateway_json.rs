//! The gateway's request parsing: each JSON body type through the same `parse` the handlers'
//! extractor uses (size is bounded before it, depth inside it), and each query type through
//! axum's query extractor. Properties: no panic; every refusal is a 400 problem naming a field.
#![no_main]

use axum::extract::Query;
use axum::http::Uri;
use genuine_gateway::dto::audit_log::{ProofQuery, VerifyRequest};
use genuine_gateway::dto::cases::ListCasesQuery;
use genuine_gateway::dto::common::PageQuery;
use genuine_gateway::dto::notices::SubmitNotice;
use genuine_gateway::dto::reports::ReportQuery;
use genuine_gateway::dto::sellers::RecordInspection;
use genuine_gateway::dto::statements::ListStatementsQuery;
use genuine_gateway::http::body::parse;
use genuine_gateway::http::problem::Problem;
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;

/// The gateway's default `GENUINE_GATEWAY_MAX_JSON_DEPTH`.
const MAX_DEPTH: usize = 16;

fn body<T: DeserializeOwned>(bytes: &[u8]) {
    if let Err(problem) = parse::<T>(bytes, MAX_DEPTH) {
        named(&problem);
    }
}

fn query<T: DeserializeOwned>(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    // Only what could arrive as a request target: the URI parser refuses the rest first.
    let Ok(uri) = format!("/v1/x?{text}").parse::<Uri>() else {
        return;
    };
    let _ = Query::<T>::try_from_uri(&uri);
}

fn named(problem: &Problem) {
    assert_eq!(problem.status, 400, "{problem:?}");
    assert!(
        problem.errors.iter().any(|e| !e.field.is_empty()),
        "{problem:?}"
    );
}

fuzz_target!(|input: &[u8]| {
    let Some((&selector, bytes)) = input.split_first() else {
        return;
    };
    match selector % 8 {
        0 => body::<SubmitNotice>(bytes),
        1 => body::<RecordInspection>(bytes),
        2 => body::<VerifyRequest>(bytes),
        3 => query::<ListCasesQuery>(bytes),
        4 => query::<PageQuery>(bytes),
        5 => query::<ReportQuery>(bytes),
        6 => query::<ListStatementsQuery>(bytes),
        _ => query::<ProofQuery>(bytes),
    }
});
