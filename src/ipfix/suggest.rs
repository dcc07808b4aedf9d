//! "Did you mean ...?" for mistyped IE names.
//!
//! The candidates are every name of an [`InfoModel`] (IANA, RFC 5103 reverse, CERT, vendor
//! dictionaries and `--ie-spec` definitions alike: whatever the model holds), so names added to
//! the model later are suggested without a change here. The distance is the optimal string
//! alignment distance (Levenshtein plus swaps of neighbours), computed ASCII-case-insensitively
//! with a case difference counted as a small extra: `sourceipv4address` still finds
//! `sourceIPv4Address`. Written by hand: a few lines, run only on the error path.

use super::registry::InfoModel;

/// The closest name to `name` among `candidates`, when it is close enough to be a likely typo:
/// at most one edit per four characters (at least one, at most four). Ties go to the first.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let n = name.chars().count();
    if n == 0 || n > 128 {
        return None;
    }
    let limit = (n / 4).clamp(1, 4);
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        if c == name {
            continue;
        }
        let len = c.chars().count();
        // The length difference alone is a lower bound of the distance.
        if len.abs_diff(n) > limit {
            continue;
        }
        // Scaled by 2 so a pure case difference (1) ranks below one real edit (2).
        let d = (distance(name, c) * 2).max(1);
        if d <= limit * 2 && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// The closest IE name of the model (see [`closest`]).
pub fn suggest_name<'m>(model: &'m InfoModel, name: &str) -> Option<&'m str> {
    closest(name, model.all().into_iter().map(|d| d.name.as_ref()))
}

/// Optimal string alignment distance, ignoring ASCII case.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    // Three rows: two back (for swaps), previous, current.
    let mut pp: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(pp[j - 2] + 1);
            }
            cur[j] = v;
        }
        std::mem::swap(&mut pp, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("abcd", "abdc"), 1, "a swap is one edit");
        assert_eq!(distance("ABC", "abc"), 0);
        assert_eq!(distance("", "abc"), 3);
    }

    #[test]
    fn suggests_registry_names() {
        let m = InfoModel::builtin();
        let s = |n: &str| suggest_name(&m, n);
        assert_eq!(s("sourceIPv4Adress"), Some("sourceIPv4Address"));
        assert_eq!(s("sourceipv4address"), Some("sourceIPv4Address"));
        assert_eq!(s("octetDeltaCont"), Some("octetDeltaCount"));
        assert_eq!(
            s("destinationTransportProt"),
            Some("destinationTransportPort")
        );
        assert_eq!(s("reverseOctetDeltaCout"), Some("reverseOctetDeltaCount"));
        assert_eq!(s("totallyUnrelatedThing"), None);
        assert_eq!(s("x"), None);
        assert_eq!(s(""), None);
    }

    #[test]
    fn suggests_names_added_to_the_model() {
        let mut m = (*InfoModel::builtin()).clone();
        m.load_spec_text("myVendorCounter(12345/1)<unsigned64>[8]")
            .unwrap();
        assert_eq!(suggest_name(&m, "myVendorCountr"), Some("myVendorCounter"));
    }
}
