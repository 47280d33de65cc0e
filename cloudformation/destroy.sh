#!/bin/sh
# Tears the pixelstream stack down (called by `make destroy`): empties its buckets (the
# analytics data goes with them), deletes the stack, then the salt parameters it left.
set -eu
output() {
  aws cloudformation describe-stacks --stack-name "$STACK" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
salts=$(output SaltParameterPath)
data=$(output DataBucket)
for bucket in "$(output StaticBucket)" "$data"; do
  aws s3 rm "s3://$bucket" --recursive
done
aws cloudformation delete-stack --stack-name "$STACK"
aws cloudformation wait stack-delete-complete --stack-name "$STACK"
# The data bucket is retained by the stack (an accidental delete must not take the data).
aws s3 rb "s3://$data"
names=$(aws ssm get-parameters-by-path --path "$salts" --query "Parameters[].Name" --output text)
[ -z "$names" ] || aws ssm delete-parameters --names $names >/dev/null
echo "Stack $STACK deleted."
