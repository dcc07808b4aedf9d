//! The generator's pseudo-random numbers: xoshiro256** (Blackman and Vigna), seeded through
//! SplitMix64. Written here, not taken from a crate, because `gen` promises the same bytes for
//! the same seed on every machine and every release: a dependency update that changed a
//! stream or a distribution's algorithm would silently change every fixture. The few
//! distributions `gen` needs are here too, each in a fixed number of draws.

/// SplitMix64: one step (for seeding, and for mixing a seed with a chunk number).
pub fn splitmix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// xoshiro256**.
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// The stream of `seed`, part `stream` (records are made in chunks, each from its own
    /// stream, so any chunk can be made on any thread).
    pub fn new(seed: u64, stream: u64) -> Rng {
        let mut x = seed ^ stream.wrapping_mul(0xd1b5_4a32_d192_ed03);
        let mut s = [0u64; 4];
        for v in &mut s {
            *v = splitmix(&mut x);
        }
        if s == [0; 4] {
            s[0] = 1;
        }
        Rng { s }
    }

    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in `0..n` (`n` > 0), by the multiply-high method (its bias, below 2^-32 for
    /// the ranges used here, does not matter for fixtures; what matters is one draw each).
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    #[inline]
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in [0, 1), 53 bits.
    #[inline]
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A Pareto-like heavy-tailed integer of minimum `xm` and shape `num / den`: the octave
    /// `k` (values in `xm * 2^k .. xm * 2^(k+1)`) is reached with probability about
    /// `2^(-k * num / den)`, as a Pareto law gives, and the value is uniform in its octave.
    /// Integer operations only: no libm function (whose last bits differ between platforms)
    /// decides a fixture's bytes. Saturates at `u64::MAX / 2`.
    #[inline]
    pub fn heavy(&mut self, xm: u64, num: u32, den: u32) -> u64 {
        // P(leading zeros >= z) = 2^-z.
        let z = self.next_u64().leading_zeros();
        let k = (z * den / num).min(62);
        let lo = xm
            .max(1)
            .checked_shl(k)
            .filter(|&v| v < u64::MAX / 4)
            .unwrap_or(u64::MAX / 4);
        lo + self.below(lo)
    }

    /// An index drawn by `weights` (cumulative, ascending, the last one the total).
    #[inline]
    pub fn pick(&mut self, cumulative: &[u32]) -> usize {
        let total = *cumulative.last().unwrap_or(&1);
        let x = self.below(total as u64) as u32;
        cumulative.partition_point(|&c| c <= x)
    }

    /// An index drawn from a [`Table`].
    #[inline]
    pub fn draw(&mut self, t: &Table) -> usize {
        t.slots[(self.next_u64() >> (64 - TABLE_BITS)) as usize] as usize
    }

    pub fn fill(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

/// Cumulative weights of a table, for [`Rng::pick`].
pub fn cumulative(weights: &[u32]) -> Vec<u32> {
    let mut total = 0;
    weights
        .iter()
        .map(|w| {
            total += w;
            total
        })
        .collect()
}

const TABLE_BITS: u32 = 16;

/// A distribution over indexes as a lookup table of 2^16 slots (each index gets slots in
/// proportion to its weight, at least one): one draw and one load, where a search over the
/// cumulative weights takes a dozen steps.
pub struct Table {
    slots: Vec<u16>,
}

impl Table {
    /// From cumulative weights (as [`cumulative`] gives; at most 65536 of them).
    pub fn new(cum: &[u32]) -> Table {
        let n = 1usize << TABLE_BITS;
        let total = *cum.last().unwrap_or(&1) as u64;
        let slots = (0..n)
            .map(|s| {
                // The index whose cumulative range holds the slot's middle.
                let x = ((2 * s as u64 + 1) * total / (2 * n as u64)) as u32;
                cum.partition_point(|&c| c <= x).min(cum.len() - 1) as u16
            })
            .collect();
        Table { slots }
    }
}

/// Cumulative Zipf weights (exponent 1: rank k is drawn in proportion to 1/k) of ranks
/// 1..=n, as integers: a few hosts get most flows, as on real networks. Integer division
/// only, so the table is the same everywhere.
pub fn zipf(n: usize) -> Vec<u32> {
    let weights: Vec<u32> = (1..=n as u32).map(|k| 1_000_000 / k).collect();
    cumulative(&weights)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_is_fixed() {
        // The first outputs for seed 1, stream 0: if these change, every fixture changes.
        let mut r = Rng::new(1, 0);
        let got: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
        let mut again = Rng::new(1, 0);
        assert_eq!(got, (0..3).map(|_| again.next_u64()).collect::<Vec<_>>());
        assert_eq!(got, FIRST);
        assert_ne!(Rng::new(1, 1).next_u64(), got[0]);
        assert_ne!(Rng::new(2, 0).next_u64(), got[0]);
    }

    const FIRST: [u64; 3] = [
        12966619160104079557,
        9600361134598540522,
        10590380919521690900,
    ];

    #[test]
    fn distributions_stay_in_range() {
        let mut r = Rng::new(7, 3);
        let c = cumulative(&[1, 0, 3]);
        let mut seen = [0u32; 3];
        for _ in 0..10_000 {
            assert!(r.below(10) < 10);
            let x = r.range(5, 9);
            assert!((5..=9).contains(&x));
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
            assert!(r.heavy(2, 13, 10) >= 2);
            seen[r.pick(&c)] += 1;
        }
        assert_eq!(seen[1], 0);
        assert!(seen[2] > seen[0] * 2);
        let z = zipf(100);
        let t = Table::new(&z);
        let (mut top, mut top_t) = (0u32, 0u32);
        for _ in 0..10_000 {
            if r.pick(&z) < 10 {
                top += 1;
            }
            if r.draw(&t) < 10 {
                top_t += 1;
            }
        }
        assert!(top > 5000, "{top}");
        assert!(top_t > 5000 && top_t.abs_diff(top) < 500, "{top_t}");
        // Heavy tails: octave k or above with probability 2^-ceil(1.3 k) (shape 1.3).
        let mut octaves = [0u32; 8];
        for _ in 0..100_000 {
            let v = r.heavy(1, 13, 10);
            octaves[(63 - v.leading_zeros() as usize).min(7)] += 1;
        }
        assert!(octaves.windows(2).all(|w| w[0] > w[1]), "{octaves:?}");
        let tail: u32 = octaves[5..].iter().sum();
        assert!(
            (400..1600).contains(&tail),
            "{octaves:?}: 2^-7 of 100k is 781"
        );
    }
}
