//! The cover letter (*følgebrev* with the decision) and the reading guide (*læsevejledning*),
//! in Danish for the citizen.

use chrono::{Datelike, NaiveDate};

use super::layout::{A4, BODY, Flow, footers};
use super::text::Face;
use super::{BundleRequest, Entry, list};
use crate::grounds::LegalGround;
use crate::screen::LegalBasis;

/// The laid-out front matter.
pub(crate) struct FrontMatter {
    /// One content stream per page.
    pub(crate) pages: Vec<super::text::Content>,
    /// Page index (0-based) where the reading guide starts.
    pub(crate) guide_page: usize,
    /// Page index where the document list starts.
    pub(crate) list_page: usize,
}

/// Counts for the decision.
pub(crate) struct Counts {
    pub(crate) full: usize,
    pub(crate) partial: usize,
    pub(crate) withheld: usize,
    pub(crate) cases: usize,
    pub(crate) document_pages: u32,
}

/// Height and position of the logo, if one is drawn.
pub(crate) const LOGO_HEIGHT: f32 = 40.0;

/// Lays out the cover letter, the reading guide and the document list. `logo` is the logo's
/// aspect ratio (width / height) when there is one.
pub(crate) fn layout(
    request: &BundleRequest,
    entries: &[Entry],
    counts: &Counts,
    logo: Option<f32>,
) -> FrontMatter {
    let mut flow = Flow::new();
    letter(&mut flow, request, entries, counts, logo);
    flow.new_page();
    let guide_page = flow.page_index();
    guide(&mut flow, request, entries, counts);
    flow.new_page();
    let list_page = flow.page_index();
    list::document_list(&mut flow, entries, counts);
    let mut pages = flow.finish();
    let m = &request.municipality;
    footers(
        &mut pages,
        &format!("{} · Aktindsigt {}", m.name, request.request_reference),
    );
    FrontMatter {
        pages,
        guide_page,
        list_page,
    }
}

/// `3. maj 2024`.
pub(crate) fn long_date(d: NaiveDate) -> String {
    const MONTHS: [&str; 12] = [
        "januar",
        "februar",
        "marts",
        "april",
        "maj",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "december",
    ];
    format!("{}. {} {}", d.day(), MONTHS[d.month0() as usize], d.year())
}

/// `1 dokument`, `2 dokumenter`.
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Ends `text` with a full stop unless it already ends a sentence.
fn sentence(text: &str) -> String {
    let t = text.trim();
    if t.ends_with(['.', '!', '?']) {
        t.to_owned()
    } else {
        format!("{t}.")
    }
}

/// The grounds used, in order of first use, with how many documents use each.
pub(crate) fn grounds_used(entries: &[Entry]) -> Vec<(&LegalGround, usize)> {
    let mut used: Vec<(&LegalGround, usize)> = Vec::new();
    for entry in entries {
        let mut seen_here: Vec<&str> = Vec::new();
        for ground in &entry.doc.grounds {
            if seen_here.contains(&ground.code.as_str()) {
                continue;
            }
            seen_here.push(&ground.code);
            match used.iter_mut().find(|(g, _)| g.code == ground.code) {
                Some((_, n)) => *n += 1,
                None => used.push((ground, 1)),
            }
        }
    }
    used
}

fn letter(flow: &mut Flow, r: &BundleRequest, entries: &[Entry], c: &Counts, logo: Option<f32>) {
    let m = &r.municipality;
    let top = flow.y();
    // Letterhead: sender top left, logo top right.
    flow.line(Face::Bold, 14.0, 0.0, &m.name);
    for line in &m.address_lines {
        flow.line(Face::Regular, 9.0, 0.0, line);
    }
    if !m.cvr.trim().is_empty() {
        flow.line(Face::Regular, 9.0, 0.0, &format!("CVR {}", m.cvr));
    }
    if let Some(aspect) = logo {
        let (h, w) = (LOGO_HEIGHT, LOGO_HEIGHT * aspect);
        let x = flow.right() - w;
        let y = top - h;
        flow.content().raw(&format!(
            "q {w:.2} 0 0 {h:.2} {x:.2} {y:.2} cm /Logo Do Q\n"
        ));
    }

    // Recipient at the window-envelope position, date and reference on the right.
    let block_top = A4.1 - 150.0;
    flow.set_y(block_top);
    let meta_x = flow.right() - 170.0;
    let mut meta = vec![
        ("Dato", long_date(r.decided)),
        ("Vores reference", r.request_reference.clone()),
    ];
    if let Some(name) = &r.caseworker_name {
        meta.push(("Sagsbehandler", name.clone()));
    }
    let labels: Vec<String> = meta.iter().map(|(label, _)| format!("{label}:")).collect();
    let label_width = labels
        .iter()
        .map(|l| Face::Bold.width(l, 9.0))
        .fold(0.0, f32::max);
    let value_x = meta_x + label_width + 6.0;
    let mut y = block_top;
    for (label, (_, value)) in labels.iter().zip(&meta) {
        y -= Flow::line_height(9.0);
        flow.content().text(Face::Bold, 9.0, meta_x, y, label);
        flow.content().text(Face::Regular, 9.0, value_x, y, value);
    }
    flow.line(Face::Regular, BODY, 0.0, &r.recipient_name);
    for line in &r.recipient_address_lines {
        flow.line(Face::Regular, BODY, 0.0, line);
    }
    flow.set_y(y);
    flow.set_y(A4.1 - 250.0);

    let title = if r.version > 1 {
        format!("Afgørelse om aktindsigt – version {}", r.version)
    } else {
        "Afgørelse om aktindsigt".to_owned()
    };
    flow.paragraph(Face::Bold, 16.0, &title);
    flow.paragraph(Face::Regular, BODY, &format!("Kære {}", r.recipient_name));
    let basis = match r.legal_basis {
        LegalBasis::PartyAccess => {
            "forvaltningslovens regler om partsaktindsigt, fordi du er part i sagerne \
             (forvaltningslovens § 9)"
        }
        LegalBasis::PublicAccess => {
            "offentlighedslovens regler om aktindsigt (offentlighedslovens § 7)"
        }
        LegalBasis::Gdpr15 => {
            "reglerne om din ret til indsigt i de oplysninger, vi behandler om dig \
             (databeskyttelsesforordningens artikel 15)"
        }
    };
    flow.paragraph(
        Face::Regular,
        BODY,
        &format!(
            "Du bad den {} om aktindsigt. Vi har behandlet din anmodning efter {basis}. I dette \
             brev kan du læse vores afgørelse. Dokumenterne følger efter brevet.",
            long_date(r.received)
        ),
    );
    if r.version > 1 {
        let mut text = format!(
            "Dette er version {} af afgørelsen. Den erstatter den afgørelse og det materiale, vi \
             sendte dig tidligere.",
            r.version
        );
        if let Some(note) = &r.previous_version_note {
            text.push_str(&format!(" Det har vi ændret: {}", sentence(note)));
        }
        flow.paragraph(Face::Regular, BODY, &text);
    }

    flow.heading(12.0, "Afgørelse");
    decision(flow, c);

    let used = grounds_used(entries);
    if !used.is_empty() {
        flow.heading(12.0, "Begrundelse");
        flow.paragraph(
            Face::Regular,
            BODY,
            "Vi har overstreget oplysninger eller undtaget dokumenter efter de regler, der står \
             herunder. I dokumentfortegnelsen kan du se, hvilke regler vi har brugt i hvert \
             enkelt dokument.",
        );
        for (ground, n) in used {
            flow.ensure(3.0 * Flow::line_height(BODY));
            flow.paragraph_indented(
                Face::Bold,
                BODY,
                0.0,
                &format!("{} – {}", ground.paragraph, ground.label),
            );
            flow.paragraph(
                Face::Regular,
                BODY,
                &format!(
                    "{} Vi har brugt reglen i {}.",
                    sentence(&ground.text),
                    count(n, "dokument", "dokumenter")
                ),
            );
        }
    }

    if let Some(reason) = &r.incompleteness_accepted {
        flow.heading(12.0, "Aktindsigten er ikke fuldstændig");
        flow.paragraph(
            Face::Regular,
            BODY,
            &format!(
                "Vi har ikke kunnet få alle dokumenter med. {} Vi har valgt at sende dig det, vi \
                 har nu, så du ikke skal vente. Kontakt os, hvis du vil have aktindsigt i de \
                 manglende dokumenter, når vi kan finde dem.",
                sentence(reason)
            ),
        );
    }

    complaints(flow, r, entries);

    flow.heading(12.0, "Har du spørgsmål?");
    flow.paragraph(
        Face::Regular,
        BODY,
        &format!(
            "Du er velkommen til at kontakte os, hvis du har spørgsmål til afgørelsen eller \
             materialet: {}. Oplys venligst referencen {}.",
            r.municipality.contact.trim().trim_end_matches('.'),
            r.request_reference
        ),
    );
    flow.space(6.0);
    flow.ensure(4.0 * Flow::line_height(BODY));
    flow.line(Face::Regular, BODY, 0.0, "Venlig hilsen");
    flow.space(Flow::line_height(BODY));
    if let Some(name) = &r.caseworker_name {
        flow.line(Face::Regular, BODY, 0.0, name);
    }
    flow.line(Face::Regular, BODY, 0.0, &r.municipality.name);
}

fn decision(flow: &mut Flow, c: &Counts) {
    let total = c.full + c.partial + c.withheld;
    if total == 0 {
        flow.paragraph(
            Face::Regular,
            BODY,
            "Vi har ikke fundet dokumenter, som din anmodning omfatter.",
        );
        return;
    }
    flow.paragraph_indented(
        Face::Regular,
        BODY,
        0.0,
        &format!(
            "Vi har fundet {} i {}. Du får aktindsigt sådan:",
            count(total, "dokument", "dokumenter"),
            count(c.cases, "sag", "sager")
        ),
    );
    flow.space(3.0);
    let items = [
        (c.full, "får du hele"),
        (c.partial, "får du med enkelte oplysninger overstreget"),
        (c.withheld, "får du ikke aktindsigt i"),
    ];
    for (n, what) in items {
        if n > 0 {
            flow.bullet(
                BODY,
                &format!("{} {what}", count(n, "dokument", "dokumenter")),
            );
        }
    }
    flow.space(4.0);
    let conclusion = if c.partial == 0 && c.withheld == 0 {
        "Du får altså fuld aktindsigt."
    } else if c.full == 0 && c.partial == 0 {
        "Du får altså afslag på aktindsigt. Begrundelsen står herunder."
    } else {
        "Du får altså delvis aktindsigt og afslag på resten. Begrundelsen står herunder."
    };
    flow.paragraph(Face::Regular, BODY, conclusion);
}

fn complaints(flow: &mut Flow, r: &BundleRequest, entries: &[Entry]) {
    let mut departments: Vec<&str> = Vec::new();
    for entry in entries {
        if !departments.contains(&entry.doc.department.as_str()) {
            departments.push(&entry.doc.department);
        }
    }
    flow.heading(12.0, "Klagevejledning");
    flow.paragraph(Face::Regular, BODY, "Du kan klage over afgørelsen.");
    for department in departments {
        let guidance = r
            .complaint_guidance
            .iter()
            .find(|g| g.department == department)
            .map(|g| g.text.as_str())
            .unwrap_or(
                "Kontakt os, hvis du vil klage over afgørelsen, så fortæller vi dig, hvor du skal \
                 sende klagen, og hvilken frist der gælder.",
            );
        flow.ensure(3.0 * Flow::line_height(BODY));
        flow.paragraph_indented(Face::Bold, BODY, 0.0, department);
        flow.paragraph(Face::Regular, BODY, guidance);
    }
}

fn guide(flow: &mut Flow, r: &BundleRequest, entries: &[Entry], c: &Counts) {
    flow.paragraph(Face::Bold, 16.0, "Læsevejledning");
    flow.heading(12.0, "Sådan er materialet bygget op");
    flow.paragraph_indented(
        Face::Regular,
        BODY,
        0.0,
        "Materialet er én samlet PDF-fil. Det består af:",
    );
    flow.space(3.0);
    for item in [
        "brevet med vores afgørelse",
        "denne læsevejledning",
        "dokumentfortegnelsen: en liste over alle dokumenter i din aktindsigt – også dem, du \
         ikke får",
        "selve dokumenterne, sorteret efter sag og derefter aktnummer. Hvert dokument begynder \
         på en ny side.",
    ] {
        flow.bullet(BODY, item);
    }
    flow.space(6.0);

    flow.heading(12.0, "Sidetal og stempel");
    flow.paragraph(
        Face::Regular,
        BODY,
        &format!(
            "Brevet, læsevejledningen og dokumentfortegnelsen har sidetal med romertal: i, ii, \
             iii og så videre. Dokumenterne har sidetal fra 1 til {}. Nederst på hver side af \
             dokumenterne står et stempel med sagsnummer, aktnummer og sidetal, for eksempel:",
            c.document_pages
        ),
    );
    let example = entries.iter().find(|e| e.first_page.is_some());
    let (sag, akt, page) = example.map_or(("27.24.00-G01-1-24".to_owned(), 1, 1), |e| {
        (
            e.doc.sagsnummer.clone(),
            e.doc.aktnummer,
            e.first_page.unwrap_or(1),
        )
    });
    flow.ensure(30.0);
    flow.space(16.0);
    let (x0, x1, y) = (flow.left(), flow.right(), flow.y());
    let content = flow.content();
    content.fill_grey(0.93);
    content.rect(x0, y - 6.0, x1 - x0, 20.0);
    content.fill_grey(0.25);
    content.text(
        Face::Regular,
        7.5,
        x0 + 6.0,
        y,
        &format!("Sag {sag} · Akt {akt}"),
    );
    let total = c.document_pages.max(1);
    content.text_right(
        Face::Regular,
        7.5,
        x1 - 6.0,
        y,
        &format!("Side {page} af {total}"),
    );
    content.fill_grey(0.0);
    flow.space(14.0);
    flow.paragraph(
        Face::Regular,
        BODY,
        "Sidetallet i stemplet er det samme, som står i dokumentfortegnelsens kolonne »Side«, og \
         det samme, som et PDF-program viser. For at give plads til stemplet er dokumenternes \
         sider gjort en smule mindre.",
    );

    flow.heading(12.0, "Overstregninger");
    let code = grounds_used(entries)
        .first()
        .map_or("OFL § 30, nr. 1".to_owned(), |(g, _)| g.paragraph.clone());
    flow.ensure(30.0);
    flow.space(18.0);
    let (x, y) = (flow.left(), flow.y());
    let w = Face::Bold.width(&code, 8.0) + 16.0;
    let content = flow.content();
    content.fill_grey(0.0);
    content.rect(x, y - 5.0, w, 16.0);
    content.fill_grey(1.0);
    content.text(Face::Bold, 8.0, x + 8.0, y, &code);
    content.fill_grey(0.0);
    flow.space(12.0);
    flow.paragraph(
        Face::Regular,
        BODY,
        &format!(
            "Hvor vi har fjernet oplysninger, står der en sort boks som denne. I boksen står den \
             regel, vi har brugt – her {code}. I brevet kan du læse, hvad reglerne betyder. \
             Oplysningerne under boksen er slettet fra filen. De kan ikke gøres synlige, \
             kopieres eller søges frem."
        ),
    );
    flow.paragraph(
        Face::Regular,
        BODY,
        "Forkortelserne betyder: OFL er offentlighedsloven, FVL er forvaltningsloven, DBL er \
         databeskyttelsesloven, og GDPR er databeskyttelsesforordningen.",
    );

    flow.heading(12.0, "Dokumentfortegnelsen");
    flow.paragraph_indented(
        Face::Regular,
        BODY,
        0.0,
        "Fortegnelsen har en linje for hvert dokument. Kolonnerne betyder:",
    );
    flow.space(3.0);
    for item in [
        "Akt: dokumentets nummer i sagen (aktnummer).",
        "Dato: dokumentets dato.",
        "Titel: dokumentets titel.",
        "Sag: sagens nummer og titel.",
        "System: det it-system, dokumentet kommer fra.",
        "Udlevering: »Fuld« betyder, at du får hele dokumentet. »Delvis« betyder, at nogle \
         oplysninger er overstreget. »Undtaget« betyder, at du ikke får dokumentet.",
        "Hjemmel: den eller de regler, vi har brugt til at overstrege eller undtage.",
        "Side: den side, hvor dokumentet begynder. Står der –, får du ikke dokumentet.",
    ] {
        flow.bullet(BODY, item);
    }
    flow.space(6.0);

    flow.heading(12.0, "Bogmærker");
    flow.paragraph(
        Face::Regular,
        BODY,
        "Åbner du filen i et PDF-program, kan du bruge bogmærkerne til at springe direkte til \
         brevet, fortegnelsen, en sag eller et dokument.",
    );

    flow.heading(12.0, "Spørgsmål");
    flow.paragraph(
        Face::Regular,
        BODY,
        &format!(
            "Kontakt {}: {}. Oplys venligst referencen {}.",
            r.municipality.name,
            r.municipality.contact.trim().trim_end_matches('.'),
            r.request_reference
        ),
    );
}
