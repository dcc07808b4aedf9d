//! Prepared inputs (IPFIX files, or JSON/CSV encoded by [`crate::io::prepare`]) printed in
//! one format into outputs: all of them into one output, in input order ([`Plan::into_one`]:
//! IPFIX through one writer, so templates and sequence numbers continue across inputs; the
//! text formats decoded in parallel), or each into an output of its own ([`Plan::each_into`],
//! in parallel). What `convert` does, for any command that writes what it reads.

use super::csv::{ColumnType, union_columns, union_schema};
use super::{Column, Format, OptionsRecords, PrintOptions, Printer, printer};
use crate::io::decode::{DecodeOpts, Decoded, decode_each, decode_file, display_name, in_order};
use crate::io::driver::FileOutcome;
use crate::io::output::Output;
use crate::io::prepare::{PrepareOpts, Prepared, first_pass, prepare};
use indicatif::ProgressBar;
use std::io::{self, Write};
use std::path::PathBuf;

/// How a run reads and prints.
pub struct Plan<'a> {
    pub format: Format,
    pub opts: &'a PrintOptions,
    pub prep: &'a PrepareOpts,
    /// Which records are printed.
    pub options: OptionsRecords,
    /// Leave warnings out of the report (`--quiet`).
    pub quiet: bool,
    /// `--max-resync`.
    pub max_resync: u64,
    pub threads: usize,
}

/// What a run came to (its problems were reported as they were met).
#[derive(Debug, Default)]
pub struct Ran {
    /// Some input failed.
    pub failed: bool,
    /// Some input gave nothing at all to write (a JSON/CSV input without one good record).
    pub lost: bool,
}

impl<'a> Plan<'a> {
    /// A plan that prints IPFIX files a command wrote itself (`gen`, `pcap2ipfix`) as
    /// `convert` prints them: JSON lines with template lines (`json`), else CSV; every
    /// record, warnings reported.
    pub fn printing(
        json: bool,
        opts: &'a PrintOptions,
        prep: &'a PrepareOpts,
        threads: usize,
    ) -> Plan<'a> {
        Plan {
            format: if json {
                Format::JsonWithTemplates
            } else {
                Format::Csv
            },
            opts,
            prep,
            options: OptionsRecords::All,
            quiet: false,
            max_resync: 0,
            threads,
        }
    }
}

impl Plan<'_> {
    /// IPFIX that `write` makes (into a temporary file), printed into `out`; whether `write`
    /// or the printing met a problem.
    pub fn print_written(
        &self,
        out: &mut dyn Write,
        write: impl FnOnce(&mut dyn Write) -> Result<bool, String>,
    ) -> Result<bool, String> {
        let temp = crate::io::temp::TempFile::new("printed");
        let at = |e: &dyn std::fmt::Display| format!("{}: {e}", temp.path().display());
        let mut w = std::fs::File::create(temp.path())
            .map(io::BufWriter::new)
            .map_err(|e| at(&e))?;
        let failed = write(&mut w)?;
        w.flush().map_err(|e| at(&e))?;
        let input = [temp.path().to_string_lossy().into_owned()];
        let ran = self
            .into_one(&input, out, |_| ProgressBar::hidden())
            .map_err(|e| e.to_string())?;
        Ok(failed | ran.failed)
    }

    /// Whether inputs are read twice: CSV without -F takes its columns from a first pass.
    fn twice(&self) -> bool {
        let columns = matches!(self.format, Format::Csv | Format::Parquet(_));
        columns && self.opts.columns.is_none() && self.opts.flow.is_none()
    }

    /// Whether one printer spans all inputs of an output (its format cannot be concatenated).
    fn spans(&self) -> bool {
        matches!(self.format, Format::Ipfix { .. } | Format::Parquet(_))
    }

    /// The CSV and Parquet columns: -F, or the union of the inputs' templates (a first pass
    /// over each input, which is put back rewound for the second, so a mapped file is mapped
    /// once), with their types for Parquet.
    fn columns(&self, ready: &[&Prepared], threads: usize) -> (Vec<Column>, Vec<ColumnType>) {
        let typed = matches!(self.format, Format::Parquet(_));
        match &self.opts.columns {
            Some(c) if typed => {
                let types = super::parquet::registry_types(c, &self.prep.model);
                (c.clone(), types)
            }
            Some(c) => (c.clone(), Vec::new()),
            None if self.twice() => {
                let (model, options) = (self.prep.model.clone(), self.options);
                if typed {
                    first_pass(ready, |s| union_schema(s, &model, threads, options))
                        .into_iter()
                        .unzip()
                } else {
                    let c = first_pass(ready, |s| union_columns(s, &model, threads, options));
                    (c, Vec::new())
                }
            }
            None => (Vec::new(), Vec::new()),
        }
    }

    /// Decodes one prepared input into `printer`; `None` when it cannot be opened (reported).
    fn input(
        &self,
        p: &Prepared,
        printer: &mut dyn Printer,
        report: &mut dyn FnMut(String),
        progress: &(dyn Fn(u64) + Sync),
        cancel: Option<&dyn Fn() -> bool>,
    ) -> Option<Decoded> {
        let src = match p.open() {
            Ok(s) => s,
            Err(e) => {
                report(format!("{}: {e}", p.name));
                return None;
            }
        };
        let o = DecodeOpts {
            model: &self.prep.model,
            strict: self.prep.strict,
            quiet: self.quiet,
            limit: None,
            progress: Some(progress),
            // The flow view learns from options records and prints none of them.
            options: match self.opts.flow {
                Some(_) => OptionsRecords::All,
                None => self.options,
            },
            max_resync: self.max_resync,
            cancel,
        };
        Some(decode_file(&o, src, &p.name, printer, report))
    }

    /// Every input into `out`, in input order; `bar` is made for the prepared inputs' paths.
    /// An error writing `out` ends the run.
    pub fn into_one(
        &self,
        inputs: &[String],
        out: &mut dyn Write,
        bar: impl FnOnce(&[String]) -> ProgressBar,
    ) -> io::Result<Ran> {
        let mut report = |s: String| crate::io::decode::stderr_line(&s);
        let prepared: Vec<Option<Prepared>> = (inputs.iter())
            .map(|p| prepare(self.prep, p, display_name(p), self.twice(), &mut report))
            .collect();
        let mut ran = Ran {
            failed: prepared.iter().any(|p| p.as_ref().is_none_or(|p| p.failed)),
            lost: prepared.iter().any(Option::is_none),
        };
        let ready: Vec<&Prepared> = prepared.iter().flatten().collect();
        let paths: Vec<String> = ready.iter().map(|p| p.path.clone()).collect();
        let bar = bar(&paths);
        let progress = |n: u64| bar.inc(n);
        let (columns, types) = self.columns(&ready, self.threads);
        let strict = self.prep.strict;
        let failed = if self.spans() {
            // One writer for all inputs.
            let mut printer = printer(self.format, out, self.opts, &columns, &types, true);
            let r = in_order(ready.len(), strict, |i, report| {
                self.input(ready[i], &mut *printer, report, &progress, None)
            });
            r.and_then(|f| printer.close().map(|()| f))
        } else {
            let decode = |i: usize,
                          w: &mut dyn Write,
                          cancel: &dyn Fn() -> bool,
                          report: &mut dyn FnMut(String)| {
                let mut printer = printer(self.format, w, self.opts, &columns, &[], i == 0);
                self.input(ready[i], &mut *printer, report, &progress, Some(cancel))
            };
            let (r, _) = decode_each(&paths, self.threads, out, strict, decode);
            r.map(|o: Vec<FileOutcome>| o.iter().any(|o| o.failed))
        };
        bar.finish_and_clear();
        ran.failed |= failed?;
        Ok(ran)
    }

    /// Each input into Hive-style partition directories under `dir` by flow start
    /// (`--partition`, Parquet only; [`super::parquet::parts`]), in parallel. The columns are
    /// those of all inputs together, so that every file has the same schema; input `i`
    /// writes the files `part-<i>`, published when it is complete (an input that cannot be
    /// read, or whose output fails, leaves none).
    pub fn partitioned(
        &self,
        inputs: &[String],
        dir: &std::path::Path,
        by: super::parquet::Partition,
        bar: impl FnOnce(&[String]) -> ProgressBar,
    ) -> io::Result<Ran> {
        let Format::Parquet(settings) = self.format else {
            return Err(io::Error::other("--partition writes Parquet only"));
        };
        let mut report = |s: String| crate::io::decode::stderr_line(&s);
        let prepared: Vec<Option<Prepared>> = (inputs.iter())
            .map(|p| prepare(self.prep, p, display_name(p), self.twice(), &mut report))
            .collect();
        let failed = prepared.iter().any(|p| p.as_ref().is_none_or(|p| p.failed));
        // The input's own position names its files, whatever inputs before it failed.
        let ready: Vec<(usize, &Prepared)> = (prepared.iter().enumerate())
            .filter_map(|(i, p)| Some((i, p.as_ref()?)))
            .collect();
        let only: Vec<&Prepared> = ready.iter().map(|(_, p)| *p).collect();
        let paths: Vec<String> = only.iter().map(|p| p.path.clone()).collect();
        let bar = bar(&paths);
        let progress = |n: u64| bar.inc(n);
        let (columns, types) = self.columns(&only, self.threads);
        let decode = |k: usize,
                      _: &mut dyn Write,
                      cancel: &dyn Fn() -> bool,
                      report: &mut dyn FnMut(String)| {
            let (index, p) = ready[k];
            let to = super::parquet::Target::Parts {
                dir: dir.to_path_buf(),
                index,
                by,
            };
            let mut printer = super::parquet_printer(to, self.opts, &columns, &types, settings);
            let mut d = self.input(p, &mut *printer, report, &progress, Some(cancel))?;
            let written = d.output_error.take().map_or_else(|| printer.close(), Err);
            if let Err(e) = written {
                report(format!("{e}"));
                d.failed = true;
            }
            d.failed |= p.failed;
            Some(d)
        };
        let strict = self.prep.strict;
        let (result, _) = decode_each(&paths, self.threads, &mut io::sink(), strict, decode);
        bar.finish_and_clear();
        Ok(Ran {
            failed: failed || result.map_or(true, |o| o.iter().any(|o| o.failed)),
            lost: false,
        })
    }

    /// Each input into its own output, `targets[i]` for input `i` (a file there is replaced
    /// only when the input converted), in parallel.
    pub fn each_into(
        &self,
        inputs: &[String],
        targets: &[PathBuf],
        progress: &(dyn Fn(u64) + Sync),
    ) -> Ran {
        let decode =
            |i: usize, _: &mut dyn Write, _: &dyn Fn() -> bool, report: &mut dyn FnMut(String)| {
                let path = &inputs[i];
                let p = prepare(self.prep, path, display_name(path), self.twice(), report)?;
                let mut out = match Output::open(Some(&targets[i].to_string_lossy()), false, true) {
                    Ok(o) => o,
                    Err(e) => {
                        report(format!("{e}"));
                        return None;
                    }
                };
                let (columns, types) = self.columns(&[&p], 1);
                let mut printer = printer(self.format, &mut out, self.opts, &columns, &types, true);
                let mut d = self.input(&p, &mut *printer, report, progress, None)?;
                let written = d.output_error.take().map_or_else(|| printer.close(), Err);
                drop(printer);
                if let Err(e) = written.and_then(|()| out.finish()) {
                    report(format!("{e}"));
                    d.failed = true;
                }
                d.failed |= p.failed;
                Some(d)
            };
        let strict = self.prep.strict;
        let (result, _) = decode_each(inputs, self.threads, &mut io::sink(), strict, decode);
        Ran {
            // The sink cannot fail.
            failed: result.map_or(true, |o| o.iter().any(|o| o.failed)),
            lost: false,
        }
    }
}
