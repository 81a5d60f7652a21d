//! Reading the timestamps scrapers write, in every common form, into one UTC instant.
//!
//! Forms (`docs/ad-format.md`, "Dates", is the public list): RFC 3339 and ISO 8601 with or
//! without an offset (`T` or space, with or without seconds and fractions, basic `20131205T2223`
//! too), numeric dates month-first or day-first (`12/05/2013 10:23 PM`, `05.12.2013 22:23`),
//! month names in English and the main Western European languages (`Dec 5, 2013 10:23pm`,
//! `5 December 2013`, `5. Dezember 2013`), RFC 2822 (`Thu, 05 Dec 2013 22:23:00 GMT`), the
//! C `asctime` form, epoch seconds, milliseconds and microseconds (with a range check, so a
//! record number is not read as 1970), and relative times (`posted 3 hours ago`, `yesterday at
//! 10:23 pm`, `just now`) read against the crawl time.
//!
//! A time without an offset is local time of the site when its zone is known
//! ([`DateContext::zone`]), else UTC. A date without a time is midnight of that day. A date
//! without a year (`Dec 5 10:23pm`, as many sites show this year's posts) takes the latest year
//! that does not put it after the crawl time, and needs a crawl time.
//!
//! Written by hand as a small tokenizer and a grammar over its tokens rather than as a list of
//! `strftime` patterns: the pieces (date, time of day, am/pm, zone) come in many orders and
//! spellings, and a pattern list can only ever cover the spellings someone thought of.

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, Months, NaiveDate, NaiveDateTime, NaiveTime,
    Offset as _, TimeZone, Utc,
};
use chrono_tz::Tz;

/// Earliest instant accepted from any form: 1 January 1990. Online classifieds began in the
/// mid-1990s, so anything earlier is an id, a price or a typo, not a post date.
pub const EARLIEST: i64 = 631_152_000;
/// Latest instant accepted: 1 January 2100.
pub const LATEST: i64 = 4_102_444_800;

/// What is known about the record beyond the date string itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DateContext {
    /// The site's time zone, for times written without an offset. `None`: UTC.
    pub zone: Option<Tz>,
    /// Numeric dates with slashes or hyphens are day first (`05/12/2013` is 5 December), as
    /// most of the world writes them; `false` reads them month first, as in the US. Either
    /// way a first number over 12 can only be a day.
    pub day_first: bool,
    /// When the page was captured: the anchor of relative times and of dates without a year.
    pub crawled_at: Option<DateTime<Utc>>,
}

/// Why a date could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("not a date or time in any form Plainsight reads")]
    Unreadable,
    #[error("a relative time or a date without a year needs the crawl time, and there is none")]
    NeedsCrawlTime,
    #[error("not a possible calendar date or time of day")]
    Impossible,
    #[error("outside the accepted range (1990 to 2100)")]
    OutOfRange,
}

/// Read one date string. Surrounding white space and quotes are ignored.
pub fn parse_timestamp(value: &str, ctx: &DateContext) -> Result<DateTime<Utc>, DateError> {
    let v = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    if v.is_empty() {
        return Err(DateError::Unreadable);
    }
    // The commonest form first, without tokenising.
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return in_range(t.with_timezone(&Utc));
    }
    if let Some(t) = parse_epoch_text(v) {
        return t;
    }
    let tokens = tokenize(v).ok_or(DateError::Unreadable)?;
    let tokens = without_lead_words(&tokens);
    if let Some(result) = parse_relative(tokens, ctx) {
        return result;
    }
    let parts = parse_absolute(tokens)?;
    resolve(parts, ctx)
}

/// Read an epoch number: seconds, milliseconds or microseconds since 1970, told apart by size
/// (the three accepted ranges do not overlap). Fractions are kept.
pub fn parse_epoch(value: f64) -> Result<DateTime<Utc>, DateError> {
    if !value.is_finite() || value <= 0.0 {
        return Err(DateError::OutOfRange);
    }
    let (earliest, latest) = (EARLIEST as f64, LATEST as f64);
    let seconds = [1.0, 1e3, 1e6]
        .into_iter()
        .map(|scale| value / scale)
        .find(|s| (earliest..latest).contains(s))
        .ok_or(DateError::OutOfRange)?;
    let whole = seconds.floor();
    let nanos = ((seconds - whole) * 1e9).round().min(999_999_999.0) as u32;
    DateTime::from_timestamp(whole as i64, nanos).ok_or(DateError::OutOfRange)
}

/// Epoch digits (with an optional fraction) written as text, read exactly (no floating
/// point, so milliseconds stay milliseconds).
fn parse_epoch_text(v: &str) -> Option<Result<DateTime<Utc>, DateError>> {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    // 8 and 14 digits are compact calendar forms (YYYYMMDD, YYYYMMDDHHMMSS), never epochs in
    // range. 12 digits are milliseconds before September 2001 or YYYYMMDDHHMM: the two
    // ranges do not meet (YYYY.. is below 2.2e11, milliseconds since 1990 above 6.3e11).
    let compact_length = matches!(int.len(), 8 | 12 | 14);
    if frac.is_empty() && matches!(int.len(), 8 | 14) {
        return None;
    }
    let int = int.trim_start_matches('0');
    if int.len() > 18 {
        return Some(Err(DateError::OutOfRange));
    }
    let value: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    // Seconds, milliseconds or microseconds: whichever puts the value in range.
    for (scale, unit_nanos) in [
        (1i64, 1_000_000_000i64),
        (1_000, 1_000_000),
        (1_000_000, 1_000),
    ] {
        let seconds = value / scale;
        if (EARLIEST..LATEST).contains(&seconds) {
            let mut nanos = (value % scale) * unit_nanos;
            // The written fraction is of the unit (a fraction of a millisecond for milliseconds).
            let mut place = unit_nanos;
            for b in frac.bytes() {
                place /= 10;
                if place == 0 {
                    break;
                }
                nanos += i64::from(b - b'0') * place;
            }
            return Some(
                DateTime::from_timestamp(seconds, nanos as u32).ok_or(DateError::OutOfRange),
            );
        }
    }
    if compact_length && frac.is_empty() {
        return None;
    }
    Some(Err(DateError::OutOfRange))
}

fn in_range(t: DateTime<Utc>) -> Result<DateTime<Utc>, DateError> {
    if (EARLIEST..LATEST).contains(&t.timestamp()) {
        Ok(t)
    } else {
        Err(DateError::OutOfRange)
    }
}

// ---------------------------------------------------------------------------------------------
// Tokens.
// ---------------------------------------------------------------------------------------------

/// Longest date string looked at; scrapers' dates are short, anything longer is not one.
const MAX_DATE_LEN: usize = 200;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// A run of ASCII digits.
    Num(String),
    /// A run of letters, lower-cased.
    Word(String),
    /// Any other character (white space is dropped but marks the next token).
    Punct(char),
}

#[derive(Debug, Clone, PartialEq)]
struct Token {
    tok: Tok,
    /// White space came right before this token.
    spaced: bool,
}

fn tokenize(v: &str) -> Option<Vec<Token>> {
    if v.len() > MAX_DATE_LEN {
        return None;
    }
    let mut tokens: Vec<Token> = Vec::new();
    let mut spaced = false;
    let mut chars = v.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            spaced = true;
            continue;
        }
        let tok = if c.is_ascii_digit() {
            let mut s = String::from(c);
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                s.push(d);
                chars.next();
            }
            Tok::Num(s)
        } else if c.is_alphabetic() {
            let mut s: String = c.to_lowercase().collect();
            while let Some(&d) = chars.peek().filter(|d| d.is_alphabetic()) {
                s.extend(d.to_lowercase());
                chars.next();
            }
            Tok::Word(s)
        } else {
            // The Unicode minus sign stands for a hyphen in offsets.
            Tok::Punct(if c == '\u{2212}' { '-' } else { c })
        };
        tokens.push(Token { tok, spaced });
        spaced = false;
    }
    Some(tokens)
}

// ---------------------------------------------------------------------------------------------
// Relative times.
// ---------------------------------------------------------------------------------------------

/// Words that may lead a date without changing it ("Posted: 3 hours ago", "Date: ...").
const LEAD_WORDS: &[&str] = &[
    "posted",
    "post",
    "date",
    "added",
    "created",
    "updated",
    "published",
    "submitted",
    "listed",
    "on",
    "about",
    "approximately",
    "approx",
    "over",
    "almost",
    "nearly",
];

/// The tokens after leading label words and colons ("Posted:", "Date:", "about").
fn without_lead_words(tokens: &[Token]) -> &[Token] {
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i].tok {
            Tok::Word(w) if LEAD_WORDS.contains(&w.as_str()) => i += 1,
            Tok::Punct(':') => i += 1,
            _ => break,
        }
    }
    &tokens[i..]
}

/// Read "3 hours ago", "yesterday at 10:23 pm", "just now" ... `None` when the tokens are not a
/// relative time at all (so the absolute grammar is tried).
fn parse_relative(rest: &[Token], ctx: &DateContext) -> Option<Result<DateTime<Utc>, DateError>> {
    let words: Vec<&str> = rest
        .iter()
        .map(|t| match &t.tok {
            Tok::Word(w) => w.as_str(),
            _ => "",
        })
        .collect();
    let crawl = |f: &dyn Fn(DateTime<Utc>) -> Result<DateTime<Utc>, DateError>| {
        Some(ctx.crawled_at.ok_or(DateError::NeedsCrawlTime).and_then(f))
    };
    // "just now", "now", "a moment ago", "moments ago", "seconds ago", "a few seconds ago".
    let just_now: &[&[&str]] = &[
        &["now"],
        &["just", "now"],
        &["right", "now"],
        &["a", "moment", "ago"],
        &["moments", "ago"],
        &["seconds", "ago"],
        &["a", "few", "seconds", "ago"],
        &["few", "seconds", "ago"],
    ];
    if rest.iter().all(|t| matches!(t.tok, Tok::Word(_))) && just_now.contains(&&words[..]) {
        return crawl(&Ok);
    }
    // "today" / "yesterday" [at] [time].
    if let Some(first) = words.first() {
        let days_back = match *first {
            "today" | "tonight" => Some(0),
            "yesterday" => Some(1),
            _ => None,
        };
        if let Some(days_back) = days_back {
            return Some(day_relative(&rest[1..], days_back, ctx));
        }
    }
    // "N unit [N unit ...] ago", "an hour ago", "3h ago", "2 hrs, 5 mins ago".
    if words.last() != Some(&"ago") {
        return None;
    }
    let body = &rest[..rest.len() - 1];
    let mut total = Duration::zero();
    let mut months = 0u32;
    let mut j = 0;
    let mut any = false;
    while j < body.len() {
        let count: i64 = match &body[j].tok {
            Tok::Num(n) => n.parse().ok()?,
            Tok::Word(w) if w == "a" || w == "an" || w == "one" => 1,
            Tok::Word(w) => small_number(w)?,
            Tok::Punct(',') => {
                j += 1;
                continue;
            }
            Tok::Punct(_) => return None,
        };
        j += 1;
        let unit = match body.get(j).map(|t| &t.tok) {
            Some(Tok::Word(w)) => w.as_str(),
            _ => return None,
        };
        j += 1;
        if body.get(j).map(|t| &t.tok) == Some(&Tok::Word("and".into())) {
            j += 1;
        }
        // Bounded so that arithmetic cannot overflow: nobody writes "900000 years ago".
        if !(0..=100_000).contains(&count) {
            return Some(Err(DateError::OutOfRange));
        }
        match unit {
            "s" | "sec" | "secs" | "second" | "seconds" => total += Duration::seconds(count),
            "m" | "min" | "mins" | "minute" | "minutes" | "mn" => total += Duration::minutes(count),
            "h" | "hr" | "hrs" | "hour" | "hours" => total += Duration::hours(count),
            "d" | "day" | "days" => total += Duration::days(count),
            "w" | "wk" | "wks" | "week" | "weeks" => total += Duration::weeks(count),
            "mo" | "mos" | "month" | "months" => months += count as u32,
            "y" | "yr" | "yrs" | "year" | "years" => months += 12 * count as u32,
            _ => return None,
        }
        any = true;
    }
    if !any {
        return None;
    }
    crawl(&|at| {
        at.checked_sub_months(Months::new(months))
            .and_then(|t| t.checked_sub_signed(total))
            .ok_or(DateError::OutOfRange)
            .and_then(in_range)
    })
}

fn small_number(w: &str) -> Option<i64> {
    const WORDS: [&str; 12] = [
        "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "thirteen",
    ];
    if w == "couple" {
        return Some(2);
    }
    WORDS.iter().position(|x| *x == w).map(|p| p as i64 + 2)
}

/// "today"/"yesterday" followed by nothing, or by `[at] time`: that day in the site's zone.
fn day_relative(
    rest: &[Token],
    days_back: u64,
    ctx: &DateContext,
) -> Result<DateTime<Utc>, DateError> {
    let crawled = ctx.crawled_at.ok_or(DateError::NeedsCrawlTime)?;
    let local_day = match ctx.zone {
        Some(tz) => crawled.with_timezone(&tz).date_naive(),
        None => crawled.date_naive(),
    };
    let day = local_day
        .checked_sub_days(chrono::Days::new(days_back))
        .ok_or(DateError::OutOfRange)?;
    let mut parts = if rest.is_empty() {
        Parts::default()
    } else {
        parse_absolute_pieces(rest, true)?
    };
    if parts.date.is_some() || parts.month.is_some() || parts.day.is_some() || parts.year.is_some()
    {
        return Err(DateError::Unreadable);
    }
    parts.date = Some(day);
    resolve(parts, ctx)
}

// ---------------------------------------------------------------------------------------------
// Absolute dates.
// ---------------------------------------------------------------------------------------------

/// A time of day: hour, minute, second, nanosecond.
type TimeOfDay = (u32, u32, u32, u32);

/// The pieces of an absolute date found in the tokens.
#[derive(Debug, Default, Clone)]
struct Parts {
    /// A full date from a numeric form (`2013-12-05`, `12/05/2013`).
    date: Option<NaiveDate>,
    /// Pieces of a date written with a month name.
    month: Option<u32>,
    day: Option<u32>,
    year: Option<i32>,
    time: Option<TimeOfDay>,
    /// `Some(true)` for pm.
    pm: Option<bool>,
    /// An explicit offset east of UTC, in seconds.
    offset: Option<i32>,
    /// Numeric date pieces whose order depends on the day-first setting.
    ambiguous: Option<(u32, u32, i32)>,
}

fn parse_absolute(tokens: &[Token]) -> Result<Parts, DateError> {
    let parts = parse_absolute_pieces(tokens, false)?;
    if parts.date.is_none() && parts.month.is_none() && parts.ambiguous.is_none() {
        return Err(DateError::Unreadable);
    }
    Ok(parts)
}

/// Filler words between the pieces of a date ("Thursday, the 5th of December 2013 at 10pm",
/// "5 de diciembre de 2013 a las 22:23", "5. Dezember 2013 um 22:23").
const FILLER_WORDS: &[&str] = &[
    "at", "on", "of", "the", "de", "del", "a", "las", "la", "um", "à", "le", "el", "om", "alle",
    "ore", "às", "h", "uhr",
];

fn parse_absolute_pieces(tokens: &[Token], time_only: bool) -> Result<Parts, DateError> {
    let mut p = Parts::default();
    let mut i = 0;
    let num = |i: usize| match tokens.get(i).map(|t| &t.tok) {
        Some(Tok::Num(n)) => Some(n.as_str()),
        _ => None,
    };
    let punct = |i: usize| match tokens.get(i).map(|t| &t.tok) {
        Some(Tok::Punct(c)) => Some(*c),
        _ => None,
    };
    let word = |i: usize| match tokens.get(i).map(|t| &t.tok) {
        Some(Tok::Word(w)) => Some(w.as_str()),
        _ => None,
    };
    let spaced = |i: usize| tokens.get(i).is_some_and(|t| t.spaced);
    let set_once = |slot: &mut Option<u32>, v: u32| -> Result<(), DateError> {
        if slot.replace(v).is_some() {
            return Err(DateError::Unreadable);
        }
        Ok(())
    };
    while i < tokens.len() {
        // A time of day: H:MM[:SS[.frac]].
        if let (Some(h), Some(':'), Some(m)) = (num(i), punct(i + 1), num(i + 2))
            && h.len() <= 2
            && m.len() == 2
        {
            if p.time.is_some() {
                return Err(DateError::Unreadable);
            }
            let (hour, minute) = (h.parse::<u32>().ok(), m.parse::<u32>().ok());
            let (Some(hour), Some(minute)) = (hour, minute) else {
                return Err(DateError::Unreadable);
            };
            i += 3;
            let mut second = 0;
            let mut nanos = 0;
            if let (Some(':'), Some(s)) = (punct(i), num(i + 1))
                && s.len() == 2
                && !spaced(i)
            {
                second = s.parse().map_err(|_| DateError::Unreadable)?;
                i += 2;
                if let (Some('.' | ','), Some(f)) = (punct(i), num(i + 1))
                    && !spaced(i)
                    && !spaced(i + 1)
                {
                    nanos = fraction_nanos(f);
                    i += 2;
                }
            }
            p.time = Some((hour, minute, second, nanos));
            // An offset or `Z` glued to the time (`22:23:00-05:00`, `22:23Z`).
            i = parse_offset_after_time(tokens, i, &mut p)?;
            continue;
        }
        match &tokens[i].tok {
            Tok::Num(n) => {
                if time_only {
                    // Only "10pm" style hours are possible here.
                    i = hour_with_meridiem(tokens, i, &mut p)?;
                    continue;
                }
                // Numeric dates: Y-M-D, or two small numbers and a year in either order.
                if let (Some(sep @ ('-' | '/' | '.')), Some(b), Some(sep2), Some(c)) =
                    (punct(i + 1), num(i + 2), punct(i + 3), num(i + 4))
                    && sep == sep2
                    && !spaced(i + 1)
                    && !spaced(i + 2)
                    && !spaced(i + 3)
                    && !spaced(i + 4)
                    && p.date.is_none()
                    && p.ambiguous.is_none()
                    && b.len() <= 2
                {
                    let (a_val, b_val, c_val) = (
                        n.parse::<i64>().map_err(|_| DateError::Unreadable)?,
                        b.parse::<u32>().map_err(|_| DateError::Unreadable)?,
                        c.parse::<i64>().map_err(|_| DateError::Unreadable)?,
                    );
                    if n.len() == 4 && c.len() <= 2 {
                        p.date = Some(
                            NaiveDate::from_ymd_opt(a_val as i32, b_val, c_val as u32)
                                .ok_or(DateError::Impossible)?,
                        );
                    } else if n.len() <= 2 && (c.len() == 4 || c.len() == 2) {
                        let year = full_year(c_val as i32, c.len());
                        if sep == '.' {
                            // Dots are day first wherever they are used (de, ru, pl, ...).
                            p.date = Some(
                                NaiveDate::from_ymd_opt(year, b_val, a_val as u32)
                                    .ok_or(DateError::Impossible)?,
                            );
                        } else {
                            p.ambiguous = Some((a_val as u32, b_val, year));
                        }
                    } else {
                        return Err(DateError::Unreadable);
                    }
                    i += 5;
                    // `2013-12-05T22:23` and `2013-12-05 22:23`.
                    if word(i) == Some("t") && !spaced(i) && num(i + 1).is_some() {
                        i += 1;
                    }
                    continue;
                }
                // Compact forms: YYYYMMDD, YYYYMMDDHHMM[SS], and ISO basic YYYYMMDDTHHMM[SS].
                if n.len() >= 8 && p.date.is_none() && p.ambiguous.is_none() {
                    let (date, time) = compact(n)?;
                    p.date = Some(date);
                    i += 1;
                    if let Some(t) = time {
                        p.time = Some(t);
                    } else if word(i) == Some("t")
                        && !spaced(i)
                        && let Some(tn) = num(i + 1)
                    {
                        p.time = Some(compact_time(tn)?);
                        i += 2;
                    }
                    if p.time.is_some() {
                        i = parse_offset_after_time(tokens, i, &mut p)?;
                    }
                    continue;
                }
                // "10pm", "10 p.m.".
                if matches!(word(i + 1), Some("am" | "pm" | "a" | "p"))
                    && n.len() <= 2
                    && p.time.is_none()
                {
                    i = hour_with_meridiem(tokens, i, &mut p)?;
                    continue;
                }
                let value: u32 = n.parse().map_err(|_| DateError::Unreadable)?;
                // A day with an ordinal suffix: 5th, 1st, 22nd, 3rd (and "5." before a month).
                if let Some("st" | "nd" | "rd" | "th" | "er" | "o" | "º") = word(i + 1)
                    && !spaced(i + 1)
                {
                    set_once(&mut p.day, value)?;
                    i += 2;
                    continue;
                }
                if n.len() == 4 {
                    if p.year.replace(value as i32).is_some() {
                        return Err(DateError::Unreadable);
                    }
                    i += 1;
                    continue;
                }
                if n.len() <= 2 {
                    if p.day.is_none() {
                        p.day = Some(value);
                    } else if p.year.is_none() && p.month.is_some() && n.len() == 2 {
                        p.year = Some(full_year(value as i32, 2));
                    } else {
                        return Err(DateError::Unreadable);
                    }
                    i += 1;
                    // "5." before a month name (German, Scandinavian).
                    if punct(i) == Some('.') && word(i + 1).is_some_and(|w| month(w).is_some()) {
                        i += 1;
                    }
                    continue;
                }
                return Err(DateError::Unreadable);
            }
            Tok::Word(w) => {
                if let Some(m) = month(w).filter(|_| !time_only) {
                    set_once(&mut p.month, m)?;
                    i += 1;
                    if punct(i) == Some('.') {
                        i += 1;
                    }
                    continue;
                }
                if is_weekday(w) {
                    i += 1;
                    if punct(i) == Some('.') {
                        i += 1;
                    }
                    continue;
                }
                if let Some(pm) = meridiem(tokens, i) {
                    if p.pm.replace(pm.0).is_some() || p.time.is_none() {
                        return Err(DateError::Unreadable);
                    }
                    i = pm.1;
                    continue;
                }
                if let Some(offset) = zone_name(w) {
                    // A zone may repeat an offset already given, as in RFC 2822's
                    // "+0000 (UTC)", but not contradict it.
                    if p.offset.is_some_and(|o| o != offset) {
                        return Err(DateError::Unreadable);
                    }
                    p.offset = Some(offset);
                    i += 1;
                    // "GMT+2", "UTC-05:00".
                    if matches!(punct(i), Some('+' | '-')) {
                        let (extra, next) = numeric_offset(tokens, i)?;
                        p.offset = Some(offset + extra);
                        i = next;
                    }
                    continue;
                }
                if FILLER_WORDS.contains(&w.as_str()) {
                    i += 1;
                    continue;
                }
                return Err(DateError::Unreadable);
            }
            Tok::Punct(',' | '(' | ')' | '@' | '|' | '-' | '/') => i += 1,
            Tok::Punct('+') if p.time.is_some() && p.offset.is_none() => {
                let (offset, next) = numeric_offset(tokens, i)?;
                p.offset = Some(offset);
                i = next;
            }
            Tok::Punct(_) => return Err(DateError::Unreadable),
        }
    }
    Ok(p)
}

/// After a time of day: `Z`, or `+HH:MM` / `+HHMM` / `+HH` glued or spaced.
fn parse_offset_after_time(tokens: &[Token], i: usize, p: &mut Parts) -> Result<usize, DateError> {
    match tokens.get(i).map(|t| &t.tok) {
        Some(Tok::Word(w)) if w == "z" => {
            p.offset = Some(0);
            Ok(i + 1)
        }
        Some(Tok::Punct('+' | '-'))
            if matches!(tokens.get(i + 1).map(|t| &t.tok), Some(Tok::Num(_))) =>
        {
            let (offset, next) = numeric_offset(tokens, i)?;
            p.offset = Some(offset);
            Ok(next)
        }
        _ => Ok(i),
    }
}

/// `+HH:MM`, `+HHMM`, `+HH`, `-H` at `i` (the sign). Returns seconds east and the next index.
fn numeric_offset(tokens: &[Token], i: usize) -> Result<(i32, usize), DateError> {
    let sign = match tokens.get(i).map(|t| &t.tok) {
        Some(Tok::Punct('+')) => 1,
        Some(Tok::Punct('-')) => -1,
        _ => return Err(DateError::Unreadable),
    };
    let Some(Tok::Num(n)) = tokens.get(i + 1).map(|t| &t.tok) else {
        return Err(DateError::Unreadable);
    };
    let (hours, mut minutes, mut next) = match n.len() {
        1 | 2 => (n.parse::<i32>().unwrap_or(99), 0, i + 2),
        4 => (
            n[..2].parse::<i32>().unwrap_or(99),
            n[2..].parse::<i32>().unwrap_or(99),
            i + 2,
        ),
        _ => return Err(DateError::Unreadable),
    };
    if n.len() <= 2
        && let (Some(Tok::Punct(':')), Some(Tok::Num(m))) = (
            tokens.get(next).map(|t| &t.tok),
            tokens.get(next + 1).map(|t| &t.tok),
        )
        && m.len() == 2
    {
        minutes = m.parse().unwrap_or(99);
        next += 2;
    }
    if hours > 14 || minutes > 59 {
        return Err(DateError::Impossible);
    }
    Ok((sign * (hours * 3600 + minutes * 60), next))
}

/// "10pm", "10 p.m.", "10am" at `i` (the hour).
fn hour_with_meridiem(tokens: &[Token], i: usize, p: &mut Parts) -> Result<usize, DateError> {
    let Some(Tok::Num(n)) = tokens.get(i).map(|t| &t.tok) else {
        return Err(DateError::Unreadable);
    };
    let Some((pm, next)) = meridiem(tokens, i + 1) else {
        return Err(DateError::Unreadable);
    };
    if p.time.is_some() || n.len() > 2 {
        return Err(DateError::Unreadable);
    }
    let hour: u32 = n.parse().map_err(|_| DateError::Unreadable)?;
    p.time = Some((hour, 0, 0, 0));
    p.pm = Some(pm);
    parse_offset_after_time(tokens, next, p)
}

/// `am`, `pm`, `a.m.`, `p.m.` at `i`: (is pm, next index).
fn meridiem(tokens: &[Token], i: usize) -> Option<(bool, usize)> {
    let word = |i: usize| match tokens.get(i).map(|t| &t.tok) {
        Some(Tok::Word(w)) => Some(w.as_str()),
        _ => None,
    };
    let dot = |i: usize| matches!(tokens.get(i).map(|t| &t.tok), Some(Tok::Punct('.')));
    match word(i)? {
        "am" => Some((false, i + 1 + usize::from(dot(i + 1)))),
        "pm" => Some((true, i + 1 + usize::from(dot(i + 1)))),
        letter @ ("a" | "p") if dot(i + 1) && word(i + 2) == Some("m") => {
            Some((letter == "p", i + 3 + usize::from(dot(i + 3))))
        }
        _ => None,
    }
}

/// Nanoseconds of a fraction of a second written as digits (more than nine are cut).
fn fraction_nanos(digits: &str) -> u32 {
    let mut nanos = 0u32;
    for (k, b) in digits.bytes().take(9).enumerate() {
        nanos += u32::from(b - b'0') * 10u32.pow(8 - k as u32);
    }
    nanos
}

/// Two-digit years: 70-99 are 1970-1999, 00-69 are 2000-2069.
fn full_year(y: i32, digits: usize) -> i32 {
    match digits {
        2 if y >= 70 => 1900 + y,
        2 => 2000 + y,
        _ => y,
    }
}

/// YYYYMMDD, YYYYMMDDHHMM, YYYYMMDDHHMMSS.
fn compact(n: &str) -> Result<(NaiveDate, Option<TimeOfDay>), DateError> {
    let field = |r: std::ops::Range<usize>| n[r].parse::<u32>().map_err(|_| DateError::Unreadable);
    let date = match n.len() {
        8 | 12 | 14 => NaiveDate::from_ymd_opt(field(0..4)? as i32, field(4..6)?, field(6..8)?)
            .ok_or(DateError::Impossible)?,
        _ => return Err(DateError::Unreadable),
    };
    let time = match n.len() {
        12 => Some((field(8..10)?, field(10..12)?, 0, 0)),
        14 => Some((field(8..10)?, field(10..12)?, field(12..14)?, 0)),
        _ => None,
    };
    Ok((date, time))
}

/// HHMM or HHMMSS after the `T` of an ISO basic timestamp.
fn compact_time(n: &str) -> Result<TimeOfDay, DateError> {
    let field = |r: std::ops::Range<usize>| n[r].parse::<u32>().map_err(|_| DateError::Unreadable);
    match n.len() {
        4 => Ok((field(0..2)?, field(2..4)?, 0, 0)),
        6 => Ok((field(0..2)?, field(2..4)?, field(4..6)?, 0)),
        _ => Err(DateError::Unreadable),
    }
}

/// Month names and their usual abbreviations in English, German, French, Spanish, Italian,
/// Portuguese and Dutch.
fn month(w: &str) -> Option<u32> {
    const MONTHS: [&[&str]; 12] = [
        &[
            "jan", "january", "januar", "janvier", "enero", "ene", "gennaio", "gen", "janeiro",
            "januari", "jän", "jänner", "janv",
        ],
        &[
            "feb",
            "february",
            "februar",
            "février",
            "fevrier",
            "fév",
            "fev",
            "febrero",
            "febbraio",
            "fevereiro",
            "februari",
            "févr",
        ],
        &[
            "mar", "march", "märz", "maerz", "mär", "mars", "marzo", "março", "marco", "maart",
            "mrt",
        ],
        &["apr", "april", "avril", "avr", "abril", "abr", "aprile"],
        &["may", "mai", "mayo", "maggio", "mag", "maio", "mei"],
        &[
            "jun", "june", "juni", "juin", "junio", "giugno", "giu", "junho",
        ],
        &[
            "jul", "july", "juli", "juillet", "juil", "julio", "luglio", "lug", "julho",
        ],
        &["aug", "august", "août", "aout", "agosto", "ago", "augustus"],
        &[
            "sep",
            "sept",
            "september",
            "septembre",
            "septiembre",
            "set",
            "settembre",
            "setembro",
        ],
        &[
            "oct", "october", "oktober", "okt", "octobre", "octubre", "ottobre", "ott", "outubro",
            "out",
        ],
        &["nov", "november", "novembre", "noviembre", "novembro"],
        &[
            "dec",
            "december",
            "dezember",
            "dez",
            "décembre",
            "decembre",
            "déc",
            "diciembre",
            "dic",
            "dicembre",
            "dezembro",
        ],
    ];
    MONTHS
        .iter()
        .position(|names| names.contains(&w))
        .map(|p| p as u32 + 1)
}

fn is_weekday(w: &str) -> bool {
    const DAYS: &[&str] = &[
        "mon",
        "monday",
        "tue",
        "tues",
        "tuesday",
        "wed",
        "weds",
        "wednesday",
        "thu",
        "thur",
        "thurs",
        "thursday",
        "fri",
        "friday",
        "sat",
        "saturday",
        "sun",
        "sunday",
        "montag",
        "mo",
        "dienstag",
        "di",
        "mittwoch",
        "mi",
        "donnerstag",
        "do",
        "freitag",
        "fr",
        "samstag",
        "sa",
        "sonntag",
        "so",
        "lundi",
        "lun",
        "mardi",
        "mercredi",
        "jeudi",
        "vendredi",
        "samedi",
        "dimanche",
        "lunes",
        "martes",
        "miércoles",
        "miercoles",
        "jueves",
        "viernes",
        "sábado",
        "sabado",
        "domingo",
        "lunedì",
        "martedì",
        "mercoledì",
        "giovedì",
        "venerdì",
        "sabato",
        "domenica",
        "segunda",
        "terça",
        "quarta",
        "quinta",
        "sexta",
        "maandag",
        "dinsdag",
        "woensdag",
        "donderdag",
        "vrijdag",
        "zaterdag",
        "zondag",
    ];
    DAYS.contains(&w)
}

/// Zone names of RFC 2822 (UT, GMT, the US zones) plus UTC and Z, as seconds east of UTC.
/// Other abbreviations are ambiguous across countries (CST is also China) and are not read.
fn zone_name(w: &str) -> Option<i32> {
    let hours = match w {
        "z" | "ut" | "utc" | "gmt" => 0,
        "edt" => -4,
        "est" | "cdt" => -5,
        "cst" | "mdt" => -6,
        "mst" | "pdt" => -7,
        "pst" => -8,
        _ => return None,
    };
    Some(hours * 3600)
}

/// Turn the pieces into an instant: choose the date, apply am/pm, then the zone.
fn resolve(mut p: Parts, ctx: &DateContext) -> Result<DateTime<Utc>, DateError> {
    if let Some((a, b, year)) = p.ambiguous.take() {
        // Month first unless told otherwise; a first number over 12 can only be a day.
        let (month, day) = if (ctx.day_first && b <= 12) || a > 12 {
            (b, a)
        } else {
            (a, b)
        };
        p.date = Some(NaiveDate::from_ymd_opt(year, month, day).ok_or(DateError::Impossible)?);
    }
    let date = match p.date {
        Some(d) => {
            if p.month.is_some() || p.day.is_some() || p.year.is_some() {
                return Err(DateError::Unreadable);
            }
            d
        }
        None => {
            let (Some(month), Some(day)) = (p.month, p.day) else {
                return Err(DateError::Unreadable);
            };
            match p.year {
                Some(y) => NaiveDate::from_ymd_opt(y, month, day).ok_or(DateError::Impossible)?,
                None => year_from_crawl(month, day, ctx)?,
            }
        }
    };
    let (mut hour, minute, second, nanos) = p.time.unwrap_or((0, 0, 0, 0));
    match p.pm {
        Some(true) if (1..12).contains(&hour) => hour += 12,
        Some(false) if hour == 12 => hour = 0,
        Some(_) if hour == 0 || hour > 12 => return Err(DateError::Impossible),
        _ => {}
    }
    // ISO 8601 allows 24:00 for the end of a day.
    let (date, hour) = if hour == 24 && minute == 0 && second == 0 && nanos == 0 {
        (date.succ_opt().ok_or(DateError::OutOfRange)?, 0)
    } else {
        (date, hour)
    };
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second.min(59), nanos)
        .ok_or(DateError::Impossible)?;
    if second > 60 {
        return Err(DateError::Impossible);
    }
    let naive = NaiveDateTime::new(date, time);
    let instant = match (p.offset, ctx.zone) {
        (Some(offset), _) => FixedOffset::east_opt(offset)
            .ok_or(DateError::Impossible)?
            .from_local_datetime(&naive)
            .single()
            .ok_or(DateError::Impossible)?
            .with_timezone(&Utc),
        (None, Some(tz)) => local_in_zone(&naive, tz)?,
        (None, None) => naive.and_utc(),
    };
    in_range(instant)
}

/// A local time in a zone. In the repeated hour when clocks go back, the earlier instant; in
/// the hour skipped when clocks go forward, the offset in force before the change.
fn local_in_zone(naive: &NaiveDateTime, tz: Tz) -> Result<DateTime<Utc>, DateError> {
    if let Some(t) = tz.from_local_datetime(naive).earliest() {
        return Ok(t.with_timezone(&Utc));
    }
    let before = *naive - Duration::hours(3);
    let offset = tz
        .from_local_datetime(&before)
        .earliest()
        .map(|t| t.offset().fix())
        .ok_or(DateError::Impossible)?;
    offset
        .from_local_datetime(naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or(DateError::Impossible)
}

/// A month and day without a year: the latest such date not after the crawl day.
fn year_from_crawl(month: u32, day: u32, ctx: &DateContext) -> Result<NaiveDate, DateError> {
    let crawled = ctx.crawled_at.ok_or(DateError::NeedsCrawlTime)?;
    let today = match ctx.zone {
        Some(tz) => crawled.with_timezone(&tz).date_naive(),
        None => crawled.date_naive(),
    };
    // 29 February needs a leap year: look back up to eight years.
    for back in 0..8 {
        if let Some(d) = NaiveDate::from_ymd_opt(today.year() - back, month, day)
            && d <= today
        {
            return Ok(d);
        }
    }
    Err(DateError::Impossible)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn read(s: &str) -> Result<String, DateError> {
        parse_timestamp(s, &DateContext::default()).map(|t| t.to_rfc3339())
    }

    #[test]
    fn iso_without_offset_is_utc_by_default() {
        assert_eq!(
            read("2013-12-05T22:23:00").unwrap(),
            "2013-12-05T22:23:00+00:00"
        );
        assert_eq!(
            read("2013-12-05 22:23").unwrap(),
            "2013-12-05T22:23:00+00:00"
        );
        assert_eq!(
            read("2013-12-05T22:23:00.5").unwrap(),
            "2013-12-05T22:23:00.500+00:00"
        );
        assert_eq!(read("2013-12-05").unwrap(), "2013-12-05T00:00:00+00:00");
        assert_eq!(
            read("20131205T222300Z").unwrap(),
            "2013-12-05T22:23:00+00:00"
        );
        assert_eq!(read("20131205222300").unwrap(), "2013-12-05T22:23:00+00:00");
    }

    #[test]
    fn offsets_and_zone_names_are_applied() {
        assert_eq!(
            read("2013-12-05T22:23:00-05:00").unwrap(),
            "2013-12-06T03:23:00+00:00"
        );
        assert_eq!(
            read("2013-12-05 22:23:00 +0100").unwrap(),
            "2013-12-05T21:23:00+00:00"
        );
        assert_eq!(
            read("Thu, 05 Dec 2013 22:23:00 GMT").unwrap(),
            "2013-12-05T22:23:00+00:00"
        );
        assert_eq!(
            read("Thu, 05 Dec 2013 22:23:00 EST").unwrap(),
            "2013-12-06T03:23:00+00:00"
        );
        assert_eq!(
            read("Thu, 5 Dec 2013 22:23:00 +0000 (UTC)").unwrap(),
            "2013-12-05T22:23:00+00:00"
        );
    }

    #[test]
    fn us_and_european_forms() {
        assert_eq!(
            read("12/05/2013 10:23 PM").unwrap(),
            "2013-12-05T22:23:00+00:00"
        );
        assert_eq!(read("12/05/2013").unwrap(), "2013-12-05T00:00:00+00:00");
        assert_eq!(
            read("Dec 5, 2013 10:23pm").unwrap(),
            "2013-12-05T22:23:00+00:00"
        );
        assert_eq!(
            read("December 5th, 2013 at 10:23 p.m.").unwrap(),
            "2013-12-05T22:23:00+00:00"
        );
        assert_eq!(
            read("Thu Dec  5 22:23:00 2013").unwrap(),
            "2013-12-05T22:23:00+00:00"
        );
        assert_eq!(
            read("05.12.2013 22:23").unwrap(),
            "2013-12-05T22:23:00+00:00"
        );
        assert_eq!(
            read("5. Dezember 2013").unwrap(),
            "2013-12-05T00:00:00+00:00"
        );
        assert_eq!(
            read("5 de diciembre de 2013").unwrap(),
            "2013-12-05T00:00:00+00:00"
        );
        assert_eq!(
            read("25/12/2013").unwrap(),
            "2013-12-25T00:00:00+00:00",
            "25 can only be a day"
        );
        let day_first = DateContext {
            day_first: true,
            ..DateContext::default()
        };
        assert_eq!(
            parse_timestamp("05/12/2013 22:23", &day_first)
                .unwrap()
                .to_rfc3339(),
            "2013-12-05T22:23:00+00:00"
        );
        assert_eq!(
            read("12am 12/05/2013").unwrap(),
            "2013-12-05T00:00:00+00:00"
        );
    }

    #[test]
    fn epochs_with_a_range_check() {
        assert_eq!(read("1386282180").unwrap(), "2013-12-05T22:23:00+00:00");
        assert_eq!(
            read("1386282180123").unwrap(),
            "2013-12-05T22:23:00.123+00:00"
        );
        assert_eq!(
            read("1386282180.5").unwrap(),
            "2013-12-05T22:23:00.500+00:00"
        );
        assert_eq!(
            read("12345"),
            Err(DateError::OutOfRange),
            "an id, not a date"
        );
        assert_eq!(read("0"), Err(DateError::OutOfRange));
        assert_eq!(
            parse_epoch(1.386_282_18e9).unwrap(),
            utc("2013-12-05T22:23:00Z")
        );
    }

    #[test]
    fn the_site_zone_is_used_for_local_times() {
        let berlin = DateContext {
            zone: Some(chrono_tz::Europe::Berlin),
            ..DateContext::default()
        };
        let read_in = |s: &str| parse_timestamp(s, &berlin).unwrap().to_rfc3339();
        assert_eq!(read_in("2013-12-05T22:23:00"), "2013-12-05T21:23:00+00:00");
        assert_eq!(
            read_in("2013-07-05 22:23"),
            "2013-07-05T20:23:00+00:00",
            "summer time"
        );
        assert_eq!(
            read_in("2013-12-05T22:23:00Z"),
            "2013-12-05T22:23:00+00:00",
            "explicit offset wins"
        );
        // 02:30 on 31 March 2013 does not exist in Berlin: read with the winter offset.
        assert_eq!(read_in("2013-03-31 02:30"), "2013-03-31T01:30:00+00:00");
        // 02:30 on 27 October 2013 happens twice: the earlier one.
        assert_eq!(read_in("2013-10-27 02:30"), "2013-10-27T00:30:00+00:00");
    }

    #[test]
    fn relative_times_need_and_use_the_crawl_time() {
        let ctx = DateContext {
            crawled_at: Some(utc("2013-12-06T12:00:00Z")),
            ..DateContext::default()
        };
        let rel = |s: &str| parse_timestamp(s, &ctx).map(|t| t.to_rfc3339());
        assert_eq!(
            rel("posted 3 hours ago").unwrap(),
            "2013-12-06T09:00:00+00:00"
        );
        assert_eq!(rel("2 days ago").unwrap(), "2013-12-04T12:00:00+00:00");
        assert_eq!(rel("an hour ago").unwrap(), "2013-12-06T11:00:00+00:00");
        assert_eq!(
            rel("1 day, 2 hours ago").unwrap(),
            "2013-12-05T10:00:00+00:00"
        );
        assert_eq!(rel("3h ago").unwrap(), "2013-12-06T09:00:00+00:00");
        assert_eq!(rel("a month ago").unwrap(), "2013-11-06T12:00:00+00:00");
        assert_eq!(rel("just now").unwrap(), "2013-12-06T12:00:00+00:00");
        assert_eq!(rel("yesterday").unwrap(), "2013-12-05T00:00:00+00:00");
        assert_eq!(
            rel("Yesterday at 10:23 PM").unwrap(),
            "2013-12-05T22:23:00+00:00"
        );
        assert_eq!(rel("today 9:15").unwrap(), "2013-12-06T09:15:00+00:00");
        assert_eq!(
            rel("Dec 5 10:23pm").unwrap(),
            "2013-12-05T22:23:00+00:00",
            "this year"
        );
        assert_eq!(
            rel("Dec 25").unwrap(),
            "2012-12-25T00:00:00+00:00",
            "not in the future"
        );
        assert_eq!(read("3 hours ago"), Err(DateError::NeedsCrawlTime));
        assert_eq!(read("yesterday"), Err(DateError::NeedsCrawlTime));
    }

    #[test]
    fn garbage_is_an_error_not_a_guess() {
        for s in [
            "",
            "soon",
            "2013-13-05",
            "2013-02-30",
            "31/31/2013",
            "hello 2013",
            "12:00",
            "Dec 2013 5 6",
            "99:99",
            "3 bananas ago",
            "2013-12-05T22:23:00+25:00",
            "9999999999999999",
            "1899-01-01",
            "2013-12-05 25:00",
            "13pm 12/05/2013",
            "2013/12",
        ] {
            assert!(read(s).is_err(), "{s:?} read as {:?}", read(s));
        }
    }
}
