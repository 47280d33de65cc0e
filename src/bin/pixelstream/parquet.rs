//! Parquet objects as Firehose's record format conversion writes them from the Glue schema
//! (Hive's ParquetSerDe): `timestamp` as INT96, `string` as UTF8 BINARY, `int` INT32, `bigint`
//! INT64, `double` DOUBLE, `array<string>` as a Hive LIST group; every column optional, the
//! partition columns only in the folder names. Schema and writer follow [`COLUMNS`], so a new
//! column of the record reaches the files without a change here.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::sync::Arc;

use parquet::basic::Compression;
use parquet::data_type::{
    ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type, Int96, Int96Type,
};
use parquet::file::properties::{WriterProperties, WriterVersion};
use parquet::file::writer::{SerializedColumnWriter, SerializedFileWriter};
use parquet::schema::parser::parse_message_type;
use parquet::schema::types::{ColumnPath, Type};
use pixelstream_core::emit::partition::PartitionKeys;
use pixelstream_core::emit::record::{COLUMNS, Column, Record, Value};
use pixelstream_core::outcome::Row;
use pixelstream_core::time::Timestamp;

/// When objects write their rows and when they are finished: memory stays flat whatever the
/// input size.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Rows (heap bytes) an object keeps before it writes them as a row group: big enough for
    /// good compression, small enough for little memory.
    pub row_group_bytes: usize,
    /// Rows all open objects together keep: past it, the objects with the most pending rows
    /// write them, so many partitions at once cannot add up to more, and a small partition is
    /// not cut into tiny row groups by its big neighbours.
    pub pending_bytes: usize,
    /// Row groups per object. The writer keeps every row group's metadata (a few dozen KiB
    /// for our columns) until it writes the footer, so a partition's rows go on in a new
    /// object after this many (Firehose, too, starts a new object with every buffer it
    /// flushes).
    pub row_groups_per_object: usize,
}

impl Limits {
    /// The limits of `replay --out`.
    pub const DEFAULT: Limits = Limits {
        row_group_bytes: 2 * 1024 * 1024,
        pending_bytes: 4 * 1024 * 1024,
        row_groups_per_object: 16,
    };
}

/// Julian day number of 1970-01-01 (INT96 timestamps count days from the Julian epoch).
const JULIAN_DAY_OF_UNIX_EPOCH: i64 = 2_440_588;

/// Milliseconds per day.
const MS_PER_DAY: i64 = 86_400_000;

/// The Parquet message type of the table, in Hive's spelling.
pub fn message_type() -> String {
    let fields: String = COLUMNS.iter().map(field_of).collect();
    format!("message hive_schema {{\n{fields}}}\n")
}

/// One column's Parquet field, as Hive's ParquetSerDe declares the column's Glue type.
fn field_of(column: &Column) -> String {
    let name = column.name;
    match column.glue_type {
        "int" => format!("  optional int32 {name};\n"),
        "bigint" => format!("  optional int64 {name};\n"),
        "double" => format!("  optional double {name};\n"),
        "timestamp" => format!("  optional int96 {name};\n"),
        "array<string>" => format!(
            "  optional group {name} (LIST) {{\n    repeated group bag {{\n      optional binary array_element (UTF8);\n    }}\n  }}\n"
        ),
        _ => format!("  optional binary {name} (UTF8);\n"),
    }
}

/// The schema as the writer takes it.
fn schema() -> Result<Arc<Type>, String> {
    parse_message_type(&message_type())
        .map(Arc::new)
        .map_err(|e| format!("the Parquet schema does not parse: {e}"))
}

/// Values of one column for a run of rows, with Parquet's definition (and for lists,
/// repetition) levels.
enum ColumnValues {
    Int32(Vec<i32>, Vec<i16>),
    Int64(Vec<i64>, Vec<i16>),
    Double(Vec<f64>, Vec<i16>),
    Int96(Vec<Int96>, Vec<i16>),
    Text(Texts, Vec<i16>),
    /// Values, definition levels, repetition levels.
    List(Texts, Vec<i16>, Vec<i16>),
}

/// Strings stored end to end.
#[derive(Default)]
struct Texts {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Texts {
    fn push(&mut self, text: &str) {
        self.bytes.extend_from_slice(text.as_bytes());
        self.ends.push(self.bytes.len());
    }

    fn append(&mut self, mut other: Texts) {
        let offset = self.bytes.len();
        self.bytes.append(&mut other.bytes);
        self.ends
            .extend(other.ends.into_iter().map(|end| end + offset));
    }

    /// Heap bytes held.
    fn heap_bytes(&self) -> usize {
        self.bytes.capacity() + self.ends.capacity() * 8
    }

    /// The strings, moved into one shared buffer.
    fn take_bytes(&mut self) -> bytes::Bytes {
        bytes::Bytes::from(std::mem::take(&mut self.bytes))
    }

    /// The next `count` strings (from `*value`, starting at byte `*start`) as Parquet values:
    /// slices of `bytes`, no copies.
    fn byte_arrays(
        &self,
        bytes: &bytes::Bytes,
        value: &mut usize,
        start: &mut usize,
        count: usize,
    ) -> Vec<ByteArray> {
        let ends = &self.ends[*value..*value + count];
        *value += count;
        ends.iter()
            .map(|&end| {
                let text = ByteArray::from(bytes.slice(*start..end));
                *start = end;
                text
            })
            .collect()
    }

    /// Writes an optional string column a slice of rows at a time, so the Parquet values
    /// (a few dozen bytes each) never exist for a whole row group at once.
    fn write_optional(
        &mut self,
        defs: &[i16],
        column: &mut SerializedColumnWriter<'_>,
    ) -> parquet::errors::Result<()> {
        let writer = column.typed::<ByteArrayType>();
        let bytes = self.take_bytes();
        let (mut value, mut start) = (0, 0);
        for rows in defs.chunks(WRITE_ROWS) {
            let present = rows.iter().filter(|def| **def > 0).count();
            let values = self.byte_arrays(&bytes, &mut value, &mut start, present);
            writer.write_batch(&values, Some(rows), None)?;
        }
        Ok(())
    }

    /// Writes a list column in one call (bot reasons: few values).
    fn write_list(
        &mut self,
        defs: &[i16],
        reps: &[i16],
        column: &mut SerializedColumnWriter<'_>,
    ) -> parquet::errors::Result<()> {
        let bytes = self.take_bytes();
        let values = self.byte_arrays(&bytes, &mut 0, &mut 0, self.ends.len());
        column
            .typed::<ByteArrayType>()
            .write_batch(&values, Some(defs), Some(reps))
            .map(|_| ())
    }
}

/// Rows per `write_batch` call of a string column.
const WRITE_ROWS: usize = 4096;

impl ColumnValues {
    fn for_column(column: &Column) -> ColumnValues {
        match column.glue_type {
            "int" => ColumnValues::Int32(Vec::new(), Vec::new()),
            "bigint" => ColumnValues::Int64(Vec::new(), Vec::new()),
            "double" => ColumnValues::Double(Vec::new(), Vec::new()),
            "timestamp" => ColumnValues::Int96(Vec::new(), Vec::new()),
            "array<string>" => ColumnValues::List(Texts::default(), Vec::new(), Vec::new()),
            _ => ColumnValues::Text(Texts::default(), Vec::new()),
        }
    }

    /// Adds one row's value; a value of another type than the column's is a bug of the
    /// schema declaration, written as `NULL` rather than a panic.
    fn push(&mut self, value: Value<'_>) {
        match (self, value) {
            (ColumnValues::Int32(values, defs), Value::Int(x)) => push_some(values, defs, x),
            (ColumnValues::Int64(values, defs), Value::BigInt(x)) => push_some(values, defs, x),
            (ColumnValues::Double(values, defs), Value::Double(x)) => push_some(values, defs, x),
            (ColumnValues::Int96(values, defs), Value::Timestamp(at)) => {
                push_some(values, defs, int96_of(at));
            }
            (ColumnValues::Text(texts, defs), Value::Text(text)) => {
                texts.push(text);
                defs.push(1);
            }
            (ColumnValues::List(texts, defs, reps), Value::Reasons(reasons)) => {
                for (i, reason) in reasons.iter().enumerate() {
                    texts.push(reason.as_str());
                    defs.push(3);
                    reps.push(i16::from(i > 0));
                }
            }
            (ColumnValues::List(_, defs, reps), _) => {
                defs.push(0);
                reps.push(0);
            }
            (
                ColumnValues::Int32(_, defs)
                | ColumnValues::Int64(_, defs)
                | ColumnValues::Double(_, defs)
                | ColumnValues::Int96(_, defs)
                | ColumnValues::Text(_, defs),
                _,
            ) => defs.push(0),
        }
    }

    fn append(&mut self, other: ColumnValues) {
        match (self, other) {
            (ColumnValues::Int32(v, d), ColumnValues::Int32(ov, od)) => append_some(v, d, ov, od),
            (ColumnValues::Int64(v, d), ColumnValues::Int64(ov, od)) => append_some(v, d, ov, od),
            (ColumnValues::Double(v, d), ColumnValues::Double(ov, od)) => {
                append_some(v, d, ov, od);
            }
            (ColumnValues::Int96(v, d), ColumnValues::Int96(ov, od)) => append_some(v, d, ov, od),
            (ColumnValues::Text(t, d), ColumnValues::Text(ot, mut od)) => {
                t.append(ot);
                d.append(&mut od);
            }
            (ColumnValues::List(t, d, r), ColumnValues::List(ot, mut od, mut or)) => {
                t.append(ot);
                d.append(&mut od);
                r.append(&mut or);
            }
            // Chunks are all built from COLUMNS, so their columns always line up.
            _ => unreachable!("row chunks of different schemas"),
        }
    }

    /// Heap bytes held (capacity, not length: that is what the allocator gave).
    fn heap_bytes(&self) -> usize {
        match self {
            ColumnValues::Int32(v, d) => v.capacity() * 4 + d.capacity() * 2,
            ColumnValues::Int64(v, d) => v.capacity() * 8 + d.capacity() * 2,
            ColumnValues::Double(v, d) => v.capacity() * 8 + d.capacity() * 2,
            ColumnValues::Int96(v, d) => v.capacity() * 12 + d.capacity() * 2,
            ColumnValues::Text(t, d) => t.heap_bytes() + d.capacity() * 2,
            ColumnValues::List(t, d, r) => t.heap_bytes() + (d.capacity() + r.capacity()) * 2,
        }
    }

    /// Writes the values as the next column chunk of a row group.
    fn write(&mut self, column: &mut SerializedColumnWriter<'_>) -> parquet::errors::Result<()> {
        match self {
            ColumnValues::Int32(v, d) => column.typed::<Int32Type>().write_batch(v, Some(d), None),
            ColumnValues::Int64(v, d) => column.typed::<Int64Type>().write_batch(v, Some(d), None),
            ColumnValues::Double(v, d) => {
                column.typed::<DoubleType>().write_batch(v, Some(d), None)
            }
            ColumnValues::Int96(v, d) => column.typed::<Int96Type>().write_batch(v, Some(d), None),
            ColumnValues::Text(t, d) => t.write_optional(d, column).map(|()| 0),
            ColumnValues::List(t, d, r) => t.write_list(d, r, column).map(|()| 0),
        }
        .map(|_| ())
    }
}

fn push_some<T>(values: &mut Vec<T>, defs: &mut Vec<i16>, value: T) {
    values.push(value);
    defs.push(1);
}

/// Adds another chunk's values and definition levels of one column after these.
fn append_some<T>(
    values: &mut Vec<T>,
    defs: &mut Vec<i16>,
    mut more: Vec<T>,
    mut more_defs: Vec<i16>,
) {
    values.append(&mut more);
    defs.append(&mut more_defs);
}

/// A timestamp as Hive's INT96: nanoseconds of the day (little-endian, 8 bytes), then the
/// Julian day number.
fn int96_of(at: Timestamp) -> Int96 {
    let day = at.0.div_euclid(MS_PER_DAY);
    let nanos = at.0.rem_euclid(MS_PER_DAY) * 1_000_000;
    let mut value = Int96::new();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    value.set_data(
        nanos as u32,
        (nanos >> 32) as u32,
        (day + JULIAN_DAY_OF_UNIX_EPOCH) as u32,
    );
    value
}

/// Records bound for one partition, column by column.
pub struct RowChunk {
    columns: Vec<ColumnValues>,
}

impl RowChunk {
    /// An empty chunk with the table's columns.
    pub fn new() -> RowChunk {
        RowChunk {
            columns: COLUMNS.iter().map(ColumnValues::for_column).collect(),
        }
    }

    /// Adds one record.
    pub fn push(&mut self, record: &Record<'_>) {
        record.for_each_value(|index, value| self.columns[index].push(value));
    }

    /// Adds the rows of `other` after this chunk's.
    fn append(&mut self, other: RowChunk) {
        for (column, values) in self.columns.iter_mut().zip(other.columns) {
            column.append(values);
        }
    }

    /// Heap bytes held.
    fn heap_bytes(&self) -> usize {
        self.columns.iter().map(ColumnValues::heap_bytes).sum()
    }
}

/// The rows of one batch, by partition (a batch touches a handful of partitions).
#[derive(Default)]
pub struct PartitionChunks {
    chunks: Vec<(PartitionKeys<'static>, RowChunk)>,
}

impl PartitionChunks {
    /// Adds a kept row to its partition's chunk.
    pub fn push(&mut self, row: &Row<'_>) {
        let index = match self.chunks.iter().position(|(keys, _)| *keys == row.keys) {
            Some(index) => index,
            None => {
                self.chunks
                    .push((row.keys.clone().into_owned(), RowChunk::new()));
                self.chunks.len() - 1
            }
        };
        self.chunks[index].1.push(&row.record);
    }

    /// The chunks with their partition keys.
    pub fn into_chunks(self) -> impl Iterator<Item = (PartitionKeys<'static>, RowChunk)> {
        self.chunks.into_iter()
    }
}

/// Columns whose values are (nearly) unique per row: a dictionary would only grow until the
/// writer falls back to plain encoding, so they are written plain from the start.
const UNIQUE_PER_ROW: &[&str] = &[
    "event_timestamp",
    "arrival_timestamp",
    "page_view_id",
    "daily_page_view_id",
    "daily_visitor_id",
    "previous_daily_visitor_id",
];

/// An open Parquet object: rows are kept until a row group's worth, then written.
pub struct ParquetObject {
    writer: SerializedFileWriter<BufWriter<File>>,
    limits: Limits,
    pending: Option<RowChunk>,
    row_groups: usize,
}

impl ParquetObject {
    /// A new object writing into `file` within `limits`.
    pub fn create(file: File, limits: Limits) -> Result<ParquetObject, String> {
        let mut properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_writer_version(WriterVersion::PARQUET_1_0)
            .set_created_by(format!("pixelstream {}", env!("CARGO_PKG_VERSION")));
        for column in UNIQUE_PER_ROW {
            properties = properties.set_column_dictionary_enabled(ColumnPath::from(*column), false);
        }
        let properties = properties.build();
        let writer = SerializedFileWriter::new(
            BufWriter::with_capacity(64 * 1024, file),
            schema()?,
            Arc::new(properties),
        )
        .map_err(|e| e.to_string())?;
        Ok(ParquetObject {
            writer,
            limits,
            pending: None,
            row_groups: 0,
        })
    }

    /// Adds rows; writes a row group when enough are pending.
    pub fn add(&mut self, chunk: RowChunk) -> Result<(), String> {
        match &mut self.pending {
            Some(pending) => pending.append(chunk),
            None => self.pending = Some(chunk),
        }
        if self
            .pending
            .as_ref()
            .is_some_and(|pending| pending.heap_bytes() >= self.limits.row_group_bytes)
        {
            self.write_row_group()?;
        }
        Ok(())
    }

    /// Heap bytes of the rows not yet written.
    pub fn pending_bytes(&self) -> usize {
        self.pending.as_ref().map_or(0, RowChunk::heap_bytes)
    }

    /// Whether the object holds its [`Limits::row_groups_per_object`] and should be finished.
    pub fn is_full(&self) -> bool {
        self.row_groups >= self.limits.row_groups_per_object
    }

    /// Writes the pending rows as one row group.
    pub fn write_row_group(&mut self) -> Result<(), String> {
        let Some(mut chunk) = self.pending.take() else {
            return Ok(());
        };
        let mut group = self.writer.next_row_group().map_err(|e| e.to_string())?;
        for values in &mut chunk.columns {
            let Some(mut column) = group.next_column().map_err(|e| e.to_string())? else {
                return Err("the Parquet schema has fewer columns than the record".into());
            };
            values.write(&mut column).map_err(|e| e.to_string())?;
            column.close().map_err(|e| e.to_string())?;
        }
        group.close().map_err(|e| e.to_string())?;
        self.row_groups += 1;
        Ok(())
    }

    /// Writes what is pending and the file's footer.
    pub fn finish(mut self) -> Result<(), String> {
        self.write_row_group()?;
        let mut out = self.writer.into_inner().map_err(|e| e.to_string())?;
        out.flush().map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_glue_type_has_its_hive_parquet_type() {
        let schema = schema().expect("schema parses");
        let fields = schema.get_fields();
        assert_eq!(fields.len(), COLUMNS.len());
        for (field, column) in fields.iter().zip(COLUMNS) {
            assert_eq!(field.name(), column.name);
            let physical = if field.is_primitive() {
                format!("{:?}", field.get_physical_type())
            } else {
                "LIST".to_owned()
            };
            let expected = match column.glue_type {
                "int" => "INT32",
                "bigint" => "INT64",
                "double" => "DOUBLE",
                "timestamp" => "INT96",
                "string" => "BYTE_ARRAY",
                "array<string>" => "LIST",
                other => panic!("no Parquet type for {other}"),
            };
            assert_eq!(physical, expected, "{}", column.name);
        }
    }

    #[test]
    fn int96_counts_julian_days_and_nanoseconds_of_the_day() {
        // 2023-04-21 13:37:21.469 UTC is Julian day 2460056.
        let value = int96_of(Timestamp(1_682_084_241_469));
        assert_eq!(value.to_millis(), 1_682_084_241_469);
        assert_eq!(value.data()[2], 2_460_056);
        let before_1970 = int96_of(Timestamp(-1));
        assert_eq!(before_1970.data()[2], 2_440_587);
        assert_eq!(before_1970.to_millis(), -1);
    }
}
