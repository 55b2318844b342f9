#!/usr/bin/env bash
# The push job, for one image: image-push.sh NAME REGISTRY TAG ARCHIVE...
# Each ARCHIVE must still match ARCHIVE.sha256, the digest image-load.sh recorded before the smoke test and the scan.
# Pushes each tested archive (one per architecture, written by the image job) to REGISTRY/<repository> by its manifest
# digest with `skopeo copy --preserve-digests` (fails rather than change a byte, so the pushed digest is the tested
# one), then the multi-architecture manifest list of exactly those digests, tagged TAG (the git SHA; ECR tags are
# immutable), with `buildah manifest` (skopeo cannot write a list; buildah and skopeo ship on GitHub's Ubuntu 24.04
# runners and in Debian, so the local rehearsal runs this very script). Reads it back: the list must name exactly
# the pushed digests with their platforms. Prints the list's digest; appends digest=… to $GITHUB_OUTPUT when set.
# Registry auth: skopeo and buildah read the Docker login that amazon-ecr-login writes (~/.docker/config.json), which
# they search after their own auth file: https://man.archlinux.org/man/containers-auth.json.5
# ECR API actions each command needs (docs/deploy.md lists them; the push role grants them):
#   skopeo copy to ECR       ecr:BatchCheckLayerAvailability, InitiateLayerUpload, UploadLayerPart,
#                            CompleteLayerUpload, PutImage, BatchGetImage (existing-manifest check)
#   buildah manifest add     ecr:BatchGetImage, ecr:GetDownloadUrlForLayer (reads each manifest and its config blob)
#   buildah manifest push    ecr:PutImage, ecr:BatchCheckLayerAvailability, ecr:BatchGetImage
#   skopeo inspect --raw     ecr:BatchGetImage
# Env: REGISTRY_TLS_VERIFY=false only for the rehearsal's loopback registry.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/images.sh
if [ $# -lt 4 ]; then
  echo "usage: $0 NAME REGISTRY TAG ARCHIVE..." >&2
  exit 2
fi
name=$1 registry=$2 tag=$3
shift 3
repository=$(image_field "$name" repository)
target=$registry/$repository
fail() { echo "image-push ($name): $*" >&2; exit 1; }
tls_skopeo=$(registry_tls_args --dest-tls-verify)
tls=$(registry_tls_args --tls-verify)

pushed=()
format=
work=$(mktemp -d)
list=$repository-push-$$ # a local name: lowercase like every image reference (not the image name, e.g. ecsSd)
cleanup() {
  buildah manifest rm "$list" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
for archive in "$@"; do
  [ -f "$archive" ] || fail "no archive $archive"
  # The very bytes that were smoke-tested and scanned: image-load.sh recorded their sha256 before the tests.
  [ -f "$archive.sha256" ] || fail "no $archive.sha256 (the digest image-load.sh records before the scan)"
  (cd "$(dirname "$archive")" && sha256sum --check --status "$(basename "$archive").sha256") ||
    fail "$archive changed since it was scanned: its sha256 is not the one recorded in $archive.sha256"
  index=$(tar -xOf "$archive" index.json) || fail "$archive has no index.json"
  [ "$(jq '.manifests | length' <<<"$index")" = 1 ] || fail "$archive must hold exactly one image manifest"
  digest=$(jq -r '.manifests[0].digest' <<<"$index")
  media=$(jq -r '.manifests[0].mediaType' <<<"$index")
  case $media in
    application/vnd.docker.distribution.manifest.v2+json) this=v2s2 ;;
    application/vnd.oci.image.manifest.v1+json) this=oci ;;
    *) fail "$archive: $digest is $media, not an image manifest" ;;
  esac
  [ -z "$format" ] || [ "$format" = "$this" ] || fail "archives mix manifest formats ($format, $this)"
  format=$this
  # shellcheck disable=SC2086
  skopeo copy -q --retry-times 3 --preserve-digests --digestfile "$work/digest" $tls_skopeo \
    "oci-archive:$archive" "docker://$target@$digest" || fail "skopeo copy of $archive to $target failed"
  [ "$(cat "$work/digest")" = "$digest" ] || fail "pushed $(cat "$work/digest"), tested $digest"
  echo "$name: $target@$digest"
  pushed+=("$digest")
done

# "Re-run failed jobs" after a push job failed part way re-runs this with the plan's old PUBLISHED list: when :TAG
# already names exactly the tested digests, it is this release, pushed by the earlier attempt, and it is not pushed
# again (ECR refuses a second push of an immutable tag: ImageTagAlreadyExistsException,
# https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html). Other digests: refused.
exists=0
existing=$(manifest_digest_of "$target:$tag") || exists=$?
if [ "$exists" = 0 ]; then
  # shellcheck disable=SC2086
  listed=$(skopeo inspect --raw $tls "docker://$target:$tag" | jq -r '.manifests[].digest' | sort)
  [ "$listed" = "$(printf '%s\n' "${pushed[@]}" | sort)" ] ||
    fail "$target:$tag already names [$listed], not the tested [${pushed[*]}]; tags are immutable: re-run the whole workflow (its plan reuses the published images)"
  echo "$name: $target:$tag already names these digests ($existing): not pushed again"
  if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "digest=$existing" >>"$GITHUB_OUTPUT"; fi
  echo "$existing"
  exit 0
fi
[ "$exists" = 2 ] || fail "cannot read $target:$tag"

buildah manifest rm "$list" >/dev/null 2>&1 || true
buildah manifest create "$list" >/dev/null
for digest in "${pushed[@]}"; do
  # shellcheck disable=SC2086
  buildah manifest add $tls "$list" "docker://$target@$digest" >/dev/null || fail "buildah manifest add $digest"
done
# shellcheck disable=SC2086
buildah manifest push -q --all=false --format "$format" --digestfile "$work/list-digest" $tls \
  "$list" "docker://$target:$tag" || fail "buildah manifest push to $target:$tag failed"
list_digest=$(cat "$work/list-digest")

# Read back what the registry now serves for :TAG.
served=$(manifest_digest_of "$target:$tag") || fail "cannot read back $target:$tag"
[ "$served" = "$list_digest" ] || fail "$target:$tag is $served, buildah pushed $list_digest"
# shellcheck disable=SC2086
raw=$(skopeo inspect --raw $tls "docker://$target:$tag")
listed=$(jq -r '.manifests[].digest' <<<"$raw" | sort)
[ "$listed" = "$(printf '%s\n' "${pushed[@]}" | sort)" ] || fail "the list names [$listed], pushed [${pushed[*]}]"
echo "$name: $target:$tag is $list_digest ($(jq -r '[.manifests[].platform | .os + "/" + .architecture] | join(", ")' <<<"$raw"))"
if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "digest=$list_digest" >>"$GITHUB_OUTPUT"; fi
echo "$list_digest"
