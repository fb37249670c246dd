//! The sender of the bundle: the municipality as the cover letter and the MeMo message name it
//! (`[municipality]` in `sagshub.toml`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

/// The complaint guidance printed when a department has none of its own.
pub const DEFAULT_COMPLAINT_GUIDANCE: &str = "Du kan klage over afgørelsen om aktindsigt. \
Klagen skal være modtaget inden 4 uger efter, at du har fået denne afgørelse. Send klagen til \
kommunen, som genvurderer sagen og sender den videre til klageinstansen, hvis afgørelsen \
fastholdes. Er afgørelsen truffet efter offentlighedsloven eller forvaltningsloven, er \
klageinstansen Ankestyrelsen; gælder den indsigtsretten efter databeskyttelsesforordningen, kan \
du klage til Datatilsynet. Skriv i klagen, hvilken afgørelse du klager over, og hvorfor.";

/// The municipality's settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MunicipalityConfig {
    /// Name as printed (`Egekær Kommune`).
    pub name: String,
    /// Postal address, one line each.
    pub address_lines: Vec<String>,
    /// CVR number (eight digits): printed in the letter and the MeMo message's sender.
    pub cvr: String,
    /// How to reach the municipality about a request (phone, e-mail, opening hours).
    pub contact: String,
    /// Optional logo for the letterhead: a PNG file (8-bit greyscale or RGB, no transparency).
    pub logo_png: Option<PathBuf>,
    /// Complaint guidance per department (by name, as the case systems report it).
    pub complaint_guidance: BTreeMap<String, String>,
    /// Complaint guidance for departments not listed.
    pub default_complaint_guidance: String,
}

impl Default for MunicipalityConfig {
    fn default() -> Self {
        // Clearly fictional: a demo municipality and a CVR number of no real company.
        Self {
            name: "Sagshub Kommune".to_owned(),
            address_lines: vec!["Rådhuspladsen 1".to_owned(), "9999 Sagshub".to_owned()],
            cvr: "11223344".to_owned(),
            contact: "Borgerservice, telefon 99 99 99 99, aktindsigt@sagshub.example, \
                      mandag–fredag 10–15"
                .to_owned(),
            logo_png: None,
            complaint_guidance: BTreeMap::new(),
            default_complaint_guidance: DEFAULT_COMPLAINT_GUIDANCE.to_owned(),
        }
    }
}

/// The municipality checked and with its logo read, built once at start.
#[derive(Clone, Debug, Default)]
pub struct Municipality {
    /// As configured.
    pub config: MunicipalityConfig,
    /// The logo's bytes.
    pub logo: Option<Vec<u8>>,
}

impl std::ops::Deref for Municipality {
    type Target = MunicipalityConfig;
    fn deref(&self) -> &MunicipalityConfig {
        &self.config
    }
}

impl Municipality {
    /// Check `config` (name, an eight-digit CVR) and read its logo.
    pub fn new(config: MunicipalityConfig) -> Result<Self, String> {
        if config.name.trim().is_empty() {
            return Err("municipality.name is empty".into());
        }
        let cvr = config.cvr.trim();
        if cvr.len() != 8 || !cvr.bytes().all(|b| b.is_ascii_digit()) {
            return Err("municipality.cvr must be eight digits".into());
        }
        let logo = match &config.logo_png {
            Some(path) => Some(
                std::fs::read(path)
                    .map_err(|e| format!("municipality.logo_png {}: {e}", path.display()))?,
            ),
            None => None,
        };
        Ok(Self { config, logo })
    }

    /// The complaint guidance of `department`.
    pub fn guidance_for(&self, department: &str) -> String {
        self.config
            .complaint_guidance
            .iter()
            .find(|(d, _)| d.eq_ignore_ascii_case(department))
            .map(|(_, t)| t.clone())
            .unwrap_or_else(|| self.config.default_complaint_guidance.clone())
    }
}
