"""`make staff-user`: accounts in either role, non-interactively from the environment."""

import pytest
from django.core.management import CommandError, call_command

from staff.escalations.roles import ROLE_PERMISSIONS


def test_creates_a_staff_account_from_the_environment(db, monkeypatch, capsys):
    from django.contrib.auth import get_user_model

    monkeypatch.setenv("STAFF_USERNAME", "front.desk")
    monkeypatch.setenv("STAFF_PASSWORD", "a-long-enough-secret-7")
    call_command("staffuser")
    user = get_user_model().objects.get(username="front.desk")
    assert user.check_password("a-long-enough-secret-7") and not user.is_staff
    assert user.has_perm("escalations.work_escalation") and not user.has_perm("escalations.view_auditentry")
    assert "created staff account front.desk" in capsys.readouterr().out


def test_creates_an_admin_account(db, monkeypatch):
    from django.contrib.auth import get_user_model

    monkeypatch.setenv("STAFF_PASSWORD", "a-long-enough-secret-7")
    call_command("staffuser", "--username", "lead", "--role", "admin")
    user = get_user_model().objects.get(username="lead")
    assert user.is_staff and all(user.has_perm(name) for name in ROLE_PERMISSIONS["admin"])


def test_refuses_weak_passwords_duplicates_and_missing_values(db, monkeypatch):
    monkeypatch.setenv("STAFF_PASSWORD", "short")
    with pytest.raises(CommandError, match="too short"):
        call_command("staffuser", "--username", "weak")
    monkeypatch.setenv("STAFF_PASSWORD", "a-long-enough-secret-7")
    call_command("staffuser", "--username", "twice")
    with pytest.raises(CommandError, match="already exists"):
        call_command("staffuser", "--username", "twice")
    monkeypatch.delenv("STAFF_PASSWORD")
    with pytest.raises(CommandError, match="STAFF_PASSWORD"):
        call_command("staffuser", "--username", "nopass")


def test_asks_in_a_terminal(db, monkeypatch):
    from django.contrib.auth import get_user_model

    answers = iter(["a-long-enough-secret-7", "a-long-enough-secret-7"])
    monkeypatch.delenv("STAFF_USERNAME", raising=False)
    monkeypatch.delenv("STAFF_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "asked.user")
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    call_command("staffuser")
    assert get_user_model().objects.get(username="asked.user").check_password("a-long-enough-secret-7")
