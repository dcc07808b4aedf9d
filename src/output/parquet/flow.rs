//! `--schema flow` as Parquet: the flow view's rows ([`crate::output::flow`], the same
//! records and biflow split as its CSV and JSON) into typed columns.
//!
//! Types: `type` and the addresses (`sampler_address`, `src_addr`, `next_hop`...) UTF8, as
//! text (`WHERE src_addr = '10.0.0.1'`); the three times TIMESTAMP (UTC, `--timestamp-unit`;
//! the names keep goflow2's `_ns`); MACs UTF8 `aa:bb:cc:dd:ee:ff` (`--render ...=int`:
//! UINT64); `src_net`/`dst_net` UTF8 prefixes (`--render ...=int`: the length, UINT8);
//! `mpls_label` a LIST of UINT32; every other number UINT64, whatever width the exporter
//! sent it in (`--signed`: INT64). A `--map` column has its IE's type as in the raw schema.

use super::{Builder, Cx, Dest, Settings, Target, as_str};
use crate::ipfix::DataType;
use crate::ipfix::value::Value;
use crate::output::csv::ColumnType;
use crate::output::flow::schema::{Cell, FIELDS, Src};
use crate::output::flow::{FlowSink, Got, Render, Row, Source, View, cell_text};
use std::io;
use std::sync::Arc;

/// The flow view's rows into a Parquet file (or partitioned files).
pub struct FlowTable<'w> {
    dest: Dest<'w>,
    renders: Vec<Render>,
    text: Vec<u8>,
}

/// The column type of a view column.
fn builder(c: &crate::output::flow::Column, s: &Settings) -> Builder {
    let of = |t| Builder::of(ColumnType::Of(t), s);
    let text = || of(DataType::String);
    let int = c.render == Render::Int;
    match c.source {
        Source::Ie(..) => Builder::of(
            match c.ie_type {
                Some(DataType::BasicList) => ColumnType::List(None),
                Some(t) => ColumnType::Of(t),
                None => ColumnType::Mixed,
            },
            s,
        ),
        Source::Schema(k) => match FIELDS[k].src {
            Src::Type | Src::Exporter(_) => text(),
            Src::Received | Src::Time(_) => Builder::time(s.unit),
            Src::Net(..) if int => of(DataType::Unsigned8),
            Src::Net(..) => text(),
            Src::Mpls => Builder::of(ColumnType::List(Some(DataType::Unsigned32)), s),
            Src::Ies(ids) => {
                let model = crate::ipfix::InfoModel::builtin();
                match ids
                    .first()
                    .and_then(|&id| model.get(0, id))
                    .map(|d| d.dtype)
                {
                    Some(DataType::Ipv4Address | DataType::Ipv6Address) => text(),
                    Some(DataType::MacAddress) if !int => text(),
                    _ => of(DataType::Unsigned64),
                }
            }
            _ => of(DataType::Unsigned64),
        },
    }
}

impl<'w> FlowTable<'w> {
    pub fn new(to: Target<'w>, view: &Arc<View>, settings: Settings) -> io::Result<Self> {
        let builders = view.columns.iter().map(|c| builder(c, &settings)).collect();
        let names = view.columns.iter().map(|c| c.name.clone()).collect();
        Ok(FlowTable {
            dest: Dest::new(to, names, builders, settings)?,
            renders: view.columns.iter().map(|c| c.render).collect(),
            text: Vec::new(),
        })
    }
}

/// Appends one schema cell to its column; the octets it adds.
fn push_cell(b: &mut Builder, cell: &Cell, render: Render, cx: &mut Cx<'_>) -> io::Result<usize> {
    Ok(match (cell, &mut *b) {
        (Cell::Absent, b) => {
            b.null();
            0
        }
        (Cell::U(v), Builder::U64(b)) => {
            b.append_value(*v);
            8
        }
        (Cell::Time(ns), b) => b.push_ns(*ns),
        (Cell::Labels(l, n), b) => b.push_numbers(&l[..(*n as usize).min(l.len())], cx)?,
        (c, Builder::Str(sb)) => {
            cell_text(cx.text, c, render);
            sb.append_value(as_str(cx.text));
            cx.text.len() + 4
        }
        (Cell::U(v), b) => b.push(&Value::Unsigned(*v), cx)?,
        (Cell::Net(len, _), b) => b.push(&Value::Unsigned((*len).into()), cx)?,
        (Cell::Mac(m), b) => {
            let v = m.iter().fold(0u64, |acc, &x| acc << 8 | x as u64);
            b.push(&Value::Unsigned(v), cx)?
        }
        // An address or a name in a number's column cannot be: its builder says so (null).
        (Cell::Addr(_) | Cell::Text(_), b) => {
            b.null();
            0
        }
    })
}

impl FlowSink for FlowTable<'_> {
    fn row(&mut self, row: &Row<'_, '_>) -> io::Result<()> {
        let start = match self.dest.partitioned() {
            true => row.start_ns(),
            false => None,
        };
        let (table, _) = self.dest.table(start)?;
        let mut cx = Cx {
            text: &mut self.text,
            scope: row.scope(),
        };
        let mut bytes = 0;
        for (i, (b, render)) in table.builders.iter_mut().zip(&self.renders).enumerate() {
            bytes += match row.get(i) {
                Got::Cell(cell) => push_cell(b, &cell, *render, &mut cx)?,
                Got::Ie(v) => b.push(&v, &mut cx)?,
            };
        }
        self.dest.row_done(bytes)
    }

    fn finish(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn close(&mut self) -> io::Result<()> {
        self.dest.close()
    }
}
