//! Checks `cloudformation/pixelstream.yaml` against the code, for what cfn-lint cannot know:
//! the Glue columns are `pixelstream_core::emit::record::COLUMNS`, the real-time log fields are the
//! Lambda's field list, the S3 prefix uses the partition keys the Lambda emits, the buffer
//! sizes respect Firehose's and Lambda's limits, the alarms watch the metrics the Lambda and
//! the services really emit, and the optional parts (e-mail, WAF) exist only when asked for.
//!
//! `PIXELSTREAM_BLESS=1` regenerates the template's Glue `Columns` block (between the
//! `# BEGIN GENERATED COLUMNS` / `# END GENERATED COLUMNS` markers) from `COLUMNS` first.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::OnceLock;

use pixelstream_core::BatchSummary;
use pixelstream_core::emit::partition::PartitionKeys;
use pixelstream_core::emit::record::COLUMNS;
use pixelstream_core::outcome::EventType;
use pixelstream_core::parse::fields::{Field, FieldList};
use pixelstream_core::time::Date;
use pixelstream_edge::env as lambda_env;
use pixelstream_edge::metrics::{BatchCost, emf_document};
use pixelstream_edge::settings;
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

// ------------------------------------------------------------------------------------------
// Monitoring: the Lambda's embedded metrics, the alarms and their topic
// ------------------------------------------------------------------------------------------

/// The stack name the template's `AWS::StackName` stands for in these checks.
const SAMPLE_STACK: &str = "mystack";
/// Metric names the ProcessingFailed alarm divides; `edge/src/metrics.rs` writes them, and
/// `the_failed_share_alarm_divides_the_lambdas_own_metrics` checks them against its line.
const FAILED_METRIC: &str = "ProcessingFailed";
const RECORDS_METRIC: &str = "Records";

/// The `Fn::<name>` (or `Ref`) argument of `value`, or a panic naming `what`.
fn call<'v>(value: &'v Value, name: &str, what: &str) -> &'v Value {
    match intrinsic(value) {
        Some((found, arg)) if found == name => arg,
        _ => panic!("{what}: expected Fn::{name}, found {value:?}"),
    }
}

/// The `n` list arguments of `Fn::<name>` at `value`.
fn call_args<'v>(value: &'v Value, name: &str, n: usize, what: &str) -> &'v [Value] {
    let args = call(value, name, what)
        .as_sequence()
        .unwrap_or_else(|| panic!("{what}: Fn::{name} takes a list, found {value:?}"));
    assert_eq!(
        args.len(),
        n,
        "{what}: Fn::{name} should have {n} arguments"
    );
    args
}

/// (parameter, literal) of a condition `!Not [!Equals [!Ref parameter, literal]]`.
fn not_equals(value: &Value, what: &str) -> (String, Value) {
    let not = call_args(value, "Not", 1, what);
    let equals = call_args(&not[0], "Equals", 2, what);
    let parameter = ref_name(&equals[0])
        .unwrap_or_else(|| panic!("{what}: Fn::Equals should compare a !Ref first"));
    (parameter, equals[1].clone())
}

/// An expression without its blanks, so `100 * a / b` reads `100*a/b`.
fn squeezed(expression: &str) -> String {
    expression.split_whitespace().collect()
}

/// The transformation's environment as the deployed Lambda sees it in a stack named
/// `SAMPLE_STACK`: literals as written, `!Ref AWS::StackName` and `${AWS::StackName}`
/// resolved, anything else (parameters) unset.
fn deployed_env(function: &Value) -> impl Fn(&str) -> Option<String> + '_ {
    move |name| {
        let value = function.get("Environment")?.get("Variables")?.get(name)?;
        if ref_name(value).as_deref() == Some("AWS::StackName") {
            return Some(SAMPLE_STACK.to_owned());
        }
        match intrinsic(value) {
            None => value.as_str().map(str::to_owned),
            Some((f, _)) if f == "Sub" => {
                Some(text(value, name).replace("${AWS::StackName}", SAMPLE_STACK))
            }
            Some(_) => None,
        }
    }
}

/// What the Lambda's embedded-metrics line declares.
struct Emf {
    namespace: String,
    /// The one dimension set's names.
    dimensions: Vec<String>,
    /// The `Stack` value the line carries.
    stack: String,
    metrics: BTreeSet<String>,
}

/// The EMF line `pixelstream_edge::metrics` writes for a batch, with the Lambda's settings
/// read through `lookup` exactly as at init.
fn emf_line(lookup: impl Fn(&str) -> Option<String>) -> Emf {
    let settings = settings::lambda(lookup)
        .unwrap_or_else(|e| panic!("the transformation's environment is rejected: {e}"));
    let cost = BatchCost {
        duration_ms: 1.0,
        response_bytes: 1,
    };
    let doc = emf_document(&settings.metrics, &BatchSummary::default(), cost, 0);
    let directive = &doc["_aws"]["CloudWatchMetrics"][0];
    let strings = |value: &serde_json::Value| -> Vec<String> {
        value
            .as_array()
            .expect("an EMF list")
            .iter()
            .map(|v| v.as_str().expect("an EMF string").to_owned())
            .collect()
    };
    let dimension_sets = directive["Dimensions"].as_array().expect("EMF Dimensions");
    assert_eq!(dimension_sets.len(), 1, "one EMF dimension set expected");
    let dimensions = strings(&dimension_sets[0]);
    Emf {
        namespace: directive["Namespace"]
            .as_str()
            .expect("EMF Namespace")
            .to_owned(),
        stack: doc["Stack"].as_str().unwrap_or_default().to_owned(),
        dimensions,
        metrics: directive["Metrics"]
            .as_array()
            .expect("EMF Metrics")
            .iter()
            .map(|m| m["Name"].as_str().expect("EMF metric Name").to_owned())
            .collect(),
    }
}

/// One metric an alarm reads: the alarm's own metric, or a `MetricStat` of its metric math.
struct Watched<'t> {
    /// The metric math id (`None` for a plain alarm).
    id: Option<String>,
    namespace: String,
    metric: String,
    stat: String,
    /// (name, `!Ref` target) of each dimension.
    dimensions: Vec<(String, Option<String>)>,
    raw_dimensions: &'t Value,
}

/// Every metric `alarm` reads.
fn watched(alarm: &Value) -> Vec<Watched<'_>> {
    fn one<'t>(metric: &'t Value, stat: &Value, id: Option<String>) -> Watched<'t> {
        Watched {
            id,
            namespace: metric["Namespace"].as_str().unwrap_or_default().to_owned(),
            metric: metric["MetricName"].as_str().unwrap_or_default().to_owned(),
            stat: stat.as_str().unwrap_or_default().to_owned(),
            dimensions: metric["Dimensions"]
                .as_sequence()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .map(|d| {
                    (
                        d["Name"].as_str().unwrap_or_default().to_owned(),
                        ref_name(&d["Value"]),
                    )
                })
                .collect(),
            raw_dimensions: &metric["Dimensions"],
        }
    }
    match alarm.get("Metrics").and_then(Value::as_sequence) {
        Some(metrics) => metrics
            .iter()
            .filter(|m| m.get("MetricStat").is_some())
            .map(|m| {
                let stat = &m["MetricStat"];
                one(
                    &stat["Metric"],
                    &stat["Stat"],
                    m["Id"].as_str().map(str::to_owned),
                )
            })
            .collect(),
        None => vec![one(alarm, &alarm["Statistic"], None)],
    }
}

/// The metric math entry an alarm evaluates (the only one with `ReturnData: true`).
fn returned_expression<'v>(id: &str, alarm: &'v Value) -> &'v Value {
    let returned: Vec<&Value> = at(alarm, &["Metrics"], id)
        .as_sequence()
        .expect("Metrics is a list")
        .iter()
        .filter(|m| m["ReturnData"].as_bool() == Some(true))
        .collect();
    assert_eq!(
        returned.len(),
        1,
        "{id} should return exactly one time series (ReturnData: true)"
    );
    at(returned[0], &["Expression"], id)
}

impl Template {
    /// The whole resource `logical_id` (type, condition, properties).
    fn resource(&self, logical_id: &str) -> &Value {
        self.resources()
            .get(logical_id)
            .unwrap_or_else(|| panic!("resource {logical_id} is missing from {TEMPLATE}"))
    }

    /// The `Condition` a resource is created under, if any.
    fn condition_of(&self, logical_id: &str) -> Option<String> {
        self.resource(logical_id)
            .get("Condition")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    /// The expression of the template condition `name`.
    fn condition(&self, name: &str) -> &Value {
        at(&self.yaml, &["Conditions", name], "condition")
    }

    /// The declaration of parameter `name`.
    fn parameter(&self, name: &str) -> &Value {
        at(&self.yaml, &["Parameters", name], "parameter")
    }

    /// (logical id, properties) of every CloudWatch alarm.
    fn alarms(&self) -> Vec<(String, &Value)> {
        self.of_type("AWS::CloudWatch::Alarm")
    }

    /// The one alarm reading `namespace`/`metric` with dimension `dimension` = `!Ref target`.
    fn alarm_on(
        &self,
        namespace: &str,
        metric: &str,
        dimension: &str,
        target: &str,
    ) -> (String, &Value) {
        let mut found: Vec<(String, &Value)> = self
            .alarms()
            .into_iter()
            .filter(|(_, alarm)| {
                watched(alarm).iter().any(|w| {
                    w.namespace == namespace
                        && w.metric == metric
                        && w.dimensions.iter().any(|(name, value)| {
                            name == dimension && value.as_deref() == Some(target)
                        })
                })
            })
            .collect();
        assert_eq!(
            found.len(),
            1,
            "{TEMPLATE} should have exactly one alarm on {namespace} {metric} with {dimension} = !Ref {target}, has {}",
            found.len()
        );
        found.remove(0)
    }
}

/// The transformation's EMF namespace is set, and its Stack dimension is the stack's name.
#[test]
fn the_transformation_publishes_its_metrics_under_the_stack_name() {
    let t = template();
    let (id, function) = t.function("transform");
    let namespace = t.env(function, lambda_env::METRICS_NAMESPACE);
    assert_eq!(
        (ref_name(namespace), namespace.as_str()),
        (None, Some("pixelstream")),
        "{id} {} should be the literal namespace pixelstream",
        lambda_env::METRICS_NAMESPACE
    );
    assert_eq!(
        ref_name(t.env(function, lambda_env::STACK)).as_deref(),
        Some("AWS::StackName"),
        "{id} {} should be !Ref AWS::StackName: the alarms select the metrics by it",
        lambda_env::STACK
    );
    let emf = emf_line(deployed_env(function));
    assert_eq!(emf.namespace, "pixelstream");
    assert_eq!(
        emf.stack, SAMPLE_STACK,
        "the Lambda's metrics should carry the stack's name as their Stack dimension"
    );
}

/// The ProcessingFailed alarm divides the metrics the Lambda's EMF line really declares.
#[test]
fn the_failed_share_alarm_divides_the_lambdas_own_metrics() {
    let t = template();
    let (_, function) = t.function("transform");
    let emf = emf_line(deployed_env(function));
    for name in [FAILED_METRIC, RECORDS_METRIC] {
        assert!(
            emf.metrics.contains(name),
            "edge/src/metrics.rs no longer emits {name} (it emits {:?}); update the alarm and this test",
            emf.metrics
        );
    }
    let (id, alarm) = t.alarm_on(&emf.namespace, FAILED_METRIC, "Stack", "AWS::StackName");
    let inputs = watched(alarm);
    let mut ids = Vec::new();
    for input in &inputs {
        assert_eq!(
            input.namespace, emf.namespace,
            "{id} reads {} outside the Lambda's namespace",
            input.metric
        );
        assert!(
            emf.metrics.contains(&input.metric),
            "{id} reads {}, which the Lambda does not emit",
            input.metric
        );
        assert_eq!(
            input.dimensions,
            emf.dimensions
                .iter()
                .map(|d| (d.clone(), Some("AWS::StackName".to_owned())))
                .collect::<Vec<_>>(),
            "{id} {}: the dimensions must be exactly the EMF set {:?}, = !Ref AWS::StackName ({:?})",
            input.metric,
            emf.dimensions,
            input.raw_dimensions
        );
        assert_eq!(input.stat, "Sum", "{id} should add up counts");
        ids.push((input.metric.as_str(), input.id.clone().unwrap_or_default()));
    }
    let id_of = |metric: &str| {
        ids.iter()
            .find(|(m, _)| *m == metric)
            .map(|(_, i)| i.clone())
            .unwrap_or_else(|| panic!("{id} does not read {metric}"))
    };
    let expression = squeezed(&text(
        returned_expression(&id, alarm),
        "ProcessingFailed share",
    ));
    assert_eq!(
        expression,
        format!("100*{}/{}", id_of(FAILED_METRIC), id_of(RECORDS_METRIC)),
        "{id} should alarm on the percentage ProcessingFailed / Records"
    );
    assert_eq!(
        alarm["ComparisonOperator"].as_str(),
        Some("GreaterThanThreshold")
    );
    let (min, max) = t.bounds(&alarm["Threshold"], "ProcessingFailed share threshold");
    assert!(
        (0.0..=100.0).contains(&min) && (0.0..=100.0).contains(&max),
        "{id} Threshold is a percentage, but ranges over {min}..={max}"
    );
}

/// Any error or throttle of the transformation (and any rotation error) fires an alarm.
#[test]
fn lambda_errors_and_throttles_alarm_for_the_transformation() {
    let t = template();
    let (transform, _) = t.function("transform");
    let (rotation, _) = t.function("rotate-salts");
    for (function, metric) in [
        (&transform, "Errors"),
        (&transform, "Throttles"),
        (&rotation, "Errors"),
    ] {
        let (id, alarm) = t.alarm_on("AWS/Lambda", metric, "FunctionName", function);
        assert_eq!(
            (
                alarm["Statistic"].as_str(),
                alarm["ComparisonOperator"].as_str(),
                number_of(&alarm["Threshold"]),
            ),
            (Some("Sum"), Some("GreaterThanThreshold"), Some(0.0)),
            "{id} should fire on the first {metric} of {function}"
        );
    }
}

/// Firehose freshness alarms past the buffer interval, which records wait by design.
#[test]
fn the_delivery_freshness_alarm_allows_for_the_buffer_interval() {
    let t = template();
    let (stream, _) = t.only("AWS::KinesisFirehose::DeliveryStream");
    let (id, alarm) = t.alarm_on(
        "AWS/Firehose",
        "DeliveryToS3.DataFreshness",
        "DeliveryStreamName",
        &stream,
    );
    let freshness = &watched(alarm)[0];
    assert_eq!(
        freshness.stat, "Maximum",
        "{id} should watch the oldest record"
    );
    let interval = ref_name(at(
        t.s3_destination(),
        &["BufferingHints", "IntervalInSeconds"],
        "S3 buffering",
    ))
    .expect("the S3 buffer interval is a parameter");
    let expression = returned_expression(&id, alarm);
    assert_eq!(
        squeezed(&text(expression, "freshness expression")),
        format!(
            "{}-${{{interval}}}",
            freshness.id.clone().unwrap_or_default()
        ),
        "{id} should subtract the buffer interval ({interval}) from the freshness: records wait that long by design"
    );
    let (min_margin, _) = t.bounds(&alarm["Threshold"], "freshness margin");
    assert!(
        min_margin > 0.0,
        "{id}: a margin of {min_margin} s would fire on every full buffer interval"
    );
}

/// The Kinesis iterator-age alarm fires while records can still be read.
#[test]
fn the_iterator_age_alarm_fires_well_before_the_stream_drops_records() {
    let t = template();
    let (stream, properties) = t.only("AWS::Kinesis::Stream");
    let (id, alarm) = t.alarm_on(
        "AWS/Kinesis",
        "GetRecords.IteratorAgeMilliseconds",
        "StreamName",
        &stream,
    );
    assert_eq!(alarm["Statistic"].as_str(), Some("Maximum"));
    let (_, retention_hours) = t.bounds(&properties["RetentionPeriodHours"], "stream retention");
    let (min_ms, max_ms) = t.bounds(&alarm["Threshold"], "iterator age threshold");
    assert!(
        min_ms > 0.0 && max_ms <= retention_hours * 3_600_000.0 / 2.0,
        "{id} Threshold ranges over {min_ms}..={max_ms} ms; at most half the {retention_hours} h retention leaves time to act before records are lost"
    );
}

/// Every alarm notifies the one topic both ways and treats no data as fine.
#[test]
fn every_alarm_notifies_the_topic_when_firing_and_clearing() {
    let t = template();
    let (topic, _) = t.only("AWS::SNS::Topic");
    let alarms = t.alarms();
    assert!(alarms.len() >= 5, "expected at least five alarms");
    for (id, alarm) in alarms {
        for actions in ["AlarmActions", "OKActions"] {
            let targets: Vec<Option<String>> = alarm[actions]
                .as_sequence()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .map(ref_name)
                .collect();
            assert_eq!(
                targets,
                [Some(topic.clone())],
                "{id} {actions} should be [!Ref {topic}]"
            );
        }
        assert_eq!(
            alarm["TreatMissingData"].as_str(),
            Some("notBreaching"),
            "{id}: no data is a quiet site, not a failure"
        );
    }
}

/// The topic always exists; the e-mail subscription only with an address.
#[test]
fn the_email_subscription_exists_only_with_an_address() {
    let t = template();
    let (topic, _) = t.only("AWS::SNS::Topic");
    assert_eq!(
        t.condition_of(&topic),
        None,
        "the topic should always exist, the alarms' one target"
    );
    let (id, subscription) = t.only("AWS::SNS::Subscription");
    assert_eq!(subscription["Protocol"].as_str(), Some("email"));
    assert_eq!(ref_name(&subscription["TopicArn"]), Some(topic));
    let parameter = ref_name(&subscription["Endpoint"])
        .unwrap_or_else(|| panic!("{id} Endpoint should be a !Ref to the e-mail parameter"));
    assert_eq!(
        t.parameter(&parameter)["Default"].as_str(),
        Some(""),
        "{parameter} should default to empty (no subscription)"
    );
    let condition = t
        .condition_of(&id)
        .unwrap_or_else(|| panic!("{id} should only exist when {parameter} is set"));
    assert_eq!(
        not_equals(t.condition(&condition), &condition),
        (parameter, Value::String(String::new())),
        "condition {condition} should be !Not [!Equals [!Ref <e-mail parameter>, \"\"]]"
    );
}

/// The rate-limit web ACL: (logical id, properties, condition name, rate parameter).
fn web_acl(t: &Template) -> (String, &Value, String, String) {
    let (id, acl) = t.only("AWS::WAFv2::WebACL");
    let condition = t
        .condition_of(&id)
        .unwrap_or_else(|| panic!("{id} should be created under a condition (off by default)"));
    let rules = at(acl, &["Rules"], &id)
        .as_sequence()
        .expect("Rules is a list");
    assert_eq!(rules.len(), 1, "{id} should have one rule, the rate limit");
    let limit = at(
        &rules[0],
        &["Statement", "RateBasedStatement", "Limit"],
        &id,
    );
    let parameter =
        ref_name(limit).unwrap_or_else(|| panic!("{id} Limit should be a !Ref to a parameter"));
    (id, acl, condition, parameter)
}

/// The web ACL is off by default and, when on, blocks per client IP, without samples.
#[test]
fn the_web_acl_exists_only_with_a_rate_limit_and_blocks_per_ip() {
    let t = template();
    let (id, acl, condition, parameter) = web_acl(t);
    assert_eq!(parameter, "RateLimitPerFiveMinutes");
    let (compared, literal) = not_equals(t.condition(&condition), &condition);
    assert_eq!(
        (compared.as_str(), number_of(&literal)),
        (parameter.as_str(), Some(0.0)),
        "condition {condition} should be !Not [!Equals [!Ref {parameter}, 0]]"
    );
    let declared = t.parameter(&parameter);
    assert_eq!(
        (
            number_of(&declared["Default"]),
            number_of(&declared["MinValue"])
        ),
        (Some(0.0), Some(0.0)),
        "{parameter} should default to 0 (off) and accept 0"
    );
    assert_eq!(
        acl["Scope"].as_str(),
        Some("CLOUDFRONT"),
        "{id} protects a distribution"
    );
    assert!(
        acl["DefaultAction"].get("Allow").is_some(),
        "{id} should let everything else through"
    );
    let rule = &acl["Rules"][0];
    assert!(
        rule["Action"].get("Block").is_some(),
        "{id}: the rate rule should block"
    );
    assert_eq!(
        rule["Statement"]["RateBasedStatement"]["AggregateKeyType"].as_str(),
        Some("IP"),
        "{id} should count per client IP address"
    );
    for (what, config) in [
        ("web ACL", &acl["VisibilityConfig"]),
        ("rule", &rule["VisibilityConfig"]),
    ] {
        assert_eq!(
            config["CloudWatchMetricsEnabled"].as_bool(),
            Some(true),
            "{id} {what} should publish metrics"
        );
        assert_eq!(
            config["SampledRequestsEnabled"].as_bool(),
            Some(false),
            "{id} {what}: sampled requests would keep client addresses"
        );
    }
}

/// The distribution names the web ACL when it exists, and nothing otherwise.
#[test]
fn the_distribution_uses_the_web_acl_only_under_its_condition() {
    let t = template();
    let (acl_id, _, condition, _) = web_acl(t);
    let (id, distribution) = t.only("AWS::CloudFront::Distribution");
    let web_acl = at(distribution, &["DistributionConfig", "WebACLId"], &id);
    let branches = call_args(web_acl, "If", 3, "WebACLId");
    assert_eq!(
        branches[0].as_str(),
        Some(condition.as_str()),
        "{id} WebACLId should depend on {condition}"
    );
    assert_eq!(
        get_att(&branches[1]),
        Some((acl_id.clone(), "Arn".to_owned())),
        "{id} WebACLId should be !GetAtt {acl_id}.Arn when on (WAFv2 takes the ARN)"
    );
    assert_eq!(
        ref_name(&branches[2]).as_deref(),
        Some("AWS::NoValue"),
        "{id} WebACLId should be !Ref AWS::NoValue when off"
    );
}

/// A rate limit is refused outside us-east-1 and below WAF's minimum, before deploying.
#[test]
fn a_rate_limit_requires_us_east_1_and_wafs_minimum() {
    let t = template();
    let (_, _, condition, parameter) = web_acl(t);
    let rules = at(&t.yaml, &["Rules"], "template rules")
        .as_mapping()
        .expect("Rules is a mapping");
    let applying: Vec<&Value> = rules
        .values()
        .filter(|rule| rule.get("RuleCondition") == Some(t.condition(&condition)))
        .collect();
    assert_eq!(
        applying.len(),
        1,
        "one template rule should check {parameter} under the web ACL's condition"
    );
    let assertions: Vec<&Value> = at(applying[0], &["Assertions"], "rule")
        .as_sequence()
        .expect("Assertions is a list")
        .iter()
        .map(|a| &a["Assert"])
        .collect();
    let region = assertions.iter().any(|assert| {
        matches!(intrinsic(assert), Some((name, _)) if name == "Equals") && {
            let equals = call_args(assert, "Equals", 2, "region assertion");
            ref_name(&equals[0]).as_deref() == Some("AWS::Region")
                && equals[1].as_str() == Some("us-east-1")
        }
    });
    assert!(
        region,
        "a CLOUDFRONT web ACL can only be created in us-east-1: assert !Equals [!Ref AWS::Region, us-east-1]"
    );
    let refused: Vec<f64> = assertions
        .iter()
        .filter(|assert| matches!(intrinsic(assert), Some((name, _)) if name == "Not"))
        .filter_map(|assert| {
            let contains = &call_args(assert, "Not", 1, "minimum assertion")[0];
            let args = call_args(contains, "Contains", 2, "minimum assertion");
            (ref_name(&args[1]).as_deref() == Some(parameter.as_str()))
                .then(|| args[0].as_sequence().map(Vec::as_slice).unwrap_or_default())
        })
        .flatten()
        .filter_map(number_of)
        .collect();
    assert_eq!(
        refused,
        (1..10).map(f64::from).collect::<Vec<_>>(),
        "the rule should refuse 1..=9 for {parameter}: WAF's minimum is 10, 0 is off"
    );
}

/// The console groups exactly the alarm, e-mail and rate-limit parameters together.
#[test]
fn the_monitoring_parameters_are_one_group() {
    let t = template();
    let mut used: BTreeSet<String> = t
        .alarms()
        .iter()
        .filter_map(|(_, alarm)| ref_name(&alarm["Threshold"]))
        .collect();
    let (_, subscription) = t.only("AWS::SNS::Subscription");
    used.extend(ref_name(&subscription["Endpoint"]));
    used.insert(web_acl(t).3);
    let groups = at(
        &t.yaml,
        &[
            "Metadata",
            "AWS::CloudFormation::Interface",
            "ParameterGroups",
        ],
        "parameter groups",
    )
    .as_sequence()
    .expect("ParameterGroups is a list");
    let group = groups
        .iter()
        .find(|g| g["Label"]["default"].as_str() == Some("Monitoring and abuse limits"))
        .expect("a parameter group `Monitoring and abuse limits`");
    let listed: BTreeSet<String> = group["Parameters"]
        .as_sequence()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p.as_str().map(str::to_owned))
        .collect();
    assert_eq!(
        listed, used,
        "the group should list exactly the alarm, e-mail and rate-limit parameters"
    );
}
