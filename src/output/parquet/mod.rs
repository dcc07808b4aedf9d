//! `convert --to parquet`: typed Parquet through arrow-rs's writers ([`encode`]; no
//! hand-written encoder). Columns are those of CSV without `-F`: `@export_time,@domain,@template`
//! (`@scope` when options records are printed) and the union of the templates' field keys,
//! found by the same first pass ([`super::csv::union_schema`]), which also gives each column
//! its type. A record lacking a column gets a null.
//!
//! Types: unsignedN -> UINT8..64, signedN -> INT8..64 (`--signed`: unsigned as the next wider
//! signed type, UINT64 as INT64, checked, or DECIMAL(20,0)); float32/64; boolean; dateTime*
//! -> TIMESTAMP (UTC, [`TimeUnit`]); string -> UTF8 (bytes that are not UTF-8 as JSON writes
//! them, the text `{"@hex":"..."}`); octetArray -> BINARY; addresses, MACs, unsigned256 ->
//! their text forms; basicList of one scalar element type -> LIST of that type (semantic and
//! element name are not kept); subTemplateList, subTemplateMultiList, basicLists of lists, and
//! a key whose templates disagree on its type -> the JSON/text form as UTF8. A value its type
//! cannot hold (a boolean of wire value 0...) is null.
//!
//! Memory: rows are appended to Arrow builders and handed to the encoder every
//! [`BATCH_ROWS`]; its row group is closed at `rows` rows or `bytes` buffered octets, and the
//! encoded bytes are moved to the output then, so a printer holds about one row group (and,
//! when the encoder runs on its own thread, one batch in flight).

use super::cells::field_ranges;
use super::csv::ColumnType;
use super::render::json_list;
use super::{Column, Layouts, Meta, Printer, select};
use crate::ipfix::session::RecordRef;
use crate::ipfix::text::{TimeStyle, write_hex, write_scalar};
use crate::ipfix::value::{Value, be_uint, decode};
use crate::ipfix::{DataType, Template};
use arrow_array::builder::{
    BinaryBuilder, BooleanBuilder, Decimal128Builder, Float32Builder, Float64Builder, Int8Builder,
    Int16Builder, Int32Builder, Int64Builder, NullBufferBuilder, StringBuilder,
    TimestampMicrosecondBuilder, TimestampMillisecondBuilder, TimestampNanosecondBuilder,
    UInt8Builder, UInt16Builder, UInt32Builder, UInt64Builder,
};
use arrow_array::{ArrayRef, ListArray, RecordBatch};
use arrow_schema::{DataType as ArrowType, Field, FieldRef, Schema, TimeUnit as ArrowUnit};
use parquet::basic::{Compression as PqCompression, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use std::io::{self, Write};
use std::sync::Arc;

pub mod encode;
pub mod flow;
pub mod parts;

use encode::Writer;

pub use parts::{Partition, Parts};

/// Rows appended to the builders before they are handed to the writer.
pub const BATCH_ROWS: usize = 65_536;
/// The default row group: rows, and octets buffered (whichever comes first).
pub const ROW_GROUP_ROWS: usize = 1 << 20;
pub const ROW_GROUP_BYTES: usize = 128 << 20;

/// Column chunk compression (`--compression`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Compression {
    #[default]
    Zstd,
    Snappy,
    None,
}

/// The unit of TIMESTAMP columns (`--timestamp-unit`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum TimeUnit {
    #[value(name = "ms")]
    Millis,
    #[default]
    #[value(name = "us")]
    Micros,
    #[value(name = "ns")]
    Nanos,
}

/// `--signed`: unsigned columns as signed ones, UINT64 as INT64 or DECIMAL(20,0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Signed {
    Int64,
    Decimal,
}

/// How the Parquet is written (`Format::Parquet`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    pub compression: Compression,
    pub unit: TimeUnit,
    pub signed: Option<Signed>,
    pub rows: usize,
    pub bytes: usize,
    /// `--partition`: into partition directories ([`Plan::partitioned`](super::run::Plan)).
    pub partition: Option<Partition>,
    /// Above 1: a batch's columns are encoded in parallel, and a one-file output's batches on
    /// a thread of their own ([`encode`]); the bytes are the same for any number.
    pub threads: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            compression: Compression::Zstd,
            unit: TimeUnit::Micros,
            signed: None,
            rows: ROW_GROUP_ROWS,
            bytes: ROW_GROUP_BYTES,
            partition: None,
            threads: 1,
        }
    }
}

/// One column's values of the rows not yet handed to the writer.
enum Builder {
    U8(UInt8Builder),
    U16(UInt16Builder),
    U32(UInt32Builder),
    U64(UInt64Builder),
    I8(Int8Builder),
    I16(Int16Builder),
    I32(Int32Builder),
    I64(Int64Builder),
    /// UINT64 under `--signed=decimal`.
    Dec(Decimal128Builder),
    F32(Float32Builder),
    F64(Float64Builder),
    Bool(BooleanBuilder),
    Ms(TimestampMillisecondBuilder),
    Us(TimestampMicrosecondBuilder),
    Ns(TimestampNanosecondBuilder),
    /// Text: strings, addresses, JSON of structured data.
    Str(StringBuilder),
    Bin(BinaryBuilder),
    /// A basicList of scalars: the elements' column, and where each row's elements end.
    List {
        item: Box<Builder>,
        field: FieldRef,
        offsets: Vec<i32>,
        nulls: NullBufferBuilder,
    },
}

fn utc() -> Option<Arc<str>> {
    Some("UTC".into())
}

impl Builder {
    /// The builder (and so the Parquet type) of values of `t`; `None` for the types written
    /// as text.
    fn scalar(t: DataType, s: &Settings) -> Option<Builder> {
        use DataType as D;
        Some(match (t, s.signed) {
            (D::Unsigned8, None) => Builder::U8(UInt8Builder::new()),
            (D::Unsigned16, None) => Builder::U16(UInt16Builder::new()),
            (D::Unsigned32, None) => Builder::U32(UInt32Builder::new()),
            (D::Unsigned64, None) => Builder::U64(UInt64Builder::new()),
            (D::Unsigned8, Some(_)) => Builder::I16(Int16Builder::new()),
            (D::Unsigned16, Some(_)) => Builder::I32(Int32Builder::new()),
            (D::Unsigned32, Some(_)) | (D::Unsigned64, Some(Signed::Int64)) => {
                Builder::I64(Int64Builder::new())
            }
            (D::Unsigned64, Some(Signed::Decimal)) => Builder::Dec(
                Decimal128Builder::new()
                    .with_precision_and_scale(20, 0)
                    .ok()?,
            ),
            (D::Signed8, _) => Builder::I8(Int8Builder::new()),
            (D::Signed16, _) => Builder::I16(Int16Builder::new()),
            (D::Signed32, _) => Builder::I32(Int32Builder::new()),
            (D::Signed64, _) => Builder::I64(Int64Builder::new()),
            (D::Float32, _) => Builder::F32(Float32Builder::new()),
            (D::Float64, _) => Builder::F64(Float64Builder::new()),
            (D::Boolean, _) => Builder::Bool(BooleanBuilder::new()),
            (D::OctetArray, _) => Builder::Bin(BinaryBuilder::new()),
            (
                D::DateTimeSeconds
                | D::DateTimeMilliseconds
                | D::DateTimeMicroseconds
                | D::DateTimeNanoseconds,
                _,
            ) => Builder::time(s.unit),
            (D::String, _) => Builder::Str(StringBuilder::new()),
            _ => return None,
        })
    }

    fn time(unit: TimeUnit) -> Builder {
        match unit {
            TimeUnit::Millis => {
                Builder::Ms(TimestampMillisecondBuilder::new().with_timezone("UTC"))
            }
            TimeUnit::Micros => {
                Builder::Us(TimestampMicrosecondBuilder::new().with_timezone("UTC"))
            }
            TimeUnit::Nanos => Builder::Ns(TimestampNanosecondBuilder::new().with_timezone("UTC")),
        }
    }

    fn of(t: ColumnType, s: &Settings) -> Builder {
        let text = || Builder::Str(StringBuilder::new());
        match t {
            ColumnType::Of(d) => Builder::scalar(d, s).unwrap_or_else(text),
            ColumnType::List(Some(d)) => match Builder::scalar(d, s) {
                Some(item) => {
                    let field = Arc::new(Field::new("element", item.arrow_type(), true));
                    Builder::List {
                        item: Box::new(item),
                        field,
                        offsets: vec![0],
                        nulls: NullBufferBuilder::new(0),
                    }
                }
                None => text(),
            },
            _ => text(),
        }
    }

    fn arrow_type(&self) -> ArrowType {
        match self {
            Builder::U8(_) => ArrowType::UInt8,
            Builder::U16(_) => ArrowType::UInt16,
            Builder::U32(_) => ArrowType::UInt32,
            Builder::U64(_) => ArrowType::UInt64,
            Builder::I8(_) => ArrowType::Int8,
            Builder::I16(_) => ArrowType::Int16,
            Builder::I32(_) => ArrowType::Int32,
            Builder::I64(_) => ArrowType::Int64,
            Builder::Dec(_) => ArrowType::Decimal128(20, 0),
            Builder::F32(_) => ArrowType::Float32,
            Builder::F64(_) => ArrowType::Float64,
            Builder::Bool(_) => ArrowType::Boolean,
            Builder::Ms(_) => ArrowType::Timestamp(ArrowUnit::Millisecond, utc()),
            Builder::Us(_) => ArrowType::Timestamp(ArrowUnit::Microsecond, utc()),
            Builder::Ns(_) => ArrowType::Timestamp(ArrowUnit::Nanosecond, utc()),
            Builder::Str(_) => ArrowType::Utf8,
            Builder::Bin(_) => ArrowType::Binary,
            Builder::List { field, .. } => ArrowType::List(field.clone()),
        }
    }

    fn null(&mut self) {
        match self {
            Builder::U8(b) => b.append_null(),
            Builder::U16(b) => b.append_null(),
            Builder::U32(b) => b.append_null(),
            Builder::U64(b) => b.append_null(),
            Builder::I8(b) => b.append_null(),
            Builder::I16(b) => b.append_null(),
            Builder::I32(b) => b.append_null(),
            Builder::I64(b) => b.append_null(),
            Builder::Dec(b) => b.append_null(),
            Builder::F32(b) => b.append_null(),
            Builder::F64(b) => b.append_null(),
            Builder::Bool(b) => b.append_null(),
            Builder::Ms(b) => b.append_null(),
            Builder::Us(b) => b.append_null(),
            Builder::Ns(b) => b.append_null(),
            Builder::Str(b) => b.append_null(),
            Builder::Bin(b) => b.append_null(),
            Builder::List { offsets, nulls, .. } => {
                offsets.push(offsets.last().copied().unwrap_or(0));
                nulls.append_null();
            }
        }
    }

    /// Appends `v`; returns the octets it adds (roughly), or an error for a UINT64 beyond
    /// INT64 under `--signed=int64` (it would not be the same number).
    fn push(&mut self, v: &Value<'_>, cx: &mut Cx<'_>) -> io::Result<usize> {
        fn int<T: TryFrom<u64> + TryFrom<i64>>(v: &Value<'_>) -> Option<T> {
            match *v {
                Value::Unsigned(u) => T::try_from(u).ok(),
                Value::Signed(i) => T::try_from(i).ok(),
                _ => None,
            }
        }
        macro_rules! put {
            ($b:expr, $x:expr, $n:expr) => {{
                match $x {
                    Some(x) => $b.append_value(x),
                    None => $b.append_null(),
                }
                $n
            }};
        }
        Ok(match self {
            Builder::U8(b) => put!(b, int::<u8>(v), 1),
            Builder::U16(b) => put!(b, int::<u16>(v), 2),
            Builder::U32(b) => put!(b, int::<u32>(v), 4),
            Builder::U64(b) => put!(b, int::<u64>(v), 8),
            Builder::I8(b) => put!(b, int::<i8>(v), 1),
            Builder::I16(b) => put!(b, int::<i16>(v), 2),
            Builder::I32(b) => put!(b, int::<i32>(v), 4),
            Builder::I64(b) => {
                if let Value::Unsigned(u) = *v
                    && u > i64::MAX as u64
                {
                    return Err(io::Error::other(format!(
                        "{u} does not fit a signed 64-bit column (--signed=int64); \
                         --signed=decimal writes it as DECIMAL(20,0)"
                    )));
                }
                put!(b, int::<i64>(v), 8)
            }
            Builder::Dec(b) => put!(b, int::<u64>(v).map(i128::from), 16),
            Builder::F32(b) => {
                let x = match *v {
                    Value::Float32(x) => Some(x),
                    _ => None,
                };
                put!(b, x, 4)
            }
            Builder::F64(b) => {
                let x = match *v {
                    Value::Float64(x) => Some(x),
                    Value::Float32(x) => Some(x as f64),
                    _ => None,
                };
                put!(b, x, 8)
            }
            Builder::Bool(b) => {
                let x = match *v {
                    Value::Bool(x) => Some(x),
                    _ => None,
                };
                put!(b, x, 1)
            }
            Builder::Ms(b) => put!(b, since_epoch(v, 1_000_000), 8),
            Builder::Us(b) => put!(b, since_epoch(v, 1_000), 8),
            Builder::Ns(b) => put!(b, since_epoch(v, 1), 8),
            Builder::Bin(b) => match *v {
                Value::Octets(x) => {
                    b.append_value(x);
                    x.len() + 4
                }
                _ => put!(b, None::<&[u8]>, 4),
            },
            Builder::Str(b) => {
                let text = &mut *cx.text;
                text.clear();
                text_form(text, v, cx.scope);
                b.append_value(as_str(text));
                text.len() + 4
            }
            Builder::List {
                item,
                offsets,
                nulls,
                ..
            } => {
                let Value::List(DataType::BasicList, body) = *v else {
                    self.null();
                    return Ok(4);
                };
                let Ok(l) = crate::ipfix::list::BasicList::parse(body, cx.scope) else {
                    self.null();
                    return Ok(4);
                };
                let mut n = 4;
                let mut count = 0i32;
                for e in l.elements() {
                    match e {
                        Ok(b) => n += item.push(&decode(l.field.dtype, b), cx)?,
                        Err(_) => item.null(),
                    }
                    count += 1;
                }
                offsets.push(offsets.last().copied().unwrap_or(0) + count);
                nulls.append_non_null();
                n
            }
        })
    }

    /// Appends the field value `b` of type `t`: the commonest cases (unsigned numbers into
    /// their own column, dateTimeMilliseconds, IPv4 addresses) straight from the octets, the
    /// rest through [`decode`] and [`Builder::push`], which give the same values.
    #[inline]
    fn push_field(&mut self, t: DataType, b: &[u8], cx: &mut Cx<'_>) -> io::Result<usize> {
        use DataType as D;
        let unsigned = matches!(
            t,
            D::Unsigned8 | D::Unsigned16 | D::Unsigned32 | D::Unsigned64
        ) && (1..=8).contains(&b.len());
        match self {
            Builder::U8(x) if unsigned => {
                x.append_option(u8::try_from(be_uint(b)).ok());
                Ok(1)
            }
            Builder::U16(x) if unsigned => {
                x.append_option(u16::try_from(be_uint(b)).ok());
                Ok(2)
            }
            Builder::U32(x) if unsigned => {
                x.append_option(u32::try_from(be_uint(b)).ok());
                Ok(4)
            }
            Builder::U64(x) if unsigned => {
                x.append_value(be_uint(b));
                Ok(8)
            }
            Builder::Ms(_) | Builder::Us(_) | Builder::Ns(_)
                if t == D::DateTimeMilliseconds && b.len() == 8 =>
            {
                let ms = i64::try_from(be_uint(b)).ok();
                match self {
                    Builder::Ms(x) => x.append_option(ms),
                    Builder::Us(x) => x.append_option(ms.and_then(|m| m.checked_mul(1_000))),
                    Builder::Ns(x) => x.append_option(ms.and_then(|m| m.checked_mul(1_000_000))),
                    _ => {}
                }
                Ok(8)
            }
            Builder::Str(x) if t == D::Ipv4Address && b.len() == 4 => {
                let text = &mut *cx.text;
                text.clear();
                let a = [b[0], b[1], b[2], b[3]];
                crate::ipfix::text::write_ipv4(text, a.into());
                x.append_value(as_str(text));
                Ok(text.len() + 4)
            }
            _ => self.push(&decode(t, b), cx),
        }
    }

    /// An empty builder of the same type (for the same column of another file).
    fn fresh(&self) -> Builder {
        let s = |signed| Settings {
            signed,
            ..Settings::default()
        };
        match self {
            Builder::U8(_) => Builder::U8(UInt8Builder::new()),
            Builder::U16(_) => Builder::U16(UInt16Builder::new()),
            Builder::U32(_) => Builder::U32(UInt32Builder::new()),
            Builder::U64(_) => Builder::U64(UInt64Builder::new()),
            Builder::I8(_) => Builder::I8(Int8Builder::new()),
            Builder::I16(_) => Builder::I16(Int16Builder::new()),
            Builder::I32(_) => Builder::I32(Int32Builder::new()),
            Builder::I64(_) => Builder::I64(Int64Builder::new()),
            Builder::Dec(_) => Builder::scalar(DataType::Unsigned64, &s(Some(Signed::Decimal)))
                .unwrap_or_else(|| Builder::Str(StringBuilder::new())),
            Builder::F32(_) => Builder::F32(Float32Builder::new()),
            Builder::F64(_) => Builder::F64(Float64Builder::new()),
            Builder::Bool(_) => Builder::Bool(BooleanBuilder::new()),
            Builder::Ms(_) => Builder::time(TimeUnit::Millis),
            Builder::Us(_) => Builder::time(TimeUnit::Micros),
            Builder::Ns(_) => Builder::time(TimeUnit::Nanos),
            Builder::Str(_) => Builder::Str(StringBuilder::new()),
            Builder::Bin(_) => Builder::Bin(BinaryBuilder::new()),
            Builder::List { item, field, .. } => Builder::List {
                item: Box::new(item.fresh()),
                field: field.clone(),
                offsets: vec![0],
                nulls: NullBufferBuilder::new(0),
            },
        }
    }

    /// Appends a time of `ns` since 1970 to a TIMESTAMP column (a null to another).
    fn push_ns(&mut self, ns: i64) -> usize {
        match self {
            Builder::Ms(b) => b.append_value(ns.div_euclid(1_000_000)),
            Builder::Us(b) => b.append_value(ns.div_euclid(1_000)),
            Builder::Ns(b) => b.append_value(ns),
            b => b.null(),
        }
        8
    }

    /// Appends a list of numbers to a LIST column; an error as [`Builder::push`] gives.
    fn push_numbers(&mut self, items: &[u32], cx: &mut Cx<'_>) -> io::Result<usize> {
        let Builder::List {
            item,
            offsets,
            nulls,
            ..
        } = self
        else {
            self.null();
            return Ok(4);
        };
        let mut n = 4;
        for &x in items {
            n += item.push(&Value::Unsigned(x.into()), cx)?;
        }
        offsets.push(offsets.last().copied().unwrap_or(0) + items.len() as i32);
        nulls.append_non_null();
        Ok(n)
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::U8(b) => Arc::new(b.finish()),
            Builder::U16(b) => Arc::new(b.finish()),
            Builder::U32(b) => Arc::new(b.finish()),
            Builder::U64(b) => Arc::new(b.finish()),
            Builder::I8(b) => Arc::new(b.finish()),
            Builder::I16(b) => Arc::new(b.finish()),
            Builder::I32(b) => Arc::new(b.finish()),
            Builder::I64(b) => Arc::new(b.finish()),
            Builder::Dec(b) => Arc::new(b.finish()),
            Builder::F32(b) => Arc::new(b.finish()),
            Builder::F64(b) => Arc::new(b.finish()),
            Builder::Bool(b) => Arc::new(b.finish()),
            Builder::Ms(b) => Arc::new(b.finish()),
            Builder::Us(b) => Arc::new(b.finish()),
            Builder::Ns(b) => Arc::new(b.finish()),
            Builder::Str(b) => Arc::new(b.finish()),
            Builder::Bin(b) => Arc::new(b.finish()),
            Builder::List {
                item,
                field,
                offsets,
                nulls,
            } => {
                let values = item.finish();
                let offs =
                    arrow_buffer::OffsetBuffer::new(std::mem::replace(offsets, vec![0]).into());
                Arc::new(ListArray::new(field.clone(), offs, values, nulls.finish()))
            }
        }
    }
}

/// The text (always UTF-8 as written here; otherwise with replacement characters).
pub(super) fn as_str(text: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(text) {
        Ok(s) => s.into(),
        Err(_) => String::from_utf8_lossy(text),
    }
}

/// A time value in units of `per` nanoseconds since 1970.
fn since_epoch(v: &Value<'_>, per: i128) -> Option<i64> {
    let i = v.instant()?;
    let ns = i.secs as i128 * 1_000_000_000 + i.nanos as i128;
    i64::try_from(ns.div_euclid(per)).ok()
}

/// The text of a value in a UTF8 column: what JSON writes for it, without the quotes of a
/// JSON string (strings that are not UTF-8 as `{"@hex":"..."}`, structured data as JSON).
fn text_form(out: &mut Vec<u8>, v: &Value<'_>, scope: &dyn crate::ipfix::list::Scope) {
    match *v {
        Value::String(b) => match std::str::from_utf8(b) {
            Ok(s) => out.extend_from_slice(s.as_bytes()),
            Err(_) => {
                out.extend_from_slice(b"{\"@hex\":\"");
                write_hex(out, b);
                out.extend_from_slice(b"\"}");
            }
        },
        Value::List(t, b) => json_list(out, t, b, scope, TimeStyle::Rfc3339, 0),
        _ => {
            write_scalar(out, v, TimeStyle::Rfc3339);
        }
    }
}

/// Scratch of one record.
struct Cx<'a> {
    text: &'a mut Vec<u8>,
    scope: &'a dyn crate::ipfix::list::Scope,
}

/// Which template field feeds each column (`None`: metadata, or a null).
struct Layout {
    sel: Vec<Option<usize>>,
}

fn arrow_err(e: arrow_schema::ArrowError) -> io::Error {
    io::Error::other(format!("Parquet: {e}"))
}

/// One Parquet file being written: the columns' builders (the rows not yet handed to the
/// encoder) and the encoder ([`encode::Writer`]: the row group being encoded). Its encoded
/// bytes go to the output each call is given.
pub struct Table {
    writer: Writer,
    schema: Arc<Schema>,
    builders: Vec<Builder>,
    settings: Settings,
    /// Rows and (roughly) octets in the builders.
    rows: usize,
    bytes: usize,
}

impl Table {
    /// A table of columns called `names`, of the builders' types; encoded on a thread of its
    /// own when `away` (and there are threads).
    fn new(
        names: Vec<String>,
        builders: Vec<Builder>,
        settings: Settings,
        away: bool,
    ) -> io::Result<Table> {
        let fields: Vec<Field> = (names.into_iter().zip(&builders))
            .map(|(n, b)| Field::new(n, b.arrow_type(), true))
            .collect();
        Table::with_schema(Arc::new(Schema::new(fields)), builders, settings, away)
    }

    fn with_schema(
        schema: Arc<Schema>,
        builders: Vec<Builder>,
        settings: Settings,
        away: bool,
    ) -> io::Result<Table> {
        let compression = match settings.compression {
            Compression::Zstd => PqCompression::ZSTD(ZstdLevel::default()),
            Compression::Snappy => PqCompression::SNAPPY,
            Compression::None => PqCompression::UNCOMPRESSED,
        };
        let mut props = WriterProperties::builder()
            .set_compression(compression)
            .set_statistics_enabled(EnabledStatistics::Page)
            .set_max_row_group_size(settings.rows.max(1))
            .set_created_by(format!("ipfixkit {}", env!("CARGO_PKG_VERSION")));
        // Times are nearly all distinct: a dictionary for them is work thrown away when it
        // overflows. (Numbers keep theirs: the flow schema's UINT64 protocol, interface and
        // flag columns have few values, and a counter's dictionary that grows too big is
        // dropped by the writer for plain pages.)
        for f in schema.fields() {
            if matches!(f.data_type(), ArrowType::Timestamp(..)) {
                let path = parquet::schema::types::ColumnPath::new(vec![f.name().clone()]);
                props = props.set_column_dictionary_enabled(path, false);
            }
        }
        let props = props.build();
        let writer = Writer::new(schema.clone(), props, settings, away)?;
        Ok(Table {
            writer,
            schema,
            builders,
            settings,
            rows: 0,
            bytes: 0,
        })
    }

    /// An empty table of the same columns (another file of a partitioned output), encoded
    /// on the caller's thread.
    fn like(&self) -> io::Result<Table> {
        let builders = self.builders.iter().map(Builder::fresh).collect();
        Table::with_schema(self.schema.clone(), builders, self.settings, false)
    }

    /// One row's values were pushed (`bytes` of them, roughly): a full batch goes to the
    /// encoder.
    fn row_done(&mut self, bytes: usize, out: &mut dyn Write) -> io::Result<()> {
        self.rows += 1;
        self.bytes += bytes;
        if self.rows >= BATCH_ROWS.min(self.settings.rows) || self.bytes >= self.settings.bytes / 4
        {
            self.flush(false, out)?;
        }
        Ok(())
    }

    /// Octets held: the builders' and the row group's being encoded.
    fn held(&self) -> usize {
        self.bytes + self.writer.held()
    }

    /// Hands the builders' rows to the encoder; with `force`, ends the row group.
    fn flush(&mut self, force: bool, out: &mut dyn Write) -> io::Result<()> {
        if self.rows > 0 {
            let arrays: Vec<ArrayRef> = self.builders.iter_mut().map(Builder::finish).collect();
            let batch = RecordBatch::try_new(self.schema.clone(), arrays).map_err(arrow_err)?;
            self.rows = 0;
            self.bytes = 0;
            self.writer.write(batch, out)?;
        }
        if force {
            self.writer.end_group(out)?;
        }
        Ok(())
    }

    /// Writes the last row group and the footer.
    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        self.flush(false, out)?;
        self.writer.finish(out)?;
        out.flush()
    }
}

/// Where a Parquet printer's rows go: one file, or the files of a partitioned directory.
pub enum Dest<'w> {
    One(&'w mut dyn Write, Box<Table>),
    Parts(Box<Parts>),
}

impl<'w> Dest<'w> {
    /// Into `out`, or, with `partition`, into files under `dir` (`part-<index>`).
    fn new(
        to: Target<'w>,
        names: Vec<String>,
        builders: Vec<Builder>,
        settings: Settings,
    ) -> io::Result<Dest<'w>> {
        let table = Table::new(names, builders, settings, matches!(to, Target::Out(_)))?;
        Ok(match to {
            Target::Out(out) => Dest::One(out, Box::new(table)),
            Target::Parts { dir, index, by } => {
                Dest::Parts(Box::new(Parts::new(dir, index, by, table)))
            }
        })
    }

    /// The table a row of a flow starting at `start` (ns since 1970) goes to, and its output.
    fn table(&mut self, start: Option<i64>) -> io::Result<(&mut Table, &mut dyn Write)> {
        match self {
            Dest::One(out, t) => Ok((t, &mut **out)),
            Dest::Parts(p) => p.table(start),
        }
    }

    fn row_done(&mut self, bytes: usize) -> io::Result<()> {
        match self {
            Dest::One(out, t) => t.row_done(bytes, *out),
            Dest::Parts(p) => p.row_done(bytes),
        }
    }

    /// Whether the destination needs each row's flow start.
    fn partitioned(&self) -> bool {
        matches!(self, Dest::Parts(_))
    }

    fn close(&mut self) -> io::Result<()> {
        match self {
            Dest::One(out, t) => t.finish(*out),
            Dest::Parts(p) => p.close(),
        }
    }
}

/// Where the factory puts a Parquet printer's output.
pub enum Target<'w> {
    Out(&'w mut dyn Write),
    /// Hive-style partition directories under `dir`, files `part-<index>` ([`Parts`]).
    Parts {
        dir: std::path::PathBuf,
        index: usize,
        by: Partition,
    },
}

/// The raw schema's printer.
pub struct ParquetPrinter<'w> {
    dest: Dest<'w>,
    columns: Vec<Column>,
    layouts: Layouts<Layout>,
    ranges: Vec<(usize, usize)>,
    text: Vec<u8>,
    /// Flow starts, for a partitioned destination.
    starts: super::flow::Starts,
}

impl<'w> ParquetPrinter<'w> {
    /// `columns` and `types` (one each) come from the first pass, or `-F` and the IE
    /// registry.
    pub fn new(
        to: Target<'w>,
        columns: Vec<Column>,
        types: &[ColumnType],
        settings: Settings,
    ) -> io::Result<Self> {
        let builders: Vec<Builder> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| match c {
                Column::Meta(Meta::ExportTime) => Builder::time(settings.unit),
                Column::Meta(m) => {
                    let t = match m {
                        Meta::Domain | Meta::Sequence => DataType::Unsigned32,
                        Meta::Version => DataType::Unsigned8,
                        _ => DataType::Unsigned16,
                    };
                    Builder::of(ColumnType::Of(t), &settings)
                }
                Column::Field { .. } => Builder::of(
                    types.get(i).copied().unwrap_or(ColumnType::Mixed),
                    &settings,
                ),
            })
            .collect();
        let names = columns.iter().map(Column::header).collect();
        Ok(ParquetPrinter {
            dest: Dest::new(to, names, builders, settings)?,
            columns,
            layouts: Layouts::default(),
            ranges: Vec::new(),
            text: Vec::new(),
            starts: Default::default(),
        })
    }
}

impl Printer for ParquetPrinter<'_> {
    fn record(&mut self, r: &RecordRef<'_>) -> io::Result<()> {
        let columns = &self.columns;
        let layout = self.layouts.get(r.template, |t: &Template| Layout {
            sel: select(columns, t),
        });
        let start = match self.dest.partitioned() {
            true => self.starts.of(r),
            false => None,
        };
        field_ranges(r, &mut self.ranges);
        let mut cx = Cx {
            text: &mut self.text,
            scope: r.scope,
        };
        let h = &r.msg.header;
        let mut bytes = 0;
        let (table, _) = self.dest.table(start)?;
        for ((c, s), b) in columns.iter().zip(&layout.sel).zip(&mut table.builders) {
            let v = match (c, s) {
                (Column::Meta(m), _) => match m {
                    Meta::ExportTime => Value::Seconds(h.export_time),
                    Meta::Domain => Value::Unsigned(h.domain as u64),
                    Meta::Template => Value::Unsigned(r.template.id as u64),
                    Meta::Sequence => Value::Unsigned(h.sequence as u64),
                    Meta::Version => Value::Unsigned(r.msg.version as u64),
                    // Data records have none (JSON leaves the key out, CSV the cell empty).
                    Meta::Scope if r.template.scope_count == 0 => {
                        b.null();
                        continue;
                    }
                    Meta::Scope => Value::Unsigned(r.template.scope_count as u64),
                },
                (Column::Field { .. }, Some(i)) => match self.ranges.get(*i) {
                    Some(&(off, len)) => {
                        let t = r.template.fields[*i].dtype;
                        bytes += b.push_field(t, &r.data[off..off + len], &mut cx)?;
                        continue;
                    }
                    None => {
                        b.null();
                        continue;
                    }
                },
                (Column::Field { .. }, None) => {
                    b.null();
                    continue;
                }
            };
            bytes += b.push(&v, &mut cx)?;
        }
        self.dest.row_done(bytes)
    }

    fn close(&mut self) -> io::Result<()> {
        self.dest.close()
    }
}

/// A Parquet printer that could not be made: every call says why.
pub struct Broken(pub Option<io::Error>);

impl Printer for Broken {
    fn record(&mut self, _r: &RecordRef<'_>) -> io::Result<()> {
        Err(self
            .0
            .take()
            .unwrap_or_else(|| io::Error::other("Parquet writer failed")))
    }
    fn close(&mut self) -> io::Result<()> {
        self.record_err()
    }
}

impl Broken {
    fn record_err(&mut self) -> io::Result<()> {
        Err(self
            .0
            .take()
            .unwrap_or_else(|| io::Error::other("Parquet writer failed")))
    }
}

/// Column types for a `-F` list, from the IE registry (a name it does not know is text).
pub fn registry_types(columns: &[Column], model: &crate::ipfix::InfoModel) -> Vec<ColumnType> {
    columns
        .iter()
        .map(|c| match c {
            Column::Meta(_) => ColumnType::Meta,
            Column::Field { key, alias, .. } => {
                let ie = model.by_name(key).or_else(|| {
                    let id = alias.and_then(|a| a.first())?;
                    model.get(0, *id)
                });
                match ie.map(|d| d.dtype) {
                    Some(DataType::BasicList) => ColumnType::List(None),
                    Some(t) => ColumnType::Of(t),
                    None => ColumnType::Mixed,
                }
            }
        })
        .collect()
}
