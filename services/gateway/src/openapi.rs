//! The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]` annotations and the
//! DTOs' schemas, plus the error responses every route documents.

use std::collections::BTreeMap;

use utoipa::openapi::content::Content;
use utoipa::openapi::header::Header;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{Object, Ref, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi as OpenApiDoc, RefOr};
use utoipa::{Modify, OpenApi};

use crate::http::problem::{FieldError, PROBLEM_JSON, PreconditionError, Problem};

/// The document's fixed parts; paths come from the router.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "genuine regulator gateway",
        description = "Regulators read cases, trader data, statements of reasons and the transparency report, file notices and inspection results, and verify the tamper-evident audit log. Every `/v1` route needs a bearer JWT with the `regulator` role, a jurisdiction and the route's scope; errors are RFC 9457 problem details.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    components(schemas(Problem, FieldError, PreconditionError)),
    modifiers(&BearerAuth),
    tags(
        (name = "cases", description = "Cases and their timelines"),
        (name = "notices", description = "Notices filed by the regulator"),
        (name = "sellers", description = "Trader traceability data, standing and history"),
        (name = "listings", description = "Listings with screening results"),
        (name = "statements", description = "Statements of reasons (DSA Art. 17)"),
        (name = "reports", description = "Transparency report"),
        (name = "audit", description = "Tamper-evident audit log"),
        (name = "health", description = "Liveness and readiness"),
    )
)]
pub struct ApiDoc;

/// The security scheme named `bearer` that every `/v1` route requires.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A JWT with `roles: [\"regulator\"]`, `jurisdiction`, `agency` and space-separated `scope`.",
                    ))
                    .build(),
            ),
        );
    }
}

/// A problem-details response.
fn problem(description: &str, retry_after: bool) -> RefOr<Response> {
    let mut builder = ResponseBuilder::new().description(description).content(
        PROBLEM_JSON,
        Content::new(Some(Ref::from_schema_name("Problem"))),
    );
    if retry_after {
        builder = builder.header("Retry-After", Header::new(Object::with_type(Type::Integer)));
    }
    RefOr::T(builder.build())
}

fn common_errors() -> BTreeMap<String, RefOr<Response>> {
    BTreeMap::from([
        (
            "400".to_owned(),
            problem("Bad input: every bad field in `errors`", false),
        ),
        (
            "401".to_owned(),
            problem("No token, or an invalid one", false),
        ),
        (
            "403".to_owned(),
            problem(
                "The token lacks the scope or the regulator role, or the resource is in another jurisdiction",
                false,
            ),
        ),
        (
            "404".to_owned(),
            problem("Not found (or not in the caller's jurisdiction)", false),
        ),
        ("429".to_owned(), problem("Rate limit exceeded", true)),
        (
            "500".to_owned(),
            problem("A bug; the detail carries an error id", false),
        ),
        (
            "503".to_owned(),
            problem("An upstream service is down or unreachable", true),
        ),
        (
            "504".to_owned(),
            problem("An upstream service or the request timed out", false),
        ),
    ])
}

/// The errors every authenticated read may answer with.
pub struct ReadErrors;

impl utoipa::IntoResponses for ReadErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let mut responses = common_errors();
        responses.insert(
            "409".to_owned(),
            problem("Not allowed in the current state", false),
        );
        responses
    }
}

/// The errors every authenticated write (JSON body) may answer with.
pub struct WriteErrors;

impl utoipa::IntoResponses for WriteErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let mut responses = ReadErrors::responses();
        responses.insert("413".to_owned(), problem("The body is too large", false));
        responses.insert("415".to_owned(), problem("The body is not JSON", false));
        responses
    }
}
