//! Exports of networks for analysis tools: GraphML for Gephi, the entity/link CSV pair that
//! i2 Analyst's Notebook imports, and a JSON document of the records.
//!
//! GraphML and i2 CSV show the same graph, built once by [`build_graph`]:
//!
//! | node id                          | type                 | from                              |
//! |----------------------------------|----------------------|-----------------------------------|
//! | `network:<network id>`           | `network`            | each record                       |
//! | `ad:<ad id>`                     | `ad`                 | `ads` (and any ad named in links) |
//! | `<kind>:<value>`                 | the link kind        | identifier links (`phone`, …)     |
//! | `template:<network id>/<value>`  | `template`           | `template` links                  |
//!
//! | edge                  | type                                  |
//! |-----------------------|---------------------------------------|
//! | ad → network          | `member_of`                           |
//! | ad → identifier       | the link kind (`phone`, `email`, …)   |
//! | ad → template         | `template`                            |
//! | ad → ad               | `similar_photo` (label `phash:a~phash:b`) |
//!
//! Only identifiers that appear in `links` become nodes: a record's `phones`, `emails` and so
//! on do not say which ad carries them, so they could not be joined to ads. A node that two
//! records would both create (an identifier or ad in two networks, which analysis should never
//! produce) appears once, with the network id of the first record; edges are never repeated.
//! The output depends only on the input order, never on hashing.

use std::collections::{HashMap, HashSet};
use std::io::Write;

use chrono::{DateTime, SecondsFormat, Utc};
use plainsight_core::{NetworkId, NetworkRecord};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use serde::Serialize;

/// The `format` field of the JSON export.
pub const JSON_FORMAT: &str = "plainsight-networks";
/// The `version` field of the JSON export. Raised when the document shape changes.
pub const JSON_VERSION: u32 = 1;

const GRAPHML_NAMESPACE: &str = "http://graphml.graphdrawing.org/xmlns";
const GRAPHML_SCHEMA_LOCATION: &str = "http://graphml.graphdrawing.org/xmlns \
     http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd";

/// Why an export failed. Every variant is a failure of the output sink or its encoder: the
/// exports accept any `NetworkRecord`.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Writing to the output failed (this includes every GraphML write: quick-xml's writer only
    /// fails on I/O).
    #[error("could not write the export: {0}")]
    Io(#[from] std::io::Error),
    #[error("could not write the CSV export: {0}")]
    Csv(#[from] csv::Error),
    #[error("could not write the JSON export: {0}")]
    Json(#[from] serde_json::Error),
}

/// What an export says about an ad beyond its id, read from the stored ad by the caller (a
/// network record names its ads only): when it was posted, where (its first extracted place,
/// with the place's coordinates from the gazetteer), its original URL as text, its title and
/// its site. With these, Gephi's timeline and geo layouts and i2's temporal and map views work
/// on ad nodes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AdAttributes {
    pub posted_at: Option<DateTime<Utc>>,
    /// "City, ST", or the ad's location field when no place was extracted; empty if neither.
    pub place: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub url: String,
    pub title: String,
    pub site: String,
}

/// Attributes by ad id (the ids of `NetworkRecord::ads`). Ads missing from the map are
/// exported with their id only.
pub type AdAttributeMap = HashMap<String, AdAttributes>;

/// One node of the exported graph.
#[derive(Debug, Clone, PartialEq)]
struct Node {
    id: String,
    node_type: String,
    label: String,
    network_id: NetworkId,
    /// Set on network nodes only.
    summary: Option<NetworkSummary>,
    /// Set on ad nodes whose ad the caller described.
    ad: Option<AdAttributes>,
}

/// What a network node carries beyond the common node fields.
#[derive(Debug, Clone, PartialEq)]
struct NetworkSummary {
    priority: f64,
    ads: usize,
    first_seen: Option<DateTime<Utc>>,
    last_seen: Option<DateTime<Utc>>,
    notes: String,
}

/// One edge of the exported graph.
#[derive(Debug, Clone, PartialEq)]
struct Edge {
    source: String,
    target: String,
    edge_type: String,
    network_id: NetworkId,
    label: String,
}

/// Nodes and edges in first-seen order, without repeats.
#[derive(Debug, Default)]
struct Graph {
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    node_ids: HashSet<String>,
    edge_keys: HashSet<(String, String, String)>,
}

impl Graph {
    fn add_node(&mut self, node: Node) {
        if self.node_ids.insert(node.id.clone()) {
            self.nodes.push(node);
        }
    }

    fn add_ad(&mut self, ad: &str, network_id: NetworkId, ads: &AdAttributeMap) -> String {
        let id = format!("ad:{ad}");
        if !self.node_ids.contains(&id) {
            let attributes = ads.get(ad).cloned();
            // A titled ad reads better by its title than by a scraper's id.
            let label = attributes
                .as_ref()
                .map(|a| a.title.trim())
                .filter(|t| !t.is_empty())
                .map_or_else(|| ad.to_string(), |t| format!("{ad}: {t}"));
            self.add_node(Node {
                id: id.clone(),
                node_type: "ad".into(),
                label,
                network_id,
                summary: None,
                ad: attributes,
            });
        }
        id
    }

    fn add_edge(&mut self, edge: Edge) {
        let key = (
            edge.source.clone(),
            edge.target.clone(),
            edge.edge_type.clone(),
        );
        if self.edge_keys.insert(key) {
            self.edges.push(edge);
        }
    }
}

/// Link kinds that are not shared identifiers and get their own treatment.
const TEMPLATE_KIND: &str = "template";
const SIMILAR_PHOTO_KIND: &str = "similar_photo";
const MEMBER_OF: &str = "member_of";

fn build_graph(networks: &[NetworkRecord], ads: &AdAttributeMap) -> Graph {
    let mut graph = Graph::default();
    for network in networks {
        let network_node = format!("network:{}", network.network_id);
        graph.add_node(Node {
            id: network_node.clone(),
            node_type: "network".into(),
            label: format!("network {}", network.network_id),
            network_id: network.network_id,
            summary: Some(NetworkSummary {
                priority: network.priority,
                ads: network.ads.len(),
                first_seen: network.first_seen,
                last_seen: network.last_seen,
                notes: network_notes(network),
            }),
            ad: None,
        });
        for ad in &network.ads {
            let ad_node = graph.add_ad(ad, network.network_id, ads);
            graph.add_edge(Edge {
                source: ad_node,
                target: network_node.clone(),
                edge_type: MEMBER_OF.into(),
                network_id: network.network_id,
                label: String::new(),
            });
        }
        for link in &network.links {
            if link.kind == SIMILAR_PHOTO_KIND {
                // The link does not say which ad holds which photo, so the ads are chained in
                // the order given: n ads give n − 1 edges and stay connected, with no
                // quadratic blow-up for a photo reused across many ads.
                for pair in link.ads.windows(2) {
                    if pair[0] == pair[1] {
                        continue;
                    }
                    let source = graph.add_ad(&pair[0], network.network_id, ads);
                    let target = graph.add_ad(&pair[1], network.network_id, ads);
                    graph.add_edge(Edge {
                        source,
                        target,
                        edge_type: SIMILAR_PHOTO_KIND.into(),
                        network_id: network.network_id,
                        label: link.value.clone(),
                    });
                }
                continue;
            }
            // Template ids are only unique within a network, hence the network in the node id.
            let target = if link.kind == TEMPLATE_KIND {
                format!("template:{}/{}", network.network_id, link.value)
            } else {
                format!("{}:{}", link.kind, link.value)
            };
            graph.add_node(Node {
                id: target.clone(),
                node_type: link.kind.clone(),
                label: link.value.clone(),
                network_id: network.network_id,
                summary: None,
                ad: None,
            });
            for ad in &link.ads {
                let source = graph.add_ad(ad, network.network_id, ads);
                graph.add_edge(Edge {
                    source,
                    target: target.clone(),
                    edge_type: link.kind.clone(),
                    network_id: network.network_id,
                    label: link.value.clone(),
                });
            }
        }
    }
    graph
}

/// A one-line summary for analysts: personas, then reasons with their contributions.
fn network_notes(network: &NetworkRecord) -> String {
    let mut parts = Vec::new();
    if !network.personas.is_empty() {
        parts.push(format!("personas: {}", network.personas.join(", ")));
    }
    if !network.reasons.is_empty() {
        let reasons: Vec<String> = network
            .reasons
            .iter()
            .map(|reason| format!("{} ({})", reason.code, reason.weight))
            .collect();
        parts.push(format!("reasons: {}", reasons.join(", ")));
    }
    parts.join("; ")
}

fn rfc3339(time: Option<DateTime<Utc>>) -> String {
    time.map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
        .unwrap_or_default()
}

/// One declared GraphML attribute: (key id, for, attr.name, attr.type).
const GRAPHML_KEYS: [(&str, &str, &str, &str); 18] = [
    ("node_type", "node", "type", "string"),
    ("node_label", "node", "label", "string"),
    ("node_network", "node", "network_id", "long"),
    ("node_priority", "node", "priority", "double"),
    ("node_ads", "node", "ads", "int"),
    ("node_first_seen", "node", "first_seen", "string"),
    ("node_last_seen", "node", "last_seen", "string"),
    ("node_notes", "node", "notes", "string"),
    ("node_posted_at", "node", "posted_at", "string"),
    ("node_place", "node", "place", "string"),
    ("node_latitude", "node", "latitude", "double"),
    ("node_longitude", "node", "longitude", "double"),
    ("node_url", "node", "url", "string"),
    ("node_title", "node", "title", "string"),
    ("node_site", "node", "site", "string"),
    ("edge_type", "edge", "type", "string"),
    ("edge_network", "edge", "network_id", "long"),
    ("edge_label", "edge", "label", "string"),
];

/// Writes the networks as a GraphML document (UTF-8, XML 1.0) that Gephi opens.
///
/// See the [module documentation](self) for the nodes and edges. Every text goes through
/// quick-xml's escaping; characters that XML 1.0 cannot carry at all (control characters other
/// than tab, line feed and carriage return, and U+FFFE/U+FFFF) are replaced by U+FFFD. If that
/// replacement makes two node ids equal, the node is written once.
pub fn write_graphml<W: Write>(networks: &[NetworkRecord], out: W) -> Result<(), ExportError> {
    write_graphml_with(networks, &AdAttributeMap::new(), out)
}

/// [`write_graphml`] with what is known of each ad: ad nodes get `posted_at` (RFC 3339),
/// `place`, `latitude`, `longitude`, `url`, `title` and `site`, each only when known.
pub fn write_graphml_with<W: Write>(
    networks: &[NetworkRecord],
    ads: &AdAttributeMap,
    out: W,
) -> Result<(), ExportError> {
    let graph = build_graph(networks, ads);
    let mut writer = Writer::new_with_indent(out, b' ', 2);
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    writer.write_event(Event::Start(BytesStart::new("graphml").with_attributes([
        ("xmlns", GRAPHML_NAMESPACE),
        ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
        ("xsi:schemaLocation", GRAPHML_SCHEMA_LOCATION),
    ])))?;
    for (id, for_what, name, kind) in GRAPHML_KEYS {
        writer
            .create_element("key")
            .with_attributes([
                ("id", id),
                ("for", for_what),
                ("attr.name", name),
                ("attr.type", kind),
            ])
            .write_empty()?;
    }
    writer.write_event(Event::Start(BytesStart::new("graph").with_attributes([
        ("id", "plainsight-networks"),
        ("edgedefault", "directed"),
    ])))?;

    let mut written_node_ids = HashSet::new();
    for node in &graph.nodes {
        let id = xml_safe(&node.id);
        if !written_node_ids.insert(id.clone()) {
            continue;
        }
        let mut data = vec![
            ("node_type", node.node_type.clone()),
            ("node_label", node.label.clone()),
            ("node_network", node.network_id.to_string()),
        ];
        if let Some(summary) = &node.summary {
            data.push(("node_priority", summary.priority.to_string()));
            data.push(("node_ads", summary.ads.to_string()));
            if summary.first_seen.is_some() {
                data.push(("node_first_seen", rfc3339(summary.first_seen)));
            }
            if summary.last_seen.is_some() {
                data.push(("node_last_seen", rfc3339(summary.last_seen)));
            }
            if !summary.notes.is_empty() {
                data.push(("node_notes", summary.notes.clone()));
            }
        }
        if let Some(ad) = &node.ad {
            if ad.posted_at.is_some() {
                data.push(("node_posted_at", rfc3339(ad.posted_at)));
            }
            if let (Some(lat), Some(lon)) = (ad.latitude, ad.longitude) {
                data.push(("node_latitude", lat.to_string()));
                data.push(("node_longitude", lon.to_string()));
            }
            for (key, value) in [
                ("node_place", &ad.place),
                ("node_url", &ad.url),
                ("node_title", &ad.title),
                ("node_site", &ad.site),
            ] {
                if !value.is_empty() {
                    data.push((key, value.clone()));
                }
            }
        }
        write_element_with_data(&mut writer, "node", &[("id", &id)], &data)?;
    }
    for (index, edge) in graph.edges.iter().enumerate() {
        let mut data = vec![
            ("edge_type", edge.edge_type.clone()),
            ("edge_network", edge.network_id.to_string()),
        ];
        if !edge.label.is_empty() {
            data.push(("edge_label", edge.label.clone()));
        }
        let id = format!("e{index}");
        let source = xml_safe(&edge.source);
        let target = xml_safe(&edge.target);
        write_element_with_data(
            &mut writer,
            "edge",
            &[("id", &id), ("source", &source), ("target", &target)],
            &data,
        )?;
    }

    writer.write_event(Event::End(BytesEnd::new("graph")))?;
    writer.write_event(Event::End(BytesEnd::new("graphml")))?;
    let mut out = writer.into_inner();
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

/// Writes `<name attributes…><data key="…">value</data>…</name>`.
fn write_element_with_data<W: Write>(
    writer: &mut Writer<W>,
    name: &str,
    attributes: &[(&str, &str)],
    data: &[(&str, String)],
) -> std::io::Result<()> {
    writer
        .create_element(name)
        .with_attributes(attributes.iter().copied())
        .write_inner_content(|inner| {
            for (key, value) in data {
                inner
                    .create_element("data")
                    .with_attribute(("key", *key))
                    .write_text_content(BytesText::new(&xml_safe(value)))?;
            }
            Ok(())
        })?;
    Ok(())
}

/// Replaces characters that XML 1.0 does not allow anywhere in a document, even escaped, by
/// U+FFFD. Allowed: tab, line feed, carriage return, U+0020–U+D7FF, U+E000–U+FFFD and
/// U+10000 up (Rust strings hold no surrogates).
fn xml_safe(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            '\u{0}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}' => '\u{FFFD}',
            _ => c,
        })
        .collect()
}

/// Writes the entity/link CSV pair that i2 Analyst's Notebook imports with an import
/// specification.
///
/// `entities` has the columns `entity_id,entity_type,label,network_id,first_seen,last_seen,
/// priority,notes,posted_at,place,latitude,longitude,url,title,site`: one row per ad,
/// identifier, template and network (the nodes of the [module documentation](self)). Dates are
/// RFC 3339 in UTC; first and last seen and priority are set on network rows, the last seven
/// columns on ad rows whose ad is described (see [`write_i2_csv_with`]); all are empty
/// elsewhere. `links` has the columns
/// `link_id,from_entity_id,to_entity_id,link_type,network_id,label`; every endpoint is an
/// `entity_id` of `entities`.
///
/// **Spreadsheet-formula guard.** A text cell that a spreadsheet could run as a formula
/// (starting with `=`, `+`, `-`, `@`, tab or carriage return) gets a leading `'`. The guard
/// applies to the text columns `entity_type`, `label`, `notes` and `link_type`, so a phone label
/// reads `'+19195550123`. Ids, numbers and dates are never changed: `entity_id`, `link_id` and
/// the endpoint columns always start with a kind prefix (`ad:`, `phone:`, `link:` …), so the
/// exact identifier is always in `entity_id`, and matching ids across the two files is exact.
pub fn write_i2_csv<W1: Write, W2: Write>(
    networks: &[NetworkRecord],
    entities: W1,
    links: W2,
) -> Result<(), ExportError> {
    write_i2_csv_with(networks, &AdAttributeMap::new(), entities, links)
}

/// [`write_i2_csv`] with what is known of each ad (date, place, coordinates, URL, title, site
/// on ad rows).
pub fn write_i2_csv_with<W1: Write, W2: Write>(
    networks: &[NetworkRecord],
    ads: &AdAttributeMap,
    entities: W1,
    links: W2,
) -> Result<(), ExportError> {
    let graph = build_graph(networks, ads);

    let mut entity_writer = csv::Writer::from_writer(entities);
    entity_writer.write_record([
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
    ])?;
    for node in &graph.nodes {
        let (first_seen, last_seen, priority, notes) = match &node.summary {
            Some(summary) => (
                rfc3339(summary.first_seen),
                rfc3339(summary.last_seen),
                summary.priority.to_string(),
                summary.notes.as_str(),
            ),
            None => (String::new(), String::new(), String::new(), ""),
        };
        let none = AdAttributes::default();
        let ad = node.ad.as_ref().unwrap_or(&none);
        let number = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
        entity_writer.write_record([
            node.id.as_str(),
            formula_guard(&node.node_type).as_ref(),
            formula_guard(&node.label).as_ref(),
            &node.network_id.to_string(),
            &first_seen,
            &last_seen,
            &priority,
            formula_guard(notes).as_ref(),
            &rfc3339(ad.posted_at),
            formula_guard(&ad.place).as_ref(),
            &number(ad.latitude),
            &number(ad.longitude),
            formula_guard(&ad.url).as_ref(),
            formula_guard(&ad.title).as_ref(),
            formula_guard(&ad.site).as_ref(),
        ])?;
    }
    entity_writer.flush()?;

    let mut link_writer = csv::Writer::from_writer(links);
    link_writer.write_record([
        "link_id",
        "from_entity_id",
        "to_entity_id",
        "link_type",
        "network_id",
        "label",
    ])?;
    for (index, edge) in graph.edges.iter().enumerate() {
        link_writer.write_record([
            format!("link:{index}").as_str(),
            &edge.source,
            &edge.target,
            formula_guard(&edge.edge_type).as_ref(),
            &edge.network_id.to_string(),
            formula_guard(&edge.label).as_ref(),
        ])?;
    }
    link_writer.flush()?;
    Ok(())
}

/// Prefixes `'` to text a spreadsheet would read as a formula (see [`write_i2_csv`]): the
/// rule every CSV writer of the program shares, [`plainsight_core::spreadsheet_safe`].
fn formula_guard(text: &str) -> std::borrow::Cow<'_, str> {
    plainsight_core::spreadsheet_safe(text)
}

/// The JSON export document.
#[derive(Serialize)]
struct JsonDocument<'a> {
    format: &'static str,
    version: u32,
    networks: &'a [NetworkRecord],
}

/// Writes `{"format":"plainsight-networks","version":1,"networks":[…]}` followed by a newline,
/// with each record as it serialises (the `plainsight networks --format jsonl` line).
pub fn write_json<W: Write>(networks: &[NetworkRecord], mut out: W) -> Result<(), ExportError> {
    let document = JsonDocument {
        format: JSON_FORMAT,
        version: JSON_VERSION,
        networks,
    };
    serde_json::to_writer(&mut out, &document)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_safe_replaces_only_forbidden_characters() {
        assert_eq!(
            xml_safe("a\u{1}b\tc\nd\re\u{FFFF}"),
            "a\u{FFFD}b\tc\nd\re\u{FFFD}"
        );
        assert_eq!(xml_safe("<&\"'é😀"), "<&\"'é😀");
    }

    #[test]
    fn formula_guard_prefixes_only_formula_starts() {
        assert_eq!(formula_guard("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(formula_guard("+19195550123"), "'+19195550123");
        assert_eq!(formula_guard("-1"), "'-1");
        assert_eq!(formula_guard("@home"), "'@home");
        assert_eq!(formula_guard("ad 1 = ok"), "ad 1 = ok");
        assert_eq!(formula_guard(""), "");
    }
}
