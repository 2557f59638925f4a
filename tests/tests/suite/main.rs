//! Suite-level tests: one test binary, one module per story. Each test starts the services it
//! needs with fresh databases and real TCP between them.

mod startup;
