//! The connector's XML reading: a namespace-aware element tree built with `quick_xml::NsReader`.
//!
//! Elements are matched on namespace URI + local name, never on prefixes. A DOCTYPE (and with it
//! any entity declaration) is refused; only the five predefined entities and character references
//! are expanded.

use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

/// An element: `{ns}name`, its direct text and its element children.
#[derive(Debug, Default)]
pub(crate) struct Node {
    pub ns: String,
    pub name: String,
    pub text: String,
    pub kids: Vec<Node>,
}

impl Node {
    pub fn is(&self, ns: &str, name: &str) -> bool {
        self.name == name && self.ns == ns
    }
    pub fn get(&self, ns: &str, name: &str) -> Option<&Node> {
        self.kids.iter().find(|k| k.is(ns, name))
    }
    pub fn each<'a>(&'a self, ns: &'a str, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.kids.iter().filter(move |k| k.is(ns, name))
    }
    /// Descend through `(ns, name)` steps.
    pub fn at(&self, steps: &[(&str, &str)]) -> Option<&Node> {
        let mut here = self;
        for (ns, name) in steps {
            here = here.get(ns, name)?;
        }
        Some(here)
    }
    pub fn val(&self) -> &str {
        self.text.trim()
    }
    /// Trimmed text of the child `{ns}name`, if present and non-empty.
    pub fn text_of(&self, ns: &str, name: &str) -> Option<&str> {
        self.get(ns, name).map(Node::val).filter(|t| !t.is_empty())
    }
}

const DEPTH_LIMIT: usize = 100;

/// Build the tree; the error text is safe to log (no content from the document).
pub(crate) fn read_tree(xml: &[u8]) -> Result<Node, String> {
    let mut reader = NsReader::from_reader(xml);
    let mut buf = Vec::with_capacity(256);
    let mut open: Vec<Node> = Vec::new();
    let mut done: Option<Node> = None;
    loop {
        let (ns, event) = match reader.read_resolved_event_into(&mut buf) {
            Ok((ns, event)) => {
                let ns = match ns {
                    ResolveResult::Bound(ns) => AsRef::<str>::as_ref(&ns).to_owned(),
                    ResolveResult::Unbound => String::new(),
                    ResolveResult::Unknown(_) => {
                        return Err("undeclared namespace prefix".to_owned());
                    }
                };
                (ns, event)
            }
            Err(e) => {
                return Err(format!(
                    "malformed XML at byte {}: {e}",
                    reader.buffer_position()
                ));
            }
        };
        match event {
            Event::DocType(_) => return Err("DOCTYPE declarations are refused".to_owned()),
            Event::Start(_) | Event::Empty(_) if done.is_some() => {
                return Err("more than one root element".to_owned());
            }
            Event::Start(e) => {
                if open.len() == DEPTH_LIMIT {
                    return Err("XML nested too deeply".to_owned());
                }
                open.push(Node {
                    ns,
                    name: AsRef::<str>::as_ref(&e.local_name()).to_owned(),
                    ..Node::default()
                });
            }
            Event::Empty(e) => {
                let node = Node {
                    ns,
                    name: AsRef::<str>::as_ref(&e.local_name()).to_owned(),
                    ..Node::default()
                };
                match open.last_mut() {
                    Some(parent) => parent.kids.push(node),
                    None => done = Some(node),
                }
            }
            Event::End(_) => {
                let Some(node) = open.pop() else {
                    return Err("unbalanced end tag".to_owned());
                };
                match open.last_mut() {
                    Some(parent) => parent.kids.push(node),
                    None => done = Some(node),
                }
            }
            Event::Text(t) => {
                let text = t.xml10_content();
                match open.last_mut() {
                    Some(node) => node.text.push_str(&text),
                    None if text.trim().is_empty() => {}
                    None => return Err("text outside the root element".to_owned()),
                }
            }
            Event::CData(c) => {
                if let Some(node) = open.last_mut() {
                    node.text.push_str(&c.into_inner());
                }
            }
            Event::GeneralRef(r) => {
                let expanded = match r.resolve_char_ref() {
                    Ok(Some(ch)) => ch.to_string(),
                    Ok(None) => match quick_xml::escape::resolve_predefined_entity(&r) {
                        Some(s) => s.to_owned(),
                        None => return Err("reference to an undeclared entity".to_owned()),
                    },
                    Err(_) => return Err("invalid character reference".to_owned()),
                };
                if let Some(node) = open.last_mut() {
                    node.text.push_str(&expanded);
                }
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
        buf.clear();
    }
    if !open.is_empty() {
        return Err("document ends inside an element (truncated?)".to_owned());
    }
    done.ok_or_else(|| "empty document".to_owned())
}

/// Escape text for element content.
pub(crate) fn esc(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}
