//! Conformance support for threatgraph: the shared test vectors (`tests/vectors/**.json`) and a
//! seeded synthetic-architecture generator used by the property tests and the benches.

#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod generate;
pub mod vectors;
