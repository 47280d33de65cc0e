//! The transformation's per-batch metrics as one CloudWatch Embedded Metric Format line:
//! Lambda's log pipeline turns it into metrics, so no SDK call is made. Counts only: never a
//! record, a line or an address.

use pixelstream_core::BatchSummary;
use serde_json::{Map, Value, json};

use crate::settings::MetricsTarget;

/// What a batch cost besides its counts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchCost {
    /// Wall time of the invocation's work, in milliseconds.
    pub duration_ms: f64,
    /// Bytes of the serialized response.
    pub response_bytes: usize,
}

/// One EMF JSON document for a batch, at `timestamp_ms` (epoch ms): `Records`, `Ok`,
/// `Dropped`, `ProcessingFailed`, `Bots`, `UnknownEdgeLocation` (Count), `BatchDurationMs`
/// (Milliseconds) and `ResponseBytes` (Bytes) under the `Stack` dimension, plus one count
/// per reason (`Dropped.not_pixel_path`, `ProcessingFailed.invalid_timestamp`, …).
pub fn emf_document(
    target: &MetricsTarget,
    summary: &BatchSummary,
    cost: BatchCost,
    timestamp_ms: i64,
) -> Value {
    let mut values: Vec<(String, Value, &str)> = vec![
        ("Records".into(), json!(summary.records), "Count"),
        ("Ok".into(), json!(summary.ok), "Count"),
        ("Dropped".into(), json!(summary.dropped_total()), "Count"),
        (
            "ProcessingFailed".into(),
            json!(summary.failed_total()),
            "Count",
        ),
        ("Bots".into(), json!(summary.bots), "Count"),
        (
            "UnknownEdgeLocation".into(),
            json!(
                summary
                    .notes
                    .get("unknown_edge_location")
                    .copied()
                    .unwrap_or(0)
            ),
            "Count",
        ),
        (
            "BatchDurationMs".into(),
            json!(cost.duration_ms),
            "Milliseconds",
        ),
        ("ResponseBytes".into(), json!(cost.response_bytes), "Bytes"),
    ];
    for (reason, count) in &summary.dropped {
        values.push((format!("Dropped.{reason}"), json!(count), "Count"));
    }
    for (reason, count) in &summary.processing_failed {
        values.push((format!("ProcessingFailed.{reason}"), json!(count), "Count"));
    }
    let definitions: Vec<Value> = values
        .iter()
        .map(|(name, _, unit)| json!({"Name": name, "Unit": unit}))
        .collect();
    let mut document = Map::new();
    document.insert(
        "_aws".into(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": target.namespace,
                "Dimensions": [["Stack"]],
                "Metrics": definitions,
            }],
        }),
    );
    document.insert("Stack".into(), json!(target.stack));
    for (name, value, _) in values {
        document.insert(name, value);
    }
    Value::Object(document)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary() -> BatchSummary {
        let mut summary = BatchSummary {
            records: 10,
            ok: 6,
            bots: 2,
            ..BatchSummary::default()
        };
        summary.dropped.insert("not_pixel_path", 3);
        summary.processing_failed.insert("invalid_timestamp", 1);
        summary.notes.insert("unknown_edge_location", 4);
        summary
    }

    fn document() -> Value {
        let target = MetricsTarget {
            namespace: "pixelstream/shop".into(),
            stack: "shop".into(),
        };
        let cost = BatchCost {
            duration_ms: 12.5,
            response_bytes: 4096,
        };
        emf_document(&target, &summary(), cost, 1_700_000_000_000)
    }

    #[test]
    fn every_declared_metric_has_a_value_and_the_stack_dimension() {
        let doc = document();
        let directive = &doc["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], "pixelstream/shop");
        assert_eq!(directive["Dimensions"], json!([["Stack"]]));
        assert_eq!(doc["Stack"], "shop");
        assert_eq!(doc["_aws"]["Timestamp"], 1_700_000_000_000_i64);
        let metrics = directive["Metrics"].as_array().unwrap();
        for metric in metrics {
            let name = metric["Name"].as_str().unwrap();
            assert!(doc[name].is_number(), "{name} has no numeric value");
        }
        let named = |name: &str| doc[name].as_f64().unwrap();
        assert_eq!(named("Records"), 10.0);
        assert_eq!(named("Ok"), 6.0);
        assert_eq!(named("Dropped"), 3.0);
        assert_eq!(named("ProcessingFailed"), 1.0);
        assert_eq!(named("Bots"), 2.0);
        assert_eq!(named("UnknownEdgeLocation"), 4.0);
        assert_eq!(named("BatchDurationMs"), 12.5);
        assert_eq!(named("ResponseBytes"), 4096.0);
        assert_eq!(named("Dropped.not_pixel_path"), 3.0);
        assert_eq!(named("ProcessingFailed.invalid_timestamp"), 1.0);
        assert_eq!(metrics.len(), 10);
    }

    #[test]
    fn units_are_cloudwatch_units() {
        let doc = document();
        let units: Vec<&str> = doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["Unit"].as_str().unwrap())
            .collect();
        assert!(
            units
                .iter()
                .all(|u| ["Count", "Milliseconds", "Bytes"].contains(u))
        );
    }
}
