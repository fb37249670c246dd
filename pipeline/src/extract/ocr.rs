//! OCR behind a trait, so callers choose: [`Tesseract`] (the `tesseract` binary as a
//! subprocess, the one side effect this crate allows) or nothing at all (`None` in
//! [`super::ExtractOptions::ocr`], and scanned pages go to manual review).

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// An image handed to OCR.
#[derive(Clone, Copy, Debug)]
pub enum OcrImage<'a> {
    /// 8-bit grey levels, row by row from the top, `width * height` bytes.
    Gray {
        /// Pixels per row.
        width: usize,
        /// Rows.
        height: usize,
        /// The pixels.
        pixels: &'a [u8],
        /// Resolution, pixels per inch, if known.
        dpi: Option<u32>,
    },
    /// A JPEG file's bytes (a PDF `DCTDecode` image).
    Jpeg(&'a [u8]),
}

/// One recognised word, in image pixels (origin top-left).
#[derive(Clone, Debug, PartialEq)]
pub struct OcrWord {
    /// The word.
    pub text: String,
    /// Left edge.
    pub left: u32,
    /// Top edge.
    pub top: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// Confidence 0–100.
    pub confidence: f32,
    /// Identifies the line the word is on (words of one line share it), in reading order.
    pub line: (u32, u32, u32),
}

/// Why OCR gave no words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OcrError {
    /// The engine could not be started.
    #[error("OCR engine could not start: {0}")]
    Spawn(String),
    /// It ran past its time limit and was stopped.
    #[error("OCR timed out after {0:?}")]
    Timeout(Duration),
    /// It exited with an error.
    #[error("OCR failed: {0}")]
    Failed(String),
}

/// Optical character recognition of one page image.
pub trait Ocr: Send + Sync {
    /// The words in `image`, in reading order.
    ///
    /// # Errors
    /// [`OcrError`] when the engine cannot run or fails.
    fn recognize(&self, image: OcrImage<'_>) -> Result<Vec<OcrWord>, OcrError>;
}

/// The Tesseract command-line engine (Debian: `tesseract-ocr`, `tesseract-ocr-dan`).
#[derive(Clone, Debug)]
pub struct Tesseract {
    /// The binary.
    pub binary: PathBuf,
    /// Language models, `+`-joined (`dan+eng`).
    pub languages: String,
    /// How long one page may take before the process is killed.
    pub timeout: Duration,
}

impl Tesseract {
    /// `tesseract` from `PATH` with Danish (and English when installed), if it is installed
    /// and has the Danish model; a 60-second timeout per page.
    pub fn detect() -> Option<Self> {
        let binary = PathBuf::from("tesseract");
        let output = Command::new(&binary)
            .arg("--list-langs")
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()?;
        let listing = String::from_utf8_lossy(&output.stdout);
        let langs: Vec<&str> = listing.lines().skip(1).map(str::trim).collect();
        if !output.status.success() || !langs.contains(&"dan") {
            return None;
        }
        let languages = if langs.contains(&"eng") {
            "dan+eng"
        } else {
            "dan"
        };
        Some(Self {
            binary,
            languages: languages.into(),
            timeout: Duration::from_secs(60),
        })
    }

    /// Runs tesseract on `input` (an image file's bytes) with the image on stdin and TSV on
    /// stdout; killed after [`Self::timeout`].
    fn run(&self, input: Vec<u8>, dpi: Option<u32>) -> Result<String, OcrError> {
        let mut command = Command::new(&self.binary);
        command.args(["stdin", "stdout", "-l", &self.languages, "--psm", "3"]);
        if let Some(dpi) = dpi {
            command.args(["--dpi", &dpi.to_string()]);
        }
        command
            .arg("tsv")
            // One thread: OpenMP's spinning threads cost more than they give on small pages.
            .env("OMP_THREAD_LIMIT", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = command
            .spawn()
            .map_err(|e| OcrError::Spawn(e.to_string()))?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            if let Some(mut stdin) = stdin {
                // A failed write shows up as a failed exit or empty output.
                let _ = stdin.write_all(&input);
            }
        });
        std::thread::spawn(move || {
            let mut out = Vec::new();
            if let Some(mut stdout) = stdout {
                let _ = stdout.read_to_end(&mut out);
            }
            let _ = tx.send(out);
        });
        let out = match rx.recv_timeout(self.timeout) {
            Ok(out) => out,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(OcrError::Timeout(self.timeout));
            }
        };
        let status = child.wait().map_err(|e| OcrError::Failed(e.to_string()))?;
        if !status.success() {
            return Err(OcrError::Failed(format!("tesseract exited with {status}")));
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}

impl Ocr for Tesseract {
    fn recognize(&self, image: OcrImage<'_>) -> Result<Vec<OcrWord>, OcrError> {
        let (input, dpi) = match image {
            OcrImage::Gray {
                width,
                height,
                pixels,
                dpi,
            } => {
                if pixels.len() != width * height {
                    return Err(OcrError::Failed("pixel count does not match size".into()));
                }
                let mut pgm = format!("P5\n{width} {height}\n255\n").into_bytes();
                pgm.extend_from_slice(pixels);
                (pgm, dpi)
            }
            OcrImage::Jpeg(bytes) => (bytes.to_vec(), None),
        };
        Ok(parse_tsv(&self.run(input, dpi)?))
    }
}

/// The words (level 5 rows) of Tesseract's TSV output.
pub(super) fn parse_tsv(tsv: &str) -> Vec<OcrWord> {
    let mut words = Vec::new();
    for row in tsv.lines().skip(1) {
        let cols: Vec<&str> = row.splitn(12, '\t').collect();
        let [
            level,
            _page,
            block,
            par,
            line,
            _word,
            left,
            top,
            width,
            height,
            conf,
            text,
        ] = cols.as_slice()
        else {
            continue;
        };
        let text = text.trim();
        if *level != "5" || text.is_empty() {
            continue;
        }
        let num = |s: &str| s.trim().parse::<u32>().ok();
        let (Some(left), Some(top), Some(width), Some(height)) =
            (num(left), num(top), num(width), num(height))
        else {
            continue;
        };
        let line = (
            num(block).unwrap_or(0),
            num(par).unwrap_or(0),
            num(line).unwrap_or(0),
        );
        words.push(OcrWord {
            text: text.to_string(),
            left,
            top,
            width,
            height,
            confidence: conf.trim().parse().unwrap_or(0.0),
            line,
        });
    }
    words
}
