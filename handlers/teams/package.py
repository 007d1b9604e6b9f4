"""The Microsoft Teams app package: manifest.json and the two icons, zipped for sideloading.

Teams installs a bot from a zip whose root holds the manifest, a 192x192 colour icon and a 32x32 white-on-
transparent outline icon. The manifest is a template in app_package/ so its copy and command menus are reviewed
as JSON; a deployment's own values (the bot's app id, the version, the publisher and its links) come from the
TEAMS_* settings when the package is built. Everything Teams would refuse is checked here first (and plain
http links: the schema tolerates them, the manifest documentation asks for https), each problem naming the setting
to fix, because a refused upload says little about why.
"""

from __future__ import annotations

import json
import os
import re
import struct
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

APP_PACKAGE = Path(__file__).resolve().parent / "app_package"
TEMPLATE = "manifest.template.json"
ICON_SIZES = {"color.png": 192, "outline.png": 32}
DEFAULT_SHORT_NAME = "Career Advisor"
DEFAULT_OUT = Path("dist") / "career-advisor-teams.zip"

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")  # Teams takes MAJOR.MINOR.PATCH only
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
DOMAIN = re.compile(rf"^(\*\.)?{_LABEL}(\.{_LABEL})+(:\d{{1,5}})?$")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so the same settings always give the same bytes

# The manifest schema's limits (v1.30).
SHORT_NAME_MAX, FULL_NAME_MAX = 30, 100
SHORT_DESCRIPTION_MAX, FULL_DESCRIPTION_MAX = 80, 4000
DEVELOPER_NAME_MAX, URL_MAX, VERSION_MAX, DOMAINS_MAX = 32, 2048, 256, 100


class PackageError(ValueError):
    """The Teams app package cannot be built; the message names each setting (or file) to fix."""


@dataclass(frozen=True)
class PngHeader:
    width: int
    height: int
    transparent: bool  # an alpha channel or a tRNS chunk


def build_package(app_id: str, out: Path, *, version: str = "1.0.0", developer_name: str, website_url: str,
                  privacy_url: str, terms_url: str, short_name: str = DEFAULT_SHORT_NAME,
                  valid_domains: tuple[str, ...] = ()) -> Path:
    """Writes the zip to upload to Teams (manifest.json, color.png, outline.png at its root); returns its path.

    `out` may be an existing folder, which then gets `career-advisor-teams.zip`. The zip is written beside its
    final name and moved into place, so a failed build never leaves half a package to upload.
    """
    manifest = render_manifest(app_id, version=version, developer_name=developer_name, website_url=website_url,
                               privacy_url=privacy_url, terms_url=terms_url, short_name=short_name,
                               valid_domains=valid_domains)
    icons = {name: (APP_PACKAGE / name).read_bytes() for name in ICON_SIZES}
    out = Path(out)
    if out.is_dir():
        out = out / DEFAULT_OUT.name
    out.parent.mkdir(parents=True, exist_ok=True)
    files = {"manifest.json": (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode(), **icons}
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(handle, "wb") as stream, zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                info = zipfile.ZipInfo(name, ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, data)
        os.chmod(temporary, 0o644)  # mkstemp makes it 0600; a package is no secret
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return out


def render_manifest(app_id: str, *, version: str = "1.0.0", developer_name: str, website_url: str,
                    privacy_url: str, terms_url: str, short_name: str = DEFAULT_SHORT_NAME,
                    valid_domains: tuple[str, ...] = ()) -> dict:
    """The manifest as a dict, filled from the settings and checked against what Teams accepts.

    Every problem is collected before raising, so one run tells the operator everything to fix.
    """
    app_id, version = app_id.strip(), version.strip()
    developer_name, short_name = developer_name.strip(), short_name.strip()
    problems: list[str] = []
    if not GUID.match(app_id):
        problems.append(f"TEAMS_CLIENT_ID must be the bot's Microsoft App ID (the app registration's client id, a "
                        f"GUID like 00000000-0000-0000-0000-000000000000), got {app_id!r}")
    if not SEMVER.match(version) or len(version) > VERSION_MAX:
        problems.append(f"TEAMS_APP_VERSION must be MAJOR.MINOR.PATCH like 1.0.0, got {version!r}")
    if not developer_name:
        problems.append("TEAMS_APP_DEVELOPER is not set: the publisher name Teams shows with the app")
    elif len(developer_name) > DEVELOPER_NAME_MAX:
        problems.append(f"TEAMS_APP_DEVELOPER must be at most {DEVELOPER_NAME_MAX} characters, got "
                        f"{len(developer_name)}")
    urls = {"TEAMS_APP_WEBSITE": website_url, "TEAMS_APP_PRIVACY_URL": privacy_url,
            "TEAMS_APP_TERMS_URL": terms_url}
    problems += [problem for setting, url in urls.items() if (problem := _https_problem(setting, url.strip()))]
    domains, domain_problems = _domains(valid_domains)
    problems += domain_problems

    manifest = _template()
    if short_name != manifest["name"]["short"]:  # the full name leads with the short one: keep them in step
        manifest["name"]["full"] = manifest["name"]["full"].replace(manifest["name"]["short"], short_name, 1)
    manifest["name"]["short"] = short_name
    manifest["id"] = app_id
    manifest["version"] = version
    manifest["developer"].update(name=developer_name, websiteUrl=website_url.strip(),
                                 privacyUrl=privacy_url.strip(), termsOfUseUrl=terms_url.strip())
    for bot in manifest["bots"]:
        bot["botId"] = app_id
    manifest["validDomains"] = list(domains)

    if not short_name:
        problems.append("short_name is empty: the app's name in Teams")
    elif len(short_name) > SHORT_NAME_MAX:
        problems.append(f"short_name {short_name!r} must be at most {SHORT_NAME_MAX} characters, got "
                        f"{len(short_name)}")
    problems += _copy_problems(manifest)
    problems += _icon_problems(manifest)
    if problems:
        raise PackageError("Cannot build the Teams app package:\n- " + "\n- ".join(problems))
    return manifest


def png_header(path: Path) -> PngHeader:
    """Width, height and transparency from the PNG's chunks before its image data: no image library needed."""
    data = path.read_bytes()
    if data[:8] != PNG_SIGNATURE or data[12:16] != b"IHDR":
        raise PackageError(f"{path} is not a PNG file")
    width, height, _depth, colour_type = struct.unpack(">IIBB", data[16:26])
    transparent, position = colour_type in (4, 6), 8  # grey + alpha, RGBA
    while not transparent and position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        if kind in (b"IDAT", b"IEND"):
            break
        transparent = kind == b"tRNS"
        position += 12 + length
    return PngHeader(width, height, transparent)


def _template() -> dict:
    return json.loads((APP_PACKAGE / TEMPLATE).read_text(encoding="utf-8"))


def _https_problem(setting: str, url: str) -> str | None:
    if not url:
        return f"{setting} is not set: Teams needs an https:// link for it"
    parts = urlsplit(url)
    if parts.scheme.lower() != "https" or not parts.hostname or any(character.isspace() for character in url):
        return f"{setting} must be a full https:// URL, got {url!r}"
    if len(url) > URL_MAX:
        return f"{setting} must be at most {URL_MAX} characters, got {len(url)}"
    return None


def _domains(valid_domains: tuple[str, ...]) -> tuple[tuple[str, ...], list[str]]:
    """Host names as Teams wants them (no scheme, no path), lower-cased and without repeats."""
    domains: list[str] = []
    problems: list[str] = []
    for raw in valid_domains:
        domain = raw.strip().lower()
        if not DOMAIN.match(domain):
            problems.append(f"valid domain {raw!r} must be a host name such as advisor.example.edu or "
                            "*.example.edu, without https:// or a path")
        elif domain not in domains:
            domains.append(domain)
    if len(domains) > DOMAINS_MAX:
        problems.append(f"at most {DOMAINS_MAX} valid domains are allowed, got {len(domains)}")
    return tuple(domains), problems


def _copy_problems(manifest: dict) -> list[str]:
    """The template's own copy: a wording edit that Teams would refuse is caught here, not at upload."""
    limits = [(("name", "full"), FULL_NAME_MAX), (("description", "short"), SHORT_DESCRIPTION_MAX),
              (("description", "full"), FULL_DESCRIPTION_MAX)]
    problems = [f"{TEMPLATE}: {part}.{field} must be at most {limit} characters, got {len(manifest[part][field])}"
                for (part, field), limit in limits if len(manifest[part][field]) > limit]
    leftovers = sorted(set(re.findall(r"\{\{\w+\}\}", json.dumps(manifest))))
    if leftovers:
        problems.append(f"{TEMPLATE} has placeholders nothing fills: {', '.join(leftovers)}")
    return problems


def _icon_problems(manifest: dict) -> list[str]:
    if manifest["icons"] != {"color": "color.png", "outline": "outline.png"}:
        return [f"{TEMPLATE}: icons must name color.png and outline.png, the files the package ships"]
    problems = []
    for name, size in ICON_SIZES.items():
        path = APP_PACKAGE / name
        if not path.is_file():
            problems.append(f"{path} is missing")
            continue
        try:
            header = png_header(path)
        except PackageError as error:
            problems.append(str(error))
            continue
        if (header.width, header.height) != (size, size):
            problems.append(f"{path} must be {size}x{size} pixels, got {header.width}x{header.height}")
        if name == "outline.png" and not header.transparent:
            problems.append(f"{path} must have a transparent background (white on transparent)")
    return problems
