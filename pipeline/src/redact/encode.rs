//! Writing content-stream operators: a direct writer for the operand types content streams
//! use (several times faster than going through lopdf's general object writer, which the
//! redaction budget notices), falling back to lopdf for anything else (inline images).

use lopdf::content::{Content, Operation};
use lopdf::{Object, StringFormat};

/// Encodes `ops`, one per line.
pub(super) fn encode(ops: &[Operation]) -> lopdf::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(ops.len() * 24);
    for op in ops {
        if op.operator == "BI" || !op.operands.iter().all(simple) {
            out.extend(
                Content {
                    operations: vec![op.clone()],
                }
                .encode()?,
            );
        } else {
            for o in &op.operands {
                write(&mut out, o);
                out.push(b' ');
            }
            out.extend_from_slice(op.operator.as_bytes());
        }
        out.push(b'\n');
    }
    Ok(out)
}

/// Whether this writer handles `o`.
fn simple(o: &Object) -> bool {
    match o {
        Object::Integer(_)
        | Object::Real(_)
        | Object::Name(_)
        | Object::String(..)
        | Object::Boolean(_)
        | Object::Null => true,
        Object::Array(a) => a.iter().all(simple),
        _ => false,
    }
}

fn write(out: &mut Vec<u8>, o: &Object) {
    match o {
        Object::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Object::Real(r) => real(out, *r),
        Object::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Null => out.extend_from_slice(b"null"),
        Object::Name(n) => {
            out.push(b'/');
            for &b in n {
                if b.is_ascii_graphic() && !b"()<>[]{}/%#".contains(&b) {
                    out.push(b);
                } else {
                    out.extend_from_slice(format!("#{b:02X}").as_bytes());
                }
            }
        }
        Object::String(s, StringFormat::Hexadecimal) => {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push(b'<');
            for &b in s {
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 15)]);
            }
            out.push(b'>');
        }
        Object::String(s, StringFormat::Literal) => {
            out.push(b'(');
            for &b in s {
                match b {
                    b'(' | b')' | b'\\' => out.extend_from_slice(&[b'\\', b]),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    b'\n' => out.extend_from_slice(b"\\n"),
                    _ => out.push(b),
                }
            }
            out.push(b')');
        }
        Object::Array(a) => {
            out.push(b'[');
            for (i, item) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write(out, item);
            }
            out.push(b']');
        }
        _ => {}
    }
}

/// A real without exponent, to four decimals, trailing zeros trimmed.
fn real(out: &mut Vec<u8>, r: f32) {
    let r = if r.is_finite() { r } else { 0.0 };
    if r == r.trunc() && r.abs() < 1e9 {
        out.extend_from_slice((r as i64).to_string().as_bytes());
        return;
    }
    let s = format!("{r:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    out.extend_from_slice(if s == "-0" { b"0" } else { s.as_bytes() });
}
