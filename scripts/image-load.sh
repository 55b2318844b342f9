#!/usr/bin/env bash
# The image job's hand-over from the build to the tests: image-load.sh ARCHIVE LOCAL_TAG
# ARCHIVE is what BuildKit's `type=docker` exporter writes (docker/build-push-action `outputs: type=docker,dest=…`):
# one tar holding BOTH a Docker `manifest.json` (what `docker load` reads; the runners' Docker uses the classic image
# store) AND an OCI image layout (`oci-layout`, `index.json`, `blobs/`) that skopeo's `oci-archive:` transport pushes
# byte for byte. BuildKit's exporter/oci/export.go skips manifest.json only for the `oci` variant
# (archiveexporter.WithSkipDockerManifest), and containerd's core/images/archive/exporter.go writes both for `docker`:
#   https://github.com/moby/buildkit/blob/master/exporter/oci/export.go
#   https://github.com/containerd/containerd/blob/main/core/images/archive/exporter.go
# A `type=oci` archive has no manifest.json, and the classic store's `docker load` then fails with
# `open …/blobs/json: no such file or directory` (reproduced by the local rehearsal, .ci/image-rehearsal.sh).
# Checks: exactly one image manifest in index.json; manifest.json present; then `docker load`s it and checks that the
# loaded image's ID is that manifest's config digest (what is tested is what will be pushed). Writes ARCHIVE.sha256
# (sha256sum's format) before the tests: image-push.sh refuses an archive that no longer matches it.
# Prints the manifest digest; appends digest=… to $GITHUB_OUTPUT when set.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 ARCHIVE LOCAL_TAG" >&2
  exit 2
fi
archive=$1 local_tag=$2
fail() { echo "image-load: $archive: $*" >&2; exit 1; }
[ -f "$archive" ] || fail "no such archive"

members=$(tar -tf "$archive") || fail "not a tar archive"
grep -qx 'index.json' <<<"$members" || fail "no index.json: not an OCI layout, skopeo cannot push it by digest"
digests=$(tar -xOf "$archive" index.json | jq -r '.manifests[].digest')
[ "$(wc -l <<<"$digests")" = 1 ] && [ -n "$digests" ] ||
  fail "expected one image manifest in index.json, got: $(tr '\n' ' ' <<<"$digests")"
digest=$digests
manifest=$(tar -xOf "$archive" "blobs/${digest/://}") || fail "index.json names $digest but blobs/ lacks it"
config=$(jq -r '.config.digest' <<<"$manifest")
[ "$config" != null ] || fail "$digest is not an image manifest (an index? build one platform per archive)"

# The archive's own digest, recorded before the smoke test and the scan: image-push.sh pushes it only if its bytes
# still have this digest (ARCHIVE.sha256 travels with the archive to the push job).
(cd "$(dirname "$archive")" && sha256sum "$(basename "$archive")") >"$archive.sha256" || fail "cannot record its sha256"

# Docker's own verdict first, so a format it cannot read fails here with its own error message.
if ! loaded=$(docker load -i "$archive" 2>&1); then
  echo "$loaded" >&2
  grep -qx 'manifest.json' <<<"$members" ||
    fail "docker load failed: the archive has no manifest.json (a type=oci archive? the classic image store needs type=docker)"
  fail "docker load failed"
fi
echo "$loaded"
# The tag BuildKit wrote (outputs name=…) must be what the next steps use.
grep -q "Loaded image: ${local_tag}\$" <<<"$loaded" || fail "docker load did not tag $local_tag"
id=$(docker image inspect -f '{{.Id}}' "$local_tag")
# The classic image store names an image by its config digest; the containerd image store by its manifest digest.
[ "$id" = "$config" ] || [ "$id" = "$digest" ] ||
  fail "docker loaded $id for $local_tag, the archive's manifest $digest has config $config"

echo "loaded $local_tag: manifest $digest (config $config)"
if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "digest=$digest" >>"$GITHUB_OUTPUT"; fi
