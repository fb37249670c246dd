//! The scale generator: fill the index with synthetic cases (the 1,000,000-case benchmark).
//!
//! The words come from the caller ([`Vocabulary`], e.g. the synthetic municipality's names,
//! departments and KLE subjects), so this crate needs no data of its own; the mix is fixed by
//! a seed. Rows go in by multi-row inserts with explicit ids, many per transaction.

use chrono::{NaiveDate, Utc};
use connectors::SystemId;
use connectors::{Case, CaseParty, Party, PartyKey, PartyRole, ProgressStatus, Sensitivity};
use sea_orm::{ConnectionTrait, DbErr, TransactionTrait};

use super::store::{self, IndexedCase};

/// What synthetic cases are made of.
#[derive(Clone, Debug, Default)]
pub struct Vocabulary {
    /// Departments.
    pub departments: Vec<Department>,
    /// Given names.
    pub first_names: Vec<String>,
    /// Family names.
    pub last_names: Vec<String>,
    /// Document titles.
    pub document_titles: Vec<String>,
    /// Words that qualify a case title (`vedr. skoleåret`, `revurdering`, …).
    pub title_suffixes: Vec<String>,
}

/// A department of synthetic cases.
#[derive(Clone, Debug, Default)]
pub struct Department {
    /// Name (`Børn og Familie`).
    pub name: String,
    /// The system holding its cases.
    pub system: String,
    /// Its KLE subjects, each with a typical case title.
    pub topics: Vec<(String, String)>,
}

/// A small, fast, deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len())])
    }
}

/// Synthetic case number `n` (deterministic for `seed`).
pub fn synthetic_case(vocab: &Vocabulary, seed: u64, n: u64) -> (Case, Vec<String>) {
    let mut rng = Rng((seed ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15)) | 1);
    for _ in 0..2 {
        rng.next();
    }
    let empty = Department::default();
    let Department {
        name: department,
        system,
        topics,
    } = rng.pick(&vocab.departments).unwrap_or(&empty);
    let fallback = ("00.00.00".to_owned(), "Sag".to_owned());
    let (kle, topic) = rng.pick(topics).unwrap_or(&fallback);
    let name = |rng: &mut Rng| {
        format!(
            "{} {}",
            rng.pick(&vocab.first_names).map_or("Anne", String::as_str),
            rng.pick(&vocab.last_names).map_or("Jensen", String::as_str)
        )
    };
    let parties: Vec<CaseParty> = (0..1 + rng.below(3))
        .map(|i| {
            let day = 1 + rng.below(28);
            let month = 1 + rng.below(12);
            let year = rng.below(100);
            let serial = rng.below(10_000);
            CaseParty {
                party: Party {
                    key: PartyKey::cpr(&format!("{day:02}{month:02}{year:02}{serial:04}")),
                    name: name(&mut rng),
                    address: None,
                },
                role: if i == 0 {
                    PartyRole::Primary
                } else {
                    PartyRole::Secondary
                },
            }
        })
        .collect();
    let title = match rng.pick(&vocab.title_suffixes) {
        Some(suffix) if rng.below(2) == 0 => format!("{topic} {suffix}"),
        _ => topic.clone(),
    };
    let sensitivity = match rng.below(100) {
        0..70 => Sensitivity::IkkeFortrolig,
        70..90 => Sensitivity::Fortrolig,
        90..98 => Sensitivity::Foelsom,
        _ => Sensitivity::Vip,
    };
    let status = [
        ProgressStatus::Opstaaet,
        ProgressStatus::Oplyst,
        ProgressStatus::Afgjort,
        ProgressStatus::Afsluttet,
    ][rng.below(4)];
    let year = 2015 + (n % 11) as i32;
    let opened = NaiveDate::from_ymd_opt(year, 1 + rng.below(12) as u32, 1 + rng.below(28) as u32)
        .unwrap_or_default();
    let documents: Vec<String> = (0..4 + rng.below(5))
        .filter_map(|_| rng.pick(&vocab.document_titles).cloned())
        .collect();
    let case = Case {
        system: SystemId::new(system),
        local_id: format!("syn-{n}"),
        sagsnummer: format!("{year}-{:07}", n),
        title,
        kle: kle.clone(),
        handlingsfacet: Some("G01".into()),
        department: department.clone(),
        status,
        sensitivity,
        opened,
        closed: None,
        parties,
        responsible_unit: None,
        caseworker: None,
        updated_at: Some(Utc::now()),
    };
    (case, documents)
}

/// Add `count` synthetic cases to the index, `batch` per insert. Returns the first row id used.
#[tracing::instrument(skip(conn, vocab))]
pub async fn fill<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    vocab: &Vocabulary,
    seed: u64,
    count: u64,
    batch: usize,
) -> Result<i64, DbErr> {
    let backend = conn.get_database_backend();
    let first_id: i64 = conn
        .query_one(sea_orm::Statement::from_string(
            backend,
            "SELECT COALESCE(MAX(id), 0) + 1 AS n FROM case_index",
        ))
        .await?
        .map(|r| r.try_get("", "n"))
        .transpose()?
        .unwrap_or(1);
    let batch = batch.clamp(1, 1_000) as u64;
    let at = Utc::now();
    let mut n = 0u64;
    while n < count {
        let txn = conn.begin().await?;
        // Several batches per transaction: one commit per ~20 batches.
        for _ in 0..20 {
            if n >= count {
                break;
            }
            let size = batch.min(count - n);
            let made: Vec<(Case, Vec<String>)> = (n..n + size)
                .map(|i| synthetic_case(vocab, seed, i))
                .collect();
            let indexed: Vec<IndexedCase<'_>> = made
                .iter()
                .map(|(case, docs)| IndexedCase {
                    case,
                    document_titles: docs.clone(),
                })
                .collect();
            store::insert_batch(&txn, first_id + n as i64, &indexed, at).await?;
            n += size;
        }
        txn.commit().await?;
    }
    Ok(first_id)
}
