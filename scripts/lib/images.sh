# Sourced by the image, push and deploy scripts (never run): the one image list, infra/config/images.ts, read with
# Node (it strips the TypeScript types itself, Node >= 22.18), so no script keeps its own copy of the names. The
# service's image (`app`) is built from its contract's Dockerfile and context (NODEAPP_SERVICE, else app/).
#   image_rows   → one line per image: NAME REPOSITORY DOCKERFILE CONTEXT DIGEST_CONTEXT_KEY
#   image_field NAME FIELD   (FIELD: repository | dockerfile | context | digestKey); exit 1 naming an unknown image
# The repository root is the parent of scripts/.
NODEAPP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

image_rows() {
  (cd "$NODEAPP_ROOT" && node --input-type=module -e '
    const { IMAGES, IMAGE_NAMES, digestContextKey } = await import("./infra/config/images.ts");
    try {
      for (const n of IMAGE_NAMES) {
        const i = IMAGES[n];
        console.log([n, i.repositoryName, i.dockerfile, i.context, digestContextKey(n)].join(" "));
      }
    } catch (error) {
      // A bad service contract (NODEAPP_SERVICE): its one line per field, no stack trace.
      console.error(error.name === "ContractError" ? error.message : error.stack);
      process.exit(1);
    }')
}

image_field() {
  local name=$1 field=$2 row n repository dockerfile context key
  row=$(image_rows | awk -v n="$name" '$1 == n')
  if [ -z "$row" ]; then
    echo "unknown image '$name' (infra/config/images.ts has: $(image_rows | cut -d' ' -f1 | tr '\n' ' '))" >&2
    return 1
  fi
  read -r n repository dockerfile context key <<<"$row"
  case $field in
    repository) echo "$repository" ;;
    dockerfile) echo "$dockerfile" ;;
    context) echo "$context" ;;
    digestKey) echo "$key" ;;
    *) echo "image_field: unknown field '$field'" >&2; return 1 ;;
  esac
}

# registry_tls_args FLAG: skopeo/buildah TLS flag for REGISTRY_TLS_VERIFY=false (the rehearsal's plain-HTTP registry
# on loopback); nothing otherwise, so on GitHub every registry call verifies TLS.
registry_tls_args() {
  if [ "${REGISTRY_TLS_VERIFY:-true}" = false ]; then echo "$1=false"; fi
}

# manifest_digest_of REF: the digest of the manifest (or index) a reference names, from its raw bytes, which is what a
# registry (ECR included) reports as imageDigest. Exit 2 when the registry says the manifest does not exist,
# 1 on any other failure (auth, network): a missing permission must never read as "not published".
manifest_digest_of() {
  local ref=$1 raw err status=0
  raw=$(mktemp)
  err=$(mktemp)
  # The bytes go to a file, not a variable: $(...) would drop a trailing newline and change the digest.
  # shellcheck disable=SC2046
  skopeo inspect --raw $(registry_tls_args --tls-verify) "docker://$ref" >"$raw" 2>"$err" || status=$?
  if [ "$status" = 0 ]; then
    printf 'sha256:%s\n' "$(sha256sum "$raw" | cut -d' ' -f1)"
  elif grep -qiE 'manifest unknown|MANIFEST_UNKNOWN|not found' "$err"; then
    status=2
  else
    cat "$err" >&2
    status=1
  fi
  rm -f "$raw" "$err"
  return "$status"
}
