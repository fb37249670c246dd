//! KLE (Kommunernes Landsforening's journal plan) labels the index searches, and KLE prefix
//! filters.
//!
//! The table covers the main groups and the subjects the municipality's systems use; a
//! subject it does not know is indexed by its main group's label alone.

/// Main groups (`hovedgrupper`).
const MAIN_GROUPS: &[(&str, &str)] = &[
    ("00", "Kommunens styrelse"),
    ("02", "Byggeri"),
    ("05", "Veje og trafik"),
    ("07", "Forsyning"),
    ("09", "Miljøbeskyttelse"),
    ("15", "Arbejdsmarkedsforanstaltninger"),
    ("17", "Undervisning og uddannelse"),
    ("23", "Personregistrering"),
    ("27", "Social service"),
    ("28", "Dagtilbud til børn og unge"),
    ("29", "Sundhed"),
    ("32", "Kontante ydelser"),
];

/// Subjects (`emner`), `hovedgruppe.gruppe.emne`.
const SUBJECTS: &[(&str, &str)] = &[
    ("02.00.00", "Byggeri i almindelighed, enfamiliehus"),
    ("02.34.00", "Byggetilladelse, carport og garage"),
    ("05.04.00", "Råden over vejareal"),
    ("07.20.00", "Affald og genbrug"),
    ("09.02.00", "Miljøtilsyn"),
    ("15.02.00", "Jobafklaringsforløb"),
    ("15.04.00", "Kontanthjælp"),
    ("15.20.00", "Fleksjob"),
    ("15.24.00", "Ressourceforløb"),
    ("15.28.00", "Sygedagpenge"),
    ("17.01.00", "Skoleindskrivning"),
    ("17.03.00", "Specialundervisning"),
    ("17.06.00", "Befordring af elever"),
    ("17.24.00", "Pædagogisk-psykologisk rådgivning"),
    ("23.05.00", "Folkeregistrering og flytning"),
    ("23.10.00", "Sygesikring og lægevalg"),
    ("27.12.00", "Hjælp i særlige tilfælde"),
    ("27.21.00", "Underretning om børn og unge"),
    ("27.24.00", "Børnefaglig undersøgelse"),
    ("27.27.00", "Forebyggende foranstaltninger for børn og unge"),
    ("27.30.00", "Anbringelse af børn og unge uden for hjemmet"),
    (
        "27.33.00",
        "Merudgifter ved forsørgelse af børn med handicap",
    ),
    ("27.36.00", "Hjælpemidler"),
    ("28.03.00", "Pladsanvisning i dagtilbud"),
    ("29.03.00", "Plejeboliger, visitation"),
    ("29.09.00", "Hjemmehjælp"),
    ("29.15.00", "Genoptræning"),
    ("29.30.00", "Kommunal tandpleje"),
    ("32.18.00", "Boligstøtte"),
    ("32.24.00", "Personligt tillæg til pension"),
];

/// The label of a KLE subject number: the subject's and its main group's, where known
/// (`27.24.00` → `Børnefaglig undersøgelse · Social service`); empty when neither is.
pub fn label(kle: &str) -> String {
    let subject = SUBJECTS.iter().find(|(k, _)| *k == kle).map(|(_, l)| *l);
    let main = kle
        .get(..2)
        .and_then(|g| MAIN_GROUPS.iter().find(|(k, _)| *k == g))
        .map(|(_, l)| *l);
    match (subject, main) {
        (Some(s), Some(m)) => format!("{s} · {m}"),
        (Some(s), None) => s.to_owned(),
        (None, Some(m)) => m.to_owned(),
        (None, None) => String::new(),
    }
}

/// The subject's own label only (`Børnefaglig undersøgelse`), for display.
pub fn subject_label(kle: &str) -> Option<&'static str> {
    SUBJECTS.iter().find(|(k, _)| *k == kle).map(|(_, l)| *l)
}

/// A KLE filter: `27`, `27.*`, `27.24`, `27.24.*` or `27.24.00` — groups of two digits. Returns
/// the normalised prefix (`27.24`), or `None` if it is not of that shape.
pub fn parse_prefix(text: &str) -> Option<String> {
    let trimmed = text
        .trim()
        .trim_end_matches('*')
        .trim_end_matches('.')
        .to_owned();
    let groups: Vec<&str> = trimmed.split('.').collect();
    let ok = (1..=3).contains(&groups.len())
        && groups
            .iter()
            .all(|g| g.len() == 2 && g.bytes().all(|b| b.is_ascii_digit()));
    ok.then_some(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_join_subject_and_main_group() {
        assert_eq!(
            label("27.24.00"),
            "Børnefaglig undersøgelse · Social service"
        );
        assert_eq!(label("27.99.00"), "Social service");
        assert_eq!(label("99.00.00"), "");
        assert_eq!(subject_label("29.09.00"), Some("Hjemmehjælp"));
    }

    #[test]
    fn prefixes_are_groups_of_two_digits() {
        assert_eq!(parse_prefix("27.*").as_deref(), Some("27"));
        assert_eq!(parse_prefix("27.24").as_deref(), Some("27.24"));
        assert_eq!(parse_prefix(" 27.24.00 ").as_deref(), Some("27.24.00"));
        assert_eq!(parse_prefix("27.2"), None);
        assert_eq!(parse_prefix("27%"), None);
        assert_eq!(parse_prefix(""), None);
    }
}
