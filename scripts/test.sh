#!/usr/bin/env bash
# The whole suite on SQLite, then on PostgreSQL (always under CI=true; elsewhere when a server answers).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export CHIBO_ENV=test
export CHIBO_VAR_DIR="${CHIBO_VAR_DIR:-$PWD/var}"
mkdir -p "$CHIBO_VAR_DIR" test-artifacts
PG_URL="${CHIBO_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
WORKERS="${CHIBO_TEST_WORKERS:-2}"

echo "== lint: ruff, import contracts, types =="
"$BIN/ruff" check src tests bench
"$BIN/lint-imports" --no-cache >/dev/null || "$BIN/lint-imports" --no-cache
PYTHONPATH=src "$BIN/mypy"

pg_up() {
  "$BIN/python" - "$PG_URL" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://", 1), connect_timeout=3).close()
except Exception as exc:
    print(exc, file=sys.stderr); sys.exit(1)
PY
}

# The browser journeys run once: on PostgreSQL when that pass follows, else on SQLite (conftest.py).
if pg_up; then PG=1; elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL does not answer at $PG_URL, and CI requires the PostgreSQL pass." >&2
  exit 1
else PG=0; fi

echo "== chibo tests on SQLite$([ "$PG" = 1 ] && echo ' (browser journeys run in the PostgreSQL pass)') =="
env -u DATABASE_URL CHIBO_TEST_JOURNEYS_LATER="$PG" "$BIN/pytest" -n "$WORKERS" "$@"

if [ "$PG" = 1 ]; then
  echo "== chibo tests on PostgreSQL ($PG_URL, throw-away database chibo_test_$$) =="
  DATABASE_URL="$PG_URL" CHIBO_TEST_DB_NAME="chibo_test_$$" "$BIN/pytest" -n "$WORKERS" "$@"
else
  echo "== PostgreSQL pass skipped: no server answers at $PG_URL (set CHIBO_TEST_POSTGRES_URL) =="
fi
