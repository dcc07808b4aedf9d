//! `--partition hour|day`: one input's rows into Hive-style partition directories by flow
//! start (UTC), `DIR/date=2024-05-01/hour=13/part-00003.parquet` for input 3 (hours unpadded,
//! 0 to 23, so every reader types them as numbers), which Spark,
//! Trino and DuckDB (`hive_partitioning`) read as the columns `date` and `hour`. A row whose
//! flow has no start goes to `date=__HIVE_DEFAULT_PARTITION__` (Hive's name for a null).
//!
//! Every file of a run has the same columns (the printer's schema, made once for all inputs)
//! whatever partition it is in. Files are temporaries until the input is complete
//! ([`Parts::close`] publishes them all; dropped, a failed input leaves none).
//!
//! Memory: the rows buffered in all open files of a worker are bounded together by one row
//! group's octets (the fullest file ends its row group early), and at most [`MAX_OPEN`]
//! files are open at once: a partition not written to for longest is finished (sealed, not
//! yet published) and a later row for it starts its next file, `part-00003-1.parquet`.

use super::Table;
use crate::io::output::{Output, Sealed};
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::PathBuf;

/// Files open at once per worker.
pub const MAX_OPEN: usize = 32;

/// Rows between checks of the memory held by all open files.
const CHECK_EVERY: u32 = 1024;

/// How rows are partitioned (`--partition`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Partition {
    /// `date=YYYY-MM-DD/hour=HH`.
    Hour,
    /// `date=YYYY-MM-DD`.
    Day,
}

const NS_PER_HOUR: i64 = 3_600_000_000_000;

impl Partition {
    /// The partition of a flow starting at `ns` since 1970: its hour (or day) number.
    fn key(self, ns: i64) -> i64 {
        let hour = ns.div_euclid(NS_PER_HOUR);
        match self {
            Partition::Hour => hour,
            Partition::Day => hour.div_euclid(24),
        }
    }

    /// The directory of a partition, relative to the output directory.
    pub fn dir(self, key: Option<i64>) -> PathBuf {
        const NULL: &str = "__HIVE_DEFAULT_PARTITION__";
        let Some(key) = key else {
            return match self {
                Partition::Hour => format!("date={NULL}/hour={NULL}").into(),
                Partition::Day => format!("date={NULL}").into(),
            };
        };
        let (day, hour) = match self {
            Partition::Hour => (key.div_euclid(24), Some(key.rem_euclid(24))),
            Partition::Day => (key, None),
        };
        let (y, m, d) = civil_from_days(day);
        let date = format!("date={y:04}-{m:02}-{d:02}");
        match hour {
            // Unpadded: readers take `hour=03` for text (DuckDB keeps the zero), `hour=3` for a
            // number.
            Some(h) => format!("{date}/hour={h}").into(),
            None => date.into(),
        }
    }
}

/// The proleptic Gregorian date of day `z` since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// One open file of a partition.
struct Part {
    out: Output,
    table: Table,
    /// When it was last written to (a row count).
    used: u64,
}

/// The partitioned files of one input.
pub struct Parts {
    dir: PathBuf,
    index: usize,
    by: Partition,
    /// The columns, empty: each file's table is made like it.
    proto: Table,
    open: BTreeMap<Option<i64>, Part>,
    /// Files started per partition (the next file's number).
    files: BTreeMap<Option<i64>, u32>,
    sealed: Vec<Sealed>,
    clock: u64,
    since_check: u32,
    /// The partition of the last row, until the row is done.
    last: Option<i64>,
}

impl Parts {
    pub fn new(dir: PathBuf, index: usize, by: Partition, proto: Table) -> Parts {
        Parts {
            dir,
            index,
            by,
            proto,
            open: BTreeMap::new(),
            files: BTreeMap::new(),
            sealed: Vec::new(),
            clock: 0,
            since_check: 0,
            last: None,
        }
    }

    /// The table (and output) of the partition of a flow starting at `start`.
    pub fn table(&mut self, start: Option<i64>) -> io::Result<(&mut Table, &mut dyn Write)> {
        let key = start.map(|ns| self.by.key(ns));
        self.clock += 1;
        self.last = key;
        if !self.open.contains_key(&key) {
            if self.open.len() >= MAX_OPEN {
                let oldest = self
                    .open
                    .iter()
                    .min_by_key(|(_, p)| p.used)
                    .map(|(k, _)| *k);
                if let Some(k) = oldest {
                    self.seal(k)?;
                }
            }
            let n = self.files.entry(key).or_insert(0);
            let name = match *n {
                0 => format!("part-{:05}.parquet", self.index),
                n => format!("part-{:05}-{n}.parquet", self.index),
            };
            *n += 1;
            let dir = self.dir.join(self.by.dir(key));
            std::fs::create_dir_all(&dir).map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("{}: cannot create it: {e}", dir.display()),
                )
            })?;
            let path = dir.join(name);
            let out = Output::open(Some(&path.to_string_lossy()), true, true)
                .map_err(|e| io::Error::other(e.to_string()))?;
            let table = self.proto.like()?;
            self.open.insert(
                key,
                Part {
                    out,
                    table,
                    used: 0,
                },
            );
        }
        let clock = self.clock;
        let p = self.open.get_mut(&key).expect("opened above");
        p.used = clock;
        Ok((&mut p.table, &mut p.out))
    }

    /// The row of the last [`Parts::table`] is complete.
    pub fn row_done(&mut self, bytes: usize) -> io::Result<()> {
        if let Some(p) = self.open.get_mut(&self.last) {
            p.table.row_done(bytes, &mut p.out)?;
        }
        self.since_check += 1;
        if self.since_check >= CHECK_EVERY {
            self.since_check = 0;
            self.bound()?;
        }
        Ok(())
    }

    /// Ends row groups early while the open files together hold more than one row group.
    fn bound(&mut self) -> io::Result<()> {
        let limit = self.proto.settings.bytes;
        loop {
            let held: usize = self.open.values().map(|p| p.table.held()).sum();
            if held <= limit {
                return Ok(());
            }
            let Some(p) = self.open.values_mut().max_by_key(|p| p.table.held()) else {
                return Ok(());
            };
            let before = p.table.held();
            p.table.flush(true, &mut p.out)?;
            if p.table.held() >= before {
                return Ok(());
            }
        }
    }

    /// Finishes the open file of partition `key`, to be published at the end.
    fn seal(&mut self, key: Option<i64>) -> io::Result<()> {
        if let Some(mut p) = self.open.remove(&key) {
            p.table.finish(&mut p.out)?;
            self.sealed.push(p.out.seal()?);
        }
        Ok(())
    }

    /// Finishes every file and publishes them all.
    pub fn close(&mut self) -> io::Result<()> {
        let keys: Vec<Option<i64>> = self.open.keys().copied().collect();
        for k in keys {
            self.seal(k)?;
        }
        for s in self.sealed.drain(..) {
            s.publish()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_directories() {
        let ns = |s: i64| s * 1_000_000_000;
        let h = Partition::Hour;
        // 2024-05-01T13:59:59Z and the next second.
        let t = 1_714_571_999;
        assert_eq!(
            h.dir(Some(h.key(ns(t)))),
            PathBuf::from("date=2024-05-01/hour=13")
        );
        assert_eq!(
            h.dir(Some(h.key(ns(t + 1)))),
            PathBuf::from("date=2024-05-01/hour=14")
        );
        assert_eq!(
            h.dir(Some(h.key(0))),
            PathBuf::from("date=1970-01-01/hour=0")
        );
        assert_eq!(
            h.dir(Some(h.key(-1))),
            PathBuf::from("date=1969-12-31/hour=23")
        );
        let d = Partition::Day;
        assert_eq!(d.dir(Some(d.key(ns(t)))), PathBuf::from("date=2024-05-01"));
        assert_eq!(
            d.dir(Some(d.key(ns(951_782_400)))),
            PathBuf::from("date=2000-02-29")
        );
        assert_eq!(
            d.dir(None),
            PathBuf::from("date=__HIVE_DEFAULT_PARTITION__")
        );
        assert_eq!(
            h.dir(None),
            PathBuf::from("date=__HIVE_DEFAULT_PARTITION__/hour=__HIVE_DEFAULT_PARTITION__")
        );
        // The extremes do not overflow.
        let _ = h.dir(Some(h.key(i64::MIN)));
        let _ = d.dir(Some(d.key(i64::MAX)));
    }
}
