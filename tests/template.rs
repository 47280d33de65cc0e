//! Checks `cloudformation/pixelstream.yaml` against the code, for what cfn-lint cannot know:
//! the Glue columns are `pixelstream_core::emit::record::COLUMNS`, the real-time log fields are the
//! Lambda's field list, the S3 prefix uses the partition keys the Lambda emits, and the buffer
//! sizes respect Firehose's and Lambda's limits.
//!
//! `PIXELSTREAM_BLESS=1` regenerates the template's Glue `Columns` block (between the
//! `# BEGIN GENERATED COLUMNS` / `# END GENERATED COLUMNS` markers) from `COLUMNS` first.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::OnceLock;

use pixelstream_core::emit::partition::PartitionKeys;
use pixelstream_core::emit::record::COLUMNS;
use pixelstream_core::outcome::EventType;
use pixelstream_core::parse::fields::{Field, FieldList};
use pixelstream_core::time::Date;
use serde_yaml::{Mapping, Value};

const TEMPLATE: &str = "cloudformation/pixelstream.yaml";
const BEGIN_COLUMNS: &str = "# BEGIN GENERATED COLUMNS";
const END_COLUMNS: &str = "# END GENERATED COLUMNS";
const BLESS_HINT: &str = "run `PIXELSTREAM_BLESS=1 cargo test --test template` and review";
/// Glue's limit on a column comment.
const GLUE_COMMENT_MAX: usize = 255;

// ------------------------------------------------------------------------------------------
// Loading (and, with PIXELSTREAM_BLESS, regenerating) the template
// ------------------------------------------------------------------------------------------

struct Template {
    text: String,
    yaml: Value,
}

fn template_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(TEMPLATE)
}

/// The template, blessed at most once per test run before any test reads it.
fn template() -> &'static Template {
    static TEMPLATE_ONCE: OnceLock<Template> = OnceLock::new();
    TEMPLATE_ONCE.get_or_init(|| {
        let path = template_path();
        let read = || {
            std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
        };
        let mut text = read();
        if std::env::var_os("PIXELSTREAM_BLESS").is_some() {
            let blessed = with_generated_columns(&text);
            if blessed != text {
                // Write beside and rename, so nothing ever reads a half-written template.
                let tmp = path.with_extension("yaml.blessing");
                std::fs::write(&tmp, &blessed).expect("blessed template written");
                std::fs::rename(&tmp, &path).expect("blessed template moved into place");
            }
            text = read();
        }
        let yaml = serde_yaml::from_str(&text)
            .unwrap_or_else(|e| panic!("{TEMPLATE} is not valid YAML: {e}"));
        Template { text, yaml }
    })
}

/// The Glue `Columns` entries for `COLUMNS`, one YAML list item per column at `indent`.
fn render_columns(indent: &str) -> String {
    let mut out = String::new();
    for column in COLUMNS {
        // A JSON string is a valid YAML double-quoted scalar.
        let comment = serde_json::to_string(column.doc).expect("doc serializes");
        out.push_str(&format!(
            "{indent}- Name: {}\n{indent}  Type: {}\n{indent}  Comment: {comment}\n",
            column.name, column.glue_type
        ));
    }
    out
}

/// Where the generated block sits: (index of the BEGIN line, index of the END line, indent).
fn generated_block(lines: &[&str]) -> (usize, usize, String) {
    let find = |marker: &str| {
        let found: Vec<usize> = lines
            .iter()
            .enumerate()
            .filter(|(_, line)| line.trim_start().starts_with(marker))
            .map(|(n, _)| n)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "{TEMPLATE} must have exactly one `{marker}` line, found {}",
            found.len()
        );
        found[0]
    };
    let (begin, end) = (find(BEGIN_COLUMNS), find(END_COLUMNS));
    assert!(
        begin < end,
        "{TEMPLATE}: `{END_COLUMNS}` comes before `{BEGIN_COLUMNS}`"
    );
    let indent: String = lines[begin]
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect();
    (begin, end, indent)
}

/// The template text with the generated block rewritten from `COLUMNS`.
fn with_generated_columns(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let (begin, end, indent) = generated_block(&lines);
    let mut out = String::new();
    for line in &lines[..=begin] {
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&render_columns(&indent));
    for line in &lines[end..] {
        out.push_str(line);
        out.push('\n');
    }
    out
}

// ------------------------------------------------------------------------------------------
// Reading CloudFormation YAML (short tags such as !Ref parse as `Value::Tagged`)
// ------------------------------------------------------------------------------------------

/// An intrinsic function call, short (`!Sub x`) or long (`{"Fn::Sub": x}`) form:
/// (name without `Fn::`, argument).
fn intrinsic(value: &Value) -> Option<(String, &Value)> {
    match value {
        Value::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            Some((tag.trim_start_matches('!').to_owned(), &tagged.value))
        }
        Value::Mapping(map) if map.len() == 1 => {
            let (key, arg) = map.iter().next()?;
            let key = key.as_str()?;
            (key == "Ref" || key.starts_with("Fn::"))
                .then(|| (key.trim_start_matches("Fn::").to_owned(), arg))
        }
        _ => None,
    }
}

/// `what` at `path` below `value`, or a panic naming the missing path.
fn at<'v>(value: &'v Value, path: &[&str], what: &str) -> &'v Value {
    let mut current = value;
    for (depth, key) in path.iter().enumerate() {
        current = current.get(*key).unwrap_or_else(|| {
            panic!(
                "{what}: `{}` is missing in {TEMPLATE}",
                path[..=depth].join(".")
            )
        });
    }
    current
}

/// A plain string, or the template string of a `!Sub` (both forms).
fn text(value: &Value, what: &str) -> String {
    match (value, intrinsic(value)) {
        (Value::String(s), _) => s.clone(),
        (_, Some((name, arg))) if name == "Sub" => match arg {
            Value::String(s) => s.clone(),
            Value::Sequence(items) => text(&items[0], what),
            other => panic!("{what}: unexpected !Sub argument {other:?}"),
        },
        _ => panic!("{what}: expected a string or !Sub, found {value:?}"),
    }
}

/// The parameter a value `!Ref`s, if it does.
fn ref_name(value: &Value) -> Option<String> {
    match intrinsic(value) {
        Some((name, Value::String(target))) if name == "Ref" => Some(target.clone()),
        _ => None,
    }
}

/// The logical id a `!GetAtt X.Attr` (or `[X, Attr]`) points at, with the attribute.
fn get_att(value: &Value) -> Option<(String, String)> {
    match intrinsic(value)? {
        (name, Value::String(target)) if name == "GetAtt" => {
            let (id, attr) = target.split_once('.')?;
            Some((id.to_owned(), attr.to_owned()))
        }
        (name, Value::Sequence(parts)) if name == "GetAtt" && parts.len() == 2 => {
            Some((parts[0].as_str()?.to_owned(), parts[1].as_str()?.to_owned()))
        }
        _ => None,
    }
}

fn number_of(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

impl Template {
    fn resources(&self) -> &Mapping {
        at(&self.yaml, &["Resources"], "resources")
            .as_mapping()
            .expect("Resources is a mapping")
    }

    /// The properties of the one resource `logical_id`.
    fn properties(&self, logical_id: &str) -> &Value {
        let resource = self
            .resources()
            .get(logical_id)
            .unwrap_or_else(|| panic!("resource {logical_id} is missing from {TEMPLATE}"));
        at(resource, &["Properties"], logical_id)
    }

    /// (logical id, properties) of every resource of `kind`.
    fn of_type(&self, kind: &str) -> Vec<(String, &Value)> {
        self.resources()
            .iter()
            .filter(|(_, resource)| resource.get("Type").and_then(Value::as_str) == Some(kind))
            .map(|(id, resource)| {
                let id = id.as_str().expect("logical ids are strings").to_owned();
                (id.clone(), at(resource, &["Properties"], &id))
            })
            .collect()
    }

    /// The properties of the single resource of `kind`.
    fn only(&self, kind: &str) -> (String, &Value) {
        let mut found = self.of_type(kind);
        assert_eq!(
            found.len(),
            1,
            "{TEMPLATE} should have exactly one {kind}, has {}",
            found.len()
        );
        found.remove(0)
    }

    /// The smallest and largest value `value` can take: a literal, or a `!Ref` to a parameter
    /// bounded by MinValue/MaxValue or AllowedValues.
    fn bounds(&self, value: &Value, what: &str) -> (f64, f64) {
        if let Some(literal) = number_of(value) {
            return (literal, literal);
        }
        let name = ref_name(value)
            .unwrap_or_else(|| panic!("{what}: expected a number or a !Ref, found {value:?}"));
        let parameter = at(&self.yaml, &["Parameters", &name], what);
        if let Some(allowed) = parameter.get("AllowedValues").and_then(Value::as_sequence) {
            let values: Vec<f64> = allowed.iter().filter_map(number_of).collect();
            let min = values.iter().copied().fold(f64::INFINITY, f64::min);
            let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            return (min, max);
        }
        let bound = |key: &str| parameter.get(key).and_then(number_of);
        (
            bound("MinValue").unwrap_or(f64::NEG_INFINITY),
            bound("MaxValue").unwrap_or(f64::INFINITY),
        )
    }

    /// The Firehose stream's S3 destination.
    fn s3_destination(&self) -> &Value {
        let (id, stream) = self.only("AWS::KinesisFirehose::DeliveryStream");
        at(stream, &["ExtendedS3DestinationConfiguration"], &id)
    }

    fn glue_table(&self) -> &Value {
        let (id, table) = self.only("AWS::Glue::Table");
        at(table, &["TableInput"], &id)
    }

    /// The Lambda function running in `mode` (its PIXELSTREAM_MODE).
    fn function(&self, mode: &str) -> (String, &Value) {
        let mut found: Vec<(String, &Value)> = self
            .of_type("AWS::Lambda::Function")
            .into_iter()
            .filter(|(_, function)| {
                function
                    .get("Environment")
                    .and_then(|e| e.get("Variables"))
                    .and_then(|v| v.get("PIXELSTREAM_MODE"))
                    .and_then(Value::as_str)
                    == Some(mode)
            })
            .collect();
        assert_eq!(
            found.len(),
            1,
            "{TEMPLATE} should have exactly one Lambda function with PIXELSTREAM_MODE={mode}, has {}",
            found.len()
        );
        found.remove(0)
    }

    fn env<'t>(&self, function: &'t Value, variable: &str) -> &'t Value {
        at(
            function,
            &["Environment", "Variables", variable],
            "Lambda environment",
        )
    }

    /// The IAM statements of role `role_id` that allow `action`, with their resources.
    fn statements_allowing(&self, role_id: &str, action: &str) -> Vec<Vec<String>> {
        let role = self.properties(role_id);
        let policies = at(role, &["Policies"], role_id)
            .as_sequence()
            .expect("Policies is a list");
        let mut found = Vec::new();
        for policy in policies {
            let statements = at(policy, &["PolicyDocument", "Statement"], role_id)
                .as_sequence()
                .expect("Statement is a list");
            for statement in statements {
                let actions = match &statement["Action"] {
                    Value::String(one) => vec![one.clone()],
                    Value::Sequence(many) => many
                        .iter()
                        .filter_map(|a| a.as_str().map(str::to_owned))
                        .collect(),
                    _ => Vec::new(),
                };
                if statement["Effect"].as_str() == Some("Allow")
                    && actions.iter().any(|a| a == action)
                {
                    let resources = match &statement["Resource"] {
                        Value::Sequence(many) => {
                            many.iter().map(|r| text(r, "IAM resource")).collect()
                        }
                        one => vec![text(one, "IAM resource")],
                    };
                    found.push(resources);
                }
            }
        }
        found
    }
}

/// The partition keys the Lambda emits, read from its serialized metadata.
fn emitted_partition_keys() -> BTreeSet<String> {
    let keys = PartitionKeys {
        domain_name: "mydomain.tld".into(),
        event_type: EventType::Pageview,
        event_date: Date::parse("2023-04-21").expect("a date"),
    };
    serde_json::to_value(&keys)
        .expect("partition keys serialize")
        .as_object()
        .expect("partition keys serialize to a JSON object")
        .keys()
        .cloned()
        .collect()
}

/// `X` of every `!{partitionKeyFromLambda:X}` in `prefix`, in order.
fn lambda_keys_in(prefix: &str) -> Vec<String> {
    const OPEN: &str = "!{partitionKeyFromLambda:";
    let mut keys = Vec::new();
    let mut rest = prefix;
    while let Some(start) = rest.find(OPEN) {
        let after = &rest[start + OPEN.len()..];
        let end = after
            .find('}')
            .unwrap_or_else(|| panic!("Prefix {prefix:?}: unclosed `{OPEN}`"));
        keys.push(after[..end].to_owned());
        rest = &after[end..];
    }
    keys
}

// ------------------------------------------------------------------------------------------
// Firehose buffers
// ------------------------------------------------------------------------------------------

#[test]
fn s3_buffer_is_at_least_64_mb_with_parquet_conversion() {
    let t = template();
    let s3 = t.s3_destination();
    let enabled = |key: &str| {
        s3.get(key)
            .and_then(|c| c.get("Enabled"))
            .and_then(Value::as_bool)
            == Some(true)
    };
    assert!(
        enabled("DataFormatConversionConfiguration"),
        "the Firehose S3 destination should convert records to Parquet (DataFormatConversionConfiguration.Enabled)"
    );
    let (min_size, _) = t.bounds(
        at(s3, &["BufferingHints", "SizeInMBs"], "S3 buffering"),
        "BufferingHints.SizeInMBs",
    );
    assert!(
        min_size >= 64.0,
        "BufferingHints.SizeInMBs can be {min_size}: Firehose requires at least 64 MB with format conversion and dynamic partitioning"
    );
    let (min_interval, max_interval) = t.bounds(
        at(s3, &["BufferingHints", "IntervalInSeconds"], "S3 buffering"),
        "BufferingHints.IntervalInSeconds",
    );
    assert!(
        (60.0..=900.0).contains(&min_interval) && (60.0..=900.0).contains(&max_interval),
        "BufferingHints.IntervalInSeconds ranges over {min_interval}..={max_interval}, outside Firehose's 60..=900 s"
    );
}

#[test]
fn processor_buffer_is_at_most_1_mb_and_calls_the_transformation() {
    let t = template();
    let s3 = t.s3_destination();
    let processing = at(s3, &["ProcessingConfiguration"], "Firehose processing");
    assert_eq!(
        processing["Enabled"].as_bool(),
        Some(true),
        "ProcessingConfiguration.Enabled must be true: records must go through the Lambda"
    );
    let processors: Vec<&Value> = at(processing, &["Processors"], "Firehose processing")
        .as_sequence()
        .expect("Processors is a list")
        .iter()
        .filter(|p| p["Type"].as_str() == Some("Lambda"))
        .collect();
    assert_eq!(processors.len(), 1, "expected exactly one Lambda processor");
    let parameter = |name: &str| {
        at(processors[0], &["Parameters"], "Lambda processor")
            .as_sequence()
            .expect("processor Parameters is a list")
            .iter()
            .find(|p| p["ParameterName"].as_str() == Some(name))
            .map(|p| &p["ParameterValue"])
    };
    let buffer = parameter("BufferSizeInMBs").expect(
        "the Lambda processor must set BufferSizeInMBs (Firehose's default of 1 MB may change; the 6 MB arithmetic depends on it)",
    );
    let (_, max_buffer) = t.bounds(buffer, "processor BufferSizeInMBs");
    assert!(
        max_buffer <= 1.0,
        "processor BufferSizeInMBs can be {max_buffer}: at most 1 MB keeps requests and responses under Lambda's 6 MB (see the README)"
    );
    let interval = parameter("BufferIntervalInSeconds")
        .expect("the Lambda processor should set BufferIntervalInSeconds");
    let (min_interval, max_interval) = t.bounds(interval, "processor BufferIntervalInSeconds");
    assert!(
        (60.0..=900.0).contains(&min_interval) && (60.0..=900.0).contains(&max_interval),
        "processor BufferIntervalInSeconds ranges over {min_interval}..={max_interval}, outside 60..=900 s"
    );
    let lambda = parameter("LambdaArn").expect("the Lambda processor must name LambdaArn");
    let (transform_id, _) = t.function("transform");
    assert_eq!(
        get_att(lambda),
        Some((transform_id.clone(), "Arn".to_owned())),
        "the Lambda processor should call !GetAtt {transform_id}.Arn, the PIXELSTREAM_MODE=transform function"
    );
}

// ------------------------------------------------------------------------------------------
// Real-time log fields and the Lambda's field list
// ------------------------------------------------------------------------------------------

fn realtime_log_fields(t: &Template) -> Vec<String> {
    let (id, config) = t.only("AWS::CloudFront::RealtimeLogConfig");
    at(config, &["Fields"], &id)
        .as_sequence()
        .expect("RealtimeLogConfig Fields is a list")
        .iter()
        .map(|f| {
            f.as_str()
                .unwrap_or_else(|| panic!("RealtimeLogConfig field {f:?} is not a plain string"))
                .to_owned()
        })
        .collect()
}

#[test]
fn realtime_log_fields_are_the_default_list_in_canonical_order() {
    let t = template();
    let (_, config) = t.only("AWS::CloudFront::RealtimeLogConfig");
    let (min_rate, max_rate) = t.bounds(&config["SamplingRate"], "SamplingRate");
    assert!(
        min_rate == 100.0 && max_rate == 100.0,
        "RealtimeLogConfig SamplingRate must be 100: every hit counts"
    );
    let names = realtime_log_fields(t);
    let fields: Vec<Field> = names
        .iter()
        .map(|name| {
            Field::from_name(name).unwrap_or_else(|| {
                panic!("RealtimeLogConfig field {name:?} is not a CloudFront real-time log field")
            })
        })
        .collect();
    for pair in fields.windows(2) {
        assert!(
            pair[0] < pair[1],
            "RealtimeLogConfig Fields: {} is listed after {}; list them in CloudFront's canonical order (the order lines arrive in), without duplicates",
            pair[1],
            pair[0]
        );
    }
    assert_eq!(
        fields,
        FieldList::default_fields().fields(),
        "RealtimeLogConfig Fields differ from pixelstream's default field list (src/fields.rs DEFAULT_FIELDS)"
    );
}

#[test]
fn lambda_field_list_is_the_realtime_log_fields() {
    let t = template();
    let (id, function) = t.function("transform");
    let spec = text(t.env(function, "PIXELSTREAM_FIELDS"), "PIXELSTREAM_FIELDS");
    let parsed = FieldList::parse(&spec)
        .unwrap_or_else(|e| panic!("{id} PIXELSTREAM_FIELDS {spec:?} is invalid: {e}"));
    assert_eq!(
        spec,
        FieldList::default_fields().to_spec(),
        "{id} PIXELSTREAM_FIELDS is not the default field list, comma-joined in canonical order"
    );
    assert_eq!(
        spec,
        realtime_log_fields(t).join(","),
        "{id} PIXELSTREAM_FIELDS differs from RealtimeLogConfig Fields: the Lambda would split lines at the wrong columns"
    );
    assert_eq!(parsed, FieldList::default_fields());
}

// ------------------------------------------------------------------------------------------
// Prefixes and partition keys
// ------------------------------------------------------------------------------------------

#[test]
fn prefix_uses_exactly_the_partition_keys_the_lambda_emits() {
    let t = template();
    let prefix = text(at(t.s3_destination(), &["Prefix"], "S3 prefix"), "Prefix");
    let emitted = emitted_partition_keys();
    let used = lambda_keys_in(&prefix);
    for key in &used {
        assert!(
            emitted.contains(key),
            "Prefix uses !{{partitionKeyFromLambda:{key}}}, but the Lambda only emits {emitted:?}"
        );
        assert!(
            prefix.contains(&format!("{key}=!{{partitionKeyFromLambda:{key}}}/")),
            "Prefix should hold `{key}=!{{partitionKeyFromLambda:{key}}}/` (Hive-style, as the Glue table reads it)"
        );
    }
    let used_set: BTreeSet<String> = used.iter().cloned().collect();
    assert_eq!(
        used_set, emitted,
        "Prefix should partition by every key the Lambda emits, each once"
    );
    assert_eq!(
        used.len(),
        emitted.len(),
        "Prefix names a partition key twice"
    );
    assert!(
        !prefix.contains("!{timestamp:"),
        "Prefix should not use Firehose's arrival time: event_date comes from the Lambda"
    );
    let (min_retry, _) = t.bounds(
        at(
            t.s3_destination(),
            &[
                "DynamicPartitioningConfiguration",
                "RetryOptions",
                "DurationInSeconds",
            ],
            "dynamic partitioning",
        ),
        "DynamicPartitioningConfiguration RetryOptions",
    );
    assert!(
        min_retry > 0.0,
        "dynamic partitioning should retry failed deliveries"
    );
}

#[test]
fn error_prefix_has_the_error_output_type_and_stays_outside_the_table() {
    let t = template();
    let s3 = t.s3_destination();
    let errors = text(
        at(s3, &["ErrorOutputPrefix"], "error prefix"),
        "ErrorOutputPrefix",
    );
    assert!(
        errors.contains("!{firehose:error-output-type}"),
        "ErrorOutputPrefix {errors:?} must contain !{{firehose:error-output-type}} (required with dynamic partitioning)"
    );
    let prefix = text(at(s3, &["Prefix"], "S3 prefix"), "Prefix");
    let table_root = prefix.split('/').next().unwrap_or_default();
    assert!(
        !errors.starts_with(&format!("{table_root}/")),
        "ErrorOutputPrefix {errors:?} lies under the table's {table_root}/: Athena would read failed records as data"
    );
}

// ------------------------------------------------------------------------------------------
// Glue table
// ------------------------------------------------------------------------------------------

#[test]
fn generated_columns_block_is_up_to_date() {
    for column in COLUMNS {
        assert!(
            column.doc.len() <= GLUE_COMMENT_MAX,
            "the doc of column {} is {} bytes; Glue comments hold at most {GLUE_COMMENT_MAX}",
            column.name,
            column.doc.len()
        );
    }
    let t = template();
    assert!(
        t.text == with_generated_columns(&t.text),
        "the Glue Columns block between `{BEGIN_COLUMNS}` and `{END_COLUMNS}` in {TEMPLATE} differs from pixelstream_core::emit::record::COLUMNS; {BLESS_HINT}"
    );
}

#[test]
fn glue_columns_are_the_record_columns() {
    let t = template();
    let table = t.glue_table();
    let columns = at(table, &["StorageDescriptor", "Columns"], "Glue table")
        .as_sequence()
        .unwrap_or_else(|| panic!("Glue StorageDescriptor.Columns is empty; {BLESS_HINT}"));
    let field = |column: &Value, key: &str| {
        column[key]
            .as_str()
            .unwrap_or_else(|| panic!("Glue column {column:?} lacks a string {key}"))
            .to_owned()
    };
    let actual: Vec<(String, String)> = columns
        .iter()
        .map(|c| (field(c, "Name"), field(c, "Type")))
        .collect();
    let expected: Vec<(String, String)> = COLUMNS
        .iter()
        .map(|c| (c.name.to_owned(), c.glue_type.to_owned()))
        .collect();
    for (n, (a, e)) in actual.iter().zip(&expected).enumerate() {
        assert_eq!(
            a,
            e,
            "Glue column #{} is {} {}, but COLUMNS has {} {} there; {BLESS_HINT}",
            n + 1,
            a.0,
            a.1,
            e.0,
            e.1
        );
    }
    assert_eq!(
        actual.len(),
        expected.len(),
        "the Glue table has {} columns, COLUMNS has {}; {BLESS_HINT}",
        actual.len(),
        expected.len()
    );
    for (column, expected) in columns.iter().zip(COLUMNS) {
        assert_eq!(
            column["Comment"].as_str(),
            Some(expected.doc),
            "the Glue comment of {} differs from its doc in src/record.rs; {BLESS_HINT}",
            expected.name
        );
    }
}

#[test]
fn partition_keys_are_exactly_the_lambda_keys_and_no_column_is_named_timestamp() {
    let t = template();
    let table = t.glue_table();
    let keys: Vec<(String, String)> = at(table, &["PartitionKeys"], "Glue table")
        .as_sequence()
        .expect("PartitionKeys is a list")
        .iter()
        .map(|k| {
            (
                k["Name"].as_str().unwrap_or_default().to_owned(),
                k["Type"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let names: Vec<String> = keys.iter().map(|(name, _)| name.clone()).collect();
    let prefix = text(at(t.s3_destination(), &["Prefix"], "S3 prefix"), "Prefix");
    assert_eq!(
        names,
        lambda_keys_in(&prefix),
        "Glue PartitionKeys must be the Prefix's partition keys, in the same (directory) order"
    );
    assert_eq!(
        names.iter().cloned().collect::<BTreeSet<_>>(),
        emitted_partition_keys(),
        "Glue PartitionKeys must be exactly the partition keys the Lambda emits"
    );
    for (name, kind) in &keys {
        assert_eq!(
            kind, "string",
            "partition key {name} should be a string (Firehose writes it into the path)"
        );
        assert!(
            COLUMNS.iter().all(|c| c.name != name),
            "partition key {name} is also a data column; Glue and Athena refuse duplicate names"
        );
    }
    let data_columns = at(table, &["StorageDescriptor", "Columns"], "Glue table")
        .as_sequence()
        .map(Vec::as_slice)
        .unwrap_or_default();
    for name in data_columns
        .iter()
        .filter_map(|c| c["Name"].as_str())
        .chain(names.iter().map(String::as_str))
    {
        assert!(
            !name.eq_ignore_ascii_case("timestamp"),
            "the Glue table has a column named `{name}`, a Hive keyword"
        );
    }
    // Partition projection must enumerate every key, and find files where Firehose puts them.
    let parameters = at(table, &["Parameters"], "Glue table");
    for name in &names {
        assert!(
            parameters
                .get(format!("projection.{name}.type").as_str())
                .is_some(),
            "partition projection lacks projection.{name}.type"
        );
    }
    let location = text(
        at(table, &["StorageDescriptor", "Location"], "Glue table"),
        "table Location",
    );
    let template = text(
        at(parameters, &["storage.location.template"], "Glue table"),
        "storage.location.template",
    );
    let mut expected = prefix.clone();
    for name in &names {
        expected = expected.replace(
            &format!("!{{partitionKeyFromLambda:{name}}}"),
            &format!("${{!{name}}}"),
        );
    }
    assert!(
        location.ends_with(&format!(
            "/{}/",
            prefix.split('/').next().unwrap_or_default()
        )),
        "the table Location {location:?} should be the Prefix's root directory"
    );
    assert!(
        template.ends_with(&format!("/{expected}")),
        "storage.location.template {template:?} should end with the Prefix {expected:?} (partition values as ${{!key}})"
    );
}

#[test]
fn the_allowed_domains_are_one_parameter_for_the_lambda_and_the_projection() {
    let t = template();
    let (id, function) = t.function("transform");
    let lambda = ref_name(t.env(function, "PIXELSTREAM_ALLOWED_DOMAINS"));
    let projection = ref_name(at(
        t.glue_table(),
        &["Parameters", "projection.domain_name.values"],
        "Glue table",
    ));
    assert!(
        lambda.is_some(),
        "{id} PIXELSTREAM_ALLOWED_DOMAINS should be a !Ref to the AllowedDomains parameter"
    );
    assert_eq!(
        lambda, projection,
        "the Lambda's allow-list and the domain_name projection must come from the same parameter"
    );
}

// ------------------------------------------------------------------------------------------
// Lambda, salts, backup and buckets
// ------------------------------------------------------------------------------------------

#[test]
fn lambdas_run_on_al2023_arm64() {
    let t = template();
    let functions = t.of_type("AWS::Lambda::Function");
    assert!(
        functions.len() >= 2,
        "expected the transformation and the salt rotation functions"
    );
    for (id, function) in &functions {
        assert_eq!(
            function["Runtime"].as_str(),
            Some("provided.al2023"),
            "{id} should run on provided.al2023 (the Rust binary is the bootstrap)"
        );
        assert_eq!(
            function["Handler"].as_str(),
            Some("bootstrap"),
            "{id} Handler should be bootstrap"
        );
        let architectures = function["Architectures"]
            .as_sequence()
            .map(Vec::as_slice)
            .unwrap_or_default();
        assert_eq!(
            architectures.len(),
            1,
            "{id} should name exactly one architecture"
        );
        let architecture = &architectures[0];
        // Check for a !Ref first: serde_yaml's `as_str` looks through tags.
        match (ref_name(architecture), architecture.as_str()) {
            (None, Some(literal)) => assert_eq!(
                literal, "arm64",
                "{id} should run on arm64 (the package is built for aarch64)"
            ),
            (Some(parameter), _) => {
                let parameter = at(&t.yaml, &["Parameters", &parameter], "architecture");
                assert_eq!(
                    parameter["Default"].as_str(),
                    Some("arm64"),
                    "{id}: the architecture parameter should default to arm64"
                );
                let allowed: Vec<&str> = parameter["AllowedValues"]
                    .as_sequence()
                    .map(|values| values.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                assert!(
                    !allowed.is_empty() && allowed.iter().all(|a| ["arm64", "x86_64"].contains(a)),
                    "{id}: the architecture parameter should only allow arm64 or x86_64, allows {allowed:?}"
                );
            }
            _ => panic!("{id}: Architectures should be [arm64] or [!Ref <parameter>]"),
        }
    }
    // Both functions run the same zip, so they share its code location and architecture.
    let (first_id, first) = &functions[0];
    for (id, function) in &functions[1..] {
        for key in ["Code", "Architectures", "Runtime"] {
            assert_eq!(
                function[key], first[key],
                "{id} and {first_id} run the same package and should have the same {key}"
            );
        }
    }
}

#[test]
fn salt_permissions_cover_exactly_the_salt_prefix() {
    let t = template();
    let arn = |suffix: &str| {
        format!(
            "arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter{suffix}"
        )
    };
    let role_of = |function: &Value| {
        get_att(&function["Role"])
            .map(|(id, _)| id)
            .expect("a function's Role is !GetAtt <role>.Arn")
    };
    let (transform_id, transform) = t.function("transform");
    let (rotation_id, rotation) = t.function("rotate-salts");
    let prefix = text(
        t.env(transform, "PIXELSTREAM_SALT_PREFIX"),
        "PIXELSTREAM_SALT_PREFIX",
    );
    assert_eq!(
        text(
            t.env(rotation, "PIXELSTREAM_SALT_PREFIX"),
            "PIXELSTREAM_SALT_PREFIX"
        ),
        prefix,
        "{transform_id} and {rotation_id} must use the same PIXELSTREAM_SALT_PREFIX"
    );
    assert!(
        prefix.starts_with('/') && !prefix.ends_with('/'),
        "PIXELSTREAM_SALT_PREFIX {prefix:?} should be an SSM path like /pixelstream/<stack>/salts"
    );
    let children = arn(&format!("{prefix}/*"));
    let cases = [
        (role_of(transform), "ssm:GetParameters", children.clone()),
        (role_of(rotation), "ssm:GetParametersByPath", arn(&prefix)),
        (role_of(rotation), "ssm:PutParameter", children.clone()),
        (role_of(rotation), "ssm:DeleteParameters", children),
    ];
    for (role, action, resource) in cases {
        let statements = t.statements_allowing(&role, action);
        assert!(
            !statements.is_empty(),
            "{role} does not allow {action} on the salts"
        );
        for resources in statements {
            assert_eq!(
                resources,
                std::slice::from_ref(&resource),
                "{role} allows {action} on {resources:?}; it should be exactly {resource}"
            );
        }
    }
}

#[test]
fn no_s3_backup_of_raw_records() {
    let t = template();
    let s3 = t.s3_destination();
    let mode = s3
        .get("S3BackupMode")
        .and_then(Value::as_str)
        .unwrap_or("Disabled");
    assert_eq!(
        mode, "Disabled",
        "S3BackupMode is {mode}: the raw log lines hold client IP addresses and must not be kept"
    );
    assert!(
        s3.get("S3BackupConfiguration").is_none(),
        "S3BackupConfiguration is set: the raw log lines hold client IP addresses"
    );
}

#[test]
fn buckets_block_public_access() {
    let t = template();
    let buckets = t.of_type("AWS::S3::Bucket");
    assert!(
        buckets.iter().any(|(id, _)| id == "DataBucket"),
        "the template should define DataBucket"
    );
    for (id, bucket) in buckets {
        let block = bucket.get("PublicAccessBlockConfiguration");
        for setting in [
            "BlockPublicAcls",
            "BlockPublicPolicy",
            "IgnorePublicAcls",
            "RestrictPublicBuckets",
        ] {
            assert_eq!(
                block.and_then(|b| b.get(setting)).and_then(Value::as_bool),
                Some(true),
                "bucket {id} must set PublicAccessBlockConfiguration.{setting}: true"
            );
        }
        assert!(
            bucket.get("BucketEncryption").is_some(),
            "bucket {id} should set BucketEncryption"
        );
    }
    let destination = at(t.s3_destination(), &["BucketARN"], "S3 destination");
    assert_eq!(
        get_att(destination).map(|(id, _)| id).as_deref(),
        Some("DataBucket"),
        "Firehose should write to DataBucket"
    );
}

/// The views `sql/` creates, by file name (`021_sessions.sql` creates `sessions`).
fn model_views() -> BTreeSet<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sql");
    std::fs::read_dir(&dir)
        .expect("sql/ is readable")
        .filter_map(|entry| {
            let name = entry.expect("a directory entry").file_name();
            let name = name.to_str()?.strip_suffix(".sql")?.to_owned();
            Some(name.split_once('_')?.1.to_owned())
        })
        .collect()
}

#[test]
fn named_queries_read_the_models_views_not_the_raw_table() {
    let views = model_views();
    assert!(views.contains("daily_overview") && views.contains("sessions"));
    let mut read = BTreeSet::new();
    for (id, resource) in template().resources() {
        if resource["Type"].as_str() != Some("AWS::Athena::NamedQuery") {
            continue;
        }
        let query = match &resource["Properties"]["QueryString"] {
            Value::Tagged(sub) => sub.value.as_str(),
            other => other.as_str(),
        }
        .unwrap_or_else(|| panic!("{id:?}: QueryString is not text"));
        let relations: Vec<&str> = query
            .split("FROM \"${GlueDatabase}\".")
            .skip(1)
            .map(|rest| {
                rest.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                    .next()
                    .unwrap_or("")
            })
            .collect();
        assert!(!relations.is_empty(), "{id:?} reads no view: {query}");
        for relation in relations {
            assert!(
                views.contains(relation),
                "{id:?} reads {relation:?}, which sql/ does not create"
            );
            read.insert(relation.to_owned());
        }
        assert!(!query.contains("EventsTable"), "{id:?} reads the raw table");
    }
    assert!(
        read.len() >= 7,
        "one saved query per main view, got {read:?}"
    );
}

#[test]
fn deploy_applies_every_model_file_in_order() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let deploy = std::fs::read_to_string(root.join("cloudformation/deploy.sh")).unwrap();
    assert!(
        deploy.contains("cloudformation/apply-sql.sh"),
        "deploy creates the views"
    );
    let apply = std::fs::read_to_string(root.join("cloudformation/apply-sql.sh")).unwrap();
    assert!(
        apply.contains("sql/*.sql"),
        "apply-sql.sh reads the model files themselves"
    );
    assert!(apply.contains("start-query-execution") && apply.contains("SUCCEEDED"));
}
