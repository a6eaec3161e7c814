"""The HTML digest as a browser draws it (headless Chromium), and the screenshot in docs/.

Refresh the screenshot with: .venv/bin/python -m tests.test_digest_chromium docs/digest-example.png
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from matcher.config import Settings
from matcher.digest.content import DigestContent, Suggestion
from matcher.digest.ledger import message_id
from matcher.digest.render import Renderer

WIDTH, HEIGHT = 700, 1500
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")


def example() -> DigestContent:
    """One member's digest as the demo community would produce it."""

    def need(mine: str, theirs: str, helped: bool = False) -> dict:
        return {
            "type": "need_offer",
            "need": {"id": "n", "quote": mine},
            "offer": {"id": "o", "quote": theirs, "helped_before": helped},
            "similarity": 0.7,
        }

    def could_help(theirs: str, mine: str) -> dict:
        return {**need(theirs, mine), "type": "you_could_help"}

    people = [
        Suggestion("m000217", "Rosa Okafor", "session_musician", "Leeds", "helps_you", False, [
            need("Looking for a drummer for our autumn gigs, shoegaze-ish", "Drummer, 10 years, "
                 "happy to dep for gigs around Yorkshire"),
            {"type": "same_town", "town": "Leeds"},
            {"type": "helped_others", "count": 3},
        ], "rosa.drums@example.com"),
        Suggestion("m000981", "The Velvet Harbour", "venue", "Bradford", "you_help", True, [
            could_help("Need local bands for a Friday night series", "We play loud dream-pop "
                       "and bring a crowd"),
            {"type": "mutual"},
            {"type": "shared_tags", "tags": ["dream pop", "shoegaze"]},
            {"type": "nearby", "km": 14.2, "town": "Bradford"},
        ], None),
        Suggestion("m001402", "Copper Signal Studio", "studio", "Sheffield", "helps_you", False, [
            need("Need someone to mix our first EP", "Mixing and mastering for indie bands", True),
            {"type": "mutual_connections", "count": 2},
        ], None),
        Suggestion("m000045", "Ezra Marsh", "photographer", "Leeds", "you_help", False, [
            could_help("Want gigs to shoot for my portfolio", "Three Leeds shows in December"),
            {"type": "same_town", "town": "Leeds"},
        ], "https://ezramarsh.example/photos"),
    ]  # fmt: skip
    return DigestContent(
        week="2026-W48",
        member_id="m000001",
        name="Hollow Moth",
        email="hollowmoth@example.org",
        message_id=message_id("m000001", "2026-W48", "matches@community.example"),
        suggestions=people,
    )


def chromium() -> str | None:
    """The path of a Chromium-like browser, if one is installed."""
    return next((p for p in map(shutil.which, BROWSERS) if p), None)


def screenshot(html: str, png: Path, browser: str) -> None:
    """Draw `html` in headless Chromium and save a PNG of the window."""
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "digest.html"
        page.write_text(html, encoding="utf-8")
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--screenshot={png.resolve()}",
            f"--window-size={WIDTH},{HEIGHT}",
            page.as_uri(),
        ]
        subprocess.run(command, check=True, capture_output=True, timeout=120)


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header."""
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def html_of_example() -> str:
    return Renderer(Settings(secret_key="docs-example-secret-of-32-characters-or-more")).render(
        example()
    )[0]


def test_the_html_email_renders_in_headless_chromium(tmp_path):
    browser = chromium()
    if browser is None:
        pytest.skip("no chromium binary (apt-get install -y chromium) to render the email")
    from matplotlib.image import imread

    png = tmp_path / "digest.png"
    screenshot(html_of_example(), png, browser)
    assert png_size(png) == (WIDTH, HEIGHT)
    pixels = (imread(png)[..., :3] * 255).round().astype(int)
    header = (abs(pixels - [0x1F, 0x3D, 0x36]).sum(axis=-1) <= 6).mean()  # the dark green band
    button = (abs(pixels - [0x2D, 0x6A, 0x4F]).sum(axis=-1) <= 6).mean()  # "Introduce yourself"
    page = (abs(pixels - [0xF3, 0xF0, 0xEA]).sum(axis=-1) <= 6).mean()  # the background
    white = (pixels.sum(axis=-1) >= 3 * 250).mean()  # the cards
    assert header > 0.02 and button > 0.002 and page > 0.05 and white > 0.2
    dark_text = (pixels.sum(axis=-1) <= 3 * 90).mean()  # words were drawn
    assert dark_text > 0.005


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/digest-example.png")
    browser = chromium()
    if browser is None:
        sys.exit("no chromium binary: apt-get install -y chromium")
    target.parent.mkdir(parents=True, exist_ok=True)
    screenshot(html_of_example(), target, browser)
    print(f"wrote {target} ({png_size(target)[0]}x{png_size(target)[1]})")
