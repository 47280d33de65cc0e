#!/bin/sh
# Creates the SQL model's views (sql/*.sql, in lexical order) in the stack's Athena database,
# from the same files DuckDB runs locally. Every file is one CREATE OR REPLACE VIEW, so running
# this again replaces the views and counts nothing twice. Called by `make deploy`; on its own:
#   STACK=pixelstream sh cloudformation/apply-sql.sh
# Needs: STACK; AWS credentials and region from the usual AWS CLI configuration.
set -eu
region=$(aws configure get region || true)
region=${AWS_REGION:-${region:-us-east-1}}

output() {
  aws cloudformation describe-stacks --region "$region" --stack-name "$STACK" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
database=$(output GlueDatabaseName)
workgroup=$(output WorkGroup)

for file in sql/*.sql; do
  id=$(aws athena start-query-execution --region "$region" --work-group "$workgroup" \
    --query-execution-context "Database=$database" \
    --query-string "file://$file" --query QueryExecutionId --output text)
  while :; do
    state=$(aws athena get-query-execution --region "$region" --query-execution-id "$id" \
      --query QueryExecution.Status.State --output text)
    case "$state" in
      SUCCEEDED) echo "view from $file created"; break ;;
      FAILED|CANCELLED)
        aws athena get-query-execution --region "$region" --query-execution-id "$id" \
          --query QueryExecution.Status.StateChangeReason --output text >&2
        echo "$file: $state" >&2
        exit 1 ;;
      *) sleep 1 ;;
    esac
  done
done
