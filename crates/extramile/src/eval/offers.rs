//! Offers and approvals from the granted alternatives, in time n log n in their number:
//! alternatives of one gesture and item are grouped once by sorting, instead of searched
//! for each alternative.

use super::{Bound, Granted, Run, SetBy};
use crate::decision::{Approval, Offer, OfferedGesture, OneOf};
use crate::ir::{GestureId, RoleId};
use crate::name::Name;

/// The buffers of grouping granted alternatives by gesture and item (a key), kept in the
/// thread's scratch between runs.
#[derive(Default)]
pub(super) struct OfferBuffers {
    /// The granted alternatives' indices, by key, then role, then source order.
    by_key: Vec<usize>,
    /// Each key's first position in `by_key` (its entries run to the next key's).
    key_starts: Vec<usize>,
    /// Each granted alternative's key.
    key_of: Vec<usize>,
    /// Each key's most generous alternative granted to a role up to the acting one.
    best: Vec<Option<usize>>,
    /// Each key's last grant (by position in `granted`) that offered it, or whether it
    /// was listed for approval.
    seen: Vec<Option<usize>>,
    /// The keys of each offer's gestures, one offer after another.
    offer_keys: Vec<usize>,
    /// Each offer's position in the offers built and its range in `offer_keys`.
    offer_spans: Vec<(usize, usize, usize)>,
}

impl OfferBuffers {
    pub(super) fn clear(&mut self) {
        self.by_key.clear();
        self.key_starts.clear();
        self.key_of.clear();
        self.best.clear();
        self.seen.clear();
        self.offer_keys.clear();
        self.offer_spans.clear();
    }

    /// The positions in `granted` of the alternatives of key `id`, by role then source
    /// order.
    fn entries_of(&self, id: usize) -> &[usize] {
        let start = self.key_starts.get(id).copied().unwrap_or_default();
        let end = self.key_starts.get(id.saturating_add(1)).copied().unwrap_or(self.by_key.len());
        self.by_key.get(start..end).unwrap_or_default()
    }
}

/// Whether `a` is the better of two alternatives of one key: the more generous, or as
/// generous and earlier in source order (its index in `granted`).
fn better(a: (Bound, usize), b: (Bound, usize)) -> bool {
    a.0.more_generous_than(b.0) || (!b.0.more_generous_than(a.0) && a.1 < b.1)
}

impl<'p> Run<'p> {
    /// The item words of a granted alternative.
    pub(super) fn item(&self, granted: &Granted) -> Option<&'p Name> {
        let program = self.program;
        let grant = program.rules.get(granted.rule)?.grants.get(granted.grant)?;
        grant.alternatives.get(granted.alternative)?.item.as_ref()
    }

    /// The bound of the grant `best`, capped by limits, with what set it; `None` if its
    /// gesture is forbidden.
    fn capped(&self, best: &Granted) -> Option<(Bound, SetBy)> {
        let gesture = best.gesture;
        if self.is_blocked(gesture) {
            return None;
        }
        match (best.bound, self.buffers.caps.get(gesture).and_then(Option::as_ref)) {
            (Bound::Unbounded, Some((cap, _))) => Some((Bound::UpTo(*cap), SetBy::Limit(gesture))),
            (Bound::UpTo(amount), Some((cap, _))) if *cap < amount => Some((Bound::UpTo(*cap), SetBy::Limit(gesture))),
            (bound, _) => Some((bound, SetBy::Rule(best.rule))),
        }
    }

    /// The name of the rule or limit that set a bound (shared, so only made when shown).
    fn set_by_name(&self, set_by: SetBy) -> Name {
        let name = match set_by {
            SetBy::Rule(rule) => self.program.rules.get(rule).map(|r| &r.name),
            SetBy::Limit(gesture) => self.buffers.caps.get(gesture).and_then(Option::as_ref).map(|(_, limit)| limit),
        };
        name.cloned().unwrap_or_default()
    }

    /// Groups the granted alternatives by gesture and item into `keys`, and finds each
    /// key's most generous alternative granted to a role up to `role`.
    fn group_by_key(&self, granted: &[Granted], role: RoleId, keys: &mut OfferBuffers) {
        keys.by_key.extend(0..granted.len());
        let sort_key = |&i: &usize| granted.get(i).map(|g| (g.gesture, self.item(g), g.role));
        // A stable sort: alternatives of one key and role stay in source order.
        keys.by_key.sort_by_key(sort_key);
        keys.key_of.resize(granted.len(), 0);
        let mut last: Option<(GestureId, Option<&Name>)> = None;
        for (at, &i) in keys.by_key.iter().enumerate() {
            let Some(g) = granted.get(i) else { continue };
            let key = (g.gesture, self.item(g));
            if last != Some(key) {
                last = Some(key);
                keys.key_starts.push(at);
                keys.best.push(None);
                keys.seen.push(None);
            }
            let id = keys.key_starts.len().saturating_sub(1);
            if let Some(slot) = keys.key_of.get_mut(i) {
                *slot = id;
            }
            if g.role <= role {
                if let Some(best) = keys.best.get_mut(id) {
                    if best.and_then(|b| granted.get(b).map(|bg| (bg.bound, b))).is_none_or(|b| better((g.bound, i), b))
                    {
                        *best = Some(i);
                    }
                }
            }
        }
    }

    pub(super) fn offers(&mut self, granted: &[Granted], role: RoleId, keys: &mut OfferBuffers) {
        let program = self.program;
        // A grant's alternatives are consecutive in `granted`, and share its role.
        let same_grant = |a: &Granted, b: &Granted| (a.rule, a.grant) == (b.rule, b.grant);
        // At most one offer per grant, and a grant has at least one alternative.
        let mut offers: Vec<Offer> = Vec::with_capacity(granted.len());
        // When no gesture is granted twice (as is usual), each alternative is its gesture's
        // best grant and no two offers are alike. Checked for a few grants only, where the
        // check costs less than grouping.
        let unique = granted.len() <= 16
            && granted
                .iter()
                .enumerate()
                .all(|(i, g)| granted.get(..i).unwrap_or_default().iter().all(|e| e.gesture != g.gesture));
        if !unique {
            self.group_by_key(granted, role, keys);
        }
        let mut at: usize = 0;
        for (grant_number, grant) in granted.chunk_by(same_grant).enumerate() {
            let grant_start = at;
            at = at.saturating_add(grant.len());
            let Some(first) = grant.first() else { continue };
            let Some(rule) = program.rules.get(first.rule).filter(|_| first.role <= role) else { continue };
            // The offer is built in place (an offer is large to move), and taken back if it
            // offers nothing.
            offers.push(Offer { one_of: OneOf::new(), rule: rule.name.clone(), priority: rule.priority });
            let Some(offer) = offers.last_mut() else { continue };
            // At most one gesture per alternative: sized so that it never grows (and kept
            // inline for the usual single gesture).
            offer.one_of.reserve_exact(grant.len());
            let keys_start = keys.offer_keys.len();
            for (i, g) in (grant_start..).zip(grant) {
                let best = if unique {
                    self.capped(g)
                } else {
                    // A gesture and item named twice in one grant is offered once.
                    let key = keys.key_of.get(i).copied().unwrap_or_default();
                    let Some(seen) = keys.seen.get_mut(key) else { continue };
                    if *seen == Some(grant_number) {
                        continue;
                    }
                    *seen = Some(grant_number);
                    keys.offer_keys.push(key);
                    let best = keys.best.get(key).copied().flatten().and_then(|b| granted.get(b));
                    best.and_then(|best| self.capped(best))
                };
                let Some((bound, set_by)) = best else {
                    // A forbidden gesture is left out; its key with it.
                    if !unique {
                        keys.offer_keys.pop();
                    }
                    continue;
                };
                let limited_by = (bound != Bound::Given).then(|| self.set_by_name(set_by));
                let gesture = self.gesture_name(g.gesture);
                offer.one_of.push(OfferedGesture {
                    gesture,
                    item: self.item(g).cloned(),
                    up_to: bound.amount(),
                    limited_by,
                });
            }
            if offer.one_of.is_empty() {
                offers.pop();
                continue;
            }
            if !unique {
                let position = offers.len().saturating_sub(1);
                keys.offer_spans.push((position, keys_start, keys.offer_keys.len()));
            }
        }
        if !unique {
            keep_one_of_alike(&mut offers, keys);
        }
        // A stable sort: equal priorities keep their source order. Most policies give no
        // priorities, so the offers are usually in order already.
        if !offers.is_sorted_by(|a, b| a.priority >= b.priority) {
            offers.sort_by_key(|offer| std::cmp::Reverse(offer.priority));
        }
        self.decision.offers = offers;
    }

    pub(super) fn approvals(&mut self, granted: &[Granted], role: RoleId, keys: &mut OfferBuffers) {
        if granted.iter().all(|g| g.role <= role) {
            return;
        }
        if keys.key_starts.is_empty() {
            self.group_by_key(granted, role, keys);
        }
        // `seen` marks the keys listed for approval (offers are done with it).
        keys.seen.iter_mut().for_each(|seen| *seen = None);
        // Keys in the order their first alternative beyond the acting role was granted.
        for (i, g) in granted.iter().enumerate() {
            if g.role <= role {
                continue;
            }
            let key = keys.key_of.get(i).copied().unwrap_or_default();
            match keys.seen.get_mut(key) {
                Some(seen @ None) => *seen = Some(0),
                _ => continue,
            }
            let mut previous =
                keys.best.get(key).copied().flatten().and_then(|b| granted.get(b)).and_then(|b| self.capped(b));
            let mut best: Option<usize> = keys.best.get(key).copied().flatten();
            // The entries climb the ladder: each role's best is the most generous granted
            // to it or a role below it.
            let entries = keys.entries_of(key);
            for (at, &e) in entries.iter().enumerate() {
                let Some(entry) = granted.get(e) else { continue };
                if entry.role <= role {
                    continue;
                }
                if best.and_then(|b| granted.get(b).map(|bg| (bg.bound, b))).is_none_or(|b| better((entry.bound, e), b))
                {
                    best = Some(e);
                }
                // Decide once the role's last entry is in.
                let last_of_role = entries
                    .get(at.saturating_add(1))
                    .and_then(|&n| granted.get(n))
                    .is_none_or(|n| n.role != entry.role);
                if !last_of_role {
                    continue;
                }
                let Some((bound, set_by)) = best.and_then(|b| granted.get(b)).and_then(|b| self.capped(b)) else {
                    continue;
                };
                let extends = previous.is_none_or(|(prev, _)| bound.more_generous_than(prev));
                if extends {
                    self.decision.needs_approval.push(Approval {
                        gesture: self.gesture_name(g.gesture),
                        item: self.item(g).cloned(),
                        approver: self.program.roles.get(entry.role).cloned().unwrap_or_default(),
                        up_to: bound.amount(),
                        rule: self.set_by_name(set_by),
                    });
                    previous = Some((bound, set_by));
                }
            }
        }
    }
}

/// Keeps one offer of each set of alike offers (offers of the same choice: the same keys
/// in the same order, as the gestures of a key are the same in every offer): the offer of
/// the rule with the highest priority, the first in source order among equals. Offers
/// otherwise keep their order.
fn keep_one_of_alike(offers: &mut Vec<Offer>, keys: &mut OfferBuffers) {
    let OfferBuffers { offer_keys, offer_spans, .. } = keys;
    let keys_of = |&(_, start, end): &(usize, usize, usize)| offer_keys.get(start..end).unwrap_or_default();
    if offer_spans.len() < 2 {
        return;
    }
    // A stable sort: alike offers end up side by side, in source order.
    offer_spans.sort_by(|a, b| keys_of(a).cmp(keys_of(b)));
    let mut dropped = vec![false; offers.len()];
    for alike in offer_spans.chunk_by(|a, b| keys_of(a) == keys_of(b)) {
        let priority = |span: &(usize, usize, usize)| offers.get(span.0).map_or(i64::MIN, |o| o.priority);
        // The first of the highest priority (`max_by_key` would keep the last).
        let Some(kept) = alike.iter().rev().max_by_key(|span| priority(span)) else { continue };
        for span in alike.iter().filter(|span| span.0 != kept.0) {
            if let Some(drop) = dropped.get_mut(span.0) {
                *drop = true;
            }
        }
    }
    let mut position = 0;
    offers.retain(|_| {
        let keep = !dropped.get(position).copied().unwrap_or_default();
        position = position.saturating_add(1);
        keep
    });
}
