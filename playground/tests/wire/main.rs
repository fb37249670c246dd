//! One test binary: each simulated system against its connector over real sockets, the SF1470
//! schema checks, and the SQL system on SQLite/PostgreSQL/MariaDB.

mod rest_roundtrip;
mod soap_faults;
mod soap_roundtrip;
mod soap_xsd;
mod sql_roundtrip;
