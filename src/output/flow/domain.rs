//! What a record's flow fields need from elsewhere in its domain, kept per domain: the
//! latest systemInitTimeMilliseconds (for uptime times), the sampling rates the exporter's
//! options records give (per sampler ID, or for the whole domain) and the exporter address
//! they give. The one place this state
//! is learned: the flow printer and `merge`'s sort key both take it from here.

use super::schema::{self, Context, Plan};
use crate::ipfix::decode;
use crate::ipfix::session::RecordRef;
use crate::ipfix::value::Value;
use std::collections::BTreeMap;

/// What the exporter's options records said about a domain.
#[derive(Default)]
pub struct Domain {
    init_ms: Option<i128>,
    /// A rate for every record of the domain (an options record not keyed by a sampler).
    rate: Option<u64>,
    /// Rates by sampler ID (flowSamplerId/samplerId 48, selectorId 302).
    by_sampler: BTreeMap<u64, u64>,
    /// exporterIPv4Address / exporterIPv6Address of an options record.
    exporter: Option<schema::Addr>,
}

impl Domain {
    /// Learns systemInitTimeMilliseconds and sampling rates from a record (an options record:
    /// rates keyed by the sampler ID it carries, or for the domain).
    fn learn(&mut self, r: &RecordRef<'_>) {
        let (mut rate, mut interval, mut space, mut sampler) = (None, None, None, None);
        for (f, b) in r.fields() {
            if f.pen != 0 {
                continue;
            }
            let v = decode(f.dtype, b);
            let u = match v {
                Value::Unsigned(u) => Some(u),
                _ => None,
            };
            match f.id {
                160 => {
                    if let Some(i) = v.instant() {
                        self.init_ms = Some(i.unix_ms());
                    }
                }
                34 | 50 => rate = rate.or(u),
                305 => interval = u,
                306 => space = u,
                48 | 302 => sampler = sampler.or(u),
                130 | 131 if r.template.is_options() => {
                    self.exporter = match v {
                        Value::Ipv4(a) => Some(schema::Addr::V4(a.octets())),
                        Value::Ipv6(a) => Some(schema::Addr::V6(a.octets())),
                        _ => self.exporter,
                    }
                }
                _ => {}
            }
        }
        if !r.template.is_options() {
            return;
        }
        let rate = rate.or(schema::interval_space(interval, space));
        if let Some(rate) = rate {
            match sampler {
                Some(id) => {
                    self.by_sampler.insert(id, rate);
                }
                None => self.rate = Some(rate),
            }
        }
    }
}

/// The domains' state by ID, with the last one used at hand (records come in long runs of
/// one domain).
#[derive(Default)]
pub struct Domains {
    index: BTreeMap<u32, usize>,
    list: Vec<Domain>,
    last: Option<(u32, usize)>,
}

impl Domains {
    /// Takes in what `r` says about its domain (systemInitTimeMilliseconds from any record
    /// carrying it, sampling rates from options records) and gives the context its flow fields
    /// are read with. `ranges`: the record walked as [`Plan::walk`] leaves it.
    pub fn observe(
        &mut self,
        r: &RecordRef<'_>,
        plan: &Plan,
        ranges: &[(usize, usize)],
    ) -> Context {
        let dom = self.get(r.domain());
        if r.template.is_options() || plan.learns {
            dom.learn(r);
        }
        let sampling = match plan.sampler_id(r, ranges) {
            Some(id) => dom.by_sampler.get(&id).copied().or(dom.rate),
            None => dom.rate,
        };
        Context {
            init_ms: dom.init_ms,
            sampling,
            exporter: dom.exporter,
        }
    }

    #[inline]
    fn get(&mut self, id: u32) -> &mut Domain {
        let i = match self.last {
            Some((d, i)) if d == id => i,
            _ => {
                let next = self.list.len();
                let i = *self.index.entry(id).or_insert(next);
                if i == next {
                    self.list.push(Domain::default());
                }
                self.last = Some((id, i));
                i
            }
        };
        &mut self.list[i]
    }
}
