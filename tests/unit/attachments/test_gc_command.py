"""``tadqiq attachments gc`` arguments: a number of days is whole, positive and in ASCII digits."""

from __future__ import annotations

import pytest

from server.cli import main


@pytest.mark.parametrize("days", ["0", "٣", "-1", "two", "1.5"])
def test_gc_refuses_days_that_are_not_a_whole_positive_number(
    days: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["attachments", "gc", "--days", days])
    assert exited.value.code == 2
    assert "--days" in capsys.readouterr().err


def test_gc_refuses_a_setting_below_one_day(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TADQIQ_ATTACHMENT_GC_DAYS", "0")
    assert main(["attachments", "gc", "--dry-run"]) == 2
    assert "TADQIQ_ATTACHMENT_GC_DAYS" in capsys.readouterr().err
