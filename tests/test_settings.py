"""Settings of the service: defaults, the settings file, IPPS_* environment variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from forms_api.settings import Settings, SettingsError, load, parse_rate


def test_defaults_keep_data_under_var(tmp_path) -> None:
    settings = load({}, tmp_path)
    assert settings == Settings()
    assert settings.store_dir == Path("var/store")
    assert settings.uploads_dir == Path("var/uploads")
    assert settings.key_path == Path("var/secrets/data.key")
    assert settings.rate == (10, 60.0)
    assert settings.max_body_mb == 20


def test_the_environment_overrides_the_settings_file(tmp_path) -> None:
    (tmp_path / "ipps.toml").write_text(
        'data_dir = "/srv/ipps"\nrate_limit = "5/second"\nmax_body_mb = 50\n'
        'allowed_origins = ["https://zwfw.example.gov.cn"]\n',
        encoding="utf-8",
    )
    from_file = load({}, tmp_path)
    assert from_file.data_dir == Path("/srv/ipps")
    assert from_file.rate == (5, 1.0)
    assert from_file.max_body_mb == 50
    assert from_file.allowed_origins == ("https://zwfw.example.gov.cn",)
    environ = {
        "IPPS_DATA_DIR": "/data",
        "IPPS_RATE_LIMIT": "0",
        "IPPS_MAX_BODY_MB": "8",
        "IPPS_ALLOWED_ORIGINS": "https://a.example, https://b.example",
    }
    settings = load(environ, tmp_path)
    assert settings.data_dir == Path("/data")
    assert settings.store_dir == Path("/data/store")
    assert settings.rate is None
    assert settings.max_body_mb == 8
    assert settings.allowed_origins == ("https://a.example", "https://b.example")


def test_ipps_settings_names_another_file(tmp_path) -> None:
    other = tmp_path / "production.toml"
    other.write_text('key_file = "/etc/ipps/data.key"\n', encoding="utf-8")
    assert load({"IPPS_SETTINGS": str(other)}, tmp_path).key_path == Path("/etc/ipps/data.key")
    with pytest.raises(SettingsError, match="不存在"):
        load({"IPPS_SETTINGS": str(tmp_path / "missing.toml")}, tmp_path)


@pytest.mark.parametrize(
    ("file_text", "environ", "expected"),
    [
        ("", {"IPPS_RATE_LIMIT": "ten a minute"}, "rate_limit"),
        ("", {"IPPS_MAX_BODY_MB": "lots"}, "max_body_mb"),
        ("", {"IPPS_MAX_BODY_MB": "0"}, "max_body_mb"),
        ("rate_limt = '1/second'\n", {}, "rate_limt"),
        ("data_dir = \n", {}, "格式错误"),
    ],
)
def test_bad_settings_are_named(tmp_path, file_text: str, environ: dict, expected: str) -> None:
    (tmp_path / "ipps.toml").write_text(file_text, encoding="utf-8")
    with pytest.raises(SettingsError, match=expected):
        load(environ, tmp_path)


@pytest.mark.parametrize(
    ("text", "rate"),
    [("10/minute", (10, 60.0)), ("5 / second", (5, 1.0)), ("100/hour", (100, 3600.0)), ("0", None)],
)
def test_rates(text: str, rate) -> None:
    assert parse_rate(text) == rate
