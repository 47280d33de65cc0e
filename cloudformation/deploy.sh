#!/bin/sh
# Deploys the pixelstream stack with the AWS CLI (called by `make deploy`).
# Needs: STACK, DOMAINS, ARCH (arm64|x86_64), ZIP (the packaged Lambda); AWS credentials and
# region from the usual AWS CLI configuration. PARAMETERS (optional): more Key=Value template
# parameters, space-separated (e.g. "AlarmEmail=you@example.com RateLimitPerFiveMinutes=1000").
set -eu
account=$(aws sts get-caller-identity --query Account --output text)
region=$(aws configure get region || true)
region=${AWS_REGION:-${region:-us-east-1}}
artifacts="$STACK-artifacts-$account-$region"
key="lambda/$(sha256sum "$ZIP" | cut -c1-16).zip"

aws s3api head-bucket --bucket "$artifacts" 2>/dev/null || {
  if [ "$region" = us-east-1 ]; then
    aws s3api create-bucket --bucket "$artifacts" --region "$region" >/dev/null
  else
    aws s3api create-bucket --bucket "$artifacts" --region "$region" \
      --create-bucket-configuration LocationConstraint="$region" >/dev/null
  fi
  aws s3api put-public-access-block --bucket "$artifacts" --public-access-block-configuration \
    BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
}
aws s3 cp "$ZIP" "s3://$artifacts/$key"

aws cloudformation deploy --region "$region" --stack-name "$STACK" \
  --template-file cloudformation/pixelstream.yaml --capabilities CAPABILITY_IAM \
  --parameter-overrides "AllowedDomains=$DOMAINS" "LambdaCodeBucket=$artifacts" \
    "LambdaCodeKey=$key" "LambdaArchitecture=$ARCH" ${PARAMETERS:-}

output() {
  aws cloudformation describe-stacks --region "$region" --stack-name "$STACK" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
static=$(output StaticBucket)
aws s3 cp tracker/dist/pixelstream.min.js "s3://$static/pixelstream.js" \
  --content-type text/javascript --cache-control "public, max-age=3600"
for gif in hello.gif noscript.gif; do
  aws s3 cp "tracker/$gif" "s3://$static/$gif" --content-type image/gif --cache-control "no-cache"
done

# The edge caches the script for a day: make the new one visible now.
aws cloudfront create-invalidation --distribution-id "$(output DistributionId)" \
  --paths /pixelstream.js >/dev/null

# The SQL model's views, from the same files DuckDB runs locally.
STACK="$STACK" AWS_REGION="$region" sh cloudformation/apply-sql.sh

# Today's and tomorrow's salts now, rather than at the first scheduled rotation.
aws lambda invoke --region "$region" --function-name "$(output RotationFunctionName)" \
  --cli-binary-format raw-in-base64-out --payload '{}' /dev/null >/dev/null

echo "Deployed. Paste this into your pages:"
output TrackerSnippet
echo "Pixel: $(output PixelUrl)"
