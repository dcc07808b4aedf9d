//! Inputs, message framing, outputs and the per-file parallel driver.

pub mod driver;
pub mod input;
pub mod output;
pub mod prepare;
pub mod progress;
pub mod reader;
pub mod temp;
pub mod textin;
