//! Writers: operators (one network posting for several personas) and independents (one
//! persona). Each is planned in full when it enters the corpus (personas, phone pool,
//! photos, templates, circuit, posting schedule) and then writes its ads one at a time.
//! A writer's plan is small and bounded, so memory does not grow with the corpus size.

use chrono::{DateTime, Duration, Utc};
use plainsight_core::{Ad, ImageRef};
use rand::Rng;
use serde_json::Map;

use crate::mojibake::mojibake;
use crate::phone::{Nanp, NumberPlan, PhoneStyle, PlainFormat, Technique, to_cyrillic};
use crate::places::{CITIES, City, city_weights, neighbours, slug};
use crate::rng::{
    CorpusRng, chance, derived_rng, distinct_indices, pick, pick_str, pick_weighted, tiered,
};
use crate::truth::{AdKind, MentionField, PhoneMention, Truth, TruthPrice};
use crate::vocab::*;
use crate::{CorpusConfig, Hub};

/// Random-stream ids, so that each purpose draws from its own generator.
const STREAM_WRITER: u64 = 1;

const DAY: i64 = 86_400;

/// A photo and its re-encodings (same picture, new bytes, perceptual hash a few bits off).
#[derive(Debug, Clone)]
struct Photo {
    versions: Vec<(String, String)>, // (sha256, phash); [0] is the original
}

impl Photo {
    fn new(rng: &mut CorpusRng) -> Photo {
        let phash: u64 = rng.random();
        let mut versions = vec![(random_hex(rng, 32), format!("{phash:016x}"))];
        if chance(rng, 300) {
            for _ in 0..rng.random_range(1..=2) {
                let mut p = phash;
                let flips = rng.random_range(1..=4usize);
                for bit in distinct_indices(rng, 64, flips) {
                    p ^= 1u64 << bit;
                }
                versions.push((random_hex(rng, 32), format!("{p:016x}")));
            }
        }
        Photo { versions }
    }
}

fn random_hex(rng: &mut CorpusRng, bytes: usize) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes * 2);
    for _ in 0..bytes {
        let b: u8 = rng.random();
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 15)]));
    }
    s
}

/// Social platforms written as handles (the truth uses these names).
const PLATFORMS: &[&str] = &[
    "instagram",
    "snapchat",
    "twitter",
    "telegram",
    "kik",
    "onlyfans",
];

#[derive(Debug, Clone)]
struct Persona {
    id: String,
    name: &'static str,
    age: u8,
    ethnicity: Option<&'static str>,
    hair: &'static str,
    height_inches: u8,
    weight: u16,
    bust: u8,
    cup: &'static str,
    waist: u8,
    hips: u8,
    photos: Vec<Photo>,
    /// Index into the writer's phone pool.
    phone: usize,
    handles: Vec<(&'static str, String)>,
    email: Option<String>,
}

#[derive(Debug, Clone, Copy)]
enum Caps {
    Normal,
    Upper,
    Sponge,
}

/// A text template: the fixed choices a writer copies ad after ad, with slots that vary.
#[derive(Debug, Clone)]
struct Template {
    id: String,
    third_person: bool,
    title: String,
    title_caps: Caps,
    body_caps: Caps,
    adjectives: (usize, usize),
    noun: usize,
    opener: Option<&'static str>,
    intro: &'static str,
    physical: Option<&'static str>,
    pitch: Vec<&'static str>,
    logistics: Option<usize>,
    rates: Option<&'static str>,
    contact: &'static str,
    signoff: Option<&'static str>,
    generic: Vec<&'static str>,
    boilerplate: Option<usize>,
    decor: Option<&'static str>,
    emoji: Vec<&'static str>,
    emoji_per_mille: u32,
    line_sep: &'static str,
    html_entities: bool,
    phone_style: PhoneStyle,
    location_style: u8,
    height_style: u8,
    measure_style: u8,
    contact_early: bool,
}

/// Prices a writer charges.
#[derive(Debug, Clone, Copy)]
struct Prices {
    qv: u32,
    hh: u32,
    m30: u32,
    hr: u32,
    hr2: u32,
    overnight: u32,
}

/// One leg of a circuit: a city and how many days the writer stays.
#[derive(Debug, Clone, Copy)]
struct Stop {
    city: usize,
    days: u32,
}

/// How a writer uses indicator language, per mille of ads.
#[derive(Debug, Clone, Copy)]
struct Habits {
    movement_away: u32,
    movement_home: u32,
    youth: u32,
    third_party: u32,
    trust: u32,
    screening: u32,
}

/// What the scheduler needs to start a writer.
pub(crate) struct WriterContext<'a> {
    pub cfg: &'a CorpusConfig,
    pub numbers: &'a NumberPlan,
    pub tags: &'a TagPlan,
}

/// One operator or independent and its plan.
#[derive(Debug)]
pub(crate) struct Writer {
    kind: AdKind,
    id: String,
    rng: CorpusRng,
    personas: Vec<Persona>,
    phones: Vec<Nanp>,
    /// Photos every persona of an operator uses (a logo, a stock picture).
    shared_photos: Vec<Photo>,
    templates: Vec<Template>,
    cashapp: Option<String>,
    shared_email: Option<String>,
    circuit: Vec<Stop>,
    circuit_days: u32,
    home: usize,
    start: DateTime<Utc>,
    clock: i64,
    gap: i64,
    remaining: u32,
    site: &'static str,
    prices: Prices,
    habits: Habits,
    rotate_per_mille: u32,
}

/// Unique, random-looking tags for handles and e-mail names: a seeded permutation of
/// base-36 strings, so two writers never invent the same handle by accident.
#[derive(Debug, Clone)]
pub(crate) struct TagPlan {
    multiplier: u64,
    offset: u64,
}

const TAG_SPACE: u64 = 36u64.pow(5);

impl TagPlan {
    pub(crate) fn new(rng: &mut CorpusRng) -> TagPlan {
        // Coprime with 36^5 = 2^10 * 3^10: odd and not a multiple of three.
        let mut multiplier = rng.random_range(TAG_SPACE / 3..TAG_SPACE / 2) | 1;
        while multiplier % 3 == 0 {
            multiplier += 2;
        }
        TagPlan {
            multiplier,
            offset: rng.random_range(0..TAG_SPACE),
        }
    }

    fn tag(&self, serial: u64) -> String {
        let mut v = ((serial % TAG_SPACE) * self.multiplier + self.offset) % TAG_SPACE;
        let mut out = Vec::with_capacity(5);
        for _ in 0..5 {
            let d = (v % 36) as u8;
            out.push(if d < 10 { b'0' + d } else { b'a' + d - 10 });
            v /= 36;
        }
        out.reverse();
        String::from_utf8(out).unwrap_or_default()
    }
}

fn persona_handle(rng: &mut CorpusRng, name: &str, tag: &str) -> String {
    let lower = name.to_lowercase();
    match rng.random_range(0..6u8) {
        0 => format!("{lower}{tag}"),
        1 => format!("{lower}_{tag}"),
        2 => format!("the{lower}{tag}"),
        3 => format!("{lower}.{tag}"),
        4 => format!("x{lower}x{tag}"),
        _ => format!("{name}{}", tag.to_uppercase()),
    }
}

impl Writer {
    /// Plan writer number `index`. Everything is drawn from the writer's own generator,
    /// so a writer does not depend on what the scheduler did before it.
    pub(crate) fn plan(ctx: &WriterContext<'_>, index: u64) -> Writer {
        let cfg = ctx.cfg;
        let mut rng = derived_rng(cfg.seed, STREAM_WRITER, index);
        let is_operator = rng.random_bool(cfg.operator_fraction.clamp(0.0, 1.0));
        let kind = if is_operator {
            AdKind::Operator
        } else {
            AdKind::Independent
        };
        let id = if is_operator {
            format!("net-{index:06}")
        } else {
            format!("ind-{index:06}")
        };

        let home = pick_weighted(&mut rng, &city_weights());
        let travels = if is_operator {
            chance(&mut rng, 700)
        } else {
            chance(&mut rng, 350)
        };
        let (circuit, circuit_days) = plan_circuit(&mut rng, home, travels, is_operator);

        let persona_count = if is_operator {
            rng.random_range(2..=6usize)
        } else {
            1
        };
        let pool_size = if is_operator {
            1 + pick_weighted(&mut rng, &[30, 35, 25, 10])
        } else {
            1
        };
        let phones: Vec<Nanp> = (0..pool_size)
            .map(|k| {
                // Mostly local numbers; some bought along the circuit or elsewhere.
                let city = if chance(&mut rng, 250) {
                    pick(&mut rng, &circuit).city
                } else if chance(&mut rng, 100) {
                    rng.random_range(0..CITIES.len())
                } else {
                    home
                };
                let area = *pick(&mut rng, CITIES[city].area_codes);
                ctx.numbers.number(area, index * 8 + k as u64)
            })
            .collect();

        let names = distinct_indices(&mut rng, NAMES.len(), persona_count);
        let personas: Vec<Persona> = names
            .iter()
            .enumerate()
            .map(|(p, &name_idx)| {
                let name = NAMES[name_idx];
                let handle_rate = if is_operator { 250 } else { 450 };
                let mut handles = Vec::new();
                if chance(&mut rng, handle_rate) {
                    for j in 0..rng.random_range(1..=2u64) {
                        let platform = *pick(&mut rng, PLATFORMS);
                        let tag = ctx.tags.tag(index * 32 + 3 + p as u64 * 4 + j);
                        handles.push((platform, persona_handle(&mut rng, name, &tag)));
                    }
                }
                let email_rate = if is_operator { 100 } else { 250 };
                let email = chance(&mut rng, email_rate).then(|| {
                    let tag = ctx.tags.tag(index * 32 + 2 + p as u64 * 4);
                    format!(
                        "{}{}@{}",
                        name.to_lowercase(),
                        tag,
                        pick(&mut rng, EMAIL_DOMAINS)
                    )
                });
                Persona {
                    id: format!("{id}/p{}", p + 1),
                    name,
                    age: tiered(
                        &mut rng,
                        &[(30, 19, 22), (35, 23, 26), (25, 27, 31), (10, 32, 38)],
                    ) as u8,
                    ethnicity: chance(&mut rng, 450).then(|| *pick(&mut rng, ETHNICITIES)),
                    hair: pick_str(&mut rng, HAIR),
                    height_inches: rng.random_range(59..=70),
                    weight: rng.random_range(100..=175),
                    bust: rng.random_range(32..=38),
                    cup: pick_str(&mut rng, &["A", "B", "C", "D", "DD"]),
                    waist: rng.random_range(23..=30),
                    hips: rng.random_range(34..=42),
                    photos: (0..rng.random_range(3..=8))
                        .map(|_| Photo::new(&mut rng))
                        .collect(),
                    // Round-robin: with more personas than numbers, personas share a number.
                    phone: p % pool_size,
                    handles,
                    email,
                }
            })
            .collect();

        let shared_photos = if is_operator && chance(&mut rng, 300) {
            (0..rng.random_range(1..=2))
                .map(|_| Photo::new(&mut rng))
                .collect()
        } else {
            Vec::new()
        };
        let cashapp = chance(&mut rng, if is_operator { 350 } else { 120 }).then(|| {
            let tag = ctx.tags.tag(index * 32).to_uppercase();
            let stem = if is_operator {
                *pick(&mut rng, &["Vip", "Dolls", "Bookings", "Angels", "Elite"])
            } else {
                personas[0].name
            };
            format!("{stem}{tag}")
        });
        let shared_email = (is_operator && chance(&mut rng, 300)).then(|| {
            let tag = ctx.tags.tag(index * 32 + 1);
            let stem = pick(
                &mut rng,
                &[
                    "vipbooking",
                    "sweetdolls",
                    "angelsagency",
                    "bookme",
                    "topgirls",
                ],
            );
            format!("{stem}{tag}@{}", pick(&mut rng, EMAIL_DOMAINS))
        });

        let obscure = if is_operator {
            rng.random_range(350..=900)
        } else {
            *pick(&mut rng, &[0, 100, 200, 300, 500])
        };
        let template_count = if is_operator {
            rng.random_range(1..=3usize)
        } else {
            1 + usize::from(chance(&mut rng, 200))
        };
        let templates = (0..template_count)
            .map(|t| plan_template(&mut rng, format!("{id}/t{}", t + 1), is_operator, obscure))
            .collect();

        let total = if is_operator {
            tiered(
                &mut rng,
                &[(40, 15, 40), (35, 41, 120), (20, 121, 300), (5, 301, 800)],
            )
        } else {
            tiered(
                &mut rng,
                &[(45, 1, 3), (30, 4, 10), (18, 11, 30), (7, 31, 80)],
            )
        };
        let period = i64::from(cfg.days.max(1)) * DAY;
        // Operators post about once a day per persona; independents every few days.
        let span = if is_operator {
            i64::from(total) * DAY / (persona_count as i64)
        } else {
            i64::from(total) * DAY * 5 / 2
        }
        .clamp(DAY, period);
        let start_offset = rng.random_range(0..=(period - span).max(0));
        let start = cfg.start_datetime() + Duration::seconds(start_offset);
        let gap = (span / i64::from(total.max(1))).max(600);

        let habits = if is_operator {
            Habits {
                movement_away: 120,
                movement_home: 20,
                youth: *pick(&mut rng, &[0, 0, 150, 300]),
                third_party: 250,
                trust: 250,
                screening: 50,
            }
        } else {
            Habits {
                movement_away: 700,
                movement_home: 80,
                youth: *pick(&mut rng, &[0, 0, 0, 60]),
                third_party: 10,
                trust: 120,
                screening: 200,
            }
        };
        let prices = plan_prices(&mut rng);
        Writer {
            kind,
            id,
            site: pick_str(&mut rng, SITES),
            rotate_per_mille: if is_operator {
                *pick(&mut rng, &[0, 0, 150, 150, 400])
            } else {
                0
            },
            rng,
            personas,
            phones,
            shared_photos,
            templates,
            cashapp,
            shared_email,
            circuit,
            circuit_days,
            home,
            start,
            clock: 0,
            gap,
            remaining: total,
            prices,
            habits,
        }
    }

    /// Ads this writer still has to post.
    pub(crate) fn remaining(&self) -> u32 {
        self.remaining
    }

    fn city_at(&self, clock: i64) -> usize {
        let day = (clock / DAY).max(0) as u32 % self.circuit_days.max(1);
        let mut acc = 0;
        for stop in &self.circuit {
            acc += stop.days;
            if day < acc {
                return stop.city;
            }
        }
        self.home
    }

    /// Write the next ad. `hub` is a hub number to print in the footer, if the scheduler
    /// chose one for this ad.
    pub(crate) fn next_ad(
        &mut self,
        ad_id: String,
        hub: Option<&Hub>,
        cfg: &CorpusConfig,
    ) -> (Ad, Truth) {
        self.remaining = self.remaining.saturating_sub(1);
        let jitter = self.rng.random_range(50..=150i64);
        self.clock += self.gap * jitter / 100;
        let city_idx = self.city_at(self.clock);
        let rng = &mut self.rng;

        let persona = &self.personas[rng.random_range(0..self.personas.len())];
        let template = if self.templates.len() > 1 && chance(rng, 300) {
            &self.templates[rng.random_range(1..self.templates.len())]
        } else {
            &self.templates[0]
        };
        let city = &CITIES[city_idx];
        let away = city_idx != self.home;

        let mut ad_phones: Vec<PhoneMention> = Vec::new();
        let mut indicators: Vec<&'static str> = Vec::new();
        let mut handles: Vec<String> = Vec::new();
        let mut emails: Vec<String> = Vec::new();
        let mut prices: Vec<TruthPrice> = Vec::new();

        let primary = if self.phones.len() > 1 && chance(rng, self.rotate_per_mille) {
            self.phones[rng.random_range(0..self.phones.len())]
        } else {
            self.phones[persona.phone]
        };
        let second = (self.phones.len() > 1 && chance(rng, 80))
            .then(|| self.phones[rng.random_range(0..self.phones.len())])
            .filter(|n| *n != primary);

        let lookalike_words = chance(rng, 20);
        let mut fill = Fill {
            persona,
            template,
            city,
            spot: pick_str(rng, city.spots),
            prices: self.prices,
            caps: template.body_caps,
            html_entities: template.html_entities,
            cyrillic_words: lookalike_words,
            cyrillic_used: false,
            age_written: false,
            ethnicity_written: false,
            price_log: Vec::new(),
            emoji: pick_str(rng, &template.emoji),
            phone_text: String::new(),
        };

        // Title.
        fill.caps = template.title_caps;
        let mut title = fill.render(&template.title, rng);
        if chance(rng, 50) {
            let plain = template.phone_style.plain_format().write(&primary);
            title.push_str(if chance(rng, 500) { " call " } else { " " });
            title.push_str(&plain);
            ad_phones.push(mention(&primary, MentionField::Title, plain, &[]));
        }
        fill.caps = template.body_caps;

        // Body lines.
        let scraper_phone = chance(rng, 300);
        let contact_in_body = !scraper_phone || !chance(rng, 150);
        let mut lines: Vec<String> = Vec::with_capacity(16);
        let mut intro = String::new();
        if let Some(opener) = template.opener {
            intro.push_str(&fill.render(opener, rng));
            intro.push_str(pick_str(rng, &[", ", "! ", "... ", " ~ ", " "]));
        }
        intro.push_str(&fill.render(template.intro, rng));
        lines.push(intro);

        let mut contact_line = None;
        if contact_in_body {
            let (written, techniques) = template.phone_style.write(&primary, rng);
            fill.phone_text = written.clone();
            let mut line = fill.render(template.contact, rng);
            ad_phones.push(mention(&primary, MentionField::Body, written, &techniques));
            if let Some(other) = second {
                let (written2, techniques2) = template.phone_style.write(&other, rng);
                line.push_str(&fill.render(" or ", rng));
                line.push_str(&written2);
                ad_phones.push(mention(&other, MentionField::Body, written2, &techniques2));
            }
            contact_line = Some(line);
        }
        if template.contact_early
            && let Some(line) = contact_line.take()
        {
            lines.push(line);
        }
        if let Some(physical) = template.physical
            && chance(rng, 900)
        {
            lines.push(fill.render(physical, rng));
        }
        for pitch in &template.pitch {
            if chance(rng, 900) {
                lines.push(fill.render(pitch, rng));
            }
        }
        if template.third_person {
            indicators.push("third_party");
        } else if chance(rng, self.habits.third_party) {
            lines.push(fill.render(pick_str(rng, THIRD_PARTY), rng));
            indicators.push("third_party");
        }
        if chance(
            rng,
            if away {
                self.habits.movement_away
            } else {
                self.habits.movement_home
            },
        ) {
            let mut line = fill.render(pick_str(rng, MOVEMENT), rng);
            if chance(rng, 400) {
                line.push_str(" \u{2708}\u{FE0F}");
            }
            lines.push(line);
            indicators.push("movement");
        }
        if chance(rng, self.habits.youth) {
            let mut line = fill.render(pick_str(rng, YOUTH), rng);
            if chance(rng, 300) {
                line.push(' ');
                line.push_str(pick_str(rng, &["\u{1F352}", "\u{1F338}"]));
            }
            lines.push(line);
            indicators.push("youth");
        }
        if chance(rng, self.habits.trust) {
            lines.push(fill.render(pick_str(rng, TRUST), rng));
            indicators.push("trust");
        }
        if let Some(logistics) = template.logistics {
            lines.push(fill.render(LOGISTICS[logistics], rng));
            if LOGISTICS_INCALL_ONLY.contains(&logistics) {
                indicators.push("incall_only");
            }
        }
        if let Some(rates) = template.rates {
            let mut line = fill.render(rates, rng);
            if chance(rng, 60) {
                line.push_str(" \u{1F339}");
            }
            lines.push(line);
        }
        if chance(rng, self.habits.screening) {
            lines.push(fill.render(pick_str(rng, SCREENING), rng));
            indicators.push("screening");
        }
        let mut generic_line: Vec<String> = template
            .generic
            .iter()
            .map(|g| fill.render(g, rng))
            .collect();
        if chance(rng, 300) {
            generic_line.push(fill.render(pick_str(rng, GENERIC), rng));
        }
        if !generic_line.is_empty() {
            lines.push(generic_line.join(*pick(rng, &[". ", " - ", "!! ", " * ", " | "])));
        }
        if let Some(b) = template.boilerplate {
            lines.push(fill.render(BOILERPLATE[b], rng));
        }
        if let Some(line) = contact_line.take() {
            lines.push(line);
        }

        // Other identifiers.
        let email = persona.email.as_ref().or(self.shared_email.as_ref());
        if let Some(address) = email
            && chance(rng, 500)
        {
            lines.push(write_email(rng, address));
            emails.push(address.to_lowercase());
        }
        for (platform, handle) in &persona.handles {
            if chance(rng, 600) {
                lines.push(write_handle(rng, platform, handle));
                handles.push(format!("{platform}:{handle}"));
            }
        }
        if let Some(tag) = &self.cashapp
            && chance(rng, 500)
        {
            let form = pick(
                rng,
                &[
                    "Cash App ${}",
                    "CA: ${}",
                    "deposit to ${}",
                    "Cashapp ${} for deposits",
                    "${}",
                ],
            );
            lines.push(form.replace("{}", tag));
            handles.push(format!("cashapp:{tag}"));
        }
        if let Some(signoff) = template.signoff {
            lines.push(fill.render(signoff, rng));
        }
        let mut hub_phones = Vec::new();
        if let Some(hub) = hub {
            let written = PlainFormat::random(rng).write(&hub.number);
            lines.push(hub.footer.replace("{phone}", &written));
            ad_phones.push(mention(&hub.number, MentionField::Body, written, &[]));
            hub_phones.push(hub.number.e164());
        }
        if let Some(decor) = template.decor
            && let Some(first) = lines.first_mut()
        {
            *first = format!("{decor} {first} {decor}");
        }
        for line in lines.iter_mut() {
            if chance(rng, template.emoji_per_mille) {
                line.push(' ');
                line.push_str(pick_str(rng, &template.emoji));
            }
        }
        let mut body = lines.join(template.line_sep);

        // Indicators carried by emoji anywhere in the text, and by stated ethnicity.
        for (emoji, code) in EMOJI_INDICATORS {
            if (body.contains(emoji) || title.contains(emoji)) && !indicators.contains(code) {
                indicators.push(code);
            }
        }
        if fill.ethnicity_written {
            indicators.push("ethnicity");
        }
        prices.append(&mut fill.price_log);

        let mut text_obfuscations = Vec::new();
        if template.line_sep.contains('<') || template.html_entities {
            text_obfuscations.push("html_body".to_string());
        }
        if fill.cyrillic_used {
            text_obfuscations.push("lookalike_words".to_string());
        }
        if chance(rng, (cfg.mojibake_rate.clamp(0.0, 1.0) * 1000.0) as u32)
            && (!body.is_ascii() || !title.is_ascii())
        {
            body = mojibake(&body);
            title = mojibake(&title);
            for m in ad_phones.iter_mut() {
                if matches!(m.field, MentionField::Body | MentionField::Title)
                    && !m.written.is_ascii()
                {
                    m.written = mojibake(&m.written);
                    m.techniques.push(Technique::Mojibake.name().to_string());
                }
            }
            text_obfuscations.push("mojibake".to_string());
        }

        // Scraper fields.
        let mut scraper_phones = Vec::new();
        if scraper_phone {
            let written = PlainFormat::random(rng).write(&primary);
            scraper_phones.push(written.clone());
            ad_phones.push(mention(&primary, MentionField::Phones, written, &[]));
        }
        let category = pick(rng, CATEGORIES);
        let url = if chance(rng, 30) {
            let written = PlainFormat::Dashes.write(&primary);
            let u = format!(
                "https://{}/{}/{category}/{written}-{}",
                self.site,
                slug(city),
                ad_id
            );
            ad_phones.push(mention(&primary, MentionField::Url, written, &[]));
            u
        } else {
            format!("https://{}/{}/{category}/{}", self.site, slug(city), ad_id)
        };

        let mut images = Vec::new();
        let mut image_sha256 = Vec::new();
        let count = rng.random_range(1..=persona.photos.len().min(6));
        let mut chosen: Vec<&Photo> = distinct_indices(rng, persona.photos.len(), count)
            .into_iter()
            .map(|i| &persona.photos[i])
            .collect();
        if !self.shared_photos.is_empty() && chance(rng, 500) {
            chosen.push(pick(rng, &self.shared_photos));
        }
        for photo in chosen {
            let version = if photo.versions.len() > 1 && chance(rng, 300) {
                &photo.versions[rng.random_range(1..photo.versions.len())]
            } else {
                &photo.versions[0]
            };
            images.push(ImageRef {
                url: Some(format!(
                    "https://img.{}/{}.jpg",
                    self.site,
                    &version.0[..20]
                )),
                path: None,
                sha256: Some(version.0.clone()),
                phash: Some(version.1.clone()),
                width: None,
                height: None,
            });
            image_sha256.push(version.0.clone());
        }

        let location = match template.location_style {
            0 => format!("{}, {}", city.name, city.state),
            1 => city.name.to_string(),
            2 => format!("{} {} / {}", city.name, city.state, fill.spot),
            3 => format!("{}, {}, {}", fill.spot, city.name, city.state),
            _ => city.name.to_lowercase(),
        };
        let posted_at = self.start + Duration::seconds(self.clock.max(0));

        let ad = Ad {
            id: ad_id.clone(),
            url: Some(url),
            site: Some(self.site.to_string()),
            posted_at: Some(posted_at),
            title: Some(title),
            body: Some(body),
            location: Some(location),
            phones: scraper_phones,
            images,
            // Left empty: `Ad`'s serialisation nests `extra` under an "extra" key, which
            // `Ad::from_json` would read back as a field named "extra".
            extra: Map::new(),
        };

        let mut phones: Vec<String> = ad_phones.iter().map(|m| m.e164.clone()).collect();
        phones.sort_unstable();
        phones.dedup();
        let mut phone_obfuscations: Vec<String> = ad_phones
            .iter()
            .flat_map(|m| m.techniques.iter().cloned())
            .collect();
        phone_obfuscations.sort_unstable();
        phone_obfuscations.dedup();
        emails.sort_unstable();
        emails.dedup();
        handles.sort_unstable();
        handles.dedup();
        indicators.sort_unstable();
        indicators.dedup();
        let truth = Truth {
            ad_id,
            network_id: self.id.clone(),
            kind: self.kind,
            persona: persona.id.clone(),
            persona_name: persona.name.to_string(),
            phones,
            emails,
            handles,
            image_sha256,
            template_id: template.id.clone(),
            city: city.name.to_string(),
            state: city.state.to_string(),
            phone_obfuscations,
            hub_phones,
            phone_mentions: ad_phones,
            stated_age: fill.age_written.then_some(persona.age),
            prices,
            indicators: indicators.into_iter().map(String::from).collect(),
            text_obfuscations,
            copy_of: None,
            boilerplate: template.boilerplate.map(|b| format!("boilerplate/{b}")),
        };
        (ad, truth)
    }
}

fn mention(
    n: &Nanp,
    field: MentionField,
    written: String,
    techniques: &[Technique],
) -> PhoneMention {
    PhoneMention {
        e164: n.e164(),
        field,
        written,
        techniques: techniques.iter().map(|t| t.name().to_string()).collect(),
    }
}

fn write_email(rng: &mut CorpusRng, address: &str) -> String {
    let (user, domain) = address.split_once('@').unwrap_or((address, "gmail.com"));
    let (host, tld) = domain.rsplit_once('.').unwrap_or((domain, "com"));
    let written = match rng.random_range(0..10u8) {
        0..=3 => address.to_string(),
        4 => format!("{user} at {host} dot {tld}"),
        5 => format!("{user}(at){host}(dot){tld}"),
        6 => format!("{user} @ {host} . {tld}"),
        7 => format!("{user} [at] {host} [dot] {tld}"),
        8 => format!("{user} AT {host} DOT {tld}"),
        _ => format!("{user}@{host} dot {tld}"),
    };
    let label = pick(rng, &["Email: ", "email me ", "\u{1F4E7} ", "", "E-mail: "]);
    format!("{label}{written}")
}

fn write_handle(rng: &mut CorpusRng, platform: &str, handle: &str) -> String {
    let forms: &[&str] = match platform {
        "instagram" => &["IG: @{}", "insta {}", "Follow me on Instagram @{}"],
        "snapchat" => &["SC: {}", "snap: {}", "\u{1F47B} {}"],
        "twitter" => &["Twitter @{}", "follow me on twitter @{}"],
        "telegram" => &["Telegram: @{}", "TG @{}"],
        "kik" => &["kik: {}", "Kik me {}"],
        _ => &["OF: {}", "onlyfans.com/{}"],
    };
    pick(rng, forms).replace("{}", handle)
}

fn plan_prices(rng: &mut CorpusRng) -> Prices {
    let hr = rng.random_range(15..=40u32) * 10;
    let round10 = |v: u32| v.div_ceil(10) * 10;
    Prices {
        qv: round10(hr * 2 / 5),
        hh: round10(hr * 3 / 5),
        m30: round10(hr * 3 / 5),
        hr,
        hr2: round10(hr * 9 / 5),
        overnight: round10(hr * 5),
    }
}

fn plan_circuit(
    rng: &mut CorpusRng,
    home: usize,
    travels: bool,
    is_operator: bool,
) -> (Vec<Stop>, u32) {
    if !travels {
        return (
            vec![Stop {
                city: home,
                days: 1,
            }],
            1,
        );
    }
    let near = neighbours(home);
    let mut stops = vec![Stop {
        city: home,
        days: if is_operator {
            rng.random_range(3..=10)
        } else {
            rng.random_range(10..=30)
        },
    }];
    let legs = if is_operator {
        rng.random_range(2..=5usize)
    } else {
        rng.random_range(1..=3usize)
    };
    for i in distinct_indices(rng, near.len(), legs) {
        stops.push(Stop {
            city: near[i],
            days: if is_operator {
                rng.random_range(3..=10)
            } else {
                rng.random_range(2..=5)
            },
        });
    }
    // Now and then a long jump to another region (a known circuit pattern).
    if chance(rng, 250) {
        let far = pick_weighted(rng, &city_weights());
        if far != home {
            stops.push(Stop {
                city: far,
                days: rng.random_range(3..=7),
            });
        }
    }
    let total = stops.iter().map(|s| s.days).sum();
    (stops, total)
}

fn plan_template(rng: &mut CorpusRng, id: String, is_operator: bool, obscure: u32) -> Template {
    let third_person = is_operator && chance(rng, 550);
    let mut title = if third_person && chance(rng, 600) {
        *pick(rng, TITLES_THIRD_PARTY)
    } else {
        *pick(rng, TITLES)
    }
    .to_string();
    // Some writers leave the age out of the title.
    if chance(rng, 200) {
        for with_age in [" - {age}", " *{age}*", " {age}", "{age}"] {
            title = title.replace(with_age, "");
        }
    }
    let adjectives = distinct_indices(rng, TITLE_ADJECTIVES.len(), 2);
    let pitch_pool = if third_person {
        PITCH_THIRD_PARTY
    } else {
        PITCH
    };
    let pitch_count = rng.random_range(1..=3);
    let pitch = distinct_indices(rng, pitch_pool.len(), pitch_count)
        .into_iter()
        .map(|i| pitch_pool[i])
        .collect();
    let generic_count = rng.random_range(0..=3);
    let generic = distinct_indices(rng, GENERIC.len(), generic_count)
        .into_iter()
        .map(|i| GENERIC[i])
        .collect();
    let emoji_count = rng.random_range(2..=4);
    let mut emoji: Vec<&'static str> = distinct_indices(rng, EMOJI.len(), emoji_count)
        .into_iter()
        .map(|i| EMOJI[i])
        .collect();
    if is_operator && chance(rng, 120) {
        emoji.push("\u{1F451}");
    }
    let line_sep = *pick(
        rng,
        &[
            "\n", "\n", "\n", "<br>", "<br>\n", " ", " ", "\n\n", "<br><br>",
        ],
    );
    Template {
        id,
        third_person,
        title,
        title_caps: [Caps::Normal, Caps::Upper, Caps::Sponge][pick_weighted(rng, &[65, 30, 5])],
        body_caps: [Caps::Normal, Caps::Upper, Caps::Sponge][pick_weighted(rng, &[90, 6, 4])],
        adjectives: (adjectives[0], adjectives[1]),
        noun: rng.random_range(0..TITLE_NOUNS.len()),
        opener: (!third_person && chance(rng, 700)).then(|| *pick(rng, OPENERS)),
        intro: if third_person {
            pick_str(rng, INTROS_THIRD_PARTY)
        } else {
            pick_str(rng, INTROS)
        },
        physical: chance(rng, 550).then(|| *pick(rng, PHYSICAL)),
        pitch,
        logistics: chance(rng, 700).then(|| rng.random_range(0..LOGISTICS.len())),
        rates: chance(rng, 750).then(|| *pick(rng, RATES)),
        contact: if third_person {
            pick_str(rng, CONTACT_THIRD_PARTY)
        } else {
            pick_str(rng, CONTACT)
        },
        signoff: (!third_person && chance(rng, 500)).then(|| *pick(rng, SIGNOFFS)),
        generic,
        boilerplate: chance(rng, if is_operator { 20 } else { 60 })
            .then(|| rng.random_range(0..BOILERPLATE.len())),
        decor: chance(rng, 300).then(|| *pick(rng, DECOR)),
        emoji,
        emoji_per_mille: *pick(rng, &[0, 100, 250, 500]),
        html_entities: line_sep.contains('<') && chance(rng, 500),
        line_sep,
        phone_style: PhoneStyle::random(rng, obscure),
        location_style: rng.random_range(0..5),
        height_style: rng.random_range(0..4),
        measure_style: rng.random_range(0..3),
        contact_early: chance(rng, 250),
    }
}

/// Fills the slots of one ad's fragments and applies the template's writing style.
struct Fill<'a> {
    persona: &'a Persona,
    template: &'a Template,
    city: &'a City,
    spot: &'a str,
    prices: Prices,
    caps: Caps,
    html_entities: bool,
    cyrillic_words: bool,
    cyrillic_used: bool,
    age_written: bool,
    ethnicity_written: bool,
    price_log: Vec<TruthPrice>,
    emoji: &'a str,
    /// The written phone for the `{phone}` slot of this line.
    phone_text: String,
}

/// Words that keyword filters look for, which some writers disguise with Cyrillic letters.
const FILTERED_WORDS: &[&str] = &[
    "new", "young", "fresh", "call", "text", "incall", "outcall", "girls", "town", "real", "pics",
];

impl Fill<'_> {
    fn style(&mut self, text: &str, rng: &mut CorpusRng) -> String {
        let mut s = match self.caps {
            Caps::Normal => text.to_string(),
            Caps::Upper => text.to_uppercase(),
            Caps::Sponge => text
                .split(' ')
                .map(|w| {
                    if chance(rng, 400) {
                        w.chars()
                            .enumerate()
                            .map(|(i, c)| {
                                if i % 2 == 0 {
                                    c.to_ascii_uppercase()
                                } else {
                                    c.to_ascii_lowercase()
                                }
                            })
                            .collect()
                    } else {
                        w.to_string()
                    }
                })
                .collect::<Vec<String>>()
                .join(" "),
        };
        if self.cyrillic_words {
            let words: Vec<String> = s
                .split(' ')
                .map(|w| {
                    if FILTERED_WORDS.iter().any(|f| w.eq_ignore_ascii_case(f)) {
                        self.cyrillic_used = true;
                        to_cyrillic(w)
                    } else {
                        w.to_string()
                    }
                })
                .collect();
            s = words.join(" ");
        }
        if self.html_entities {
            s = s.replace('&', "&amp;").replace('\'', "&#039;");
        }
        s
    }

    fn price(&mut self, amount: u32, unit: &str) -> String {
        self.price_log.push(TruthPrice {
            amount,
            unit: unit.to_string(),
        });
        amount.to_string()
    }

    fn slot(&mut self, name: &str, rng: &mut CorpusRng) -> Option<String> {
        let p = self.persona;
        let t = self.template;
        let adjective = |i: usize| TITLE_ADJECTIVES[i].to_string();
        Some(match name {
            "name" => p.name.to_string(),
            "age" => {
                self.age_written = true;
                p.age.to_string()
            }
            "age_words" => {
                self.age_written = true;
                spelled_age(p.age)
            }
            "city" => self.city.name.to_string(),
            "spot" => self.spot.to_string(),
            "eth" => match p.ethnicity {
                Some(e) => {
                    self.ethnicity_written = true;
                    e.to_string()
                }
                None => String::new(),
            },
            // Writers mostly keep their adjectives; now and then they swap one.
            "adj" => adjective(if chance(rng, 150) {
                rng.random_range(0..TITLE_ADJECTIVES.len())
            } else {
                t.adjectives.0
            }),
            "adj2" => adjective(t.adjectives.1),
            "adj_l" => TITLE_ADJECTIVES[t.adjectives.0].to_lowercase(),
            "noun" => TITLE_NOUNS[t.noun].to_string(),
            "noun_l" => TITLE_NOUNS[t.noun].to_lowercase(),
            "hair" => p.hair.to_string(),
            "height" => {
                let (ft, inch) = (p.height_inches / 12, p.height_inches % 12);
                match t.height_style {
                    0 => format!("{ft}'{inch}\""),
                    1 => format!("{ft}'{inch}"),
                    2 => format!("{ft}ft{inch}"),
                    _ => format!("{ft}\u{2019}{inch}\u{201D}"),
                }
            }
            "weight" => p.weight.to_string(),
            "measure" => match t.measure_style {
                0 => format!("{}{}-{}-{}", p.bust, p.cup, p.waist, p.hips),
                1 => format!("{}{} {} {}", p.bust, p.cup, p.waist, p.hips),
                _ => format!("{}{}/{}/{}", p.bust, p.cup.to_lowercase(), p.waist, p.hips),
            },
            "emoji" => self.emoji.to_string(),
            "qv" => self.price(self.prices.qv, "qv"),
            "hh" => self.price(self.prices.hh, "hh"),
            "m30" => self.price(self.prices.m30, "30min"),
            "hr" => self.price(self.prices.hr, "hr"),
            "hr2" => self.price(self.prices.hr2, "2hr"),
            "on" => self.price(self.prices.overnight, "overnight"),
            _ => return None,
        })
    }

    /// Render a fragment: literal text gets the writer's style, slots their values, and
    /// `{phone}` the written number untouched (styling must not alter identifiers).
    fn render(&mut self, fragment: &str, rng: &mut CorpusRng) -> String {
        let mut out = String::with_capacity(fragment.len() + 32);
        let mut rest = fragment;
        let mut skip_space = false;
        while !rest.is_empty() {
            let (literal, after) = match rest.find('{') {
                Some(open) => rest.split_at(open),
                None => (rest, ""),
            };
            let literal = if skip_space {
                literal.strip_prefix(' ').unwrap_or(literal)
            } else {
                literal
            };
            skip_space = false;
            if !literal.is_empty() {
                out.push_str(&self.style(literal, rng));
            }
            if after.is_empty() {
                break;
            }
            let Some(close) = after.find('}') else {
                out.push_str(&self.style(after, rng));
                break;
            };
            let name = &after[1..close];
            if name == "phone" {
                out.push_str(&self.phone_text);
            } else if let Some(value) = self.slot(name, rng) {
                if value.is_empty() {
                    // An empty slot ("{eth}" for a persona without one) takes its space along.
                    skip_space = true;
                } else {
                    out.push_str(&self.style(&value, rng));
                }
            } else {
                out.push_str(&self.style(&after[..=close], rng));
            }
            rest = &after[close + 1..];
        }
        out
    }
}

/// An age in words, as ads spell it: "nineteen", "twenty-two", "thirty".
pub fn spelled_age(age: u8) -> String {
    const UNITS: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 10] = [
        "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    let age = usize::from(age.min(99));
    match age {
        0..=19 => UNITS[age].to_string(),
        _ if age % 10 == 0 => TENS[age / 10].to_string(),
        _ => format!("{}-{}", TENS[age / 10], UNITS[age % 10]),
    }
}
