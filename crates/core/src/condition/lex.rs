//! The lexer: a condition's text to tokens with their byte spans.

use std::ops::Range;

use super::{LangError, err};

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tok {
    Ident(String),
    Str(String),
    Num(f64),
    LParen,
    RParen,
    LBrack,
    RBrack,
    Comma,
    Dot,
    Op(CmpOp),
    End,
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

pub(super) fn lex(src: &str) -> Result<Vec<(Tok, Range<usize>)>, LangError> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'(' | b')' | b'[' | b']' | b',' | b'.' => {
                i += 1;
                let t = match c {
                    b'(' => Tok::LParen,
                    b')' => Tok::RParen,
                    b'[' => Tok::LBrack,
                    b']' => Tok::RBrack,
                    b',' => Tok::Comma,
                    _ => Tok::Dot,
                };
                out.push((t, start..i));
            }
            b'=' | b'!' | b'<' | b'>' => {
                let next = bytes.get(i + 1).copied();
                let (op, len) = match (c, next) {
                    (b'=', Some(b'=')) => (CmpOp::Eq, 2),
                    (b'!', Some(b'=')) => (CmpOp::Ne, 2),
                    (b'<', Some(b'=')) => (CmpOp::Le, 2),
                    (b'>', Some(b'=')) => (CmpOp::Ge, 2),
                    (b'<', _) => (CmpOp::Lt, 1),
                    (b'>', _) => (CmpOp::Gt, 1),
                    (b'=', _) => return err(start..i + 1, "use '==' to compare, not '='"),
                    _ => return err(start..i + 1, "use 'not' for negation, or '!=' to compare"),
                };
                i += len;
                out.push((Tok::Op(op), start..i));
            }
            b'\'' => {
                i += 1;
                let s = i;
                while i < bytes.len() && bytes[i] != b'\'' {
                    i += 1;
                }
                if i >= bytes.len() {
                    return err(start..bytes.len(), "this text has no closing quote (')");
                }
                out.push((Tok::Str(src[s..i].to_string()), start..i + 1));
                i += 1;
            }
            b'0'..=b'9' | b'-' => {
                i += 1;
                while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                    i += 1;
                }
                let text = &src[start..i];
                match text.parse::<f64>() {
                    Ok(n) => out.push((Tok::Num(n), start..i)),
                    Err(_) => return err(start..i, format!("'{text}' is not a number")),
                }
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                out.push((Tok::Ident(src[start..i].to_string()), start..i));
            }
            _ => {
                let ch = src[start..].chars().next().unwrap_or('?');
                let hint = if ch == '"' {
                    " (write text in single quotes)"
                } else {
                    ""
                };
                return err(
                    start..start + ch.len_utf8(),
                    format!("unexpected character '{ch}'{hint}"),
                );
            }
        }
    }
    out.push((Tok::End, src.len()..src.len()));
    Ok(out)
}
