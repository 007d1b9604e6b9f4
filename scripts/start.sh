#!/usr/bin/env bash
# Quick start: set up and start the bot. With no Slack or Teams credentials in .env it opens the local console.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/advisor run "$@"
