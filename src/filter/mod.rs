//! The filter expression language: parse once, compile once per template, evaluate per record
//! without allocating.
//!
//! Compiling resolves every test to the indices of the template fields it reads (all
//! occurrences of the IE: a test holds if any occurrence satisfies it) and, for a field at a
//! fixed offset (the template's [`Template::offset`]), to that offset. A test on a field the
//! template does not have compiles to `false`, so `not` of it is `true`. [`Filtered`] is the
//! sink that puts a filter in front of a printer.

pub mod explain;
pub mod filtered;
pub mod parse;

use crate::ipfix::list::FieldValues;
use crate::ipfix::types::DataType;
use crate::ipfix::value::{Value, be_uint, decode};
use crate::ipfix::{InfoModel, Template};
pub use explain::explain;
pub use filtered::Filtered;
pub use parse::{Const, Expr, FieldRef, FilterError, Op};

/// A parsed, type-checked expression.
#[derive(Clone, Debug)]
pub struct Filter {
    expr: Expr,
}

impl Filter {
    pub fn parse(s: &str, model: &InfoModel) -> Result<Filter, FilterError> {
        Ok(Filter {
            expr: parse::parse(s, model)?,
        })
    }

    /// Resolves the expression against a template.
    pub fn compile(&self, t: &Template) -> Compiled {
        let mut max = 0usize;
        let root = pin(compile(&self.expr, t, &mut max), t);
        let fixed = t.fixed_len.is_some();
        let offsets = if fixed {
            (0..t.fields.len()).filter_map(|i| fixed_at(t, i)).collect()
        } else {
            Vec::new()
        };
        Compiled {
            root,
            offsets,
            fixed,
            needed: max,
        }
    }
}

/// An expression resolved against one template.
#[derive(Clone, Debug)]
pub struct Compiled {
    root: Node,
    /// (offset, length) of every field when the template has no variable-length field.
    offsets: Vec<(u32, u32)>,
    fixed: bool,
    /// Fields read: indices below this.
    needed: usize,
}

#[derive(Clone, Debug)]
enum Node {
    Const(bool),
    Or(Vec<Node>),
    And(Vec<Node>),
    Not(Box<Node>),
    Cmp(Vec<(usize, DataType)>, Op, Const),
    InList(Vec<(usize, DataType)>, Vec<Const>),
    /// Specialised leaves for the common cases: an unsigned field against a u64 constant or
    /// list, and an IPv4 address against a constant. They skip the generic value match.
    UCmp(Vec<usize>, Op, u64),
    UIn(Vec<usize>, Vec<u64>),
    V4Cmp(Vec<usize>, Op, u32),
    /// The same on one field at a fixed offset (every field of a template without
    /// variable-length fields, the fields before the first one otherwise): (offset, length)
    /// read straight from the record.
    UCmpAt(u32, u32, Op, u64),
    UInAt(u32, u32, Vec<u64>),
    V4CmpAt(u32, Op, u32),
    Net4(Vec<usize>, u32, u32),
    Net6(Vec<usize>, u128, u128),
    Regex(Vec<usize>, regex::bytes::Regex),
    /// `field & mask` compared with a value, on unsigned fields.
    Bits(Vec<usize>, u64, Op, u64),
}

/// (offset, length) of field `i` of `t` when its offset is fixed ([`Template::offset`]) and so
/// is its length.
fn fixed_at(t: &Template, i: usize) -> Option<(u32, u32)> {
    let f = t.fields.get(i).filter(|f| !f.is_varlen())?;
    Some((t.offset(i)? as u32, f.len as u32))
}

/// Rewrites single-field leaves on a field at a fixed offset to read there.
fn pin(n: Node, t: &Template) -> Node {
    let at = |fs: &[usize]| match fs {
        [i] => fixed_at(t, *i),
        _ => None,
    };
    match n {
        Node::Or(v) => Node::Or(v.into_iter().map(|x| pin(x, t)).collect()),
        Node::And(v) => Node::And(v.into_iter().map(|x| pin(x, t)).collect()),
        Node::Not(x) => Node::Not(Box::new(pin(*x, t))),
        Node::UCmp(fs, op, k) => match at(&fs) {
            Some((o, l)) => Node::UCmpAt(o, l, op, k),
            None => Node::UCmp(fs, op, k),
        },
        Node::UIn(fs, ks) => match at(&fs) {
            Some((o, l)) => Node::UInAt(o, l, ks),
            None => Node::UIn(fs, ks),
        },
        Node::V4Cmp(fs, op, k) => match at(&fs) {
            Some((o, 4)) => Node::V4CmpAt(o, op, k),
            _ => Node::V4Cmp(fs, op, k),
        },
        other => other,
    }
}

/// Fields of `t` that carry the IE `f` with a usable type.
fn fields_of(f: &FieldRef, t: &Template, max: &mut usize) -> Vec<(usize, DataType)> {
    let v: Vec<(usize, DataType)> = t
        .fields
        .iter()
        .enumerate()
        .filter(|(_, x)| x.pen == f.pen && x.id == f.id && !x.bad_length())
        .map(|(i, x)| (i, x.dtype))
        .collect();
    if let Some(&(i, _)) = v.last() {
        *max = (*max).max(i + 1);
    }
    v
}

fn compile(e: &Expr, t: &Template, max: &mut usize) -> Node {
    match e {
        Expr::Or(v) => {
            let mut kids = Vec::new();
            for x in v {
                match compile(x, t, max) {
                    Node::Const(true) => return Node::Const(true),
                    Node::Const(false) => {}
                    n => kids.push(n),
                }
            }
            if kids.is_empty() {
                Node::Const(false)
            } else if kids.len() == 1 {
                kids.remove(0)
            } else {
                Node::Or(kids)
            }
        }
        Expr::And(v) => {
            let mut kids = Vec::new();
            for x in v {
                match compile(x, t, max) {
                    Node::Const(false) => return Node::Const(false),
                    Node::Const(true) => {}
                    n => kids.push(n),
                }
            }
            if kids.is_empty() {
                Node::Const(true)
            } else if kids.len() == 1 {
                kids.remove(0)
            } else {
                Node::And(kids)
            }
        }
        Expr::Not(x) => match compile(x, t, max) {
            Node::Const(b) => Node::Const(!b),
            n => Node::Not(Box::new(n)),
        },
        Expr::Exists(f) => Node::Const(!fields_of(f, t, max).is_empty()),
        Expr::Cmp(f, op, k) => {
            let fs = fields_of(f, t, max);
            if fs.is_empty() {
                Node::Const(false)
            } else {
                let idx = || fs.iter().map(|x| x.0).collect::<Vec<usize>>();
                match k {
                    Const::U(c) if fs.iter().all(|x| x.1.is_unsigned()) => {
                        Node::UCmp(idx(), *op, *c)
                    }
                    Const::V4(c) => Node::V4Cmp(idx(), *op, *c),
                    _ => Node::Cmp(fs, *op, k.clone()),
                }
            }
        }
        Expr::InList(f, ks) => {
            let fs = fields_of(f, t, max);
            if fs.is_empty() {
                return Node::Const(false);
            }
            let us: Option<Vec<u64>> = ks
                .iter()
                .map(|k| if let Const::U(v) = k { Some(*v) } else { None })
                .collect();
            match us {
                Some(us) if fs.iter().all(|x| x.1.is_unsigned()) => {
                    Node::UIn(fs.iter().map(|x| x.0).collect(), us)
                }
                _ => Node::InList(fs, ks.clone()),
            }
        }
        Expr::InNet4(f, net, mask) => {
            let fs: Vec<usize> = fields_of(f, t, max).into_iter().map(|x| x.0).collect();
            if fs.is_empty() {
                Node::Const(false)
            } else {
                Node::Net4(fs, *net, *mask)
            }
        }
        Expr::InNet6(f, net, mask) => {
            let fs: Vec<usize> = fields_of(f, t, max).into_iter().map(|x| x.0).collect();
            if fs.is_empty() {
                Node::Const(false)
            } else {
                Node::Net6(fs, *net, *mask)
            }
        }
        Expr::Bits(f, mask, op, v) => {
            let fs: Vec<usize> = fields_of(f, t, max)
                .into_iter()
                .filter(|x| x.1.is_unsigned())
                .map(|x| x.0)
                .collect();
            if fs.is_empty() {
                Node::Const(false)
            } else {
                Node::Bits(fs, *mask, *op, *v)
            }
        }
        Expr::Regex(f, re) => {
            let fs: Vec<usize> = fields_of(f, t, max).into_iter().map(|x| x.0).collect();
            if fs.is_empty() {
                Node::Const(false)
            } else {
                Node::Regex(fs, re.clone())
            }
        }
    }
}

/// Reusable per-record scratch space (field ranges of variable-length records).
#[derive(Default)]
pub struct Scratch {
    ranges: Vec<(u32, u32)>,
}

impl Compiled {
    /// Whether the expression holds for one record of the template it was compiled for.
    #[inline]
    pub fn matches(&self, t: &Template, data: &[u8], scratch: &mut Scratch) -> bool {
        if let Node::Const(b) = self.root {
            return b;
        }
        let ranges: &[(u32, u32)] = if self.fixed {
            &self.offsets
        } else {
            scratch.ranges.clear();
            let base = data.as_ptr() as usize;
            for (_, v) in FieldValues::new(t, data).take(self.needed) {
                scratch
                    .ranges
                    .push(((v.as_ptr() as usize - base) as u32, v.len() as u32));
            }
            &scratch.ranges
        };
        let get = |i: usize| -> Option<&[u8]> {
            let &(o, l) = ranges.get(i)?;
            data.get(o as usize..(o + l) as usize)
        };
        eval(&self.root, data, &get)
    }

    /// True when the result does not depend on the record.
    pub fn constant(&self) -> Option<bool> {
        match self.root {
            Node::Const(b) => Some(b),
            _ => None,
        }
    }
}

fn eval<'a, F: Fn(usize) -> Option<&'a [u8]>>(n: &Node, data: &[u8], get: &F) -> bool {
    let at = |o: u32, l: u32| data.get(o as usize..(o + l) as usize);
    match n {
        Node::Const(b) => *b,
        Node::Or(v) => v.iter().any(|x| eval(x, data, get)),
        Node::And(v) => v.iter().all(|x| eval(x, data, get)),
        Node::Not(x) => !eval(x, data, get),
        // The unsigned leaves read fields of an unsigned type, so of 1 to 8 octets (the
        // template checked the declared length): no length check here.
        Node::UCmpAt(o, l, op, k) => at(*o, *l).is_some_and(|b| order(be_uint(b), *op, *k)),
        Node::UInAt(o, l, ks) => at(*o, *l).is_some_and(|b| ks.contains(&be_uint(b))),
        Node::V4CmpAt(o, op, k) => at(*o, 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .is_some_and(|a| order(u32::from_be_bytes(a), *op, *k)),
        Node::Cmp(fs, op, k) => fs
            .iter()
            .any(|&(i, dt)| get(i).is_some_and(|b| compare(dt, b, *op, k))),
        Node::InList(fs, ks) => fs
            .iter()
            .any(|&(i, dt)| get(i).is_some_and(|b| ks.iter().any(|k| compare(dt, b, Op::Eq, k)))),
        Node::UCmp(fs, op, k) => fs
            .iter()
            .any(|&i| get(i).is_some_and(|b| order(be_uint(b), *op, *k))),
        Node::UIn(fs, ks) => fs
            .iter()
            .any(|&i| get(i).is_some_and(|b| ks.contains(&be_uint(b)))),
        Node::V4Cmp(fs, op, k) => fs.iter().any(|&i| {
            get(i)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .is_some_and(|a| order(u32::from_be_bytes(a), *op, *k))
        }),
        Node::Net4(fs, net, mask) => fs.iter().any(|&i| {
            get(i)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .is_some_and(|a| u32::from_be_bytes(a) & mask == *net)
        }),
        Node::Net6(fs, net, mask) => fs.iter().any(|&i| {
            get(i)
                .and_then(|b| <[u8; 16]>::try_from(b).ok())
                .is_some_and(|a| u128::from_be_bytes(a) & mask == *net)
        }),
        Node::Regex(fs, re) => fs.iter().any(|&i| get(i).is_some_and(|b| re.is_match(b))),
        Node::Bits(fs, mask, op, v) => fs
            .iter()
            .any(|&i| get(i).is_some_and(|b| order(be_uint(b) & mask, *op, *v))),
    }
}

#[inline]
fn order<T: PartialOrd>(a: T, op: Op, b: T) -> bool {
    match op {
        Op::Eq => a == b,
        Op::Ne => a != b,
        Op::Lt => a < b,
        Op::Le => a <= b,
        Op::Gt => a > b,
        Op::Ge => a >= b,
    }
}

/// Compares one field's bytes (decoded as `dt`) with a constant.
#[inline]
fn compare(dt: DataType, b: &[u8], op: Op, k: &Const) -> bool {
    match k {
        // Any type may meet an unsigned constant here: only 1 to 8 octets are a number.
        Const::U(c) => (1..=8).contains(&b.len()) && order(be_uint(b), op, *c),
        Const::I(c) => match decode(dt, b) {
            Value::Signed(v) => order(v, op, *c),
            _ => false,
        },
        Const::F(c) => match decode(dt, b) {
            Value::Float32(v) => order(v as f64, op, *c),
            Value::Float64(v) => order(v, op, *c),
            _ => false,
        },
        Const::Bool(c) => match decode(dt, b) {
            Value::Bool(v) => order(v, op, *c),
            _ => false,
        },
        Const::V4(c) => <[u8; 4]>::try_from(b).is_ok_and(|a| order(u32::from_be_bytes(a), op, *c)),
        Const::V6(c) => {
            <[u8; 16]>::try_from(b).is_ok_and(|a| order(u128::from_be_bytes(a), op, *c))
        }
        Const::Ns(c) => decode(dt, b)
            .instant()
            .is_some_and(|i| order(i.secs as i128 * 1_000_000_000 + i.nanos as i128, op, *c)),
        Const::Bytes(c) => {
            if dt == DataType::Unsigned256 {
                let v = &b[b
                    .iter()
                    .position(|&x| x != 0)
                    .unwrap_or(b.len().saturating_sub(1))..];
                order((v.len(), v), op, (c.len(), c.as_slice()))
            } else {
                order(b, op, c.as_slice())
            }
        }
    }
}

#[cfg(test)]
mod tests;
