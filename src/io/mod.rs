//! Inputs, message framing, the decode loop that feeds a printer, outputs and the per-file
//! parallel driver.

pub mod decode;
pub mod driver;
pub mod input;
pub mod output;
pub mod prepare;
pub mod progress;
pub mod reader;
pub mod sink;
pub mod temp;
