"""Class channels: which Slack and/or Teams channel each class (graduation year and track) reads, from
COHORTS_FILE."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from knowledge.loader import ContentError
from knowledge.schema import Track
from knowledge.yaml_files import read_yaml


class Cohort(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    class_of: int = Field(ge=2000, le=2100)
    track: Track
    channel: str | None = Field(default=None, pattern=r"^[CG][A-Z0-9]{2,20}$",
                                description="a Slack channel id, like C012ABCDEF")
    teams_channel: str | None = Field(default=None, pattern=r"^19:[^\s;]{1,150}@thread\.(tacv2|skype)$",
                                      description="a Teams channel id, like 19:abc...@thread.tacv2")

    @model_validator(mode="after")
    def _somewhere(self) -> Cohort:
        if not (self.channel or self.teams_channel):
            raise ValueError(f"class of {self.class_of} ({self.track}) needs a channel, a teams_channel or both")
        return self

    @property
    def targets(self) -> tuple[tuple[str, str], ...]:
        """Where its announcements go, as (platform, channel id) pairs (store.recipients.Recipient's shape)."""
        return tuple((platform, channel) for platform, channel in (("slack", self.channel),
                                                                   ("teams", self.teams_channel)) if channel)


class CohortsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    cohorts: tuple[Cohort, ...] = ()


def load_cohorts(path: Path | None) -> tuple[Cohort, ...]:
    """The cohorts, or none when COHORTS_FILE is unset or missing (then only personal nudges go out)."""
    if path is None or not path.is_file():
        return ()
    try:
        cohorts = CohortsFile.model_validate(read_yaml(path.read_text(encoding="utf-8")) or {}).cohorts
    except (yaml.YAMLError, ValidationError) as error:
        raise ContentError([f"{path}: {error}"]) from error
    seen: set[tuple[int, str]] = set()
    for cohort in cohorts:
        if (cohort.class_of, cohort.track) in seen:
            raise ContentError([f"{path}: class of {cohort.class_of} ({cohort.track}) is listed twice"])
        seen.add((cohort.class_of, cohort.track))
    return cohorts
