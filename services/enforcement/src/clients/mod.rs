//! Typed callers of the other services: the listing look-up SubmitNotice needs, and the outbox
//! handlers that deliver this service's effects and fire its deadlines.

mod handlers;
mod listings;

pub use handlers::handlers;
pub use listings::{GrpcListings, ListingDirectory};
