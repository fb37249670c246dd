//! Black-box tests of sagshub live in `blackbox/` as one test binary: the real server's `run`
//! on `127.0.0.1:0` against the simulated systems, spoken to over HTTP. This library is empty.
