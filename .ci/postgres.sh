# Sourced by .ci/run: a throwaway PostgreSQL cluster on a free loopback port, TLS on
# with a self-signed certificate. Exports for the tests:
#   TEST_DATABASE_URL      postgres://app:…@127.0.0.1:PORT/appdb  (the role may CREATE DATABASE, so a
#                          test can make a fresh database of its own)
#   TEST_DATABASE_CA_FILE  the server's self-signed certificate (SAN localhost + 127.0.0.1): connect with TLS
#                          verified against it, as the service does against the RDS CA bundle
# initdb/pg_ctl refuse root, so they run as the `postgres` user the Debian package creates.
start_test_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  PGTMP=$(mktemp -d /tmp/pgci.XXXXXX); chown postgres: "$PGTMP"; CI_TMPS+=("$PGTMP")
  local port; port=$(free_port)
  aspg() { (cd "$PGTMP" && runuser -u postgres -- "$@"); }
  aspg "$bin/initdb" -D "$PGTMP/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$PGTMP/server.key" -out "$PGTMP/server.crt" 2>/dev/null
  chown postgres: "$PGTMP"/server.*; chmod 600 "$PGTMP/server.key"; chmod 644 "$PGTMP/server.crt"
  aspg "$bin/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/pg.log" -w -t 30 start -o "-c listen_addresses=127.0.0.1 -p $port \
    -k $PGTMP -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 \
    -c ssl=on -c ssl_cert_file=$PGTMP/server.crt -c ssl_key_file=$PGTMP/server.key" >/dev/null
  CI_CLEANUPS+=("runuser -u postgres -- $bin/pg_ctl -D $PGTMP/data -m fast -w stop")
  psql -h "$PGTMP" -p "$port" -U postgres -v ON_ERROR_STOP=1 -qc "CREATE ROLE app LOGIN PASSWORD 'secret' CREATEDB" \
    -c "CREATE DATABASE appdb OWNER app"
  export TEST_DATABASE_URL="postgres://app:secret@127.0.0.1:$port/appdb"
  export TEST_DATABASE_CA_FILE="$PGTMP/server.crt"
  echo "PostgreSQL $(psql "$TEST_DATABASE_URL" -Atc 'show server_version') on 127.0.0.1:$port (TLS on)"
}
