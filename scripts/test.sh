#!/usr/bin/env bash
# Sets up and runs the whole test suite: lint, content check, and pytest on SQLite and PostgreSQL.
# Pass pytest arguments through, e.g. `bash scripts/test.sh -k devset`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

pgdir=""
if [ -z "${TEST_POSTGRES_URL:-}" ]; then
  pgdir=$(mktemp -d /tmp/advisor-pg.XXXXXX)
  trap 'bash scripts/postgres.sh stop "$pgdir"' EXIT
  if url=$(bash scripts/postgres.sh start "$pgdir" "${TEST_POSTGRES_PORT:-54329}"); then
    export TEST_POSTGRES_URL=$url
  elif [ "${CI:-}" = "true" ]; then
    echo "CI needs PostgreSQL for the database tests" >&2; exit 1
  else
    echo "PostgreSQL unavailable: its tests will be skipped" >&2
  fi
fi

.venv/bin/ruff check .
.venv/bin/advisor kb check
.venv/bin/python -m pytest "$@"
