"""Mentions per network (herald.text.mentions) and LinkedIn's little format (herald.text.linkedin)."""

from __future__ import annotations

import pytest

from herald.posts.model import Mention
from herald.text import linkedin
from herald.text.mentions import handle_problem, render, usable_handle

HERALD = Mention(default="herald", handles={"x": "herald_hq", "bluesky": "herald.bsky.social",
                                            "linkedin": "urn:li:organization:1337", "mastodon": "herald@mastodon.social"},
                 name="Herald Inc")


def test_the_default_written_in_the_text_becomes_each_networks_mention() -> None:
    text = "Thanks @herald for the launch!"
    assert render(text, [HERALD], "x")[0] == "Thanks @herald_hq for the launch!"
    assert render(text, [HERALD], "bluesky")[0] == "Thanks @herald.bsky.social for the launch!"
    assert render(text, [HERALD], "mastodon")[0] == "Thanks @herald@mastodon.social for the launch!"
    shown, mentioned = render(text, [HERALD], "linkedin")
    assert shown == "Thanks @[Herald Inc](urn:li:organization:1337) for the launch!"
    assert [(m.text, m.ref, m.name) for m in mentioned] == [
        ("@[Herald Inc](urn:li:organization:1337)", "urn:li:organization:1337", "Herald Inc")]
    # No handle of its own: the default is used where it is a valid handle.
    assert render(text, [HERALD], "threads")[0] == text


def test_a_sentence_may_end_after_the_mention_but_a_longer_handle_is_not_it() -> None:
    assert render("Hi @herald.", [HERALD], "x")[0] == "Hi @herald_hq."
    assert render("Hi @heraldry and me@herald.com", [HERALD], "x")[0] == "Hi @heraldry and me@herald.com\n\n@herald_hq"
    assert render("Hi @HERALD", [HERALD], "x")[0] == "Hi @herald_hq"


def test_mentions_not_in_the_text_are_appended_once() -> None:
    alice = Mention(default="alice")
    text, mentioned = render("Launch day", [HERALD, alice], "x")
    assert text == "Launch day\n\n@herald_hq @alice"
    assert [m.text for m in mentioned] == ["@herald_hq", "@alice"]
    assert render("", [alice], "x")[0] == "@alice"
    assert render("Launch day", [alice], "x", append_missing=False)[0] == "Launch day"
    assert render("cc @alice", [alice], "x")[0] == "cc @alice"


def test_a_default_that_is_no_handle_on_a_network_is_left_out_there() -> None:
    alice = Mention(default="alice")
    assert usable_handle(alice, "bluesky") is None  # a Bluesky handle is a domain name
    assert usable_handle(alice, "linkedin") is None  # a LinkedIn mention is an URN
    assert render("Hi @alice", [alice], "bluesky")[0] == "Hi @alice"
    assert render("Hi", [alice], "bluesky")[0] == "Hi"


@pytest.mark.parametrize(
    ("network", "handle", "ok"),
    [
        ("x", "jack", True), ("x", "@jack", True), ("x", "a_very_long_handle", False), ("x", "jack.dorsey", False),
        ("bluesky", "jay.bsky.team", True), ("bluesky", "jay", False), ("bluesky", "-jay.bsky.team", False),
        ("mastodon", "Gargron@mastodon.social", True), ("mastodon", "Gargron", True),
        ("instagram", "nasa.gov_", True), ("threads", "zuck", True), ("telegram", "durov", True),
        ("telegram", "abc", False), ("linkedin", "urn:li:person:A1b2_c3", True), ("linkedin", "satya", False),
        (None, "herald", True), (None, "her ald", False),
    ],
)
def test_handle_syntax_per_network(network: str | None, handle: str, ok: bool) -> None:
    assert (handle_problem(network, handle) is None) is ok


def test_linkedin_commentary_escapes_reserved_characters_outside_mentions_hashtags_and_urls() -> None:
    annotation = "@[Herald Inc](urn:li:organization:1337)"
    text = f"Big news (really) from {annotation}: see https://ex.com/a_(b)#top #launch *now* ~ <3 | {{x}} \\ [y] a_b"
    assert linkedin.commentary(text, [annotation]) == (
        f"Big news \\(really\\) from {annotation}: see https://ex.com/a_(b)#top #launch \\*now\\* \\~ \\<3 \\| "
        "\\{x\\} \\\\ \\[y\\] a\\_b"
    )
    # A typed annotation that Herald did not render is text, and escaped as such.
    assert linkedin.commentary("@[Eve](urn:li:person:1)") == "\\@\\[Eve\\]\\(urn:li:person:1\\)"
