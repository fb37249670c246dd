//! A small namespace-aware element tree for reading SOAP requests, and an XML writer that varies
//! namespace prefixes between responses as a real peer might.
//!
//! This is the server's own XML code; the connector has its own (the two sides share nothing).

use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

/// Why a request could not be read as XML.
#[derive(Debug, thiserror::Error)]
pub enum XmlError {
    /// Not well-formed XML.
    #[error("malformed XML: {0}")]
    Malformed(String),
    /// A DOCTYPE (and so possibly entity declarations) — refused outright.
    #[error("DOCTYPE is not allowed")]
    Doctype,
    /// Nested deeper than we accept.
    #[error("XML nested too deeply")]
    TooDeep,
}

/// One element: its namespace URI, local name, text content and child elements.
#[derive(Debug, Default, Clone)]
pub struct El {
    /// Namespace URI (`""` when unbound).
    pub ns: String,
    /// Local name.
    pub local: String,
    /// Concatenated text directly inside the element.
    pub text: String,
    /// Child elements in document order.
    pub children: Vec<El>,
}

impl El {
    /// Whether this element is `{ns}local`.
    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.ns == ns && self.local == local
    }
    /// The first child `{ns}local`.
    pub fn child(&self, ns: &str, local: &str) -> Option<&El> {
        self.children.iter().find(|c| c.is(ns, local))
    }
    /// All children `{ns}local`.
    pub fn all<'a>(&'a self, ns: &'a str, local: &'a str) -> impl Iterator<Item = &'a El> + 'a {
        self.children.iter().filter(move |c| c.is(ns, local))
    }
    /// Follow a path of `(ns, local)` steps, first match at each step.
    pub fn path(&self, steps: &[(&str, &str)]) -> Option<&El> {
        steps
            .iter()
            .try_fold(self, |el, (ns, local)| el.child(ns, local))
    }
    /// The trimmed text.
    pub fn value(&self) -> &str {
        self.text.trim()
    }
}

const MAX_DEPTH: usize = 64;

/// Parse a whole document into its root element. DOCTYPE is refused.
pub fn parse(bytes: &[u8]) -> Result<El, XmlError> {
    let mut reader = NsReader::from_reader(bytes);
    let mut buf = Vec::new();
    let mut stack: Vec<El> = Vec::new();
    let mut root: Option<El> = None;
    loop {
        let (resolved, event) = reader
            .read_resolved_event_into(&mut buf)
            .map_err(|e| XmlError::Malformed(e.to_string()))?;
        let ns = match resolved {
            ResolveResult::Bound(ns) => Some(AsRef::<str>::as_ref(&ns).to_owned()),
            ResolveResult::Unbound => Some(String::new()),
            ResolveResult::Unknown(prefix) => {
                return Err(XmlError::Malformed(format!(
                    "unbound namespace prefix {prefix:?}"
                )));
            }
        };
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(XmlError::Malformed("content after the root element".into()));
            }
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::TooDeep);
                }
                let local = AsRef::<str>::as_ref(&start.local_name()).to_owned();
                stack.push(El {
                    ns: ns.unwrap_or_default(),
                    local,
                    ..El::default()
                });
            }
            Event::Empty(start) => {
                let local = AsRef::<str>::as_ref(&start.local_name()).to_owned();
                let el = El {
                    ns: ns.unwrap_or_default(),
                    local,
                    ..El::default()
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                let el = stack
                    .pop()
                    .ok_or_else(|| XmlError::Malformed("unbalanced end tag".into()))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(text) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&text.xml10_content());
                } else if !text.xml10_content().trim().is_empty() {
                    return Err(XmlError::Malformed("text outside the root element".into()));
                }
            }
            Event::CData(data) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&data.into_inner());
                }
            }
            Event::GeneralRef(reference) => {
                let ch = match reference.resolve_char_ref() {
                    Ok(Some(ch)) => ch.to_string(),
                    Ok(None) => quick_xml::escape::resolve_predefined_entity(&reference)
                        .ok_or_else(|| {
                            XmlError::Malformed(format!("undefined entity &{};", &*reference))
                        })?
                        .to_owned(),
                    Err(e) => return Err(XmlError::Malformed(e.to_string())),
                };
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&ch);
                }
            }
            Event::DocType(_) => return Err(XmlError::Doctype),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
        buf.clear();
    }
    if !stack.is_empty() {
        return Err(XmlError::Malformed("unexpected end of document".into()));
    }
    root.ok_or_else(|| XmlError::Malformed("no root element".into()))
}

/// The namespaces the server writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Ns {
    Soap,
    Hdr,
    Sdi,
    Sag,
    Di,
    Sd,
    Gd,
    Go,
    Si,
    Ind,
}

/// Namespace URIs.
pub mod uri {
    /// SOAP 1.2 envelope.
    pub const SOAP: &str = "http://www.w3.org/2003/05/soap-envelope";
    /// KOMBIT request header.
    pub const HDR: &str = "http://kombit.dk/xml/schemas/RequestHeader/1/";
    /// SagDokumentIndeks operations.
    pub const SDI: &str = "urn:oio:sts:sagdok:sagdokumentindeks:6";
    /// Sag.
    pub const SAG: &str = "urn:oio:sts:sagdok:sag:6";
    /// DokumentIndeks.
    pub const DI: &str = "urn:oio:sts:sagdok:dokumentindeks:6";
    /// SagDok common objects.
    pub const SD: &str = "urn:oio:sagdok:3.0.0";
    /// Generelle definitioner.
    pub const GD: &str = "urn:oio:sts:generelledefinitioner:6";
    /// Generelle operationer.
    pub const GO: &str = "urn:oio:sts:generelleoperationer:6";
    /// SagIndeks local extensions.
    pub const SI: &str = "urn:oio:sts:sagdok:sagindeks:6";
    /// The playground's own content operation and document extension.
    pub const IND: &str = "urn:sagshub:playground:sf1470:indhold:1";
}

const ALL: [Ns; 10] = [
    Ns::Soap,
    Ns::Hdr,
    Ns::Sdi,
    Ns::Sag,
    Ns::Di,
    Ns::Sd,
    Ns::Gd,
    Ns::Go,
    Ns::Si,
    Ns::Ind,
];

impl Ns {
    fn uri(self) -> &'static str {
        match self {
            Ns::Soap => uri::SOAP,
            Ns::Hdr => uri::HDR,
            Ns::Sdi => uri::SDI,
            Ns::Sag => uri::SAG,
            Ns::Di => uri::DI,
            Ns::Sd => uri::SD,
            Ns::Gd => uri::GD,
            Ns::Go => uri::GO,
            Ns::Si => uri::SI,
            Ns::Ind => uri::IND,
        }
    }
}

/// Prefix sets, rotated per response; `""` is the default namespace.
const PREFIXES: [[&str; 10]; 3] = [
    [
        "soap", "hdr", "sdi", "sag", "di", "sd", "gd", "go", "si", "ind",
    ],
    [
        "env", "h", "ns1", "ns2", "ns3", "ns4", "ns5", "ns6", "ns7", "ns8",
    ],
    ["s12", "kh", "", "s", "d", "oio", "g", "o", "x", "c"],
];

/// Builds one XML document with one prefix set; every namespace is declared on the root.
pub struct Writer {
    out: String,
    prefixes: &'static [&'static str; 10],
    declared: bool,
}

impl Writer {
    /// A writer using prefix set `variant % 3`.
    pub fn new(variant: usize) -> Self {
        let mut out = String::with_capacity(4096);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        Self {
            out,
            prefixes: &PREFIXES[variant % PREFIXES.len()],
            declared: false,
        }
    }
    fn name(&self, ns: Ns, local: &str) -> String {
        let idx = ALL.iter().position(|n| *n == ns).unwrap_or(0);
        match self.prefixes[idx] {
            "" => local.to_owned(),
            p => format!("{p}:{local}"),
        }
    }
    /// Open `ns:local`.
    pub fn open(&mut self, ns: Ns, local: &str) -> &mut Self {
        let name = self.name(ns, local);
        self.out.push('<');
        self.out.push_str(&name);
        if !self.declared {
            self.declared = true;
            for (i, n) in ALL.iter().enumerate() {
                match self.prefixes[i] {
                    "" => self.out.push_str(&format!(" xmlns=\"{}\"", n.uri())),
                    p => self.out.push_str(&format!(" xmlns:{p}=\"{}\"", n.uri())),
                }
            }
        }
        self.out.push('>');
        self
    }
    /// Close `ns:local`.
    pub fn close(&mut self, ns: Ns, local: &str) -> &mut Self {
        let name = self.name(ns, local);
        self.out.push_str("</");
        self.out.push_str(&name);
        self.out.push('>');
        self
    }
    /// `<ns:local>text</ns:local>`, text escaped.
    pub fn leaf(&mut self, ns: Ns, local: &str, text: &str) -> &mut Self {
        self.open(ns, local);
        self.out.push_str(&quick_xml::escape::escape(text));
        self.close(ns, local)
    }
    /// The prefix bound to `ns` (for QName values such as fault codes); never empty for SOAP and
    /// the content namespace.
    pub fn prefix(&self, ns: Ns) -> &'static str {
        self.prefixes[ALL.iter().position(|n| *n == ns).unwrap_or(0)]
    }
    /// `<ns:local xml:lang="lang">text</ns:local>`.
    pub fn leaf_lang(&mut self, ns: Ns, local: &str, lang: &str, text: &str) -> &mut Self {
        let name = self.name(ns, local);
        self.out.push_str(&format!("<{name} xml:lang=\"{lang}\">"));
        self.out.push_str(&quick_xml::escape::escape(text));
        self.close(ns, local)
    }
    /// The document.
    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_namespaces_regardless_of_prefix() {
        let xml = br#"<a:E xmlns:a="urn:x"><b xmlns="urn:y">t&amp;&#65;</b></a:E>"#;
        let root = parse(xml).expect("parse");
        assert!(root.is("urn:x", "E"));
        assert_eq!(root.child("urn:y", "b").map(El::value), Some("t&A"));
    }

    #[test]
    fn refuses_doctype_and_unbound_prefixes() {
        assert!(matches!(
            parse(b"<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>"),
            Err(XmlError::Doctype)
        ));
        assert!(matches!(parse(b"<p:a/>"), Err(XmlError::Malformed(_))));
        assert!(matches!(parse(b"<a><b></a>"), Err(XmlError::Malformed(_))));
    }

    #[test]
    fn writer_varies_prefixes() {
        let docs: Vec<String> = (0..3)
            .map(|v| {
                let mut w = Writer::new(v);
                w.open(Ns::Soap, "Envelope")
                    .leaf(Ns::Sdi, "X", "a<b")
                    .close(Ns::Soap, "Envelope");
                w.finish()
            })
            .collect();
        assert!(
            docs[0].contains("<soap:Envelope")
                && docs[1].contains("<env:Envelope")
                && docs[2].contains("<X>a&lt;b</X>")
        );
        for d in &docs {
            let root = parse(d.as_bytes()).expect("parse");
            assert_eq!(root.child(uri::SDI, "X").map(El::value), Some("a<b"));
        }
    }
}
