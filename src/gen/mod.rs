//! The fixture generator (`gen`).

pub mod corrupt;
