//! Prices with their time unit: "150hh", "$200/hr", "100 qv", "300 roses", "donations 200 per
//! hour", "80 for 30 min", "Qv60 hhr120", "SS*$70", "HR: 150", "15 min $50", "qk-60",
//! "60-80-100 roses". Currencies come from the text (`€`, `£`, `₹`, `C$`, `CAD`, `pesos` ...);
//! a bare `$`, an amount with no currency and the euphemisms ("roses", "donations", "kisses",
//! "candies") take the currency of the ad's country when it is known ([`LocalMoney`]), else USD.
//!
//! The field is cut into tokens (numbers, ASCII words, symbols) in one pass, each token
//! knowing whether a line break comes before it; prices are then read from the token stream in
//! three shapes: *amount first* ("$200/hr", "150hh"), *unit first* ("qv 60", "30 min $80",
//! "HR: 150") and *lists* of bare amounts next to a money word ("Roses 60/100/180", "60 or 80
//! special") or rising in a menu ("40/60/120"). A unit pairs only with an amount on its own
//! line, so in a menu written one rate per line ("15min-50" / "30min-80" / "HR: 150") no
//! amount takes the next line's unit. A number without a currency needs a unit or a money word
//! next to it, so ages ("19 yrs"), heights ("5'6"), weights ("125 pounds"), measurements
//! ("34D-23-35"), times ("10:00", "24/7", "10pm") and durations ("30 min", "24hr") are not
//! prices; nor are pay, deposits and discounts ("earn $500", "$50 off", "deposit $20").

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
    /// A line break between this token and the previous one: menus are written one rate per
    /// line, and a unit never pairs with an amount on another line.
    line_before: bool,
}

/// The currencies an ad's country gives to amounts that do not name theirs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalMoney {
    /// What a bare `$` is: the country's own dollar or peso where it writes one with `$`
    /// (Canada, Australia, Mexico ...), else USD.
    dollar: &'static str,
    /// What an amount with no currency, or with a euphemism ("roses"), is.
    bare: &'static str,
    /// "pounds" after an amount is money only in the UK; elsewhere it is a weight.
    pounds_are_money: bool,
}

impl Default for LocalMoney {
    fn default() -> LocalMoney {
        LocalMoney::for_country(None)
    }
}

impl LocalMoney {
    /// The money of an ad posted in `country` (ISO 3166-1 alpha-2); `None` (unknown) is the US.
    pub fn for_country(country: Option<&str>) -> LocalMoney {
        let bare = country.and_then(country_currency).unwrap_or("USD");
        let dollar = if DOLLAR_SIGN_CURRENCIES.contains(&bare) {
            bare
        } else {
            "USD"
        };
        LocalMoney {
            dollar,
            bare,
            pounds_are_money: bare == "GBP",
        }
    }

    /// The currency of amounts with no currency written.
    pub fn bare_currency(&self) -> &'static str {
        self.bare
    }
}

/// Currencies written with a bare `$` in their own country.
const DOLLAR_SIGN_CURRENCIES: &[&str] = &[
    "USD", "CAD", "AUD", "NZD", "MXN", "SGD", "HKD", "TWD", "COP", "ARS", "CLP", "DOP", "JMD",
    "TTD", "BSD", "BBD", "FJD", "NAD", "UYU",
];

/// The currency of a country (ISO 3166-1 alpha-2 to ISO 4217), for the countries ads come
/// from; `None` for the rest (their amounts stay in USD unless the text names a currency).
pub fn country_currency(country: &str) -> Option<&'static str> {
    Some(match country {
        "US" | "PR" | "GU" | "VI" | "EC" | "SV" | "PA" | "TL" | "ZW" => "USD",
        "CA" => "CAD",
        "AU" => "AUD",
        "NZ" => "NZD",
        "GB" | "IM" | "JE" | "GG" => "GBP",
        "IE" | "FR" | "DE" | "ES" | "IT" | "PT" | "NL" | "BE" | "AT" | "FI" | "GR" | "LU"
        | "SK" | "SI" | "EE" | "LV" | "LT" | "MT" | "CY" | "HR" | "MC" | "GP" | "MQ" | "RE"
        | "GF" => "EUR",
        "CH" | "LI" => "CHF",
        "SE" => "SEK",
        "NO" => "NOK",
        "DK" => "DKK",
        "PL" => "PLN",
        "CZ" => "CZK",
        "HU" => "HUF",
        "RO" => "RON",
        "RU" => "RUB",
        "TR" => "TRY",
        "IL" => "ILS",
        "AE" => "AED",
        "IN" => "INR",
        "PK" => "PKR",
        "JP" => "JPY",
        "KR" => "KRW",
        "CN" => "CNY",
        "HK" => "HKD",
        "TW" => "TWD",
        "SG" => "SGD",
        "MY" => "MYR",
        "TH" => "THB",
        "PH" => "PHP",
        "ID" => "IDR",
        "VN" => "VND",
        "MX" => "MXN",
        "BR" => "BRL",
        "AR" => "ARS",
        "CL" => "CLP",
        "CO" => "COP",
        "PE" => "PEN",
        "DO" => "DOP",
        "CR" => "CRC",
        "GT" => "GTQ",
        "JM" => "JMD",
        "ZA" => "ZAR",
        "NG" => "NGN",
        "KE" => "KES",
        _ => return None,
    })
}

/// Finds prices. Built once by [`crate::extract::Extractor`] (it holds no state today, but
/// keeps the same shape as the other finders).
#[derive(Debug, Default)]
pub struct PriceFinder;

impl PriceFinder {
    pub fn new() -> Result<PriceFinder, TextError> {
        Ok(PriceFinder)
    }

    /// All prices in one field of an ad whose country is not known (amounts in USD unless
    /// the text says otherwise), in text order.
    pub fn find(&self, text: &FieldText<'_>) -> Vec<Price> {
        self.find_with(text, LocalMoney::default())
    }

    /// All prices in one field, in text order, reading currencies as `money` says.
    pub fn find_with(&self, text: &FieldText<'_>, money: LocalMoney) -> Vec<Price> {
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
            text: haystack,
            lower: &lower,
            tokens: &tokens,
            money,
        };
        let mut found = Vec::new();
        // The amount token of each price found, for the pass over repeated columns.
        let mut amount_tokens = Vec::new();
        let mut push = |p: &Parsed, first: usize, last: usize| {
            let (span, raw) = text.locate(tokens[first].start..tokens[last].end);
            let unit = p.unit.clone().into_owned();
            amount_tokens.push(p.amount_index);
            found.push(Price {
                amount: p.amount,
                currency: p.currency.to_string(),
                per_hour: per_hour(p.amount, &unit),
                unit,
                raw,
                span,
                field: text.field,
            });
        };
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
            if next_num >= i + 8 {
                i += 1;
                continue;
            }
            if let Some((items, last)) = reader.rate_lines(i).or_else(|| reader.money_list(i)) {
                for p in items.iter().filter(|p| !reader.is_site_age(p)) {
                    push(p, p.first, p.last);
                }
                i = last + 1;
                continue;
            }
            let parsed = reader.amount_first(i).or_else(|| reader.unit_first(i));
            match parsed {
                Some(p) => {
                    if !reader.is_pay_or_discount(&p) && !reader.is_site_age(&p) {
                        push(&p, p.first, p.last);
                    }
                    i = p.last + 1;
                }
                None => i += 1,
            }
        }
        if found.len() >= 2 {
            let has_unit: Vec<bool> = found.iter().map(|p| p.unit != "unspecified").collect();
            for (column, header) in reader.repeated_columns(&amount_tokens, &has_unit) {
                let unit = found[header].unit.clone();
                match amount_tokens.iter().position(|&a| a == column.amount_index) {
                    Some(k) => {
                        found[k].per_hour = per_hour(found[k].amount, &unit);
                        found[k].unit = unit;
                    }
                    None => {
                        let (span, raw) =
                            text.locate(tokens[column.first].start..tokens[column.last].end);
                        let currency = column
                            .currency
                            .map_or_else(|| found[header].currency.clone(), str::to_string);
                        found.push(Price {
                            amount: column.amount,
                            currency,
                            per_hour: per_hour(column.amount, &unit),
                            unit,
                            raw,
                            span,
                            field: text.field,
                        });
                    }
                }
            }
            found.sort_by_key(|p| p.span.start);
        }
        found
    }
}

/// An amount of a menu line that repeats the columns of the line above ("2 girls: 120, 200,
/// 300" under "1 girl: qv 60, hh 100, hr 160").
struct ColumnAmount {
    first: usize,
    last: usize,
    amount_index: usize,
    amount: f64,
    /// The currency written with it, if any (else the column's).
    currency: Option<&'static str>,
}

/// Give prices read before the ad's country was known (in USD by default) the currency of
/// `country`, once the places of the text settle it: a `$`, "dollars" or "bucks" becomes that
/// country's dollar where it writes one with `$`, an amount with no currency (or a euphemism)
/// its own money. Prices that name USD (`USD`, `US$`) keep it.
pub fn relocalise(prices: &mut [Price], country: &str) {
    let money = LocalMoney::for_country(Some(country));
    for p in prices.iter_mut().filter(|p| p.currency == "USD") {
        let raw = p.raw.to_ascii_lowercase();
        if raw.contains("usd") || raw.contains("us$") || raw.contains("us $") {
            continue;
        }
        let dollar = raw.contains('$') || raw.contains("dollar") || raw.contains("buck");
        p.currency = if dollar { money.dollar } else { money.bare }.to_string();
    }
}

/// The price of one hour where the unit states a duration: `hr` as is, `hh` doubled, `2hr`
/// halved, `<n>min` scaled; `None` for a quick visit, overnight, a day or no unit (their
/// length is not stated).
pub fn per_hour(amount: f64, unit: &str) -> Option<f64> {
    let minutes: f64 = match unit {
        "hr" => 60.0,
        "hh" => 30.0,
        "2hr" => 120.0,
        u => u.strip_suffix("min")?.parse().ok()?,
    };
    if minutes <= 0.0 {
        return None;
    }
    let value = amount * 60.0 / minutes;
    Some((value * 100.0).round() / 100.0)
}

/// Does this ad read as a job posting (wages, not prices)? True when the URL puts it in a
/// jobs section of the site (`/SalesJobs/`, `/jobs/`) or the text uses at least three
/// different words of hiring (`salary`, `apply`, `benefits`, `full-time`, `resume` ...), which
/// escort and massage ads do not.
pub fn is_job_posting(texts: &[&str], url: Option<&str>) -> bool {
    if let Some(u) = url {
        let path = u.split_once("://").map_or(u, |(_, rest)| rest);
        let path = path.split(['?', '#']).next().unwrap_or("");
        if path
            .split('/')
            .skip(1)
            .any(|seg| seg.len() >= 4 && seg.to_ascii_lowercase().ends_with("jobs"))
        {
            return true;
        }
    }
    let mut seen: u64 = 0;
    let mut buf = [0u8; 16];
    for text in texts {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if !bytes[i].is_ascii_alphanumeric() {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'-') {
                i += 1;
            }
            let len = i - start;
            // Hiring words are 3 to 16 letters. Most words of an ad fail on their first or
            // last byte and length alone; the rest are lower-cased on the stack and compared.
            if !(3..=16).contains(&len)
                || JOB_WORD_FIRSTS[usize::from(bytes[start])]
                    & JOB_WORD_LASTS[usize::from(bytes[i - 1])]
                    & (1 << len)
                    == 0
            {
                continue;
            }
            for (b, o) in bytes[start..i].iter().zip(buf.iter_mut()) {
                *o = b.to_ascii_lowercase();
            }
            if let Some(k) = job_word_index(&buf[..len]) {
                seen |= 1 << k;
                if seen.count_ones() >= 3 {
                    return true;
                }
            }
        }
    }
    false
}

/// The index of a hiring word in `JOB_WORDS` (a `match`, which compiles to a switch on
/// the length and a few comparisons, rather than a scan of the list).
fn job_word_index(word: &[u8]) -> Option<usize> {
    Some(match word {
        b"salary" => 0,
        b"salaries" => 1,
        b"wage" => 2,
        b"wages" => 3,
        b"hiring" => 4,
        b"apply" => 5,
        b"applicants" => 6,
        b"applicant" => 7,
        b"application" => 8,
        b"resume" => 9,
        b"benefits" => 10,
        b"401k" => 11,
        b"employer" => 12,
        b"employees" => 13,
        b"employment" => 14,
        b"qualifications" => 15,
        b"candidates" => 16,
        b"candidate" => 17,
        b"interview" => 18,
        b"career" => 19,
        b"careers" => 20,
        b"full-time" => 21,
        b"part-time" => 22,
        b"paycheck" => 23,
        b"overtime" => 24,
        b"duties" => 25,
        b"responsibilities" => 26,
        b"requirements" => 27,
        b"diploma" => 28,
        b"ged" => 29,
        b"recruiting" => 30,
        b"bilingual" => 31,
        _ => return None,
    })
}

/// For each byte, the lengths of the hiring words that start with it in either case (bit
/// `n` for `n` bytes).
const JOB_WORD_FIRSTS: [u32; 256] = job_word_shapes(true);

/// For each byte, the lengths of the hiring words that end with it in either case.
const JOB_WORD_LASTS: [u32; 256] = job_word_shapes(false);

const fn job_word_shapes(first: bool) -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut k = 0;
    while k < JOB_WORDS.len() {
        let word = JOB_WORDS[k].as_bytes();
        let byte = if first { word[0] } else { word[word.len() - 1] };
        let bit = 1u32 << word.len();
        table[byte.to_ascii_lowercase() as usize] |= bit;
        table[byte.to_ascii_uppercase() as usize] |= bit;
        k += 1;
    }
    table
}

/// Words of hiring, in the order of [`job_word_index`] (which the tests check against this
/// list). Each counts once; "position", "training" and "experience" are left out because
/// escort ads use them too. Lower case, 3 to 16 bytes.
const JOB_WORDS: &[&str] = &[
    "salary",
    "salaries",
    "wage",
    "wages",
    "hiring",
    "apply",
    "applicants",
    "applicant",
    "application",
    "resume",
    "benefits",
    "401k",
    "employer",
    "employees",
    "employment",
    "qualifications",
    "candidates",
    "candidate",
    "interview",
    "career",
    "careers",
    "full-time",
    "part-time",
    "paycheck",
    "overtime",
    "duties",
    "responsibilities",
    "requirements",
    "diploma",
    "ged",
    "recruiting",
    "bilingual",
];

/// Split `text` into number, word and symbol tokens. Numbers keep thousands separators
/// ("1,000") and up to two decimals ("40.00").
fn tokenize(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::with_capacity(text.len() / 3);
    let mut i = 0;
    let mut gap = false;
    let mut line = false;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            gap = true;
            line |= b == b'\n';
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
                    && bytes
                        .get(i + 1..i + 4)
                        .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
                    && !bytes.get(i + 4).is_some_and(u8::is_ascii_digit)
                    && i - start <= 3
                    && !(i - start >= 2
                        && bytes.get(i + 4) == Some(&b',')
                        && bytes.get(i + 5).is_some_and(u8::is_ascii_digit))
                {
                    // "1,000": a thousands separator, not a list; but "120,160,200" (a
                    // lead group of two or three digits, and another group after) is a
                    // list of rates.
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
                // "hrOvernight", "60qvHH": a capital after two lower-case letters starts a new
                // word when two more letters follow, so glued units read apart.
                if i - start >= 2
                    && bytes[i].is_ascii_uppercase()
                    && bytes[i - 1].is_ascii_lowercase()
                    && bytes[i - 2].is_ascii_lowercase()
                    && bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic)
                {
                    break;
                }
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
            line_before: line,
        });
        gap = false;
        line = false;
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
    /// The token of the amount itself.
    amount_index: usize,
    amount: f64,
    currency: &'static str,
    unit: Unit,
}

struct Reader<'a> {
    /// The field's text as written, for the case of a word.
    text: &'a str,
    /// The field's text lower-cased (ASCII only, so every offset is the same).
    lower: &'a str,
    tokens: &'a [Token],
    money: LocalMoney,
}

/// Words that make a number money without being a currency: "100 special", "Specials 60/80".
fn is_special_word(word: &str) -> bool {
    matches!(
        word,
        "special"
            | "specials"
            | "spl"
            | "spls"
            | "splz"
            | "specail"
            | "specails"
            | "promo"
            | "promos"
    )
}

/// Units written as codes, which no title ends in before the sites' age ("hh - 60").
fn is_unit_code(word: &str) -> bool {
    matches!(
        word,
        "qv" | "qk"
            | "qs"
            | "ss"
            | "qkie"
            | "quickie"
            | "hh"
            | "hhr"
            | "hf"
            | "hlf"
            | "hr"
            | "hrs"
            | "h"
            | "fh"
            | "fhr"
            | "ovn"
            | "min"
            | "mins"
    )
}

/// Euphemisms for money: an amount with one of these is a price in the local currency.
fn is_euphemism(word: &str) -> bool {
    matches!(
        word,
        "roses"
            | "rose"
            | "donation"
            | "donations"
            | "kisses"
            | "kiss"
            | "candies"
            | "candy"
            | "gifts"
            | "gift"
            | "tributes"
            | "tribute"
            | "flowers"
    )
}

/// Words before an amount that make it money ("donations 200 per hour", "rate: 150").
fn is_money_word_before(word: &str) -> bool {
    is_euphemism(word)
        || matches!(
            word,
            "rate"
                | "rates"
                | "price"
                | "prices"
                | "donate"
                | "tarifa"
                | "tarifas"
                | "precio"
                | "incall"
                | "incalls"
                | "outcall"
                | "outcalls"
        )
}

/// Words just before an amount that make it something other than a price asked: pay
/// offered to recruits, deposits, discounts, surcharges.
fn is_not_price_word_before(word: &str) -> bool {
    matches!(
        word,
        "earn"
            | "earns"
            | "earning"
            | "earnings"
            | "make"
            | "making"
            | "paid"
            | "salary"
            | "wage"
            | "wages"
            | "income"
            | "deposit"
            | "disc"
            | "discount"
            | "save"
            | "extra"
            | "additional"
            | "plus"
            | "bonus"
            | "commission"
            | "tip"
            | "tips"
            | "fee"
            | "fees"
            | "travel"
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
            | "feet"
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
            | "k"
            | "pics"
            | "photos"
            | "girls"
            | "girl"
            | "ladies"
            | "people"
            | "men"
            | "days"
            | "weeks"
            | "months"
            | "reviews"
            | "percent"
            | "off"
            | "calls"
            | "texts"
            | "ans"
            | "anos"
            | "jahre"
    )
}

/// Spelled numbers that say how long a session is ("thirty minutes", "two hours").
fn duration_word(word: &str) -> Option<u32> {
    Some(match word {
        "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "ten" => 10,
        "fifteen" => 15,
        "twenty" => 20,
        "thirty" => 30,
        "forty" | "fourty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "ninety" => 90,
        _ => return None,
    })
}

fn is_minute_word(word: &str) -> bool {
    matches!(
        word,
        "min"
            | "mins"
            | "minute"
            | "minutes"
            | "mn"
            | "mnt"
            | "mnts"
            | "minuto"
            | "minutos"
            | "minz"
            | "minuti"
            | "minuten"
            | "minut"
            | "minuty"
    )
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

    /// The word at `i` is written capitalised and then lower case ("Latina"), so a sign glued
    /// before it ends the amount rather than standing for a letter of it ("$pecials").
    fn is_capitalised_word(&self, i: usize) -> bool {
        self.tokens.get(i).is_some_and(|t| {
            let w = &self.text[t.start..t.end];
            t.kind == Kind::Word
                && w.len() >= 3
                && w.as_bytes()[0].is_ascii_uppercase()
                && w.as_bytes()[1..].iter().all(u8::is_ascii_lowercase)
        })
    }

    fn glued(&self, i: usize) -> bool {
        self.tokens.get(i).is_some_and(|t| !t.gap_before)
    }

    /// A line break between token `i - 1` and token `i`.
    fn new_line(&self, i: usize) -> bool {
        self.tokens.get(i).is_some_and(|t| t.line_before)
    }

    /// No line break anywhere between tokens `from` and `to` (inclusive).
    fn same_line(&self, from: usize, to: usize) -> bool {
        (from + 1..=to).all(|k| !self.new_line(k))
    }

    /// The currency a symbol writes: `$` is the ad's dollar, 🌹 a euphemism.
    fn currency_symbol(&self, sym: char) -> Option<&'static str> {
        Some(match sym {
            '$' | '\u{1F4B5}' | '\u{1F4B0}' => self.money.dollar,
            '\u{1F339}' => self.money.bare,
            '€' => "EUR",
            '£' => "GBP",
            '₹' => "INR",
            '¥' => "JPY",
            '₩' => "KRW",
            '₱' => "PHP",
            '฿' => "THB",
            '₪' => "ILS",
            '₽' => "RUB",
            _ => return None,
        })
    }

    /// Words after an amount that make it money ("300 roses", "200 dollars", "260000KRW").
    fn currency_word(&self, word: &str) -> Option<&'static str> {
        if is_euphemism(word) {
            return Some(self.money.bare);
        }
        Some(match word {
            "dollars" | "dollar" | "bucks" | "dolares" | "dolars" | "dlls" | "dls" => {
                self.money.dollar
            }
            "usd" => "USD",
            "cad" => "CAD",
            "eur" | "euro" | "euros" => "EUR",
            "gbp" | "quid" => "GBP",
            "pounds" | "pound" if self.money.pounds_are_money => "GBP",
            "aud" => "AUD",
            "nzd" => "NZD",
            "krw" | "won" => "KRW",
            "inr" | "rs" | "rupees" | "rupee" => "INR",
            "mxn" => "MXN",
            "pesos" | "peso" => match self.money.bare {
                c @ ("COP" | "ARS" | "CLP" | "PHP" | "DOP" | "UYU") => c,
                _ => "MXN",
            },
            "reais" | "brl" => "BRL",
            "chf" => "CHF",
            "sek" => "SEK",
            "nok" => "NOK",
            "dkk" => "DKK",
            "kr" => match self.money.bare {
                c @ ("NOK" | "DKK") => c,
                _ => "SEK",
            },
            "pln" | "zl" | "zloty" => "PLN",
            "yen" | "jpy" => "JPY",
            "sgd" => "SGD",
            "hkd" => "HKD",
            "zar" | "rand" => "ZAR",
            "aed" | "dhs" | "dirhams" => "AED",
            "thb" | "baht" => "THB",
            "php" => "PHP",
            _ => return None,
        })
    }

    /// A currency written before the amount at `i`: a symbol (`$`, `€`), a code (`CAD`,
    /// `Rs.`) or a prefixed dollar (`C$`, `US$`, `AU$`, `R$`). Returns the currency and the
    /// index of the amount.
    fn currency_before(&self, i: usize) -> Option<(&'static str, usize)> {
        if let Some(sym) = self.sym(i) {
            let c = self.currency_symbol(sym)?;
            return self.num(i + 1).is_some().then_some((c, i + 1));
        }
        let w = self.word(i)?;
        // "C$200", "US$ 150", "R$ 300": a letter prefix glued to `$`.
        if self.sym(i + 1) == Some('$') && self.glued(i + 1) {
            let c = match w {
                "us" | "usd" => "USD",
                "c" | "ca" | "cad" => "CAD",
                "a" | "au" | "aud" => "AUD",
                "nz" => "NZD",
                "mx" | "mxn" => "MXN",
                "r" => "BRL",
                "hk" => "HKD",
                "s" | "sg" => "SGD",
                _ => return None,
            };
            return self.num(i + 2).is_some().then_some((c, i + 2));
        }
        let c = match w {
            "usd" => "USD",
            "cad" => "CAD",
            "eur" => "EUR",
            "gbp" => "GBP",
            "aud" => "AUD",
            "nzd" => "NZD",
            "inr" | "rs" => "INR",
            "mxn" => "MXN",
            "chf" => "CHF",
            "sek" => "SEK",
            "brl" => "BRL",
            _ => return None,
        };
        let mut k = i + 1;
        if self.sym(k) == Some('.') {
            k += 1;
        }
        self.num(k).is_some().then_some((c, k))
    }

    /// Is the number at `i` part of something that is not a price (a phone fragment, a
    /// measurement, a time, a percentage, a height, a year)?
    fn number_is_not_money(&self, i: usize) -> bool {
        // Glued to a word before it ("34D-23", "Qv60": the latter is read unit-first), unless
        // the word makes it money ("special250/hhr", "rates150").
        if i > 0
            && self.glued(i)
            && self.tokens[i - 1].kind == Kind::Word
            && !self
                .word(i - 1)
                .is_some_and(|w| is_special_word(w) || is_money_word_before(w))
        {
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
                if self.glued(next)
                    && self.glued(next + 1)
                    && self.num(next + 1).is_some()
                    && !(matches!(self.sym(next), Some('/' | '-'))
                        && self.unit_at(next + 1).is_some()) =>
            {
                // "10:30", "919.555", "34-24-36", "24/7" (but "$80/30min", "1000-10hrs" and
                // "1/2 hr" are read by the unit parser, which runs before this check where it
                // matters).
                return true;
            }
            _ => {}
        }
        if let Some(w) = self.word(next)
            && (is_non_money_suffix(w)
                || (matches!(w, "pounds" | "pound") && !self.money.pounds_are_money))
        {
            return true;
        }
        // A year: "since 2012", "born 1995"; but "1950 pesos" is money.
        if let Some(v) = self.num(i)
            && (1900.0..=2039.0).contains(&v)
            && self.tokens[i].end - self.tokens[i].start == 4
            && self
                .word(next)
                .is_none_or(|w| self.currency_word(w).is_none())
            && self
                .sym(next)
                .is_none_or(|c| self.currency_symbol(c).is_none())
        {
            return true;
        }
        // "Age: 38", "height 167", "weight 120": a labelled quantity.
        let mut k = i;
        while k > 0 && matches!(self.sym(k - 1), Some(':' | '-' | '=' | '#')) {
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
                    | "zip"
                    | "code"
                    | "box"
                    | "route"
                    | "hwy"
                    | "highway"
                    | "interstate"
                    | "i"
                    | "us"
                    | "sr"
                    | "ave"
                    | "street"
                    | "st"
                    | "unit"
                    | "floor"
                    | "lot"
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
            // "1.5 hrs", "2.5 hours": half hours counted in hours.
            if n.fract() == 0.5 && n < 24.0 {
                let mut j = i + 1;
                if self.word(j) == Some("full") {
                    j += 1;
                }
                return self
                    .hour_word_at(j)
                    .filter(|end| self.same_line(i, *end))
                    .map(|end| (minutes_unit((n * 60.0) as u32), end));
            }
            if n.fract() != 0.0 || !(1.0..=1440.0).contains(&n) {
                return None;
            }
            return self.duration_after(n as u32, i + 1);
        }
        let w = self.word(i)?;
        if let Some(n) = duration_word(w) {
            // "thirty minutes", "two hours", "forty five min".
            let mut j = i + 1;
            let mut n = n;
            if n >= 20
                && let Some(units) = self.word(j).and_then(duration_word)
                && units < 10
            {
                n += units;
                j += 1;
            }
            if let Some(found) = self.duration_after(n, j) {
                return Some(found);
            }
        }
        match w {
            "qv" | "qk" | "qs" | "qkv" | "qvs" | "qks" | "qh" | "ss" | "qkie" | "quickie"
            | "quickies" | "quicky" | "qukie" | "quikie" | "quicke" | "qwikie" | "qwik"
            | "quik" | "qikie" | "qickie" | "shortstay" | "qwk" | "qwick" | "qwicky"
            | "qwickie" | "quickee" => Some(("qv".into(), i)),
            "quick" => match self.word(i + 1) {
                Some("visit" | "visits" | "stop" | "session" | "service" | "one") => {
                    Some(("qv".into(), i + 1))
                }
                _ => Some(("qv".into(), i)),
            },
            "short" => match self.word(i + 1) {
                Some("stay" | "time" | "visit") => Some(("qv".into(), i + 1)),
                _ => None,
            },
            "hh" | "hhr" | "hhrs" | "hhour" | "hlf" | "hf" | "half" | "halfhour" | "halfhr"
            | "hlfhr" | "hfhr" => {
                // "half an hour", "hf hr", "hlf hour": the hour word belongs to the unit.
                let mut j = i + 1;
                if w == "half" && matches!(self.word(j), Some("an" | "a")) {
                    j += 1;
                }
                match self.hour_word_at(j) {
                    Some(end) if self.same_line(i, end) => Some(("hh".into(), end)),
                    _ => Some(("hh".into(), i)),
                }
            }
            "hr" | "hrs" | "hour" | "hours" | "h" | "hourly" | "hora" | "hor" | "fh" | "fhr"
            | "hrly" | "fullhour" | "fullhr" | "stunde" | "heure" | "uur" => Some(("hr".into(), i)),
            // "150Full", "200 full": the full hour.
            "full" if self.hour_word_at(i + 1).is_none() => Some(("hr".into(), i)),
            "one" | "an" | "a" | "full" | "per" => self
                .hour_word_at(i + 1)
                .filter(|end| self.same_line(i, *end))
                .map(|end| ("hr".into(), end)),
            "overnight" | "overnite" | "ovn" | "ovnt" | "overnights" | "overnighter" => {
                Some(("overnight".into(), i))
            }
            "over" | "all" if matches!(self.word(i + 1), Some("night" | "nite")) => {
                Some(("overnight".into(), i + 1))
            }
            "night" | "noche" | "nacht" | "nuit" => Some(("overnight".into(), i)),
            // "media hora", "halbe Stunde", "demi-heure": half an hour in other languages.
            "media" | "halbe" | "demi" | "mezz" | "mezza" => {
                let mut j = i + 1;
                if matches!(self.sym(j), Some('-' | '\'')) {
                    j += 1;
                }
                self.hour_word_at(j)
                    .filter(|end| self.same_line(i, *end))
                    .map(|end| ("hh".into(), end))
            }
            "day" | "daily" | "fullday" => Some(("day".into(), i)),
            _ => None,
        }
    }

    /// A minutes or hours word after a number of them at `j` ("30 min", "2 full hours").
    fn duration_after(&self, n: u32, j: usize) -> Option<(Unit, usize)> {
        let start = j.saturating_sub(1);
        // "120/30m, 160/60m": minutes as a bare "m" glued to a session's length (never other
        // numbers, which with "m" are metres or millions).
        if self.word(j) == Some("m")
            && self.glued(j)
            && matches!(n, 15 | 20 | 30 | 45 | 60 | 90 | 120)
        {
            return Some((minutes_unit(n), j));
        }
        let mut j = j;
        if self.word(j) == Some("full") {
            j += 1;
        }
        if !self.same_line(start, j) {
            return None;
        }
        // "2 hrs", "24hr": a session or a schedule; "80 hr" is an amount and its unit, as no
        // one books a day and more by the hour.
        if n <= 24
            && let Some(end) = self.hour_word_at(j)
        {
            return Some((minutes_unit(n.checked_mul(60)?), end));
        }
        if let Some(w) = self.word(j)
            && is_minute_word(w)
        {
            return Some((minutes_unit(n), j));
        }
        None
    }

    fn hour_word_at(&self, i: usize) -> Option<usize> {
        let w = self.word(i)?;
        matches!(
            w,
            "hr" | "hrs"
                | "hour"
                | "hours"
                | "h"
                | "hora"
                | "horas"
                | "hrz"
                | "hous"
                | "hor"
                | "stunde"
                | "std"
                | "heure"
                | "heures"
                | "ora"
                | "ore"
                | "uur"
                | "godz"
                | "godzina"
        )
        .then_some(i)
    }

    /// The unit that follows the amount at `j - 1`, after at most two connectors on the same
    /// line ("/hr", " per hour", " for 30 min", " - Hour", "hh"); with its first token.
    fn unit_after(&self, j: usize) -> Option<(Unit, usize, usize)> {
        for skip in [0usize, 1, 2] {
            let k = j + skip;
            if self.new_line(k) {
                return None;
            }
            if skip > 0 {
                let ok = (j..k).all(|c| {
                    matches!(
                        self.sym(c),
                        Some('/' | '-' | '@' | ':' | '=' | 'x' | '~' | '–' | '*' | '(')
                    ) || matches!(
                        self.word(c),
                        Some(
                            "per"
                                | "a"
                                | "an"
                                | "for"
                                | "each"
                                | "x"
                                | "the"
                                | "por"
                                | "la"
                                | "pro"
                                | "par"
                                | "de"
                                | "el"
                        )
                    )
                });
                if !ok {
                    return None;
                }
            }
            if let Some((u, end)) = self.unit_at(k) {
                return Some((u, k, end));
            }
        }
        None
    }

    /// An incall or outcall written at token `i` ("incall", "outcalls", "in call", "In-call",
    /// "I/C", "o/c"): the index of its last token.
    fn call_word_at(&self, i: usize) -> Option<usize> {
        let w = self.word(i)?;
        if matches!(w, "incall" | "incalls" | "outcall" | "outcalls") {
            return Some(i);
        }
        let mut k = i + 1;
        if matches!(w, "in" | "out") {
            if self.sym(k) == Some('-') && self.glued(k) {
                k += 1;
            }
            return matches!(self.word(k), Some("call" | "calls"))
                .then_some(k)
                .filter(|&end| self.same_line(i, end));
        }
        if matches!(w, "i" | "o")
            && self.sym(k) == Some('/')
            && self.glued(k)
            && self.glued(k + 1)
            && self.word(k + 1) == Some("c")
        {
            return Some(k + 1);
        }
        None
    }

    /// "150 in 200 out" around the amount at `a`: incall and outcall rates.
    fn in_out_pair(&self, a: usize) -> bool {
        let word = |k: usize| self.word(k);
        (word(a + 1) == Some("in")
            && self.num(a + 2).is_some()
            && word(a + 3) == Some("out")
            && self.same_line(a, a + 3))
            || (word(a + 1) == Some("out")
                && a >= 2
                && word(a - 1) == Some("in")
                && self.num(a - 2).is_some()
                && self.same_line(a - 2, a + 1))
    }

    /// "for my time", "for your time", "for the time" at token `j`: what a rate buys.
    fn for_my_time(&self, j: usize) -> bool {
        self.word(j) == Some("for")
            && matches!(self.word(j + 1), Some("my" | "your" | "the" | "our"))
            && self.word(j + 2) == Some("time")
            && self.same_line(j, j + 2)
    }

    /// Amount, then optional currency, then optional connector and unit.
    fn amount_first(&self, i: usize) -> Option<Parsed> {
        let mut j = i;
        let mut currency: Option<&'static str> = None;
        let mut money_context = false;
        let mut weak_context = false;
        // Currency or money word before the amount.
        if let Some((c, amount_at)) = self.currency_before(j) {
            currency = Some(c);
            j = amount_at;
        } else if let Some(w) = self.word(j) {
            let call_end = self.call_word_at(j);
            // "$pecials *70": the dollar sign written for the s, read as a sign then
            // "pecials" (only before an amount: "20-40 $pecial$" is no menu).
            let special = is_special_word(w)
                || matches!(w, "pecial" | "pecials")
                    && j > 0
                    && self.sym(j - 1) == Some('$')
                    && self.glued(j);
            if call_end.is_some() || is_money_word_before(w) || special {
                // "incall 150" is a rate, but "Outcalls 24hrs" is a schedule; "specials *70"
                // is a price, "special 24/7" is not: these words make a bare amount money
                // without lifting the checks on the number.
                weak_context = call_end.is_some() || special;
                let mut k = call_end.unwrap_or(j) + 1;
                while matches!(self.sym(k), Some(':' | '-' | '=' | '*'))
                    || self.word(k) == Some("of")
                {
                    k += 1;
                }
                if let Some((c, amount_at)) = self.currency_before(k) {
                    currency = Some(c);
                    k = amount_at;
                } else if is_euphemism(w) {
                    currency = Some(self.money.bare);
                }
                if self.num(k).is_none() || k - j > 6 || !self.same_line(j, k) {
                    return None;
                }
                // "incall 30 min: $50": the number starts a unit, read unit-first.
                if currency.is_none() && self.unit_at(k).is_some() {
                    return None;
                }
                money_context = currency.is_some() || !weak_context;
                j = k;
            } else {
                return None;
            }
        } else if self.sym(j).is_some() {
            return None;
        }
        let amount = self.num(j)?;
        let amount_index = j;
        // "150 in 200 out", "150 in-call": the incall and outcall rates.
        if currency.is_none()
            && (self.in_out_pair(amount_index)
                || self.call_word_at(amount_index + 1).is_some()
                    && !self.new_line(amount_index + 1))
        {
            money_context = true;
        }
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
        // Currency after the amount: "200$", "300 roses", "260000KRW", "200🌹", "100$hf".
        if currency.is_none() || money_context {
            if let Some(sym) = self.sym(j)
                && let Some(c) = self.currency_symbol(sym)
                && !(self.glued(j + 1)
                    && self.tokens.get(j + 1).is_some_and(|t| t.kind == Kind::Word)
                    && self.unit_at(j + 1).is_none()
                    && !self.is_capitalised_word(j + 1))
            {
                currency = Some(c);
                j += 1;
                // "75$$ qwk", "50$$$special": the sign repeated for emphasis.
                while self.sym(j) == Some(sym) && self.glued(j) {
                    j += 1;
                }
            } else if let Some(w) = self.word(j)
                && let Some(c) = self.currency_word(w)
                && !self.is_label(j)
                && !self.new_line(j)
            {
                currency = Some(c);
                j += 1;
            }
        }
        // "$100 CAD": a code after a `$` amount names which dollar.
        if currency == Some(self.money.dollar)
            && let Some(w) = self.word(j)
            && let Some(code) = dollar_code(w)
        {
            currency = Some(code);
            j += 1;
        }
        let unit = self.unit_after(j);
        // "100 special", "50$$$special": a bare amount the writer calls a special;
        // "incall 150": a rate with no unit.
        // "150 incall", "150 for my time": the rate of a call or of the writer's time.
        if unit.is_none()
            && currency.is_none()
            && !money_context
            && (weak_context
                || !self.new_line(j)
                    && (self.word(j).is_some_and(is_special_word)
                        || self.call_word_at(j).is_some()
                        || self.for_my_time(j)))
        {
            money_context = true;
        }
        match (&currency, &unit) {
            (None, None) if !money_context => return None,
            (None, Some((u, first_unit_token, _))) if !money_context => {
                let unit_word = self.word(*first_unit_token).unwrap_or_default();
                // "30 min", "45 mins": the number is the duration itself.
                if *first_unit_token == j && j == amount_index + 1 && is_minute_word(unit_word) {
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
            (None, None) => {
                if !(20.0..=20_000.0).contains(&amount) {
                    return None;
                }
            }
            _ => {
                if amount <= 0.0 || amount > 10_000_000.0 {
                    return None;
                }
            }
        }
        let last = unit.as_ref().map_or(j - 1, |(_, _, end)| *end);
        Some(Parsed {
            first: i,
            last,
            amount_index,
            amount,
            currency: currency.unwrap_or(self.money.bare),
            unit: unit.map_or(Cow::Borrowed("unspecified"), |(u, _, _)| u),
        })
    }

    /// Unit, then optional separators and currency, then the amount: "Qv60", "hhr120",
    /// "30 min $80", "half hour - 100", "SS*$70", "HR: 150", "15MiNS?($50)".
    fn unit_first(&self, i: usize) -> Option<Parsed> {
        let (unit, unit_end) = self.unit_at(i)?;
        let mut j = unit_end + 1;
        // "Hr. 150" abbreviates; "make your day. $90" ends a sentence: only a unit written
        // as a code or with its number may be followed by a full stop.
        if self.sym(j) == Some('.')
            && self.num(i).is_none()
            && !self.word(unit_end).is_some_and(is_unit_code)
        {
            return None;
        }
        let mut steps = 0;
        while steps < 3
            && !self.new_line(j)
            && (matches!(
                self.sym(j),
                Some(
                    ':' | '-'
                        | '='
                        | '@'
                        | '~'
                        | '–'
                        | '—'
                        | '→'
                        | '*'
                        | '?'
                        | '('
                        | '['
                        | '>'
                        | '.'
                        | '|'
                )
            ) || matches!(
                self.word(j),
                Some("for" | "is" | "only" | "just" | "por" | "at" | "are")
            ) || self.word(j).is_some_and(is_special_word)
                // "OVER NITE SPECIAL $900" is the overnight rate, but in "day and night
                // specials $50" the night is when the specials run.
                && !matches!(self.word(i), Some("night" | "noche" | "nacht" | "nuit")))
        {
            j += 1;
            steps += 1;
        }
        if self.new_line(j) {
            return None;
        }
        let mut currency: Option<&'static str> = None;
        if let Some((c, amount_at)) = self.currency_before(j) {
            currency = Some(c);
            j = amount_at;
        }
        let amount = self.num(j)?;
        // A written currency makes any number money, but never nothing or an absurd sum
        // ("SS$0"), the same bounds as an amount written first.
        if currency.is_some() && (amount <= 0.0 || amount > 10_000_000.0) {
            return None;
        }
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
        }
        let bare = currency.is_none();
        let mut last = j;
        if currency.is_none()
            && let Some(sym) = self.sym(j + 1)
            && let Some(c) = self.currency_symbol(sym)
            && !(self.glued(j + 2) && self.tokens.get(j + 2).is_some_and(|t| t.kind == Kind::Word))
        {
            currency = Some(c);
            last = j + 1;
        } else if currency.is_none()
            && let Some(w) = self.word(j + 1)
            && let Some(c) = self.currency_word(w)
            && !self.is_label(j + 1)
            && !self.new_line(j + 1)
        {
            currency = Some(c);
            last = j + 1;
        } else if currency == Some(self.money.dollar)
            && let Some(w) = self.word(j + 1)
            && let Some(code) = dollar_code(w)
        {
            currency = Some(code);
            last = j + 1;
        }
        // A bare amount must look like a rate; one with its currency after it ("36600
        // rupees") may be larger.
        let range = if currency.is_none() {
            20.0..=20_000.0
        } else if bare {
            1.0..=10_000_000.0
        } else {
            0.01..=10_000_000.0
        };
        if !range.contains(&amount) {
            return None;
        }
        Some(Parsed {
            first: i,
            last,
            amount_index: j,
            amount,
            currency: currency.unwrap_or(self.money.bare),
            unit,
        })
    }

    /// The age that sites append after a spaced " - " at the end of a title (and of bodies
    /// that repeat it): "party with you all night - 22", "Specials - 21". A two-digit number
    /// with no currency there is not a price.
    fn is_site_age(&self, p: &Parsed) -> bool {
        let a = p.amount_index;
        if p.amount >= 100.0 || p.amount.fract() != 0.0 || a < 1 {
            return false;
        }
        // "30 mins - 80", "hh - 60": a unit written as a duration or a code before the dash
        // makes the number its rate (the sites' age follows title words: "all night - 22").
        if p.first < a
            && (self.num(p.first).is_some()
                || self.word(p.first).is_some_and(is_unit_code)
                || !matches!(p.unit.as_ref(), "overnight" | "day" | "unspecified"))
        {
            return false;
        }
        if self.sym(a - 1) != Some('-')
            || !self.tokens[a].gap_before
            || !self.tokens[a - 1].gap_before
        {
            return false;
        }
        if (p.first..=p.last).any(|k| {
            self.sym(k)
                .is_some_and(|c| self.currency_symbol(c).is_some())
        }) {
            return false;
        }
        // Nothing but decoration after it, to the end of the line.
        self.tokens[a + 1..]
            .iter()
            .take_while(|t| !t.line_before)
            .all(|t| matches!(t.kind, Kind::Sym(_)))
    }

    /// The amounts of menu lines that repeat the columns of the line above them: a line of
    /// two or more prices that all have their unit, then lines of as many bare amounts and
    /// nothing else but a label before them ("1girl - quick50rose,30min75rose,hour100rose" /
    /// "2girl- 120,160,200"). Each amount takes the unit of the price in its column, given as
    /// the index of that price in `amount_tokens`. `has_unit` says which prices have one.
    fn repeated_columns(
        &self,
        amount_tokens: &[usize],
        has_unit: &[bool],
    ) -> Vec<(ColumnAmount, usize)> {
        let mut out = Vec::new();
        let mut line_starts = vec![0];
        line_starts.extend((1..self.tokens.len()).filter(|&k| self.tokens[k].line_before));
        line_starts.push(self.tokens.len());
        // The prices of the line above, when it is a line of prices with units.
        let mut header: Option<Vec<usize>> = None;
        for bounds in line_starts.windows(2) {
            let line = bounds[0]..bounds[1];
            let on_line: Vec<usize> = (0..amount_tokens.len())
                .filter(|&f| line.contains(&amount_tokens[f]))
                .collect();
            let with_unit = on_line.iter().filter(|&&f| has_unit[f]).count();
            if with_unit >= 2 && with_unit == on_line.len() {
                header = Some(on_line);
                continue;
            }
            let Some(columns) = &header else { continue };
            if with_unit > 0 {
                header = None;
                continue;
            }
            match self.column_amounts(line) {
                Some(amounts)
                    if amounts.len() == columns.len()
                        && on_line.iter().all(|&f| {
                            amounts.iter().any(|a| a.amount_index == amount_tokens[f])
                        }) =>
                {
                    out.extend(amounts.into_iter().zip(columns.iter().copied()));
                }
                _ => header = None,
            }
        }
        out
    }

    /// The bare amounts of one line (tokens `line`) after an optional short label ("2 girls:",
    /// "Duo", "Me & my friend"), joined by symbols, "or" and "and" only; `None` when the line
    /// holds anything else (a unit, a phone number, a size, words between the amounts).
    fn column_amounts(&self, line: std::ops::Range<usize>) -> Option<Vec<ColumnAmount>> {
        let mut out: Vec<ColumnAmount> = Vec::new();
        let mut label_words = 0;
        let mut k = line.start;
        while k < line.end {
            match self.tokens[k].kind {
                Kind::Num(v) => {
                    if !(20.0..=20_000.0).contains(&v) || v.fract() != 0.0 {
                        // "2 girls", "3girl": part of the label.
                        if out.is_empty() {
                            k += 1;
                            continue;
                        }
                        return None;
                    }
                    if self.number_is_not_money(k)
                        || self.unit_after(k + 1).is_some()
                        || (k > line.start && self.sym(k - 1) == Some('+'))
                    {
                        return None;
                    }
                    let mut first = k;
                    let mut last = k;
                    let mut currency = None;
                    if k > line.start
                        && let Some(c) = self.sym(k - 1).and_then(|c| self.currency_symbol(c))
                    {
                        currency = Some(c);
                        first = k - 1;
                    }
                    if k + 1 < line.end {
                        if let Some(c) = self.sym(k + 1).and_then(|c| self.currency_symbol(c)) {
                            currency = Some(c);
                            last = k + 1;
                        } else if let Some(c) = self.word(k + 1).and_then(|w| self.currency_word(w))
                        {
                            currency = Some(c);
                            last = k + 1;
                        }
                    }
                    out.push(ColumnAmount {
                        first,
                        last,
                        amount_index: k,
                        amount: v,
                        currency,
                    });
                    k = last;
                }
                Kind::Word => {
                    let w = self.word(k).unwrap_or_default();
                    if out.is_empty() {
                        label_words += 1;
                        if label_words > 4 {
                            return None;
                        }
                    } else if !matches!(w, "or" | "and") {
                        return None;
                    }
                }
                Kind::Sym(_) => {}
            }
            k += 1;
        }
        Some(out)
    }

    /// Pay offered, a deposit, a discount or a surcharge rather than a price: "earn $500",
    /// "deposit $20", "$50 off", "(+50)".
    fn is_pay_or_discount(&self, p: &Parsed) -> bool {
        let first = p.first;
        if first > 0 && self.sym(first - 1) == Some('+') && self.glued(first) {
            return true;
        }
        if self.word(p.last + 1) == Some("off") && !self.new_line(p.last + 1) {
            return true;
        }
        // Up to three words back on the same line: "make up to $1000", "travel fee of $40".
        let mut k = first;
        let mut words = 0;
        while k > 0 && words < 3 && !self.new_line(k) {
            k -= 1;
            match self.tokens[k].kind {
                Kind::Word => {
                    words += 1;
                    if self.word(k).is_some_and(is_not_price_word_before) {
                        return true;
                    }
                }
                Kind::Num(_) => return false,
                // "make your day. 15 min $65": another sentence's verb.
                Kind::Sym('.' | '!' | '?' | ';' | '~' | '|') => return false,
                Kind::Sym(_) => {}
            }
        }
        false
    }

    /// Three or more rising amounts, each alone on its line ("80" / "120" / "200", with a `$`
    /// or decoration at most): a menu written one rate per line without its units. Lines of
    /// measurements or counts do not rise in round steps like rates.
    fn rate_lines(&self, i: usize) -> Option<(Vec<Parsed>, usize)> {
        if !matches!(self.tokens.get(i)?.kind, Kind::Num(_)) || !self.new_line(i) {
            return None;
        }
        let mut items: Vec<Parsed> = Vec::new();
        let mut k = i;
        loop {
            // The line: one amount, with symbols only around it.
            let start = k;
            let mut end = k + 1;
            while end < self.tokens.len() && !self.new_line(end) {
                end += 1;
            }
            let mut amount = None;
            let mut currency = None;
            for t in start..end {
                match self.tokens[t].kind {
                    Kind::Num(v) if amount.is_none() => amount = Some((t, v)),
                    Kind::Sym(c) => {
                        if let Some(cur) = self.currency_symbol(c) {
                            currency = Some(cur);
                        }
                    }
                    _ => {
                        amount = None;
                        break;
                    }
                }
            }
            let Some((at, v)) = amount else { break };
            let rising = items.last().is_none_or(|p| p.amount < v);
            if !rising || !(30.0..=2_000.0).contains(&v) || v % 5.0 != 0.0 {
                break;
            }
            // Symbols glued to the number must not make it a time or a size ("10:30", "5'6").
            if self.number_is_not_money(at) {
                break;
            }
            items.push(Parsed {
                first: start,
                last: end - 1,
                amount_index: at,
                amount: v,
                currency: currency.unwrap_or(self.money.bare),
                unit: Cow::Borrowed("unspecified"),
            });
            if end >= self.tokens.len() {
                break;
            }
            k = end;
        }
        if items.len() < 3 {
            return None;
        }
        let last = items.last().map_or(i, |p| p.last);
        Some((items, last))
    }

    /// A list of bare amounts that a money word makes prices: "Roses 60/100/180", "60-80-100
    /// roses", "60 or 80 special", "Special for today only 100/150/200", and a rising run of
    /// three or more ("40/60/120") that only a menu writes. Each amount is a price with no
    /// unit. `None` when any amount of the list has its own unit (the other parsers read it).
    fn money_list(&self, i: usize) -> Option<(Vec<Parsed>, usize)> {
        let mut currency: Option<&'static str> = None;
        let mut start = i;
        let word_before = self.word(i).filter(|w| {
            is_euphemism(w) || is_special_word(w) || matches!(*w, "rates" | "prices" | "rate")
        });
        if word_before.is_none() {
            // A list that starts at a number needs a second amount right after it: most
            // numbers are alone, and this is answered without reading the run.
            self.num(i)?;
            let next = i + 1;
            let joined = matches!(self.sym(next), Some('/' | '-' | ',' | '&' | '|' | '\\'))
                || matches!(self.word(next), Some("or" | "and"));
            let second = if joined { next + 1 } else { next };
            let second_is_amount = self.num(second).is_some()
                || (joined
                    && self
                        .sym(second)
                        .is_some_and(|c| self.currency_symbol(c).is_some())
                    && self.num(second + 1).is_some());
            if !second_is_amount || self.new_line(second) {
                return None;
            }
        }
        if let Some(w) = word_before {
            if is_euphemism(w) {
                currency = Some(self.money.bare);
            }
            // Fillers between the word and the list: "Special for today only 100/150/200".
            let mut k = i + 1;
            let mut fillers = 0;
            while fillers < 4 && !self.new_line(k) {
                // A spaced " - " is where sites put the age ("Specials - 21"), not a filler.
                let spaced_dash = self.sym(k) == Some('-')
                    && self.tokens[k].gap_before
                    && self.tokens.get(k + 1).is_some_and(|t| t.gap_before);
                let filler = (matches!(self.sym(k), Some(':' | '-' | '=' | '!')) && !spaced_dash)
                    || self.word(k).is_some_and(|w| {
                        matches!(
                            w,
                            "for"
                                | "today"
                                | "only"
                                | "tonight"
                                | "all"
                                | "this"
                                | "week"
                                | "my"
                                | "our"
                                | "incall"
                                | "incalls"
                                | "outcall"
                                | "outcalls"
                                | "are"
                                | "is"
                                | "start"
                                | "starting"
                                | "from"
                                | "at"
                                | "of"
                        )
                    });
                if !filler {
                    break;
                }
                k += 1;
                fillers += 1;
            }
            if self.new_line(k) {
                return None;
            }
            start = k;
        } else if self.num(i).is_none() {
            return None;
        }
        // The run: amounts joined by "/", "-", ",", "&", "or", "and", each with an optional `$`.
        let mut amounts: Vec<(usize, usize)> = Vec::new(); // (first token, amount token)
        // Joined by spaces only ("80 120 200"): then only a rising menu makes them prices.
        let mut spaced = false;
        let mut k = start;
        loop {
            let mut first = k;
            let mut sym_currency = None;
            if let Some(sym) = self.sym(k)
                && let Some(c) = self.currency_symbol(sym)
                && self.num(k + 1).is_some()
            {
                sym_currency = Some(c);
                first = k;
                k += 1;
            }
            let Some(v) = self.num(k) else { break };
            if !(20.0..=20_000.0).contains(&v) || v.fract() != 0.0 {
                return None;
            }
            if sym_currency.is_some() {
                currency = sym_currency;
            }
            amounts.push((first, k));
            let sep = k + 1;
            let joined = matches!(self.sym(sep), Some('/' | '-' | ',' | '&' | '|' | '\\'))
                || matches!(self.word(sep), Some("or" | "and"));
            if joined && !self.new_line(sep) && !self.new_line(sep + 1) {
                let next = sep + 1;
                if self.num(next).is_some()
                    || (self
                        .sym(next)
                        .is_some_and(|c| self.currency_symbol(c).is_some())
                        && self.num(next + 1).is_some())
                {
                    k = next;
                    continue;
                }
            }
            if !joined
                && self.num(sep).is_some()
                && self.tokens[sep].gap_before
                && !self.new_line(sep)
            {
                spaced = true;
                k = sep;
                continue;
            }
            break;
        }
        let &(_, last_amount) = amounts.last()?;
        // The run starts at its first number, not inside a longer group ("36-24-36").
        let a0 = amounts[0].0;
        if a0 >= 2
            && self.glued(a0)
            && matches!(self.sym(a0 - 1), Some('-' | '/' | '.' | ':' | ','))
            && self.glued(a0 - 1)
            && self.num(a0 - 2).is_some()
        {
            return None;
        }
        // Each amount of the list must be a bare number: no unit, time, size or phone part.
        for &(_, a) in &amounts {
            if self.unit_after(a + 1).is_some() {
                return None;
            }
            // A word glued after it must be money or the start of the next sentence
            // ("100/150/200Beautiful"), not a size or unit ("34C", "60min").
            if self.glued(a + 1)
                && self.tokens.get(a + 1).is_some_and(|t| t.kind == Kind::Word)
                && !self.word(a + 1).is_some_and(|w| {
                    is_euphemism(w)
                        || is_special_word(w)
                        || self.currency_word(w).is_some()
                        || (w.len() >= 4 && !is_non_money_suffix(w) && !is_minute_word(w))
                })
            {
                return None;
            }
        }
        if self.unit_after(last_amount + 1).is_some() {
            return None;
        }
        let mut last = last_amount;
        let after = last_amount + 1;
        let mut word_after = None;
        if !self.new_line(after) {
            let mut a = after;
            if self.sym(a) == Some('!') {
                a += 1;
            }
            if let Some(sym) = self.sym(a)
                && let Some(c) = self.currency_symbol(sym)
                && amounts.len() >= 2
            {
                currency = Some(c);
                last = a;
                a += 1;
            }
            if let Some(w) = self.word(a)
                && !self.new_line(a)
            {
                if is_special_word(w) {
                    word_after = Some(a);
                } else if let Some(c) = self.currency_word(w) {
                    currency = Some(c);
                    word_after = Some(a);
                }
            }
        }
        if let Some(a) = word_after {
            last = a;
        }
        let values: Vec<f64> = amounts.iter().filter_map(|&(_, a)| self.num(a)).collect();
        // Menus list their rates rising ("60/80/100"); "36-24-36" is a measurement.
        if values.windows(2).any(|w| w[0] > w[1]) {
            return None;
        }
        let has_money_word = word_before.is_some() || word_after.is_some();
        let rising_menu = values.len() >= 3
            && values.windows(2).all(|w| w[0] < w[1])
            && values
                .iter()
                .all(|v| (30.0..=2_000.0).contains(v) && v % 5.0 == 0.0)
            && amounts.windows(2).all(|w| {
                matches!(self.sym(w[0].1 + 1), Some('/' | '-'))
                    || self
                        .sym(w[1].0)
                        .is_some_and(|c| self.currency_symbol(c).is_some())
                    || (w[0].1 + 1 == w[1].0 && self.tokens[w[1].0].gap_before)
            });
        let needed = if word_before.is_some() { 1 } else { 2 };
        if !(has_money_word && amounts.len() >= needed && !spaced || rising_menu) {
            return None;
        }
        // A single amount after "rates"/"roses" is the amount-first parser's ("Roses: 180
        // per hour" has its unit); lists and specials are read here.
        if amounts.len() == 1
            && word_before.is_some_and(|w| !is_special_word(w))
            && word_after.is_none()
        {
            return None;
        }
        // A rising run must not be part of a longer digit group (a date, a phone number).
        if !has_money_word && self.number_is_not_money(amounts[0].1) && self.num(i).is_some() {
            let a = amounts[0].1;
            if a > 0 && self.glued(a) && self.tokens[a - 1].kind == Kind::Word {
                return None;
            }
        }
        let currency = currency.unwrap_or(self.money.bare);
        let items = amounts
            .iter()
            .enumerate()
            .map(|(n, &(first, a))| Parsed {
                first: if n == 0 { i.min(first) } else { first },
                last: if n + 1 == amounts.len() { last } else { a },
                amount_index: a,
                amount: self.num(a).unwrap_or_default(),
                currency,
                unit: Cow::Borrowed("unspecified"),
            })
            .collect();
        Some((items, last))
    }
}

/// Currency codes that say which dollar a `$` amount is in.
fn dollar_code(word: &str) -> Option<&'static str> {
    Some(match word {
        "usd" => "USD",
        "cad" => "CAD",
        "aud" => "AUD",
        "nzd" => "NZD",
        "mxn" => "MXN",
        "sgd" => "SGD",
        "hkd" => "HKD",
        _ => return None,
    })
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

    fn prices_in(text: &str, country: &str) -> Vec<(f64, String, String)> {
        let norm = normalize(text);
        let ft = FieldText::new(text, &norm, Field::Body);
        PriceFinder::new()
            .unwrap()
            .find_with(&ft, LocalMoney::for_country(Some(country)))
            .into_iter()
            .map(|p| (p.amount, p.currency, p.unit))
            .collect()
    }

    fn usd(amount: f64, unit: &str) -> (f64, String, String) {
        (amount, "USD".into(), unit.into())
    }

    #[test]
    fn unit_before_amount_and_glued_forms() {
        assert_eq!(
            prices("SS*$70, HHR*$100, HR*$150"),
            vec![usd(70.0, "qv"), usd(100.0, "hh"), usd(150.0, "hr")]
        );
        assert_eq!(prices("Hh 100"), vec![usd(100.0, "hh")]);
        assert_eq!(prices("qk-60"), vec![usd(60.0, "qv")]);
        assert_eq!(prices("HR: 150"), vec![usd(150.0, "hr")]);
        assert_eq!(prices("15 min $50"), vec![usd(50.0, "15min")]);
        assert_eq!(prices("50$ss"), vec![usd(50.0, "qv")]);
        assert_eq!(
            prices("100$hf 180/hr"),
            vec![usd(100.0, "hh"), usd(180.0, "hr")]
        );
        assert_eq!(
            prices("$60 for qukie $80 for thirty minutes n $100 for an hour"),
            vec![usd(60.0, "qv"), usd(80.0, "30min"), usd(100.0, "hr")]
        );
        assert_eq!(
            prices("15MiNS?($50)?? 30MiNS?($100)?? HR?($150)"),
            vec![usd(50.0, "15min"), usd(100.0, "30min"), usd(150.0, "hr")]
        );
        assert_eq!(
            prices("$60qv$100hhr$160hrOvernight$800"),
            vec![
                usd(60.0, "qv"),
                usd(100.0, "hh"),
                usd(160.0, "hr"),
                usd(800.0, "overnight")
            ]
        );
        assert_eq!(prices("150 hf hr"), vec![usd(150.0, "hh")]);
        assert_eq!(prices("200 full hr"), vec![usd(200.0, "hr")]);
        assert_eq!(prices("1H 250 roses"), vec![usd(250.0, "hr")]);
        assert_eq!(
            prices("$40 quick stop $60 hh"),
            vec![usd(40.0, "qv"), usd(60.0, "hh")]
        );
        assert_eq!(
            prices("30 MINUTOS POR 25 DOLARES"),
            vec![usd(25.0, "30min")]
        );
    }

    /// Families read in the `dev2` real ads (2026-12-04), each written here in our own words.
    #[test]
    fn special_offers_glued_units_and_minutes_abbreviated() {
        // A misspelt quickie before "special".
        assert_eq!(prices("75$$ qwk deal tonight"), vec![usd(75.0, "qv")]);
        // The unit before the amount with "special" between them.
        assert_eq!(
            prices("*** OVER NITE SPECIAL $900 ***"),
            vec![usd(900.0, "overnight")]
        );
        assert_eq!(
            prices("ALL DAY & NIGHT SPECIALS $60"),
            vec![usd(60.0, "unspecified")]
        );
        // Minutes written "m" after a slash, two rates in brackets.
        assert_eq!(
            prices("any time (90/30m, 150/60m) call"),
            vec![usd(90.0, "30min"), usd(150.0, "hr")]
        );
        // A menu glued to the word before it.
        assert_eq!(
            prices("duo special250/hhr/350/hr no rush"),
            vec![usd(250.0, "hh"), usd(350.0, "hr")]
        );
        // "specials" with a dollar sign for its s, then the amount after a star.
        assert_eq!(
            prices("hot $pecials *70 call now"),
            vec![usd(70.0, "unspecified")]
        );
        // An amount and its dollar sign glued to the next word.
        assert_eq!(
            prices("90$Latina mami here"),
            vec![usd(90.0, "unspecified")]
        );
        // Hours written with a count inside a bracketed menu.
        assert_eq!(
            prices("$$(150-hh)(250-hr)(900-10hrs)$$"),
            vec![usd(150.0, "hh"), usd(250.0, "hr"), usd(900.0, "600min")]
        );
        // "special" after the amount, with or without a space, abbreviated.
        assert_eq!(
            prices("sweet 70 Special today"),
            vec![usd(70.0, "unspecified")]
        );
        assert_eq!(prices("BBW 90 spl.INCALL"), vec![usd(90.0, "unspecified")]);
        assert_eq!(prices("Morning $45 Spls"), vec![usd(45.0, "unspecified")]);
    }

    #[test]
    fn a_unit_pairs_with_the_amount_on_its_own_line() {
        assert_eq!(
            prices("15min-50\n30min-80\nHR: 150"),
            vec![usd(50.0, "15min"), usd(80.0, "30min"), usd(150.0, "hr")]
        );
        assert_eq!(
            prices("qk 60\nhh 100\nhr 160"),
            vec![usd(60.0, "qv"), usd(100.0, "hh"), usd(160.0, "hr")]
        );
        assert_eq!(
            prices("Hh 100\nHr 150"),
            vec![usd(100.0, "hh"), usd(150.0, "hr")]
        );
        // An amount alone on its line keeps no unit from the next line.
        assert_eq!(prices("$80\nhr"), vec![usd(80.0, "unspecified")]);
    }

    #[test]
    fn bare_amounts_next_to_a_money_word_are_prices_without_a_unit() {
        let none = |v: &[f64]| v.iter().map(|a| usd(*a, "unspecified")).collect::<Vec<_>>();
        assert_eq!(prices("60-80-100 roses. Call"), none(&[60.0, 80.0, 100.0]));
        assert_eq!(prices("Roses 60/100/180"), none(&[60.0, 100.0, 180.0]));
        assert_eq!(prices("60/100 specials"), none(&[60.0, 100.0]));
        assert_eq!(prices("ready 60 or 80 special"), none(&[60.0, 80.0]));
        assert_eq!(prices("Monday 100 Special 5-10pm"), none(&[100.0]));
        assert_eq!(
            prices("Special for today only 100/150/200"),
            none(&[100.0, 150.0, 200.0])
        );
        assert_eq!(prices("rates 40/60/120"), none(&[40.0, 60.0, 120.0]));
        assert_eq!(
            prices("desires... 510 2 55 o216 80 120 200......... Want"),
            none(&[80.0, 120.0, 200.0])
        );
        assert!(prices("Outcalls 24hrs every Tuesday").is_empty());
        assert_eq!(prices("Incall 150, outcall 200"), none(&[150.0, 200.0]));
        assert_eq!(prices("menu: 40/60/120 call"), none(&[40.0, 60.0, 120.0]));
        assert_eq!(prices("70 specials:)"), none(&[70.0]));
        // Not a list of prices: measurements, times, a date.
        for text in [
            "36-24-36 roses",
            "24/7 specials",
            "born 12/25/1990",
            "34-26-38",
        ] {
            assert!(prices(text).is_empty(), "{text}: {:?}", prices(text));
        }
    }

    #[test]
    fn currency_follows_the_ads_country() {
        assert_eq!(
            prices_in("160Hours outcall", "CA"),
            vec![(160.0, "CAD".into(), "hr".into())]
        );
        assert_eq!(
            prices_in("$200/hr", "AU"),
            vec![(200.0, "AUD".into(), "hr".into())]
        );
        assert_eq!(
            prices_in("300 roses", "MX"),
            vec![(300.0, "MXN".into(), "unspecified".into())]
        );
        // A `$` in a country whose money is not written with `$` stays a US dollar; the
        // country's own symbol or code wins.
        assert_eq!(
            prices_in("$100 hh, 5000 rs hr", "IN"),
            vec![
                (100.0, "USD".into(), "hh".into()),
                (5000.0, "INR".into(), "hr".into())
            ]
        );
        assert_eq!(
            prices_in("₹4000 for 1 hour", "IN"),
            vec![(4000.0, "INR".into(), "hr".into())]
        );
        assert_eq!(
            prices_in("150 pounds an hour", "GB"),
            vec![(150.0, "GBP".into(), "hr".into())]
        );
        assert_eq!(
            prices("C$200 per hour"),
            vec![(200.0, "CAD".into(), "hr".into())]
        );
        assert_eq!(
            prices("R$ 300 hr"),
            vec![(300.0, "BRL".into(), "hr".into())]
        );
        // An explicit USD stays USD in Canada.
        assert_eq!(
            prices_in("$150 USD/hr", "CA"),
            vec![(150.0, "USD".into(), "hr".into())]
        );
    }

    #[test]
    fn per_hour_is_stated_only_where_the_unit_has_a_length() {
        assert_eq!(per_hour(100.0, "hr"), Some(100.0));
        assert_eq!(per_hour(80.0, "hh"), Some(160.0));
        assert_eq!(per_hour(300.0, "2hr"), Some(150.0));
        assert_eq!(per_hour(50.0, "15min"), Some(200.0));
        assert_eq!(per_hour(90.0, "45min"), Some(120.0));
        for unit in ["qv", "overnight", "day", "unspecified"] {
            assert_eq!(per_hour(100.0, unit), None, "{unit}");
        }
        let norm = normalize("80hh");
        let ft = FieldText::new("80hh", &norm, Field::Body);
        assert_eq!(
            PriceFinder::new().unwrap().find(&ft)[0].per_hour,
            Some(160.0)
        );
    }

    #[test]
    fn pay_deposits_and_discounts_are_not_prices() {
        for text in [
            "earn $500 a day",
            "make up to $1000 per night",
            "deposit $20 required",
            "$50 off your first hour",
            "travel fee $40",
            "(+50) for outcall",
            "Disc $5",
            "I'm 24, black, 125 pounds, perky",
        ] {
            assert!(prices(text).is_empty(), "{text}: {:?}", prices(text));
        }
    }

    #[test]
    fn job_word_index_matches_the_list() {
        for (k, w) in JOB_WORDS.iter().enumerate() {
            assert_eq!(job_word_index(w.as_bytes()), Some(k), "{w}");
        }
        assert_eq!(job_word_index(b"roses"), None);
        assert!(JOB_WORDS.len() <= 64, "the seen-set is a u64");
        assert!(
            job_word_index(b"hourly").is_none(),
            "escort ads give hourly rates"
        );
    }

    /// `is_job_posting` before the first- and last-byte tables: every word of 3 to 16 bytes
    /// lower-cased and compared.
    fn is_job_posting_reference(texts: &[&str], url: Option<&str>) -> bool {
        if let Some(u) = url {
            let path = u.split_once("://").map_or(u, |(_, rest)| rest);
            let path = path.split(['?', '#']).next().unwrap_or("");
            if path
                .split('/')
                .skip(1)
                .any(|seg| seg.len() >= 4 && seg.to_ascii_lowercase().ends_with("jobs"))
            {
                return true;
            }
        }
        let mut seen: u64 = 0;
        let mut buf = [0u8; 16];
        for text in texts {
            let bytes = text.as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                if !bytes[i].is_ascii_alphanumeric() {
                    i += 1;
                    continue;
                }
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'-') {
                    i += 1;
                }
                let len = i - start;
                if !(3..=16).contains(&len) {
                    continue;
                }
                for (b, o) in bytes[start..i].iter().zip(buf.iter_mut()) {
                    *o = b.to_ascii_lowercase();
                }
                if let Some(k) = job_word_index(&buf[..len]) {
                    seen |= 1 << k;
                    if seen.count_ones() >= 3 {
                        return true;
                    }
                }
            }
        }
        false
    }

    /// Pieces for the job-posting comparison: every hiring word in several cases and with
    /// its neighbours in length and letters, separators and escort-ad words.
    fn job_pieces() -> Vec<String> {
        let mut pieces: Vec<String> = Vec::new();
        for w in JOB_WORDS {
            pieces.push(w.to_string());
            pieces.push(w.to_ascii_uppercase());
            let mut title = w.to_string();
            title[..1].make_ascii_uppercase();
            pieces.push(title);
            pieces.push(format!("{w}s"));
            pieces.push(w[1..].to_string());
            pieces.push(w[..w.len() - 1].to_string());
        }
        for p in [
            " ",
            "  ",
            "-",
            ", ",
            ".",
            "\n",
            "$",
            "100",
            "hr",
            "roses",
            "incall",
            "jobs",
            "é",
            "x",
            "401",
            "k",
            "full",
            "time",
            "part",
            "we are",
            "apply now",
        ] {
            pieces.push(p.to_string());
        }
        pieces
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        #[test]
        fn job_posting_test_equals_the_reference(
            picks in proptest::collection::vec((0..1000usize, 0..6usize), 0..30),
            split in 0..30usize,
            url in proptest::option::of(proptest::sample::select(vec![
                "http://raleigh.backpage.com/FemaleEscorts/new-22/1",
                "http://x.backpage.com/SalesJobs/a/1",
                "https://site.example/JOBS?q=1",
            ])),
        ) {
            let pieces = job_pieces();
            // Mostly whole words between separators, sometimes glued together.
            let separators = [" ", " ", ", ", "\n", "-", ""];
            let text: String = picks
                .iter()
                .flat_map(|&(i, s)| [pieces[i % pieces.len()].as_str(), separators[s]])
                .collect();
            let cut = (0..=split.min(text.len())).rev().find(|&c| text.is_char_boundary(c)).unwrap_or(0);
            let texts = [&text[..cut], &text[cut..]];
            proptest::prop_assert_eq!(
                is_job_posting(&texts, url),
                is_job_posting_reference(&texts, url),
                "{:?}", texts
            );
        }
    }

    /// On the generated ads (which hold no job posting: every answer is `false`, so this
    /// checks that no hiring-word shape is rejected by mistake where the words are absent,
    /// and the property test above covers the postings).
    #[test]
    fn job_posting_test_equals_the_reference_on_generated_ads() {
        for seed in [1, 7] {
            let cfg = plainsight_corpus::CorpusConfig {
                ads: 1500,
                seed,
                ..plainsight_corpus::CorpusConfig::default()
            };
            for (ad, _) in plainsight_corpus::generate(&cfg) {
                let texts: Vec<&str> = [ad.title.as_deref(), ad.body.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect();
                assert_eq!(
                    is_job_posting(&texts, ad.url.as_deref()),
                    is_job_posting_reference(&texts, ad.url.as_deref())
                );
            }
        }
    }

    #[test]
    fn job_postings_are_recognised() {
        assert!(is_job_posting(
            &["Competitive salary and benefits. Apply today, full-time and part-time shifts."],
            None
        ));
        assert!(is_job_posting(
            &["Retail associate $13.50 to $22.50"],
            Some("http://asheville.backpage.com/SalesJobs/sales-associate/19354521")
        ));
        assert!(!is_job_posting(
            &["New in town! 150hh 250hr, incall and outcall, many positions"],
            Some("http://raleigh.backpage.com/FemaleEscorts/new-in-town-22/123456")
        ));
    }

    #[test]
    fn a_written_currency_never_makes_zero_a_price() {
        // Found by the `prices_ages` fuzz target: a unit, `$` and 0 gave a price of 0.
        for text in ["SS$0$0A", "qv $0", "hh: $0.00", "hr $0 $0"] {
            assert!(
                prices(text).iter().all(|(amount, _, _)| *amount > 0.0),
                "{text}: {:?}",
                prices(text)
            );
        }
        assert_eq!(one("SS$70"), (70.0, "USD".into(), "qv".into()));
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
            "I'm 5'4 and 120lbs",
            "open 10pm to 4am",
            "since 2012",
            "36-24-36",
            "34C",
            "Exit 22 off I-95",
        ] {
            assert!(prices(text).is_empty(), "{text}: {:?}", prices(text));
        }
    }
}
