//! Writing SF1470 `Sag` and `DokumentIndeks` objects, schema-valid (see `tests/soap_xsd.rs`).
//!
//! Where the simulated data sits in the schema:
//! - title/sagsnummer: `sag:Egenskaber/Titel|Sagsnummer|BrugervendtNoegle`;
//! - sensitivity and opened: `si:SagIndeksEgenskaber/Foelsomhed|OprettetTidspunkt` in the
//!   attribute list's `LokalUdvidelseListe`; last change: `gd:SenestAendretTidspunkt` there and the
//!   registration's `sd:Tidspunkt`;
//! - status: `sag:Fremdrift/FremdriftStatusKode`, bitemporal (`Virkning` from/to); a closed case
//!   has an `Afsluttet` state from its closing date;
//! - KLE: `sag:Sagsklasse` with `Rolle` `urn:oio:sagdok:klasse:rolle:primaerklasse` and
//!   `ReferenceID` `urn:oio:kle:emne:27.24.00`; handlingsfacet with `...:rolle:handlingsfacet` and
//!   `urn:oio:kle:handlingsfacet:G01`; `si:SagsklasseLokalUdvidelse` carries the key and title;
//! - parties: `sag:Sagspart` with `Rolle` `urn:oio:sagdok:part:rolle:primaer|sekundaer`,
//!   `ReferenceID` `urn:oio:cpr-nr:DDMMYYSSSS` and `si:SagspartLokalUdvidelse/FuldtNavn`. SF1470
//!   has no address on a party: a real ESDH leaves it to the CPR register, and so does this one;
//! - responsible unit and caseworker: `sag:Sagsaktoer` with `Rolle`
//!   `urn:oio:sagdok:aktoer:rolle:ansvarlig|sagsbehandler`, a UUID reference and
//!   `si:SagsaktoerLokalUdvidelse/BrugervendtNoegle|FuldtNavn`;
//! - documents: `di:Egenskaber/Titel|BrevDato|Dokumentnummer|Foelsomhed|Type`, the case as
//!   `di:Dokumentrelation` (`Rolle` `urn:oio:sagdok:dokument:rolle:sag`) whose `Indeks` is the
//!   aktnummer, MIME type and size in the extension `ind:DokumentIndhold`.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::request::Fremsoeg;
use super::xml::{Ns, Writer};
use crate::municipality::{DocKind, Level, Municipality, SimCase, SimDocument, Status};

/// A deterministic UUID for a non-case object (org unit, staff member).
pub fn object_uuid(kind: &str, key: &str) -> Uuid {
    Uuid::new_v5(
        &Uuid::NAMESPACE_OID,
        format!("sagshub-playground:{kind}:{key}").as_bytes(),
    )
}

/// `urn:oio:cpr-nr:` + ten digits.
pub fn cpr_urn(cpr: &str) -> String {
    format!(
        "urn:oio:cpr-nr:{}",
        cpr.chars().filter(char::is_ascii_digit).collect::<String>()
    )
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn date_ts(d: NaiveDate) -> String {
    format!("{d}T00:00:00Z")
}

/// SF1470 status code.
pub fn status_code(s: Status) -> &'static str {
    match s {
        Status::Opened => "Opstaaet",
        Status::Investigated => "Oplyst",
        Status::Decided => "Afgjort",
        Status::Closed => "Afsluttet",
    }
}

fn foelsomhed(l: Level) -> &'static str {
    match l {
        Level::Normal => "IKKE_FORTROLIGE_DATA",
        Level::Confidential => "FORTROLIGE_PERSONOPLYSNINGER",
        Level::Sensitive => "FOELSOMME_PERSONOPLYSNINGER",
        Level::Vip => "VIP_SAGER",
    }
}

fn virkning(w: &mut Writer, ns: Ns, from: &str, to: Option<&str>) {
    w.open(ns, "Virkning");
    w.open(Ns::Sd, "FraTidspunkt")
        .leaf(Ns::Sd, "TidsstempelDatoTid", from)
        .close(Ns::Sd, "FraTidspunkt");
    w.open(Ns::Sd, "TilTidspunkt");
    match to {
        Some(to) => w.leaf(Ns::Sd, "TidsstempelDatoTid", to),
        None => w.leaf(Ns::Sd, "GraenseIndikator", "true"),
    };
    w.close(Ns::Sd, "TilTidspunkt");
    w.close(ns, "Virkning");
}

fn unik_id(w: &mut Writer, local: &str, value: &str) {
    w.open(Ns::Gd, local);
    if Uuid::parse_str(value).is_ok() {
        w.leaf(Ns::Sd, "UUIDIdentifikator", value);
    } else {
        w.leaf(Ns::Sd, "URNIdentifikator", value);
    }
    w.close(Ns::Gd, local);
}

/// One `gd:RelationType` body (Virkning, Rolle, Type, Indeks, ReferenceID, extension).
struct Rel<'a> {
    from: &'a str,
    rolle: &'a str,
    kind: Option<&'a str>,
    indeks: Option<String>,
    reference: &'a str,
}

fn relation(w: &mut Writer, ns: Ns, local: &str, r: &Rel<'_>, ext: impl FnOnce(&mut Writer)) {
    w.open(ns, local);
    virkning(w, Ns::Gd, r.from, None);
    unik_id(w, "Rolle", r.rolle);
    if let Some(kind) = r.kind {
        unik_id(w, "Type", kind);
    }
    if let Some(i) = &r.indeks {
        w.leaf(Ns::Gd, "Indeks", i);
    }
    unik_id(w, "ReferenceID", r.reference);
    w.open(Ns::Gd, "LokalUdvidelseListe");
    ext(w);
    w.close(Ns::Gd, "LokalUdvidelseListe");
    w.close(ns, local);
}

fn registrering_head(w: &mut Writer, ns: Ns, updated: DateTime<Utc>) {
    w.open(ns, "Registrering");
    w.leaf(Ns::Sd, "Tidspunkt", &ts(updated));
    w.leaf(Ns::Sd, "LivscyklusKode", "Importeret");
}

/// Write one `SagFiltreretOejebliksbillede`.
pub fn write_sag(w: &mut Writer, m: &Municipality, c: &SimCase, q: &Fremsoeg) {
    let opened = date_ts(c.opened);
    w.open(Ns::Sdi, "SagFiltreretOejebliksbillede");
    w.open(Ns::Sag, "ObjektType")
        .leaf(Ns::Sd, "UUIDIdentifikator", &c.uuid.to_string())
        .close(Ns::Sag, "ObjektType");
    registrering_head(w, Ns::Sag, c.updated_at);

    w.open(Ns::Sag, "AttributListe");
    if q.shows("egenskaber") {
        w.open(Ns::Sag, "Egenskaber");
        virkning(w, Ns::Sag, &opened, None);
        w.leaf(Ns::Sag, "BrugervendtNoegle", &c.sagsnummer);
        w.leaf(Ns::Sag, "Sagsnummer", &c.sagsnummer);
        w.leaf(Ns::Sag, "Titel", &c.title);
        w.close(Ns::Sag, "Egenskaber");
        w.open(Ns::Gd, "LokalUdvidelseListe");
        w.open(Ns::Si, "SagIndeksEgenskaber");
        virkning(w, Ns::Gd, &opened, None);
        w.leaf(Ns::Si, "Foelsomhed", foelsomhed(c.level));
        w.leaf(Ns::Si, "OprettetTidspunkt", &opened);
        w.close(Ns::Si, "SagIndeksEgenskaber");
        w.leaf(Ns::Gd, "SenestAendretTidspunkt", &ts(c.updated_at));
        w.close(Ns::Gd, "LokalUdvidelseListe");
    }
    w.close(Ns::Sag, "AttributListe");

    w.open(Ns::Sag, "TilstandListe");
    if q.shows("fremdrift") {
        let mut states: Vec<(String, Option<String>, &str)> = Vec::new();
        match c.closed {
            Some(closed) if c.status == Status::Closed => {
                states.push((opened.clone(), Some(date_ts(closed)), "Afgjort"));
                states.push((date_ts(closed), None, "Afsluttet"));
            }
            _ => states.push((opened.clone(), None, status_code(c.status))),
        }
        for (from, to, code) in &states {
            w.open(Ns::Sag, "Fremdrift");
            virkning(w, Ns::Sag, from, to.as_deref());
            w.leaf(Ns::Sag, "FremdriftStatusKode", code);
            w.close(Ns::Sag, "Fremdrift");
        }
    }
    w.close(Ns::Sag, "TilstandListe");

    w.open(Ns::Sag, "RelationListe");
    if q.shows("sagsaktoer") {
        let dept = m.department(c.department);
        let unit = object_uuid("enhed", c.department).to_string();
        let rel = Rel {
            from: &opened,
            rolle: "urn:oio:sagdok:aktoer:rolle:ansvarlig",
            kind: Some("urn:oio:sagdok:organisationenhed"),
            indeks: None,
            reference: &unit,
        };
        relation(w, Ns::Sag, "Sagsaktoer", &rel, |w| {
            w.open(Ns::Si, "SagsaktoerLokalUdvidelse");
            w.leaf(Ns::Si, "BrugervendtNoegle", c.department);
            w.leaf(Ns::Si, "FuldtNavn", dept.map_or(c.department, |d| d.name));
            w.close(Ns::Si, "SagsaktoerLokalUdvidelse");
        });
        if let Some(staff) = m.staff.get(c.caseworker) {
            let user = object_uuid("bruger", &staff.id.to_string()).to_string();
            let rel = Rel {
                from: &opened,
                rolle: "urn:oio:sagdok:aktoer:rolle:sagsbehandler",
                kind: Some("urn:oio:sagdok:bruger"),
                indeks: None,
                reference: &user,
            };
            relation(w, Ns::Sag, "Sagsaktoer", &rel, |w| {
                w.open(Ns::Si, "SagsaktoerLokalUdvidelse");
                w.leaf(Ns::Si, "FuldtNavn", &staff.name);
                w.close(Ns::Si, "SagsaktoerLokalUdvidelse");
            });
        }
    }
    if q.shows("sagsklasse") {
        let emne = format!("urn:oio:kle:emne:{}", c.kle);
        let rel = Rel {
            from: &opened,
            rolle: "urn:oio:sagdok:klasse:rolle:primaerklasse",
            kind: Some("urn:oio:sagdok:klasse"),
            indeks: None,
            reference: &emne,
        };
        let klassetitel = m
            .department(c.department)
            .and_then(|d| d.kle_topics.iter().find(|(k, _)| *k == c.kle))
            .map(|(_, t)| *t);
        relation(w, Ns::Sag, "Sagsklasse", &rel, |w| {
            w.open(Ns::Si, "SagsklasseLokalUdvidelse");
            w.leaf(Ns::Si, "Facettitel", "Emne");
            if let Some(t) = klassetitel {
                w.leaf(Ns::Si, "Klassetitel", t);
            }
            w.leaf(Ns::Si, "BrugervendtNoegle", &c.kle);
            w.close(Ns::Si, "SagsklasseLokalUdvidelse");
        });
        let facet = format!("urn:oio:kle:handlingsfacet:{}", c.handlingsfacet);
        let rel = Rel {
            from: &opened,
            rolle: "urn:oio:sagdok:klasse:rolle:handlingsfacet",
            kind: Some("urn:oio:sagdok:klasse"),
            indeks: None,
            reference: &facet,
        };
        relation(w, Ns::Sag, "Sagsklasse", &rel, |w| {
            w.open(Ns::Si, "SagsklasseLokalUdvidelse");
            w.leaf(Ns::Si, "Facettitel", "Handlingsfacet");
            w.leaf(Ns::Si, "BrugervendtNoegle", &c.handlingsfacet);
            w.close(Ns::Si, "SagsklasseLokalUdvidelse");
        });
    }
    if q.shows("sagspart") {
        let parties = std::iter::once((c.primary, "urn:oio:sagdok:part:rolle:primaer")).chain(
            c.secondary
                .iter()
                .map(|s| (*s, "urn:oio:sagdok:part:rolle:sekundaer")),
        );
        for (idx, rolle) in parties {
            let Some(citizen) = m.citizens.get(idx) else {
                continue;
            };
            let urn = cpr_urn(&citizen.cpr);
            let rel = Rel {
                from: &opened,
                rolle,
                kind: Some("urn:oio:sagdok:person"),
                indeks: None,
                reference: &urn,
            };
            relation(w, Ns::Sag, "Sagspart", &rel, |w| {
                w.open(Ns::Si, "SagspartLokalUdvidelse");
                w.leaf(Ns::Si, "FuldtNavn", &citizen.name());
                w.close(Ns::Si, "SagspartLokalUdvidelse");
            });
        }
    }
    w.close(Ns::Sag, "RelationListe");
    w.close(Ns::Sag, "Registrering");
    w.close(Ns::Sdi, "SagFiltreretOejebliksbillede");
}

/// The SF1470 document type of a kind.
fn dokument_type(k: DocKind) -> &'static str {
    match k {
        DocKind::Incoming => "Brev, indgaaende",
        DocKind::Outgoing => "Brev, udgaaende",
        DocKind::Note => "Internt Notat",
        DocKind::Internal => "Andet",
    }
}

/// Write one `DokumentFiltreretOejebliksbillede`; `size` is the rendered size in bytes.
pub fn write_dokument(w: &mut Writer, c: &SimCase, d: &SimDocument, size: usize, q: &Fremsoeg) {
    let from = date_ts(d.letter_date);
    w.open(Ns::Sdi, "DokumentFiltreretOejebliksbillede");
    w.open(Ns::Di, "ObjektType")
        .leaf(Ns::Sd, "UUIDIdentifikator", &d.uuid.to_string())
        .close(Ns::Di, "ObjektType");
    registrering_head(w, Ns::Di, c.updated_at);
    w.open(Ns::Di, "AttributListe");
    if q.shows("egenskaber") {
        w.open(Ns::Di, "Egenskaber");
        virkning(w, Ns::Di, &from, None);
        w.leaf(
            Ns::Di,
            "BrugervendtNoegle",
            &format!("{}-{}", c.sagsnummer, d.aktnummer),
        );
        w.leaf(Ns::Di, "Titel", &d.title);
        w.leaf(Ns::Di, "BrevDato", &d.letter_date.to_string());
        w.leaf(Ns::Di, "Dokumentnummer", &format!("D{:08}", d.id));
        w.leaf(Ns::Di, "Foelsomhed", foelsomhed(d.level));
        w.leaf(Ns::Di, "Type", dokument_type(d.kind));
        w.close(Ns::Di, "Egenskaber");
        w.open(Ns::Gd, "LokalUdvidelseListe");
        w.open(Ns::Ind, "DokumentIndhold");
        w.leaf(Ns::Ind, "MimeType", d.format.mime_type());
        w.leaf(Ns::Ind, "Stoerrelse", &size.to_string());
        w.close(Ns::Ind, "DokumentIndhold");
        w.close(Ns::Gd, "LokalUdvidelseListe");
    }
    w.close(Ns::Di, "AttributListe");
    w.open(Ns::Di, "TilstandListe");
    if q.shows("fremdrift") {
        w.open(Ns::Di, "Fremdrift");
        virkning(w, Ns::Di, &from, None);
        w.leaf(
            Ns::Di,
            "FremdriftStatusKode",
            if d.kind == DocKind::Incoming {
                "Modtaget"
            } else {
                "Endeligt"
            },
        );
        w.close(Ns::Di, "Fremdrift");
    }
    w.close(Ns::Di, "TilstandListe");
    w.open(Ns::Di, "RelationListe");
    if q.shows("dokument") || q.shows("egenskaber") {
        let case = c.uuid.to_string();
        let rel = Rel {
            from: &from,
            rolle: "urn:oio:sagdok:dokument:rolle:sag",
            kind: Some("urn:oio:sagdok:sag"),
            indeks: Some(d.aktnummer.to_string()),
            reference: &case,
        };
        relation(w, Ns::Di, "Dokumentrelation", &rel, |_| {});
    }
    w.close(Ns::Di, "RelationListe");
    w.close(Ns::Di, "Registrering");
    w.close(Ns::Sdi, "DokumentFiltreretOejebliksbillede");
}
