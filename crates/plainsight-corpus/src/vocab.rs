//! The words the generator writes with. Every template and phrase here was written for
//! this project; none is copied from a real ad. Slots in braces (`{name}`, `{age}`,
//! `{hr}` ...) are filled per ad by `compose`.
//!
//! The pools are deliberately large and overlapping: unrelated writers share sentences
//! and generic phrases, as they do in real ads, so text similarity alone is a weak link.

/// Stage names. Shared freely between unrelated writers: a name alone never links.
pub(crate) const NAMES: &[&str] = &[
    "Mia", "Luna", "Bella", "Sofia", "Jasmine", "Candy", "Destiny", "Honey", "Amber", "Crystal",
    "Diamond", "Star", "Paris", "Nina", "Kiki", "Lexi", "Roxy", "Jade", "Ruby", "Scarlett",
    "Vanessa", "Gabby", "Monica", "Tiffany", "Brandy", "Chloe", "Zoe", "Layla", "Aaliyah",
    "Nicole", "Alexis", "Brooke", "Summer", "Autumn", "Skye", "Raven", "Angel", "Cherry",
    "Daisy", "Lily", "Rose", "Ivy", "Violet", "Hazel", "Stella", "Aurora", "Kendra", "Kayla",
    "Tasha", "Keisha", "Monique", "Dominique", "Carmen", "Valentina", "Camila", "Isabella",
    "Lucia", "Mariana", "Daniela", "Adriana", "Yasmin", "Mei", "Lin", "Suki", "Yuna", "Hana",
    "Kim", "Coco", "Lola", "Gigi", "Bambi", "Barbie", "Cinnamon", "Sugar", "Mocha", "Caramel",
    "Sasha", "Natasha", "Anya", "Katya", "Eva", "Elena", "Bianca", "Giselle", "Serena",
    "Sienna", "Savannah", "Dakota", "Harley", "Madison", "Peyton", "Riley", "Taylor", "Jordan",
    "Brittany", "Ashley", "Amanda", "Jessica", "Heather", "Megan", "Kelsey", "Courtney",
    "Danielle", "Erica", "Kat", "Tori", "Remy", "Nova", "Sky", "Rain", "Storm", "Ember",
    "Faith", "Hope", "Trinity", "Precious", "Unique", "Essence", "Milan", "London", "Asia",
    "India", "Egypt", "Sade", "Imani", "Nia", "Zuri", "Amara", "Kali", "Lana", "Mila", "Kira",
    "Tara", "Sara", "Ella", "Ava", "Emma", "Abby", "Jenna", "Lacey", "Misty", "Dallas", "Reign",
];

/// Ethnicity as ads state it (itself an indicator in the JRSA study).
pub(crate) const ETHNICITIES: &[&str] = &[
    "Latina", "Ebony", "Asian", "Italian", "Puerto Rican", "Colombian", "Dominican", "Mixed",
    "Exotic", "Brazilian", "Cuban", "Thai", "Korean", "Filipina", "Russian", "Irish", "Native",
    "Persian", "Venezuelan", "Japanese",
];

pub(crate) const HAIR: &[&str] = &[
    "blonde", "brunette", "redhead", "long black hair", "honey blonde", "curly hair",
    "auburn", "platinum blonde", "dark hair", "pink hair",
];

pub(crate) const TITLE_ADJECTIVES: &[&str] = &[
    "Sexy", "Sweet", "Gorgeous", "Petite", "Curvy", "Stunning", "Exotic", "Classy", "Thick",
    "Beautiful", "Irresistible", "Playful", "Upscale", "Sensual", "Flirty", "Bubbly", "Elegant",
    "Luscious", "Captivating", "Adorable", "Delicious", "Fun", "Hot", "Tempting", "Seductive",
];

pub(crate) const TITLE_NOUNS: &[&str] = &[
    "Beauty", "Doll", "Goddess", "Sweetheart", "Bombshell", "Princess", "Babe", "Treat",
    "Angel", "Cutie", "Companion", "Diva", "Queen", "Playmate", "Vixen", "Kitten", "Honey",
];

/// Titles in the first person or neutral. `{adj2}` is a second, different adjective.
pub(crate) const TITLES: &[&str] = &[
    "{adj} {eth} {noun} {name} - {age}",
    "{emoji} {name} {emoji} {adj} & {adj2} - {age}",
    "{adj} {noun} in {city} - {age}",
    "{name} ~ {adj} {eth} {noun} ~ {age}",
    "{adj}!! {adj2}!! {name} - {age}",
    "Come see {name} {emoji} - {age}",
    "{eth} {noun} {name} Available Now - {age}",
    "{adj} {hair} {noun} - {age}",
    "*{adj} {noun}* {name} *{age}*",
    "\u{2605} {name} \u{2605} {adj} {noun} \u{2605} {age}",
    "{name} is back {emoji} {adj} {eth} {noun} - {age}",
    "Your {adj} {noun} {name} - {age}",
    "{adj} and {adj2} {eth} {noun} - {age}",
    "{emoji}{emoji} {adj} {name} {emoji}{emoji} - {age}",
    "{name}: {adj} {noun} near {spot} - {age}",
    "Treat yourself to {name} - {age}",
    "{adj} {noun} {name} incall/outcall - {age}",
    "{adj} Fun With {name} - {age}",
    "~{adj} {eth} {name}~ - {age}",
    "{name} {adj} {adj2} {noun} {city} - {age}",
];

/// Titles speaking for someone else (third-party language).
pub(crate) const TITLES_THIRD_PARTY: &[&str] = &[
    "{adj} girls available in {city} - {age}",
    "New girls this week {emoji} {name} - {age}",
    "{name} & friends - {adj} {eth} {noun}s - {age}",
    "Meet {name} {emoji} {adj} {eth} {noun} - {age}",
    "Ask for {name} - {adj} {noun} - {age}",
    "{adj} ladies {city} {spot} - {age}",
    "Book {name} now {emoji} {adj} & {adj2} - {age}",
    "Top {noun}s in {city} - {name} {age}",
];

pub(crate) const OPENERS: &[&str] = &[
    "Hey gentlemen", "Hi guys", "Hello fellas", "Hey there handsome", "Good evening gentlemen",
    "Hi boys", "Well hello there", "Heyyy", "Hi loves", "Greetings gentlemen", "What's up guys",
    "Hey you", "Hi sweetie", "Hello darling", "Hi there", "Hey baby", "Welcome gentlemen",
    "Hola papi", "Hiii", "Good morning boys",
];

/// Introductions in the first person. Those with `{age}` state an age.
pub(crate) const INTROS: &[&str] = &[
    "my name is {name} and I'm {age}",
    "I'm {name}, {age} years young",
    "{name} here, {age} yrs",
    "they call me {name} ({age})",
    "I am {name}, a {adj_l} {age} year old {eth} {noun_l}",
    "it's your girl {name}",
    "I'm {name} and I'm {age}",
    "your new favorite {noun_l} {name} is here",
    "call me {name}, age {age}",
    "I'm {name}, a {adj_l} {eth} {noun_l}",
    "{name} is the name, {age} is the age",
    "I am {name} {emoji} {age}",
    "my friends call me {name}",
    "I'm {name}, {age}, {adj_l} and ready",
    "this is {name}, {age} y/o",
    "meet your match: {name}, {age}",
];

/// Introductions in the third person (third-party language).
pub(crate) const INTROS_THIRD_PARTY: &[&str] = &[
    "Meet {name}, {age}, a {adj_l} {eth} {noun_l}",
    "Ask for {name}",
    "{name} is {age} and ready to make your day",
    "Our newest girl {name} ({age})",
    "{name} just turned {age} and she is waiting for you",
    "Come meet {name}, {age}",
    "Say hi to {name}",
    "{name} is here for you, {age} yrs",
    "This is {name}, our {adj_l} {eth} {noun_l}",
    "{name} ({age}) is working today",
];

pub(crate) const PHYSICAL: &[&str] = &[
    "{height} {weight}lbs {measure}",
    "{measure} | {height} | {hair}",
    "{height}, {weight} lb, {hair}",
    "Stats: {measure}, {height}",
    "{hair} {noun_l}, {height} and {weight}lbs",
    "{height} tall, {measure}, all natural",
    "{measure} {weight}lbs of fun",
    "height {height} - weight {weight} - {hair}",
];

/// Pitch sentences in the first person.
pub(crate) const PITCH: &[&str] = &[
    "I love to laugh and make new friends",
    "Let me help you forget about your long day",
    "I am sweet, playful and easy to talk to",
    "You will leave with a smile on your face",
    "Treat yourself to a little time with me",
    "My personality is as sweet as my smile",
    "I enjoy good conversation and good company",
    "Let me be your little escape from the everyday",
    "I take pride in making every visit special",
    "Come unwind and let the stress melt away",
    "I'm the girl next door with a wild side",
    "Relax, I'll take care of everything",
    "Every moment with me is all about you",
    "I'm warm, down to earth and a great listener",
    "Life is short, come enjoy it with me",
    "Gentlemen of all ages and backgrounds welcome",
    "Mature and respectful men get my full attention",
    "Your satisfaction is my priority",
    "Come see why my regulars keep coming back",
    "A sweet face with a bubbly personality",
    "I'm here to brighten your day",
    "Soft skin, pretty eyes and a great attitude",
    "Looking for good vibes only",
    "I'm fun, flirty and always on time",
    "The best part of your week starts with a call",
    "I'll make you feel like a king",
    "Let's make tonight one to remember",
    "Sweet as candy and twice as fun",
    "Great energy and even better company",
    "Nothing rushed, nothing fake, just me",
    "Spoil me and I'll spoil you right back",
    "I'm a true sweetheart with classy taste",
    "Cuddle, chat, laugh: whatever you need",
    "First timers are welcome, don't be shy",
    "Open minded and very friendly",
    "Upgrade your night, you deserve it",
    "Come get to know me, you won't regret it",
    "Let me be the highlight of your trip",
    "Polite gentlemen always get my best",
    "I have a smile that lights up the room",
    "Ask me about my specials",
    "Come play with me after work",
    "I'm easygoing and love to have a good time",
    "Lunch break? Let me make it better",
    "My place is private, clean and comfortable",
];

/// Pitch sentences in the third person (third-party language).
pub(crate) const PITCH_THIRD_PARTY: &[&str] = &[
    "She is sweet, playful and easy to talk to",
    "Our ladies are friendly and eager to please",
    "She will leave you with a smile",
    "We have the prettiest girls in {city}",
    "Every one of our girls is hand picked",
    "She loves to make new friends",
    "Come see why our clients keep coming back",
    "She is waiting for your call",
    "Book her before she is gone",
    "New girls every week, call to see who is working",
    "Ask about our 2 girl special",
    "We have 3 ladies available today",
    "Our girls will treat you like a king",
    "Pick your favorite, all pics are of the actual girls",
    "She is the sweetest girl on our team",
    "Call us to set up your appointment",
    "Our staff will answer and set you up",
    "She does not speak much English but she is very friendly",
    "Her schedule fills up fast so call early",
    "Ask for her by name when you call",
];

pub(crate) const LOGISTICS: &[&str] = &[
    "Incall and outcall",
    "Incall only",
    "Outcall to hotels only",
    "Incall near {spot}",
    "Private incall by {spot}",
    "Outcall available to your hotel",
    "Upscale incall in the {spot} area",
    "Incall & outcall {city} area",
    "Available day and night",
    "Open late, early birds welcome",
    "Incall only, no outcalls",
    "Outcall only",
];

/// Index of the logistics lines that restrict movement to incall ("incall only").
pub(crate) const LOGISTICS_INCALL_ONLY: &[usize] = &[1, 10];

/// Rate lines. Each names the price slots it uses so the truth can list the prices.
pub(crate) const RATES: &[&str] = &[
    "{qv}qv / {hh}hh / {hr}hr",
    "QV ${qv} | HH ${hh} | H ${hr}",
    "${hh} half hour, ${hr} hour",
    "Specials: {hh} roses hh, {hr} roses hr",
    "30 min ${m30} / 1hr ${hr}",
    "{hr}/hr no negotiating",
    "Rates: qv {qv}, hh {hh}, hr {hr}, 2hrs {hr2}",
    "Donations: {hh} hh {hr} hr",
    "{hh}\u{1F339} hh {hr}\u{1F339} hr",
    "Overnight ${on}, ask about it",
    "hh {hh} & hr {hr}",
    "${hr} an hour",
    "Quick visit {qv}, half hour {hh}",
    "{qv} qv {hh} hh {hr} hr {on} overnight",
    "1hr ${hr} | 2hr ${hr2}",
];

/// Movement language ("new in town"): the JRSA study found it *less* associated with
/// trafficking, so it is used mostly by travelling independents here too.
pub(crate) const MOVEMENT: &[&str] = &[
    "New in town",
    "Just arrived in {city}",
    "Here for a limited time",
    "Leaving soon, don't miss me",
    "Visiting {city} for a few days only",
    "Last night in {city}!",
    "In town til Sunday",
    "Just visiting, book early",
    "Only here this week",
    "Back in {city} by popular demand",
    "On tour, {city} is my next stop",
    "Passing through {city}",
];

/// Youth language (predictive in the JRSA and SDSU studies).
pub(crate) const YOUTH: &[&str] = &[
    "Fresh and new",
    "Young and sweet",
    "Barely legal",
    "Petite and tiny",
    "Brand new to this",
    "Youthful and sweet",
    "Sweet little thing",
    "Fresh face",
    "Brand new girl",
    "Tiny and petite",
];

/// Third-party language added on top of third-person templates.
pub(crate) const THIRD_PARTY: &[&str] = &[
    "Ask for {name}",
    "My girls are waiting",
    "2 girl special available",
    "We have more girls, ask who is working",
    "Call the number and ask for {name}",
    "She is available now",
    "Ask about her friend",
];

/// Trustworthy/professional language (predictive in the JRSA study).
pub(crate) const TRUST: &[&str] = &[
    "Discreet and professional",
    "Safe, clean and respectful",
    "Professional companion",
    "Upscale and discreet service",
    "Your privacy is guaranteed",
    "Respect and discretion always",
    "Reliable, punctual and professional",
];

pub(crate) const SCREENING: &[&str] = &[
    "Screening required",
    "Must provide references",
    "Verification needed for first time clients",
    "Text your name and age to get started",
    "Serious clients only, screening is a must",
];

/// Generic phrases everybody writes: a trap for any linker that trusts shared text.
pub(crate) const GENERIC: &[&str] = &[
    "100% real pics",
    "No rush",
    "No games",
    "No drama",
    "Serious inquiries only",
    "No blocked calls",
    "Available 24/7",
    "Text first",
    "No explicit texts",
    "Pics are 100% me",
    "Hygiene is a must",
    "You won't be disappointed",
    "No law enforcement",
    "Don't miss out",
    "Call now",
    "No private numbers",
    "Real and verified",
    "Clean and classy",
    "No games no drama",
    "100% REAL",
];

/// Contact lines in the first person; `{phone}` is the written number.
pub(crate) const CONTACT: &[&str] = &[
    "Call or text {phone}",
    "Text me at {phone}",
    "{phone} ask for {name}",
    "Call {name} @ {phone}",
    "Txt only {phone}",
    "Reach me: {phone}",
    "\u{1F4F1} {phone}",
    "Hit me up {phone}",
    "Book now: {phone}",
    "\u{260E}\u{FE0F} {phone} \u{260E}\u{FE0F}",
    "Call me {phone}",
    "{phone}",
    "Call/text: {phone}",
    "My number is {phone}",
];

/// Contact lines speaking for someone else.
pub(crate) const CONTACT_THIRD_PARTY: &[&str] = &[
    "Call {phone} and ask for {name}",
    "Book with us: {phone}",
    "Appointments {phone}",
    "Call or text {phone} to book {name}",
    "{phone} for {name} and the girls",
];

pub(crate) const SIGNOFFS: &[&str] = &[
    "xoxo {name}",
    "Kisses, {name}",
    "See you soon",
    "Hugs",
    "Can't wait to meet you",
    "Talk soon ;)",
    "Until then, {name}",
    "- {name}",
    "Love, {name}",
    "Don't be shy",
];

/// Border decorations around lines.
pub(crate) const DECOR: &[&str] = &[
    "~*~", "\u{2728}\u{2728}\u{2728}", "\u{2665}\u{2665}\u{2665}", "**", "\u{2022}\u{B0}\u{2022}\u{B0}\u{2022}",
    "\u{1F48B}\u{1F48B}", "==", "\u{BB}\u{BB}\u{BB}", "\u{2764}\u{FE0F}\u{2764}\u{FE0F}", "\u{2606}\u{2606}\u{2606}",
    "\u{2665}\u{BB}\u{2014}\u{2014}\u{BB}", "-=-=-",
];

/// Everyday decorative emoji (not indicators).
pub(crate) const EMOJI: &[&str] = &[
    "\u{1F48B}", "\u{2728}", "\u{1F495}", "\u{2764}\u{FE0F}", "\u{1F618}", "\u{1F496}", "\u{1F525}",
    "\u{1F60D}", "\u{1F4AF}", "\u{1F33A}", "\u{1F970}", "\u{1F48E}", "\u{2600}\u{FE0F}",
    "\u{1F319}", "\u{1F4A6}", "\u{1F984}", "\u{1F98B}", "\u{1F497}",
];

/// Emoji that indicator studies name, with their indicator code.
pub(crate) const EMOJI_INDICATORS: &[(&str, &str)] = &[
    ("\u{1F339}", "emoji_rose"),
    ("\u{1F352}", "emoji_cherry"),
    ("\u{1F338}", "emoji_cherry"),
    ("\u{2708}", "emoji_airplane"),
    ("\u{1F451}", "emoji_crown"),
    ("\u{1F497}", "emoji_growing_heart"),
];

/// Paragraphs that circulate between unrelated writers (copied "how to book" notices).
/// A linker that joins ads on long shared text will wrongly join their users.
pub(crate) const BOILERPLATE: &[&str] = &[
    "Please read before contacting: I only answer respectful messages. Include your name, the time you would like and for how long. Rude or low-ball texts get blocked. Thank you for understanding!",
    "BOOKING INFO: same day appointments welcome but early booking is appreciated. Please be on time, freshly showered and respectful. Donations are given at the start, in an envelope.",
    "Rules: no haggling, no blocked numbers, no showing up late. If you can't follow simple rules please don't waste my time. Everyone else, I look forward to meeting you.",
    "All appointments are for time and companionship only. Anything that may happen is a matter of choice between consenting adults. By contacting me you agree to these terms.",
    "New clients: text first with your name, age and where you saw my ad. I reply to everyone who follows the steps. Please allow a few minutes for a response.",
    "Gentlemen, your privacy is as important to me as mine is to me. What happens between us stays between us. Be kind, be clean, be on time and we will get along great.",
];

pub(crate) const EMAIL_DOMAINS: &[&str] = &[
    "gmail.com", "gmail.com", "gmail.com", "yahoo.com", "yahoo.com", "outlook.com",
    "hotmail.com", "icloud.com", "protonmail.com", "aol.com",
];

/// Fictional ad sites (the `.example` top-level domain is reserved and never resolves).
pub(crate) const SITES: &[&str] = &[
    "nightboard.example",
    "adhub.example",
    "sweetlistings.example",
    "metroads.example",
    "citycompanions.example",
];

/// Categories used in URL paths.
pub(crate) const CATEGORIES: &[&str] = &["escorts", "body-rubs", "dating", "adult", "companions"];
