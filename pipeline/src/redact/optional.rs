//! Optional content (layers): which marked content and XObjects are hidden in the document's
//! default configuration, so [`super::content`] removes them.

use lopdf::content::Operation;
use lopdf::{Dictionary, Object};

use super::content::Rewriter;
use crate::extract::pdf::font::deref;

impl Rewriter<'_> {
    /// Whether a `BDC` opens optional content that is hidden.
    pub(super) fn marks_hidden(&self, resources: Option<&Dictionary>, op: &Operation) -> bool {
        if self.hidden_oc.is_none()
            || op.operands.first().and_then(|o| o.as_name().ok()) != Some(b"OC")
        {
            return false;
        }
        let property = match op.operands.get(1) {
            Some(Object::Name(n)) => resources
                .and_then(|r| r.get(b"Properties").ok())
                .and_then(|o| deref(self.doc, o))
                .and_then(|o| o.as_dict().ok())
                .and_then(|d| d.get(n).ok()),
            other => other,
        };
        // Content marked with a group we cannot find is treated as hidden: the safe side.
        property.is_none_or(|p| self.oc_hidden(Some(p)))
    }

    /// Whether an optional-content group or membership dictionary is hidden by default.
    pub(super) fn oc_hidden(&self, oc: Option<&Object>) -> bool {
        let (Some(hidden), Some(oc)) = (&self.hidden_oc, oc) else {
            return false;
        };
        let Ok((id, Object::Dictionary(dict))) = self.doc.dereference(oc) else {
            return true;
        };
        if dict.get(b"Type").and_then(Object::as_name).ok() == Some(b"OCMD") {
            let groups: Vec<bool> = match dict.get(b"OCGs").ok().and_then(|o| deref(self.doc, o)) {
                Some(Object::Array(a)) => a
                    .iter()
                    .map(|g| g.as_reference().is_ok_and(|id| hidden.contains(&id)))
                    .collect(),
                Some(Object::Dictionary(_)) => vec![
                    dict.get(b"OCGs")
                        .and_then(Object::as_reference)
                        .is_ok_and(|id| hidden.contains(&id)),
                ],
                _ => return false,
            };
            let on = groups.iter().filter(|h| !**h).count();
            return match dict.get(b"P").and_then(Object::as_name).unwrap_or(b"AnyOn") {
                b"AllOn" => on < groups.len(),
                b"AnyOff" => on == groups.len(),
                b"AllOff" => on > 0,
                _ => on == 0 && !groups.is_empty(),
            };
        }
        id.is_some_and(|id| hidden.contains(&id))
    }
}
