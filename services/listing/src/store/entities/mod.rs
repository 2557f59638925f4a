//! sea-orm entities of the listing database. Times are milliseconds since the Unix epoch
//! (identical on SQLite and PostgreSQL); lists are JSON text.

pub mod brand;
pub mod brand_seller;
pub mod counterfeit_image;
pub mod listing;
pub mod listing_measure;
pub mod prohibited_term;
pub mod seller_suspension;
