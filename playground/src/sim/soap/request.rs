//! Reading a `FremsoegSagDokumentIndeksInput` into a query the simulated ESDH can evaluate.
//!
//! Supported (as the schema shapes them):
//! - `SagUuid*` / `DokumentUuid*`: objects by UUID, many at once.
//! - `SoegUdtryk` with `operation` (`AND` default, `OR`), nested `SoegUdtryk`, `NOT`, and
//!   `SoegSag` / `SoegDokument` leaves. One request searches either cases or documents.
//! - In `SoegSag`: `Egenskaber/Titel` (every word must occur in title or sagsnummer),
//!   `Egenskaber/Sagsnummer`, `Fremdrift/FremdriftStatusKode`, `Sagsklasse/ReferenceID` URN
//!   `urn:oio:kle:emne:<prefix>` (KLE prefix) or `urn:oio:kle:handlingsfacet:<code>`,
//!   `Sagspart/ReferenceID` URN `urn:oio:cpr-nr:<10 digits>` / `urn:oio:cvr-nr:<8 digits>`,
//!   `Sagsaktoer` by `ReferenceID` UUID or `SagsaktoerLokalUdvidelse/FuldtNavn`|`BrugervendtNoegle`,
//!   `SoegRegistrering/FraTidspunkt|TilTidspunkt` (registration time, inclusive from, exclusive to).
//! - In `SoegDokument`: `Dokumentrelation/ReferenceID` (the case UUID), `Egenskaber/Titel`.
//! - Paging: `FoersteResultatReference` (0-based offset) and `MaksimalAntalKvantitet` are taken
//!   from the first leaf that carries them and apply to the whole (combined) result.
//! - `Sortering/SagSortering/Element = Registreringstidspunkt` sorts by registration time.
//! - `Filter/SagVis` / `DokumentVis` select parts of the output; no `Filter` means everything.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::xml::{El, uri};

/// A search the client may not make.
#[derive(Debug, thiserror::Error)]
#[error("invalid search: {0}")]
pub struct Invalid(pub String);

fn invalid(msg: impl Into<String>) -> Invalid {
    Invalid(msg.into())
}

/// What a fremsoeg asks for.
#[derive(Debug, Default)]
pub struct Fremsoeg {
    /// `SagUuid`s.
    pub sag_uuids: Vec<Uuid>,
    /// `DokumentUuid`s.
    pub dok_uuids: Vec<Uuid>,
    /// The search expression.
    pub expr: Option<Expr>,
    /// Offset into the result.
    pub first: usize,
    /// Page size, if asked.
    pub max: Option<usize>,
    /// Sort by registration time.
    pub by_registration: bool,
    /// `Vis` values; `None` = everything.
    pub vis: Option<Vec<String>>,
}

impl Fremsoeg {
    /// Whether this is a document search (else a case search).
    pub fn is_documents(&self) -> bool {
        !self.dok_uuids.is_empty() || self.expr.as_ref().is_some_and(Expr::has_documents)
    }
    /// Whether the output should include `part` (`None` filter: yes).
    pub fn shows(&self, part: &str) -> bool {
        self.vis
            .as_ref()
            .is_none_or(|v| v.iter().any(|p| p == part))
    }
}

/// A boolean search expression.
#[derive(Debug)]
pub enum Expr {
    /// All must hold.
    And(Vec<Expr>),
    /// Any must hold.
    Or(Vec<Expr>),
    /// Negation: none of the inner (ANDed) hold.
    Not(Box<Expr>),
    /// A case criterion.
    Sag(SagCrit),
    /// A document criterion.
    Dok(DokCrit),
}

impl Expr {
    fn has_documents(&self) -> bool {
        match self {
            Expr::And(v) | Expr::Or(v) => v.iter().any(Expr::has_documents),
            Expr::Not(e) => e.has_documents(),
            Expr::Sag(_) => false,
            Expr::Dok(_) => true,
        }
    }
    fn has_cases(&self) -> bool {
        match self {
            Expr::And(v) | Expr::Or(v) => v.iter().any(Expr::has_cases),
            Expr::Not(e) => e.has_cases(),
            Expr::Sag(_) => true,
            Expr::Dok(_) => false,
        }
    }
}

/// Criteria of one `SoegSag` (all must hold).
#[derive(Debug, Default)]
pub struct SagCrit {
    /// Words of `Titel`.
    pub words: Vec<String>,
    /// `Sagsnummer`.
    pub sagsnummer: Option<String>,
    /// `FremdriftStatusKode`.
    pub status: Option<String>,
    /// KLE prefix.
    pub kle_prefix: Option<String>,
    /// Handlingsfacet.
    pub facet: Option<String>,
    /// Party URNs (`urn:oio:cpr-nr:...`), all must be parties.
    pub parties: Vec<String>,
    /// Actor: UUID or name/code.
    pub aktoer: Vec<String>,
    /// Registration time from (inclusive).
    pub reg_from: Option<DateTime<Utc>>,
    /// Registration time to (exclusive).
    pub reg_to: Option<DateTime<Utc>>,
}

/// Criteria of one `SoegDokument`.
#[derive(Debug, Default)]
pub struct DokCrit {
    /// Case UUIDs (`Dokumentrelation/ReferenceID`), all must hold (so give one).
    pub cases: Vec<Uuid>,
    /// Words of `Titel`.
    pub words: Vec<String>,
}

const STATUSES: [&str; 4] = ["Opstaaet", "Oplyst", "Afgjort", "Afsluttet"];

/// Read the body child `FremsoegSagDokumentIndeksInput`.
pub fn parse_fremsoeg(input: &El) -> Result<Fremsoeg, Invalid> {
    let mut q = Fremsoeg::default();
    for el in input.all(uri::SDI, "SagUuid") {
        q.sag_uuids.push(parse_uuid(el.value())?);
    }
    for el in input.all(uri::SDI, "DokumentUuid") {
        q.dok_uuids.push(parse_uuid(el.value())?);
    }
    let mut paging = None;
    if let Some(expr) = input.child(uri::SDI, "SoegUdtryk") {
        let e = parse_expr(expr, &mut paging)?;
        if e.has_cases() && e.has_documents() {
            return Err(invalid("a search is over cases or documents, not both"));
        }
        q.expr = Some(e);
    }
    if let Some((first, max)) = paging {
        q.first = first;
        q.max = max;
    }
    if q.expr.is_none() && q.sag_uuids.is_empty() && q.dok_uuids.is_empty() {
        return Err(invalid("give SagUuid, DokumentUuid or SoegUdtryk"));
    }
    if !q.sag_uuids.is_empty() && (!q.dok_uuids.is_empty() || q.expr.is_some()) {
        return Err(invalid(
            "SagUuid cannot be combined with DokumentUuid or SoegUdtryk",
        ));
    }
    if let Some(filter) = input.child(uri::SDI, "Filter") {
        let vis = filter
            .children
            .iter()
            .filter(|c| c.ns == uri::SDI && (c.local == "SagVis" || c.local == "DokumentVis"))
            .filter_map(|c| c.child(uri::SDI, "Vis").map(|v| v.value().to_owned()))
            .collect();
        q.vis = Some(vis);
    }
    if let Some(sort) = input.child(uri::SDI, "Sortering") {
        q.by_registration = sort
            .children
            .iter()
            .filter_map(|s| s.child(uri::SDI, "Element"))
            .any(|e| {
                e.value() == "Registreringstidspunkt" || e.value() == "StsRegistreringstidspunkt"
            });
    }
    Ok(q)
}

fn parse_uuid(text: &str) -> Result<Uuid, Invalid> {
    Uuid::parse_str(text).map_err(|_| invalid("not a UUID"))
}

type Paging = Option<(usize, Option<usize>)>;

fn parse_expr(el: &El, paging: &mut Paging) -> Result<Expr, Invalid> {
    let or = match el.child(uri::SDI, "operation").map(El::value) {
        None | Some("AND") => false,
        Some("OR") => true,
        Some(_) => return Err(invalid("operation must be AND or OR")),
    };
    let mut items = Vec::new();
    for child in el.children.iter().filter(|c| c.ns == uri::SDI) {
        match child.local.as_str() {
            "operation" => {}
            "SoegSag" => items.push(Expr::Sag(parse_sag(child, paging)?)),
            "SoegDokument" => items.push(Expr::Dok(parse_dok(child, paging)?)),
            "NOT" => items.push(Expr::Not(Box::new(parse_expr(child, paging)?))),
            "SoegUdtryk" => items.push(parse_expr(child, paging)?),
            other => return Err(invalid(format!("unsupported search element {other}"))),
        }
    }
    if items.is_empty() {
        return Err(invalid("empty SoegUdtryk"));
    }
    Ok(if or {
        Expr::Or(items)
    } else {
        Expr::And(items)
    })
}

fn read_paging(leaf: &El, paging: &mut Paging) -> Result<(), Invalid> {
    if paging.is_some() {
        return Ok(());
    }
    let first = leaf.child(uri::SD, "FoersteResultatReference");
    let max = leaf.child(uri::SD, "MaksimalAntalKvantitet");
    if first.is_none() && max.is_none() {
        return Ok(());
    }
    let first = match first {
        Some(f) => f
            .value()
            .parse::<usize>()
            .map_err(|_| invalid("FoersteResultatReference must be a number ≥ 0"))?,
        None => 0,
    };
    let max = match max {
        Some(m) => match m.value().parse::<usize>() {
            Ok(n) if (1..=10_000).contains(&n) => Some(n),
            _ => {
                return Err(invalid(
                    "MaksimalAntalKvantitet must be between 1 and 10000",
                ));
            }
        },
        None => None,
    };
    *paging = Some((first, max));
    Ok(())
}

fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_lowercase).collect()
}

fn tidspunkt(el: Option<&El>) -> Result<Option<DateTime<Utc>>, Invalid> {
    let Some(el) = el else { return Ok(None) };
    if el.child(uri::SD, "GraenseIndikator").is_some() {
        return Ok(None);
    }
    let ts = el
        .child(uri::SD, "TidsstempelDatoTid")
        .ok_or_else(|| invalid("Tidspunkt without TidsstempelDatoTid"))?;
    DateTime::parse_from_rfc3339(ts.value())
        .map(|t| Some(t.with_timezone(&Utc)))
        .map_err(|_| invalid("TidsstempelDatoTid is not a dateTime with zone"))
}

fn reference(rel: &El) -> Option<&str> {
    let r = rel.child(uri::GD, "ReferenceID")?;
    r.child(uri::SD, "URNIdentifikator")
        .or_else(|| r.child(uri::SD, "UUIDIdentifikator"))
        .map(El::value)
}

fn parse_sag(el: &El, paging: &mut Paging) -> Result<SagCrit, Invalid> {
    read_paging(el, paging)?;
    let mut c = SagCrit::default();
    if let Some(reg) = el.child(uri::SD, "SoegRegistrering") {
        c.reg_from = tidspunkt(reg.child(uri::SD, "FraTidspunkt"))?;
        c.reg_to = tidspunkt(reg.child(uri::SD, "TilTidspunkt"))?;
    }
    for eg in el
        .path(&[(uri::SAG, "AttributListe")])
        .into_iter()
        .flat_map(|a| a.all(uri::SAG, "Egenskaber"))
    {
        if let Some(t) = eg.child(uri::SAG, "Titel") {
            c.words.extend(words(t.value()));
        }
        if let Some(s) = eg.child(uri::SAG, "Sagsnummer") {
            c.sagsnummer = Some(s.value().to_owned());
        }
    }
    for f in el
        .path(&[(uri::SAG, "TilstandListe")])
        .into_iter()
        .flat_map(|t| t.all(uri::SAG, "Fremdrift"))
    {
        if let Some(code) = f.child(uri::SAG, "FremdriftStatusKode") {
            if !STATUSES.contains(&code.value()) {
                return Err(invalid("unknown FremdriftStatusKode"));
            }
            c.status = Some(code.value().to_owned());
        }
    }
    if let Some(rels) = el.child(uri::SAG, "RelationListe") {
        for k in rels.all(uri::SAG, "Sagsklasse") {
            let Some(urn) = reference(k) else { continue };
            if let Some(p) = urn.strip_prefix("urn:oio:kle:emne:") {
                c.kle_prefix = Some(p.to_owned());
            } else if let Some(f) = urn.strip_prefix("urn:oio:kle:handlingsfacet:") {
                c.facet = Some(f.to_owned());
            } else {
                return Err(invalid(
                    "Sagsklasse must reference urn:oio:kle:emne: or urn:oio:kle:handlingsfacet:",
                ));
            }
        }
        for p in rels.all(uri::SAG, "Sagspart") {
            let urn = reference(p).ok_or_else(|| invalid("Sagspart without ReferenceID"))?;
            if !(urn.starts_with("urn:oio:cpr-nr:") || urn.starts_with("urn:oio:cvr-nr:")) {
                return Err(invalid(
                    "Sagspart must reference urn:oio:cpr-nr: or urn:oio:cvr-nr:",
                ));
            }
            c.parties.push(urn.to_owned());
        }
        for a in rels.all(uri::SAG, "Sagsaktoer") {
            if let Some(r) = reference(a) {
                c.aktoer.push(r.to_owned());
            }
            let ext = a.path(&[
                (uri::GD, "LokalUdvidelseListe"),
                (uri::SI, "SagsaktoerLokalUdvidelse"),
            ]);
            for name in ext.into_iter().flat_map(|e| {
                e.children
                    .iter()
                    .filter(|c| c.local == "FuldtNavn" || c.local == "BrugervendtNoegle")
            }) {
                c.aktoer.push(name.value().to_owned());
            }
        }
    }
    Ok(c)
}

fn parse_dok(el: &El, paging: &mut Paging) -> Result<DokCrit, Invalid> {
    read_paging(el, paging)?;
    let mut c = DokCrit::default();
    for eg in el
        .path(&[(uri::DI, "AttributListe")])
        .into_iter()
        .flat_map(|a| a.all(uri::DI, "Egenskaber"))
    {
        if let Some(t) = eg.child(uri::DI, "Titel") {
            c.words.extend(words(t.value()));
        }
    }
    if let Some(rels) = el.child(uri::DI, "RelationListe") {
        for r in rels.all(uri::DI, "Dokumentrelation") {
            let id = reference(r).ok_or_else(|| invalid("Dokumentrelation without ReferenceID"))?;
            c.cases.push(parse_uuid(id)?);
        }
    }
    Ok(c)
}
