//! Exports: GraphML parsed back (structure, endpoints, escaping), the i2 CSV pair parsed back,
//! JSON round trip, and a GraphML snapshot.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{TimeZone, Utc};
use plainsight_core::{Evidence, Field, NetworkLink, NetworkLocation, NetworkRecord, Reason};
use plainsight_network::export::{
    AdAttributeMap, AdAttributes, JSON_FORMAT, JSON_VERSION, write_graphml, write_graphml_with,
    write_i2_csv, write_i2_csv_with, write_json,
};

const GRAPHML_NS: &str = "http://graphml.graphdrawing.org/xmlns";

fn link(kind: &str, value: &str, ads: &[&str]) -> NetworkLink {
    NetworkLink {
        kind: kind.into(),
        value: value.into(),
        ads: ads.iter().map(|a| a.to_string()).collect(),
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Three networks: one held together by a phone, a handle and a template (with awkward text),
/// one by a similar photo and a shared sha256, and a lone ad.
fn fixture() -> Vec<NetworkRecord> {
    let day = |d: u32| Utc.with_ymd_and_hms(2025, 3, d, 12, 0, 0).unwrap();
    vec![
        NetworkRecord {
            network_id: 7,
            ads: strings(&["a1", "a2", "a3<&\"'\u{1}"]),
            phones: strings(&["+19195550123"]),
            emails: vec![],
            handles: strings(&["instagram:@rose_&_lily"]),
            image_hashes: vec![],
            personas: strings(&["Rose <new>", "Lily \"L\" O'Neil\u{7}"]),
            locations: vec![NetworkLocation {
                name: "Raleigh".into(),
                admin1: "NC".into(),
                first_seen: Some(day(1)),
                last_seen: Some(day(9)),
                ads: 3,
            }],
            first_seen: Some(day(1)),
            last_seen: Some(day(9)),
            ads_per_week: 2.625,
            personas_per_phone: 2.0,
            priority: 4.5,
            reasons: vec![Reason {
                code: "personas_per_contact".into(),
                description: "several names share one phone".into(),
                weight: 3.0,
                value: 1.0,
                ads: strings(&["a1", "a2"]),
                evidence: vec![Evidence {
                    ad: "a1".into(),
                    field: Some(Field::Body),
                    start: Some(4),
                    end: Some(8),
                    text: "Rose".into(),
                }],
            }],
            links: vec![
                link("phone", "+19195550123", &["a1", "a2"]),
                link("handle", "instagram:@rose_&_lily", &["a2", "a3<&\"'\u{1}"]),
                link("template", "t<1>&'\"", &["a1", "a3<&\"'\u{1}"]),
            ],
            unused_identifiers: strings(&["phone:+18005551212"]),
        },
        NetworkRecord {
            network_id: 8,
            ads: strings(&["b1", "b2", "b3"]),
            phones: vec![],
            emails: strings(&["=cmd|' /C calc'!A0@example.com"]),
            handles: vec![],
            image_hashes: strings(&[
                "phash:00ff00ff00ff00ff",
                "phash:00ff00ff00ff00fe",
                "ab".repeat(32).as_str(),
            ]),
            personas: strings(&["-Mia"]),
            locations: vec![],
            first_seen: Some(day(2)),
            last_seen: None,
            ads_per_week: 3.0,
            personas_per_phone: 0.0,
            priority: 1.25,
            reasons: vec![],
            links: vec![
                link(
                    "similar_photo",
                    "phash:00ff00ff00ff00ff~phash:00ff00ff00ff00fe",
                    &["b1", "b2", "b3"],
                ),
                link("image_sha256", &"ab".repeat(32), &["b1", "b3"]),
                link("email", "=cmd|' /C calc'!A0@example.com", &["b2", "b3"]),
            ],
            unused_identifiers: vec![],
        },
        NetworkRecord {
            network_id: 9,
            ads: strings(&["c1"]),
            phones: vec![],
            emails: vec![],
            handles: vec![],
            image_hashes: vec![],
            personas: vec![],
            locations: vec![],
            first_seen: None,
            last_seen: None,
            ads_per_week: 1.0,
            personas_per_phone: 0.0,
            priority: 0.0,
            reasons: vec![],
            links: vec![],
            unused_identifiers: vec![],
        },
    ]
}

fn graphml_of(networks: &[NetworkRecord]) -> String {
    let mut out = Vec::new();
    write_graphml(networks, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// A parsed GraphML element: its id-like attributes and its `<data>` values by key id.
struct Element {
    attributes: HashMap<String, String>,
    data: BTreeMap<String, String>,
}

fn elements(document: &roxmltree::Document, name: &str) -> Vec<Element> {
    document
        .descendants()
        .filter(|n| n.has_tag_name((GRAPHML_NS, name)))
        .map(|n| Element {
            attributes: n
                .attributes()
                .map(|a| (a.name().to_string(), a.value().to_string()))
                .collect(),
            data: n
                .children()
                .filter(|c| c.has_tag_name((GRAPHML_NS, "data")))
                .map(|c| {
                    (
                        c.attribute("key").unwrap().to_string(),
                        c.text().unwrap_or("").to_string(),
                    )
                })
                .collect(),
        })
        .collect()
}

#[test]
fn graphml_parses_with_every_node_and_edge() {
    let xml = graphml_of(&fixture());
    let document = roxmltree::Document::parse(&xml).expect("GraphML must be well-formed XML");
    assert_eq!(
        document.root_element().tag_name().namespace(),
        Some(GRAPHML_NS)
    );

    let keys = elements(&document, "key");
    let key_ids: BTreeSet<String> = keys.iter().map(|k| k.attributes["id"].clone()).collect();
    assert_eq!(keys.len(), key_ids.len(), "key ids are unique");

    let nodes = elements(&document, "node");
    let by_id: HashMap<&str, &Element> = nodes
        .iter()
        .map(|n| (n.attributes["id"].as_str(), n))
        .collect();
    assert_eq!(by_id.len(), nodes.len(), "node ids are unique");
    // 3 networks + 7 ads + phone, handle, template, image_sha256, email.
    assert_eq!(nodes.len(), 3 + 7 + 5);
    let node_type = |id: &str| by_id[id].data["node_type"].as_str();
    assert_eq!(node_type("network:7"), "network");
    assert_eq!(node_type("ad:a1"), "ad");
    assert_eq!(node_type("ad:c1"), "ad");
    assert_eq!(node_type("phone:+19195550123"), "phone");
    assert_eq!(node_type("handle:instagram:@rose_&_lily"), "handle");
    assert_eq!(
        node_type(&format!("image_sha256:{}", "ab".repeat(32))),
        "image_sha256"
    );
    assert_eq!(node_type("template:7/t<1>&'\""), "template");
    let network = &by_id["network:7"].data;
    assert_eq!(network["node_priority"], "4.5");
    assert_eq!(network["node_ads"], "3");
    assert_eq!(network["node_first_seen"], "2025-03-01T12:00:00Z");
    assert_eq!(network["node_last_seen"], "2025-03-09T12:00:00Z");
    assert_eq!(by_id["ad:b2"].data["node_network"], "8");
    assert!(!by_id["network:8"].data.contains_key("node_last_seen"));

    let edges = elements(&document, "edge");
    // member_of: 7; phone 2, handle 2, template 2; similar_photo chain 2, sha256 2, email 2.
    assert_eq!(edges.len(), 7 + 6 + 6);
    for edge in &edges {
        for end in ["source", "target"] {
            let id = &edge.attributes[end];
            assert!(
                by_id.contains_key(id.as_str()),
                "edge {end} {id:?} is not a node"
            );
        }
        for key in edge.data.keys() {
            assert!(key_ids.contains(key));
        }
    }
    let count = |kind: &str| edges.iter().filter(|e| e.data["edge_type"] == kind).count();
    assert_eq!(count("member_of"), 7);
    assert_eq!(count("similar_photo"), 2);
    assert_eq!(count("template"), 2);
    let photo = edges
        .iter()
        .find(|e| e.data["edge_type"] == "similar_photo")
        .unwrap();
    assert_eq!(photo.attributes["source"], "ad:b1");
    assert_eq!(photo.attributes["target"], "ad:b2");
    assert_eq!(
        photo.data["edge_label"],
        "phash:00ff00ff00ff00ff~phash:00ff00ff00ff00fe"
    );
}

#[test]
fn graphml_escapes_text_and_replaces_forbidden_characters() {
    let xml = graphml_of(&fixture());
    assert!(!xml.contains('\u{1}') && !xml.contains('\u{7}'));
    let document = roxmltree::Document::parse(&xml).unwrap();
    let nodes = elements(&document, "node");
    let ids: BTreeSet<&str> = nodes.iter().map(|n| n.attributes["id"].as_str()).collect();
    // Markup characters round-trip exactly; the control character becomes U+FFFD.
    assert!(ids.contains("ad:a3<&\"'\u{FFFD}"), "{ids:?}");
    let network = nodes
        .iter()
        .find(|n| n.attributes["id"] == "network:7")
        .unwrap();
    assert_eq!(
        network.data["node_notes"],
        "personas: Rose <new>, Lily \"L\" O'Neil\u{FFFD}; reasons: personas_per_contact (3)"
    );
    let template = nodes
        .iter()
        .find(|n| n.data["node_type"] == "template")
        .unwrap();
    assert_eq!(template.data["node_label"], "t<1>&'\"");
}

#[test]
fn graphml_keeps_tabs_and_newlines_in_ids() {
    let mut networks = fixture();
    networks[2].ads = strings(&["c\t1\nx\r"]);
    let xml = graphml_of(&networks);
    let document = roxmltree::Document::parse(&xml).unwrap();
    let ad = elements(&document, "node")
        .into_iter()
        .find(|n| n.data["node_network"] == "9" && n.data["node_type"] == "ad")
        .unwrap();
    assert_eq!(ad.attributes["id"], "ad:c\t1\nx\r");
    assert_eq!(ad.data["node_label"], "c\t1\nx\r");
}

#[test]
fn an_identifier_in_two_networks_appears_once() {
    let mut networks = fixture();
    networks[2].links = vec![link("phone", "+19195550123", &["c1"])];
    let xml = graphml_of(&networks);
    let document = roxmltree::Document::parse(&xml).unwrap();
    let nodes = elements(&document, "node");
    let phones: Vec<_> = nodes
        .iter()
        .filter(|n| n.attributes["id"] == "phone:+19195550123")
        .collect();
    assert_eq!(phones.len(), 1);
    assert_eq!(phones[0].data["node_network"], "7");
    let edges = elements(&document, "edge");
    assert!(edges.iter().any(
        |e| e.attributes["source"] == "ad:c1" && e.attributes["target"] == "phone:+19195550123"
    ));
}

#[test]
fn empty_input_gives_an_empty_graph() {
    let xml = graphml_of(&[]);
    let document = roxmltree::Document::parse(&xml).unwrap();
    assert!(elements(&document, "node").is_empty());
    assert_eq!(elements(&document, "graph").len(), 1);
}

fn i2_csv_of(networks: &[NetworkRecord]) -> (Vec<csv::StringRecord>, Vec<csv::StringRecord>) {
    let mut entities = Vec::new();
    let mut links = Vec::new();
    write_i2_csv(networks, &mut entities, &mut links).unwrap();
    let read = |bytes: &[u8], header: &[&str]| -> Vec<csv::StringRecord> {
        let mut reader = csv::Reader::from_reader(bytes);
        assert_eq!(reader.headers().unwrap(), header);
        reader.records().map(Result::unwrap).collect()
    };
    (
        read(
            &entities,
            &[
                "entity_id",
                "entity_type",
                "label",
                "network_id",
                "first_seen",
                "last_seen",
                "priority",
                "notes",
                "posted_at",
                "place",
                "latitude",
                "longitude",
                "url",
                "title",
                "site",
            ],
        ),
        read(
            &links,
            &[
                "link_id",
                "from_entity_id",
                "to_entity_id",
                "link_type",
                "network_id",
                "label",
            ],
        ),
    )
}

#[test]
fn i2_csv_links_join_existing_entities() {
    let (entities, links) = i2_csv_of(&fixture());
    assert_eq!(entities.len(), 15);
    assert_eq!(links.len(), 19);
    let entity_ids: BTreeSet<&str> = entities.iter().map(|e| &e[0]).collect();
    assert_eq!(entity_ids.len(), entities.len(), "entity ids are unique");
    let link_ids: BTreeSet<&str> = links.iter().map(|l| &l[0]).collect();
    assert_eq!(link_ids.len(), links.len(), "link ids are unique");
    for link in &links {
        assert!(entity_ids.contains(&link[1]), "from {:?}", &link[1]);
        assert!(entity_ids.contains(&link[2]), "to {:?}", &link[2]);
    }
    // The control character survives in CSV (ids stay exact there).
    assert!(entity_ids.contains("ad:a3<&\"'\u{1}"));
    let by_type = |kind: &str| entities.iter().filter(|e| &e[1] == kind).count();
    assert_eq!(by_type("network"), 3);
    assert_eq!(by_type("ad"), 7);
    assert_eq!(by_type("template"), 1);
}

#[test]
fn i2_csv_fills_network_rows_and_guards_formulas() {
    let (entities, links) = i2_csv_of(&fixture());
    let row = |id: &str| entities.iter().find(|e| &e[0] == id).unwrap().clone();

    let network = row("network:7");
    assert_eq!(&network[1], "network");
    assert_eq!(&network[3], "7");
    assert_eq!(&network[4], "2025-03-01T12:00:00Z");
    assert_eq!(&network[5], "2025-03-09T12:00:00Z");
    assert_eq!(&network[6], "4.5");
    assert!(network[7].starts_with("personas: Rose <new>"));
    let open_ended = row("network:8");
    assert_eq!(&open_ended[5], "");
    // Notes start with "personas:" or "reasons:", so a persona that looks like a formula
    // is harmless inside them.
    assert_eq!(&open_ended[7], "personas: -Mia");

    let ad = row("ad:a1");
    assert_eq!((&ad[4], &ad[5], &ad[6]), ("", "", ""));

    // Ids stay exact, free text is guarded.
    let phone = row("phone:+19195550123");
    assert_eq!(&phone[2], "'+19195550123");
    let email = row("email:=cmd|' /C calc'!A0@example.com");
    assert_eq!(&email[2], "'=cmd|' /C calc'!A0@example.com");
    let email_link = links.iter().find(|l| &l[3] == "email").unwrap();
    assert_eq!(&email_link[2], "email:=cmd|' /C calc'!A0@example.com");
    assert_eq!(&email_link[5], "'=cmd|' /C calc'!A0@example.com");
    let member = links.iter().find(|l| &l[3] == "member_of").unwrap();
    assert_eq!(
        (&member[1], &member[2], &member[4]),
        ("ad:a1", "network:7", "7")
    );
}

#[test]
fn json_round_trips_to_the_same_records() {
    let networks = fixture();
    let mut out = Vec::new();
    write_json(&networks, &mut out).unwrap();
    assert!(out.ends_with(b"\n"));
    let document: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(document["format"], JSON_FORMAT);
    assert_eq!(document["format"], "plainsight-networks");
    assert_eq!(document["version"], JSON_VERSION);
    assert_eq!(document["version"], 1);
    let back: Vec<NetworkRecord> = serde_json::from_value(document["networks"].clone()).unwrap();
    assert_eq!(back, networks);
}

#[test]
fn graphml_snapshot() {
    let networks = vec![NetworkRecord {
        network_id: 42,
        ads: strings(&["x1", "x2"]),
        phones: strings(&["+19195550123"]),
        emails: vec![],
        handles: vec![],
        image_hashes: vec![],
        personas: strings(&["Ana & Bea"]),
        locations: vec![],
        first_seen: Some(Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, 5).unwrap()),
        last_seen: Some(Utc.with_ymd_and_hms(2025, 1, 9, 3, 4, 5).unwrap()),
        ads_per_week: 2.0,
        personas_per_phone: 1.0,
        priority: 2.5,
        reasons: vec![],
        links: vec![
            link("phone", "+19195550123", &["x1", "x2"]),
            link("template", "T1", &["x1", "x2"]),
        ],
        unused_identifiers: vec![],
    }];
    insta::assert_snapshot!(graphml_of(&networks));
}

/// Attributes of two of the fixture's ads: one fully described, one with a formula title.
fn ad_attributes() -> AdAttributeMap {
    let mut ads = AdAttributeMap::new();
    ads.insert(
        "a1".into(),
        AdAttributes {
            posted_at: Some(Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).unwrap()),
            place: "Raleigh, NC".into(),
            latitude: Some(35.7721),
            longitude: Some(-78.63861),
            url: "http://ads.example/a1?x=1&y=<2>".into(),
            title: "New in town".into(),
            site: "ads.example".into(),
        },
    );
    ads.insert(
        "a2".into(),
        AdAttributes {
            title: "=HYPERLINK(\"http://x\")".into(),
            ..AdAttributes::default()
        },
    );
    ads
}

#[test]
fn ad_nodes_carry_date_place_coordinates_url_title_and_site_when_known() {
    let mut out = Vec::new();
    write_graphml_with(&fixture(), &ad_attributes(), &mut out).unwrap();
    let xml = String::from_utf8(out).unwrap();
    let document = roxmltree::Document::parse(&xml).unwrap();
    let nodes = elements(&document, "node");
    let data_of = |node_id: &str| -> BTreeMap<String, String> {
        nodes
            .iter()
            .find(|n| n.attributes.get("id").map(String::as_str) == Some(node_id))
            .unwrap()
            .data
            .clone()
    };
    let a1 = data_of("ad:a1");
    assert_eq!(a1["node_posted_at"], "2025-03-01T12:00:00Z");
    assert_eq!(a1["node_place"], "Raleigh, NC");
    assert_eq!(a1["node_latitude"], "35.7721");
    assert_eq!(a1["node_longitude"], "-78.63861");
    assert_eq!(a1["node_url"], "http://ads.example/a1?x=1&y=<2>");
    assert_eq!(a1["node_site"], "ads.example");
    assert_eq!(a1["node_label"], "a1: New in town");
    // Only what is known: no empty attributes.
    let a2 = data_of("ad:a2");
    assert!(!a2.contains_key("node_posted_at") && !a2.contains_key("node_latitude"));
    // An ad the caller did not describe keeps its id only.
    assert_eq!(data_of("ad:a1")["node_type"], "ad");
    let plain = data_of("network:7");
    assert!(!plain.contains_key("node_url"));

    let (mut entities, mut links) = (Vec::new(), Vec::new());
    write_i2_csv_with(&fixture(), &ad_attributes(), &mut entities, &mut links).unwrap();
    let mut reader = csv::Reader::from_reader(&entities[..]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let a1 = rows.iter().find(|r| &r[0] == "ad:a1").unwrap();
    assert_eq!(&a1[8], "2025-03-01T12:00:00Z");
    assert_eq!(&a1[9], "Raleigh, NC");
    assert_eq!(&a1[10], "35.7721");
    assert_eq!(&a1[12], "http://ads.example/a1?x=1&y=<2>");
    let a2 = rows.iter().find(|r| &r[0] == "ad:a2").unwrap();
    // A formula from an ad stays text.
    assert!(a2[13].starts_with("'="), "{:?}", &a2[13]);
    assert!(
        a2[2].starts_with("a2: =") || a2[2].starts_with("'"),
        "{:?}",
        &a2[2]
    );
}
