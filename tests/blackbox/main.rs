//! One test binary: the hub over HTTP against the five simulated systems.

mod access;
mod aktindsigt;
mod bundle;
mod graphql_http;
mod helpers;
mod limits;
mod logs;
mod read_path;
mod search;
mod store;
