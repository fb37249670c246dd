//! Pure parsing of SF1470 responses into the unified model.

use base64::Engine;
use chrono::{DateTime, NaiveDate, Utc};

use super::ns;
use super::xml::{Node, read_tree};
use crate::model::{
    Case, CaseParty, Change, Content, Document, DocumentKind, Party, PartyKey, PartyRole,
    ProgressStatus, Sensitivity, SystemId,
};
use crate::{Error, Result};

/// One page of a `fremsoeg` result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    /// What the page holds.
    pub items: T,
    /// `Antal`: how many objects match in all, if the system said.
    pub total: Option<usize>,
    /// `FoersteResultatReference` of this page (0-based offset).
    pub first: usize,
}

/// A case as read, with what the change feed needs besides it.
#[derive(Clone, Debug)]
pub(crate) struct ParsedSag {
    pub case: Case,
    pub registered: Option<DateTime<Utc>>,
    pub deleted: bool,
}

fn protocol(system: &SystemId, reason: impl Into<String>) -> Error {
    Error::Protocol {
        system: system.clone(),
        reason: reason.into(),
    }
}

/// The body's first element, or the error a SOAP fault (or a broken envelope) stands for.
fn body_child(system: &SystemId, xml: &[u8]) -> Result<Node> {
    let root = read_tree(xml).map_err(|r| protocol(system, r))?;
    if root.name != "Envelope" {
        return Err(protocol(system, "the answer is not a SOAP envelope"));
    }
    if root.ns != ns::SOAP {
        return Err(protocol(
            system,
            "the answer is not a SOAP 1.2 envelope (wrong namespace)",
        ));
    }
    let mut root = root;
    let body_pos = root
        .kids
        .iter()
        .position(|k| k.is(ns::SOAP, "Body"))
        .ok_or_else(|| protocol(system, "SOAP envelope without Body"))?;
    let mut body = root.kids.swap_remove(body_pos);
    if body.kids.is_empty() {
        return Err(protocol(system, "empty SOAP Body"));
    }
    let child = body.kids.swap_remove(0);
    if child.is(ns::SOAP, "Fault") {
        return Err(fault_error(system, &child));
    }
    Ok(child)
}

/// Map a SOAP 1.2 fault: `Sender` → [`Error::Protocol`] (or [`Error::NotFound`] for a missing
/// document), anything else → [`Error::Unavailable`]. Codes are QNames; only the local part counts.
pub(crate) fn fault_error(system: &SystemId, fault: &Node) -> Error {
    let code = fault
        .at(&[(ns::SOAP, "Code"), (ns::SOAP, "Value")])
        .map(|v| local_part(v.val()))
        .unwrap_or("");
    let sub = fault
        .at(&[
            (ns::SOAP, "Code"),
            (ns::SOAP, "Subcode"),
            (ns::SOAP, "Value"),
        ])
        .map(|v| local_part(v.val()));
    let reason: String = fault
        .at(&[(ns::SOAP, "Reason"), (ns::SOAP, "Text")])
        .map(|t| {
            t.val()
                .chars()
                .filter(|c| !c.is_ascii_digit())
                .take(200)
                .collect()
        })
        .unwrap_or_else(|| "no reason given".to_owned());
    match (code, sub) {
        ("Sender", Some("DokumentIkkeFundet")) => Error::NotFound {
            system: system.clone(),
            what: "document".to_owned(),
        },
        ("Sender", _) => protocol(system, format!("SOAP fault (Sender): {reason}")),
        _ => Error::Unavailable {
            system: system.clone(),
            reason: format!("SOAP fault ({code}): {reason}"),
        },
    }
}

fn local_part(qname: &str) -> &str {
    qname.rsplit(':').next().unwrap_or(qname)
}

/// Parse the answer to a case `fremsoeg`; deleted (passivated) cases are left out.
pub fn parse_fremsoeg_sag(system: &SystemId, xml: &[u8]) -> Result<Page<Vec<Case>>> {
    let page = parse_sager(system, xml)?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .filter(|s| !s.deleted)
            .map(|s| s.case)
            .collect(),
        total: page.total,
        first: page.first,
    })
}

/// A change with the registration time it was found at.
pub type TimedChange = (Change, Option<DateTime<Utc>>);

/// Parse the answer to a registration-time `fremsoeg` into changes with their registration time.
pub fn parse_fremsoeg_changes(system: &SystemId, xml: &[u8]) -> Result<Page<Vec<TimedChange>>> {
    let page = parse_sager(system, xml)?;
    let items = page
        .items
        .into_iter()
        .map(|s| {
            let change = if s.deleted {
                Change::Deleted {
                    local_id: s.case.local_id,
                }
            } else {
                Change::Upserted(Box::new(s.case))
            };
            (change, s.registered)
        })
        .collect();
    Ok(Page {
        items,
        total: page.total,
        first: page.first,
    })
}

fn output(system: &SystemId, xml: &[u8]) -> Result<Node> {
    let out = body_child(system, xml)?;
    if !out.is(ns::SDI, "FremsoegSagDokumentIndeksOutput") {
        return Err(protocol(
            system,
            format!("unexpected answer element {}", out.name),
        ));
    }
    if let Some(code) = out.at(&[(ns::SD, "StandardRetur"), (ns::SD, "StatusKode")])
        && code.val() != "20"
    {
        return Err(protocol(
            system,
            format!("StandardRetur StatusKode {}", code.val()),
        ));
    }
    Ok(out)
}

fn antal(out: &Node, element: &str) -> (Option<usize>, usize) {
    let a = out
        .each(ns::SDI, "Antal")
        .find(|a| a.text_of(ns::SDI, "Element") == Some(element));
    let total = a
        .and_then(|a| a.text_of(ns::SDI, "Antal"))
        .and_then(|t| t.parse().ok());
    let first = a
        .and_then(|a| {
            a.at(&[
                (ns::SDI, "Paginering"),
                (ns::SD, "FoersteResultatReference"),
            ])
        })
        .and_then(|f| f.val().parse().ok())
        .unwrap_or(0);
    (total, first)
}

pub(crate) fn parse_sager(system: &SystemId, xml: &[u8]) -> Result<Page<Vec<ParsedSag>>> {
    let out = output(system, xml)?;
    let (total, first) = antal(&out, "sager");
    let items = out
        .each(ns::SDI, "SagFiltreretOejebliksbillede")
        .map(|s| sag(system, s))
        .collect::<Result<Vec<_>>>()?;
    Ok(Page {
        items,
        total,
        first,
    })
}

fn timestamp(t: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn date(t: &str) -> Option<NaiveDate> {
    timestamp(t)
        .map(|t| t.date_naive())
        .or_else(|| NaiveDate::parse_from_str(t.get(..10)?, "%Y-%m-%d").ok())
}

/// `(from, to)` of a `Virkning`; `to = None` is open-ended (`GraenseIndikator`).
fn virkning(v: Option<&Node>) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let point = |name: &str| {
        v.and_then(|v| v.at(&[(ns::SD, name), (ns::SD, "TidsstempelDatoTid")]))
            .and_then(|t| timestamp(t.val()))
    };
    (point("FraTidspunkt"), point("TilTidspunkt"))
}

/// The entry in effect now: open-ended first, else the latest start.
fn current<'a>(items: impl Iterator<Item = &'a Node>, vns: &str) -> Option<&'a Node> {
    let now = Utc::now();
    items
        .filter(|n| virkning(n.get(vns, "Virkning")).1.is_none_or(|to| to > now))
        .max_by_key(|n| virkning(n.get(vns, "Virkning")).0)
}

fn still_valid(rel: &Node) -> bool {
    virkning(rel.get(ns::GD, "Virkning"))
        .1
        .is_none_or(|to| to > Utc::now())
}

fn reference(rel: &Node) -> Option<&str> {
    let r = rel.get(ns::GD, "ReferenceID")?;
    r.text_of(ns::SD, "URNIdentifikator")
        .or_else(|| r.text_of(ns::SD, "UUIDIdentifikator"))
}

fn rolle(rel: &Node) -> &str {
    rel.get(ns::GD, "Rolle")
        .and_then(|r| {
            r.text_of(ns::SD, "URNIdentifikator")
                .or_else(|| r.text_of(ns::SD, "UUIDIdentifikator"))
        })
        .unwrap_or("")
}

fn ext<'a>(rel: &'a Node, ext_ns: &str, name: &str) -> Option<&'a Node> {
    rel.get(ns::GD, "LokalUdvidelseListe")?.get(ext_ns, name)
}

fn sensitivity(text: Option<&str>) -> Sensitivity {
    match text {
        Some("IKKE_FORTROLIGE_DATA") => Sensitivity::IkkeFortrolig,
        Some("FOELSOMME_PERSONOPLYSNINGER") => Sensitivity::Foelsom,
        Some("VIP_SAGER") => Sensitivity::Vip,
        // Unknown or missing: treat as confidential, never as public.
        _ => Sensitivity::Fortrolig,
    }
}

fn status(code: &str) -> Option<ProgressStatus> {
    Some(match code {
        "Opstaaet" => ProgressStatus::Opstaaet,
        "Oplyst" => ProgressStatus::Oplyst,
        "Afgjort" => ProgressStatus::Afgjort,
        "Afsluttet" => ProgressStatus::Afsluttet,
        _ => return None,
    })
}

fn sag(system: &SystemId, s: &Node) -> Result<ParsedSag> {
    let id = s
        .at(&[(ns::SAG, "ObjektType"), (ns::SD, "UUIDIdentifikator")])
        .map(Node::val)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| protocol(system, "Sag without UUID"))?;
    let reg = s
        .each(ns::SAG, "Registrering")
        .max_by_key(|r| r.text_of(ns::SD, "Tidspunkt").and_then(timestamp))
        .ok_or_else(|| protocol(system, "Sag without Registrering"))?;
    let registered = reg.text_of(ns::SD, "Tidspunkt").and_then(timestamp);
    let deleted = matches!(
        reg.text_of(ns::SD, "LivscyklusKode"),
        Some("Slettet" | "Passiveret")
    );
    let attrs = reg.get(ns::SAG, "AttributListe");
    let eg = attrs.and_then(|a| current(a.each(ns::SAG, "Egenskaber"), ns::SAG));
    let local_ext = attrs.and_then(|a| a.get(ns::GD, "LokalUdvidelseListe"));
    let index = local_ext.and_then(|l| l.get(ns::SI, "SagIndeksEgenskaber"));

    let fremdrift: Vec<&Node> = reg
        .get(ns::SAG, "TilstandListe")
        .map(|t| t.each(ns::SAG, "Fremdrift").collect())
        .unwrap_or_default();
    let now_state = current(fremdrift.iter().copied(), ns::SAG);
    let status = match now_state.and_then(|f| f.text_of(ns::SAG, "FremdriftStatusKode")) {
        Some(code) => {
            status(code).ok_or_else(|| protocol(system, "unknown FremdriftStatusKode"))?
        }
        None if deleted => ProgressStatus::Afsluttet,
        None => return Err(protocol(system, "Sag without FremdriftStatusKode")),
    };
    let closed = (status == ProgressStatus::Afsluttet)
        .then(|| {
            now_state
                .and_then(|f| virkning(f.get(ns::SAG, "Virkning")).0)
                .map(|t| t.date_naive())
        })
        .flatten();
    let opened = index
        .and_then(|i| i.text_of(ns::SI, "OprettetTidspunkt"))
        .and_then(date)
        .or_else(|| {
            eg.and_then(|e| virkning(e.get(ns::SAG, "Virkning")).0)
                .map(|t| t.date_naive())
        })
        .or_else(|| registered.map(|t| t.date_naive()))
        .ok_or_else(|| protocol(system, "Sag without a creation date"))?;

    let mut kle = None;
    let mut facet = None;
    let mut parties = Vec::new();
    let mut department = None;
    let mut unit = None;
    let mut caseworker = None;
    if let Some(rels) = reg.get(ns::SAG, "RelationListe") {
        for k in rels.each(ns::SAG, "Sagsklasse").filter(|r| still_valid(r)) {
            let key = ext(k, ns::SI, "SagsklasseLokalUdvidelse")
                .and_then(|e| e.text_of(ns::SI, "BrugervendtNoegle"));
            let urn = reference(k).unwrap_or("");
            if let Some(emne) = urn.strip_prefix("urn:oio:kle:emne:") {
                kle = Some(key.unwrap_or(emne).to_owned());
            } else if let Some(f) = urn.strip_prefix("urn:oio:kle:handlingsfacet:") {
                facet = Some(key.unwrap_or(f).to_owned());
            } else if rolle(k).ends_with("primaerklasse") {
                kle = key.map(str::to_owned);
            }
        }
        for p in rels.each(ns::SAG, "Sagspart").filter(|r| still_valid(r)) {
            let urn = reference(p).unwrap_or("");
            let key = urn
                .strip_prefix("urn:oio:cpr-nr:")
                .and_then(PartyKey::cpr)
                .or_else(|| urn.strip_prefix("urn:oio:cvr-nr:").and_then(PartyKey::cvr));
            let name = ext(p, ns::SI, "SagspartLokalUdvidelse")
                .and_then(|e| e.text_of(ns::SI, "FuldtNavn"))
                .unwrap_or("")
                .to_owned();
            let r = rolle(p).to_lowercase();
            let role = if r.ends_with("primaer") || r.contains("primær") || r.contains("hovedpart")
            {
                PartyRole::Primary
            } else {
                PartyRole::Secondary
            };
            parties.push(CaseParty {
                party: Party {
                    key,
                    name,
                    address: None,
                },
                role,
            });
        }
        for a in rels.each(ns::SAG, "Sagsaktoer").filter(|r| still_valid(r)) {
            let e = ext(a, ns::SI, "SagsaktoerLokalUdvidelse");
            let name = e
                .and_then(|e| {
                    e.text_of(ns::SI, "FuldtNavn")
                        .or_else(|| e.text_of(ns::SI, "BrugervendtNoegle"))
                })
                .map(str::to_owned);
            let r = rolle(a);
            if r.ends_with("ansvarlig") {
                department = name.clone();
                unit = name;
            } else if r.ends_with("sagsbehandler") {
                caseworker = name;
            }
        }
    }
    let title = eg
        .and_then(|e| e.text_of(ns::SAG, "Titel"))
        .unwrap_or("")
        .to_owned();
    let sagsnummer = eg
        .and_then(|e| {
            e.text_of(ns::SAG, "Sagsnummer")
                .or_else(|| e.text_of(ns::SAG, "BrugervendtNoegle"))
        })
        .unwrap_or("")
        .to_owned();
    let updated_at = local_ext
        .and_then(|l| l.text_of(ns::GD, "SenestAendretTidspunkt"))
        .and_then(timestamp)
        .or(registered);
    let case = Case {
        system: system.clone(),
        local_id: id.to_owned(),
        sagsnummer,
        title,
        kle: kle.unwrap_or_default(),
        handlingsfacet: facet,
        department: department.unwrap_or_default(),
        status,
        sensitivity: sensitivity(index.and_then(|i| i.text_of(ns::SI, "Foelsomhed"))),
        opened,
        closed,
        parties,
        responsible_unit: unit,
        caseworker,
        updated_at,
    };
    Ok(ParsedSag {
        case,
        registered,
        deleted,
    })
}

/// Parse the answer to a document `fremsoeg`.
pub fn parse_fremsoeg_dokument(system: &SystemId, xml: &[u8]) -> Result<Page<Vec<Document>>> {
    let out = output(system, xml)?;
    let (total, first) = antal(&out, "dokumenter");
    let items = out
        .each(ns::SDI, "DokumentFiltreretOejebliksbillede")
        .map(|d| dokument(system, d))
        .collect::<Result<Vec<_>>>()?;
    Ok(Page {
        items,
        total,
        first,
    })
}

fn kind(t: Option<&str>) -> DocumentKind {
    match t {
        Some("Brev, indgaaende" | "Faktura") => DocumentKind::IncomingLetter,
        Some("Brev, udgaaende" | "Brev") => DocumentKind::OutgoingLetter,
        Some("Internt Notat" | "Eksternt Notat") => DocumentKind::JournalNote,
        _ => DocumentKind::Internal,
    }
}

fn dokument(system: &SystemId, d: &Node) -> Result<Document> {
    let id = d
        .at(&[(ns::DI, "ObjektType"), (ns::SD, "UUIDIdentifikator")])
        .map(Node::val)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| protocol(system, "DokumentIndeks without UUID"))?;
    let reg = d
        .each(ns::DI, "Registrering")
        .max_by_key(|r| r.text_of(ns::SD, "Tidspunkt").and_then(timestamp))
        .ok_or_else(|| protocol(system, "DokumentIndeks without Registrering"))?;
    let attrs = reg.get(ns::DI, "AttributListe");
    let eg = attrs.and_then(|a| current(a.each(ns::DI, "Egenskaber"), ns::DI));
    let indhold = attrs
        .and_then(|a| a.get(ns::GD, "LokalUdvidelseListe"))
        .and_then(|l| l.get(ns::IND, "DokumentIndhold"));
    let sag = reg
        .get(ns::DI, "RelationListe")
        .and_then(|r| {
            r.each(ns::DI, "Dokumentrelation").find(|rel| {
                rolle(rel).ends_with(":sag")
                    || rel
                        .get(ns::GD, "Type")
                        .and_then(|t| t.text_of(ns::SD, "URNIdentifikator"))
                        == Some("urn:oio:sagdok:sag")
            })
        })
        .ok_or_else(|| protocol(system, "DokumentIndeks without its case relation"))?;
    let case_id =
        reference(sag).ok_or_else(|| protocol(system, "case relation without ReferenceID"))?;
    let aktnummer = sag
        .text_of(ns::GD, "Indeks")
        .and_then(|i| i.parse().ok())
        .ok_or_else(|| protocol(system, "case relation without a numeric Indeks (aktnummer)"))?;
    Ok(Document {
        system: system.clone(),
        local_id: id.to_owned(),
        case_local_id: case_id.to_owned(),
        aktnummer,
        title: eg
            .and_then(|e| e.text_of(ns::DI, "Titel"))
            .unwrap_or("")
            .to_owned(),
        kind: kind(eg.and_then(|e| e.text_of(ns::DI, "Type"))),
        letter_date: eg
            .and_then(|e| e.text_of(ns::DI, "BrevDato"))
            .and_then(date),
        mime_type: indhold
            .and_then(|i| i.text_of(ns::IND, "MimeType"))
            .unwrap_or("application/octet-stream")
            .to_owned(),
        size: indhold
            .and_then(|i| i.text_of(ns::IND, "Stoerrelse"))
            .and_then(|s| s.parse().ok()),
        sensitivity: sensitivity(eg.and_then(|e| e.text_of(ns::DI, "Foelsomhed"))),
    })
}

/// Parse `HentDokumentIndholdResponse`, refusing content past `max_bytes`.
pub fn parse_indhold(system: &SystemId, xml: &[u8], max_bytes: u64) -> Result<Content> {
    let out = body_child(system, xml)?;
    if !out.is(ns::IND, "HentDokumentIndholdResponse") {
        return Err(protocol(
            system,
            format!("unexpected answer element {}", out.name),
        ));
    }
    if out
        .text_of(ns::IND, "Stoerrelse")
        .and_then(|s| s.parse::<u64>().ok())
        .is_some_and(|s| s > max_bytes)
    {
        return Err(Error::TooLarge {
            system: system.clone(),
            limit: max_bytes,
        });
    }
    let b64: String = out
        .get(ns::IND, "Indhold")
        .map(|i| i.text.chars().filter(|c| !c.is_whitespace()).collect())
        .unwrap_or_default();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.as_bytes())
        .map_err(|_| protocol(system, "Indhold is not base64"))?;
    if bytes.len() as u64 > max_bytes {
        return Err(Error::TooLarge {
            system: system.clone(),
            limit: max_bytes,
        });
    }
    let mime_type = out
        .text_of(ns::IND, "MimeType")
        .unwrap_or("application/octet-stream")
        .to_owned();
    Ok(Content { mime_type, bytes })
}
