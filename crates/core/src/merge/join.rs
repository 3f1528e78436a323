//! Walking sorted maps side by side. Diff and merge visit every id of two or three models;
//! stepping through their sorted maps together compares each key a few times, where looking
//! each one up in every map compares it dozens of times.

use std::collections::BTreeMap;
use std::iter::Peekable;

/// Every key of the three maps once, in order, with the value each map holds for it.
pub(crate) fn join3<'a, K: Ord, V>(
    maps: [&'a BTreeMap<K, V>; 3],
) -> impl Iterator<Item = (&'a K, [Option<&'a V>; 3])> {
    let mut its: [Peekable<std::collections::btree_map::Iter<'a, K, V>>; 3] =
        maps.map(|m| m.iter().peekable());
    std::iter::from_fn(move || {
        let mut least: Option<&'a K> = None;
        for it in its.iter_mut() {
            if let Some(&(k, _)) = it.peek()
                && least.is_none_or(|l| k < l)
            {
                least = Some(k);
            }
        }
        let key = least?;
        let mut values = [None, None, None];
        for (slot, it) in values.iter_mut().zip(its.iter_mut()) {
            if let Some(&(k, v)) = it.peek()
                && k == key
            {
                *slot = Some(v);
                it.next();
            }
        }
        Some((key, values))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_once_in_order_with_each_maps_value() {
        let a: BTreeMap<u8, char> = [(1, 'a'), (3, 'a')].into();
        let b: BTreeMap<u8, char> = [(2, 'b'), (3, 'b')].into();
        let c: BTreeMap<u8, char> = [(0, 'c'), (3, 'c'), (9, 'c')].into();
        let joined: Vec<_> = join3([&a, &b, &c]).collect();
        assert_eq!(
            joined,
            vec![
                (&0, [None, None, Some(&'c')]),
                (&1, [Some(&'a'), None, None]),
                (&2, [None, Some(&'b'), None]),
                (&3, [Some(&'a'), Some(&'b'), Some(&'c')]),
                (&9, [None, None, Some(&'c')]),
            ]
        );
    }
}
