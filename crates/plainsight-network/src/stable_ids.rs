//! Stable network ids across analysis runs. Each earlier network hands its id to the new group
//! that holds most of its ads; a group offered several ids keeps the one it shares most ads
//! with (the oldest on a tie) and records the others as merged into it; a group holding ads
//! of an earlier network that handed its id elsewhere is a split and gets a new id. Groups of
//! only new ads get new ids. Ids are never reused.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use plainsight_core::{NetworkEvent, NetworkId};

/// Ids for this run's groups and what happened to the earlier ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdAssignment {
    /// The id of each group, in the order the groups were given.
    pub ids: Vec<NetworkId>,
    pub events: Vec<NetworkEvent>,
    /// The next unused id after this run.
    pub next_id: NetworkId,
    /// How many groups kept an earlier id.
    pub kept: usize,
    /// How many groups got a new id.
    pub created: usize,
}

/// Assign ids to `groups` (each a list of ad keys) given the previous run's `previous`
/// (ad key → network id) and the first unused id.
pub fn assign_ids(
    groups: &[Vec<i64>],
    previous: &HashMap<i64, NetworkId>,
    mut next_id: NetworkId,
) -> IdAssignment {
    // overlap[old] = [(group, ads shared)], a group-by on the old id.
    let mut overlap: BTreeMap<NetworkId, BTreeMap<usize, usize>> = BTreeMap::new();
    for (g, keys) in groups.iter().enumerate() {
        for key in keys {
            if let Some(&old) = previous.get(key) {
                *overlap.entry(old).or_default().entry(g).or_default() += 1;
            }
        }
    }
    // Each earlier id goes to the group holding most of its ads (the first such group on a tie).
    let mut offered: BTreeMap<usize, Vec<(NetworkId, usize)>> = BTreeMap::new();
    let mut heir: BTreeMap<NetworkId, usize> = BTreeMap::new();
    for (&old, by_group) in &overlap {
        let (&g, &shared) = by_group
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .expect("an entry exists only with a group");
        offered.entry(g).or_default().push((old, shared));
        heir.insert(old, g);
    }
    let mut ids = vec![0; groups.len()];
    let mut events = Vec::new();
    let (mut kept, mut created) = (0, 0);
    for (g, slot) in ids.iter_mut().enumerate() {
        match offered.get(&g) {
            Some(offers) => {
                let &(keep, _) = offers
                    .iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                    .expect("offers are never empty");
                *slot = keep;
                kept += 1;
                let absorbed: Vec<NetworkId> = offers
                    .iter()
                    .map(|&(old, _)| old)
                    .filter(|&old| old != keep)
                    .collect();
                if !absorbed.is_empty() {
                    events.push(NetworkEvent::Merged {
                        into: keep,
                        absorbed,
                    });
                }
            }
            None => {
                *slot = next_id;
                next_id += 1;
                created += 1;
            }
        }
    }
    // Splits: a group holding ads of an earlier network whose id went to another group.
    for (&old, by_group) in &overlap {
        let heir_group = heir[&old];
        for &g in by_group.keys() {
            if g != heir_group && offered.get(&g).is_none_or(|o| o.iter().all(|x| x.0 != old)) {
                events.push(NetworkEvent::Split {
                    from: old,
                    new: ids[g],
                });
            }
        }
    }
    // Earlier networks none of whose ads remain.
    let all_previous: BTreeSet<NetworkId> = previous.values().copied().collect();
    for old in all_previous {
        if !overlap.contains_key(&old) {
            events.push(NetworkEvent::Retired { network: old });
        }
    }
    IdAssignment {
        ids,
        events,
        next_id,
        kept,
        created,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prev(pairs: &[(i64, NetworkId)]) -> HashMap<i64, NetworkId> {
        pairs.iter().copied().collect()
    }

    #[test]
    fn first_run_numbers_groups_in_order() {
        let a = assign_ids(&[vec![1, 2], vec![3]], &HashMap::new(), 1);
        assert_eq!(a.ids, vec![1, 2]);
        assert_eq!(a.next_id, 3);
        assert!(a.events.is_empty());
        assert_eq!((a.kept, a.created), (0, 2));
    }

    #[test]
    fn a_network_that_gains_ads_keeps_its_id_and_new_ads_get_new_ids() {
        let p = prev(&[(1, 7), (2, 7), (3, 8)]);
        let a = assign_ids(&[vec![9], vec![1, 2, 10], vec![3]], &p, 9);
        assert_eq!(a.ids, vec![9, 7, 8]);
        assert!(a.events.is_empty());
    }

    #[test]
    fn merges_keep_the_larger_share_and_record_the_absorbed() {
        let p = prev(&[(1, 7), (2, 7), (3, 8)]);
        let a = assign_ids(&[vec![1, 2, 3, 4]], &p, 9);
        assert_eq!(a.ids, vec![7]);
        assert_eq!(
            a.events,
            vec![NetworkEvent::Merged {
                into: 7,
                absorbed: vec![8]
            }]
        );
    }

    #[test]
    fn splits_give_the_smaller_part_a_new_id() {
        let p = prev(&[(1, 7), (2, 7), (3, 7)]);
        let a = assign_ids(&[vec![3], vec![1, 2]], &p, 9);
        assert_eq!(a.ids, vec![9, 7]);
        assert_eq!(a.events, vec![NetworkEvent::Split { from: 7, new: 9 }]);
    }

    #[test]
    fn networks_whose_ads_are_gone_are_retired() {
        let p = prev(&[(1, 7), (2, 8)]);
        let a = assign_ids(&[vec![1]], &p, 9);
        assert_eq!(a.ids, vec![7]);
        assert_eq!(a.events, vec![NetworkEvent::Retired { network: 8 }]);
    }

    #[test]
    fn reruns_on_the_same_groups_change_nothing() {
        let groups = vec![vec![1, 2], vec![3], vec![4, 5, 6]];
        let first = assign_ids(&groups, &HashMap::new(), 1);
        let p: HashMap<i64, NetworkId> = groups
            .iter()
            .zip(&first.ids)
            .flat_map(|(keys, &id)| keys.iter().map(move |&k| (k, id)))
            .collect();
        let second = assign_ids(&groups, &p, first.next_id);
        assert_eq!(second.ids, first.ids);
        assert!(second.events.is_empty());
        assert_eq!(second.next_id, first.next_id);
    }
}
