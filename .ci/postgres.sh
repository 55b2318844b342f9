# Sourced (after .ci/lib.sh) by .ci/run and by .ci/with-test-postgres.sh (what `npm test` runs): a throwaway
# PostgreSQL cluster on a free loopback port, TLS on with a self-signed certificate when openssl is there. Exports:
#   TEST_DATABASE_URL      postgres://app:…@127.0.0.1:PORT/appdb  (the role may CREATE DATABASE, so a
#                          test can make a fresh database of its own)
#   TEST_DATABASE_CA_FILE  the server's self-signed certificate (SAN localhost + 127.0.0.1): connect with TLS
#                          verified against it, as the service does against the RDS CA bundle
# initdb/pg_ctl refuse root, so as root they run as the `postgres` user the Debian package creates; as any other
# user they run as that user. The cluster is stopped and deleted by ci_cleanup (lib.sh).

POSTGRES_INSTALL_HINT='apt-get install postgresql (Debian/Ubuntu), brew install postgresql (macOS), or set TEST_DATABASE_URL'

# The folder holding initdb and pg_ctl: PATH first, then Debian's versioned folders (not on PATH there;
# POSTGRES_LIB_DIR replaces /usr/lib/postgresql, for the tests).
postgres_bin() {
  local initdb
  initdb=$(command -v initdb 2>/dev/null || ls -d "${POSTGRES_LIB_DIR:-/usr/lib/postgresql}"/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)
  [ -n "$initdb" ] && [ -x "$initdb" ] || return 1
  initdb=$(readlink -f "$initdb" 2>/dev/null || echo "$initdb") # a symlink on PATH: the folder with its siblings (psql)
  [ -x "$(dirname "$initdb")/pg_ctl" ] || return 1
  dirname "$initdb"
}

start_test_postgres() {
  local bin port as_owner=()
  bin=$(postgres_bin) || { echo "no PostgreSQL server binaries (initdb, pg_ctl) found; to run the PostgreSQL tests: $POSTGRES_INSTALL_HINT" >&2; return 1; }
  PGTMP=$(mktemp -d "${TMPDIR:-/tmp}/pgci.XXXXXX"); CI_TMPS+=("$PGTMP")
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || { echo "running as root, but there is no postgres user to run initdb as" >&2; return 1; }
    chown postgres: "$PGTMP"
    as_owner=(runuser -u postgres --)
  fi
  # cd: a cwd the owner cannot enter makes runuser print 'could not change directory to "/root"'.
  aspg() { (cd "$PGTMP" && ${as_owner[@]+"${as_owner[@]}"} "$@"); }
  port=$(free_port)
  aspg "$bin/initdb" -D "$PGTMP/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
  local tls=()
  if command -v openssl >/dev/null; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
      -keyout "$PGTMP/server.key" -out "$PGTMP/server.crt" 2>/dev/null
    [ ${#as_owner[@]} -eq 0 ] || chown postgres: "$PGTMP"/server.*
    chmod 600 "$PGTMP/server.key"; chmod 644 "$PGTMP/server.crt"
    tls=(-c ssl=on -c "ssl_cert_file=$PGTMP/server.crt" -c "ssl_key_file=$PGTMP/server.key")
  fi
  aspg "$bin/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/pg.log" -w -t 30 start -o "-c listen_addresses=127.0.0.1 -p $port \
    -k $PGTMP -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 ${tls[*]+${tls[*]}}" >/dev/null
  CI_CLEANUPS+=("(cd $PGTMP && ${as_owner[*]+${as_owner[*]}} $bin/pg_ctl -D $PGTMP/data -m fast -w stop)")
  local psql=psql; [ -x "$bin/psql" ] && psql=$bin/psql
  "$psql" -h "$PGTMP" -p "$port" -U postgres -v ON_ERROR_STOP=1 -qc "CREATE ROLE app LOGIN PASSWORD 'secret' CREATEDB" \
    -c "CREATE DATABASE appdb OWNER app"
  export TEST_DATABASE_URL="postgres://app:secret@127.0.0.1:$port/appdb"
  local tls_state=off
  if [ ${#tls[@]} -gt 0 ]; then export TEST_DATABASE_CA_FILE="$PGTMP/server.crt"; tls_state=on; fi
  echo "PostgreSQL $("$psql" "$TEST_DATABASE_URL" -Atc 'show server_version') on 127.0.0.1:$port (TLS $tls_state), for this run only"
}
