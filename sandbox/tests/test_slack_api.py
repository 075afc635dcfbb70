"""The Slack Web API stand-in over real HTTP: auth errors, chat.postMessage, recorded messages."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from fernway_sandbox.services.slack import channel_id

TOKEN = {"Authorization": "Bearer xoxb-sandbox"}
CLOCK = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)


@pytest.fixture
def slack(sandbox_factory):
    sandbox = sandbox_factory(services=("slack",), clock=CLOCK)
    with httpx.Client(base_url=sandbox.urls["slack"] + "/api/") as http:
        yield sandbox, http


def test_post_message_answers_like_slack_and_is_recorded(slack):
    sandbox, http = slack
    response = http.post(
        "chat.postMessage", json={"channel": "#data-alerts", "text": "Run failed"}, headers=TOKEN
    )
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["channel"] == "C1F18864204"  # stable: the same id in every run and sandbox
    assert body["ts"] == f"{int(CLOCK.timestamp())}.000001"
    assert body["message"]["text"] == "Run failed"
    assert body["message"]["ts"] == body["ts"]
    assert body["message"]["type"] == "message"
    [recorded] = sandbox.slack_messages
    assert recorded["text"] == "Run failed"
    assert recorded["channel_name"] == "#data-alerts"
    assert recorded["ts"] == body["ts"]


def test_form_bodies_and_json_blocks_are_accepted_and_ts_values_are_unique(slack):
    sandbox, http = slack
    blocks = '[{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]'
    first = http.post(
        "chat.postMessage", data={"channel": "C0123456789", "blocks": blocks}, headers=TOKEN
    ).json()
    second = http.post(
        "chat.postMessage", data={"channel": "#ops", "text": "x", "token": "xoxb-sandbox"}
    ).json()
    assert first["ok"] is True
    assert second["ok"] is True
    assert first["channel"] == "C0123456789"
    assert first["message"]["blocks"][0]["text"]["text"] == "*hi*"
    assert first["ts"] < second["ts"]
    assert [m["channel_name"] for m in sandbox.slack_messages] == ["C0123456789", "#ops"]


@pytest.mark.parametrize(
    ("headers", "error"),
    [
        ({}, "not_authed"),
        ({"Authorization": "Bearer xoxb-wrong"}, "invalid_auth"),
        ({"Authorization": "xoxb-sandbox"}, "invalid_auth"),
    ],
)
def test_missing_or_wrong_tokens_get_http_200_with_slack_errors(slack, headers, error):
    sandbox, http = slack
    for method in ("chat.postMessage", "auth.test"):
        response = http.post(method, json={"channel": "#x", "text": "t"}, headers=headers)
        assert response.status_code == 200
        assert response.json() == {"ok": False, "error": error}
    assert sandbox.slack_messages == []


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({"text": "no channel"}, "channel_not_found"),
        ({"channel": "", "text": "empty channel"}, "channel_not_found"),
        ({"channel": "#x"}, "no_text"),
        ({"channel": "#x", "text": "a" * 40_001}, "msg_too_long"),
    ],
)
def test_invalid_messages_get_slack_errors_and_are_not_recorded(slack, payload, error):
    sandbox, http = slack
    response = http.post("chat.postMessage", json=payload, headers=TOKEN)
    assert (response.status_code, response.json()) == (200, {"ok": False, "error": error})
    assert sandbox.slack_messages == []


def test_messages_can_be_read_back_over_http_per_channel(slack):
    _, http = slack
    for channel, text in (("#a", "one"), ("#b", "two"), ("#a", "three")):
        http.post("chat.postMessage", json={"channel": channel, "text": text}, headers=TOKEN)
    everything = http.get("_sandbox/messages").json()["messages"]
    assert [m["text"] for m in everything] == ["one", "two", "three"]
    by_name = http.get("_sandbox/messages", params={"channel": "#a"}).json()["messages"]
    by_id = http.get("_sandbox/messages", params={"channel": channel_id("#a")}).json()["messages"]
    assert [m["text"] for m in by_name] == [m["text"] for m in by_id] == ["one", "three"]


def test_auth_test_identifies_the_bot(slack):
    _, http = slack
    body = http.post("auth.test", headers=TOKEN).json()
    assert body["ok"] is True
    assert {"team_id", "user_id", "bot_id", "url"} <= set(body)


def test_unknown_methods_and_bad_json_are_reported(slack):
    _, http = slack
    unknown = http.post("chat.unknown", headers=TOKEN)
    assert unknown.json() == {"ok": False, "error": "unknown_method", "req_method": "chat.unknown"}
    bad = http.post(
        "chat.postMessage", content=b"{nope", headers={**TOKEN, "Content-Type": "application/json"}
    )
    assert bad.json() == {"ok": False, "error": "invalid_json"}


def test_env_points_slack_clients_at_the_api_with_the_token(sandbox_factory):
    sandbox = sandbox_factory(services=("slack",), slack_token="xoxb-other")
    env = sandbox.env()
    assert env["FERNWAY_SLACK_BASE_URL"] == sandbox.urls["slack"] + "/api/"
    assert env["FERNWAY_SLACK_TOKEN"] == "xoxb-other"
    response = httpx.post(
        env["FERNWAY_SLACK_BASE_URL"] + "auth.test",
        headers={"Authorization": f"Bearer {env['FERNWAY_SLACK_TOKEN']}"},
    )
    assert response.json()["ok"] is True
