#!/usr/bin/env bash
# Sets up and runs the whole test suite: lint, content check, and pytest on SQLite and PostgreSQL, twice: on the
# real clock, then once more with every process on a fixed fake clock (a weekday at 23:30 New York time, when
# UTC is already on the next day), so no test depends on the hour, the weekday or the time zone it runs in.
#   bash scripts/test.sh [pytest args]                 e.g. `bash scripts/test.sh -k devset`
#   bash scripts/test.sh --at 2027-03-14T01:30-05:00 [pytest args]   only on that fake clock
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
FAKE_CLOCK_IN_CI=2026-12-02T23:30:00-05:00
only_at=""
if [ "${1:-}" = "--at" ]; then only_at=${2:?--at needs an ISO date and time}; shift 2; fi

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

at() {  # runs pytest with every Python process of the run on a fake clock starting at $1
  echo "== pytest on a fake clock from $1"
  PYTHONPATH="$PWD/support/fake_clock${PYTHONPATH:+:$PYTHONPATH}" ADVISOR_FAKE_TIME=$1 \
    ADVISOR_FAKE_TIME_FROM=$(date +%s.%N) .venv/bin/python -m pytest -p no:time_machine \
      -W "ignore:Module already imported so cannot be rewritten:pytest.PytestAssertRewriteWarning" "${@:2}"
}

if [ -n "$only_at" ]; then at "$only_at" "$@"; exit; fi
.venv/bin/ruff check .
.venv/bin/lint-imports
.venv/bin/advisor kb check
echo "== pytest on the real clock"
.venv/bin/python -m pytest "$@"
at "$FAKE_CLOCK_IN_CI" "$@"
