//! The case package: what goes to a prosecutor or a partner, as one ZIP file. It holds every
//! ad of every network in the folder (and the ads added alone) with text, URL, date and place;
//! every identifier; the review labels with their notes and who gave them; the folder's notes
//! and audit trail. Three forms of the same content: `case.html` to print (styles inside, no
//! outside file needed), `ads.csv` with one row per ad, `case.json`; and `manifest.json` and
//! `SHA256SUMS` with the SHA-256 of every other file (`sha256sum -c SHA256SUMS` checks them).

use std::collections::BTreeSet;
use std::io::Write;

use maud::{DOCTYPE, Markup, PreEscaped, html};
use plainsight_core::NetworkRecord;
use plainsight_store::{CaseNote, CaseSummary, NetworkLabel, StoredAd, StoredAudit};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::routes::{CsvFile, csv_text};
use crate::views::{day, label_text, when};
use crate::{WebError, reasons};

/// One network of the folder.
#[derive(Debug, Clone, Serialize)]
pub struct PackageNetwork {
    pub network_id: i64,
    /// `None` when it no longer exists (merged into another, or expired).
    pub record: Option<NetworkRecord>,
    /// Every label, newest first.
    pub labels: Vec<NetworkLabel>,
    pub added_by: String,
    pub added_at: String,
}

/// One ad of the package and why it is there.
#[derive(Debug, Clone, Serialize)]
pub struct PackageAd {
    /// The folder's network the ad belongs to; `None` for an ad added on its own.
    pub network_id: Option<i64>,
    pub stored: StoredAd,
}

/// Everything a package holds.
#[derive(Debug, Clone, Serialize)]
pub struct Package {
    pub case: CaseSummary,
    pub team: String,
    pub exported_by: String,
    /// RFC 3339, UTC.
    pub generated_at: String,
    pub demo: bool,
    pub networks: Vec<PackageNetwork>,
    pub ads: Vec<PackageAd>,
    /// Ads added alone that have since expired (their keys).
    pub expired_ads: Vec<i64>,
    pub notes: Vec<CaseNote>,
    pub audit_trail: Vec<StoredAudit>,
}

/// The printable package's styles: kept inside the file, so it prints as it looks anywhere.
pub const PRINT_CSS: &str = "body{font:14px/1.45 system-ui,sans-serif;color:#1d2330;max-width:62rem;\
margin:1rem auto;padding:0 1rem}table{border-collapse:collapse;width:100%;margin:.5rem 0}\
th,td{text-align:left;padding:.3rem .45rem;border-bottom:1px solid #d5d9e2;vertical-align:top}\
th{font-size:.85rem;color:#5a6275}pre,.text{white-space:pre-wrap;overflow-wrap:anywhere;font:inherit}\
code,.url{overflow-wrap:anywhere}.meta{color:#5a6275;font-size:.9rem}.demo{background:#7a3e00;\
color:#fff;padding:.3rem;text-align:center}.ad{border-top:1px solid #d5d9e2;padding-top:.4rem;\
break-inside:avoid}h2{border-bottom:2px solid #1d2330;margin-top:2rem}";

/// Ads of a network, in the package's order.
fn ads_of(package: &Package, network: Option<i64>) -> impl Iterator<Item = &PackageAd> {
    package.ads.iter().filter(move |a| a.network_id == network)
}

/// The places extracted from an ad, as "City, ST".
fn places(ad: &StoredAd) -> String {
    let mut seen = BTreeSet::new();
    ad.extraction
        .locations
        .iter()
        .map(|l| format!("{}, {}", l.name, l.admin1))
        .filter(|p| seen.insert(p.clone()))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Every identifier found in an ad, as network pages write them.
fn identifiers(ad: &StoredAd) -> Vec<String> {
    let x = &ad.extraction;
    let mut out: BTreeSet<String> = BTreeSet::new();
    out.extend(x.phones.iter().map(|p| p.e164.clone()));
    out.extend(x.emails.iter().map(|e| e.email.to_lowercase()));
    out.extend(
        x.handles
            .iter()
            .map(|h| format!("{}:{}", h.platform, h.handle.to_lowercase())),
    );
    out.extend(
        x.payments
            .iter()
            .map(|p| format!("{}:{}", p.platform, p.handle.to_lowercase())),
    );
    out.into_iter().collect()
}

fn ad_block(a: &PackageAd) -> Markup {
    let ad = &a.stored.ad;
    html! {
        div.ad {
            h4 { "Ad " (ad.id) }
            p.meta {
                "Site " (ad.site.as_deref().unwrap_or("unknown")) " · posted "
                (ad.posted_at.map(|t| t.to_rfc3339()).unwrap_or_else(|| "—".into()))
                " · place " (ad.location.as_deref().unwrap_or("—"))
                @let p = places(&a.stored);
                @if !p.is_empty() { " (found: " (p) ")" }
            }
            @if let Some(url) = &ad.url { p.meta { "Address (as text): " span.url { (url) } } }
            @let ids = identifiers(&a.stored);
            @if !ids.is_empty() { p.meta { "Identifiers: " (ids.join(", ")) } }
            @if let Some(t) = &ad.title { p { strong { (crate::routes::leads::with_breaks(t)) } } }
            div.text { (crate::routes::leads::with_breaks(ad.body.as_deref().unwrap_or(""))) }
        }
    }
}

/// `case.html`: the package to read and print. In the ZIP its styles are inside the file (it
/// prints as it looks anywhere); served by the application (`served`), they come from
/// `/static/package.css`, as the page's content-security policy allows no inline style.
pub fn html(package: &Package, served: bool) -> String {
    let c = &package.case;
    let doc: Markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "Case #" (c.case_id) " " (c.title) }
                @if served { link rel="stylesheet" href="/static/package.css"; } @else { style { (PreEscaped(PRINT_CSS)) } }
            }
            body {
                @if package.demo { p.demo { "DEMO workspace: generated data. Nothing here is real." } }
                h1 { "Case #" (c.case_id) ": " (c.title) }
                table {
                    tbody {
                        tr { th { "Agency case number" } td { @if c.agency_case_number.is_empty() { "—" } @else { (c.agency_case_number) } } }
                        tr { th { "Assigned to" } td { @if c.assignee.is_empty() { "—" } @else { (c.assignee) } } }
                        tr { th { "Team" } td { (package.team) } }
                        tr { th { "Status" } td { (c.status) } }
                        tr { th { "Created" } td { (when(Some(&c.created_at))) " by " (c.created_by) } }
                        tr { th { "Exported" } td { (package.generated_at) " by " (package.exported_by) } }
                        tr { th { "Contents" } td { (package.networks.len()) " networks, " (package.ads.len()) " ads, " (package.notes.len()) " notes" } }
                    }
                }
                p { strong { "Leads for review, not evidence of a crime." } " Every reason below is a pointer to text to read, not a finding about anyone. Addresses of ads are shown as text and were never opened by Plainsight." }
                h2 { "Networks" }
                @if package.networks.is_empty() { p { "No network in this folder." } }
                @for n in &package.networks {
                    h3 { "Network N" (n.network_id) }
                    p.meta { "Added by " (n.added_by) " " (when(Some(&n.added_at))) }
                    @match &n.record {
                        None => p { "This network no longer exists (merged into another, or expired)." },
                        Some(r) => {
                            p { "Priority " (format!("{:.1}", r.priority)) " · " (r.ads.len()) " ads · " (day(r.first_seen)) " – " (day(r.last_seen)) }
                            table { tbody {
                                tr { th { "Phones" } td { (r.phones.join(", ")) } }
                                tr { th { "Emails" } td { (r.emails.join(", ")) } }
                                tr { th { "Handles" } td { (r.handles.join(", ")) } }
                                tr { th { "Names used" } td { (r.personas.join(", ")) } }
                                tr { th { "Places (first seen – last seen, ads)" } td {
                                    @for l in &r.locations { (l.name) ", " (l.admin1) " (" (day(l.first_seen)) " – " (day(l.last_seen)) ", " (l.ads) "); " }
                                } }
                                tr { th { "Photo hashes" } td { (r.image_hashes.len()) " (photos are never kept)" } }
                            } }
                            h4 { "Reasons for review" }
                            ol { @for reason in r.reasons.iter().filter(|x| (x.weight * x.value).abs() >= 0.05) {
                                li { (reason.description) " (" (format!("{:+.2}", reason.weight * reason.value)) ")"
                                    @if let Some(info) = reasons::info(&reason.code) { span.meta { " · source: " (info.source) } } }
                            } }
                            h4 { "What links the ads" }
                            table {
                                thead { tr { th { "Link" } th { "Value" } th { "Ads" } } }
                                tbody { @for l in &r.links { tr { td { (l.kind) } td { code { (l.value) } } td { (l.ads.len()) } } } }
                            }
                        }
                    }
                    h4 { "Review labels" }
                    @if n.labels.is_empty() { p { "Not labelled." } }
                    ul { @for l in &n.labels {
                        li { "v" (l.version) " · " (label_text(&l.label)) " by " (l.username) " at " (when(Some(&l.created_at)))
                            " (rank " (l.rank) ", priority " (format!("{:.1}", l.priority)) ")"
                            @if !l.note.is_empty() { ": " span.text { (l.note) } } }
                    } }
                    h4 { "Ads of N" (n.network_id) " (" (ads_of(package, Some(n.network_id)).count()) ")" }
                    @for a in ads_of(package, Some(n.network_id)) { (ad_block(a)) }
                }
                h2 { "Ads added on their own" }
                @let alone: Vec<&PackageAd> = ads_of(package, None).collect();
                @if alone.is_empty() && package.expired_ads.is_empty() { p { "None." } }
                @for a in &alone { (ad_block(a)) }
                @for key in &package.expired_ads { p { "Ad " (key) " has expired (removed by retention)." } }
                h2 { "Notes" }
                @if package.notes.is_empty() { p { "None." } }
                @for n in &package.notes { p { strong { (n.username) " " (when(Some(&n.created_at))) } ": " span.text { (n.text) } } }
                h2 { "Audit trail of this folder" }
                table {
                    thead { tr { th { "#" } th { "Time (UTC)" } th { "User" } th { "Action" } th { "Outcome" } th { "Detail" } } }
                    tbody { @for e in &package.audit_trail { tr {
                        td { (e.record.seq) } td { (e.record.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)) }
                        td { (e.record.actor.as_deref().unwrap_or("")) } td { (e.record.action) } td { (e.record.outcome.as_str()) }
                        td { (e.record.detail.as_deref().unwrap_or("")) }
                    } } }
                }
            }
        }
    };
    doc.into_string()
}

/// `ads.csv`: one row per ad.
pub fn ads_csv(package: &Package) -> Result<Vec<u8>, WebError> {
    let mut w = CsvFile::new();
    w.row([
        "network",
        "ad_key",
        "site",
        "ad_id",
        "posted_at",
        "location",
        "places_found",
        "url",
        "title",
        "text",
        "identifiers",
        "network_label",
    ])?;
    for a in &package.ads {
        let ad = &a.stored.ad;
        let label = a
            .network_id
            .and_then(|id| package.networks.iter().find(|n| n.network_id == id))
            .and_then(|n| n.labels.first())
            .map(|l| l.label.clone())
            .unwrap_or_default();
        w.row([
            a.network_id.map(|n| n.to_string()).unwrap_or_default(),
            a.stored.ad_key.to_string(),
            csv_text(ad.site.as_deref().unwrap_or("")),
            csv_text(&ad.id),
            ad.posted_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            csv_text(ad.location.as_deref().unwrap_or("")),
            csv_text(&places(&a.stored)),
            csv_text(ad.url.as_deref().unwrap_or("")),
            csv_text(ad.title.as_deref().unwrap_or("")),
            csv_text(ad.body.as_deref().unwrap_or("")),
            csv_text(&identifiers(&a.stored).join("; ")),
            label,
        ])?;
    }
    w.into_bytes()
}

/// One file of the manifest.
#[derive(Debug, Serialize)]
struct ManifestEntry<'a> {
    path: &'a str,
    bytes: usize,
    sha256: String,
}

#[derive(Debug, Serialize)]
struct Manifest<'a> {
    case_id: i64,
    agency_case_number: &'a str,
    generated_at: &'a str,
    exported_by: &'a str,
    /// What the hashes are: SHA-256 of each file's bytes, lower-case hex.
    algorithm: &'static str,
    files: Vec<ManifestEntry<'a>>,
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The files of the package, with the manifest and checksums last: (name, bytes).
pub fn files(package: &Package) -> Result<Vec<(String, Vec<u8>)>, WebError> {
    let json = serde_json::to_vec_pretty(package)
        .map_err(|e| WebError::Internal(format!("case package JSON: {e}")))?;
    let mut files = vec![
        ("case.html".to_string(), html(package, false).into_bytes()),
        ("ads.csv".to_string(), ads_csv(package)?),
        ("case.json".to_string(), json),
    ];
    let manifest = Manifest {
        case_id: package.case.case_id,
        agency_case_number: &package.case.agency_case_number,
        generated_at: &package.generated_at,
        exported_by: &package.exported_by,
        algorithm: "sha256",
        files: files
            .iter()
            .map(|(name, bytes)| ManifestEntry {
                path: name,
                bytes: bytes.len(),
                sha256: hex_sha256(bytes),
            })
            .collect(),
    };
    let sums: String = manifest
        .files
        .iter()
        .map(|f| format!("{}  {}\n", f.sha256, f.path))
        .collect();
    let manifest = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| WebError::Internal(format!("case package manifest: {e}")))?;
    files.push(("manifest.json".to_string(), manifest));
    files.push(("SHA256SUMS".to_string(), sums.into_bytes()));
    Ok(files)
}

/// The files as one ZIP, each under the folder `case-<id>/`.
pub fn zip(case_id: i64, files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, WebError> {
    let zip_err = |e: zip::result::ZipError| WebError::Internal(format!("case package ZIP: {e}"));
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        z.start_file(format!("case-{case_id}/{name}"), options)
            .map_err(zip_err)?;
        z.write_all(bytes)
            .map_err(|e| WebError::Internal(format!("case package ZIP: {e}")))?;
    }
    Ok(z.finish().map_err(zip_err)?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn empty_package() -> Package {
        Package {
            case: CaseSummary {
                case_id: 7,
                team_id: 1,
                title: "=cmd|' /C calc'!A0".into(),
                status: "open".into(),
                created_by: "ana".into(),
                created_at: "2026-01-01T00:00:00.000Z".into(),
                networks: 0,
                ads: 0,
                notes: 0,
                agency_case_number: "2026-VICE-0042".into(),
                assignee: "ana".into(),
            },
            team: "vice".into(),
            exported_by: "ana".into(),
            generated_at: "2026-01-02T00:00:00Z".into(),
            demo: false,
            networks: Vec::new(),
            ads: Vec::new(),
            expired_ads: vec![3],
            notes: vec![CaseNote {
                note_id: 1,
                username: "ana".into(),
                created_at: "2026-01-01T00:00:00.000Z".into(),
                text: "<script>alert(1)</script>".into(),
            }],
            audit_trail: Vec::new(),
        }
    }

    #[test]
    fn the_manifest_hashes_every_file_and_the_zip_holds_them_unchanged() {
        let p = empty_package();
        let files = files(&p).unwrap();
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "case.html",
                "ads.csv",
                "case.json",
                "manifest.json",
                "SHA256SUMS"
            ]
        );
        let manifest: serde_json::Value = serde_json::from_slice(&files[3].1).unwrap();
        let listed = manifest["files"].as_array().unwrap();
        assert_eq!(listed.len(), 3);
        for entry in listed {
            let (_, bytes) = files
                .iter()
                .find(|(n, _)| n == entry["path"].as_str().unwrap())
                .unwrap();
            assert_eq!(entry["sha256"], hex_sha256(bytes));
            assert_eq!(entry["bytes"], bytes.len());
        }
        let sums = String::from_utf8(files[4].1.clone()).unwrap();
        assert!(sums.contains(&format!("{}  case.html\n", hex_sha256(&files[0].1))));
        // The ZIP gives back the same bytes.
        let zipped = zip(7, &files).unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zipped)).unwrap();
        for (name, bytes) in &files {
            let mut f = archive.by_name(&format!("case-7/{name}")).unwrap();
            let mut back = Vec::new();
            f.read_to_end(&mut back).unwrap();
            assert_eq!(&back, bytes, "{name}");
        }
    }

    #[test]
    fn the_printable_package_escapes_what_people_wrote() {
        let html = html(&empty_package(), false);
        assert!(!html.contains("<script>alert(1)"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("2026-VICE-0042"));
        assert!(html.contains("Ad 3 has expired"));
    }
}
