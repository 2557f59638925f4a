//! Suite-level tests: one test binary, one module per story. Each test starts the services it
//! needs with fresh databases and real TCP between them.

mod appeal_of_rejection;
mod automated_detection;
mod counter_notice;
mod notice_and_action;
mod repeat_infringer;
mod startup;
mod whole_story;
