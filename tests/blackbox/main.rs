//! One test binary: the hub over HTTP against the five simulated systems.

mod graphql_http;
mod helpers;
mod read_path;
mod store;
