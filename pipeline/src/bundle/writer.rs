//! An incremental PDF writer: objects go to the output as soon as they are made, so a bundle
//! never holds more than one source document in memory.
//!
//! Object numbers are reserved with [`PdfOut::alloc`] before the object exists (a page can
//! point at its content stream before that stream is written); [`PdfOut::finish`] writes the
//! cross-reference table and the trailer. Object bodies are serialised by lopdf's
//! [`lopdf::Writer::write_object`], so they are byte-for-byte what lopdf itself would save.

use std::io::{self, Write};

use lopdf::{Object, ObjectId, Stream};

/// Counts the bytes that pass through, for the cross-reference offsets.
struct Counting<W> {
    inner: W,
    written: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A PDF being written front to back.
pub(crate) struct PdfOut<W: Write> {
    out: Counting<io::BufWriter<W>>,
    /// Byte offset of object `n` at index `n - 1`; `None` while reserved but unwritten.
    offsets: Vec<Option<u64>>,
}

impl<W: Write> PdfOut<W> {
    /// Starts a PDF 1.7 file (with the binary comment line that marks it as binary).
    pub(crate) fn new(out: W) -> io::Result<Self> {
        let mut out = Counting {
            inner: io::BufWriter::with_capacity(256 * 1024, out),
            written: 0,
        };
        out.write_all(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n")?;
        Ok(Self {
            out,
            offsets: Vec::new(),
        })
    }

    /// Reserves the next object number.
    pub(crate) fn alloc(&mut self) -> ObjectId {
        self.offsets.push(None);
        (self.offsets.len() as u32, 0)
    }

    /// Writes object `id` (reserved by [`Self::alloc`]). A stream's `/Length` is set from its
    /// data, whatever the source said.
    pub(crate) fn write(&mut self, id: ObjectId, object: &Object) -> io::Result<()> {
        let slot = self
            .offsets
            .get_mut((id.0 as usize).wrapping_sub(1))
            .ok_or_else(|| io::Error::other(format!("object {} was never reserved", id.0)))?;
        *slot = Some(self.out.written);
        writeln!(self.out, "{} 0 obj", id.0)?;
        if lopdf::Writer::need_separator(object) {
            self.out.write_all(b" ")?;
        }
        lopdf::Writer::write_object(&mut self.out, object).map_err(io::Error::other)?;
        if lopdf::Writer::need_end_separator(object) {
            self.out.write_all(b" ")?;
        }
        self.out.write_all(b"\nendobj\n")
    }

    /// Writes a stream object, fixing its `/Length`.
    pub(crate) fn write_stream(&mut self, id: ObjectId, mut stream: Stream) -> io::Result<()> {
        let len = stream.content.len() as i64;
        stream.dict.set("Length", len);
        self.write(id, &Object::Stream(stream))
    }

    /// Reserves and writes in one step.
    pub(crate) fn add(&mut self, object: &Object) -> io::Result<ObjectId> {
        let id = self.alloc();
        self.write(id, object)?;
        Ok(id)
    }

    /// Writes the cross-reference table and trailer, flushes, and returns the file size.
    ///
    /// Every reserved object must have been written: a dangling reservation is a bug in the
    /// caller and is reported rather than written as a free entry a reader would trip over.
    pub(crate) fn finish(
        mut self,
        root: ObjectId,
        info: ObjectId,
        file_id: [u8; 16],
    ) -> io::Result<u64> {
        let xref_at = self.out.written;
        let count = self.offsets.len() + 1;
        write!(self.out, "xref\n0 {count}\n0000000000 65535 f\r\n")?;
        for (index, offset) in self.offsets.iter().enumerate() {
            let offset = offset.ok_or_else(|| {
                io::Error::other(format!(
                    "object {} was reserved but never written",
                    index + 1
                ))
            })?;
            write!(self.out, "{offset:010} 00000 n\r\n")?;
        }
        let hex: String = file_id.iter().map(|b| format!("{b:02X}")).collect();
        write!(
            self.out,
            "trailer\n<< /Size {count} /Root {} 0 R /Info {} 0 R /ID [<{hex}> <{hex}>] >>\nstartxref\n{xref_at}\n%%EOF\n",
            root.0, info.0
        )?;
        self.out.flush()?;
        Ok(self.out.written)
    }
}
