//! sea-orm entities of the reputation tables. Times are BIGINT milliseconds since the epoch
//! (as in the runtime's queue tables), so ordering and comparison are identical on SQLite and
//! PostgreSQL.

pub mod inspection;
pub mod seller;
pub mod suspension;
pub mod violation;
