//! Splitting one CloudFront real-time log line into its configured fields.

use std::fmt;

use crate::parse::fields::{Field, FieldList};

/// Most columns a line can have: every known field.
const MAX_COLUMNS: usize = Field::ALL.len();

/// One log line split by the configured field list. Values are raw bytes; `-` reads as absent.
#[derive(Debug)]
pub struct LogLine<'a> {
    columns: [&'a [u8]; MAX_COLUMNS],
    fields: &'a FieldList,
}

/// A line whose tab-separated column count differs from the field list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldCountMismatch {
    /// Columns the field list expects.
    pub expected: usize,
    /// Columns found (counting stops a little past `expected`).
    pub found: usize,
}

impl fmt::Display for FieldCountMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let more = if self.found > self.expected {
            " or more"
        } else {
            ""
        };
        write!(
            f,
            "expected {} tab-separated fields, found {}{more}",
            self.expected, self.found
        )
    }
}

impl<'a> LogLine<'a> {
    /// Splits `line` (without its newline) on tabs.
    pub fn split(line: &'a [u8], fields: &'a FieldList) -> Result<LogLine<'a>, FieldCountMismatch> {
        let expected = fields.len();
        let mut columns = [&b""[..]; MAX_COLUMNS];
        let mut found = 0;
        for column in super::pieces(line, b'\t') {
            if found == expected {
                return Err(FieldCountMismatch {
                    expected,
                    found: found + 1,
                });
            }
            columns[found] = column;
            found += 1;
        }
        if found != expected {
            return Err(FieldCountMismatch { expected, found });
        }
        Ok(LogLine { columns, fields })
    }

    /// The raw value of `field`; `None` when the list lacks it or CloudFront logged `-`/nothing.
    pub fn get(&self, field: Field) -> Option<&'a [u8]> {
        let value = self.columns[self.fields.position(field)?];
        (!value.is_empty() && value != b"-").then_some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> FieldList {
        FieldList::parse("timestamp,c-ip,cs-uri-stem,asn").unwrap()
    }

    #[test]
    fn fields_are_found_by_name_and_dash_is_absent() {
        let fields = list();
        let line = LogLine::split(b"1682084241.469\t-\t/hello.gif\t3320", &fields).unwrap();
        assert_eq!(line.get(Field::Timestamp), Some(&b"1682084241.469"[..]));
        assert_eq!(line.get(Field::ClientIp), None);
        assert_eq!(line.get(Field::Asn), Some(&b"3320"[..]));
        assert_eq!(line.get(Field::UserAgent), None);
    }

    #[test]
    fn empty_columns_are_absent() {
        let fields = list();
        let line = LogLine::split(b"1\t\t\t", &fields).unwrap();
        assert_eq!(line.get(Field::UriStem), None);
    }

    #[test]
    fn too_few_and_too_many_columns_are_reported() {
        let fields = list();
        let few = LogLine::split(b"a\tb\tc", &fields).unwrap_err();
        assert_eq!(
            few,
            FieldCountMismatch {
                expected: 4,
                found: 3
            }
        );
        assert_eq!(few.to_string(), "expected 4 tab-separated fields, found 3");
        let many = LogLine::split(b"a\tb\tc\td\te\tf", &fields).unwrap_err();
        assert_eq!(
            many,
            FieldCountMismatch {
                expected: 4,
                found: 5
            }
        );
        assert_eq!(
            many.to_string(),
            "expected 4 tab-separated fields, found 5 or more"
        );
        let empty = LogLine::split(b"", &fields).unwrap_err();
        assert_eq!(empty.found, 1);
    }
}
