//! Disjoint-set forest (union by size, path halving) over dense indices.

/// Groups `0..n` into connected sets as links are added.
#[derive(Debug, Clone)]
pub struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    pub fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    pub fn len(&self) -> usize {
        self.parent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// The representative of `x`'s set.
    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grand = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grand;
            x = grand;
        }
        x
    }

    /// Join the sets of `a` and `b`; true when they were separate.
    pub fn union(&mut self, a: u32, b: u32) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        let (big, small) = if self.size[ra as usize] >= self.size[rb as usize] {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[small as usize] = big;
        self.size[big as usize] += self.size[small as usize];
        true
    }

    /// Size of `x`'s set.
    pub fn set_size(&mut self, x: u32) -> u32 {
        let r = self.find(x);
        self.size[r as usize]
    }

    /// For every element, the smallest element of its set: a representative that does not
    /// depend on the order links were added in.
    pub fn canonical_labels(&mut self) -> Vec<u32> {
        let n = self.parent.len();
        let mut smallest = vec![u32::MAX; n];
        for x in 0..n as u32 {
            let r = self.find(x) as usize;
            smallest[r] = smallest[r].min(x);
        }
        (0..n as u32)
            .map(|x| {
                let r = self.find(x) as usize;
                smallest[r]
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn unions_join_sets() {
        let mut uf = UnionFind::new(5);
        assert!(uf.union(0, 1));
        assert!(uf.union(3, 4));
        assert!(!uf.union(1, 0));
        assert_eq!(uf.set_size(1), 2);
        assert_eq!(uf.canonical_labels(), vec![0, 0, 2, 3, 3]);
    }

    proptest! {
        #[test]
        fn labels_do_not_depend_on_link_order(links in proptest::collection::vec((0u32..40, 0u32..40), 0..80)) {
            let mut a = UnionFind::new(40);
            for &(x, y) in &links { a.union(x, y); }
            let mut b = UnionFind::new(40);
            for &(x, y) in links.iter().rev() { b.union(y, x); }
            prop_assert_eq!(a.canonical_labels(), b.canonical_labels());
        }
    }
}
