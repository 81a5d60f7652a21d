//! The truth file tells the truth: every identifier it lists is really in the ad, written
//! the way it says, and every ad is a valid record of the ad format.

use std::collections::{BTreeMap, BTreeSet};

use plainsight_core::Ad;
use plainsight_corpus::{AdKind, CorpusConfig, MentionField, Truth, generate, reveal_digits};
use proptest::prelude::*;

use crate::corpus;

fn field(ad: &Ad, field: MentionField) -> Vec<&str> {
    match field {
        MentionField::Title => ad.title.as_deref().into_iter().collect(),
        MentionField::Body => ad.body.as_deref().into_iter().collect(),
        MentionField::Url => ad.url.as_deref().into_iter().collect(),
        MentionField::Phones => ad.phones.iter().map(String::as_str).collect(),
    }
}

fn national(digits: String) -> String {
    match digits.strip_prefix('1') {
        Some(rest) if digits.len() == 11 => rest.to_string(),
        _ => digits,
    }
}

/// Check one ad against its truth; returns a description of the first problem.
fn check(ad: &Ad, t: &Truth) -> Result<(), String> {
    if ad.id != t.ad_id {
        return Err(format!("ids differ: {} vs {}", ad.id, t.ad_id));
    }
    let text = format!(
        "{}\n{}",
        ad.title.as_deref().unwrap_or(""),
        ad.body.as_deref().unwrap_or("")
    );
    let mut mentioned = BTreeSet::new();
    for m in &t.phone_mentions {
        if !field(ad, m.field).iter().any(|f| f.contains(&m.written)) {
            return Err(format!("{:?} not found in field {:?}", m.written, m.field));
        }
        let want = m.e164.trim_start_matches("+1");
        if m.techniques.is_empty() {
            // Written plainly: the digits are simply there, in order.
            let digits: String = m.written.chars().filter(char::is_ascii_digit).collect();
            if national(digits) != want {
                return Err(format!("plain {:?} is not {}", m.written, m.e164));
            }
        } else if national(reveal_digits(&m.written)) != want {
            return Err(format!(
                "{:?} ({:?}) does not decode to {}",
                m.written, m.techniques, m.e164
            ));
        }
        mentioned.insert(m.e164.clone());
    }
    if mentioned.into_iter().collect::<Vec<_>>() != t.phones {
        return Err(format!("phones {:?} do not match the mentions", t.phones));
    }
    if !t.hub_phones.iter().all(|h| t.phones.contains(h)) {
        return Err("a hub phone is missing from phones".into());
    }
    let mut techniques: Vec<String> = t
        .phone_mentions
        .iter()
        .flat_map(|m| m.techniques.clone())
        .collect();
    techniques.sort();
    techniques.dedup();
    if techniques != t.phone_obfuscations {
        return Err(format!(
            "phone_obfuscations {:?} vs mentions {techniques:?}",
            t.phone_obfuscations
        ));
    }
    let shas: Vec<String> = ad.images.iter().filter_map(|i| i.sha256.clone()).collect();
    if shas != t.image_sha256 || ad.images.is_empty() {
        return Err("image hashes differ".into());
    }
    for email in &t.emails {
        let (user, domain) = email.split_once('@').ok_or("email without @")?;
        let host = domain.split('.').next().unwrap_or(domain);
        if !text.contains(user) || !text.contains(host) {
            return Err(format!("email {email} not in the text"));
        }
    }
    for handle in &t.handles {
        let (_, name) = handle.split_once(':').ok_or("handle without platform")?;
        if !text.contains(name) {
            return Err(format!("handle {handle} not in the text"));
        }
    }
    if let Some(age) = t.stated_age
        && !text.contains(&age.to_string())
        && !text
            .to_lowercase()
            .contains(&plainsight_corpus::spelled_age(age))
    {
        return Err(format!("stated age {age} not in the text"));
    }
    for p in &t.prices {
        if !text.contains(&p.amount.to_string()) {
            return Err(format!("price {} not in the text", p.amount));
        }
    }
    let location = ad.location.as_deref().unwrap_or("").to_lowercase();
    if !location.contains(&t.city.to_lowercase()) {
        return Err(format!("location {location:?} does not name {}", t.city));
    }
    if !t.network_id.starts_with("net-") && !t.network_id.starts_with("ind-") {
        return Err(format!("bad network id {}", t.network_id));
    }
    if t.kind == AdKind::Spam && t.copy_of.is_none() {
        return Err("spam copy without copy_of".into());
    }
    let value = serde_json::to_value(ad).map_err(|e| e.to_string())?;
    let back = Ad::from_json(value).map_err(|e| format!("invalid ad record: {e}"))?;
    if &back != ad {
        return Err("the ad does not survive a JSON round trip".into());
    }
    Ok(())
}

#[test]
fn truth_matches_every_ad() {
    for (ad, t) in corpus(20_000, 17) {
        if let Err(problem) = check(&ad, &t) {
            panic!("ad {}: {problem}\nad: {ad:#?}\ntruth: {t:#?}", ad.id);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn truth_matches_for_any_seed(seed in any::<u64>()) {
        for (ad, t) in generate(&CorpusConfig { ads: 150, seed, ..CorpusConfig::default() }) {
            prop_assert!(check(&ad, &t).is_ok(), "seed {seed}, ad {}: {:?}", ad.id, check(&ad, &t));
        }
    }
}

#[test]
fn every_number_is_a_valid_nanp_number() {
    let mut numbers = BTreeSet::new();
    for (_, t) in corpus(5_000, 3) {
        numbers.extend(t.phones);
    }
    assert!(numbers.len() > 200);
    for n in numbers {
        let parsed = phonenumber::parse(None, &n).unwrap_or_else(|e| panic!("{n}: {e:?}"));
        assert!(phonenumber::is_valid(&parsed), "{n} is not a valid number");
    }
}

#[test]
fn decoy_numbers_do_not_look_like_phones() {
    // Heights, measurements, prices and ages must never form a 7+ digit run once the
    // real numbers are taken out, or the truth would miss a "phone" extraction finds.
    for (ad, t) in corpus(10_000, 23) {
        let mut text = format!(
            "{}\n{}",
            ad.title.unwrap_or_default(),
            ad.body.unwrap_or_default()
        );
        for m in &t.phone_mentions {
            text = text.replace(&m.written, " ");
        }
        let mut run = 0;
        for c in text.chars() {
            run = if c.is_ascii_digit() { run + 1 } else { 0 };
            assert!(
                run < 7,
                "ad {}: a long digit run outside any phone: {text}",
                t.ad_id
            );
        }
    }
}

#[test]
fn spam_copies_repeat_an_earlier_ad_of_the_same_network() {
    let pairs = corpus(30_000, 8);
    let by_id: BTreeMap<&str, (&Ad, &Truth)> =
        pairs.iter().map(|(a, t)| (a.id.as_str(), (a, t))).collect();
    let mut copies = 0;
    for (ad, t) in &pairs {
        let Some(original) = &t.copy_of else { continue };
        copies += 1;
        let (orig_ad, orig_t) = by_id[original.as_str()];
        assert!(orig_ad.id < ad.id, "a copy comes after its original");
        assert_eq!(orig_t.network_id, t.network_id);
        assert_eq!(orig_ad.body, ad.body);
        assert_eq!(orig_t.phones, t.phones);
        assert_ne!(orig_t.kind, AdKind::Spam, "a copy copies an original post");
    }
    assert!(copies > 0, "no spam flood in 30,000 ads");
}
