"""One valid config, one mutation per rule, the full message asserted (sloth's getGoodSLO)."""

from pathlib import Path

import pytest

from slawatch.config import ConfigError, load_config

VALID = """\
targets:
  - name: web
    kind: http
    url: https://portal.example/
    interval: 60s
  - name: api
    kind: http
    url: https://api.example/
    interval: 60s
contracts:
  - name: portal
    service:
      targets: [web, api]
      rule: {quorum: 2}
    timezone: Europe/Paris
    period: month
    reference:
      windows: ["mon-fri 07:00-20:00"]
      holidays: {country: FR}
    maintenance:
      notice: 48h
      windows:
        - rrule: FREQ=MONTHLY;BYDAY=1SU
          dtstart: 2026-01-04T02:00
          duration: 4h
    target: 99.5
    credits:
      basis: availability_percent
      tiers:
        - {from: 99.5, to: 100, credit: 0}
        - {from: 95, to: 99.5, credit: 25}
        - {from: 0, to: 95, credit: 100 - A}
"""

WEB_INTERVAL = "    interval: 60s\n  - name: api"

# (id, text to replace, replacement, the whole ConfigError message)
CASES = [
    (
        "yaml-syntax",
        "    kind: http\n    url: https://portal.example/",
        "    kind: http\n   url: https://portal.example/",
        "config.yaml:4: invalid YAML: did not find expected '-' indicator (column 4; while parsing a block collection at line 2; check the indentation)",
    ),
    (
        "unknown-key",
        WEB_INTERVAL,
        "    intervall: 60s\n  - name: api",
        "config.yaml:5: targets[0].intervall: unknown key (did you mean interval? valid keys here: name, interval, confirm_after, locations, timeout, degraded_above, verify_tls, min_cert_validity, kind, url, method, headers, body, follow_redirects, valid_status_codes, body_contains, body_regex, body_json)",
    ),
    (
        "unknown-time-zone",
        "Europe/Paris",
        "Europe/Pariss",
        "config.yaml:15: contracts[0].timezone: unknown IANA time zone (got Europe/Pariss; e.g. Europe/Paris)",
    ),
    (
        "tier-gap",
        "{from: 95, to: 99.5",
        "{from: 95, to: 99",
        "config.yaml:30: contracts[0].credits.tiers[0]: gap between 99 % and 99.5 %",
    ),
    (
        "tier-overlap",
        "{from: 0, to: 95",
        "{from: 0, to: 96",
        "config.yaml:31: contracts[0].credits.tiers[1]: overlap between 95 % and 96 %",
    ),
    (
        "unknown-target-in-service",
        "[web, api]",
        "[web, apx]",
        "config.yaml:13: contracts[0].service.targets[1]: unknown target (targets: api, web) (got apx; e.g. api)",
    ),
    (
        "duplicate-target-name",
        "contracts:",
        "  - name: web\n    kind: heartbeat\ncontracts:",
        "config.yaml:10: targets[2].name: already used by targets[0]; names must be unique (got web)",
    ),
    (
        "duplicate-contract-name",
        "\n    target: 99.5\n",
        "\n    target: 99.5\n  - name: portal\n    service: {targets: [web]}\n    timezone: UTC\n    period: year\n    target: 99\n",
        "config.yaml:27: contracts[1].name: already used by contracts[0]; names must be unique (got portal)",
    ),
    (
        "bare-number-duration",
        WEB_INTERVAL,
        "    interval: 60\n  - name: api",
        "config.yaml:5: targets[0].interval: a duration needs a unit: d, h, m, s or ms (got 60; e.g. 60s, 60m or 60h)",
    ),
    (
        "negative-duration",
        WEB_INTERVAL,
        "    interval: -5s\n  - name: api",
        "config.yaml:5: targets[0].interval: must be > 0 s (got -5s; e.g. 60s)",
    ),
    (
        "timeout-not-below-interval",
        WEB_INTERVAL,
        "    interval: 60s\n    timeout: 1m\n  - name: api",
        "config.yaml:6: targets[0].timeout: must be < interval (60 s) (got 1m; e.g. 30s)",
    ),
    (
        "default-timeout-not-below-interval",
        WEB_INTERVAL,
        "    interval: 5s\n  - name: api",
        "config.yaml:2: targets[0].timeout: must be < interval (5 s); the default is 10s (e.g. 2s)",
    ),
    (
        "quorum-above-targets",
        "{quorum: 2}",
        "{quorum: 3}",
        "config.yaml:14: contracts[0].service.rule.quorum: must be between 1 and 2, the number of targets in the service (got 3; e.g. 2)",
    ),
    (
        "quorum-zero",
        "{quorum: 2}",
        "{quorum: 0}",
        "config.yaml:14: contracts[0].service.rule.quorum: must be a whole number >= 1 (got 0; e.g. 2)",
    ),
    (
        "bad-rule",
        "{quorum: 2}",
        "most",
        "config.yaml:14: contracts[0].service.rule: must be all, any or {quorum: K} (got most; e.g. {quorum: 2})",
    ),
    (
        "bad-window-text",
        "mon-fri 07:00",
        "mon-fry 07:00",
        "config.yaml:18: contracts[0].reference.windows[0]: unknown day 'mon-fry' in window 'mon-fry 07:00-20:00' (use mon..sun, ranges like mon-fri, or daily)",
    ),
    (
        "bad-rrule",
        "FREQ=MONTHLY",
        "FREQ=SOMETIMES",
        "config.yaml:23: contracts[0].maintenance.windows[0].rrule: invalid RRULE 'FREQ=SOMETIMES;BYDAY=1SU': invalid 'FREQ': SOMETIMES (e.g. FREQ=MONTHLY;BYDAY=1SU)",
    ),
    (
        "rrule-without-duration",
        "          duration: 4h\n",
        "",
        "config.yaml:23: contracts[0].maintenance.windows[0].duration: required with rrule (e.g. 4h)",
    ),
    (
        "dtstart-with-offset",
        "dtstart: 2026-01-04T02:00",
        "dtstart: 2026-01-04T02:00:00+01:00",
        "config.yaml:24: contracts[0].maintenance.windows[0].dtstart: must be a local time without offset (read in the contract's zone) (got 2026-01-04T02:00:00+01:00; e.g. 2026-01-04T02:00)",
    ),
    (
        "missing-key",
        "    target: 99.5\n",
        "",
        "config.yaml:11: contracts[0].target: required key missing: an availability part needs service, period and target (e.g. 99.7)",
    ),
    (
        "target-above-100",
        "target: 99.5",
        "target: 100.5",
        "config.yaml:26: contracts[0].target: must be less than or equal to 100 (got 100.5; e.g. 99.7)",
    ),
    (
        "unknown-kind",
        "kind: http\n    url: https://api",
        "kind: htp\n    url: https://api",
        "config.yaml:7: targets[1].kind: must be one of http, tcp, dns, tls, heartbeat (got htp; e.g. http)",
    ),
    (
        "missing-kind",
        "    kind: http\n    url: https://api",
        "    url: https://api",
        "config.yaml:6: targets[1].kind: required key missing: one of http, tcp, dns, tls, heartbeat (e.g. http)",
    ),
    (
        "url-without-scheme",
        "https://api.example/",
        "api.example",
        "config.yaml:8: targets[1].url: must be an http:// or https:// URL with a host (got api.example; e.g. https://portal.example.com/)",
    ),
    (
        "bad-period",
        "period: month",
        "period: monthly",
        "config.yaml:16: contracts[0].period: must be month, year or {contract_year: YYYY-MM-DD} (got monthly; e.g. {contract_year: 2026-03-15})",
    ),
    (
        "impossible-date",
        "period: month",
        "period: {contract_year: 2026-02-30}",
        "config.yaml:16: contracts[0].period.contract_year: not a date: February 2026 has 28 days (got 2026-02-30; e.g. 2026-02-28)",
    ),
    (
        "bad-credit",
        "credit: 25",
        "credit: lots",
        "config.yaml:31: contracts[0].credits.tiers[1].credit: must be a percent 0..100 or the formula 100 - A (got lots; e.g. 25)",
    ),
    (
        "bound-of-the-other-basis",
        "{from: 99.5, to: 100, credit: 0}",
        "{up_to: 216, from: 99.5, to: 100, credit: 0}",
        "config.yaml:30: contracts[0].credits.tiers[0].up_to: not used with basis availability_percent (use from and to) (got 216)",
    ),
    (
        "unknown-enum-value",
        "basis: availability_percent",
        "basis: percent",
        "config.yaml:28: contracts[0].credits.basis: must be 'availability_percent' or 'downtime_minutes' (got percent; e.g. downtime_minutes)",
    ),
    (
        "unknown-holiday-calendar",
        "{country: FR}",
        "{country: XX}",
        "config.yaml:19: contracts[0].reference.holidays: unknown holiday calendar country='XX' subdiv=None (e.g. {country: FR})",
    ),
    (
        "key-given-twice",
        "    target: 99.5\n",
        "    target: 99.5\n    target: 99.9\n",
        "config.yaml:27: contracts[0].target: key given twice (first at line 26); YAML keeps only the last one",
    ),
    (
        "item-not-a-mapping",
        "  - name: api\n",
        "  - api\n  - name: api\n",
        "config.yaml:6: targets[1]: must be a mapping (key: value) (got api)",
    ),
    (
        "empty-service",
        "targets: [web, api]",
        "targets: []",
        "config.yaml:13: contracts[0].service.targets: must not be empty (e.g. [cegid-portal-web])",
    ),
    (
        "target-listed-twice",
        "targets: [web, api]",
        "targets: [web, web]",
        "config.yaml:13: contracts[0].service.targets[1]: listed twice in this service (got web)",
    ),
    (
        "several-problems",
        "Europe/Paris",
        "Europe/Pariss\n    clauses: {targt: art. 6}\n    min_coverage: 101",
        "config.yaml:15: contracts[0].timezone: unknown IANA time zone (got Europe/Pariss; e.g. Europe/Paris)\n"
        "config.yaml:16: contracts[0].clauses.targt: unknown key (did you mean target? valid keys here: service, timezone, period, reference, monitoring_since, maintenance, exclusions_count_as, unknown_time, min_coverage, target, credits, claims_required, claim_window, credit_cap, outage_limits, fee, renewal, support, exclusions)\n"
        "config.yaml:17: contracts[0].min_coverage: must be less than or equal to 100 (got 101; e.g. 95)",
    ),
]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_valid_fixture_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, VALID)
    config = load_config("config.yaml")
    assert [contract.name for contract in config.contracts] == ["portal"]


@pytest.mark.parametrize(
    ("old", "new", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_each_mutation_gives_its_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str, expected: str
) -> None:
    assert VALID.count(old) == 1, "the mutation must touch exactly one place"
    monkeypatch.chdir(tmp_path)
    write(tmp_path, VALID.replace(old, new))
    with pytest.raises(ConfigError) as caught:
        load_config("config.yaml")
    assert str(caught.value) == expected


def test_a_problem_carries_file_line_path_and_message(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("Europe/Paris", "Mars/Olympus"))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.path) == (str(path), 15, "contracts[0].timezone")
    assert problem.message == "unknown IANA time zone (got Mars/Olympus; e.g. Europe/Paris)"
