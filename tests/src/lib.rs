//! Conformance support for threatgraph: the shared test vectors (`tests/vectors/**.json`) and a
//! seeded synthetic-architecture generator used by the property tests and the benches.

pub mod generate;
pub mod vectors;
