//! Prices with their time unit: "150hh", "$200/hr", "100 qv", "300 roses", "donations 200 per
//! hour", "80 for 30 min", "Qv60 hhr120", "$40.00/30 mins". Amounts default to USD; CAD, EUR,
//! GBP (and a few others) when the text says so. "Roses" and "donations" count as money.
//!
//! The field is cut into tokens (numbers, ASCII words, symbols) in one pass; prices are then
//! read from the token stream in two shapes: *amount first* ("$200/hr", "150hh") and *unit
//! first* ("qv 60", "30 min $80"). A number without a currency needs a unit next to it, so
//! ages ("19 yrs"), heights ("5'6"), measurements ("34D-23-35"), times ("10:00", "24/7") and
//! durations ("30 min", "24hr") are not prices.

use std::borrow::Cow;

use plainsight_core::Price;

use crate::extract::{FieldText, TextError};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// A number: value, and whether it had a decimal part.
    Num(f64),
    Word,
    /// One ASCII punctuation byte or one non-ASCII character (kept, so parsers compare a
    /// character rather than slice the text).
    Sym(char),
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
    /// Whitespace between this token and the previous one.
    gap_before: bool,
}

/// Finds prices. Built once by [`crate::extract::Extractor`] (it holds no state today, but
/// keeps the same shape as the other finders).
#[derive(Debug, Default)]
pub struct PriceFinder;

impl PriceFinder {
    pub fn new() -> Result<PriceFinder, TextError> {
        Ok(PriceFinder)
    }

    /// All prices in one field, in text order.
    pub fn find(&self, text: &FieldText<'_>) -> Vec<Price> {
        let haystack = text.text();
        // Only fields with a digit can hold a price: skip the tokenizer otherwise.
        if !haystack.bytes().any(|b| b.is_ascii_digit()) {
            return Vec::new();
        }
        let tokens = tokenize(haystack);
        // Lower-cased once for the whole field: words are read many times each (every
        // parser looks at its neighbours), and slices of this need no copying or checking.
        let lower = haystack.to_ascii_lowercase();
        let reader = Reader {
            lower: &lower,
            tokens: &tokens,
        };
        let mut found = Vec::new();
        // The index of the first number at or after `from`, `usize::MAX` if there is none.
        let num_from = |from: usize| {
            tokens[from..]
                .iter()
                .position(|t| matches!(t.kind, Kind::Num(_)))
                .map_or(usize::MAX, |p| from + p)
        };
        let mut i = 0;
        // The first number at or after `i`, kept up to date rather than searched for at
        // every token.
        let mut next_num = num_from(0);
        while i < tokens.len() {
            if next_num < i {
                next_num = num_from(i);
            }
            // Every price has a number within a few tokens: skip the rest of the prose fast.
            if next_num >= i + 7 {
                i += 1;
                continue;
            }
            let parsed = reader.amount_first(i).or_else(|| reader.unit_first(i));
            match parsed {
                Some(p) => {
                    let (span, raw) = text.locate(tokens[p.first].start..tokens[p.last].end);
                    found.push(Price {
                        amount: p.amount,
                        currency: p.currency.to_string(),
                        unit: p.unit.into_owned(),
                        raw,
                        span,
                        field: text.field,
                    });
                    i = p.last + 1;
                }
                None => i += 1,
            }
        }
        found
    }
}

/// Split `text` into number, word and symbol tokens. Numbers keep thousands separators
/// ("1,000") and up to two decimals ("40.00").
fn tokenize(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::with_capacity(text.len() / 3);
    let mut i = 0;
    let mut gap = false;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            gap = true;
            i += 1;
            continue;
        }
        let start = i;
        let kind = if b.is_ascii_digit() {
            let mut value: f64 = 0.0;
            while i < bytes.len() {
                if bytes[i].is_ascii_digit() {
                    value = value * 10.0 + f64::from(bytes[i] - b'0');
                    i += 1;
                } else if bytes[i] == b','
                    && i + 3 < bytes.len() + 1
                    && bytes
                        .get(i + 1..i + 4)
                        .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
                    && !bytes.get(i + 4).is_some_and(u8::is_ascii_digit)
                    && i - start <= 3
                {
                    // "1,000": a thousands separator, not a list.
                    i += 1;
                } else {
                    break;
                }
                if i - start > 12 {
                    break;
                }
            }
            if i + 1 < bytes.len()
                && bytes[i] == b'.'
                && bytes[i + 1].is_ascii_digit()
                && !bytes.get(i + 3).is_some_and(u8::is_ascii_digit)
            {
                let mut scale = 0.1;
                i += 1;
                while i < bytes.len() && bytes[i].is_ascii_digit() && scale > 0.001 {
                    value += f64::from(bytes[i] - b'0') * scale;
                    scale /= 10.0;
                    i += 1;
                }
            }
            Kind::Num(value)
        } else if b.is_ascii_alphabetic() {
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            Kind::Word
        } else if b.is_ascii() {
            // ASCII punctuation or control: one byte, no decoding.
            i += 1;
            Kind::Sym(char::from(b))
        } else {
            let c = text[i..]
                .chars()
                .next()
                .unwrap_or(char::REPLACEMENT_CHARACTER);
            i += c.len_utf8();
            Kind::Sym(c)
        };
        tokens.push(Token {
            kind,
            start,
            end: i,
            gap_before: gap,
        });
        gap = false;
    }
    tokens
}

/// Longest word that can be a unit or currency: longer words read as the empty string (as
/// they always have), so they match nothing.
const MAX_WORD_LEN: usize = 16;

/// A unit as reported: a fixed name ("hr", "qv") or a number of minutes ("45min").
type Unit = Cow<'static, str>;

struct Parsed {
    first: usize,
    last: usize,
    amount: f64,
    currency: &'static str,
    unit: Unit,
}

struct Reader<'a> {
    /// The field's text lower-cased (ASCII only, so every offset is the same).
    lower: &'a str,
    tokens: &'a [Token],
}

/// Words after an amount that make it money ("300 roses", "200 dollars", "260000KRW").
fn currency_word(word: &str) -> Option<&'static str> {
    Some(match word {
        "usd" | "dollars" | "dollar" | "bucks" | "roses" | "rose" | "donation" | "donations" => {
            "USD"
        }
        "cad" => "CAD",
        "eur" | "euro" | "euros" => "EUR",
        "gbp" | "pounds" | "quid" => "GBP",
        "aud" => "AUD",
        "krw" => "KRW",
        _ => return None,
    })
}

fn currency_symbol(sym: char) -> Option<&'static str> {
    Some(match sym {
        '$' | '\u{1F339}' | '\u{1F4B5}' | '\u{1F4B0}' => "USD",
        '€' => "EUR",
        '£' => "GBP",
        _ => return None,
    })
}

/// Words before an amount that make it money ("donations 200 per hour", "rate: 150").
fn is_money_word_before(word: &str) -> bool {
    matches!(
        word,
        "donation"
            | "donations"
            | "roses"
            | "rose"
            | "rate"
            | "rates"
            | "price"
            | "prices"
            | "fee"
            | "tribute"
            | "gift"
            | "gifts"
    )
}

/// What may follow a number and shows it is not an amount of money.
fn is_non_money_suffix(word: &str) -> bool {
    matches!(
        word,
        "yrs"
            | "yr"
            | "years"
            | "year"
            | "yo"
            | "y"
            | "lbs"
            | "lb"
            | "kg"
            | "kgs"
            | "cm"
            | "ft"
            | "inch"
            | "inches"
            | "in"
            | "miles"
            | "mi"
            | "km"
            | "am"
            | "pm"
            | "th"
            | "st"
            | "nd"
            | "rd"
            | "x"
            | "d"
            | "dd"
            | "ddd"
            | "c"
            | "b"
            | "a"
            | "e"
            | "f"
            | "g"
            | "pics"
            | "girls"
            | "girl"
            | "ladies"
            | "people"
            | "days"
            | "weeks"
            | "reviews"
            | "percent"
    )
}

/// Currency codes that say which dollar a `$` amount is in.
fn dollar_code(word: &str) -> Option<&'static str> {
    Some(match word {
        "usd" => "USD",
        "cad" => "CAD",
        "aud" => "AUD",
        _ => return None,
    })
}

impl Reader<'_> {
    /// A word followed by `:` is a label for what comes next ("Roses: 180").
    fn is_label(&self, i: usize) -> bool {
        self.sym(i + 1) == Some(':')
    }

    /// The lower-cased word at token `i`.
    fn word(&self, i: usize) -> Option<&str> {
        let t = self.tokens.get(i)?;
        (t.kind == Kind::Word).then(|| {
            if t.end - t.start <= MAX_WORD_LEN {
                &self.lower[t.start..t.end]
            } else {
                ""
            }
        })
    }

    /// The symbol at token `i` (a symbol token is one character).
    fn sym(&self, i: usize) -> Option<char> {
        match self.tokens.get(i)?.kind {
            Kind::Sym(c) => Some(c),
            _ => None,
        }
    }

    fn num(&self, i: usize) -> Option<f64> {
        match self.tokens.get(i)?.kind {
            Kind::Num(v) => Some(v),
            _ => None,
        }
    }

    fn glued(&self, i: usize) -> bool {
        self.tokens.get(i).is_some_and(|t| !t.gap_before)
    }

    /// Is the number at `i` part of something that is not a price (a phone fragment, a
    /// measurement, a time, a percentage, a height)?
    fn number_is_not_money(&self, i: usize) -> bool {
        // Glued to a word before it ("34D-23", "Qv60": the latter is read unit-first).
        if i > 0 && self.glued(i) && self.tokens[i - 1].kind == Kind::Word {
            return true;
        }
        // Preceded by "-", "." or ":" glued to another number: "919-555", "10:30", "5.4".
        if i >= 2
            && self.glued(i)
            && matches!(self.sym(i - 1), Some('-' | '.' | ':' | '/' | '\'' | 'x'))
            && self.glued(i - 1)
            && self.num(i - 2).is_some()
        {
            return true;
        }
        let next = i + 1;
        match self.sym(next) {
            Some('%' | '\'' | '"' | '’' | '″' | '′' | '+') if self.glued(next) => {
                return true;
            }
            Some(':' | '.' | '-' | '/')
                if self.glued(next) && self.glued(next + 1) && self.num(next + 1).is_some() =>
            {
                // "10:30", "919.555", "34-24-36", "24/7" (but "$80/30min" and "1/2 hr" are
                // read by the unit parser, which runs before this check where it matters).
                return true;
            }
            _ => {}
        }
        if let Some(w) = self.word(next)
            && is_non_money_suffix(w)
        {
            return true;
        }
        // "Age: 38", "height 167", "weight 120": a labelled quantity.
        let mut k = i;
        while k > 0 && matches!(self.sym(k - 1), Some(':' | '-' | '=')) {
            k -= 1;
        }
        if k > 0
            && let Some(w) = self.word(k - 1)
            && matches!(
                w,
                "age"
                    | "aged"
                    | "height"
                    | "weight"
                    | "bust"
                    | "waist"
                    | "hips"
                    | "size"
                    | "cup"
                    | "shoe"
                    | "dress"
                    | "id"
                    | "room"
                    | "suite"
                    | "apt"
                    | "exit"
                    | "no"
                    | "number"
                    | "ext"
            )
        {
            return true;
        }
        false
    }

    /// Parse a unit starting at token `i`; returns the unit and the index of its last token.
    fn unit_at(&self, i: usize) -> Option<(Unit, usize)> {
        if let Some(n) = self.num(i) {
            // "1/2 hr", "30 min", "2 hours", "1 full hour".
            if n == 1.0
                && self.sym(i + 1) == Some('/')
                && self.num(i + 2) == Some(2.0)
                && let Some(end) = self.hour_word_at(i + 3)
            {
                return Some(("hh".into(), end));
            }
            let mut j = i + 1;
            if self.word(j) == Some("full") {
                j += 1;
            }
            if n.fract() != 0.0 || !(1.0..=1440.0).contains(&n) {
                return None;
            }
            let whole = n as u32;
            if let Some(end) = self.hour_word_at(j) {
                return Some((minutes_unit(whole * 60), end));
            }
            if let Some(w) = self.word(j)
                && matches!(w, "min" | "mins" | "minute" | "minutes" | "mn" | "mnt")
            {
                return Some((minutes_unit(whole), j));
            }
            return None;
        }
        let w = self.word(i)?;
        match w {
            "qv" | "qk" | "quickie" | "quicky" | "qkv" => Some(("qv".into(), i)),
            "quick" => match self.word(i + 1) {
                Some("visit" | "visits") => Some(("qv".into(), i + 1)),
                _ => Some(("qv".into(), i)),
            },
            "hh" | "hhr" | "hhour" | "hlf" | "hf" => Some(("hh".into(), i)),
            "half" => {
                let mut j = i + 1;
                if matches!(self.word(j), Some("an" | "a")) {
                    j += 1;
                }
                match self.hour_word_at(j) {
                    Some(end) => Some(("hh".into(), end)),
                    None => Some(("hh".into(), i)),
                }
            }
            "hr" | "hrs" | "hour" | "hours" | "h" | "hourly" | "hora" | "hor" => {
                Some(("hr".into(), i))
            }
            "one" | "an" | "a" | "full" | "per" => {
                self.hour_word_at(i + 1).map(|end| ("hr".into(), end))
            }
            "two" => self.hour_word_at(i + 1).map(|end| ("2hr".into(), end)),
            "overnight" | "overnite" | "ovn" | "overnights" => Some(("overnight".into(), i)),
            "over" | "all" if matches!(self.word(i + 1), Some("night" | "nite")) => {
                Some(("overnight".into(), i + 1))
            }
            "night" => Some(("overnight".into(), i)),
            "day" | "daily" | "fullday" => Some(("day".into(), i)),
            _ => None,
        }
    }

    fn hour_word_at(&self, i: usize) -> Option<usize> {
        let w = self.word(i)?;
        matches!(w, "hr" | "hrs" | "hour" | "hours" | "h" | "hora" | "horas").then_some(i)
    }

    /// Amount, then optional currency, then optional connector and unit.
    fn amount_first(&self, i: usize) -> Option<Parsed> {
        let mut j = i;
        let mut currency: Option<&'static str> = None;
        let mut money_context = false;
        // Currency or money word before the amount.
        if let Some(sym) = self.sym(j)
            && let Some(c) = currency_symbol(sym)
            && self.num(j + 1).is_some()
        {
            currency = Some(c);
            j += 1;
        } else if let Some(w) = self.word(j) {
            let next_is_num = |k: usize| self.num(k).is_some();
            if let Some(c) = match w {
                "usd" | "us" => Some("USD"),
                "cad" | "ca" | "c" => Some("CAD"),
                "eur" => Some("EUR"),
                "gbp" => Some("GBP"),
                "aud" | "au" => Some("AUD"),
                _ => None,
            } {
                // "CAD 200", "C$200", "US$ 150".
                if self.sym(j + 1) == Some('$') && next_is_num(j + 2) && self.glued(j + 1) {
                    currency = Some(c);
                    j += 2;
                } else if c.len() == 3 && w.len() == 3 && next_is_num(j + 1) {
                    currency = Some(c);
                    j += 1;
                } else {
                    return None;
                }
            } else if is_money_word_before(w) {
                let mut k = j + 1;
                while matches!(self.sym(k), Some(':' | '-' | '=')) || self.word(k) == Some("of") {
                    k += 1;
                }
                if let Some(sym) = self.sym(k)
                    && let Some(c) = currency_symbol(sym)
                {
                    currency = Some(c);
                    k += 1;
                }
                if self.num(k).is_none() || k - j > 4 {
                    return None;
                }
                money_context = true;
                j = k;
            } else {
                return None;
            }
        }
        let amount = self.num(j)?;
        let amount_index = j;
        if currency.is_none() && !money_context && self.number_is_not_money(amount_index) {
            return None;
        }
        if currency.is_some()
            && self.glued(amount_index + 1)
            && matches!(self.sym(amount_index + 1), Some('%' | '\''))
        {
            return None;
        }
        j += 1;
        // Currency after the amount: "200$", "300 roses", "260000KRW", "200🌹".
        if currency.is_none() {
            if let Some(sym) = self.sym(j)
                && let Some(c) = currency_symbol(sym)
                && !(self.glued(j + 1)
                    && self.tokens.get(j + 1).is_some_and(|t| t.kind == Kind::Word))
            {
                currency = Some(c);
                j += 1;
            } else if let Some(w) = self.word(j)
                && let Some(c) = currency_word(w)
                && !self.is_label(j)
            {
                currency = Some(c);
                j += 1;
            }
        }
        // "$100 CAD": a code after a `$` amount names which dollar.
        if currency == Some("USD")
            && let Some(w) = self.word(j)
            && let Some(code) = dollar_code(w)
        {
            currency = Some(code);
            j += 1;
        }
        // Connector and unit: "/hr", " per hour", " for 30 min", " - Hour", "hh".
        let mut unit: Option<(Unit, usize)> = None;
        for skip in [0usize, 1, 2] {
            let k = j + skip;
            if skip > 0 {
                let ok = (j..k).all(|c| {
                    matches!(
                        self.sym(c),
                        Some('/' | '-' | '@' | ':' | '=' | 'x' | '~' | '–')
                    ) || matches!(
                        self.word(c),
                        Some("per" | "a" | "an" | "for" | "each" | "x" | "the")
                    )
                });
                if !ok {
                    break;
                }
            }
            if let Some(u) = self.unit_at(k) {
                // A duration glued to the amount ("30min", "24hr") is not a price unless the
                // amount is plainly money.
                unit = Some(u);
                break;
            }
        }
        let directly_after =
            unit.as_ref().is_some_and(|(_, end)| *end >= j) && j == amount_index + 1;
        match (&currency, &unit) {
            (None, None) if !money_context => return None,
            (None, Some((u, _))) if !money_context => {
                let first_unit_token = j;
                let unit_word = self.word(first_unit_token).unwrap_or_default();
                // "30 min", "45 mins": the number is the duration itself.
                if directly_after && matches!(unit_word, "min" | "mins" | "minute" | "minutes") {
                    return None;
                }
                let min_amount = if u == "hr" || u == "2hr" || u == "day" {
                    40.0
                } else {
                    20.0
                };
                if amount < min_amount || amount > 20_000.0 {
                    return None;
                }
            }
            _ => {
                if amount <= 0.0 || amount > 10_000_000.0 {
                    return None;
                }
            }
        }
        let last = unit.as_ref().map_or(j - 1, |(_, end)| *end);
        Some(Parsed {
            first: i,
            last,
            amount,
            currency: currency.unwrap_or("USD"),
            unit: unit.map_or(Cow::Borrowed("unspecified"), |(u, _)| u),
        })
    }

    /// Unit, then optional separator and currency, then the amount: "Qv60", "hhr120",
    /// "30 min $80", "half hour - 100".
    fn unit_first(&self, i: usize) -> Option<Parsed> {
        let (unit, unit_end) = self.unit_at(i)?;
        let mut j = unit_end + 1;
        let mut steps = 0;
        while steps < 2
            && (matches!(self.sym(j), Some(':' | '-' | '=' | '@' | '~' | '–' | '→'))
                || matches!(self.word(j), Some("for" | "is" | "only" | "just")))
        {
            j += 1;
            steps += 1;
        }
        let mut currency: Option<&'static str> = None;
        if let Some(sym) = self.sym(j)
            && let Some(c) = currency_symbol(sym)
        {
            currency = Some(c);
            j += 1;
        }
        let amount = self.num(j)?;
        if currency.is_none() {
            // A bare number after a unit must not itself be a duration or other quantity.
            if self.number_is_not_money(j)
                && !(j > 0
                    && self.glued(j)
                    && self.tokens[j - 1].kind == Kind::Word
                    && j == unit_end + 1)
            {
                return None;
            }
            if self.unit_at(j).is_some() {
                return None;
            }
            if !(20.0..=20_000.0).contains(&amount) {
                return None;
            }
        }
        let mut last = j;
        if currency.is_none()
            && let Some(sym) = self.sym(j + 1)
            && let Some(c) = currency_symbol(sym)
            && !(self.glued(j + 2) && self.tokens.get(j + 2).is_some_and(|t| t.kind == Kind::Word))
        {
            currency = Some(c);
            last = j + 1;
        } else if currency.is_none()
            && let Some(w) = self.word(j + 1)
            && let Some(c) = currency_word(w)
            && !self.is_label(j + 1)
        {
            currency = Some(c);
            last = j + 1;
        } else if currency == Some("USD")
            && let Some(w) = self.word(j + 1)
            && let Some(code) = dollar_code(w)
        {
            currency = Some(code);
            last = j + 1;
        }
        Some(Parsed {
            first: i,
            last,
            amount,
            currency: currency.unwrap_or("USD"),
            unit,
        })
    }
}

/// `hr` for 60, `2hr` for 120, `day` for a day or more, `30min` and `<n>min` otherwise.
fn minutes_unit(minutes: u32) -> Unit {
    match minutes {
        60 => "hr".into(),
        120 => "2hr".into(),
        m if m >= 1440 => "day".into(),
        m => Cow::Owned(format!("{m}min")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;
    use plainsight_core::Field;

    fn prices(text: &str) -> Vec<(f64, String, String)> {
        let norm = normalize(text);
        let ft = FieldText::new(text, &norm, Field::Body);
        PriceFinder::new()
            .unwrap()
            .find(&ft)
            .into_iter()
            .map(|p| (p.amount, p.currency, p.unit))
            .collect()
    }

    fn one(text: &str) -> (f64, String, String) {
        let found = prices(text);
        assert_eq!(found.len(), 1, "{text}: {found:?}");
        found.into_iter().next().unwrap()
    }

    #[test]
    fn amount_and_unit_forms() {
        assert_eq!(one("only 150hh today"), (150.0, "USD".into(), "hh".into()));
        assert_eq!(one("$200/hr"), (200.0, "USD".into(), "hr".into()));
        assert_eq!(one("100 qv"), (100.0, "USD".into(), "qv".into()));
        assert_eq!(
            one("300 roses"),
            (300.0, "USD".into(), "unspecified".into())
        );
        assert_eq!(
            one("donations 200 per hour"),
            (200.0, "USD".into(), "hr".into())
        );
        assert_eq!(one("80 for 30 min"), (80.0, "USD".into(), "30min".into()));
        assert_eq!(one("$40.00/30 mins"), (40.0, "USD".into(), "30min".into()));
        assert_eq!(one("$60/45 min"), (60.0, "USD".into(), "45min".into()));
        assert_eq!(one("$40 for 1/2 hour"), (40.0, "USD".into(), "hh".into()));
        assert_eq!(
            one("$60 for 1 full hour"),
            (60.0, "USD".into(), "hr".into())
        );
        assert_eq!(one("$45 - Hour"), (45.0, "USD".into(), "hr".into()));
        assert_eq!(one("80/half"), (80.0, "USD".into(), "hh".into()));
        assert_eq!(one("150 HALF HR"), (150.0, "USD".into(), "hh".into()));
        assert_eq!(
            one("500 overnight"),
            (500.0, "USD".into(), "overnight".into())
        );
        assert_eq!(one("400 2hrs"), (400.0, "USD".into(), "2hr".into()));
        assert_eq!(one("CAD 250/hr"), (250.0, "CAD".into(), "hr".into()));
        assert_eq!(one("200 EUR per hour"), (200.0, "EUR".into(), "hr".into()));
        assert_eq!(one("£150 an hour"), (150.0, "GBP".into(), "hr".into()));
        assert_eq!(
            one("incall only $80"),
            (80.0, "USD".into(), "unspecified".into())
        );
        assert_eq!(one("$1,000 day"), (1000.0, "USD".into(), "day".into()));
        assert_eq!(one("1 hr $100 CAD"), (100.0, "CAD".into(), "hr".into()));
        assert_eq!(one("$150 CAD/hr"), (150.0, "CAD".into(), "hr".into()));
        assert_eq!(
            one("Age: 38\nRoses: 180 per hour"),
            (180.0, "USD".into(), "hr".into())
        );
    }

    #[test]
    fn unit_first_forms() {
        assert_eq!(
            prices("Qv60 hhr120"),
            vec![
                (60.0, "USD".into(), "qv".into()),
                (120.0, "USD".into(), "hh".into())
            ]
        );
        assert_eq!(one("30 min $80"), (80.0, "USD".into(), "30min".into()));
        assert_eq!(one("half hour - 100"), (100.0, "USD".into(), "hh".into()));
        assert_eq!(
            prices("275/h or 325/h 180/hh"),
            vec![
                (275.0, "USD".into(), "hr".into()),
                (325.0, "USD".into(), "hr".into()),
                (180.0, "USD".into(), "hh".into())
            ]
        );
    }

    #[test]
    fn not_prices() {
        for text in [
            "I am 19 yrs old",
            "5'6 and 120 lbs",
            "34D-23-35",
            "call 919-555-0123",
            "Open 24hr / 7 days",
            "open 24/7",
            "10:00am - 10:00 pm",
            "100% real",
            "30 min session",
            "2 girls available",
            "401/ Avenue Road",
            "20-40 $pecial$",
            "height 167 cm",
            "born in 1995",
            "Age: 38",
            "Weight: 120 lbs Height: 165",
        ] {
            assert!(prices(text).is_empty(), "{text}: {:?}", prices(text));
        }
    }
}
