//! Times `pipeline::bundle` on a synthetic case and prints the peak memory.
//!
//! ```sh
//! cargo run --release -p pipeline --example bundle_bench -- 552 5000   # the largest case
//! cargo run --release -p pipeline --example bundle_bench -- 18 160     # the median case
//! ```
//!
//! Arguments: documents (default 552) and total pages (default 5000). The input PDFs are made
//! first (not timed); the bundle is written to a file in the temp directory, as a job would.
//! Peak RSS is read from `/proc/self/status` (VmHWM), reset after the input is made so the
//! figure is the bundling's peak (the input itself stays resident and is included).

use std::io::BufRead;

fn status(key: &str) -> Option<u64> {
    let file = std::fs::File::open("/proc/self/status").ok()?;
    std::io::BufReader::new(file)
        .lines()
        .map_while(Result::ok)
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let documents: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(552);
    let pages: u32 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(5000);
    let path = std::env::temp_dir().join(format!("bundle_bench_{documents}.pdf"));
    let file = std::fs::File::create(&path)?;
    let input_rss = std::cell::Cell::new(None);
    // Writing 5 to clear_refs resets VmHWM (Linux ≥ 4.0); without it the peak includes setup.
    let report = pipeline::bundle::bench::run_with(documents, pages, file, || {
        input_rss.set(status("VmRSS:"));
        let _ = std::fs::write("/proc/self/clear_refs", "5");
    })?;
    let input_rss = input_rss.get();
    let s = &report.summary;
    let secs = report.elapsed.as_secs_f64();
    println!(
        "bundle: {} documents ({} withheld), {} pages ({} front matter + {} document pages), {:.1} MB",
        s.documents.len(),
        s.withheld,
        s.pages,
        s.front_matter_pages,
        s.document_pages,
        s.bytes as f64 / 1e6
    );
    println!(
        "time: {:.3} s ({:.0} pages/s); peak RSS {} MB (input resident before: {} MB); file {}",
        secs,
        f64::from(s.pages) / secs,
        status("VmHWM:").map_or("?".into(), |kb| (kb / 1024).to_string()),
        input_rss.map_or("?".into(), |kb| (kb / 1024).to_string()),
        path.display()
    );
    Ok(())
}
