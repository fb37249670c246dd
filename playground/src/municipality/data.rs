//! Static tables the generator draws from: departments with KLE subjects, and common Danish
//! names and street names (names, not people: every combination is generated).

use super::model::Department;

/// The six departments and the simulated system that owns each one's cases.
pub(crate) const DEPARTMENTS: [Department; 6] = [
    Department {
        code: "BS",
        name: "Borgerservice",
        kle_topics: &[
            ("23.05.00", "Folkeregistrering og flytning"),
            ("32.18.00", "Boligstøtte"),
            ("32.24.00", "Personligt tillæg til pension"),
            ("27.12.00", "Hjælp i særlige tilfælde"),
            ("23.10.00", "Sygesikring og valg af læge"),
        ],
        system: "esdh",
    },
    Department {
        code: "BF",
        name: "Børn og Familie",
        kle_topics: &[
            ("27.24.00", "Børnefaglig undersøgelse"),
            ("27.27.00", "Forebyggende foranstaltninger for børn og unge"),
            ("27.21.00", "Underretning om barn"),
            ("27.30.00", "Anbringelse uden for hjemmet"),
            ("27.33.00", "Merudgifter til børn med handicap"),
        ],
        system: "esdh",
    },
    Department {
        code: "TM",
        name: "Teknik og Miljø",
        kle_topics: &[
            ("02.34.00", "Byggetilladelse til carport og garage"),
            ("02.00.00", "Byggesag, enfamiliehus"),
            ("09.02.00", "Miljøtilsyn"),
            ("05.04.00", "Råden over vejareal"),
            ("07.20.00", "Affald og genbrug"),
        ],
        system: "esdh-tm",
    },
    Department {
        code: "BE",
        name: "Beskæftigelse",
        kle_topics: &[
            ("15.04.00", "Kontanthjælp"),
            ("15.28.00", "Sygedagpenge"),
            ("15.20.00", "Fleksjob"),
            ("15.24.00", "Ressourceforløb"),
            ("15.02.00", "Jobafklaringsforløb"),
        ],
        system: "jobcenter",
    },
    Department {
        code: "SO",
        name: "Sundhed og Omsorg",
        kle_topics: &[
            ("29.09.00", "Hjemmehjælp"),
            ("29.15.00", "Genoptræning efter sundhedsloven"),
            ("27.36.00", "Hjælpemidler"),
            ("29.03.00", "Visitation til plejebolig"),
            ("29.30.00", "Kommunal tandpleje"),
        ],
        system: "omsorg",
    },
    Department {
        code: "SD",
        name: "Skole og Dagtilbud",
        kle_topics: &[
            ("17.01.00", "Skoleindskrivning"),
            ("17.03.00", "Specialundervisning"),
            ("17.06.00", "Befordring af elever"),
            ("28.03.00", "Pladsanvisning i dagtilbud"),
            ("17.24.00", "PPR-udredning"),
        ],
        system: "skole",
    },
];

/// Handlingsfacetter (KLE action facets) a case may carry.
pub(crate) const FACETS: [&str; 8] = ["G01", "G10", "K07", "K08", "P20", "P23", "S01", "A00"];

/// Common Danish given names (female).
pub(crate) const FEMALE: [&str; 40] = [
    "Anne",
    "Kirsten",
    "Mette",
    "Hanne",
    "Helle",
    "Anna",
    "Susanne",
    "Lene",
    "Maria",
    "Marianne",
    "Inge",
    "Karen",
    "Lone",
    "Bente",
    "Camilla",
    "Pia",
    "Louise",
    "Charlotte",
    "Tina",
    "Gitte",
    "Emma",
    "Ida",
    "Sofie",
    "Freja",
    "Clara",
    "Laura",
    "Alma",
    "Ella",
    "Karla",
    "Agnes",
    "Sørine",
    "Astrid",
    "Nanna",
    "Mathilde",
    "Signe",
    "Julie",
    "Birthe",
    "Jytte",
    "Åse",
    "Maja",
];

/// Common Danish given names (male).
pub(crate) const MALE: [&str; 40] = [
    "Peter",
    "Jens",
    "Lars",
    "Michael",
    "Henrik",
    "Thomas",
    "Søren",
    "Jan",
    "Niels",
    "Christian",
    "Martin",
    "Jørgen",
    "Anders",
    "Rasmus",
    "Morten",
    "Hans",
    "Per",
    "Mads",
    "Jesper",
    "Ole",
    "William",
    "Noah",
    "Oscar",
    "Lucas",
    "Carl",
    "Victor",
    "Malthe",
    "Emil",
    "Alfred",
    "Frederik",
    "Magnus",
    "Aksel",
    "Bjørn",
    "Jørn",
    "Troels",
    "Kasper",
    "Jonas",
    "Mikkel",
    "Esben",
    "Øjvind",
];

/// Common Danish family names.
pub(crate) const LAST: [&str; 50] = [
    "Nielsen",
    "Jensen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Christiansen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Knudsen",
    "Jakobsen",
    "Mikkelsen",
    "Olesen",
    "Frederiksen",
    "Laursen",
    "Henriksen",
    "Lund",
    "Schmidt",
    "Eriksen",
    "Holm",
    "Kristiansen",
    "Clausen",
    "Simonsen",
    "Svendsen",
    "Andreasen",
    "Iversen",
    "Jeppesen",
    "Mogensen",
    "Dam",
    "Bach",
    "Østergaard",
    "Bækgaard",
    "Skovgaard",
    "Nørgaard",
    "Vestergaard",
    "Søndergaard",
    "Kjær",
    "Bertelsen",
    "Lauridsen",
];

/// Street names (common in every Danish town).
pub(crate) const STREETS: [&str; 40] = [
    "Møllevej",
    "Skovvej",
    "Kirkevej",
    "Engvej",
    "Birkevej",
    "Vestergade",
    "Østergade",
    "Nørregade",
    "Søndergade",
    "Bøgevej",
    "Ahornvej",
    "Rosenvænget",
    "Lærkevej",
    "Stationsvej",
    "Skolevej",
    "Åvej",
    "Fasanvej",
    "Granvej",
    "Kastanievej",
    "Egevej",
    "Hybenvej",
    "Tjørnevej",
    "Solvænget",
    "Havrevænget",
    "Bakkevej",
    "Strandvejen",
    "Markvej",
    "Præstevænget",
    "Smedevej",
    "Violvej",
    "Fyrrevej",
    "Mosevej",
    "Åbyvej",
    "Søvej",
    "Grønnegade",
    "Torvegade",
    "Lindevej",
    "Elmevej",
    "Kløvervej",
    "Højvangen",
];

/// Postcodes and towns of the (fictional) municipality.
pub(crate) const TOWNS: [(&str, &str); 8] = [
    ("8000", "Aarhus C"),
    ("8200", "Aarhus N"),
    ("8210", "Aarhus V"),
    ("8260", "Viby J"),
    ("8270", "Højbjerg"),
    ("8240", "Risskov"),
    ("8520", "Lystrup"),
    ("8381", "Tilst"),
];

/// Firms mentioned in letters (made-up names; their CVR numbers are decoys).
pub(crate) const FIRMS: [&str; 6] = [
    "Nordisk Tømrer ApS",
    "Vestjysk Rådgivning A/S",
    "Byens VVS ApS",
    "Hjælpemiddelhuset A/S",
    "Aarhus Kørselsservice ApS",
    "Fysio & Træning ApS",
];

/// E-mail domains for citizens (reserved/fictional, never real mailboxes).
pub(crate) const MAIL_DOMAINS: [&str; 4] = [
    "example.dk",
    "mail.example.dk",
    "example.net",
    "post.example.org",
];

/// The municipality's own domain for staff e-mail.
pub(crate) const STAFF_DOMAIN: &str = "sagshub-kommune.dk";

/// ASCII form of a name for e-mail local parts (`Søren Ærø` → `soeren.aeroe`).
pub(crate) fn ascii_fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for ch in s.chars() {
        match ch {
            'æ' | 'Æ' => out.push_str("ae"),
            'ø' | 'Ø' => out.push_str("oe"),
            'å' | 'Å' => out.push_str("aa"),
            'é' | 'É' => out.push('e'),
            ' ' | '-' => out.push('.'),
            c if c.is_ascii_alphanumeric() => out.push(c.to_ascii_lowercase()),
            _ => {}
        }
    }
    out
}
