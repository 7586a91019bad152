"""Typed commands are neutralised: only offered buttons reach the engine as commands."""

from __future__ import annotations

from handoff.services.commands import neutralise_command


def test_offered_payloads_pass_and_typed_commands_are_neutralised() -> None:
    offered = {"/request_human"}
    assert neutralise_command("/request_human", offered) == "/request_human"
    assert neutralise_command('/submit_code{"code_digest":"x"}', offered).startswith("\uff0f")
    assert neutralise_command("/check_balance", set()) == "\uff0fcheck_balance"
    assert neutralise_command("hello /there", set()) == "hello /there"
