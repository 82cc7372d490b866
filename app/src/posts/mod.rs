//! Posts. So far: the editorial workflow as a pure state machine, the one
//! place that says which status change each role may make.

pub mod workflow;
