//! Encoding Arrow batches into one Parquet file, with arrow-rs's writers: the file writer
//! (`SerializedFileWriter`) and a column writer per column of the open row group
//! (`ArrowColumnWriter`). What `ArrowWriter` does (row groups cut at the row limit, the Arrow
//! schema in the footer's metadata), here so that the work can be spread over threads:
//!
//! - a batch's columns are encoded in parallel (rayon) when there are threads to spare: each
//!   column has its own writer and the chunks are appended in column order, so the bytes are
//!   the same whatever the number of threads;
//! - [`Writer::new`] with `away` encodes on a thread of its own while the caller builds the next batch
//!   (a pipeline of one batch in flight): the encoded bytes come back to the caller, which
//!   writes them to its output (the output need not be `Send`). That thread's parallel
//!   columns run on rayon's global pool, which the input driver (`io::driver`, a pool of its
//!   own) does not use: a driver worker blocked handing over its next batch never holds a
//!   thread the encoder it waits for needs.
//!
//! A row group ends at `rows` rows or when its buffered encoded octets reach `bytes`; its
//! bytes are moved out then, so memory is about one row group.

use super::Settings;
use arrow_array::RecordBatch;
use arrow_schema::Schema;
use parquet::arrow::arrow_writer::{
    ArrowColumnWriter, ArrowLeafColumn, ArrowRowGroupWriterFactory, compute_leaves,
};
use parquet::arrow::{ArrowSchemaConverter, add_encoded_arrow_schema_to_metadata};
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use rayon::prelude::*;
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, channel, sync_channel};

type PqResult<T> = Result<T, ParquetError>;

pub fn pq_err(e: ParquetError) -> io::Error {
    io::Error::other(format!("Parquet: {e}"))
}

/// The file and the open row group's column writers.
struct Encoder {
    file: SerializedFileWriter<Vec<u8>>,
    factory: ArrowRowGroupWriterFactory,
    schema: Arc<Schema>,
    columns: Option<Vec<ArrowColumnWriter>>,
    /// Rows in the open row group; row groups written.
    rows: usize,
    groups: usize,
    settings: Settings,
}

impl Encoder {
    fn new(schema: Arc<Schema>, mut props: WriterProperties, settings: Settings) -> PqResult<Self> {
        let parquet = ArrowSchemaConverter::new()
            .with_coerce_types(props.coerce_types())
            .convert(&schema)?;
        add_encoded_arrow_schema_to_metadata(&schema, &mut props);
        let file =
            SerializedFileWriter::new(Vec::new(), parquet.root_schema_ptr(), Arc::new(props))?;
        let factory = ArrowRowGroupWriterFactory::new(&file, schema.clone());
        Ok(Encoder {
            file,
            factory,
            schema,
            columns: None,
            rows: 0,
            groups: 0,
            settings,
        })
    }

    fn max_rows(&self) -> usize {
        self.settings.rows.max(1)
    }

    /// Encodes `batch`, ending row groups where they are full.
    fn write(&mut self, batch: &RecordBatch) -> PqResult<()> {
        let n = batch.num_rows();
        if n == 0 {
            return Ok(());
        }
        if self.rows + n > self.max_rows() {
            let first = self.max_rows() - self.rows;
            self.write(&batch.slice(0, first))?;
            return self.write(&batch.slice(first, n - first));
        }
        let mut leaves: Vec<ArrowLeafColumn> = Vec::with_capacity(batch.num_columns());
        for (field, array) in self.schema.fields().iter().zip(batch.columns()) {
            leaves.extend(compute_leaves(field, array)?);
        }
        let columns = match &mut self.columns {
            Some(c) => c,
            c => c.insert(self.factory.create_column_writers(self.groups)?),
        };
        if self.settings.threads > 1 {
            (columns.par_iter_mut().zip(leaves.par_iter())).try_for_each(|(w, l)| w.write(l))?;
        } else {
            for (w, l) in columns.iter_mut().zip(&leaves) {
                w.write(l)?;
            }
        }
        self.rows += n;
        if self.rows >= self.max_rows() || self.size() >= self.settings.bytes {
            self.end_group()?;
        }
        Ok(())
    }

    /// Encoded octets buffered in the open row group.
    fn size(&self) -> usize {
        (self.columns.iter().flatten())
            .map(|w| w.get_estimated_total_bytes())
            .sum()
    }

    /// Closes the open row group (its chunks finished in parallel too) into the file.
    fn end_group(&mut self) -> PqResult<()> {
        let Some(columns) = self.columns.take() else {
            return Ok(());
        };
        self.rows = 0;
        let chunks: Vec<_> = if self.settings.threads > 1 {
            (columns.into_par_iter().map(|w| w.close())).collect::<PqResult<_>>()?
        } else {
            (columns.into_iter().map(|w| w.close())).collect::<PqResult<_>>()?
        };
        let mut group = self.file.next_row_group()?;
        for c in chunks {
            c.append_to_row_group(&mut group)?;
        }
        group.close()?;
        self.groups += 1;
        Ok(())
    }

    /// The file's bytes so far, taken out.
    fn take(&mut self) -> Vec<u8> {
        std::mem::take(self.file.inner_mut())
    }

    fn finish(&mut self) -> PqResult<()> {
        self.end_group()?;
        self.file.finish().map(|_| ())
    }

    /// One job of [`Writer`]: the bytes it made.
    fn run(&mut self, job: Job) -> PqResult<Vec<u8>> {
        match job {
            Job::Batch(b) => self.write(&b)?,
            Job::EndGroup => self.end_group()?,
            Job::Finish => self.finish()?,
        }
        Ok(self.take())
    }
}

enum Job {
    Batch(RecordBatch),
    EndGroup,
    Finish,
}

/// What the encoding thread sends back after each job.
struct Reply {
    bytes: PqResult<Vec<u8>>,
    /// Octets then buffered in its open row group.
    size: usize,
}

/// The encoder on a thread of its own.
struct Away {
    jobs: Option<SyncSender<Job>>,
    replies: Receiver<Reply>,
    thread: Option<std::thread::JoinHandle<()>>,
    size: usize,
}

impl Away {
    fn start(mut e: Encoder) -> io::Result<Away> {
        let (jobs, todo) = sync_channel::<Job>(1);
        let (done, replies) = channel::<Reply>();
        let thread = std::thread::Builder::new()
            .name("parquet".into())
            .spawn(move || {
                for job in todo {
                    let last = matches!(job, Job::Finish);
                    let bytes = e.run(job);
                    let failed = bytes.is_err();
                    let size = e.size();
                    if done.send(Reply { bytes, size }).is_err() || failed || last {
                        return;
                    }
                }
            })?;
        Ok(Away {
            jobs: Some(jobs),
            replies,
            thread: Some(thread),
            size: 0,
        })
    }

    /// Hands `job` over and writes what came back so far; an error the encoder met.
    fn send(&mut self, job: Job, out: &mut dyn Write) -> io::Result<()> {
        if let Some(tx) = &self.jobs
            && tx.send(job).is_ok()
        {
            return self.drain(out, false);
        }
        // The encoder stopped: what it sent last says why.
        self.jobs = None;
        self.drain(out, true)?;
        Err(io::Error::other("Parquet: the encoder stopped"))
    }

    /// Writes the bytes sent back: those there are, or (`all`) every one until the thread
    /// ends.
    fn drain(&mut self, out: &mut dyn Write, all: bool) -> io::Result<()> {
        loop {
            let reply = if all {
                match self.replies.recv() {
                    Ok(r) => r,
                    Err(_) => return Ok(()),
                }
            } else {
                match self.replies.try_recv() {
                    Ok(r) => r,
                    Err(_) => return Ok(()),
                }
            };
            self.size = reply.size;
            out.write_all(&reply.bytes.map_err(pq_err)?)?;
        }
    }

    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        self.send(Job::Finish, out)?;
        self.jobs = None;
        self.drain(out, true)?;
        if let Some(t) = self.thread.take()
            && t.join().is_err()
        {
            return Err(io::Error::other("Parquet: the encoder failed"));
        }
        Ok(())
    }
}

impl Drop for Away {
    fn drop(&mut self) {
        // Ends the thread's loop; it is joined so no encoder outlives its file.
        self.jobs = None;
        while self.replies.recv().is_ok() {}
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// One Parquet file's encoder, here or on its own thread.
pub struct Writer(Inner);

enum Inner {
    Here(Box<Encoder>),
    Away(Away),
    Done,
}

impl Writer {
    /// An encoder, on a thread of its own when `away` and there are threads to spare, else
    /// on the caller's.
    pub fn new(
        schema: Arc<Schema>,
        props: WriterProperties,
        settings: Settings,
        away: bool,
    ) -> io::Result<Writer> {
        let e = Encoder::new(schema, props, settings).map_err(pq_err)?;
        Ok(Writer(match away && settings.threads > 1 {
            true => Inner::Away(Away::start(e)?),
            false => Inner::Here(Box::new(e)),
        }))
    }

    /// Encodes `batch` (row groups end where full); encoded bytes go to `out`.
    pub fn write(&mut self, batch: RecordBatch, out: &mut dyn Write) -> io::Result<()> {
        self.run(Job::Batch(batch), out)
    }

    /// Ends the open row group early.
    pub fn end_group(&mut self, out: &mut dyn Write) -> io::Result<()> {
        self.run(Job::EndGroup, out)
    }

    /// Writes the last row group and the footer.
    pub fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        match std::mem::replace(&mut self.0, Inner::Done) {
            Inner::Here(mut e) => out.write_all(&e.run(Job::Finish).map_err(pq_err)?),
            Inner::Away(mut a) => a.finish(out),
            Inner::Done => Ok(()),
        }
    }

    fn run(&mut self, job: Job, out: &mut dyn Write) -> io::Result<()> {
        match &mut self.0 {
            Inner::Here(e) => out.write_all(&e.run(job).map_err(pq_err)?),
            Inner::Away(a) => a.send(job, out),
            Inner::Done => Err(io::Error::other("Parquet: written after the footer")),
        }
    }

    /// Encoded octets buffered in the open row group (as last reported, when away).
    pub fn held(&self) -> usize {
        match &self.0 {
            Inner::Here(e) => e.size(),
            Inner::Away(a) => a.size,
            Inner::Done => 0,
        }
    }
}
