"""A sentence edited in copy.yaml is what Teams students read (the bot reads its content from KNOWLEDGE_DIR)."""

from __future__ import annotations

from support.content import edited_copy
from support.teams_driver import card_text, person, personal, start_bot

STUDENT = person(1)


def test_an_edited_sentence_reaches_teams(identity, connector, database_url, isolated_env):
    content = edited_copy(isolated_env, "profile_forgotten", "**Edited:** your profile is gone.")
    bot = start_bot(identity, connector, database_url, isolated_env, KNOWLEDGE_DIR=str(content))
    try:
        [reply] = bot.ask(personal(STUDENT, "profile delete"))
    finally:
        bot.stop()
    assert "**Edited:** your profile is gone." in card_text(reply)
