//! Decode problems: where they are (byte offset, message, set) and what they are.
//!
//! The codec never panics on input; every problem becomes a [`DecodeError`] handed to the
//! visitor, which decides whether to go on. Offsets are absolute within the input stream (the
//! decompressed stream for compressed files); the command adds the file name.

use std::fmt;

/// How bad a problem is. Warnings do not change the exit code; errors make it 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Warning,
    Error,
}

/// What went wrong, with the offending values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Fewer than 16 octets remain for a message header.
    TruncatedHeader { have: usize },
    /// The message header's version is not 10 (or its length is below 16); `skipped` octets
    /// were passed over to the next plausible message (RFC 5655 §10.3), if any. `skipped` 0
    /// (with `resumed_at` None): the reader did not search on (`--strict`).
    BadHeader {
        version: u16,
        length: u16,
        skipped: u64,
        resumed_at: Option<u64>,
    },
    /// A bad message header (as for `BadHeader`) and no plausible message in the `searched`
    /// octets after it (byte `from`): the rest of the input is given up (`--max-resync`).
    ResyncLimit {
        version: u16,
        length: u16,
        searched: u64,
        from: u64,
    },
    /// The message claims more octets than the input has.
    TruncatedMessage { claimed: u16, have: usize },
    /// A set header does not fit or its length is impossible.
    BadSetLength { length: u16, remaining: usize },
    /// A set ID that is reserved (0, 1, 4..=255).
    ReservedSetId,
    /// A template record runs past the end of its set.
    TemplatePastSet { template: u16, fields: u16 },
    /// A template record uses an ID below 256.
    ReservedTemplateId { template: u16 },
    /// An options template with a scope count of 0 or above its field count.
    BadScopeCount {
        template: u16,
        scope: u16,
        fields: u16,
    },
    /// A field declares a length that its type does not allow; values are shown as hex.
    BadFieldLength {
        template: u16,
        index: usize,
        name: String,
        length: u16,
        dtype: &'static str,
    },
    /// Withdrawal of a template that is not defined.
    WithdrawUnknown { domain: u32, template: u16 },
    /// At the end of the input: data sets held for a template that was never defined (or
    /// no longer was when they came), `dropped` of them to stay within the hold limit.
    UnknownTemplate {
        domain: u32,
        template: u16,
        sets: u64,
        octets: u64,
        dropped: u64,
    },
    /// A data set for a template that was withdrawn (and not defined again).
    WithdrawnTemplate { domain: u32, template: u16 },
    /// A record whose variable-length field runs past the end of its set.
    RecordPastSet { template: u16, record: u64 },
    /// A template whose records have no length cannot be counted.
    EmptyRecords { template: u16 },
    /// Not IPFIX at all.
    NotIpfix { looks_like: &'static str },
    /// A NetFlow v5/v9 packet is damaged (its other FlowSets were still translated).
    NetFlow {
        version: u16,
        problem: super::netflow::Problem,
    },
    /// A read failed (e.g. corrupt compressed stream): the error's kind and its message (the
    /// codec's errors are plain values, so the `io::Error` itself is not kept).
    Io {
        kind: std::io::ErrorKind,
        message: String,
    },
    /// Structured data (RFC 6313) inside a record is damaged: the record is still delivered,
    /// and printers show the damaged list as an `{"@error": ...}` value.
    ListDamage {
        template: u16,
        /// 1-based index of the record in its set.
        record: u64,
        /// Output key of the top-level list field.
        field: String,
        what: String,
    },
    /// An RFC 5610 type record names an IE with a name that cannot be an output key (not
    /// letter-then-letters-and-digits, or the name of another IE); the IE keeps its
    /// `en<PEN>:id<ID>` key.
    BadLearnedName {
        pen: u32,
        id: u16,
        name: String,
        why: &'static str,
    },
}

/// A problem at a place in the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Absolute byte offset of the problem.
    pub offset: u64,
    /// 1-based index of the message it is in, if any.
    pub message: Option<u64>,
    /// The set ID of the set it is in, if any.
    pub set: Option<u16>,
    pub kind: ErrorKind,
}

impl DecodeError {
    pub fn severity(&self) -> Severity {
        match self.kind {
            // Data sets no template decodes (never defined, or withdrawn) are records lost: an
            // IPFIX file carries the templates of its data (RFC 5655 §7.1), so they are errors.
            ErrorKind::WithdrawUnknown { .. }
            | ErrorKind::BadFieldLength { .. }
            | ErrorKind::ReservedSetId
            | ErrorKind::BadLearnedName { .. } => Severity::Warning,
            // Exporters often count FlowSets or leave the count at 0 (RFC 3954 §5.1 asks
            // for records): the records are all read either way.
            // v9 data FlowSets whose template never came are warnings: NetFlow files are
            // recordings of UDP streams, which routinely begin before the first template.
            ErrorKind::NetFlow {
                problem:
                    super::netflow::Problem {
                        what:
                            super::netflow::ProblemKind::CountMismatch { .. }
                            | super::netflow::ProblemKind::NeverDefined { .. },
                        ..
                    },
                ..
            } => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

impl DecodeError {
    /// Displays the problem with its offset said to be in the decompressed stream when
    /// `decompressed` ("byte 45192 of the decompressed stream"), as plain `Display` otherwise.
    pub fn in_stream(&self, decompressed: bool) -> InStream<'_> {
        InStream {
            error: self,
            decompressed,
        }
    }
}

/// A [`DecodeError`] shown with the kind of stream its offset counts in.
pub struct InStream<'a> {
    error: &'a DecodeError,
    decompressed: bool,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.in_stream(false).fmt(f)
    }
}

impl fmt::Display for InStream<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = self.error;
        write!(f, "byte {}", e.offset)?;
        if self.decompressed {
            f.write_str(" of the decompressed stream")?;
        }
        match (e.message, e.set) {
            (Some(m), Some(s)) => write!(f, " (message {m}, set {s})")?,
            (Some(m), None) => write!(f, " (message {m})")?,
            _ => {}
        }
        f.write_str(": ")?;
        if e.severity() == Severity::Warning {
            f.write_str("warning: ")?;
        }
        fmt::Display::fmt(&e.kind, f)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::TruncatedHeader { have } => write!(
                f,
                "truncated message header: {have} octets left, a header needs 16"
            ),
            ErrorKind::BadHeader {
                version,
                length,
                skipped,
                resumed_at,
            } => {
                bad_header(f, *version, *length)?;
                match resumed_at {
                    None if *skipped == 0 => Ok(()),
                    Some(at) => write!(
                        f,
                        "; skipped {skipped} octets to the next message at byte {at}"
                    ),
                    None => write!(
                        f,
                        "; skipped {skipped} octets to the end, no further message found"
                    ),
                }
            }
            ErrorKind::ResyncLimit {
                version,
                length,
                searched,
                from,
            } => {
                bad_header(f, *version, *length)?;
                write!(
                    f,
                    "; no valid message header in the {searched} octets after byte {from}; giving up on this input"
                )
            }
            ErrorKind::TruncatedMessage { claimed, have } => write!(
                f,
                "truncated message: header says {claimed} octets, only {have} remain"
            ),
            ErrorKind::BadSetLength { length, remaining } => write!(
                f,
                "bad set length {length} ({remaining} octets left in the message); rest of message skipped"
            ),
            ErrorKind::ReservedSetId => write!(f, "reserved set ID; set skipped"),
            ErrorKind::TemplatePastSet { template, fields } => write!(
                f,
                "template {template} declares {fields} fields but the set ends first; rest of set skipped"
            ),
            ErrorKind::ReservedTemplateId { template } => write!(
                f,
                "template ID {template} is reserved (must be 256 or above); rest of set skipped"
            ),
            ErrorKind::BadScopeCount {
                template,
                scope,
                fields,
            } => write!(
                f,
                "options template {template} has scope count {scope} for {fields} fields (must be 1..={fields}); template ignored"
            ),
            ErrorKind::BadFieldLength {
                template,
                index,
                name,
                length,
                dtype,
            } => write!(
                f,
                "template {template} field {index} ({name}) has length {length}, which {dtype} does not allow; its values are shown as hex"
            ),
            ErrorKind::WithdrawUnknown { domain, template } => write!(
                f,
                "withdrawal of template {template} in domain {domain}, which is not defined"
            ),
            ErrorKind::UnknownTemplate {
                domain,
                template,
                sets,
                octets,
                dropped,
            } => {
                write!(
                    f,
                    "{sets} data set(s) ({octets} octets) of template {template} in domain {domain} never got their template; left out"
                )?;
                if *dropped > 0 {
                    write!(
                        f,
                        " ({dropped} of them dropped while waiting, over {} MiB held)",
                        super::session::HOLD_MAX >> 20
                    )?;
                }
                Ok(())
            }
            ErrorKind::WithdrawnTemplate { domain, template } => write!(
                f,
                "data set for template {template} in domain {domain}, which was withdrawn, skipped (reported once)"
            ),
            ErrorKind::RecordPastSet { template, record } => write!(
                f,
                "record {record} of template {template} runs past the end of its set; rest of set skipped"
            ),
            ErrorKind::EmptyRecords { template } => write!(
                f,
                "template {template} describes zero-length records, which cannot be counted; set skipped"
            ),
            ErrorKind::NotIpfix { looks_like } => {
                write!(f, "not an IPFIX file: it looks like {looks_like}")
            }
            ErrorKind::Io { message, .. } => write!(f, "read failed: {message}"),
            ErrorKind::NetFlow { version, problem } => write!(f, "NetFlow v{version}: {problem}"),
            ErrorKind::ListDamage {
                template,
                record,
                field,
                what,
            } => write!(
                f,
                "record {record} of template {template}: structured data in {field} is damaged: {what}; shown as an @error value"
            ),
            ErrorKind::BadLearnedName { pen, id, name, why } => write!(
                f,
                "type record names IE {pen}/{id} {name:?}, which {why}; it keeps the key en{pen}:id{id}"
            ),
        }
    }
}

/// What is wrong with a message header whose version is not 10 or whose length is below 16.
fn bad_header(f: &mut fmt::Formatter<'_>, version: u16, length: u16) -> fmt::Result {
    if version != 10 {
        write!(
            f,
            "not an IPFIX message header (version {version}, expected 10)"
        )
    } else {
        write!(
            f,
            "message length {length} is shorter than its 16-octet header"
        )
    }
}
