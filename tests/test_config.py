"""Settings: the layer order, the checks on every layer, and the diagnostics report."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from returnsdesk.config import (
    SYSTEM_CONFIG_ENV,
    USER_CONFIG_ENV,
    Settings,
    load_settings,
    settings_report,
)
from returnsdesk.domain.errors import ConfigError

# Switches both files off, so no test reads the machine's own /etc or user config.
NO_FILES = {SYSTEM_CONFIG_ENV: "", USER_CONFIG_ENV: ""}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def system_file(tmp_path: Path) -> Path:
    return tmp_path / "system" / "config.toml"


@pytest.fixture
def user_file(tmp_path: Path) -> Path:
    path = tmp_path / "user" / "config.toml"
    path.parent.mkdir()
    return path


def load_file(path: Path, text: str) -> Settings:
    """Settings from one file as the system layer, with no other layer."""
    write(path, text)
    return load_settings(environ={**NO_FILES, SYSTEM_CONFIG_ENV: str(path)})


def test_defaults_when_no_layer_sets_anything() -> None:
    settings = load_settings(environ=NO_FILES)

    assert settings == Settings()
    assert settings.station.code == "STATION-01"
    assert settings.database.url is None
    assert settings.scanner.max_gap_ms == 50
    assert settings.scanner.rma_prefixes == ("RMA-",)
    assert settings.scanner.order_prefixes == ("#", "ORD-", "SO-", "WEB-")
    assert settings.ui.sounds is True
    assert settings.logging.level == "INFO"
    assert settings.order_system.kind == "none"
    assert settings.sources == ()


def test_layers_override_in_order_system_user_env_overrides(
    tmp_path: Path, user_file: Path
) -> None:
    system_file = write(
        tmp_path / "system.toml",
        '[station]\ncode = "SYS"\nname = "Dock 3"\n'
        "[scanner]\nmax_gap_ms = 60\nmin_length = 5\nmax_length = 60\n"
        "[ui]\nfont_scale = 1.25\n",
    )
    write(user_file, '[station]\ncode = "USER"\n[scanner]\nmax_gap_ms = 70\nmin_length = 6\n')
    environ = {
        SYSTEM_CONFIG_ENV: str(system_file),
        USER_CONFIG_ENV: str(user_file),
        "RETURNSDESK_SCANNER_MAX_GAP_MS": "80",
        "RETURNSDESK_SCANNER_MIN_LENGTH": "7",
        "PATH": "/usr/bin",  # variables without our prefix are not settings
    }

    settings = load_settings(environ=environ, overrides={"scanner.max_gap_ms": 90})

    assert settings.station.name == "Dock 3"  # system only
    assert settings.scanner.max_length == 60  # system only
    assert settings.ui.font_scale == 1.25  # system only
    assert settings.station.code == "USER"  # user beats system
    assert settings.scanner.min_length == 7  # environment beats user
    assert settings.scanner.max_gap_ms == 90  # command line beats everything
    assert settings.sources == (
        str(system_file),
        str(user_file),
        "RETURNSDESK_SCANNER_MAX_GAP_MS",
        "RETURNSDESK_SCANNER_MIN_LENGTH",
        "command line",
    )


def test_a_file_named_by_variable_must_exist(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"

    with pytest.raises(ConfigError) as error:
        load_settings(environ={**NO_FILES, USER_CONFIG_ENV: str(missing)})

    assert str(error.value) == f"{missing}: file not found"


def test_an_empty_file_contributes_nothing(system_file: Path) -> None:
    system_file.parent.mkdir()

    assert load_file(system_file, "") == Settings()


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[station]\ncode = 123", "station.code: must be text, not 123"),
        ('[station]\ncode = "   "', "station.code: must not be empty"),
        ('[scanner]\nmax_gap_ms = "fast"', "scanner.max_gap_ms: must be an integer, not 'fast'"),
        ("[scanner]\nmin_length = true", "scanner.min_length: must be an integer, not True"),
        ("[scanner]\nmax_length = 8.5", "scanner.max_length: must be an integer, not 8.5"),
        ("[scanner]\nmax_gap_ms = 0", "scanner.max_gap_ms: must be at least 1, not 0"),
        (
            '[scanner]\nrma_prefixes = "RMA-"',
            "scanner.rma_prefixes: must be a list of text, not 'RMA-'",
        ),
        (
            '[scanner]\norder_prefixes = ["#", ""]',
            "scanner.order_prefixes: must not contain empty text",
        ),
        ('[ui]\nsounds = "yes"', "ui.sounds: must be true or false, not 'yes'"),
        ("[ui]\nfont_scale = 5.0", "ui.font_scale: must be at most 3.0, not 5.0"),
        ("[ui]\nfont_scale = 0.1", "ui.font_scale: must be at least 0.5, not 0.1"),
        ("[ui]\nfont_scale = nan", "ui.font_scale: must be at least 0.5, not nan"),
        (
            '[logging]\nlevel = "LOUD"',
            "logging.level: must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, not 'LOUD'",
        ),
        ("[policies]\ndirectory = 5", "policies.directory: must be a folder path, not 5"),
        (
            '[order_system]\nkind = "magento"',
            "order_system.kind: must be one of none, oscar, shopify, not 'magento'",
        ),
        ('station = "STATION-02"', "station: must be a table ([station])"),
    ],
)
def test_every_invalid_value_names_the_file_and_the_key(
    system_file: Path, toml: str, message: str
) -> None:
    system_file.parent.mkdir()

    with pytest.raises(ConfigError) as error:
        load_file(system_file, toml)

    assert str(error.value) == f"{system_file}: {message}"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[scanner]\nmaxgap = 10", "unknown key scanner.maxgap (did you mean max_gap_ms?)"),
        ("[scaner]\nmax_gap_ms = 10", "unknown section [scaner] (did you mean scanner?)"),
        # The right key in the wrong section points to where it belongs.
        (
            "[station]\nmax_gap_ms = 10",
            "unknown key station.max_gap_ms (did you mean scanner.max_gap_ms?)",
        ),
        ("[station]\ncolour = 1", "unknown key station.colour (known: code, name)"),
    ],
)
def test_unknown_keys_are_rejected_with_a_suggestion(
    system_file: Path, toml: str, message: str
) -> None:
    system_file.parent.mkdir()

    with pytest.raises(ConfigError) as error:
        load_file(system_file, toml)

    assert str(error.value) == f"{system_file}: {message}"


def test_invalid_toml_names_the_file(system_file: Path) -> None:
    system_file.parent.mkdir()

    with pytest.raises(ConfigError, match="not valid TOML") as error:
        load_file(system_file, "[station\ncode = 1")

    assert str(error.value).startswith(f"{system_file}: ")


def test_a_token_in_a_file_is_refused_and_points_to_the_keyring(system_file: Path) -> None:
    system_file.parent.mkdir()

    with pytest.raises(ConfigError) as in_file:
        load_file(system_file, '[order_system]\ntoken = "abc"')

    assert str(in_file.value).startswith(f"{system_file}: order_system.token: ")
    assert "OS keyring" in str(in_file.value)


def test_the_relay_token_variable_is_no_setting_and_never_stored() -> None:
    # A headless relay reads RETURNSDESK_ORDER_SYSTEM_TOKEN itself; settings never hold it.
    settings = load_settings(environ={**NO_FILES, "RETURNSDESK_ORDER_SYSTEM_TOKEN": "abc"})

    assert "abc" not in repr(settings)
    assert not any("TOKEN" in source for source in settings.sources)


@pytest.mark.parametrize(
    ("variable", "text", "attribute", "expected"),
    [
        ("RETURNSDESK_UI_SOUNDS", "false", ("ui", "sounds"), False),
        ("RETURNSDESK_UI_SOUNDS", "True", ("ui", "sounds"), True),
        ("RETURNSDESK_UI_SOUNDS", "0", ("ui", "sounds"), False),
        ("RETURNSDESK_UI_FONT_SCALE", "1.5", ("ui", "font_scale"), 1.5),
        ("RETURNSDESK_UI_FONT_SCALE", "2", ("ui", "font_scale"), 2.0),
        ("RETURNSDESK_SCANNER_MAX_GAP_MS", " 35 ", ("scanner", "max_gap_ms"), 35),
        (
            "RETURNSDESK_SCANNER_RMA_PREFIXES",
            "RMA-, RET-",
            ("scanner", "rma_prefixes"),
            ("RMA-", "RET-"),
        ),
        ("RETURNSDESK_SCANNER_ORDER_PREFIXES", "", ("scanner", "order_prefixes"), ()),
        ("RETURNSDESK_LOGGING_LEVEL", "debug", ("logging", "level"), "DEBUG"),
        ("RETURNSDESK_ORDER_SYSTEM_KIND", "none", ("order_system", "kind"), "none"),
        ("RETURNSDESK_STATION_CODE", "STATION-07", ("station", "code"), "STATION-07"),
        ("RETURNSDESK_DATABASE_URL", "sqlite:///x.db", ("database", "url"), "sqlite:///x.db"),
    ],
)
def test_environment_strings_are_parsed_into_the_setting_type(
    variable: str, text: str, attribute: tuple[str, str], expected: object
) -> None:
    settings = load_settings(environ={**NO_FILES, variable: text})

    section, key = attribute
    value = getattr(getattr(settings, section), key)
    assert value == expected
    assert type(value) is type(expected)
    assert settings.sources == (variable,)


def test_an_empty_variable_unsets_an_optional_value_from_a_file(system_file: Path) -> None:
    system_file.parent.mkdir()
    write(system_file, '[database]\nurl = "postgresql://db.example/returns"\n')

    settings = load_settings(
        environ={**NO_FILES, SYSTEM_CONFIG_ENV: str(system_file), "RETURNSDESK_DATABASE_URL": ""}
    )

    assert settings.database.url is None


@pytest.mark.parametrize(
    ("variable", "text", "message"),
    [
        ("RETURNSDESK_UI_SOUNDS", "maybe", "ui.sounds: must be true or false, not 'maybe'"),
        (
            "RETURNSDESK_SCANNER_MIN_LENGTH",
            "four",
            "scanner.min_length: must be an integer, not 'four'",
        ),
        ("RETURNSDESK_UI_FONT_SCALE", "big", "ui.font_scale: must be a number, not 'big'"),
        ("RETURNSDESK_STATION_CODE", "", "station.code: must not be empty"),
        (
            "RETURNSDESK_DATABSE_URL",
            "x",
            "unknown variable (did you mean RETURNSDESK_DATABASE_URL?)",
        ),
    ],
)
def test_every_invalid_variable_names_the_variable_and_the_key(
    variable: str, text: str, message: str
) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(environ={**NO_FILES, variable: text})

    assert str(error.value) == f"{variable}: {message}"


def test_overrides_take_dotted_keys_typed_or_as_text_and_skip_none() -> None:
    settings = load_settings(
        environ={**NO_FILES, "RETURNSDESK_STATION_CODE": "FROM-ENV"},
        overrides={"station.code": None, "ui.sounds": "off", "scanner.min_length": 3},
    )

    assert settings.station.code == "FROM-ENV"  # None means "option not given"
    assert settings.ui.sounds is False
    assert settings.scanner.min_length == 3


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"scanner.min_length": 2.5}, "scanner.min_length: must be an integer, not 2.5"),
        ({"scanner.max_gap": 10}, "unknown key scanner.max_gap (did you mean max_gap_ms?)"),
        ({"ui": True}, "ui: expected a key like ui.sounds"),
        ({"uix.sounds": True}, "unknown section [uix] (did you mean ui?)"),
    ],
)
def test_invalid_overrides_name_the_command_line_and_the_key(
    overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(environ=NO_FILES, overrides=overrides)

    assert str(error.value) == f"command line: {message}"


def test_min_length_above_max_length_names_both_sources(system_file: Path) -> None:
    system_file.parent.mkdir()
    write(system_file, "[scanner]\nmax_length = 10\n")

    with pytest.raises(ConfigError) as error:
        load_settings(
            environ={
                **NO_FILES,
                SYSTEM_CONFIG_ENV: str(system_file),
                "RETURNSDESK_SCANNER_MIN_LENGTH": "12",
            }
        )

    assert str(error.value) == (
        "RETURNSDESK_SCANNER_MIN_LENGTH: scanner.min_length: 12 exceeds scanner.max_length 10"
        f" (from {system_file})"
    )


def test_an_order_system_kind_needs_a_url() -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(environ={**NO_FILES, "RETURNSDESK_ORDER_SYSTEM_KIND": "oscar"})

    assert str(error.value) == (
        "RETURNSDESK_ORDER_SYSTEM_KIND: order_system.url: "
        "required when order_system.kind is 'oscar'"
    )


def test_relative_paths_in_a_file_are_relative_to_that_file(system_file: Path) -> None:
    system_file.parent.mkdir()

    settings = load_file(system_file, '[policies]\ndirectory = "policies"\n')

    assert settings.policies.directory == system_file.parent / "policies"


def test_paths_from_variables_are_made_absolute(tmp_path: Path) -> None:
    settings = load_settings(
        environ={**NO_FILES, "RETURNSDESK_LOGGING_DIRECTORY": str(tmp_path / "logs")}
    )

    assert settings.logging.directory == tmp_path / "logs"
    assert settings.logging.directory.is_absolute()


def test_settings_are_frozen() -> None:
    settings = Settings()

    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.station.code = "OTHER"  # type: ignore[misc]


def test_report_lists_sources_and_values_and_hides_passwords() -> None:
    settings = load_settings(
        environ={
            **NO_FILES,
            "RETURNSDESK_DATABASE_URL": "postgresql://returns:s3cret@db.example/returns?sslmode=require",
            "RETURNSDESK_ORDER_SYSTEM_KIND": "shopify",
            "RETURNSDESK_ORDER_SYSTEM_URL": "https://shop.example/?api_key=k3y",
        }
    )

    report = settings_report(settings)

    assert report.startswith("Settings from: defaults, RETURNSDESK_DATABASE_URL, ")
    assert "[scanner]\nmax_gap_ms = 50\n" in report
    assert 'rma_prefixes = ["RMA-"]' in report
    assert "sounds = true" in report
    assert "directory = (not set: bundled defaults)" in report
    assert 'url = "postgresql://returns:***@db.example/returns?sslmode=require"' in report
    assert 'url = "https://shop.example/?api_key=***"' in report
    assert "OS keyring" in report
    for secret in ("s3cret", "k3y"):
        assert secret not in report
    assert "s3cret" not in repr(settings)  # settings get logged and land in crash reports


def test_the_variables_ci_exports_are_not_taken_for_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # CI's own switches must not make every command refuse its settings as unknown keys.
    ci_script = (Path(__file__).parents[1] / ".ci" / "run").read_text(encoding="utf-8")
    exported = re.findall(r"^export (RETURNSDESK_\w+)=(\S+)$", ci_script, flags=re.MULTILINE)
    assert len(exported) >= 2
    for name, value in exported:
        monkeypatch.setenv(name, value)
    load_settings()
