"""An http target's URL: the quick check agrees with urlsplit, which decides the rest."""

from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slawatch.config.targets import _PLAIN_URL_RE, HttpTarget

PIECES = st.sampled_from(
    [
        "http",
        "https",
        "HTTP",
        "ftp",
        ":",
        "//",
        "/",
        "@",
        "[",
        "]",
        "::1",
        "h",
        "x.y",
        "80",
        "?",
        "#",
        "%",
        " ",
        "\t",
        "-",
        "~",
    ]
)


def accepted_by_urlsplit(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


@given(st.lists(PIECES, max_size=12).map("".join))
def test_what_the_quick_check_takes_urlsplit_takes(url: str) -> None:
    if _PLAIN_URL_RE.match(url):
        assert accepted_by_urlsplit(url)


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("http://127.0.0.1:8080/?t=1", True),
        ("https://portal.example/", True),
        ("HTTPS://Portal.Example", True),
        ("http://user@host/", True),
        ("http://[::1]:80/", True),
        ("http://:80/", False),
        ("http:///path", False),
        ("ftp://host/", False),
        ("http://[::1/", False),
    ],
)
def test_urls(url: str, ok: bool) -> None:
    data = {"name": "w", "kind": "http", "url": url}
    if ok:
        assert HttpTarget.model_validate(data).url == url
    else:
        with pytest.raises(ValueError):
            HttpTarget.model_validate(data)
