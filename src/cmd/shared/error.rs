//! What a command's failure is, and so its exit status and message.

/// Why a command failed. [`Error::code`] is the exit status (0 ok, 1 an input or the output
/// failed, 2 usage), and [`Error::message`] the line `main` prints: the one place an error
/// gets its `ipfixkit:` prefix.
#[derive(Debug)]
pub enum Error {
    /// The command was called wrongly (2).
    Usage(String),
    /// An input cannot be read (1): its name in messages, and why.
    Input {
        name: String,
        source: std::io::Error,
    },
    /// Writing the output failed (1; a closed pipe ends quietly with 0). The error's message
    /// names the output.
    Output(std::io::Error),
    /// Something else failed (1).
    Failed(String),
    /// Inputs failed and their problems were reported as they were met (1).
    Reported,
}

impl Error {
    pub fn usage(m: impl Into<String>) -> Error {
        Error::Usage(m.into())
    }

    pub fn input(name: &str, source: std::io::Error) -> Error {
        Error::Input {
            name: name.to_string(),
            source,
        }
    }

    pub fn code(&self) -> i32 {
        match self {
            Error::Usage(_) => 2,
            Error::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
            _ => 1,
        }
    }

    /// The line to print, with the `ipfixkit:` prefix; none when there is nothing to add.
    pub fn message(&self) -> Option<String> {
        let m = match self {
            Error::Usage(m) | Error::Failed(m) => m.clone(),
            Error::Input { name, source } => format!("{name}: {source}"),
            Error::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return None,
            Error::Output(e) => e.to_string(),
            Error::Reported => return None,
        };
        Some(format!("ipfixkit: {m}"))
    }
}

/// An output error (its message names the output): see [`Error::Output`].
impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::Output(e)
    }
}

/// An output that cannot be opened: refusing a terminal is a usage error (2), a path that
/// cannot be written a failure (1).
impl From<crate::io::output::OpenError> for Error {
    fn from(e: crate::io::output::OpenError) -> Error {
        if e.is_usage() {
            Error::Usage(e.to_string())
        } else {
            Error::Failed(e.to_string())
        }
    }
}

impl From<crate::io::output::TargetsError> for Error {
    fn from(e: crate::io::output::TargetsError) -> Self {
        match e {
            crate::io::output::TargetsError::Create(m) => Error::Failed(m),
            crate::io::output::TargetsError::Twice(t) => Error::usage(format!(
                "two inputs would both be written to {}",
                t.display()
            )),
        }
    }
}
