//! `sagshub detect ...`: evaluate the personal-data detector on a labelled corpus, scan files,
//! measure throughput, and write a labelled corpus from the synthetic municipality.
//!
//! The corpus format is JSON lines: `{"id","text","spans":[{"start","end","label"}]}` with
//! character offsets and labels `CPR`, `NAME`, `ADDRESS`, `PHONE`, `EMAIL`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use pipeline::detect::eval::{self, Record, Report, Span};
use pipeline::detect::{self, Category, Finding, Owner};
use serde::{Deserialize, Serialize};

/// One span of a corpus line (character offsets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SpanLine {
    start: usize,
    end: usize,
    label: String,
}

/// One corpus line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct RecordLine {
    id: String,
    text: String,
    spans: Vec<SpanLine>,
}

/// Parse a JSONL corpus; line numbers in errors count from 1.
pub fn parse_corpus(data: &str) -> Result<Vec<Record>> {
    data.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| {
            let r: RecordLine =
                serde_json::from_str(l).with_context(|| format!("corpus line {}", n + 1))?;
            let chars = r.text.chars().count();
            if let Some(s) = r.spans.iter().find(|s| s.start >= s.end || s.end > chars) {
                anyhow::bail!(
                    "corpus line {}: span {}..{} is outside the text ({chars} characters)",
                    n + 1,
                    s.start,
                    s.end
                );
            }
            Ok(Record {
                id: r.id,
                text: r.text,
                spans: r
                    .spans
                    .into_iter()
                    .map(|s| Span {
                        start: s.start,
                        end: s.end,
                        label: s.label,
                    })
                    .collect(),
            })
        })
        .collect()
}

/// The report as a table: precision, recall and F2 per label and overall, then the worst
/// misses and false positives (at most `worst` each).
pub fn format_report(report: &Report, worst: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<8} {:>6} {:>6} {:>6} {:>6} {:>9} {:>7} {:>7}",
        "label", "gold", "found", "pred", "right", "precision", "recall", "F2"
    );
    let row = |s: &mut String, name: &str, sc: &eval::Score| {
        let _ = writeln!(
            s,
            "{:<8} {:>6} {:>6} {:>6} {:>6} {:>9.4} {:>7.4} {:>7.4}",
            name,
            sc.gold,
            sc.found,
            sc.predicted,
            sc.correct,
            sc.precision(),
            sc.recall(),
            sc.f2()
        );
    };
    for (label, sc) in &report.per_label {
        row(&mut s, label, sc);
    }
    row(&mut s, "overall", &report.overall());
    for (title, list) in [
        ("worst misses", &report.misses),
        ("false positives", &report.false_positives),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(s, "\n{title} ({} in all):", list.len());
        for m in list.iter().take(worst) {
            let _ = writeln!(
                s,
                "  [{}] {} {:?} in …{}…",
                m.id, m.label, m.text, m.context
            );
        }
    }
    s
}

/// `sagshub detect eval CORPUS.jsonl`: print precision, recall and F2 per label and overall.
pub fn eval(path: &Path) -> Result<()> {
    let data =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let records = parse_corpus(&data)?;
    let report = eval::evaluate(&records, eval::detector_spans);
    println!("{} records from {}", records.len(), path.display());
    print!("{}", format_report(&report, 15));
    Ok(())
}

fn owner_name(o: Owner) -> &'static str {
    match o {
        Owner::Own => "own",
        Owner::Staff => "staff",
        Owner::OtherPerson => "other_person",
        Owner::Unknown => "unknown",
    }
}

/// One finding as a JSON object (the scan output line).
pub fn finding_json(file: &str, f: &Finding) -> serde_json::Value {
    let kind = match f.category {
        Category::Attention(k) => Some(k.name()),
        _ => None,
    };
    serde_json::json!({
        "file": file,
        "category": f.category.label(),
        "attention": kind,
        "start": f.start,
        "end": f.end,
        "char_start": f.char_start,
        "char_end": f.char_end,
        "text": f.text,
        "confidence": (f64::from(f.confidence) * 100.0).round() / 100.0,
        "reason": f.reason,
        "owner": owner_name(f.owner),
    })
}

fn mime_for(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("pdf") => "application/pdf",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("eml") => "message/rfc822",
        Some("html" | "htm") => "text/html",
        Some("txt" | "text" | "md" | "csv") => "text/plain",
        _ => "application/octet-stream",
    }
}

/// The text of a file: plain text directly, other formats through `pipeline::extract`.
fn file_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let mime = mime_for(path);
    if (mime == "text/plain" || mime == "application/octet-stream")
        && let Ok(s) = std::str::from_utf8(&bytes)
    {
        return Ok(s.to_owned());
    }
    let options = pipeline::extract::ExtractOptions::default();
    let extracted = pipeline::extract::extract(&bytes, mime, &options)
        .with_context(|| format!("extracting text from {}", path.display()))?;
    Ok(extracted.text)
}

/// `sagshub detect scan FILE...`: findings as JSON lines on standard output.
pub fn scan(paths: &[PathBuf]) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for path in paths {
        let text = file_text(path)?;
        let name = path.display().to_string();
        for f in detect::detect(&text, None) {
            writeln!(out, "{}", finding_json(&name, &f)).context("writing to stdout")?;
        }
    }
    Ok(())
}

/// Labelled records from the synthetic municipality: every document of `cases` cases made with
/// `seed`, byte offsets turned into character offsets.
pub fn generated_records(seed: u64, cases: usize) -> Vec<RecordOut> {
    use playground::municipality::{Params, PiiKind, generate, render};
    let params = Params {
        seed,
        cases,
        citizens: (cases * 2).max(10),
        demo_citizen_cases: cases.clamp(1, 6),
        include_largest_case: false,
    };
    let m = generate(&params);
    let mut out = Vec::new();
    for case in &m.cases {
        for doc in &case.documents {
            let r = render(&m, doc);
            let spans = r
                .spans
                .iter()
                .filter_map(|s| {
                    let label = match s.kind {
                        PiiKind::Cpr => "CPR",
                        PiiKind::Name => "NAME",
                        PiiKind::Address => "ADDRESS",
                        PiiKind::Phone => "PHONE",
                        PiiKind::Email => "EMAIL",
                    };
                    let (start, end) = char_span(&r.text, s.start, s.end)?;
                    Some(SpanOut { start, end, label })
                })
                .collect();
            out.push(RecordOut {
                id: format!("s{seed}-d{}", doc.id),
                text: r.text,
                spans,
            });
        }
    }
    out
}

/// A generated corpus line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordOut {
    /// `s{seed}-d{document}`.
    pub id: String,
    /// The document text.
    pub text: String,
    /// Gold spans in characters.
    pub spans: Vec<SpanOut>,
}

/// A generated gold span.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpanOut {
    /// Character start.
    pub start: usize,
    /// Character end.
    pub end: usize,
    /// Label.
    pub label: &'static str,
}

/// Byte span → character span (`None` off a char boundary or out of range).
pub fn char_span(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let before = text.get(..start)?;
    let inside = text.get(start..end)?;
    let s = before.chars().count();
    Some((s, s + inside.chars().count()))
}

/// `sagshub detect corpus --seed S --cases N OUT.jsonl`: write a labelled corpus.
pub fn corpus(seed: u64, cases: usize, out: &Path) -> Result<()> {
    let records = generated_records(seed, cases);
    let mut buf = String::new();
    for r in &records {
        buf.push_str(&serde_json::to_string(r).context("serialising a record")?);
        buf.push('\n');
    }
    std::fs::write(out, &buf).with_context(|| format!("writing {}", out.display()))?;
    println!(
        "{} records, {} bytes, written to {}",
        records.len(),
        buf.len(),
        out.display()
    );
    Ok(())
}

/// Texts joined into one string of at least `megabytes` MB (repeated as needed).
pub fn build_bench_text(texts: &[String], megabytes: usize) -> String {
    let target = megabytes.max(1) * 1_000_000;
    let mut s = String::with_capacity(target + 64 * 1024);
    if texts.iter().all(String::is_empty) {
        return s;
    }
    while s.len() < target {
        for t in texts {
            s.push_str(t);
            s.push_str("\n\n");
        }
    }
    s
}

/// MB/s of detection over `docs`, one call per document, repeated until `megabytes` MB have
/// been scanned at least `rounds` times over.
fn measure(name: &str, docs: &[String], megabytes: usize, rounds: usize) -> f64 {
    let per_pass: usize = docs.iter().map(String::len).sum();
    if per_pass == 0 {
        println!("{name:<28} no text");
        return 0.0;
    }
    let passes = (megabytes.max(1) * 1_000_000).div_ceil(per_pass) * rounds.max(1);
    // One warm-up pass builds the lazy automata and name tables.
    let mut findings = docs
        .iter()
        .map(|d| detect::detect(d, None).len())
        .sum::<usize>();
    let started = Instant::now();
    for _ in 0..passes {
        for d in docs {
            findings += detect::detect(d, None).len();
        }
    }
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    let mb = (per_pass * passes) as f64 / 1e6;
    let rate = mb / secs;
    println!(
        "{name:<28} {mb:>8.1} MB in {secs:>7.3} s = {rate:>7.1} MB/s on one core ({} documents, {findings} findings)",
        docs.len() * passes
    );
    rate
}

/// `sagshub detect bench`: single-threaded MB/s on generated case documents (`seed`), on the
/// hard cases, and on each joined into one large document (linearity check).
pub fn bench(hard_cases: &Path, seed: u64, megabytes: usize, rounds: usize) -> Result<()> {
    let generated: Vec<String> = generated_records(seed, 60)
        .into_iter()
        .map(|r| r.text)
        .collect();
    let data = std::fs::read_to_string(hard_cases)
        .with_context(|| format!("reading {}", hard_cases.display()))?;
    let hard: Vec<String> = parse_corpus(&data)?.into_iter().map(|r| r.text).collect();
    println!(
        "build: {}",
        if cfg!(debug_assertions) {
            "debug (figures are not representative)"
        } else {
            "release"
        }
    );
    measure("generated, per document", &generated, megabytes, rounds);
    measure("hard cases, per document", &hard, megabytes, rounds);
    let g = [build_bench_text(&generated, megabytes)];
    let h = [build_bench_text(&hard, megabytes)];
    measure("generated, one document", &g, megabytes, rounds);
    measure("hard cases, one document", &h, megabytes, rounds);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_byte_spans_to_char_spans() {
        let t = "Søren Ærø, 0101";
        assert_eq!(char_span(t, 0, 6), Some((0, 5)));
        assert_eq!(char_span(t, 7, 12), Some((6, 9)));
        assert_eq!(char_span(t, 2, 4), None);
        assert_eq!(char_span(t, 0, 99), None);
    }

    #[test]
    fn parses_a_corpus_and_refuses_bad_spans() {
        let ok = r#"{"id":"a","text":"Ærø 12","spans":[{"start":4,"end":6,"label":"PHONE"}]}"#;
        let recs = parse_corpus(&format!("{ok}\n\n"));
        assert!(
            recs.as_ref()
                .is_ok_and(|r| r.len() == 1 && r[0].spans[0].end == 6)
        );
        let bad = r#"{"id":"a","text":"Ærø","spans":[{"start":2,"end":9,"label":"NAME"}]}"#;
        assert!(parse_corpus(bad).is_err());
        assert!(parse_corpus("{").is_err());
    }

    #[test]
    fn generated_records_carry_char_offsets_that_fit() {
        let recs = generated_records(99, 2);
        assert!(!recs.is_empty());
        for r in &recs {
            let chars: Vec<char> = r.text.chars().collect();
            for s in &r.spans {
                assert!(s.end <= chars.len() && s.start < s.end, "{}", r.id);
            }
        }
        // Every record is valid input for `eval`.
        let lines: Vec<String> = recs
            .iter()
            .filter_map(|r| serde_json::to_string(r).ok())
            .collect();
        let parsed = parse_corpus(&lines.join("\n"));
        assert!(parsed.is_ok_and(|p| p.len() == recs.len()));
    }

    #[test]
    fn report_table_has_every_label_and_overall() {
        let recs = vec![Record {
            id: "x".into(),
            text: "CPR-nr. 150330-4003, Mette".into(),
            spans: vec![Span {
                start: 8,
                end: 19,
                label: "CPR".into(),
            }],
        }];
        let report = eval::evaluate(&recs, eval::detector_spans);
        let table = format_report(&report, 5);
        assert!(table.contains("CPR"));
        assert!(table.contains("overall"));
        assert!(table.contains("false positives"), "{table}");
    }

    #[test]
    fn scan_lines_are_json_with_owner_and_category() {
        let f = detect::detect("tlf. 20304050", None);
        let v = f.first().map(|f| finding_json("a.txt", f));
        assert_eq!(
            v.as_ref().and_then(|v| v["category"].as_str()),
            Some("PHONE")
        );
        assert_eq!(
            v.as_ref().and_then(|v| v["owner"].as_str()),
            Some("unknown")
        );
    }

    #[test]
    fn bench_text_reaches_the_size() {
        let t = build_bench_text(&["abc".to_string()], 1);
        assert!(t.len() >= 1_000_000);
        assert!(build_bench_text(&[String::new()], 1).is_empty());
    }
}
