//! Removing what else can carry redacted content, and writing a fresh file.
//!
//! From the catalog: the interactive form (`/AcroForm`), XMP metadata, embedded files and
//! JavaScript name trees (only `/Dests` of `/Names` is kept), `/OpenAction` and `/AA` actions,
//! optional-content properties (their hidden content is removed from the pages by
//! [`super::content`]), the structure tree (its `/Alt` and `/ActualText` strings can repeat the
//! text), outlines (bookmark titles are text), article threads, associated files and signatures.
//! From every page: annotations (comments, links, widgets, file attachments), actions,
//! thumbnails and piece info. From every object: `/Metadata`, `/PieceInfo` and `/AF`. The
//! trailer is rebuilt with only `/Root`, so the document info dictionary and the encryption
//! dictionary go; unreferenced objects are pruned; the file is written from the object graph
//! with one cross-reference table, so no earlier revision survives.

use std::collections::HashSet;

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::Stripped;
use crate::extract::pdf::font::deref;

/// Catalog entries removed, with what the report calls them.
const CATALOG_KEYS: &[(&[u8], Stripped)] = &[
    (b"AcroForm", Stripped::FormFields),
    (b"OpenAction", Stripped::Actions),
    (b"AA", Stripped::Actions),
    (b"OCProperties", Stripped::OptionalContent),
    (b"StructTreeRoot", Stripped::StructureTree),
    (b"Outlines", Stripped::Outlines),
    (b"Threads", Stripped::Other),
    (b"AF", Stripped::EmbeddedFiles),
    (b"Collection", Stripped::EmbeddedFiles),
    (b"DSS", Stripped::Other),
    (b"Perms", Stripped::Other),
    (b"SpiderInfo", Stripped::Other),
    (b"PieceInfo", Stripped::Other),
    (b"Legal", Stripped::Other),
];

/// Page entries removed.
const PAGE_KEYS: &[(&[u8], Stripped)] = &[
    (b"Annots", Stripped::Annotations),
    (b"AA", Stripped::Actions),
    (b"Thumb", Stripped::Thumbnails),
    (b"B", Stripped::Other),
    (b"PieceInfo", Stripped::Other),
    (b"StructParents", Stripped::StructureTree),
    (b"AF", Stripped::EmbeddedFiles),
];

/// The optional-content groups hidden in the default configuration, or `None` when the
/// document has no optional content.
pub(super) fn hidden_groups(doc: &Document) -> Option<HashSet<ObjectId>> {
    let catalog = doc.catalog().ok()?;
    let props = deref(doc, catalog.get(b"OCProperties").ok()?)?
        .as_dict()
        .ok()?;
    let ids = |o: Option<&Object>| -> HashSet<ObjectId> {
        o.and_then(|o| deref(doc, o))
            .and_then(|o| o.as_array().ok())
            .map(|a| a.iter().filter_map(|r| r.as_reference().ok()).collect())
            .unwrap_or_default()
    };
    let all = ids(props.get(b"OCGs").ok());
    let Some(default) = props
        .get(b"D")
        .ok()
        .and_then(|o| deref(doc, o))
        .and_then(|o| o.as_dict().ok())
    else {
        return Some(HashSet::new());
    };
    let base_off = default.get(b"BaseState").and_then(Object::as_name).ok() == Some(b"OFF");
    let on = ids(default.get(b"ON").ok());
    let off = ids(default.get(b"OFF").ok());
    Some(if base_off {
        all.difference(&on).copied().collect()
    } else {
        off
    })
}

/// Strips the document, records what was there, and prunes what is no longer referenced.
pub(super) fn strip(doc: &mut Document, strip_metadata: bool, found: &mut Vec<Stripped>) {
    let mut note = |s: Stripped| {
        if !found.contains(&s) {
            found.push(s);
        }
    };
    if let Ok(root) = doc.trailer.get(b"Root").and_then(Object::as_reference)
        && let Ok(catalog) = doc.get_dictionary_mut(root)
    {
        for (key, what) in CATALOG_KEYS {
            if catalog.remove(key).is_some() {
                note(*what);
            }
        }
        if strip_metadata && catalog.remove(b"Metadata").is_some() {
            note(Stripped::XmpMetadata);
        }
        if catalog.has(b"MarkInfo") {
            catalog.remove(b"MarkInfo");
        }
        if let Some(names) = catalog.remove(b"Names") {
            let names = match &names {
                Object::Reference(id) => doc.get_dictionary(*id).ok().cloned(),
                Object::Dictionary(d) => Some(d.clone()),
                _ => None,
            };
            let mut kept = Dictionary::new();
            for (key, value) in names.iter().flat_map(|d| d.iter()) {
                match key.as_slice() {
                    b"Dests" => kept.set(key.clone(), value.clone()),
                    b"EmbeddedFiles" => note(Stripped::EmbeddedFiles),
                    b"JavaScript" => note(Stripped::JavaScript),
                    _ => note(Stripped::Other),
                }
            }
            if !kept.is_empty()
                && let Ok(catalog) = doc.get_dictionary_mut(root)
            {
                catalog.set("Names", kept);
            }
        }
    }
    let pages: Vec<ObjectId> = doc.get_pages().into_values().collect();
    for id in pages {
        if let Ok(page) = doc.get_dictionary_mut(id) {
            for (key, what) in PAGE_KEYS {
                if page.remove(key).is_some() {
                    note(*what);
                }
            }
            if strip_metadata && page.remove(b"Metadata").is_some() {
                note(Stripped::XmpMetadata);
            }
        }
    }
    for object in doc.objects.values_mut() {
        let dict = match object {
            Object::Dictionary(d) => d,
            Object::Stream(s) => &mut s.dict,
            _ => continue,
        };
        if strip_metadata && dict.remove(b"Metadata").is_some() {
            note(Stripped::XmpMetadata);
        }
        if dict.remove(b"PieceInfo").is_some() {
            note(Stripped::Other);
        }
        if dict.remove(b"AF").is_some() {
            note(Stripped::EmbeddedFiles);
        }
    }
    let mut trailer = Dictionary::new();
    if let Ok(root) = doc.trailer.get(b"Root") {
        trailer.set("Root", root.clone());
    }
    if let Ok(info) = doc.trailer.get(b"Info") {
        if strip_metadata {
            note(Stripped::DocumentInfo);
        } else {
            trailer.set("Info", info.clone());
        }
    }
    if doc.trailer.has(b"Encrypt") || doc.encryption_state.is_some() {
        note(Stripped::Encryption);
    }
    doc.trailer = trailer;
    doc.encryption_state = None;
    doc.prune_objects();
}
