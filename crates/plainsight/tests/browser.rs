//! End-to-end tests of the web application in a real browser: headless Chromium driven over
//! WebDriver (chromedriver) against `plainsight demo`, the real binary serving a generated
//! corpus. They sign in with the second factor, work the lead queue, open and label a network,
//! build and export a case folder, sign out, and check what a viewer may not open.
//!
//! They need Debian's `chromium` and `chromium-driver`, so they are ignored by a plain
//! `cargo test`; run them with
//!
//! ```sh
//! cargo test -p plainsight --test browser -- --ignored --test-threads=1
//! ```
//!
//! `CHROME` names another browser binary, `CHROMEDRIVER` another driver. A screenshot of every
//! step is saved under `target/browser-screenshots/` (of the workspace).

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail, ensure};
use fantoccini::actions::{InputSource, MouseActions, PointerAction};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use plainsight_access::{TotpSecret, totp_code};
use serde_json::{Value, json};

/// How long to wait for an element, a page or a process.
const WAIT: Duration = Duration::from_secs(30);
/// How long the demo may take to generate, ingest and analyse its corpus before it serves.
const DEMO_START: Duration = Duration::from_secs(900);

/// A child process that is killed (with its process group) when the test ends, however it ends.
struct Guard {
    child: Child,
    name: &'static str,
}

impl Drop for Guard {
    fn drop(&mut self) {
        // The child leads its own process group; kill the group so that what it started (the
        // browser under chromedriver) goes too.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        eprintln!("stopped {}", self.name);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

fn wait_for_port(port: u16, guard: &mut Guard, within: Duration) -> anyhow::Result<()> {
    let start = Instant::now();
    loop {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        if let Some(status) = guard.child.try_wait()? {
            bail!("{} exited ({status}) before it listened", guard.name);
        }
        if start.elapsed() > within {
            bail!("{} did not listen on port {port} in time", guard.name);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Where screenshots go: `target/browser-screenshots/` of the workspace.
fn screenshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/browser-screenshots")
}

/// Where the browser saves downloads: `target/browser-downloads/` of the workspace, made if
/// missing (Chromium wants an existing folder, and a path without `..`).
fn download_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/browser-downloads");
    let _ = std::fs::create_dir_all(&dir);
    dir.canonicalize().unwrap_or(dir)
}

fn save_png(name: &str, png: &[u8]) -> anyhow::Result<()> {
    let dir = screenshot_dir();
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(format!("{name}.png")), png)?;
    Ok(())
}

/// `plainsight demo` serving on a free port: its base URL, the admin's one-time password and
/// the guard that stops it.
struct Demo {
    base: String,
    password: String,
    _dir: tempfile::TempDir,
    _guard: Guard,
}

fn start_demo(ads: usize) -> anyhow::Result<Demo> {
    let dir = tempfile::tempdir()?;
    let port = free_port();
    let log = std::fs::File::create(dir.path().join("demo.log"))?;
    let child = Command::new(assert_cmd::cargo::cargo_bin("plainsight"))
        .args(["--quiet", "demo", "--ads", &ads.to_string(), "--bind"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--dir")
        .arg(dir.path())
        .current_dir(dir.path())
        .env_remove("PLAINSIGHT_DB")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .process_group(0)
        .spawn()
        .context("starting plainsight demo")?;
    let mut guard = Guard {
        child,
        name: "plainsight demo",
    };
    // Read stdout on a thread (it must be drained while the server runs) and pick out the
    // one-time password.
    let stdout = guard.child.stdout.take().context("demo stdout")?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(p) = line.trim().strip_prefix("one-time password:") {
                let _ = tx.send(p.trim().to_string());
            }
        }
    });
    let password = rx.recv_timeout(DEMO_START).map_err(|_| {
        let log = std::fs::read_to_string(dir.path().join("demo.log")).unwrap_or_default();
        anyhow!("plainsight demo printed no password; its log:\n{log}")
    })?;
    wait_for_port(port, &mut guard, WAIT)?;
    Ok(Demo {
        base: format!("http://127.0.0.1:{port}"),
        password,
        _dir: dir,
        _guard: guard,
    })
}

/// chromedriver on a free port and a headless Chromium session through it.
async fn start_browser() -> anyhow::Result<(Client, Guard)> {
    let port = free_port();
    let driver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let child = Command::new(&driver)
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .with_context(|| format!("starting {driver} (apt-get install chromium-driver)"))?;
    let mut guard = Guard {
        child,
        name: "chromedriver",
    };
    wait_for_port(port, &mut guard, WAIT)?;
    let binary = std::env::var("CHROME").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": binary,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--window-size=1400,1000",
                "--disable-gpu",
                "--no-first-run",
                "--lang=en-US",
            ],
            // Files the pages save (the graph's PNG) go beside the screenshots, not into the
            // home folder.
            "prefs": {
                "download.default_directory": download_dir().display().to_string(),
                "download.prompt_for_download": false,
            },
        },
    });
    let Value::Object(caps) = caps else {
        unreachable!()
    };
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .context("opening a Chromium session")?;
    Ok((client, guard))
}

/// The browser with the helpers every step uses.
struct Browser {
    c: Client,
    base: String,
}

impl Browser {
    async fn goto(&self, path: &str) -> anyhow::Result<()> {
        self.c.goto(&format!("{}{path}", self.base)).await?;
        Ok(())
    }

    async fn path(&self) -> anyhow::Result<String> {
        let url = self.c.current_url().await?;
        Ok(match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        })
    }

    /// The first element matching `css`, waiting for it to appear.
    async fn find(&self, css: &str) -> anyhow::Result<Element> {
        match self
            .c
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(e) => Ok(e),
            Err(e) => Err(anyhow!(e).context(format!(
                "no element {css} on {}",
                self.path().await.unwrap_or_default()
            ))),
        }
    }

    async fn all(&self, css: &str) -> anyhow::Result<Vec<Element>> {
        Ok(self.c.find_all(Locator::Css(css)).await?)
    }

    async fn text(&self, css: &str) -> anyhow::Result<String> {
        Ok(self.find(css).await?.text().await?)
    }

    async fn fill(&self, css: &str, value: &str) -> anyhow::Result<()> {
        let e = self.find(css).await?;
        e.clear().await?;
        e.send_keys(value).await?;
        Ok(())
    }

    /// Click `css` and wait until the browser has left the page (the old document is gone).
    async fn click_and_load(&self, css: &str) -> anyhow::Result<()> {
        let old = self.c.find(Locator::Css("html")).await?;
        self.find(css).await?.click().await?;
        let start = Instant::now();
        while old.tag_name().await.is_ok() {
            ensure!(start.elapsed() < WAIT, "clicking {css} loaded no new page");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.find("body").await?;
        Ok(())
    }

    /// Wait until the page's `h1` contains `text`.
    async fn heading(&self, text: &str) -> anyhow::Result<String> {
        let start = Instant::now();
        loop {
            let h1 = match self.c.find(Locator::Css("h1")).await {
                Ok(e) => e.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if h1.contains(text) {
                return Ok(h1);
            }
            if start.elapsed() > WAIT {
                bail!(
                    "expected a page headed {text:?}, got {h1:?} at {}",
                    self.path().await?
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn body_text(&self) -> anyhow::Result<String> {
        self.text("body").await
    }

    /// A screenshot of the whole page (up to 6000 px tall) as `NN-name.png`.
    async fn shot(&self, name: &str) -> anyhow::Result<()> {
        let dims = self
            .c
            .execute(
                "return [document.documentElement.scrollHeight, window.outerHeight - window.innerHeight];",
                vec![],
            )
            .await?;
        let height = dims[0].as_u64().unwrap_or(1000).min(6000) as u32;
        let chrome = dims[1].as_u64().unwrap_or(0) as u32;
        self.c
            .set_window_size(1400, height.max(1000) + chrome)
            .await?;
        let png = self.c.screenshot().await;
        self.c.set_window_size(1400, 1000).await?;
        save_png(name, &png?)
    }

    /// `fetch` a URL from the page (same origin, so with the session cookie): status, the
    /// content type and disposition, and the body.
    async fn fetch(&self, path: &str) -> anyhow::Result<(u64, String, String, String)> {
        let r = self
            .c
            .execute_async(
                r#"const [url, done] = arguments;
                   fetch(url, { redirect: 'manual' })
                     .then(async (r) => done({
                       status: r.status,
                       type: r.headers.get('content-type') || '',
                       disposition: r.headers.get('content-disposition') || '',
                       body: await r.text(),
                     }))
                     .catch((e) => done({ status: 0, type: '', disposition: '', body: String(e) }));"#,
                vec![json!(path)],
            )
            .await?;
        let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
        Ok((
            r["status"].as_u64().unwrap_or(0),
            s("type"),
            s("disposition"),
            s("body"),
        ))
    }

    /// `fetch` a URL from the page and return its status and body bytes (for downloads).
    async fn fetch_bytes(&self, path: &str) -> anyhow::Result<(u64, Vec<u8>)> {
        let r = self
            .c
            .execute_async(
                r#"const [url, done] = arguments;
                   fetch(url, { redirect: 'manual' })
                     .then(async (r) => {
                       const bytes = new Uint8Array(await r.arrayBuffer());
                       let hex = '';
                       for (const b of bytes) hex += b.toString(16).padStart(2, '0');
                       done({ status: r.status, hex });
                     })
                     .catch((e) => done({ status: 0, hex: '' }));"#,
                vec![json!(path)],
            )
            .await?;
        let bytes = hex::decode(r["hex"].as_str().unwrap_or_default())?;
        Ok((r["status"].as_u64().unwrap_or(0), bytes))
    }

    /// Sign in for the first time: password, enrol the second factor from the key on the page,
    /// then replace the one-time password. Ends on the dashboard.
    async fn first_sign_in(
        &self,
        user: &str,
        one_time: &str,
        new_password: &str,
        shots: Option<[&str; 3]>,
    ) -> anyhow::Result<()> {
        self.goto("/").await?;
        self.heading("Sign in").await?;
        ensure!(self.path().await? == "/login", "not sent to sign in");
        self.fill("input[name=username]", user).await?;
        self.fill("input[name=password]", one_time).await?;
        if let Some([s, _, _]) = shots {
            self.shot(s).await?;
        }
        self.click_and_load("form[action='/login'] button[type=submit]")
            .await?;

        self.heading("Set up your authenticator").await?;
        ensure!(self.path().await? == "/mfa");
        self.find(".qr svg").await?;
        let key = self.text("code.secret").await?;
        let secret = TotpSecret::from_base32(&key).map_err(|e| anyhow!("key {key:?}: {e}"))?;
        let code = totp_code(&secret, chrono::Utc::now().timestamp());
        self.fill("input[name=code]", &code).await?;
        if let Some([_, s, _]) = shots {
            self.shot(s).await?;
        }
        self.click_and_load("form[action='/mfa'] button[type=submit]")
            .await?;

        // The password was set by someone else: it must be replaced first.
        self.heading("Change your password").await?;
        ensure!(self.path().await? == "/password");
        self.fill("input[name=current]", one_time).await?;
        self.fill("input[name=new]", new_password).await?;
        if let Some([_, _, s]) = shots {
            self.shot(s).await?;
        }
        self.click_and_load("form[action='/password'] button[type=submit]")
            .await?;
        self.heading("Dashboard").await?;
        ensure!(self.path().await? == "/");
        Ok(())
    }

    async fn sign_out(&self) -> anyhow::Result<()> {
        self.click_and_load(".who form[action='/logout'] button")
            .await?;
        self.heading("Sign in").await?;
        ensure!(self.path().await? == "/login");
        Ok(())
    }
}

/// The graph's controls on a network page: a plain wheel scrolls the page and only ctrl+wheel
/// zooms; the legend is drawn outside the graph, so zooming never covers it; identifier nodes
/// are labelled and lead to search; each kind of link can be hidden; the graph downloads as SVG.
async fn graph_controls(b: &Browser, network_id: i64) -> anyhow::Result<()> {
    let wheel = |ctrl: bool| {
        let script = r#"const [ctrl] = arguments;
            const svg = document.querySelector('div.graph svg.ps-graph');
            const box = svg.getBoundingClientRect();
            const ev = new WheelEvent('wheel', { deltaY: -100, ctrlKey: ctrl, bubbles: true,
              cancelable: true, clientX: box.left + box.width / 2, clientY: box.top + box.height / 2 });
            svg.dispatchEvent(ev);
            return [ev.defaultPrevented,
                    svg.querySelector('g.ps-graph-viewport').getAttribute('transform') || ''];"#;
        b.c.execute(script, vec![json!(ctrl)])
    };
    let plain = wheel(false).await?;
    ensure!(
        plain[0] == json!(false),
        "a plain wheel was caught by the graph: {plain}"
    );
    ensure!(
        !plain[1]
            .as_str()
            .unwrap_or_default()
            .contains("scale(1.250)"),
        "a plain wheel zoomed: {plain}"
    );
    let ctrl = wheel(true).await?;
    ensure!(ctrl[0] == json!(true), "ctrl+wheel did not zoom: {ctrl}");
    ensure!(
        ctrl[1]
            .as_str()
            .unwrap_or_default()
            .contains("scale(1.250)"),
        "ctrl+wheel: {ctrl}"
    );
    // The legend is its own picture above the graph, and stays clear of it when zoomed.
    ensure!(
        b.all("svg.ps-graph .ps-legend").await?.is_empty(),
        "legend inside the drawing"
    );
    let apart = b
        .c
        .execute(
            r#"const legend = document.querySelector('div.graph svg.ps-graph-legend');
               const graph = document.querySelector('div.graph svg.ps-graph');
               return legend !== null && legend.getBoundingClientRect().bottom <= graph.getBoundingClientRect().top;"#,
            vec![],
        )
        .await?;
    ensure!(
        apart == json!(true),
        "legend missing or overlapping the graph"
    );
    b.find(".ps-graph-controls button[aria-label='Reset view']")
        .await?
        .click()
        .await?;
    // Identifier nodes: labelled, and phones, emails and handles link to their search.
    let searchable = b
        .all("svg.ps-graph .ps-node:not(.ps-node-ad) a[href^='/search?q=']")
        .await?;
    ensure!(!searchable.is_empty(), "no identifier node links to search");
    ensure!(
        !b.all("svg.ps-graph .ps-node:not(.ps-node-ad) .ps-node-label")
            .await?
            .is_empty(),
        "identifier nodes are not labelled"
    );
    // Filter by link kind: one checkbox per kind when there are several.
    let kinds = b
        .c
        .execute(
            "return Array.from(new Set(Array.from(document.querySelectorAll('svg.ps-graph .ps-edge')).map((e) => e.dataset.kind))).sort();",
            vec![],
        )
        .await?;
    let kinds: Vec<String> = kinds
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|k| k.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let boxes = b.all(".ps-graph-filter input[type=checkbox]").await?;
    if kinds.len() > 1 {
        ensure!(
            boxes.len() == kinds.len(),
            "filter {} for kinds {kinds:?}",
            boxes.len()
        );
        boxes[0].click().await?;
        let shown =
            b.c.execute(
                r#"const kind = document.querySelector('.ps-graph-filter input').value;
                   const visible = (e) => getComputedStyle(e).display !== 'none';
                   const edges = Array.from(document.querySelectorAll('svg.ps-graph .ps-edge'));
                   return [edges.filter((e) => e.dataset.kind === kind && visible(e)).length,
                           edges.filter((e) => e.dataset.kind !== kind && visible(e)).length];"#,
                vec![],
            )
            .await?;
        ensure!(
            shown[0] == json!(0) && shown[1].as_u64().unwrap_or(0) > 0,
            "hiding one kind of link: {shown}"
        );
        let png = b.find("div.graph").await?.screenshot().await?;
        save_png("07b-network-graph-filtered", &png)?;
        boxes[0].click().await?;
    } else {
        ensure!(boxes.is_empty(), "a filter for a single kind of link");
    }
    // The graph as a file, legend inside.
    let (status, kind, disposition, body) = b
        .fetch(&format!("/networks/{network_id}/graph.svg"))
        .await?;
    ensure!(
        status == 200 && kind.starts_with("image/svg+xml"),
        "{status} {kind}"
    );
    ensure!(disposition.contains(&format!("network-N{network_id}.svg")));
    ensure!(body.contains("<svg") && body.contains("ps-legend"));
    graph_png_export(b, network_id, &body).await?;
    Ok(())
}

/// The "PNG" button beside the SVG download: graph.js fetches the SVG file, draws it into a
/// canvas at twice its size and saves the canvas as PNG. The blob it saves is caught on its
/// way to `URL.createObjectURL` and read back: a PNG (signature, IHDR) of the file's size × 2.
async fn graph_png_export(b: &Browser, network_id: i64, svg_file: &str) -> anyhow::Result<()> {
    // The size the SVG file declares: `<svg … width="W" height="H"`.
    let tag = svg_file
        .split_once("<svg")
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(tag, _)| tag)
        .context("no <svg> tag in the file")?;
    let attr = |name: &str| -> anyhow::Result<f64> {
        let value = tag
            .split_once(&format!(" {name}=\""))
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(v, _)| v)
            .with_context(|| format!("no {name} on the file's <svg>"))?;
        Ok(value.parse()?)
    };
    let (width, height) = (attr("width")?, attr("height")?);
    let file = download_dir().join(format!("network-N{network_id}.png"));
    let _ = std::fs::remove_file(&file);
    b.c.execute(
        r#"window.psSavedBlobs = [];
           const original = URL.createObjectURL.bind(URL);
           URL.createObjectURL = (blob) => { window.psSavedBlobs.push(blob); return original(blob); };"#,
        vec![],
    )
    .await?;
    let button = b.find("button.ps-graph-png").await?;
    b.c.execute(
        "arguments[0].scrollIntoView({block: 'center'});",
        vec![json!(button)],
    )
    .await?;
    button.click().await?;
    let saved = b
        .c
        .execute_async(
            r#"const done = arguments[0];
               const started = Date.now();
               const status = () => (document.querySelector('.ps-graph-png-status') || {}).textContent || '';
               const poll = () => {
                 const blob = window.psSavedBlobs[0];
                 if (blob) {
                   blob.arrayBuffer().then((buffer) => {
                     let hex = '';
                     for (const byte of new Uint8Array(buffer)) hex += byte.toString(16).padStart(2, '0');
                     done({ type: blob.type, hex, status: status() });
                   });
                 } else if (Date.now() - started > 20000 || status().includes('No PNG')) {
                   done({ type: '', hex: '', status: status() });
                 } else {
                   setTimeout(poll, 100);
                 }
               };
               poll();"#,
            vec![],
        )
        .await?;
    let status = saved["status"].as_str().unwrap_or_default().to_string();
    let png = hex::decode(saved["hex"].as_str().unwrap_or_default())?;
    ensure!(!png.is_empty(), "no PNG saved; status {status:?}");
    ensure!(
        saved["type"] == json!("image/png"),
        "saved a {} blob",
        saved["type"]
    );
    ensure!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && &png[12..16] == b"IHDR",
        "not a PNG: {:?}",
        &png[..png.len().min(16)]
    );
    let be = |at: usize| u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]);
    let (png_w, png_h) = (be(16), be(20));
    ensure!(
        f64::from(png_w) == (width * 2.0).round() && f64::from(png_h) == (height * 2.0).round(),
        "PNG {png_w}×{png_h} for a {width}×{height} drawing"
    );
    ensure!(
        status.contains(&format!("Saved network-N{network_id}.png")),
        "status {status:?}"
    );
    // The browser saved the same bytes as a file.
    let started = Instant::now();
    while !file.exists() {
        ensure!(
            started.elapsed() < WAIT,
            "no {} was downloaded",
            file.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Chromium writes a partial file first and renames it when done.
    tokio::time::sleep(Duration::from_millis(300)).await;
    ensure!(std::fs::read(&file)? == png, "the downloaded file differs");
    save_png("07d-network-graph-export", &png)?;
    Ok(())
}

/// Run `scenario` in a fresh browser against `demo`; on failure save a screenshot of where it
/// stopped. The browser session is closed and both processes stopped in every case.
async fn with_browser<F, Fut>(demo: &Demo, failure_shot: &str, scenario: F)
where
    F: FnOnce(Browser) -> Fut,
    Fut: std::future::Future<Output = (Browser, anyhow::Result<()>)>,
{
    let (client, _driver) = start_browser().await.expect("headless Chromium");
    let browser = Browser {
        c: client,
        base: demo.base.clone(),
    };
    let (browser, outcome) = scenario(browser).await;
    if outcome.is_err() {
        let _ = browser.shot(failure_shot).await;
    }
    let at = browser.path().await.unwrap_or_default();
    let _ = browser.c.close().await;
    if let Err(e) = outcome {
        panic!("{e:#}\n(at {at}; screenshot {failure_shot}.png)");
    }
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver: run with --ignored (see README)"]
async fn analyst_workflow_in_chromium() {
    let demo = start_demo(1500).expect("plainsight demo");
    let password = demo.password.clone();
    with_browser(&demo, "99-failure-workflow", |b| async move {
        let r = workflow(&b, &password).await;
        (b, r)
    })
    .await;
}

async fn workflow(b: &Browser, one_time: &str) -> anyhow::Result<()> {
    // --- Sign in: password, enrol TOTP from the key on the page, choose a password. ---
    b.first_sign_in(
        "admin",
        one_time,
        "correct horse battery staple 42",
        Some(["01-sign-in", "02-enrol-second-factor", "03-change-password"]),
    )
    .await?;
    let body = b.body_text().await?;
    ensure!(
        b.text(".demo-banner").await?.contains("DEMO workspace"),
        "no demo label"
    );
    ensure!(
        body.contains("Demo administrator · Administrator"),
        "who: {body}"
    );
    ensure!(body.contains("Top leads"), "no top leads on the dashboard");
    ensure!(
        !b.all("table.leads tbody tr").await?.is_empty(),
        "no top leads listed"
    );
    ensure!(b.all(".cards .card").await?.len() == 4, "figures missing");
    b.shot("04-dashboard").await?;

    // --- Lead queue: from the navigation, filtered to networks not reviewed yet. ---
    b.click_and_load("header.top nav a[href='/leads']").await?;
    b.heading("Lead queue").await?;
    let all_rows = b.all("table.leads tbody tr").await?.len();
    ensure!(all_rows > 0, "empty lead queue");
    b.find("form.filters select[name=status]")
        .await?
        .select_by_value("unreviewed")
        .await?;
    b.click_and_load("form.filters button[type=submit]").await?;
    b.heading("Lead queue").await?;
    ensure!(
        b.path().await?.contains("status=unreviewed"),
        "filter not applied"
    );
    let rows = b.all("table.leads tbody tr").await?;
    ensure!(!rows.is_empty(), "no unreviewed networks");
    for row in &rows {
        let review = row
            .find(Locator::Css("td:last-child"))
            .await?
            .text()
            .await?;
        ensure!(review == "not reviewed", "filtered row says {review:?}");
    }
    let top = rows[0]
        .find(Locator::Css("a[href^='/networks/']"))
        .await?
        .attr("href")
        .await?
        .context("lead without link")?;
    ensure!(top.starts_with("/networks/"), "lead link {top}");
    let network_id: i64 = top["/networks/".len()..].parse()?;
    b.shot("05-lead-queue-unreviewed").await?;
    b.click_and_load("table.leads tbody tr:first-child a[href^='/networks/']")
        .await?;

    // --- The network: reasons with evidence, and the graph made interactive by graph.js. ---
    b.heading(&format!("Network N{network_id}")).await?;
    ensure!(b.path().await? == top);
    let reasons = b.all("ol.reasons-full > li").await?;
    ensure!(!reasons.is_empty(), "no reasons");
    let evidence = b
        .all("ol.reasons-full ul.evidence a[href^='/ads/']")
        .await?;
    ensure!(!evidence.is_empty(), "no evidence links to ads");
    ensure!(!b.all("ol.reasons-full ul.evidence mark").await?.is_empty());
    // Network-wide evidence (such as the places of a circuit) names no ad and shows none.
    let reasons_text = b.text("ol.reasons-full").await?;
    ensure!(
        !reasons_text.contains("ad :"),
        "evidence without an ad shown as one"
    );
    let graph = b.find("div.graph svg.ps-graph").await?;
    // graph.js inserts the zoom controls before the SVG and marks it ready.
    let controls = b.find("div.graph .ps-graph-controls").await?;
    ensure!(
        controls.text().await?.contains("Reset"),
        "zoom controls incomplete"
    );
    ensure!(graph.attr("data-ps-ready").await?.as_deref() == Some("1"));
    let nodes = b.all("svg.ps-graph .ps-node").await?;
    let edges = b.all("svg.ps-graph .ps-edge").await?;
    ensure!(
        nodes.len() >= 2 && !edges.is_empty(),
        "graph has {} nodes, {} edges",
        nodes.len(),
        edges.len()
    );
    ensure!(b.all("svg.ps-graph .ps-hl").await?.is_empty());
    // Hover an identifier node (it has links) with the real pointer.
    let node = b
        .find("svg.ps-graph .ps-node:not(.ps-node-ad) .ps-shape")
        .await?;
    b.c.execute(
        "arguments[0].scrollIntoView({block: 'center'});",
        vec![json!(node)],
    )
    .await?;
    b.c.perform_actions(
        MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
            element: node.clone(),
            duration: None,
            x: 0.0,
            y: 0.0,
        }),
    )
    .await?;
    let class = graph.attr("class").await?.unwrap_or_default();
    ensure!(
        class.contains("ps-graph-highlighting"),
        "hover did not highlight: {class}"
    );
    let lit_nodes = b.all("svg.ps-graph .ps-node.ps-hl").await?.len();
    let lit_edges = b.all("svg.ps-graph .ps-edge.ps-hl").await?.len();
    let dim = b.all("svg.ps-graph .ps-dim").await?.len();
    ensure!(
        lit_nodes >= 2 && lit_edges >= 1,
        "hover lit {lit_nodes} nodes and {lit_edges} edges"
    );
    ensure!(
        lit_nodes + dim >= nodes.len(),
        "every node is either highlighted or dimmed"
    );
    let png = b.find("div.graph").await?.screenshot().await?;
    save_png("07-network-graph-hover", &png)?;
    // Moving away restores the plain picture; the zoom button scales the view.
    b.c.perform_actions(
        MouseActions::new("mouse".into()).then(PointerAction::MoveTo {
            duration: None,
            x: 5.0,
            y: 5.0,
        }),
    )
    .await?;
    b.c.release_actions().await?;
    ensure!(
        b.all("svg.ps-graph .ps-hl").await?.is_empty(),
        "highlight stayed"
    );
    b.find(".ps-graph-controls button[aria-label='Zoom in']")
        .await?
        .click()
        .await?;
    let transform = b
        .find("svg.ps-graph g.ps-graph-viewport")
        .await?
        .attr("transform")
        .await?
        .unwrap_or_default();
    ensure!(transform.contains("scale(1.250)"), "zoom: {transform:?}");
    b.find(".ps-graph-controls button[aria-label='Reset view']")
        .await?
        .click()
        .await?;
    graph_controls(b, network_id).await?;
    // The movement map draws the state outlines around the network's places.
    let map = b.find("svg.ps-map").await?;
    let outlines = b
        .all("svg.ps-map .ps-outlines-admin1 path[data-region^='US-']")
        .await?;
    ensure!(!outlines.is_empty(), "no state outline on the movement map");
    b.c.execute(
        "arguments[0].scrollIntoView({block: 'center'});",
        vec![json!(map)],
    )
    .await?;
    save_png("07c-network-map", &map.screenshot().await?)?;
    b.c.execute("window.scrollTo(0, 0);", vec![]).await?;
    b.shot("06-network").await?;

    // --- Label the whole network. ---
    ensure!(b.all("ul.history li").await?.is_empty(), "already labelled");
    let note = "Browser test: shared number across three cities, check the timeline.";
    b.find("form.label input[name=label][value=needs_investigation]")
        .await?
        .click()
        .await?;
    b.fill("form.label textarea[name=note]", note).await?;
    b.click_and_load("form.label button[type=submit]").await?;
    b.heading(&format!("Network N{network_id}")).await?;
    let history = b.text("ul.history").await?;
    ensure!(
        history.contains("v1 · Needs investigation by admin") && history.contains(note),
        "label history: {history}"
    );
    b.c.execute(
        "document.querySelector('form.label').scrollIntoView({block: 'start'});",
        vec![],
    )
    .await?;
    b.shot("08-network-labelled").await?;
    // The queue now lists the network under its label and no longer as unreviewed.
    b.goto("/leads?status=needs_investigation").await?;
    b.heading("Lead queue").await?;
    ensure!(
        !b.all(&format!("table.leads a[href='{top}']"))
            .await?
            .is_empty(),
        "labelled network not under its label"
    );
    ensure!(b.text("table.leads").await?.contains("Needs investigation"));
    b.goto("/leads?status=unreviewed").await?;
    b.heading("Lead queue").await?;
    ensure!(
        b.all(&format!("table.leads a[href='{top}']"))
            .await?
            .is_empty(),
        "labelled network still unreviewed"
    );

    // --- A case folder: create it, add the network, an ad of it, and a note. ---
    b.click_and_load("header.top nav a[href='/cases']").await?;
    b.heading("Case folders").await?;
    let title = "Browser test folder";
    b.fill("form[action='/cases'] input[name=title]", title)
        .await?;
    b.click_and_load("form[action='/cases'] button[type=submit]")
        .await?;
    let h1 = b.heading(title).await?;
    let case_path = b.path().await?;
    let case_id: i64 = case_path
        .strip_prefix("/cases/")
        .context("not on a case page")?
        .parse()?;
    ensure!(
        h1 == format!("Case #{case_id} {title}"),
        "case heading {h1}"
    );
    ensure!(b.body_text().await?.contains("None yet: add networks"));
    b.shot("09-case-new").await?;

    b.goto(&top).await?;
    b.heading(&format!("Network N{network_id}")).await?;
    b.find("form[action='/cases/add'] select[name=case_id]")
        .await?
        .select_by_value(&case_id.to_string())
        .await?;
    b.click_and_load("form[action='/cases/add'] button[type=submit]")
        .await?;
    b.heading(title).await?;
    ensure!(b.path().await? == case_path);
    ensure!(
        !b.all(&format!("main a[href='{top}']")).await?.is_empty(),
        "network not in the folder"
    );

    // An ad of the network, opened from the network page.
    b.goto(&top).await?;
    b.heading(&format!("Network N{network_id}")).await?;
    let ad_link = b
        .find("ol.reasons-full ul.evidence a[href^='/ads/']")
        .await?;
    let ad_href = ad_link.attr("href").await?.context("ad link")?;
    let ad_label = ad_link.text().await?;
    let ad_id = ad_label.trim_start_matches("ad ").to_string();
    b.click_and_load("ol.reasons-full ul.evidence a[href^='/ads/']")
        .await?;
    b.heading(&format!("Ad {ad_id}")).await?;
    ensure!(b.path().await? == ad_href);
    ensure!(
        !b.all("pre.original mark, p.original mark")
            .await?
            .is_empty(),
        "no extraction highlighted in the ad"
    );
    ensure!(
        !b.all(&format!("p.summary a[href='{top}']"))
            .await?
            .is_empty(),
        "ad does not link back to its network"
    );
    b.shot("10-ad").await?;
    b.find("form[action='/cases/add'] select[name=case_id]")
        .await?
        .select_by_value(&case_id.to_string())
        .await?;
    b.click_and_load("form[action='/cases/add'] button[type=submit]")
        .await?;
    b.heading(title).await?;
    ensure!(
        !b.all(&format!("main a[href='{ad_href}']"))
            .await?
            .is_empty(),
        "ad not in the folder"
    );
    ensure!(b.body_text().await?.contains(&ad_id));

    let case_note = "Browser test note: ask the analyst in Raleigh about this number.";
    b.fill("form[action$='/notes'] textarea[name=text]", case_note)
        .await?;
    b.click_and_load("form[action$='/notes'] button[type=submit]")
        .await?;
    b.heading(title).await?;
    ensure!(
        b.text("div.note").await?.contains(case_note),
        "note not shown"
    );
    b.shot("11-case-with-items").await?;

    // The printable package.
    b.click_and_load(&format!("a.button[href='/cases/{case_id}/export.html']"))
        .await?;
    b.heading(&format!("Case #{case_id}: {title}")).await?;
    let package = b.body_text().await?;
    for want in [
        format!("Network N{network_id}"),
        format!("Ad {ad_id}"),
        case_note.to_string(),
        "Audit trail of this folder".to_string(),
        "add_case_item".to_string(),
        "add_case_note".to_string(),
        "create_case".to_string(),
    ] {
        ensure!(package.contains(&want), "case package lacks {want:?}");
    }
    // Long ad text wraps: nothing runs off the printable page.
    let fits =
        b.c.execute(
            "return document.documentElement.scrollWidth <= document.documentElement.clientWidth;",
            vec![],
        )
        .await?;
    ensure!(
        fits == json!(true),
        "the case package is wider than the page"
    );
    b.shot("12-case-package").await?;

    // The CSV export: the link is on the case page; fetch it with the session.
    b.goto(&case_path).await?;
    b.heading(title).await?;
    let csv_href = b
        .find(&format!("a.button[href='/cases/{case_id}/export.csv']"))
        .await?
        .attr("href")
        .await?
        .context("csv link")?;
    let (status, kind, disposition, csv) = b.fetch(&csv_href).await?;
    ensure!(status == 200, "CSV export answered {status}: {csv}");
    ensure!(kind.starts_with("text/csv"), "CSV content type {kind}");
    ensure!(
        disposition.contains(&format!("case-{case_id}.csv")),
        "disposition {disposition}"
    );
    let mut lines = csv.lines();
    ensure!(lines.next() == Some("record,id,detail,by,at"), "CSV: {csv}");
    ensure!(
        csv.lines()
            .any(|l| l.starts_with(&format!("network,{network_id},"))),
        "CSV lacks the network: {csv}"
    );
    ensure!(
        csv.lines().any(|l| l.starts_with("ad,")),
        "CSV lacks the ad"
    );
    ensure!(
        csv.lines()
            .any(|l| l.starts_with("note,") && l.contains(case_note)),
        "CSV lacks the note"
    );
    ensure!(csv.contains("export_case success html"), "CSV audit trail");

    // --- Sign out: the sign-in page is back and the queue needs signing in again. ---
    b.sign_out().await?;
    b.shot("13-signed-out").await?;
    b.goto("/leads").await?;
    b.heading("Sign in").await?;
    ensure!(
        b.path().await? == "/login",
        "/leads after sign-out went to {}",
        b.path().await?
    );
    let (status, _, _, _) = b.fetch("/leads").await?;
    ensure!(
        status == 0 || (300..400).contains(&status),
        "/leads after sign-out answered {status}"
    );
    Ok(())
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver: run with --ignored (see README)"]
async fn viewer_sees_figures_but_no_leads() {
    let demo = start_demo(300).expect("plainsight demo");
    let password = demo.password.clone();
    with_browser(&demo, "99-failure-viewer", |b| async move {
        let r = viewer(&b, &password).await;
        (b, r)
    })
    .await;
}

async fn viewer(b: &Browser, one_time: &str) -> anyhow::Result<()> {
    b.first_sign_in("admin", one_time, "correct horse battery staple 42", None)
        .await?;
    // The administrator creates a viewer and reads its one-time password from the notice.
    b.click_and_load("header.top nav a[href='/admin/users']")
        .await?;
    b.heading("Users").await?;
    let form = "form[action='/admin/users']";
    b.fill(&format!("{form} input[name=username]"), "vera")
        .await?;
    b.fill(&format!("{form} input[name=display_name]"), "Vera Viewer")
        .await?;
    b.find(&format!("{form} select[name=role]"))
        .await?
        .select_by_value("viewer")
        .await?;
    b.click_and_load(&format!("{form} button[type=submit]"))
        .await?;
    b.heading("Users").await?;
    let notice = b.text("div.notice").await?;
    ensure!(notice.contains("User vera created"), "notice: {notice}");
    let password = b.text("div.notice code.secret").await?;
    ensure!(password.len() >= 16, "one-time password {password:?}");
    b.shot("20-admin-user-created").await?;
    b.sign_out().await?;

    b.first_sign_in(
        "vera",
        &password,
        "viewer passphrase for the browser test",
        None,
    )
    .await?;
    let body = b.body_text().await?;
    ensure!(body.contains("Vera Viewer · Viewer"), "who: {body}");
    ensure!(body.contains("Review progress") || body.contains("Review"));
    ensure!(b.all(".cards .card").await?.len() == 4, "figures missing");
    // Nothing that shows leads: no nav entry, no top-leads table.
    ensure!(
        b.all("header.top nav a[href='/leads']").await?.is_empty(),
        "viewer has a lead queue link"
    );
    ensure!(b.all("table.leads").await?.is_empty(), "viewer sees leads");
    b.shot("21-viewer-dashboard").await?;

    b.goto("/leads").await?;
    b.heading("403").await?;
    ensure!(b.path().await? == "/leads");
    ensure!(
        b.body_text()
            .await?
            .contains("Your role does not allow this"),
        "403 page"
    );
    ensure!(b.all("table.leads").await?.is_empty());
    let (status, _, _, body) = b.fetch("/leads").await?;
    ensure!(status == 403, "/leads answered {status} to a viewer");
    ensure!(!body.contains("table class=\"leads\""));
    let (status, _, _, _) = b.fetch("/cases").await?;
    ensure!(status == 403, "/cases answered {status} to a viewer");
    b.shot("22-viewer-forbidden-leads").await?;
    // The error page has no navigation; sign out from the dashboard.
    b.goto("/").await?;
    b.heading("Dashboard").await?;
    b.sign_out().await?;
    Ok(())
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver: run with --ignored (see README)"]
async fn search_bulk_label_and_case_package_in_chromium() {
    let demo = start_demo(1500).expect("plainsight demo");
    let password = demo.password.clone();
    with_browser(&demo, "99-failure-analyst-flows", |b| async move {
        let r = analyst_flows(&b, &password).await;
        (b, r)
    })
    .await;
}

/// Search by a payment handle, bulk label from the lead queue, and a case package whose
/// manifest hashes are checked.
async fn analyst_flows(b: &Browser, one_time: &str) -> anyhow::Result<()> {
    b.first_sign_in("admin", one_time, "correct horse battery staple 42", None)
        .await?;

    // --- Search by a payment handle, typed as a network page shows it. ---
    // Find one on the pages of the top networks (the demo corpus has Cash App, Venmo ... tags).
    b.goto("/leads?place=").await?;
    b.heading("Lead queue").await?;
    let mut hrefs = Vec::new();
    for a in b.all("table.leads tbody tr a[href^='/networks/']").await? {
        if let Some(h) = a.attr("href").await? {
            hrefs.push(h);
        }
    }
    let payments = [
        "cashapp:",
        "venmo:",
        "paypal:",
        "zelle:",
        "applecash:",
        "chime:",
    ];
    let mut handle = None;
    for href in hrefs.iter().take(50) {
        b.goto(href).await?;
        b.find("dl.identifiers").await?;
        for code in b.all("dl.identifiers a code").await? {
            let t = code.text().await?;
            if payments.iter().any(|p| t.starts_with(p)) {
                handle = Some(t);
                break;
            }
        }
        if handle.is_some() {
            break;
        }
    }
    let handle = handle.context("no payment handle on the top 50 networks")?;
    b.click_and_load("header.top nav a[href='/search']").await?;
    b.heading("Search").await?;
    b.fill("form.filters input[name=q]", &handle).await?;
    b.click_and_load("form.filters button[type=submit]").await?;
    b.heading("Search").await?;
    let count = b.text("p.result-count").await?;
    ensure!(
        count.contains("ads carry the") && count.contains("payment handle"),
        "search for {handle}: {count}"
    );
    let n: u64 = count
        .split_whitespace()
        .next()
        .unwrap_or("0")
        .parse()
        .unwrap_or(0);
    ensure!(n > 0, "no ad found for {handle}: {count}");
    let rows = b.all("table.hits tbody tr").await?;
    ensure!(!rows.is_empty(), "no hit rows");
    ensure!(
        !b.all("table.hits tbody tr a[href^='/networks/']")
            .await?
            .is_empty(),
        "hits without their network"
    );
    b.shot("30-search-payment-handle").await?;

    // --- Bulk label from the lead queue. ---
    b.goto("/leads?place=&status=unreviewed").await?;
    b.heading("Lead queue").await?;
    let boxes = b
        .all("form.bulk input[type=checkbox][name=network]")
        .await?;
    ensure!(boxes.len() >= 2, "{} check boxes", boxes.len());
    let mut chosen = Vec::new();
    for cb in boxes.iter().take(2) {
        cb.click().await?;
        chosen.push(cb.attr("value").await?.context("box value")?);
    }
    b.find("form.bulk select[name=label]")
        .await?
        .select_by_value("other")
        .await?;
    b.fill(
        "form.bulk input[name=note]",
        "bulk-labelled in the browser test",
    )
    .await?;
    b.shot("31-lead-queue-bulk-selected").await?;
    b.click_and_load("form.bulk button[name=action][value=label]")
        .await?;
    b.heading("Lead queue").await?;
    let confirm = b.text("p.confirm").await?;
    ensure!(
        confirm.contains("Saved: 2 networks labelled Other"),
        "confirmation: {confirm}"
    );
    let listed = b.body_text().await?;
    for id in &chosen {
        ensure!(
            listed.contains(&format!("N{id}")),
            "N{id} not listed as labelled"
        );
    }
    b.shot("32-lead-queue-bulk-labelled").await?;
    b.goto(&format!("/networks/{}", chosen[0])).await?;
    let history = b.text("ul.history").await?;
    ensure!(
        history.contains("Other by admin") && history.contains("bulk-labelled"),
        "history: {history}"
    );

    // --- A case folder filled in bulk, with its details, and its package. ---
    b.goto("/cases").await?;
    b.heading("Case folders").await?;
    b.fill("form[action='/cases'] input[name=title]", "Browser package")
        .await?;
    b.click_and_load("form[action='/cases'] button[type=submit]")
        .await?;
    let case_path = b.path().await?;
    let case_id = case_path.trim_start_matches("/cases/").to_string();
    b.fill(
        "form[action$='/details'] input[name=agency_case_number]",
        "BT-2026-7",
    )
    .await?;
    b.click_and_load("form[action$='/details'] button[type=submit]")
        .await?;
    b.goto("/leads?place=").await?;
    b.heading("Lead queue").await?;
    for cb in b
        .all("form.bulk input[type=checkbox][name=network]")
        .await?
        .iter()
        .take(3)
    {
        cb.click().await?;
    }
    b.find("form.bulk select[name=case_id]")
        .await?
        .select_by_value(&case_id)
        .await?;
    b.click_and_load("form.bulk button[name=action][value=add_to_case]")
        .await?;
    b.heading("Browser package").await?;
    ensure!(
        b.body_text().await?.contains("BT-2026-7"),
        "case number not shown"
    );
    b.shot("33-case-folder").await?;
    let href = b
        .find(&format!("a.button[href='/cases/{case_id}/package.zip']"))
        .await?
        .attr("href")
        .await?
        .context("package link")?;
    let (status, bytes) = b.fetch_bytes(&href).await?;
    ensure!(status == 200, "package answered {status}");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
    let mut files = std::collections::HashMap::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i)?;
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut data)?;
        files.insert(f.name().to_string(), data);
    }
    let prefix = format!("case-{case_id}/");
    let manifest: Value = serde_json::from_slice(
        files
            .get(&format!("{prefix}manifest.json"))
            .context("no manifest")?,
    )?;
    let listed = manifest["files"].as_array().context("manifest files")?;
    ensure!(listed.len() == 3, "manifest lists {}", listed.len());
    for entry in listed {
        let path = entry["path"].as_str().unwrap_or_default();
        let data = files
            .get(&format!("{prefix}{path}"))
            .with_context(|| format!("{path} missing from the ZIP"))?;
        let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(data));
        ensure!(
            entry["sha256"].as_str() == Some(sha.as_str()),
            "{path}: manifest says {}, file is {sha}",
            entry["sha256"]
        );
    }
    let csv = String::from_utf8(files[&format!("{prefix}ads.csv")].clone())?;
    ensure!(csv.lines().count() > 3, "ads.csv: {csv}");
    // The printable package, as the browser shows it.
    b.goto(&format!("/cases/{case_id}/export.html")).await?;
    b.heading("Browser package").await?;
    ensure!(b.body_text().await?.contains("BT-2026-7"));
    b.shot("34-case-package-printable").await?;
    // A malformed id is drawn in the frame.
    b.goto("/networks/abc").await?;
    b.heading("400").await?;
    ensure!(
        !b.all("header.top nav a[href='/leads']").await?.is_empty(),
        "the error page lacks the navigation"
    );
    b.shot("35-error-in-frame").await?;
    Ok(())
}
