//! The filter expression language: tokens, grammar, and type checking against the registry.
//!
//! ```text
//! expr     := and (('or' | '||') and)*
//! and      := unary (('and' | '&&') unary)*
//! unary    := ('not' | '!')* primary
//! primary  := '(' expr ')' | 'exists' '(' NAME ')' | shorthand | test
//! test     := NAME op literal | NAME 'in' (PREFIX | list) | NAME '~' "regex"
//!           | NAME '&' MASK [op VALUE]
//! op       := '==' | '=' | '!=' | '<' | '<=' | '>' | '>='
//! list     := '[' literal (','? literal)* ']'
//! shorthand:= 'proto' (tcp|udp|icmp|icmp6|sctp|gre|esp|ah|N)
//!           | ['src'|'dst'] ('ip'|'host'|'net') (ADDR | PREFIX | 'in' list)
//!           | ['src'|'dst'] 'port' (N | LO-HI | op N | 'in' list of N and LO..HI)
//!           | ('bytes'|'packets') [op] N      | 'flags' LETTERS
//! ```
//! Literals use the text forms of DESIGN.md (numbers, addresses, MACs, RFC 3339 times, quoted
//! strings), plus: a date alone or a date and time without a zone (UTC), nfdump's decimal
//! scaling suffixes on unsigned numbers (`1M`), `0x` hex for masks. Names and literals are
//! checked when parsed: an unknown IE (with the closest known name) or a literal of the wrong
//! type is an error naming it and its column.
//!
//! Nesting is bounded ([`MAX_DEPTH`]); negation runs are folded and `and`/`or` chains are flat
//! lists, so no input makes the parser, or the recursive walks over its tree, go deep.
//! Written by hand: the grammar is small and its errors name columns.

use crate::ipfix::registry::InfoModel;
use crate::ipfix::text::{Parsed, parse as parse_text, parse_time};
use crate::ipfix::types::DataType;
use std::net::IpAddr;

/// A parse or type error at a column (1-based, in characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterError {
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for FilterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Op(&'static str),
}

fn lex(s: &str) -> Result<Vec<(Tok, usize)>, FilterError> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        // Compared char by char: no allocation per character (a 100 KB expression lexes fast).
        let op2 = match (c, chars.get(i + 1)) {
            ('=', Some('=')) => Some("=="),
            ('!', Some('=')) => Some("!="),
            ('<', Some('=')) => Some("<="),
            ('>', Some('=')) => Some(">="),
            ('&', Some('&')) => Some("&&"),
            ('|', Some('|')) => Some("||"),
            _ => None,
        };
        if let Some(o) = op2 {
            out.push((Tok::Op(o), col));
            i += 2;
            continue;
        }
        match c {
            '(' => out.push((Tok::LParen, col)),
            ')' => out.push((Tok::RParen, col)),
            '[' => out.push((Tok::LBracket, col)),
            ']' => out.push((Tok::RBracket, col)),
            ',' => out.push((Tok::Comma, col)),
            '<' => out.push((Tok::Op("<"), col)),
            '>' => out.push((Tok::Op(">"), col)),
            '=' => out.push((Tok::Op("=="), col)),
            '!' => out.push((Tok::Op("!"), col)),
            '~' => out.push((Tok::Op("~"), col)),
            '&' => out.push((Tok::Op("&"), col)),
            '|' => {
                return err(col, "a single '|': write '||' or 'or'");
            }
            '"' | '\'' => {
                let q = c;
                let mut v = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(FilterError {
                                column: col,
                                message: "unterminated string".into(),
                            });
                        }
                        Some('\\') => {
                            match chars.get(i + 1) {
                                Some(&e) if e == q || e == '\\' => v.push(e),
                                Some(&e) => {
                                    v.push('\\');
                                    v.push(e);
                                }
                                None => {
                                    return Err(FilterError {
                                        column: col,
                                        message: "unterminated string".into(),
                                    });
                                }
                            }
                            i += 2;
                        }
                        Some(&ch) if ch == q => break,
                        Some(&ch) => {
                            v.push(ch);
                            i += 1;
                        }
                    }
                }
                out.push((Tok::Str(v), col));
            }
            _ => {
                let start = i;
                while i < chars.len() {
                    let ch = chars[i];
                    if ch.is_whitespace() || "()[],\"'<>=!~&|".contains(ch) {
                        break;
                    }
                    i += 1;
                }
                out.push((Tok::Word(chars[start..i].iter().collect()), col));
                continue;
            }
        }
        i += 1;
    }
    Ok(out)
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A constant, in the form fields are compared in.
#[derive(Clone, Debug, PartialEq)]
pub enum Const {
    U(u64),
    I(i64),
    F(f64),
    Bool(bool),
    V4(u32),
    V6(u128),
    /// Times in nanoseconds since 1970.
    Ns(i128),
    /// Strings, octets, MACs, unsigned256 (minimal big-endian).
    Bytes(Vec<u8>),
}

/// An IE a test refers to, with its type.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldRef {
    pub pen: u32,
    pub id: u16,
    pub dtype: DataType,
    pub name: String,
}

#[derive(Clone, Debug)]
pub enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    Cmp(FieldRef, Op, Const),
    /// `in [a, b]`: equal to any.
    InList(FieldRef, Vec<Const>),
    /// `in PREFIX`: v4 (net, mask) or v6.
    InNet4(FieldRef, u32, u32),
    InNet6(FieldRef, u128, u128),
    Regex(FieldRef, regex::bytes::Regex),
    Exists(FieldRef),
    /// `NAME & MASK [op VALUE]`: the masked unsigned value compared (`!= 0` when no op).
    Bits(FieldRef, u64, Op, u64),
}

/// How deep parentheses may nest. Every recursive walk of an [`Expr`] (compiling, evaluating,
/// dropping) is at most about twice as deep as this, so it cannot exhaust a thread's stack;
/// runs of `not`/`!` and long `and`/`or` chains do not add depth (they are folded and flat).
pub const MAX_DEPTH: usize = 100;

struct Parser<'m> {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    model: &'m InfoModel,
    end: usize,
    depth: usize,
}

fn err<T>(column: usize, message: impl Into<String>) -> Result<T, FilterError> {
    Err(FilterError {
        column,
        message: message.into(),
    })
}

/// Parses and type-checks an expression.
pub fn parse(s: &str, model: &InfoModel) -> Result<Expr, FilterError> {
    parse_inner(s, model).map_err(|e| FilterError {
        column: e.column,
        message: shorten_quotes(&e.message),
    })
}

/// Messages quote names and values as written; a hostile expression's 100 KB name is cut to
/// its first 40 characters so the error stays one readable line.
fn shorten_quotes(m: &str) -> String {
    let mut out = String::with_capacity(m.len().min(512));
    let mut inside = false;
    let mut run = 0usize;
    let mut escaped = false;
    for ch in m.chars() {
        let quote = ch == '"' && !escaped;
        escaped = inside && ch == '\\' && !escaped;
        if quote {
            if inside && run > 40 {
                out.push_str("...");
            }
            inside = !inside;
            run = 0;
            out.push(ch);
            continue;
        }
        if inside {
            run += 1;
            if run > 40 {
                continue;
            }
        }
        out.push(ch);
    }
    out
}

fn parse_inner(s: &str, model: &InfoModel) -> Result<Expr, FilterError> {
    let toks = lex(s)?;
    if toks.is_empty() {
        return err(1, "empty expression");
    }
    let mut p = Parser {
        toks,
        pos: 0,
        model,
        end: s.chars().count() + 1,
        depth: 0,
    };
    let e = p.or()?;
    if let Some((t, c)) = p.toks.get(p.pos) {
        return err(*c, unexpected(t));
    }
    Ok(e)
}

fn unexpected(t: &Tok) -> String {
    match t {
        Tok::Op("&") => "a single '&': write '&&' or 'and' (a bit test is NAME & MASK)".into(),
        t => format!(
            "unexpected {} after a complete expression (missing 'and'/'or'?)",
            show(t)
        ),
    }
}

/// Words the parser reads as shorthands (also offered as suggestions for a typo).
const SHORTHANDS: [&str; 10] = [
    "proto", "ip", "host", "port", "net", "src", "dst", "bytes", "packets", "flags",
];

fn show(t: &Tok) -> String {
    match t {
        Tok::Word(w) => format!("{w:?}"),
        Tok::Str(s) => format!("string {s:?}"),
        Tok::LParen => "'('".into(),
        Tok::RParen => "')'".into(),
        Tok::LBracket => "'['".into(),
        Tok::RBracket => "']'".into(),
        Tok::Comma => "','".into(),
        Tok::Op(o) => format!("'{o}'"),
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(t, _)| t)
    }
    fn col(&self) -> usize {
        self.toks.get(self.pos).map(|(_, c)| *c).unwrap_or(self.end)
    }
    fn next(&mut self) -> Option<(Tok, usize)> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }
    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(x)) if x.eq_ignore_ascii_case(w))
    }
    fn expect(&mut self, t: Tok, what: &str) -> Result<(), FilterError> {
        let c = self.col();
        match self.next() {
            Some((x, _)) if x == t => Ok(()),
            Some((x, c)) => err(c, format!("expected {what}, found {}", show(&x))),
            None => err(c, format!("expected {what} at the end")),
        }
    }

    fn or(&mut self) -> Result<Expr, FilterError> {
        let mut v = vec![self.and()?];
        while self.is_word("or") || self.peek() == Some(&Tok::Op("||")) {
            self.pos += 1;
            v.push(self.and()?);
        }
        Ok(if v.len() == 1 {
            v.pop().unwrap_or(Expr::Or(vec![]))
        } else {
            Expr::Or(v)
        })
    }

    fn and(&mut self) -> Result<Expr, FilterError> {
        let mut v = vec![self.unary()?];
        while self.is_word("and") || self.peek() == Some(&Tok::Op("&&")) {
            self.pos += 1;
            v.push(self.unary()?);
        }
        Ok(if v.len() == 1 {
            v.pop().unwrap_or(Expr::And(vec![]))
        } else {
            Expr::And(v)
        })
    }

    fn unary(&mut self) -> Result<Expr, FilterError> {
        // A run of negations is counted, not recursed into: `!!!!x` is `x`.
        let mut negate = false;
        while self.is_word("not") || self.peek() == Some(&Tok::Op("!")) {
            self.pos += 1;
            negate = !negate;
        }
        let e = self.primary()?;
        Ok(if negate { Expr::Not(Box::new(e)) } else { e })
    }

    fn primary(&mut self) -> Result<Expr, FilterError> {
        if self.peek() == Some(&Tok::LParen) {
            if self.depth >= MAX_DEPTH {
                return err(
                    self.col(),
                    format!("nested too deeply (more than {MAX_DEPTH} levels of parentheses)"),
                );
            }
            self.pos += 1;
            self.depth += 1;
            let e = self.or()?;
            self.depth -= 1;
            let c = self.col();
            return match self.next() {
                Some((Tok::RParen, _)) => Ok(e),
                Some((Tok::Op("&"), c)) => err(c, unexpected(&Tok::Op("&"))),
                Some((x, c)) => err(c, format!("expected ')', found {}", show(&x))),
                None => err(c, "expected ')' at the end"),
            };
        }
        let c = self.col();
        let word = match self.next() {
            Some((Tok::Word(w), _)) => w,
            Some((t, c)) => {
                return err(
                    c,
                    format!("expected a field name or shorthand, found {}", show(&t)),
                );
            }
            None => return err(c, "expected a field name or shorthand at the end"),
        };
        let lw = word.to_ascii_lowercase();
        match lw.as_str() {
            "exists" => {
                self.expect(Tok::LParen, "'(' after exists")?;
                let fc = self.col();
                let name = match self.next() {
                    Some((Tok::Word(w), _)) => w,
                    _ => return err(fc, "expected a field name in exists(...)"),
                };
                let f = self.field(&name, fc)?;
                self.expect(Tok::RParen, "')'")?;
                Ok(Expr::Exists(f))
            }
            // A name the model defines (say by --ie-spec) wins over a shorthand.
            _ if self.model.by_name(&word).is_some() => self.test(&word, c),
            "proto" => self.proto(),
            "src" | "dst"
                if self.is_word("ip")
                    || self.is_word("host")
                    || self.is_word("port")
                    || self.is_word("net") =>
            {
                self.shorthand(Some(lw == "src"))
            }
            "ip" | "host" | "port" | "net" => {
                self.pos -= 1;
                self.shorthand(None)
            }
            "bytes" => self.counter(["octetDeltaCount", "octetTotalCount"]),
            "packets" => self.counter(["packetDeltaCount", "packetTotalCount"]),
            "flags" => self.flags(),
            _ => self.test(&word, c),
        }
    }

    /// An optional comparison operator.
    fn cmp_op(&mut self) -> Option<Op> {
        let op = match self.peek() {
            Some(Tok::Op("==")) => Op::Eq,
            Some(Tok::Op("!=")) => Op::Ne,
            Some(Tok::Op("<")) => Op::Lt,
            Some(Tok::Op("<=")) => Op::Le,
            Some(Tok::Op(">")) => Op::Gt,
            Some(Tok::Op(">=")) => Op::Ge,
            _ => return None,
        };
        self.pos += 1;
        Some(op)
    }

    /// An unsigned value for `f`: decimal (with k/M/G/T) or `0x` hex.
    fn unsigned(&self, f: &FieldRef, t: &str, c: usize) -> Result<u64, FilterError> {
        let hex = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X"));
        if let Some(h) = hex {
            return u64::from_str_radix(h, 16).map_err(|_| FilterError {
                column: c,
                message: format!("{}: {t:?} is not a hex number", f.name),
            });
        }
        match self.constant(f, t, c)? {
            Const::U(v) => Ok(v),
            _ => err(c, format!("{}: {t:?} is not an unsigned integer", f.name)),
        }
    }

    /// `bytes [op] N` / `packets [op] N`: the delta or the total counter (k, M, G suffixes).
    fn counter(&mut self, names: [&str; 2]) -> Result<Expr, FilterError> {
        let op = self.cmp_op().unwrap_or(Op::Eq);
        let (t, c) = self.literal()?;
        let fs = names.map(|n| self.named(n));
        let k = self.constant(&fs[0], &t, c)?;
        Ok(Expr::Or(
            fs.into_iter()
                .map(|f| Expr::Cmp(f, op, k.clone()))
                .collect(),
        ))
    }

    /// `flags LETTERS`: every named TCP flag is set (nfdump's letters; X is all six classic ones).
    fn flags(&mut self) -> Result<Expr, FilterError> {
        let (t, c) = self.literal()?;
        let mut mask = 0u64;
        for ch in t.chars() {
            mask |= match ch.to_ascii_uppercase() {
                'F' => 0x01,
                'S' => 0x02,
                'R' => 0x04,
                'P' => 0x08,
                'A' => 0x10,
                'U' => 0x20,
                'E' => 0x40,
                'C' => 0x80,
                'X' => 0x3f,
                _ => {
                    return err(
                        c,
                        format!(
                            "{t:?} is not a set of TCP flags (letters F S R P A U E C, X for FSRPAU)"
                        ),
                    );
                }
            };
        }
        Ok(Expr::Bits(self.named("tcpControlBits"), mask, Op::Eq, mask))
    }

    fn field(&self, name: &str, col: usize) -> Result<FieldRef, FilterError> {
        match self.model.by_name(name) {
            Some(d) => Ok(FieldRef {
                pen: d.pen,
                id: d.id,
                dtype: d.dtype,
                name: d.name.to_string(),
            }),
            None => match crate::ipfix::registry::parse_unknown_name(name) {
                Some((pen, id)) => Ok(FieldRef {
                    pen,
                    id,
                    dtype: DataType::OctetArray,
                    name: name.to_string(),
                }),
                None => {
                    let names = self.model.all();
                    let near = crate::ipfix::suggest::closest(
                        name,
                        names.iter().map(|d| d.name.as_ref()).chain(SHORTHANDS),
                    );
                    let hint = near
                        .map(|n| format!("; did you mean {n}?"))
                        .unwrap_or_default();
                    err(
                        col,
                        format!(
                            "unknown IE name {name:?}{hint} (use an IANA name, en<PEN>:id<ID>, or --ie-spec)"
                        ),
                    )
                }
            },
        }
    }

    fn literal(&mut self) -> Result<(String, usize), FilterError> {
        let c = self.col();
        match self.next() {
            Some((Tok::Word(w), c)) => Ok((w, c)),
            Some((Tok::Str(s), c)) => Ok((s, c)),
            Some((t, c)) => err(c, format!("expected a value, found {}", show(&t))),
            None => err(c, "expected a value at the end"),
        }
    }

    fn constant(&self, f: &FieldRef, text: &str, col: usize) -> Result<Const, FilterError> {
        let bad = |m: String| FilterError {
            column: col,
            message: format!("{}: {m}", f.name),
        };
        Ok(match f.dtype {
            DataType::DateTimeSeconds
            | DataType::DateTimeMilliseconds
            | DataType::DateTimeMicroseconds
            | DataType::DateTimeNanoseconds => {
                let digits = match f.dtype {
                    DataType::DateTimeSeconds => 0,
                    DataType::DateTimeMilliseconds => 3,
                    DataType::DateTimeMicroseconds => 6,
                    _ => 9,
                };
                if let Some(m) = wrong_unit(text, digits) {
                    return err(col, format!("{} {m}", f.name));
                }
                let full = complete_time(text);
                let (s, n) = parse_time(&full, digits).map_err(|e| {
                    // Name the text as written, not as completed.
                    bad(if full == text.trim() {
                        e
                    } else {
                        format!("{text:?} is not an RFC 3339 time (nor a date, or a date and time in UTC)")
                    })
                })?;
                Const::Ns(s as i128 * 1_000_000_000 + n as i128)
            }
            DataType::BasicList | DataType::SubTemplateList | DataType::SubTemplateMultiList => {
                return Err(bad(
                    "structured data can only be tested with exists()".into()
                ));
            }
            t => match parse_text(t, text)
                .or_else(|e| scaled(t, text).ok_or(e))
                .map_err(bad)?
            {
                Parsed::Unsigned(v) => Const::U(v),
                Parsed::Signed(v) => Const::I(v),
                Parsed::Float32(v) => Const::F(v as f64),
                Parsed::Float64(v) => Const::F(v),
                Parsed::Bool(b) => Const::Bool(b),
                Parsed::Ipv4(a) => Const::V4(u32::from(a)),
                Parsed::Ipv6(a) => Const::V6(u128::from(a)),
                Parsed::Mac(m) => Const::Bytes(m.to_vec()),
                Parsed::String(b) | Parsed::Octets(b) => Const::Bytes(b),
                Parsed::Unsigned256(b) => Const::Bytes(b),
                Parsed::Seconds(_) | Parsed::Millis(_) | Parsed::Micros(_) | Parsed::Nanos(_) => {
                    return Err(bad("unexpected time".into()));
                }
            },
        })
    }

    /// A literal for `f`; for a time IE, an unquoted `2024-05-01 00:10:00` is one literal.
    fn value_for(&mut self, f: &FieldRef) -> Result<(String, usize), FilterError> {
        let (mut t, c) = self.literal()?;
        if f.dtype.name().starts_with("dateTime") && is_date(&t) {
            if let Some(Tok::Word(w)) = self.peek() {
                if is_clock(w) {
                    t = format!("{t}T{w}");
                    self.pos += 1;
                }
            }
        }
        Ok((t, c))
    }

    fn list(&mut self, f: &FieldRef) -> Result<Vec<Const>, FilterError> {
        self.expect(Tok::LBracket, "'['")?;
        let mut v = Vec::new();
        loop {
            if self.peek() == Some(&Tok::RBracket) {
                self.pos += 1;
                break;
            }
            if self.peek() == Some(&Tok::Comma) {
                self.pos += 1;
                continue;
            }
            let (t, c) = self.value_for(f)?;
            v.push(self.constant(f, &t, c)?);
        }
        if v.is_empty() {
            return err(self.col(), "empty list");
        }
        Ok(v)
    }

    fn test(&mut self, name: &str, col: usize) -> Result<Expr, FilterError> {
        let f = self.field(name, col)?;
        let oc = self.col();
        let op = match self.next() {
            Some((Tok::Op(o), _)) => o,
            Some((Tok::Word(w), _)) if w.eq_ignore_ascii_case("in") => "in",
            Some((t, c)) => {
                return err(
                    c,
                    format!(
                        "expected an operator (== != < <= > >= in ~ &) after {name}, found {}",
                        show(&t)
                    ),
                );
            }
            None => {
                return err(
                    oc,
                    format!("expected an operator (== != < <= > >= in ~ &) after {name}"),
                );
            }
        };
        match op {
            "in" => {
                if self.peek() == Some(&Tok::LBracket) {
                    return Ok(Expr::InList(f.clone(), self.list(&f)?));
                }
                let (t, c) = self.literal()?;
                self.prefix(f, &t, c)
            }
            "~" => {
                if !matches!(f.dtype, DataType::String | DataType::OctetArray) {
                    return err(
                        oc,
                        format!("~ matches strings; {} is {}", f.name, f.dtype.name()),
                    );
                }
                let (t, c) = self.literal()?;
                let re = regex::bytes::Regex::new(&t).map_err(|e| {
                    // The regex crate's message repeats the pattern over several lines with a
                    // caret; keep its one-line `error:` part.
                    let full = e.to_string();
                    let what = full
                        .lines()
                        .find_map(|l| l.trim().strip_prefix("error: "))
                        .or_else(|| full.lines().next())
                        .unwrap_or("")
                        .to_string();
                    FilterError {
                        column: c,
                        message: format!("bad regular expression: {what}"),
                    }
                })?;
                Ok(Expr::Regex(f, re))
            }
            "&" => {
                if !f.dtype.is_unsigned() {
                    return err(
                        oc,
                        format!(
                            "& tests bits of unsigned IEs; {} is {}",
                            f.name,
                            f.dtype.name()
                        ),
                    );
                }
                let (t, c) = self.literal()?;
                let mask = self.unsigned(&f, &t, c)?;
                // No comparison given: any of the masked bits is set.
                let (op, value) = match self.cmp_op() {
                    Some(op) => {
                        let (t, c) = self.literal()?;
                        (op, self.unsigned(&f, &t, c)?)
                    }
                    None => (Op::Ne, 0),
                };
                Ok(Expr::Bits(f, mask, op, value))
            }
            o => {
                let op = match o {
                    "==" => Op::Eq,
                    "!=" => Op::Ne,
                    "<" => Op::Lt,
                    "<=" => Op::Le,
                    ">" => Op::Gt,
                    ">=" => Op::Ge,
                    other => return err(oc, format!("'{other}' is not a comparison")),
                };
                let (t, c) = self.value_for(&f)?;
                let k = self.constant(&f, &t, c)?;
                if matches!(f.dtype, DataType::Boolean) && !matches!(op, Op::Eq | Op::Ne) {
                    return err(oc, "booleans compare with == and != only");
                }
                Ok(Expr::Cmp(f, op, k))
            }
        }
    }

    fn prefix(&self, f: FieldRef, t: &str, c: usize) -> Result<Expr, FilterError> {
        let (addr, len) = t.split_once('/').ok_or_else(|| FilterError {
            column: c,
            message: format!("{t:?} is not a prefix like 10.0.0.0/8"),
        })?;
        let bad = || FilterError {
            column: c,
            message: format!("{t:?} is not a prefix like 10.0.0.0/8 or 2001:db8::/32"),
        };
        let ip: IpAddr = addr.parse().map_err(|_| bad())?;
        let len: u32 = len.parse().map_err(|_| bad())?;
        let max = if ip.is_ipv4() { 32 } else { 128 };
        if len > max {
            return Err(FilterError {
                column: c,
                message: format!("{t:?} is not a prefix: length {len} is above {max}"),
            });
        }
        match (ip, f.dtype) {
            (IpAddr::V4(a), DataType::Ipv4Address) => {
                let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
                Ok(Expr::InNet4(f, u32::from(a) & mask, mask))
            }
            (IpAddr::V6(a), DataType::Ipv6Address) => {
                let mask = if len == 0 {
                    0
                } else {
                    u128::MAX << (128 - len)
                };
                Ok(Expr::InNet6(f, u128::from(a) & mask, mask))
            }
            (_, DataType::Ipv4Address | DataType::Ipv6Address) => Err(FilterError {
                column: c,
                message: format!("{t:?} does not fit {} ({})", f.name, f.dtype.name()),
            }),
            _ => Err(FilterError {
                column: c,
                message: format!(
                    "'in PREFIX' needs an address field; {} is {}",
                    f.name,
                    f.dtype.name()
                ),
            }),
        }
    }

    fn named(&self, name: &str) -> FieldRef {
        match self.model.by_name(name) {
            Some(d) => FieldRef {
                pen: d.pen,
                id: d.id,
                dtype: d.dtype,
                name: d.name.to_string(),
            },
            None => FieldRef {
                pen: 0,
                id: 0,
                dtype: DataType::OctetArray,
                name: name.to_string(),
            },
        }
    }

    fn proto(&mut self) -> Result<Expr, FilterError> {
        let (t, c) = self.literal()?;
        let n: u64 = match t.to_ascii_lowercase().as_str() {
            "icmp" => 1,
            "igmp" => 2,
            "tcp" => 6,
            "udp" => 17,
            "gre" => 47,
            "esp" => 50,
            "ah" => 51,
            "icmp6" | "ipv6-icmp" => 58,
            "sctp" => 132,
            other => match other.parse::<u8>() {
                Ok(n) => n as u64,
                Err(_) => {
                    return err(
                        c,
                        format!(
                            "unknown protocol {t:?} (tcp, udp, icmp, icmp6, sctp, gre, esp, ah or 0..255)"
                        ),
                    );
                }
            },
        };
        Ok(Expr::Cmp(
            self.named("protocolIdentifier"),
            Op::Eq,
            Const::U(n),
        ))
    }

    /// `[src|dst] ip|host|port|net ...`; `src` is Some(true) for src, Some(false) for dst.
    fn shorthand(&mut self, side: Option<bool>) -> Result<Expr, FilterError> {
        let c0 = self.col();
        let Some((Tok::Word(kind), _)) = self.next() else {
            return err(c0, "expected ip, host, port or net");
        };
        let sides: &[bool] = match side {
            Some(true) => &[true],
            Some(false) => &[false],
            None => &[true, false],
        };
        let kind = kind.to_ascii_lowercase();
        let mut alts = Vec::new();
        match kind.as_str() {
            "port" => {
                let names: Vec<FieldRef> = sides
                    .iter()
                    .map(|s| {
                        self.named(if *s {
                            "sourceTransportPort"
                        } else {
                            "destinationTransportPort"
                        })
                    })
                    .collect();
                if self.is_word("in") {
                    self.pos += 1;
                    let mut singles = Vec::new();
                    let mut ranges = Vec::new();
                    for (t, c) in self.port_items()? {
                        match self.port_range(&names[0], &t, c)? {
                            (lo, Some(hi)) => ranges.push((lo, hi)),
                            (k, None) => singles.push(Const::U(k)),
                        }
                    }
                    for f in names {
                        if !singles.is_empty() {
                            alts.push(Expr::InList(f.clone(), singles.clone()));
                        }
                        alts.extend(ranges.iter().map(|&(lo, hi)| range(&f, lo, hi)));
                    }
                } else if let Some(op) = self.cmp_op() {
                    let (t, c) = self.literal()?;
                    let k = self.constant(&names[0], &t, c)?;
                    for f in names {
                        alts.push(Expr::Cmp(f, op, k.clone()));
                    }
                } else {
                    let (t, c) = self.literal()?;
                    let r = self.port_range(&names[0], &t, c)?;
                    for f in names {
                        alts.push(match r {
                            (lo, Some(hi)) => range(&f, lo, hi),
                            (k, None) => Expr::Cmp(f, Op::Eq, Const::U(k)),
                        });
                    }
                }
            }
            "ip" | "host" | "net" => {
                let items = if self.is_word("in") {
                    self.pos += 1;
                    self.raw_list()?
                } else {
                    vec![self.literal()?]
                };
                // Addresses go into one list per field; prefixes are tests of their own.
                let mut singles: [Vec<Const>; 2] = [Vec::new(), Vec::new()];
                let mut nets = Vec::new();
                for (t, c) in items {
                    let is_net = kind == "net" || t.contains('/');
                    let addr = t.split('/').next().unwrap_or("");
                    let v6 = match addr.parse::<IpAddr>() {
                        Ok(IpAddr::V6(_)) => true,
                        Ok(IpAddr::V4(_)) => false,
                        Err(_) => {
                            return err(
                                c,
                                format!(
                                    "{t:?} is not an IP {}",
                                    if is_net { "prefix" } else { "address" }
                                ),
                            );
                        }
                    };
                    if is_net {
                        nets.push((t, c, v6));
                    } else {
                        let k = self.constant(&self.named(addr_name(true, v6)), &t, c)?;
                        singles[usize::from(v6)].push(k);
                    }
                }
                for &s in sides {
                    for (v6, ks) in [(false, &singles[0]), (true, &singles[1])] {
                        let f = self.named(addr_name(s, v6));
                        match ks.as_slice() {
                            [] => {}
                            [k] => alts.push(Expr::Cmp(f, Op::Eq, k.clone())),
                            _ => alts.push(Expr::InList(f, ks.clone())),
                        }
                    }
                    for (t, c, v6) in &nets {
                        alts.push(self.prefix(self.named(addr_name(s, *v6)), t, *c)?);
                    }
                }
            }
            other => {
                return err(
                    self.col(),
                    format!("expected ip, host, port or net, found {other:?}"),
                );
            }
        }
        Ok(if alts.len() == 1 {
            alts.pop().unwrap_or(Expr::Or(vec![]))
        } else {
            Expr::Or(alts)
        })
    }

    /// `[a, b c]`: the literals of a list, as written.
    fn raw_list(&mut self) -> Result<Vec<(String, usize)>, FilterError> {
        self.expect(Tok::LBracket, "'['")?;
        let mut v = Vec::new();
        loop {
            match self.peek() {
                Some(Tok::RBracket) => {
                    self.pos += 1;
                    break;
                }
                Some(Tok::Comma) => self.pos += 1,
                _ => v.push(self.literal()?),
            }
        }
        if v.is_empty() {
            return err(self.col(), "empty list");
        }
        Ok(v)
    }

    /// The items of a port list, with `53 .. 80` (spaced) joined into one range.
    fn port_items(&mut self) -> Result<Vec<(String, usize)>, FilterError> {
        let mut out: Vec<(String, usize)> = Vec::new();
        let mut join = false;
        for (t, c) in self.raw_list()? {
            if t == ".." || t == "-" {
                if join || out.is_empty() {
                    return err(c, format!("{t:?} needs a port on each side"));
                }
                join = true;
            } else if join {
                if let Some(last) = out.last_mut() {
                    last.0 = format!("{}..{t}", last.0);
                }
                join = false;
            } else {
                out.push((t, c));
            }
        }
        if join {
            return err(self.col(), "a range needs a port after '..'");
        }
        Ok(out)
    }

    /// `N`, `LO-HI` or `LO..HI` (inclusive).
    fn port_range(
        &self,
        f: &FieldRef,
        t: &str,
        c: usize,
    ) -> Result<(u64, Option<u64>), FilterError> {
        let Some((lo, hi)) = t.split_once("..").or_else(|| t.split_once('-')) else {
            return Ok((self.unsigned(f, t, c)?, None));
        };
        let (lo, hi) = (self.unsigned(f, lo, c)?, self.unsigned(f, hi, c)?);
        if lo > hi {
            return err(c, format!("port range {t:?} is empty (start above end)"));
        }
        Ok((lo, Some(hi)))
    }
}

fn addr_name(src: bool, v6: bool) -> &'static str {
    match (src, v6) {
        (true, false) => "sourceIPv4Address",
        (false, false) => "destinationIPv4Address",
        (true, true) => "sourceIPv6Address",
        (false, true) => "destinationIPv6Address",
    }
}

/// `lo <= f <= hi`.
fn range(f: &FieldRef, lo: u64, hi: u64) -> Expr {
    Expr::And(vec![
        Expr::Cmp(f.clone(), Op::Ge, Const::U(lo)),
        Expr::Cmp(f.clone(), Op::Le, Const::U(hi)),
    ])
}

/// `YYYY-MM-DD`.
fn is_date(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

/// `HH:MM:SS` and whatever follows it (fraction, zone): the time half of a date and time.
fn is_clock(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() >= 8
        && b[..8].iter().enumerate().all(|(i, c)| {
            if i == 2 || i == 5 {
                *c == b':'
            } else {
                c.is_ascii_digit()
            }
        })
}

/// The filter's extra time forms, made RFC 3339: a date alone is its midnight, and a date and
/// time without a zone is UTC.
fn complete_time(t: &str) -> std::borrow::Cow<'_, str> {
    let t = t.trim();
    if is_date(t) {
        return format!("{t}T00:00:00Z").into();
    }
    let b = t.as_bytes();
    let zoned = matches!(b.last(), Some(b'Z' | b'z'))
        || b.get(19..)
            .is_some_and(|r| r.contains(&b'+') || r.contains(&b'-'));
    if b.len() >= 19 && t.get(..10).is_some_and(is_date) && !zoned {
        return format!("{t}Z").into();
    }
    t.into()
}

/// A bare integer compared with a time IE is read in the IE's unit. When that reading is far
/// from any plausible time (before 1980 or after 2200) but the integer is plausible in another
/// unit, it is almost surely epoch seconds given for a milliseconds IE or the like: an error
/// that names the unit and the integer meant. Small integers (0, say) stay accepted.
fn wrong_unit(text: &str, digits: u32) -> Option<String> {
    let t = text.trim();
    if t.is_empty() || !t.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let v: i128 = t.parse().ok()?;
    let plausible = |secs: i128| (315_532_800..7_258_118_400).contains(&secs);
    if plausible(v / 10i128.pow(digits)) {
        return None;
    }
    let unit = |d: u32| match d {
        0 => "seconds",
        3 => "milliseconds",
        6 => "microseconds",
        _ => "nanoseconds",
    };
    let d = [0u32, 3, 6, 9]
        .into_iter()
        .find(|&d| d != digits && plausible(v / 10i128.pow(d)))?;
    let meant = if d < digits {
        v * 10i128.pow(digits - d)
    } else {
        v / 10i128.pow(d - digits)
    };
    let ms = (v / 10i128.pow(d)) * 1000 + (v % 10i128.pow(d)) * 1000 / 10i128.pow(d);
    let mut when = Vec::new();
    crate::ipfix::text::write_scalar(
        &mut when,
        &crate::ipfix::Value::Millis(ms as u64),
        crate::ipfix::text::TimeStyle::Rfc3339,
    );
    Some(format!(
        "is in {}; did you mean {meant} ({}, reading {t} as {})?",
        unit(digits),
        String::from_utf8_lossy(&when),
        unit(d)
    ))
}

/// `10k`, `1M`, `2G`, `1T`: an unsigned integer with nfdump's decimal scaling (k = 1000, M =
/// 1000^2, G = 1000^3, T = 1000^4; either case, as nfdump).
fn scaled(t: DataType, text: &str) -> Option<Parsed> {
    if !t.is_unsigned() {
        return None;
    }
    let s = text.trim();
    let (num, f) = match s.as_bytes().last()? {
        b'k' | b'K' => (&s[..s.len() - 1], 1_000u64),
        b'm' | b'M' => (&s[..s.len() - 1], 1_000_000),
        b'g' | b'G' => (&s[..s.len() - 1], 1_000_000_000),
        b't' | b'T' => (&s[..s.len() - 1], 1_000_000_000_000),
        _ => return None,
    };
    if num.is_empty() || !num.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let v = num.parse::<u64>().ok()?.checked_mul(f)?;
    parse_text(t, &v.to_string()).ok()
}
