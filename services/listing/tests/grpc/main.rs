//! gRPC tests of the listing service over real TCP, through `genuine_listing::serve`.

mod brands;
mod cli;
mod fakes;
mod input;
mod listings;
mod measures;
mod screening;
mod support;
mod withdraw;
