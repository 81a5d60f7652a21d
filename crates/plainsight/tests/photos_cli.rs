//! `ingest --images DIR` end to end: a scraper's JSONL names its images by path or URL, the
//! files under the folder are hashed (never stored), two ads with the same photo share its
//! identifiers, and a path that leaves the folder is refused with a warning while its ad is kept.

use std::path::Path;

use assert_cmd::Command;
use plainsight_core::IdentifierKind;
use plainsight_store::Store;

fn plainsight(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("plainsight").unwrap();
    cmd.current_dir(dir)
        .env("PLAINSIGHT_DB", format!("sqlite://{}/ws.db", dir.display()))
        .env_remove("RUST_LOG");
    cmd
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../plainsight-photo/tests/fixtures/images")
        .join(name)
}

#[tokio::test]
async fn ingest_hashes_images_named_by_path_or_url_under_the_images_folder() {
    let dir = tempfile::tempdir().unwrap();
    let images = dir.path().join("images");
    std::fs::create_dir_all(images.join("cdn.example/p")).unwrap();
    // The same photo under two names (one by path, one by URL), and another photo.
    std::fs::copy(fixture("scene_q90.jpg"), images.join("a.jpg")).unwrap();
    std::fs::copy(fixture("scene_q90.jpg"), images.join("cdn.example/p/b.jpg")).unwrap();
    std::fs::copy(fixture("noise_gray.png"), images.join("c.png")).unwrap();
    std::fs::write(dir.path().join("secret.png"), b"outside the folder").unwrap();
    let ads = concat!(
        r#"{"id":"p1","site":"s","body":"new in town","images":[{"path":"a.jpg"}]}"#,
        "\n",
        r#"{"id":"p2","site":"s","body":"ask for me","images":["https://cdn.example/p/b.jpg"]}"#,
        "\n",
        r#"{"id":"p3","site":"s","body":"other photo","images":[{"path":"c.png"}]}"#,
        "\n",
        r#"{"id":"p4","site":"s","body":"sneaky","images":[{"path":"../secret.png"}]}"#,
        "\n"
    );
    std::fs::write(dir.path().join("ads.jsonl"), ads).unwrap();
    let out = plainsight(dir.path())
        .args(["ingest", "ads.jsonl", "--images"])
        .arg(&images)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("unreadable image"), "{stderr}");

    let store =
        plainsight_store::SqliteStore::open(&format!("sqlite://{}/ws.db", dir.path().display()))
            .await
            .unwrap();
    assert_eq!(store.count_ads().await.unwrap(), 4, "no ad is lost");
    let phashes = store
        .top_identifiers(IdentifierKind::ImagePhash, 10)
        .await
        .unwrap();
    let counts: Vec<u64> = phashes.iter().map(|p| p.ads).collect();
    assert_eq!(counts, vec![2, 1], "{phashes:?}");
    assert!(phashes.iter().all(|p| p.value.len() == 16));
    let shas = store
        .top_identifiers(IdentifierKind::ImageSha256, 10)
        .await
        .unwrap();
    assert_eq!(shas.iter().map(|p| p.ads).collect::<Vec<_>>(), vec![2, 1]);
}
