#!/usr/bin/env bash
# Re-fetch the pinned axe-core (MPL-2.0) that tests/browser/test_accessibility.py injects
# into the console's pages: `npm pack` from the npm registry, checked against its digest.
set -euo pipefail
VERSION=4.10.3
TARBALL_SHA256=0f2b4d7dcdf7d1219df8d1959ad68e565f51d14c3f0d88bb71cd59abeb956292
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "axe-core@$VERSION" >/dev/null)
echo "$TARBALL_SHA256  $work/axe-core-$VERSION.tgz" | sha256sum -c -
tar -xzf "$work/axe-core-$VERSION.tgz" -C "$work"
cp "$work/package/axe.min.js" "$here/axe.min.js"
cp "$work/package/LICENSE" "$here/axe-core.LICENSE"
