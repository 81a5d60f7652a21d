//! FBI NIBRS readers and enforcement figures: CDE per-state downloads (three layouts), agency
//! flat files and the national master file in; per-agency and per-state scorecards out, as
//! JSON, CSV or a self-contained HTML report. Pure logic: callers hand in readers and get
//! values or strings back; nothing here touches a database.

pub mod cde;
mod csv_out;
mod diag;
pub mod error;
pub mod figures;
pub mod fixed;
pub mod html;
pub mod model;
mod svg;

pub use cde::{
    DirPackage, PackageSource, ReadLimits, ReadOptions, ZipPackage, read_cde_dir, read_cde_package,
    read_cde_zip,
};
pub use csv_out::{csv_header, render_csv, render_json};
pub use error::{NibrsError, Result};
pub use figures::{Report, ReportFilter, ReportInput, build_report};
pub use fixed::{FixedWidthKind, detect_fixed_width, read_flat_file, read_master_file};
pub use html::{HtmlOptions, render_html};
pub use model::*;
