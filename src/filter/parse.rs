//! The filter expression language: tokens, grammar, and type checking against the registry.
//!
//! ```text
//! expr     := and (('or' | '||') and)*
//! and      := unary (('and' | '&&') unary)*
//! unary    := ('not' | '!') unary | '(' expr ')' | 'exists' '(' NAME ')' | shorthand | test
//! test     := NAME op literal | NAME 'in' (PREFIX | list) | NAME '~' "regex"
//! op       := '==' | '=' | '!=' | '<' | '<=' | '>' | '>='
//! list     := '[' literal (','? literal)* ']'
//! shorthand:= 'proto' (tcp|udp|icmp|icmp6|sctp|gre|esp|ah|N)
//!           | ['src'|'dst'] ('ip'|'host') ADDR | ['src'|'dst'] 'port' (N | 'in' list)
//!           | ['src'|'dst'] 'net' PREFIX
//! ```
//! Literals use the text forms of DESIGN.md (numbers, addresses, MACs, RFC 3339 times, quoted
//! strings). Names and literals are checked when parsed: an unknown IE or a literal of the
//! wrong type is an error naming it and its column.

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
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        let op2 = ["==", "!=", "<=", ">=", "&&", "||"]
            .into_iter()
            .find(|o| *o == two);
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
            '&' | '|' => {
                return Err(FilterError {
                    column: col,
                    message: format!(
                        "a single '{c}': write '{c}{c}' or '{}'",
                        if c == '&' { "and" } else { "or" }
                    ),
                });
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
}

struct Parser<'m> {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    model: &'m InfoModel,
    end: usize,
}

fn err<T>(column: usize, message: impl Into<String>) -> Result<T, FilterError> {
    Err(FilterError {
        column,
        message: message.into(),
    })
}

/// Parses and type-checks an expression.
pub fn parse(s: &str, model: &InfoModel) -> Result<Expr, FilterError> {
    let toks = lex(s)?;
    if toks.is_empty() {
        return err(1, "empty expression");
    }
    let mut p = Parser {
        toks,
        pos: 0,
        model,
        end: s.chars().count() + 1,
    };
    let e = p.or()?;
    if let Some((t, c)) = p.toks.get(p.pos) {
        return err(
            *c,
            format!(
                "unexpected {} after a complete expression (missing 'and'/'or'?)",
                show(t)
            ),
        );
    }
    Ok(e)
}

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
        if self.is_word("not") || self.peek() == Some(&Tok::Op("!")) {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.peek() == Some(&Tok::LParen) {
            self.pos += 1;
            let e = self.or()?;
            self.expect(Tok::RParen, "')'")?;
            return Ok(e);
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
            "proto" => self.proto(),
            "src" | "dst"
                if self.is_word("ip")
                    || self.is_word("host")
                    || self.is_word("port")
                    || self.is_word("net") =>
            {
                self.shorthand(Some(lw == "src"))
            }
            "ip" | "host" | "port" | "net"
                if !self.next_is_operator() || (lw == "port" && self.is_word("in")) =>
            {
                self.pos -= 1;
                self.shorthand(None)
            }
            _ => self.test(&word, c),
        }
    }

    fn next_is_operator(&self) -> bool {
        matches!(self.peek(), Some(Tok::Op(_))) || self.is_word("in")
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
                None => err(
                    col,
                    format!(
                        "unknown IE name {name:?} (use an IANA name, en<PEN>:id<ID>, or --ie-spec)"
                    ),
                ),
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
                let (s, n) = parse_time(text, digits).map_err(bad)?;
                Const::Ns(s as i128 * 1_000_000_000 + n as i128)
            }
            DataType::BasicList | DataType::SubTemplateList | DataType::SubTemplateMultiList => {
                return Err(bad(
                    "structured data can only be tested with exists()".into()
                ));
            }
            t => match parse_text(t, text).map_err(bad)? {
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
            let (t, c) = self.literal()?;
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
                        "expected an operator (== != < <= > >= in ~) after {name}, found {}",
                        show(&t)
                    ),
                );
            }
            None => {
                return err(
                    oc,
                    format!("expected an operator (== != < <= > >= in ~) after {name}"),
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
                let re = regex::bytes::Regex::new(&t).map_err(|e| FilterError {
                    column: c,
                    message: format!("bad regular expression: {e}"),
                })?;
                Ok(Expr::Regex(f, re))
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
                let (t, c) = self.literal()?;
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
        let Some((Tok::Word(kind), _)) = self.next() else {
            return err(self.col(), "expected ip, host, port or net");
        };
        let sides: Vec<bool> = match side {
            Some(s) => vec![s],
            None => vec![true, false],
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
                    let list = self.list(&names[0])?;
                    for f in names {
                        alts.push(Expr::InList(f, list.clone()));
                    }
                } else {
                    let (t, c) = self.literal()?;
                    let k = self.constant(&names[0], &t, c)?;
                    for f in names {
                        alts.push(Expr::Cmp(f, Op::Eq, k.clone()));
                    }
                }
            }
            "ip" | "host" | "net" => {
                let (t, c) = self.literal()?;
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
                for s in sides {
                    let name = match (s, v6) {
                        (true, false) => "sourceIPv4Address",
                        (false, false) => "destinationIPv4Address",
                        (true, true) => "sourceIPv6Address",
                        (false, true) => "destinationIPv6Address",
                    };
                    let f = self.named(name);
                    if is_net {
                        alts.push(self.prefix(f, &t, c)?);
                    } else {
                        let k = self.constant(&f, &t, c)?;
                        alts.push(Expr::Cmp(f, Op::Eq, k));
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
}
