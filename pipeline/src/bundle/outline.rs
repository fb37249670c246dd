//! The outline (bookmarks): the three front-matter parts, then one entry per case with one
//! child per disclosed document. Cases start closed so a 500-document outline stays readable.

use std::io::Write;

use lopdf::{Dictionary, Object, ObjectId, text_string};

use super::front::FrontMatter;
use super::writer::PdfOut;
use super::{Entry, Result};

/// One outline entry before it is written.
struct Item {
    title: String,
    page: ObjectId,
    children: Vec<Item>,
}

pub(crate) fn write_outline<W: Write>(
    pdf: &mut PdfOut<W>,
    entries: &[Entry],
    front: &FrontMatter,
    front_ids: &[ObjectId],
    body_ids: &[ObjectId],
) -> Result<(ObjectId, usize)> {
    let leaf = |title: &str, page: ObjectId| Item {
        title: title.to_owned(),
        page,
        children: Vec::new(),
    };
    let list_page = front_ids[front.list_page];
    let mut items = vec![
        leaf("Afgørelse om aktindsigt", front_ids[0]),
        leaf("Læsevejledning", front_ids[front.guide_page]),
        leaf("Dokumentfortegnelse", list_page),
    ];
    for (i, entry) in entries.iter().enumerate() {
        let d = &entry.doc;
        if i == 0 || entries[i - 1].doc.sagsnummer != d.sagsnummer {
            items.push(leaf(
                &format!("Sag {}: {}", d.sagsnummer, d.case_title),
                list_page,
            ));
        }
        if let Some(first) = entry.first_page {
            let page = body_ids[first as usize - 1];
            if let Some(case) = items.last_mut() {
                if case.children.is_empty() {
                    case.page = page;
                }
                case.children
                    .push(leaf(&format!("Akt {}: {}", d.aktnummer, d.title), page));
            }
        }
    }
    let count = items.len() + items.iter().map(|i| i.children.len()).sum::<usize>();
    let root = pdf.alloc();
    let (first, last) = write_items(pdf, &items, root)?;
    let mut dict = Dictionary::new();
    dict.set("Type", Object::Name(b"Outlines".to_vec()));
    if let (Some(first), Some(last)) = (first, last) {
        dict.set("First", Object::Reference(first));
        dict.set("Last", Object::Reference(last));
    }
    // Cases start closed, so the visible entries are the top level.
    dict.set("Count", items.len() as i64);
    pdf.write(root, &Object::Dictionary(dict))?;
    Ok((root, count))
}

/// Writes sibling `items` under `parent`; returns the first and last ids.
fn write_items<W: Write>(
    pdf: &mut PdfOut<W>,
    items: &[Item],
    parent: ObjectId,
) -> Result<(Option<ObjectId>, Option<ObjectId>)> {
    let ids: Vec<ObjectId> = items.iter().map(|_| pdf.alloc()).collect();
    for (i, item) in items.iter().enumerate() {
        let mut dict = Dictionary::new();
        dict.set("Title", text_string(&item.title));
        dict.set("Parent", Object::Reference(parent));
        if i > 0 {
            dict.set("Prev", Object::Reference(ids[i - 1]));
        }
        if let Some(next) = ids.get(i + 1) {
            dict.set("Next", Object::Reference(*next));
        }
        dict.set(
            "Dest",
            Object::Array(vec![
                Object::Reference(item.page),
                Object::Name(b"Fit".to_vec()),
            ]),
        );
        if !item.children.is_empty() {
            let (first, last) = write_items(pdf, &item.children, ids[i])?;
            if let (Some(first), Some(last)) = (first, last) {
                dict.set("First", Object::Reference(first));
                dict.set("Last", Object::Reference(last));
            }
            dict.set("Count", -(item.children.len() as i64));
        }
        pdf.write(ids[i], &Object::Dictionary(dict))?;
    }
    Ok((ids.first().copied(), ids.last().copied()))
}
