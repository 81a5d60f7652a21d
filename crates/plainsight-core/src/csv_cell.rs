//! The one rule for text cells of every CSV file Plainsight writes (audit export, case package,
//! network lists, i2 export, NIBRS tables): ad text, user names and agency names come from
//! outside, and a cell that a spreadsheet would read as a formula must stay text.

use std::borrow::Cow;

/// First characters that make a spreadsheet (Excel, LibreOffice, Google Sheets) read a cell as
/// a formula or a command: `=`, `+`, `-`, `@`, and tab and carriage return, which some of them
/// skip before looking (OWASP, "CSV Injection").
pub const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The cell as a spreadsheet will show it as text: with a leading `'` when it starts with one
/// of [`FORMULA_STARTS`], unchanged (and not copied) otherwise. The `'` is the spreadsheets'
/// own "this is text" mark and is not shown in the cell.
pub fn spreadsheet_safe(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text_and_other_cells_stay_as_they_are() {
        for formula in [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+1 919",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            assert_eq!(spreadsheet_safe(formula), format!("'{formula}"));
        }
        for text in ["plain", "", " =1", "a=b", "1-2", "'quoted"] {
            assert!(matches!(spreadsheet_safe(text), Cow::Borrowed(t) if t == text));
        }
    }
}
