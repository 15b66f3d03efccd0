import pytest

from slawatch.config.errors import excerpt
from slawatch.config.redact import mask_credentials


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (
            "postgresql+psycopg://slawatch:hunter2@db/sla",
            "postgresql+psycopg://slawatch:***@db/sla",
        ),
        (
            "got postgresql://bob:p@ss:w/rd@db:5432/x; e.g. https://u:t0ken@h/",
            "got postgresql://bob:***@db:5432/x; e.g. https://u:***@h/",
        ),
        ("'https://:token@host/'", "'https://:***@host/'"),
        (
            "postgresql+psycopg://bob@db/x?sslmode=require&password=hunter2",
            "postgresql+psycopg://bob@db/x?sslmode=require&password=***",
        ),
        ("postgresql://bob@db/x?PASSWORD=hunter2", "postgresql://bob@db/x?PASSWORD=***"),
        ("(got pg://h/x?password=a;b&c=1; e.g. x)", "(got pg://h/x?password=***&c=1; e.g. x)"),
        ("(got pg://h/x?password=a;b)", "(got pg://h/x?password=***)"),
        ("sqlite:///var/lib/slawatch.db", "sqlite:///var/lib/slawatch.db"),
        ("https://host/a:b@c", "https://host/a:b@c"),
        ("interval: 1h30m", "interval: 1h30m"),
    ],
    ids=[
        "user-and-password",
        "password-with-at-colon-slash-and-two-urls",
        "no-user",
        "libpq-query-keyword",
        "keyword-any-case",
        "keyword-then-a-sentence",
        "keyword-in-parentheses",
        "sqlite",
        "colon-in-the-path",
        "no-url",
    ],
)
def test_passwords_are_masked(text: str, masked: str) -> None:
    assert mask_credentials(text) == masked


def test_an_excerpt_is_cut_after_80_characters_and_says_how_long_it_was() -> None:
    assert excerpt("x" * 80) == "x" * 80
    assert excerpt("x" * 57_000_000) == "x" * 80 + "... (57,000,000 characters)"


def test_an_excerpt_masks_before_it_cuts() -> None:
    # Cut first, the URL would lose its '@' and the password would show.
    text = "postgresql://bob:" + "s" * 100 + "@db/x"
    assert excerpt(text) == "postgresql://bob:***@db/x"
