"""The Teams app package: what Teams needs to accept the upload, and a named setting for everything it would not."""

from __future__ import annotations

import json
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from handlers.teams import package
from handlers.teams.package import PackageError, build_package, png_header

APP_ID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
SETTINGS = {
    "developer_name": "Career Planning Program",
    "website_url": "https://advisor.example.edu",
    "privacy_url": "https://advisor.example.edu/privacy",
    "terms_url": "https://advisor.example.edu/terms",
}


def build(tmp_path: Path, **overrides) -> Path:
    arguments = {"app_id": APP_ID, "out": tmp_path / "dist" / "career-advisor-teams.zip", **SETTINGS, **overrides}
    return build_package(**arguments)


def read_zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def pixels(data: bytes) -> tuple[int, int, list[tuple[int, ...]]]:
    """Decodes an 8-bit, non-interlaced RGB or RGBA PNG (what the shipped icons are) into RGBA pixels."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat = 8, b""
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert (depth, interlace) == (8, 0) and colour_type in (2, 6)
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    channels = 4 if colour_type == 6 else 3
    stride, raw = width * channels, zlib.decompress(idat)
    previous, result = bytearray(stride), []
    for row in range(height):
        kind, line = raw[row * (stride + 1)], bytearray(raw[row * (stride + 1) + 1:(row + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                guess = min((abs(p - left), 0, left), (abs(p - up), 1, up), (abs(p - corner), 2, corner))[2]
                line[i] = (line[i] + guess) & 0xFF
        previous = line
        for x in range(width):
            pixel = tuple(line[x * channels:(x + 1) * channels])
            result.append(pixel if channels == 4 else (*pixel, 255))
    return width, height, result


def write_png(path: Path, size: int, *, alpha: bool) -> None:
    """A plain square PNG, for icons that are wrong in one way."""
    channels = b"\xff\xff\xff\x00" if alpha else b"\x0b\x5e\x63"
    raw = b"".join(b"\x00" + channels * size for _ in range(size))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6 if alpha else 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
                     + chunk(b"IEND", b""))


@pytest.fixture
def assets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of app_package/ that a test may spoil."""
    copy = tmp_path / "app_package"
    shutil.copytree(package.APP_PACKAGE, copy)
    monkeypatch.setattr(package, "APP_PACKAGE", copy)
    return copy


def test_the_zip_holds_exactly_the_manifest_and_the_two_icons_at_its_root(tmp_path):
    out = build(tmp_path)
    assert out == tmp_path / "dist" / "career-advisor-teams.zip"
    files = read_zip(out)
    assert sorted(files) == ["color.png", "manifest.json", "outline.png"]
    assert files["color.png"] == (package.APP_PACKAGE / "color.png").read_bytes()
    assert files["outline.png"] == (package.APP_PACKAGE / "outline.png").read_bytes()


def test_the_manifest_carries_the_app_id_version_and_publisher(tmp_path):
    manifest = json.loads(read_zip(build(tmp_path, version="2.3.4"))["manifest.json"])
    assert manifest["id"] == APP_ID
    assert [bot["botId"] for bot in manifest["bots"]] == [APP_ID]
    assert manifest["version"] == "2.3.4"
    assert manifest["developer"] == {"name": "Career Planning Program", "websiteUrl": "https://advisor.example.edu",
                                     "privacyUrl": "https://advisor.example.edu/privacy",
                                     "termsOfUseUrl": "https://advisor.example.edu/terms"}
    version = manifest["manifestVersion"]
    assert manifest["$schema"] == f"https://developer.microsoft.com/json-schemas/teams/v{version}/MicrosoftTeams.schema.json"
    assert "packageName" not in manifest  # refused since manifest 1.17
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert manifest["validDomains"] == []
    assert "{{" not in json.dumps(manifest)


def test_the_bot_talks_in_chats_and_teams_and_lists_its_commands(tmp_path):
    manifest = json.loads(read_zip(build(tmp_path))["manifest.json"])
    [bot] = manifest["bots"]
    assert bot["scopes"] == ["personal", "team", "groupChat"]
    assert bot["isNotificationOnly"] is False and bot["supportsFiles"] is False
    menus = {tuple(menu["scopes"]): menu["commands"] for menu in bot["commandLists"]}
    assert [command["title"] for command in menus[("personal",)]] == [
        "help", "profile", "upcoming", "nudges", "requests", "alumni"]
    assert [command["title"] for command in menus[("team",)]] == ["help", "upcoming"]
    for commands in menus.values():  # the older schemas' limits, the strictest Teams has had
        assert len(commands) <= 10
        assert all(len(command["title"]) <= 32 and 0 < len(command["description"]) <= 128 for command in commands)
    assert manifest["permissions"] == ["identity", "messageTeamMembers"]
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["description"]["short"]) <= 80
    assert manifest["name"]["full"].startswith(manifest["name"]["short"])


def test_the_icons_have_the_sizes_teams_requires(tmp_path):
    files = read_zip(build(tmp_path))
    width, height, colour = pixels(files["color.png"])
    assert (width, height) == (192, 192)
    assert all(pixel[3] == 255 for pixel in colour)  # full colour, no holes
    assert len({pixel[:3] for pixel in colour}) > 2
    width, height, _ = pixels(files["outline.png"])
    assert (width, height) == (32, 32)
    (tmp_path / "outline.png").write_bytes(files["outline.png"])
    assert png_header(tmp_path / "outline.png").transparent


def test_the_outline_icon_is_white_on_transparent(tmp_path):
    _, _, outline = pixels(read_zip(build(tmp_path))["outline.png"])
    transparent = [pixel for pixel in outline if pixel[3] == 0]
    visible = [pixel for pixel in outline if pixel[3] > 0]
    assert outline[0][3] == 0 and len(transparent) > len(outline) // 3  # the corners and the background
    assert len(visible) > 50
    assert all(pixel[:3] == (255, 255, 255) for pixel in visible)


def test_custom_names_domains_and_the_same_bytes_every_time(tmp_path):
    first = build(tmp_path, short_name="Advisor", valid_domains=("Advisor.Example.edu", "advisor.example.edu"))
    manifest = json.loads(read_zip(first)["manifest.json"])
    assert manifest["name"] == {"short": "Advisor", "full": "Advisor for the Career Planning Program"}
    assert manifest["validDomains"] == ["advisor.example.edu"]
    again = build(tmp_path, out=tmp_path / "again.zip", short_name="Advisor",
                  valid_domains=("Advisor.Example.edu", "advisor.example.edu"))
    assert again.read_bytes() == first.read_bytes()


def test_a_folder_as_out_gets_the_default_file_name(tmp_path):
    assert build(tmp_path, out=tmp_path) == tmp_path / "career-advisor-teams.zip"


@pytest.mark.parametrize("app_id", ["", "not-a-guid", "3f2504e0-4f89-41d3-9a0c-0305e82c330", "{" + APP_ID + "}"])
def test_an_app_id_that_is_not_a_guid_names_teams_client_id(tmp_path, app_id):
    with pytest.raises(PackageError, match="TEAMS_CLIENT_ID"):
        build(tmp_path, app_id=app_id)
    assert not (tmp_path / "dist" / "career-advisor-teams.zip").exists()


@pytest.mark.parametrize(("argument", "setting"), [("website_url", "TEAMS_APP_WEBSITE"),
                                                   ("privacy_url", "TEAMS_APP_PRIVACY_URL"),
                                                   ("terms_url", "TEAMS_APP_TERMS_URL")])
@pytest.mark.parametrize("url", ["http://advisor.example.edu/page", "", "advisor.example.edu", "https://"])
def test_a_link_that_is_not_https_names_its_setting(tmp_path, argument, setting, url):
    with pytest.raises(PackageError, match=setting) as raised:
        build(tmp_path, **{argument: url})
    others = {"TEAMS_APP_WEBSITE", "TEAMS_APP_PRIVACY_URL", "TEAMS_APP_TERMS_URL"} - {setting}
    assert not any(other in str(raised.value) for other in others)


@pytest.mark.parametrize(("overrides", "named"), [
    ({"short_name": "Career Planning Program Advisor Bot"}, "short_name"),
    ({"short_name": "  "}, "short_name"),
    ({"developer_name": "The Career Planning Program Office"}, "TEAMS_APP_DEVELOPER"),
    ({"developer_name": ""}, "TEAMS_APP_DEVELOPER"),
    ({"version": "1.0"}, "TEAMS_APP_VERSION"),
    ({"version": "v1.0.0"}, "TEAMS_APP_VERSION"),
    ({"valid_domains": ("https://advisor.example.edu",)}, "valid domain"),
])
def test_overlong_names_and_malformed_values_name_what_to_fix(tmp_path, overrides, named):
    with pytest.raises(PackageError, match=named):
        build(tmp_path, **overrides)


def test_every_problem_is_reported_at_once(tmp_path):
    with pytest.raises(PackageError) as raised:
        build(tmp_path, app_id="nope", website_url="http://advisor.example.edu", developer_name="")
    message = str(raised.value)
    assert all(setting in message for setting in ("TEAMS_CLIENT_ID", "TEAMS_APP_WEBSITE", "TEAMS_APP_DEVELOPER"))
    assert isinstance(raised.value, ValueError)


def test_an_icon_of_the_wrong_size_is_refused(tmp_path, assets):
    write_png(assets / "color.png", 128, alpha=False)
    with pytest.raises(PackageError, match=r"color\.png must be 192x192 pixels, got 128x128"):
        build(tmp_path)


def test_an_outline_icon_without_transparency_is_refused(tmp_path, assets):
    write_png(assets / "outline.png", 32, alpha=False)
    with pytest.raises(PackageError, match=r"outline\.png must have a transparent background"):
        build(tmp_path)


def test_a_missing_or_broken_icon_is_refused(tmp_path, assets):
    (assets / "outline.png").unlink()
    (assets / "color.png").write_bytes(b"GIF89a")
    with pytest.raises(PackageError, match=r"outline\.png is missing") as raised:
        build(tmp_path)
    assert "color.png is not a PNG file" in str(raised.value)


def test_a_template_edit_teams_would_refuse_is_caught(tmp_path, assets):
    template = json.loads((assets / package.TEMPLATE).read_text())
    template["description"]["short"] = "x" * 81
    (assets / package.TEMPLATE).write_text(json.dumps(template))
    with pytest.raises(PackageError, match=r"description\.short must be at most 80 characters"):
        build(tmp_path)
