//! Building SF1470 requests. Pure string building with escaping; fixed prefixes of our own.

use chrono::{DateTime, SecondsFormat, Utc};

use super::ns;
use super::xml::esc;
use crate::model::{PartyKey, ProgressStatus, SearchQuery};

/// The `SOAPAction` of `fremsoeg` (WSDL binding).
pub const ACTION_FREMSOEG: &str = "http://kombit.dk/sts/sagdokumentindeks/fremsoeg";
/// The `SOAPAction` of the content operation.
pub const ACTION_INDHOLD: &str = "urn:sagshub:playground:sf1470:indhold:1/HentDokumentIndhold";

/// The reference URN of a party (`urn:oio:cpr-nr:DDMMYYSSSS`, `urn:oio:cvr-nr:NNNNNNNN`).
pub fn party_urn(key: &PartyKey) -> String {
    match key {
        PartyKey::Cpr(d) => format!("urn:oio:cpr-nr:{d}"),
        PartyKey::Cvr(d) => format!("urn:oio:cvr-nr:{d}"),
    }
}

fn envelope(transaction: &str, body: &str) -> String {
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            r#"<soap:Envelope xmlns:soap="{soap}" xmlns:h="{hdr}" xmlns:sdi="{sdi}" xmlns:sag="{sag}" xmlns:di="{di}" xmlns:sd="{sd}" xmlns:gd="{gd}" xmlns:si="{si}" xmlns:ind="{ind}">"#,
            "<soap:Header><h:RequestHeader><h:TransactionUUID>{tx}</h:TransactionUUID></h:RequestHeader></soap:Header>",
            "<soap:Body>{body}</soap:Body></soap:Envelope>"
        ),
        soap = ns::SOAP,
        hdr = ns::HDR,
        sdi = ns::SDI,
        sag = ns::SAG,
        di = ns::DI,
        sd = ns::SD,
        gd = ns::GD,
        si = ns::SI,
        ind = ns::IND,
        tx = esc(transaction),
        body = body
    )
}

fn fremsoeg(transaction: &str, inner: &str) -> String {
    envelope(
        transaction,
        &format!(
            "<sdi:FremsoegSagDokumentIndeksInput>{inner}</sdi:FremsoegSagDokumentIndeksInput>"
        ),
    )
}

fn paging(first: usize, max: usize) -> String {
    format!(
        "<sd:FoersteResultatReference>{first}</sd:FoersteResultatReference><sd:MaksimalAntalKvantitet>{max}</sd:MaksimalAntalKvantitet>"
    )
}

fn tidspunkt(t: DateTime<Utc>) -> String {
    format!(
        "<sd:TidsstempelDatoTid>{}</sd:TidsstempelDatoTid>",
        t.to_rfc3339_opts(SecondsFormat::Micros, true)
    )
}

/// Criteria of one `SoegSag`.
#[derive(Default)]
pub(crate) struct SoegSag<'a> {
    pub paging: Option<(usize, usize)>,
    pub registered_from: Option<DateTime<Utc>>,
    pub title: Option<&'a str>,
    pub status: Option<ProgressStatus>,
    pub kle_prefix: Option<&'a str>,
    pub party: Option<&'a PartyKey>,
    pub department: Option<&'a str>,
}

fn status_code(s: ProgressStatus) -> &'static str {
    match s {
        ProgressStatus::Opstaaet => "Opstaaet",
        ProgressStatus::Oplyst => "Oplyst",
        ProgressStatus::Afgjort => "Afgjort",
        ProgressStatus::Afsluttet => "Afsluttet",
    }
}

fn urn_ref(urn: &str) -> String {
    format!(
        "<gd:ReferenceID><sd:URNIdentifikator>{}</sd:URNIdentifikator></gd:ReferenceID>",
        esc(urn)
    )
}

fn soeg_sag(s: &SoegSag<'_>) -> String {
    let mut x = String::from("<sdi:SoegSag>");
    if let Some((first, max)) = s.paging {
        x.push_str(&paging(first, max));
    }
    if let Some(from) = s.registered_from {
        x.push_str(&format!(
            "<sd:SoegRegistrering><sd:FraTidspunkt>{}</sd:FraTidspunkt></sd:SoegRegistrering>",
            tidspunkt(from)
        ));
    }
    x.push_str("<sag:AttributListe>");
    if let Some(t) = s.title {
        x.push_str(&format!(
            "<sag:Egenskaber><sag:Titel>{}</sag:Titel></sag:Egenskaber>",
            esc(t)
        ));
    }
    x.push_str("</sag:AttributListe><sag:TilstandListe>");
    if let Some(st) = s.status {
        x.push_str(&format!(
            "<sag:Fremdrift><sag:FremdriftStatusKode>{}</sag:FremdriftStatusKode></sag:Fremdrift>",
            status_code(st)
        ));
    }
    x.push_str("</sag:TilstandListe><sag:RelationListe>");
    if let Some(dept) = s.department {
        x.push_str(&format!(
            "<sag:Sagsaktoer><gd:LokalUdvidelseListe><si:SagsaktoerLokalUdvidelse><si:FuldtNavn>{}</si:FuldtNavn></si:SagsaktoerLokalUdvidelse></gd:LokalUdvidelseListe></sag:Sagsaktoer>",
            esc(dept)
        ));
    }
    if let Some(kle) = s.kle_prefix {
        x.push_str(&format!(
            "<sag:Sagsklasse>{}</sag:Sagsklasse>",
            urn_ref(&format!("urn:oio:kle:emne:{kle}"))
        ));
    }
    if let Some(p) = s.party {
        x.push_str(&format!(
            "<sag:Sagspart>{}</sag:Sagspart>",
            urn_ref(&party_urn(p))
        ));
    }
    x.push_str("</sag:RelationListe></sdi:SoegSag>");
    x
}

const SAG_VIS: &str = "<sdi:Filter><sdi:SagVis><sdi:Vis>egenskaber</sdi:Vis></sdi:SagVis><sdi:SagVis><sdi:Vis>fremdrift</sdi:Vis></sdi:SagVis><sdi:SagVis><sdi:Vis>sagsklasse</sdi:Vis></sdi:SagVis><sdi:SagVis><sdi:Vis>sagsaktoer</sdi:Vis></sdi:SagVis><sdi:SagVis><sdi:Vis>sagspart</sdi:Vis></sdi:SagVis></sdi:Filter>";

/// `fremsoeg` for cases where any of `parties` is a party: one `SoegSag` per party, ORed.
pub fn cases_for_parties(
    transaction: &str,
    parties: &[PartyKey],
    first: usize,
    max: usize,
) -> String {
    let mut x = String::from("<sdi:SoegUdtryk><sdi:operation>OR</sdi:operation>");
    for (i, p) in parties.iter().enumerate() {
        x.push_str(&soeg_sag(&SoegSag {
            paging: (i == 0).then_some((first, max)),
            party: Some(p),
            ..SoegSag::default()
        }));
    }
    x.push_str("</sdi:SoegUdtryk>");
    x.push_str(SAG_VIS);
    fremsoeg(transaction, &x)
}

/// `fremsoeg` for cases by UUID.
pub fn cases_by_ids(transaction: &str, ids: &[&str]) -> String {
    let mut x: String = ids
        .iter()
        .map(|id| format!("<sdi:SagUuid>{}</sdi:SagUuid>", esc(id)))
        .collect();
    x.push_str(SAG_VIS);
    fremsoeg(transaction, &x)
}

/// `fremsoeg` for the documents of cases: one `SoegDokument` per case, ORed.
pub fn documents_of_cases(
    transaction: &str,
    case_ids: &[&str],
    first: usize,
    max: usize,
) -> String {
    let mut x = String::from("<sdi:SoegUdtryk><sdi:operation>OR</sdi:operation>");
    for (i, id) in case_ids.iter().enumerate() {
        x.push_str("<sdi:SoegDokument>");
        if i == 0 {
            x.push_str(&paging(first, max));
        }
        x.push_str(&format!(
            "<di:AttributListe/><di:TilstandListe/><di:RelationListe><di:Dokumentrelation><gd:ReferenceID><sd:UUIDIdentifikator>{}</sd:UUIDIdentifikator></gd:ReferenceID></di:Dokumentrelation></di:RelationListe></sdi:SoegDokument>",
            esc(id)
        ));
    }
    x.push_str("</sdi:SoegUdtryk>");
    fremsoeg(transaction, &x)
}

/// `fremsoeg` for a search.
pub fn search(transaction: &str, q: &SearchQuery, max: usize) -> String {
    let s = SoegSag {
        paging: Some((0, max)),
        title: q.text.as_deref().filter(|t| !t.trim().is_empty()),
        status: q.status,
        kle_prefix: q.kle_prefix.as_deref(),
        department: q.department.as_deref(),
        ..SoegSag::default()
    };
    fremsoeg(
        transaction,
        &format!("<sdi:SoegUdtryk>{}</sdi:SoegUdtryk>{SAG_VIS}", soeg_sag(&s)),
    )
}

/// `fremsoeg` for cases registered at or after `from`, sorted by registration time.
pub fn registered_since(
    transaction: &str,
    from: Option<DateTime<Utc>>,
    first: usize,
    max: usize,
) -> String {
    let s = SoegSag {
        paging: Some((first, max)),
        registered_from: from,
        ..SoegSag::default()
    };
    fremsoeg(
        transaction,
        &format!(
            "<sdi:SoegUdtryk>{}</sdi:SoegUdtryk>{SAG_VIS}<sdi:Sortering><sdi:SagSortering><sdi:Element>Registreringstidspunkt</sdi:Element><sdi:Retning>Stigende</sdi:Retning><sdi:Prioritet>1</sdi:Prioritet></sdi:SagSortering></sdi:Sortering>",
            soeg_sag(&s)
        ),
    )
}

/// A cheap probe: one case, properties and state only.
pub fn health(transaction: &str) -> String {
    let s = SoegSag {
        paging: Some((0, 1)),
        ..SoegSag::default()
    };
    fremsoeg(
        transaction,
        &format!(
            "<sdi:SoegUdtryk>{}</sdi:SoegUdtryk><sdi:Filter><sdi:SagVis><sdi:Vis>egenskaber</sdi:Vis></sdi:SagVis><sdi:SagVis><sdi:Vis>fremdrift</sdi:Vis></sdi:SagVis></sdi:Filter>",
            soeg_sag(&s)
        ),
    )
}

/// `HentDokumentIndhold` for one document.
pub fn indhold(transaction: &str, document_id: &str) -> String {
    envelope(
        transaction,
        &format!(
            "<ind:HentDokumentIndhold><ind:DokumentUUID>{}</ind:DokumentUUID></ind:HentDokumentIndhold>",
            esc(document_id)
        ),
    )
}
