//! Cursor connections over lists the services have already filtered.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{OutputType, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::Limits;
use crate::error::{Code, api_error};

/// Extra fields on every connection.
#[derive(SimpleObject)]
pub struct ConnectionFields {
    /// How many items there are in all, across pages.
    pub total_count: usize,
}

/// A connection with `totalCount`.
pub type CountedConnection<N> = Connection<String, N, ConnectionFields>;

fn cursor(index: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("o:{index}"))
}

fn parse_cursor(cursor: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    std::str::from_utf8(&bytes)
        .ok()?
        .strip_prefix("o:")?
        .parse()
        .ok()
}

/// One page of `items` after `after`, at most `first` (default and maximum from `limits`).
pub fn paginate<T, N: OutputType>(
    items: Vec<T>,
    first: Option<i32>,
    after: Option<String>,
    limits: &Limits,
    map: impl Fn(T) -> N,
) -> async_graphql::Result<CountedConnection<N>> {
    let first = match first {
        None => limits.default_page_size,
        Some(n) if n < 0 => {
            return Err(api_error(
                Code::BadUserInput,
                "`first` must not be negative",
            ));
        }
        Some(n) => {
            let n = usize::try_from(n).unwrap_or(usize::MAX);
            if n > limits.max_page_size {
                return Err(api_error(
                    Code::BadUserInput,
                    format!("`first` must be at most {}", limits.max_page_size),
                ));
            }
            n
        }
    };
    let start = match after.as_deref() {
        None => 0,
        Some(c) => parse_cursor(c).map(|i| i + 1).ok_or_else(|| {
            api_error(Code::BadUserInput, "`after` is not a cursor from this API")
        })?,
    };
    let total = items.len();
    let end = start.saturating_add(first).min(total);
    let mut connection = Connection::with_additional_fields(
        start > 0,
        end < total,
        ConnectionFields { total_count: total },
    );
    connection.edges.extend(
        items
            .into_iter()
            .enumerate()
            .skip(start)
            .take(end.saturating_sub(start))
            .map(|(i, item)| Edge::new(cursor(i), map(item))),
    );
    Ok(connection)
}
