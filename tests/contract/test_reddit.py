"""RedditPlatform against the recorded Reddit API exchanges (the simulator's recordings/reddit.json,
from Reddit's API reference and OAuth2 wiki, and PRAW for the undocumented media upload), step by
step: every request's method, URL, query, form, bearer token or Basic credentials and User-Agent."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from scripted_http import Exchange, Script

from herald.platforms.base import (
    OUTCOME_UNKNOWN_CODES,
    AppCredentials,
    Credentials,
    ErrorClass,
    LinkPreview,
    MediaItem,
    PlatformError,
    PostContent,
    PublishedPost,
    ReconcileOutcome,
)
from herald.platforms.reddit import (
    DEFAULT_RATELIMIT_WAIT,
    LISTING_MAX_PAGES,
    MEDIA_POLL_SECONDS,
    MEDIA_POLLS,
    SCOPES,
    RedditPlatform,
    subreddit_name,
)
from herald.platforms.simulators.reddit import recordings
from support.clock import FakeClock

NOW = datetime(2030, 1, 7, 9, 0, 0, tzinfo=UTC)
APP = AppCredentials(client_id="p-jcoLKBynTLew", client_secret="gko_LXELoV07ZBNUXrvWZfzE3aI")
ACCESS = ("eyJhbGciOiJSUzI1NiIsImtpZCI6IlNIQTI1NjpzS3dsMnlsV0VtMjVmcXhwTU40cWY4MXE2OWFFdWFyMnpLMUdhVGxjdWNZIiwidHlwIjoi"
          "SldUIn0.accessOne")
REFRESH = "1234567890-R3fr3shT0k3nExamplE"
TOKENS = {"access_token": ACCESS, "refresh_token": REFRESH, "username": "herald_bot", "user_id": "t2_9k2x7q1",
          "scope": "edit flair history identity read submit"}
CREDENTIALS = Credentials(account_id="acc_rd", username="herald_bot", tokens=TOKENS, expires_at=NOW)
UA = "server:herald.p-jcoLKBynTLew:v0.1.0 (by /u/herald_bot)"
UA_CONNECT = "server:herald.p-jcoLKBynTLew:v0.1.0"
REDIRECT_URI = "https://herald.example.com/v1/oauth/reddit/callback"
S3 = "https://reddit-uploaded-media.s3-accelerate.amazonaws.com"
FLAIR = "a1b2c3d4-0000-11ee-8a3c-0e1f2a3b4c5d"
OPTIONS = {"subreddit": "Python", "flair_id": FLAIR}
TITLE = "Herald 1.0 is out"
TEXT = "Self-hosted publishing for **every** network."
SELF_POST = PublishedPost("t3_1abc2de", "https://www.reddit.com/r/Python/comments/1abc2de/herald_10_is_out/")
IMAGE = MediaItem("https://media.example.com/launch.png", "image", mime="image/png")
VIDEO = MediaItem("https://media.example.com/demo.mp4", "video", mime="video/mp4")
POSTER_URL = "https://media.example.com/poster.png"
NOW_TS = int(NOW.timestamp())
COMMENT = "Changelog: https://herald.example.com/changelog"


def recorded(name: str, **changes: Any) -> Exchange:
    """The recorded exchange `name` as a scripted one: the exact request the adapter must send
    (method, URL, query, form, Authorization and User-Agent) and the recorded answer."""
    entry = recordings()[name]
    request, response = entry["request"], entry["response"]
    exchange = Exchange(
        request["method"],
        request["url"],
        status=response["status"],
        body=response["body"],
        headers=response.get("headers", {}),
        params=[(key, value) for key, value in request["params"]] if "params" in request else None,
        form=request.get("form"),
        request_headers={"authorization": None, **request.get("headers", {})},
    )
    return dataclasses.replace(exchange, **changes)


def body_of(name: str) -> Any:
    return recordings()[name]["response"]["body"]


def form_of(name: str, **changes: str | None) -> dict[str, str]:
    form = {**recordings()[name]["request"]["form"], **changes}
    return {key: value for key, value in form.items() if value is not None}


class Files:
    """A media source over fixed bytes per URL; remembers what was read."""

    def __init__(self, files: dict[str, bytes] | None = None) -> None:
        self.files = files or {}
        self.read_urls: list[str] = []

    def read(self, item: MediaItem) -> bytes:
        self.read_urls.append(item.url)
        return self.files.get(item.url, b"\x89PNG\r\n\x1a\n" + bytes(32))

    def chunks(self, item: MediaItem, chunk_size: int) -> Iterator[bytes]:
        data = self.read(item)
        yield from (data[start : start + chunk_size] for start in range(0, len(data), chunk_size))


def reddit_for(script: Script, clock: FakeClock, credentials: Credentials = CREDENTIALS,
               media: Files | None = None, app: AppCredentials | None = APP) -> RedditPlatform:
    return RedditPlatform(script.client(), credentials, app=app, media=media or Files(), clock=clock)


def rules(about: dict[str, Any] | None = None, requirements: dict[str, Any] | None = None,
          subreddit: str = "Python") -> list[Exchange]:
    """The about page and post requirements of a subreddit, changed as given."""
    about_body = body_of("subreddit_about")
    about_body = {**about_body, "data": {**about_body["data"], "display_name": subreddit, **(about or {})}}
    return [
        recorded("subreddit_about", url=f"https://oauth.reddit.com/r/{subreddit}/about", body=about_body),
        recorded("post_requirements", url=f"https://oauth.reddit.com/api/v1/{subreddit}/post_requirements",
                 body={**body_of("post_requirements"), **(requirements or {})}),
    ]


def lease(asset_id: str, filepath: str, mime: str) -> Exchange:
    body = body_of("media_asset")
    fields = [{**f, "value": {"key": f"rte_images/{asset_id}", "content-type": mime}.get(f["name"], f["value"])}
              for f in body["args"]["fields"]]
    answer = {"args": {**body["args"], "fields": fields}, "asset": {**body["asset"], "asset_id": asset_id}}
    return recorded("media_asset", form={"filepath": filepath, "mimetype": mime}, body=answer)


def uploaded(asset_id: str) -> Exchange:
    return recorded("media_upload", body=body_of("media_upload").replace("k3x9q2w1e8r", asset_id))


def listing(*items: dict[str, Any], after: str | None = None, where: str = "submitted",
            page_after: str | None = None) -> Exchange:
    exchange = recorded("user_comments" if where == "comments" else "user_submitted")
    kind = "t1" if where == "comments" else "t3"
    body = {"kind": "Listing", "data": {"after": after, "dist": len(items), "modhash": "", "before": None,
                                        "children": [{"kind": kind, "data": item} for item in items]}}
    params = [*exchange.params, ("after", page_after)] if page_after else exchange.params
    return dataclasses.replace(exchange, body=body, params=params)


def listed(name: str, title: str = TITLE, created: float = NOW_TS - 60, **extra: Any) -> dict[str, Any]:
    post_id = name.removeprefix("t3_")
    return {"name": name, "id": post_id, "title": title, "subreddit": "Python", "created_utc": float(created),
            "is_self": True, "is_video": False, "domain": "self.Python", "author": "herald_bot",
            "permalink": f"/r/Python/comments/{post_id}/herald_10_is_out/", **extra}


def image_listed(name: str = "t3_1abc2dg", created: float = NOW_TS + 4) -> dict[str, Any]:
    return body_of("user_submitted")["data"]["children"][0]["data"] | {"name": name, "created_utc": float(created)}


OLD_POST = listed("t3_1abc2d0", title="Release notes", created=NOW_TS - 7200)


def multipart(request: httpx.Request) -> list[tuple[str, bytes]]:
    boundary = re.search(r"boundary=([^;]+)", request.headers["content-type"])
    assert boundary is not None
    parts = []
    for part in request.content.split(b"--" + boundary.group(1).encode())[1:-1]:
        head, _, value = part.partition(b"\r\n\r\n")
        name = re.search(rb'name="([^"]*)"', head)
        assert name is not None
        parts.append((name.group(1).decode(), value.removesuffix(b"\r\n")))
    return parts


# --- connecting ------------------------------------------------------------------------------


def test_the_authorization_url_asks_for_a_permanent_grant_without_pkce() -> None:
    url = RedditPlatform.authorization_url(APP, REDIRECT_URI, "state-123", code_challenge="challenge")

    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://www.reddit.com/api/v1/authorize"
    assert parse_qs(parts.query) == {
        "response_type": ["code"],
        "client_id": ["p-jcoLKBynTLew"],
        "redirect_uri": [REDIRECT_URI],
        "scope": ["identity submit read edit flair history"],
        "state": ["state-123"],
        "duration": ["permanent"],
    }


def test_connect_exchanges_the_code_with_the_apps_credentials_then_reads_the_account() -> None:
    script = Script(
        recorded("token_authorization_code"),
        recorded("me", request_headers={"authorization": f"bearer {ACCESS}", "user-agent": UA_CONNECT}),
    )
    before = datetime.now(UTC)

    connection = RedditPlatform.connect_with_code(script.client(), APP, "Xo5rEN3kWlq0_VFJcqIaWtQ9mYmPAw",
                                                  REDIRECT_URI, "unused-verifier")

    credentials, identity = connection.credentials, connection.identity
    assert credentials.username == "herald_bot"
    assert credentials.tokens == TOKENS
    assert credentials.expires_at is not None
    assert before + timedelta(seconds=3599) < credentials.expires_at < datetime.now(UTC) + timedelta(seconds=3601)
    assert identity.platform_user_id == "t2_9k2x7q1"
    assert identity.username == "herald_bot"
    assert identity.display_name == "Herald Bot"
    assert identity.followers == 42
    assert identity.avatar_url == body_of("me")["icon_img"]
    assert identity.permissions == ("edit", "flair", "history", "identity", "read", "submit")
    assert identity.notices == ()
    assert "code_verifier" not in script.requests[0].content.decode()
    script.assert_done()


def test_a_grant_without_a_refresh_token_is_connected_with_a_notice() -> None:
    answer = {key: value for key, value in body_of("token_authorization_code").items() if key != "refresh_token"}
    script = Script(
        recorded("token_authorization_code", body=answer),
        recorded("me", request_headers={"authorization": f"bearer {ACCESS}", "user-agent": UA_CONNECT}),
    )

    connection = RedditPlatform.connect_with_code(script.client(), APP, "Xo5rEN3kWlq0_VFJcqIaWtQ9mYmPAw",
                                                  REDIRECT_URI, None)

    assert "refresh_token" not in connection.credentials.tokens
    assert connection.identity.notices == (
        "Reddit granted no refresh token: the account must be connected again every hour.",
    )


@pytest.mark.parametrize(
    ("name", "platform_code"),
    [("token_code_refused", "200 invalid_grant"), ("token_unauthorized_client", "401")],
)
def test_a_refused_code_fails_the_connection(name: str, platform_code: str) -> None:
    script = Script(recorded(name))

    with pytest.raises(PlatformError) as refused:
        RedditPlatform.connect_with_code(script.client(), APP, "Xo5rEN3kWlq0_VFJcqIaWtQ9mYmPAw", REDIRECT_URI, None)

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "authorization_failed")
    assert refused.value.platform_code == platform_code


def test_connecting_needs_the_app_secret() -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        RedditPlatform.connect_with_code(script.client(), AppCredentials("p-jcoLKBynTLew"), "c", REDIRECT_URI, None)

    assert refused.value.code == "app_not_configured"
    assert script.requests == []


def test_identity_reads_the_account(clock: FakeClock) -> None:
    suspended = {**body_of("me"), "is_suspended": True, "subreddit": None}
    script = Script(recorded("me", body=suspended))

    identity = reddit_for(script, clock).identity()

    assert (identity.username, identity.followers, identity.display_name) == ("herald_bot", None, None)
    assert identity.notices == ("The Reddit account is suspended: Reddit refuses its posts and comments.",)


# --- refresh and revoke ----------------------------------------------------------------------


def test_refresh_gets_a_new_access_token_for_an_hour(clock: FakeClock) -> None:
    script = Script(recorded("token_refresh"))

    renewed = reddit_for(script, clock).refresh_credentials()

    assert renewed == Credentials(
        account_id="acc_rd",
        username="herald_bot",
        tokens={**TOKENS, "access_token": "eyJhbGciOiJSUzI1NiJ9.accessTwo"},
        expires_at=NOW + timedelta(hours=1),
    )
    script.assert_done()


@pytest.mark.parametrize(
    ("answer", "platform_code"),
    [
        (recorded("token_refresh_refused"), "400 invalid_grant"),
        (recorded("token_refresh", body={"error": "invalid_grant"}), "200 invalid_grant"),
    ],
    ids=["400", "200"],
)
def test_a_refused_refresh_means_reconnect(clock: FakeClock, answer: Exchange, platform_code: str) -> None:
    with pytest.raises(PlatformError) as refused:
        reddit_for(Script(answer), clock).refresh_credentials()

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.RECONNECT, "account_disconnected")
    assert refused.value.platform_code == platform_code


@pytest.mark.parametrize(
    "answer",
    [
        recorded("token_refresh", status=500, body=body_of("error_server")),
        recorded("token_refresh", status=429, body=body_of("error_too_many_requests")),
        recorded("token_refresh", raises=httpx.ConnectTimeout),
        recorded("token_refresh", body={"token_type": "bearer"}),
    ],
    ids=["500", "429", "timeout", "no-token"],
)
def test_a_refresh_that_meets_an_outage_can_be_retried(clock: FakeClock, answer: Exchange) -> None:
    with pytest.raises(PlatformError) as failed:
        reddit_for(Script(answer), clock).refresh_credentials()

    assert failed.value.error_class is ErrorClass.RETRY


def test_an_account_without_a_refresh_token_must_reconnect(clock: FakeClock) -> None:
    bare = dataclasses.replace(CREDENTIALS, tokens={"access_token": ACCESS, "username": "herald_bot"})

    with pytest.raises(PlatformError) as refused:
        reddit_for(Script(), clock, bare).refresh_credentials()

    assert refused.value.error_class is ErrorClass.RECONNECT


def test_revoke_ends_the_grant_with_the_refresh_token(clock: FakeClock) -> None:
    script = Script(recorded("revoke_token"))

    assert reddit_for(script, clock).revoke() is True
    script.assert_done()


def test_revoke_needs_the_app_secret(clock: FakeClock) -> None:
    script = Script()

    assert reddit_for(script, clock, app=AppCredentials("p-jcoLKBynTLew")).revoke() is False
    assert script.requests == []


# --- publish: text and links -----------------------------------------------------------------


def test_a_text_post_reads_the_rules_then_submits(clock: FakeClock) -> None:
    script = Script(*rules(), recorded("submit_self"))

    post = reddit_for(script, clock).publish(PostContent(text=TEXT, title=TITLE, options=OPTIONS))

    assert post == SELF_POST
    assert all(request.headers["user-agent"] == UA for request in script.requests)
    script.assert_done()


@pytest.mark.parametrize("given", ["r/Python", "/r/Python/", " Python ", "python"])
def test_the_subreddit_may_be_named_with_its_prefix(clock: FakeClock, given: str) -> None:
    asked = given.strip().strip("/").removeprefix("r/")
    about, requirements = rules()
    script = Script(
        dataclasses.replace(about, url=f"https://oauth.reddit.com/r/{asked}/about"),
        dataclasses.replace(requirements, url=f"https://oauth.reddit.com/api/v1/{asked}/post_requirements"),
        recorded("submit_self"),  # submitted to the subreddit as Reddit spells it
    )

    reddit_for(script, clock).publish(PostContent(text=TEXT, title=TITLE, options={**OPTIONS, "subreddit": given}))

    script.assert_done()


def test_a_text_that_is_only_a_url_is_a_link_post(clock: FakeClock) -> None:
    script = Script(*rules(), recorded("submit_link"))

    post = reddit_for(script, clock).publish(
        PostContent(text=" https://herald.example.com/blog/1.0\n", title=TITLE, options=OPTIONS)
    )

    assert post.platform_post_id == "t3_1abc2df"
    script.assert_done()


def test_a_link_preview_without_other_text_is_a_link_post(clock: FakeClock) -> None:
    script = Script(*rules(), recorded("submit_link"))
    link = LinkPreview(url="https://herald.example.com/blog/1.0", title="Herald 1.0")

    reddit_for(script, clock).publish(PostContent(text="", title=TITLE, options=OPTIONS, link=link))

    script.assert_done()


def test_a_link_preview_with_text_goes_at_the_end_of_a_text_post(clock: FakeClock) -> None:
    form = form_of("submit_self", text=f"{TEXT}\n\nhttps://herald.example.com/blog/1.0")
    script = Script(*rules(), recorded("submit_self", form=form))
    link = LinkPreview(url="https://herald.example.com/blog/1.0")

    reddit_for(script, clock).publish(PostContent(text=TEXT, title=TITLE, options=OPTIONS, link=link))

    script.assert_done()


def test_a_title_only_post_sends_an_empty_text(clock: FakeClock) -> None:
    script = Script(*rules(), recorded("submit_self", form=form_of("submit_self", text=None)))  # parse_qsl drops it

    reddit_for(script, clock).publish(PostContent(text="", title=TITLE, options=OPTIONS))

    assert parse_qs(script.requests[2].content.decode(), keep_blank_values=True)["text"] == [""]
    script.assert_done()


def test_the_post_options_go_into_the_submit(clock: FakeClock) -> None:
    form = form_of("submit_self", nsfw="true", spoiler="true", sendreplies="false", flair_text="Release")
    script = Script(*rules(), recorded("submit_self", form=form))
    options = {**OPTIONS, "nsfw": True, "spoiler": True, "send_replies": False, "flair_text": "Release"}

    post = reddit_for(script, clock).publish(PostContent(text=TEXT, title=TITLE, options=options))

    assert post.notices == ()
    script.assert_done()


def test_a_post_in_an_nsfw_community_is_marked_nsfw_with_a_notice(clock: FakeClock) -> None:
    script = Script(*rules(about={"over18": True}), recorded("submit_self", form=form_of("submit_self", nsfw="true")))

    post = reddit_for(script, clock).publish(PostContent(text=TEXT, title=TITLE, options=OPTIONS))

    assert post.notices == ("r/Python is an NSFW community: the post is marked NSFW.",)


def test_unknown_post_requirements_do_not_stop_the_post(clock: FakeClock) -> None:
    about, requirements = rules()
    script = Script(about, dataclasses.replace(requirements, status=404, body={"message": "Not Found", "error": 404}),
                    recorded("submit_self"))

    reddit_for(script, clock).publish(PostContent(text=TEXT, title=TITLE, options=OPTIONS))

    script.assert_done()


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (recorded("submit_self", body={"json": {"errors": [], "data": {"drafts_count": 0}}}), "platform_unavailable"),
        (recorded("submit_self", body="<html>upstream connect error</html>"), "platform_unavailable"),
        (recorded("submit_self", raises=httpx.ReadTimeout), "timeout"),
        (recorded("error_server"), "platform_unavailable"),
    ],
    ids=["no-name", "html", "timeout", "500"],
)
def test_a_submit_with_no_clear_answer_is_reconciled_before_sending_again(
    clock: FakeClock, answer: Exchange, code: str
) -> None:
    with pytest.raises(PlatformError) as failed:
        reddit_for(Script(*rules(), answer), clock).publish(PostContent(text=TEXT, title=TITLE, options=OPTIONS))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, code)
    assert code in OUTCOME_UNKNOWN_CODES


# --- publish: what is refused before anything is sent ----------------------------------------


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (PostContent(text=TEXT, options=OPTIONS), "invalid_content", "A Reddit post needs a title."),
        (PostContent(text=TEXT, title="t" * 301, options=OPTIONS), "invalid_content", "at most 300 characters"),
        (PostContent(text=TEXT, title=TITLE), "invalid_content", "set options.subreddit"),
        (PostContent(text=TEXT, title=TITLE, options={"subreddit": "no spaces"}), "invalid_content",
         "is not a subreddit name"),
        (PostContent(text=TEXT, title=TITLE, options={**OPTIONS, "flair_id": None, "flair_text": "x"}),
         "invalid_content", "options.flair_text needs options.flair_id"),
        (PostContent(text="", title=TITLE, options=OPTIONS, media=(IMAGE, IMAGE)), "media_unsupported",
         "one image or one video"),
        (PostContent(text="", title=TITLE, options=OPTIONS,
                     media=(MediaItem("https://media.example.com/a.webp", "image", mime="image/webp"),)),
         "media_unsupported", "image/webp given"),
        (PostContent(text="", title=TITLE, options=OPTIONS, media=(VIDEO,)), "invalid_content",
         "needs a poster image: set options.video_poster_url"),
        (PostContent(text="x" * 40_001, title=TITLE, options=OPTIONS), "invalid_content", "at most 40000"),
    ],
    ids=["no-title", "long-title", "no-subreddit", "bad-subreddit", "flair-text-alone", "two-media", "webp",
         "video-without-poster", "long-text"],
)
def test_what_reddit_cannot_take_is_refused_before_any_call(
    clock: FakeClock, content: PostContent, code: str, message: str
) -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        reddit_for(script, clock).publish(content)

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, code)
    assert message in refused.value.message
    assert script.requests == []


@pytest.mark.parametrize(
    ("about", "requirements", "content", "rule", "message"),
    [
        ({}, {}, PostContent(text=TEXT, title=TITLE, options={"subreddit": "Python"}),
         "post_requirements is_flair_required", "r/Python requires a flair: set options.flair_id"),
        ({"submission_type": "link"}, {}, PostContent(text=TEXT, title=TITLE, options=OPTIONS),
         "about submission_type=link", "r/Python does not allow text posts"),
        ({"submission_type": "self"}, {}, PostContent(text="https://herald.example.com", title=TITLE, options=OPTIONS),
         "about submission_type=self", "r/Python allows text posts only"),
        ({"allow_images": False}, {}, PostContent(text="", title=TITLE, options=OPTIONS, media=(IMAGE,)),
         "about allow_images=false", "r/Python does not allow image posts"),
        ({"user_is_banned": True}, {}, PostContent(text=TEXT, title=TITLE, options=OPTIONS),
         "about user_is_banned", "This account is banned from r/Python"),
        ({"subreddit_type": "restricted"}, {}, PostContent(text=TEXT, title=TITLE, options=OPTIONS),
         "about subreddit_type=restricted", "only its approved users can post"),
        ({"subreddit_type": "archived"}, {}, PostContent(text=TEXT, title=TITLE, options=OPTIONS),
         "about subreddit_type=archived", "r/Python is archived"),
        ({}, {"title_text_min_length": 20}, PostContent(text=TEXT, title=TITLE, options=OPTIONS),
         "post_requirements title_text_min_length", "a title of at least 20 characters (17 given)"),
        ({}, {"title_text_max_length": 10}, PostContent(text=TEXT, title=TITLE, options=OPTIONS),
         "post_requirements title_text_max_length", "a title of at most 10 characters"),
        ({}, {"title_required_strings": ["[OC]", "[Release]"]}, PostContent(text=TEXT, title=TITLE, options=OPTIONS),
         "post_requirements title_required_strings", "the title to contain one of '[OC]', '[Release]'"),
        ({}, {"title_blacklisted_strings": ["HERALD"]}, PostContent(text=TEXT, title=TITLE, options=OPTIONS),
         "post_requirements title_blacklisted_strings", "does not allow 'HERALD' in the title"),
        ({}, {"body_restriction_policy": "required"}, PostContent(text=" ", title=TITLE, options=OPTIONS),
         "post_requirements body_restriction_policy=required", "r/Python requires a text body"),
        ({}, {"body_restriction_policy": "notAllowed"}, PostContent(text=TEXT, title=TITLE, options=OPTIONS),
         "post_requirements body_restriction_policy=notAllowed", "leave the text empty"),
        ({}, {"body_text_max_length": 10}, PostContent(text=TEXT, title=TITLE, options=OPTIONS),
         "post_requirements body_text_max_length", "a text of at most 10 characters"),
        ({}, {"body_required_strings": ["Changelog"]}, PostContent(text=TEXT, title=TITLE, options=OPTIONS),
         "post_requirements body_required_strings", "the text to contain one of 'Changelog'"),
        ({}, {"body_blacklisted_strings": ["every"]}, PostContent(text=TEXT, title=TITLE, options=OPTIONS),
         "post_requirements body_blacklisted_strings", "does not allow 'every' in the text"),
        ({}, {"domain_whitelist": ["github.com"]},
         PostContent(text="https://herald.example.com/x", title=TITLE, options=OPTIONS),
         "post_requirements domain_whitelist", "takes links to github.com only (herald.example.com given)"),
        ({}, {"domain_blacklist": ["example.com"]},
         PostContent(text="https://www.herald.example.com/x", title=TITLE, options=OPTIONS),
         "post_requirements domain_blacklist", "does not allow links to herald.example.com"),
    ],
    ids=["flair", "link-only", "self-only", "no-images", "banned", "restricted", "archived", "title-short",
         "title-long", "title-required", "title-forbidden", "body-required", "body-not-allowed", "body-long",
         "body-required-string", "body-forbidden", "domain-whitelist", "domain-blacklist"],
)
def test_the_subreddits_rules_refuse_a_post_before_it_is_sent(
    clock: FakeClock, about: dict, requirements: dict, content: PostContent, rule: str, message: str
) -> None:
    script = Script(*rules(about=about, requirements=requirements))

    with pytest.raises(PlatformError) as refused:
        reddit_for(script, clock).publish(content)

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "invalid_content")
    assert refused.value.platform_code == rule
    assert message in refused.value.message
    script.assert_done()  # nothing uploaded, nothing submitted


def test_a_restricted_subreddit_takes_its_approved_users(clock: FakeClock) -> None:
    script = Script(*rules(about={"subreddit_type": "restricted", "user_is_contributor": True}),
                    recorded("submit_self"))

    reddit_for(script, clock).publish(PostContent(text=TEXT, title=TITLE, options=OPTIONS))

    script.assert_done()


@pytest.mark.parametrize(
    ("about", "error_class", "code", "message"),
    [
        (recorded("subreddit_about_private", url="https://oauth.reddit.com/r/Python/about"), ErrorClass.PERMANENT,
         "invalid_content", "r/Python is private"),
        (recorded("subreddit_about_banned", url="https://oauth.reddit.com/r/Python/about"), ErrorClass.PERMANENT,
         "invalid_content", "r/Python was banned by Reddit"),
        (recorded("subreddit_about_missing", url="https://oauth.reddit.com/r/Python/about"), ErrorClass.PERMANENT,
         "invalid_content", "r/Python does not exist"),
        (recorded("subreddit_about", status=302, body="", headers={"location": "/subreddits/search.json?q=Python"}),
         ErrorClass.PERMANENT, "invalid_content", "r/Python does not exist"),
        (recorded("subreddit_about", body={"kind": "Listing", "data": {"children": []}}), ErrorClass.PERMANENT,
         "invalid_content", "r/Python does not exist"),
        (recorded("subreddit_about", status=403, body=body_of("error_insufficient_scope"),
                  headers=recordings()["error_insufficient_scope"]["response"]["headers"]),
         ErrorClass.RECONNECT, "account_disconnected", "lacks a permission"),
        (recorded("subreddit_about", status=401, body=body_of("error_unauthorized")), ErrorClass.REFRESH,
         "token_expired", "Unauthorized"),
        (recorded("subreddit_about", status=503, body="<html>Our CDN was unable to reach our servers</html>"),
         ErrorClass.RETRY, "platform_unavailable", "HTTP 503"),
    ],
    ids=["private", "banned", "missing", "redirect", "not-a-subreddit", "scope", "expired", "outage"],
)
def test_a_subreddit_that_cannot_be_read_is_refused_or_retried(
    clock: FakeClock, about: Exchange, error_class: ErrorClass, code: str, message: str
) -> None:
    with pytest.raises(PlatformError) as refused:
        reddit_for(Script(about), clock).publish(PostContent(text=TEXT, title=TITLE, options=OPTIONS))

    assert (refused.value.error_class, refused.value.code) == (error_class, code)
    assert message in refused.value.message


# --- publish: Reddit's refusals ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "error_class", "code", "platform_code"),
    [
        ("error_ratelimit", ErrorClass.RETRY, "rate_limited", "RATELIMIT"),
        ("error_flair_required", ErrorClass.PERMANENT, "invalid_content", "SUBMIT_VALIDATION_FLAIR_REQUIRED"),
        ("error_no_selfs", ErrorClass.PERMANENT, "invalid_content", "NO_SELFS"),
        ("error_no_links", ErrorClass.PERMANENT, "invalid_content", "NO_LINKS"),
        ("error_too_long", ErrorClass.PERMANENT, "invalid_content", "TOO_LONG"),
        ("error_bad_sr_name", ErrorClass.PERMANENT, "invalid_content", "BAD_SR_NAME"),
        ("error_subreddit_noexist", ErrorClass.PERMANENT, "invalid_content", "SUBREDDIT_NOEXIST"),
        ("error_already_sub", ErrorClass.PERMANENT, "duplicate_content", "ALREADY_SUB"),
        ("error_too_many_requests", ErrorClass.RETRY, "rate_limited", "429"),
        ("error_server", ErrorClass.RETRY, "platform_unavailable", "500"),
    ],
)
def test_a_refused_submit_raises_the_classified_error(
    clock: FakeClock, name: str, error_class: ErrorClass, code: str, platform_code: str
) -> None:
    script = Script(*rules(), recorded(name))

    with pytest.raises(PlatformError) as refused:
        reddit_for(script, clock).publish(PostContent(text=TEXT, title=TITLE, options=OPTIONS))

    assert (refused.value.error_class, refused.value.code, refused.value.platform_code) == (
        error_class, code, platform_code)
    script.assert_done()


def test_a_reddit_validation_message_is_passed_on(clock: FakeClock) -> None:
    script = Script(*rules(), recorded("error_flair_required"))

    with pytest.raises(PlatformError) as refused:
        reddit_for(script, clock).publish(PostContent(text=TEXT, title=TITLE, options=OPTIONS))

    assert refused.value.message == (
        "Your post must contain post flair. (SUBMIT_VALIDATION_FLAIR_REQUIRED, field flair)"
    )


# --- publish: an image, a GIF, a video ---------------------------------------------------------


def test_an_image_is_uploaded_submitted_and_found_among_the_accounts_posts(clock: FakeClock) -> None:
    files = Files({IMAGE.url: b"\x89PNG\r\n\x1a\nimage-bytes"})
    script = Script(
        *rules(),
        recorded("media_asset"),
        recorded("media_upload"),
        recorded("submit_image"),
        listing(OLD_POST),  # Reddit is still processing the image
        listing(image_listed(), OLD_POST),
    )

    post = reddit_for(script, clock, media=files).publish(
        PostContent(text="", title=TITLE, options=OPTIONS, media=(IMAGE,))
    )

    assert post == PublishedPost("t3_1abc2dg", "https://www.reddit.com/r/Python/comments/1abc2dg/herald_10_is_out/")
    assert clock.slept == [MEDIA_POLL_SECONDS]
    upload = script.requests[3]
    leased = {f["name"]: f["value"] for f in body_of("media_asset")["args"]["fields"]}
    assert multipart(upload) == [*((name, value.encode()) for name, value in leased.items()),
                                 ("file", b"\x89PNG\r\n\x1a\nimage-bytes")]
    assert files.read_urls == [IMAGE.url]
    script.assert_done()


def test_text_sent_with_an_image_is_left_out_with_a_notice(clock: FakeClock) -> None:
    script = Script(*rules(), recorded("media_asset"), recorded("media_upload"), recorded("submit_image"),
                    listing(image_listed()))

    post = reddit_for(script, clock).publish(PostContent(text=TEXT, title=TITLE, options=OPTIONS, media=(IMAGE,)))

    assert post.notices == ("Reddit image posts carry no body text: the post's text was left out.",)
    assert "text" not in parse_qs(script.requests[4].content.decode())


def test_a_gif_is_an_image_post(clock: FakeClock) -> None:
    gif = MediaItem("https://media.example.com/dance.gif", "gif")
    script = Script(
        *rules(),
        lease("g1fd4nc3", "dance.gif", "image/gif"),
        uploaded("g1fd4nc3"),
        recorded("submit_image", form=form_of("submit_image", url=f"{S3}/rte_images/g1fd4nc3")),
        listing(image_listed()),
    )

    reddit_for(script, clock).publish(PostContent(text="", title=TITLE, options=OPTIONS, media=(gif,)))

    script.assert_done()


def test_a_video_is_uploaded_with_its_poster(clock: FakeClock) -> None:
    files = Files({VIDEO.url: b"\x00\x00\x00\x18ftypmp42video", POSTER_URL: b"\x89PNG\r\n\x1a\nposter"})
    video_listed = image_listed() | {"is_video": True, "domain": "v.redd.it", "post_hint": "hosted:video"}
    script = Script(
        *rules(),
        lease("v1d30a55e7", "demo.mp4", "video/mp4"),
        uploaded("v1d30a55e7"),
        lease("p0573r1m4g3", "poster.png", "image/png"),
        uploaded("p0573r1m4g3"),
        recorded("submit_video"),
        listing(OLD_POST),
        listing(OLD_POST),
        listing(video_listed, OLD_POST),
    )
    options = {**OPTIONS, "video_poster_url": POSTER_URL}

    post = reddit_for(script, clock, media=files).publish(
        PostContent(text="", title=TITLE, options=options, media=(VIDEO,))
    )

    assert post.platform_post_id == "t3_1abc2dg"
    assert files.read_urls == [VIDEO.url, POSTER_URL]
    assert multipart(script.requests[3])[-1] == ("file", files.files[VIDEO.url])
    assert multipart(script.requests[5])[-1] == ("file", files.files[POSTER_URL])
    assert clock.slept == [MEDIA_POLL_SECONDS, MEDIA_POLL_SECONDS]
    script.assert_done()


def test_a_media_post_reddit_does_not_show_in_time_is_retried_after_reconciling(clock: FakeClock) -> None:
    script = Script(*rules(), recorded("media_asset"), recorded("media_upload"), recorded("submit_image"),
                    *[listing(OLD_POST) for _ in range(MEDIA_POLLS)])

    with pytest.raises(PlatformError) as failed:
        reddit_for(script, clock).publish(PostContent(text="", title=TITLE, options=OPTIONS, media=(IMAGE,)))

    assert (failed.value.error_class, failed.value.code, failed.value.platform_code) == (
        ErrorClass.RETRY, "platform_unavailable", "websocket_only")
    assert failed.value.code in OUTCOME_UNKNOWN_CODES
    assert clock.slept == [MEDIA_POLL_SECONDS] * (MEDIA_POLLS - 1)
    script.assert_done()


@pytest.mark.parametrize(
    "failure",
    [
        recorded("user_submitted", status=401, body=body_of("error_unauthorized")),
        recorded("user_submitted", status=500, body=body_of("error_server")),
        recorded("user_submitted", raises=httpx.ReadTimeout),
        recorded("user_submitted", body={"kind": "Listing"}),
    ],
    ids=["expired", "500", "timeout", "malformed"],
)
def test_a_failed_look_for_a_submitted_media_post_is_an_unknown_outcome(clock: FakeClock, failure: Exchange) -> None:
    script = Script(*rules(), recorded("media_asset"), recorded("media_upload"), recorded("submit_image"), failure)

    with pytest.raises(PlatformError) as failed:
        reddit_for(script, clock).publish(PostContent(text="", title=TITLE, options=OPTIONS, media=(IMAGE,)))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "platform_unavailable")


def test_a_file_too_large_for_reddit_is_refused_and_nothing_is_submitted(clock: FakeClock) -> None:
    script = Script(*rules(), recorded("media_asset"), recorded("media_upload_too_large"))

    with pytest.raises(PlatformError) as refused:
        reddit_for(script, clock).publish(PostContent(text="", title=TITLE, options=OPTIONS, media=(IMAGE,)))

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, "media_too_large")
    assert refused.value.message == "Reddit's media store refused the file: 25000000 bytes, at most 20971520 allowed."
    assert refused.value.platform_code == "400 EntityTooLarge"
    script.assert_done()


@pytest.mark.parametrize(
    ("answer", "error_class", "code"),
    [
        (recorded("media_upload", status=403, body="<Error><Code>AccessDenied</Code><Message>Request has expired"
                                                    "</Message></Error>"), ErrorClass.RETRY, "platform_unavailable"),
        (recorded("media_upload", status=503, body="<Error><Code>SlowDown</Code></Error>"), ErrorClass.RETRY,
         "platform_unavailable"),
        (recorded("media_upload", status=400, body="<Error><Code>EntityTooSmall</Code></Error>"),
         ErrorClass.PERMANENT, "media_unsupported"),
        (recorded("media_upload", raises=httpx.WriteTimeout), ErrorClass.RETRY, "timeout"),
    ],
    ids=["expired-lease", "slow-down", "empty", "timeout"],
)
def test_a_failed_upload_is_classified(clock: FakeClock, answer: Exchange, error_class: ErrorClass, code: str) -> None:
    script = Script(*rules(), recorded("media_asset"), answer)

    with pytest.raises(PlatformError) as failed:
        reddit_for(script, clock).publish(PostContent(text="", title=TITLE, options=OPTIONS, media=(IMAGE,)))

    assert (failed.value.error_class, failed.value.code) == (error_class, code)
    script.assert_done()


def test_an_upload_lease_without_its_fields_is_a_malformed_answer(clock: FakeClock) -> None:
    script = Script(*rules(), recorded("media_asset", body={"asset": body_of("media_asset")["asset"]}))

    with pytest.raises(PlatformError) as failed:
        reddit_for(script, clock).publish(PostContent(text="", title=TITLE, options=OPTIONS, media=(IMAGE,)))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "platform_unavailable")


def test_an_upload_answer_without_a_location_falls_back_to_the_leased_key(clock: FakeClock) -> None:
    script = Script(*rules(), recorded("media_asset"), recorded("media_upload", body=""), recorded("submit_image"),
                    listing(image_listed()))

    reddit_for(script, clock).publish(PostContent(text="", title=TITLE, options=OPTIONS, media=(IMAGE,)))

    script.assert_done()


# --- first comments, delete ----------------------------------------------------------------------


def test_a_first_comment_is_a_comment_on_the_post(clock: FakeClock) -> None:
    script = Script(recorded("comment"))

    comment = reddit_for(script, clock).reply(SELF_POST, PostContent(text=COMMENT))

    assert comment == PublishedPost(
        "t1_kq9z8y7", "https://www.reddit.com/r/Python/comments/1abc2de/herald_10_is_out/kq9z8y7/"
    )
    script.assert_done()


def test_a_reply_to_a_comment_names_the_comment(clock: FakeClock) -> None:
    parent = PublishedPost("t1_kq9z8y7", "https://www.reddit.com/r/Python/comments/1abc2de/herald_10_is_out/kq9z8y7/")
    answer = body_of("comment")
    thing = {**answer["json"]["data"]["things"][0]["data"], "name": "t1_kq9z8y8", "permalink": None}
    script = Script(recorded("comment", form={"api_type": "json", "thing_id": "t1_kq9z8y7", "text": "More"},
                             body={"json": {"errors": [], "data": {"things": [{"kind": "t1", "data": thing}]}}}))

    comment = reddit_for(script, clock).reply(parent, PostContent(text="More"))

    assert comment == PublishedPost("t1_kq9z8y8", "https://www.reddit.com/comments/1abc2de/_/kq9z8y8/")


@pytest.mark.parametrize(
    ("content", "parent", "code"),
    [
        (PostContent(text="look", media=(IMAGE,)), SELF_POST, "media_unsupported"),
        (PostContent(text="  "), SELF_POST, "invalid_content"),
        (PostContent(text="x" * 10_001), SELF_POST, "invalid_content"),
        (PostContent(text="hi"), PublishedPost("1abc2de", ""), "invalid_content"),
    ],
    ids=["media", "empty", "too-long", "not-a-fullname"],
)
def test_a_comment_reddit_cannot_take_is_refused_before_any_call(
    clock: FakeClock, content: PostContent, parent: PublishedPost, code: str
) -> None:
    script = Script()

    with pytest.raises(PlatformError) as refused:
        reddit_for(script, clock).reply(parent, content)

    assert (refused.value.error_class, refused.value.code) == (ErrorClass.PERMANENT, code)
    assert script.requests == []


@pytest.mark.parametrize(
    ("errors", "error_class", "code"),
    [
        ([["THREAD_LOCKED", "Comments are locked.", "parent"]], ErrorClass.PERMANENT, "invalid_content"),
        ([["DELETED_LINK", "the link you are commenting on has been deleted", "parent"]], ErrorClass.PERMANENT,
         "invalid_content"),
        ([["RATELIMIT", "you are doing that too much. try again in 9 minutes.", "ratelimit"]], ErrorClass.RETRY,
         "rate_limited"),
        ([["USER_REQUIRED", "Please log in to do that.", None]], ErrorClass.RECONNECT, "account_disconnected"),
    ],
    ids=["locked", "deleted", "ratelimit", "user-required"],
)
def test_a_refused_comment_is_classified(clock: FakeClock, errors: list, error_class: ErrorClass, code: str) -> None:
    script = Script(recorded("comment", body={"json": {"errors": errors}}))

    with pytest.raises(PlatformError) as refused:
        reddit_for(script, clock).reply(SELF_POST, PostContent(text=COMMENT))

    assert (refused.value.error_class, refused.value.code) == (error_class, code)
    if code == "rate_limited":
        assert refused.value.retry_at == NOW + timedelta(minutes=9)


def test_a_comment_answer_without_the_comment_is_an_unknown_outcome(clock: FakeClock) -> None:
    script = Script(recorded("comment", body={"json": {"errors": [], "data": {"things": []}}}))

    with pytest.raises(PlatformError) as failed:
        reddit_for(script, clock).reply(SELF_POST, PostContent(text=COMMENT))

    assert (failed.value.error_class, failed.value.code) == (ErrorClass.RETRY, "platform_unavailable")


def test_delete_removes_the_post(clock: FakeClock) -> None:
    script = Script(recorded("delete"))

    reddit_for(script, clock).delete("t3_1abc2de")

    script.assert_done()


def test_deleting_what_is_gone_is_done(clock: FakeClock) -> None:
    script = Script(recorded("delete", status=404, body={"message": "Not Found", "error": 404}))

    reddit_for(script, clock).delete("t3_1abc2de")

    script.assert_done()


@pytest.mark.parametrize(
    ("answer", "error_class"),
    [
        (recorded("delete", status=500, body=body_of("error_server")), ErrorClass.RETRY),
        (recorded("delete", status=403, body=body_of("error_insufficient_scope"),
                  headers=recordings()["error_insufficient_scope"]["response"]["headers"]), ErrorClass.RECONNECT),
    ],
    ids=["500", "no-edit-scope"],
)
def test_a_failed_delete_is_raised(clock: FakeClock, answer: Exchange, error_class: ErrorClass) -> None:
    with pytest.raises(PlatformError) as failed:
        reddit_for(Script(answer), clock).delete("t3_1abc2de")

    assert failed.value.error_class is error_class


def test_only_fullnames_can_be_deleted(clock: FakeClock) -> None:
    with pytest.raises(PlatformError) as refused:
        reddit_for(Script(), clock).delete("1abc2de")

    assert refused.value.error_class is ErrorClass.PERMANENT


# --- metrics -------------------------------------------------------------------------------------


def test_metrics_read_posts_and_comments_in_one_call(clock: FakeClock) -> None:
    script = Script(recorded("info"))

    metrics = reddit_for(script, clock).metrics(["t3_1abc2de", "t1_kq9z8y7"])

    assert metrics == {"t3_1abc2de": {"likes": 57, "comments": 8, "shares": 2}, "t1_kq9z8y7": {"likes": 4}}
    script.assert_done()


def test_metrics_are_read_100_fullnames_a_call(clock: FakeClock) -> None:
    ids = [f"t3_{n:07d}" for n in range(150)]
    deleted = {"name": ids[0], "author": "[deleted]", "ups": 3, "num_comments": 1}
    negative = {"name": ids[100], "author": "herald_bot", "score": -4, "num_comments": 0, "num_crossposts": 0}
    script = Script(
        recorded("info", params=[("id", ",".join(ids[:100])), ("raw_json", "1")],
                 body={"kind": "Listing", "data": {"children": [{"kind": "t3", "data": deleted}]}}),
        recorded("info", params=[("id", ",".join(ids[100:])), ("raw_json", "1")],
                 body={"kind": "Listing", "data": {"children": [{"kind": "t3", "data": negative}]}}),
    )

    metrics = reddit_for(script, clock).metrics([*ids, "not-a-fullname"])

    assert metrics == {ids[100]: {"likes": 0, "comments": 0, "shares": 0}}
    script.assert_done()


def test_a_metrics_failure_is_raised(clock: FakeClock) -> None:
    script = Script(recorded("info", status=429, body=body_of("error_too_many_requests"),
                             params=[("id", "t3_1abc2de"), ("raw_json", "1")],
                             headers=recordings()["error_too_many_requests"]["response"]["headers"]))

    with pytest.raises(PlatformError) as failed:
        reddit_for(script, clock).metrics(["t3_1abc2de"])

    assert (failed.value.code, failed.value.retry_at) == ("rate_limited", NOW + timedelta(seconds=348))


# --- reconcile -----------------------------------------------------------------------------------


def test_reconcile_finds_the_post_among_the_accounts_posts(clock: FakeClock) -> None:
    script = Script(listing(listed("t3_1abc2de"), OLD_POST))

    found = reddit_for(script, clock).reconcile(PostContent(text=TEXT, title=TITLE, options=OPTIONS))

    assert (found.outcome, found.post) == (ReconcileOutcome.FOUND, SELF_POST)


def test_reconcile_reports_absent_when_the_listing_covers_the_window(clock: FakeClock) -> None:
    script = Script(listing(listed("t3_1abc2dx", title="Something else"), OLD_POST, after="t3_1abc2d0"))

    found = reddit_for(script, clock).reconcile(PostContent(text=TEXT, title=TITLE, options=OPTIONS))

    assert found.outcome is ReconcileOutcome.ABSENT
    script.assert_done()


@pytest.mark.parametrize(
    ("item", "content"),
    [
        (listed("t3_1abc2de", subreddit="learnpython"), PostContent(text=TEXT, title=TITLE, options=OPTIONS)),
        (listed("t3_1abc2de", created=NOW_TS - 3601), PostContent(text=TEXT, title=TITLE, options=OPTIONS)),
        (listed("t3_1abc2de"), PostContent(text="", title=TITLE, options=OPTIONS, media=(IMAGE,))),
        (listed("t3_1abc2de", title="Herald 1.0 is out!"), PostContent(text=TEXT, title=TITLE, options=OPTIONS)),
    ],
    ids=["other-subreddit", "before-the-window", "other-kind", "other-title"],
)
def test_reconcile_does_not_take_another_post(clock: FakeClock, item: dict, content: PostContent) -> None:
    script = Script(listing(item))

    assert reddit_for(script, clock).reconcile(content).outcome is ReconcileOutcome.ABSENT


def test_reconcile_looks_past_a_pinned_old_post(clock: FakeClock) -> None:
    pinned = listed("t3_0pinned", title="About me", created=NOW_TS - 10**6, pinned=True)
    script = Script(
        listing(pinned, listed("t3_1abc2dx", title="Something else"), after="t3_1abc2dx"),
        listing(listed("t3_1abc2de"), page_after="t3_1abc2dx"),
    )

    found = reddit_for(script, clock).reconcile(PostContent(text=TEXT, title=TITLE, options=OPTIONS))

    assert found.outcome is ReconcileOutcome.FOUND
    script.assert_done()


def test_reconcile_cannot_tell_beyond_the_pages_it_reads(clock: FakeClock) -> None:
    busy = listed("t3_1abc2dx", title="Something else")
    script = Script(listing(busy, after="t3_1abc2dx"),
                    *[listing(busy, after="t3_1abc2dx", page_after="t3_1abc2dx") for _ in range(LISTING_MAX_PAGES - 1)])

    found = reddit_for(script, clock).reconcile(PostContent(text=TEXT, title=TITLE, options=OPTIONS))

    assert found.outcome is ReconcileOutcome.UNKNOWN
    script.assert_done()


@pytest.mark.parametrize(
    "failure",
    [
        recorded("user_submitted", status=500, body=body_of("error_server")),
        recorded("user_submitted", raises=httpx.ReadTimeout),
        recorded("user_submitted", body="<html>oops</html>"),
        recorded("user_submitted", status=401, body=body_of("error_unauthorized")),
    ],
    ids=["500", "timeout", "malformed", "expired"],
)
def test_reconcile_cannot_tell_when_the_listing_fails(clock: FakeClock, failure: Exchange) -> None:
    found = reddit_for(Script(failure), clock).reconcile(PostContent(text=TEXT, title=TITLE, options=OPTIONS))

    assert found.outcome is ReconcileOutcome.UNKNOWN


def test_reconcile_finds_an_image_post_and_cannot_rule_out_a_processing_video(clock: FakeClock) -> None:
    options = {**OPTIONS, "video_poster_url": POSTER_URL}
    image = reddit_for(Script(listing(image_listed(created=NOW_TS - 30))), clock).reconcile(
        PostContent(text="", title=TITLE, options=OPTIONS, media=(IMAGE,)))
    video = reddit_for(Script(listing(OLD_POST)), clock).reconcile(
        PostContent(text="", title=TITLE, options=options, media=(VIDEO,)))
    no_image = reddit_for(Script(listing(OLD_POST)), clock).reconcile(
        PostContent(text="", title=TITLE, options=OPTIONS, media=(IMAGE,)))

    assert image.outcome is ReconcileOutcome.FOUND and image.post is not None
    assert image.post.platform_post_id == "t3_1abc2dg"
    assert video.outcome is ReconcileOutcome.UNKNOWN
    assert no_image.outcome is ReconcileOutcome.ABSENT


def test_reconcile_finds_a_first_comment_on_its_parent(clock: FakeClock) -> None:
    text = body_of("user_comments")["data"]["children"][0]["data"]["body"]
    found = reddit_for(Script(recorded("user_comments")), clock).reconcile(
        PostContent(text=text, target_key="post_1:acc_rd:1"), SELF_POST)
    elsewhere = reddit_for(Script(recorded("user_comments")), clock).reconcile(
        PostContent(text=text, target_key="post_1:acc_rd:1"), PublishedPost("t3_other1", ""))

    assert found.outcome is ReconcileOutcome.FOUND and found.post is not None
    assert found.post == PublishedPost(
        "t1_kq9z8y7", "https://www.reddit.com/r/Python/comments/1abc2de/herald_10_is_out/kq9z8y7/")
    assert elsewhere.outcome is ReconcileOutcome.ABSENT


def test_reconcile_cannot_tell_a_later_step_without_its_parent(clock: FakeClock) -> None:
    script = Script()

    found = reddit_for(script, clock).reconcile(PostContent(text="x", target_key="post_1:acc_rd:1"))

    assert found.outcome is ReconcileOutcome.UNKNOWN
    assert script.requests == []


# --- classify_error ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "error_class", "code", "platform_code"),
    [
        ("error_ratelimit", ErrorClass.RETRY, "rate_limited", "RATELIMIT"),
        ("error_too_many_requests", ErrorClass.RETRY, "rate_limited", "429"),
        ("error_unauthorized", ErrorClass.REFRESH, "token_expired", "401"),
        ("error_insufficient_scope", ErrorClass.RECONNECT, "account_disconnected", "403 insufficient_scope"),
        ("subreddit_about_private", ErrorClass.PERMANENT, "forbidden", "403 private"),
        ("subreddit_about_missing", ErrorClass.PERMANENT, "not_found", "404"),
        ("error_subreddit_noexist", ErrorClass.PERMANENT, "invalid_content", "SUBREDDIT_NOEXIST"),
        ("error_no_selfs", ErrorClass.PERMANENT, "invalid_content", "NO_SELFS"),
        ("error_no_links", ErrorClass.PERMANENT, "invalid_content", "NO_LINKS"),
        ("error_flair_required", ErrorClass.PERMANENT, "invalid_content", "SUBMIT_VALIDATION_FLAIR_REQUIRED"),
        ("error_too_long", ErrorClass.PERMANENT, "invalid_content", "TOO_LONG"),
        ("error_bad_sr_name", ErrorClass.PERMANENT, "invalid_content", "BAD_SR_NAME"),
        ("error_already_sub", ErrorClass.PERMANENT, "duplicate_content", "ALREADY_SUB"),
        ("error_server", ErrorClass.RETRY, "platform_unavailable", "500"),
    ],
)
def test_classify_recorded_errors(
    clock: FakeClock, name: str, error_class: ErrorClass, code: str, platform_code: str
) -> None:
    response = recordings()[name]["response"]
    answer = httpx.Response(response["status"], json=response["body"], headers=response.get("headers", {}))

    error = reddit_for(Script(), clock).classify_error(answer)

    assert (error.error_class, error.code, error.platform_code) == (error_class, code, platform_code)
    if code == "rate_limited":
        assert error.retry_at == NOW + timedelta(seconds=300 if name == "error_ratelimit" else 348)


@pytest.mark.parametrize(
    ("status", "body", "headers", "error_class", "code"),
    [
        (403, {"reason": "banned", "message": "Forbidden", "error": 403}, {}, ErrorClass.PERMANENT, "forbidden"),
        (403, {"reason": "quarantined", "message": "Forbidden"}, {}, ErrorClass.PERMANENT, "forbidden"),
        (429, "", {}, ErrorClass.RETRY, "rate_limited"),
        (502, "<html>Bad Gateway</html>", {}, ErrorClass.RETRY, "platform_unavailable"),
        (503, "", {}, ErrorClass.RETRY, "platform_unavailable"),
        (400, {"message": "Bad Request", "error": 400}, {}, ErrorClass.PERMANENT, "invalid_content"),
        (413, "", {}, ErrorClass.PERMANENT, "media_too_large"),
        (409, "", {}, ErrorClass.PERMANENT, "platform_error"),
        (302, "", {"location": "https://www.reddit.com/login"}, ErrorClass.PERMANENT, "not_found"),
        (200, "<html>upstream connect error</html>", {}, ErrorClass.RETRY, "platform_unavailable"),
        (200, {"json": {"errors": [["USER_REQUIRED", "Please log in to do that.", None]]}}, {},
         ErrorClass.RECONNECT, "account_disconnected"),
        (200, {"json": {"errors": [["RATELIMIT", "try again in 2 minutes", "ratelimit"],
                                   ["ALREADY_SUB", "that link has already been submitted", "url"]]}}, {},
         ErrorClass.PERMANENT, "duplicate_content"),
        (200, {"json": {"errors": [["RATELIMIT", "x", "ratelimit"], ["NO_SELFS", "no", "sr"]]}}, {},
         ErrorClass.PERMANENT, "invalid_content"),
    ],
    ids=["403-banned", "403-quarantined", "429-no-headers", "502", "503", "400", "413", "409", "redirect",
         "malformed-200", "user-required", "ratelimit-and-duplicate", "ratelimit-and-invalid"],
)
def test_classify_other_answers(
    clock: FakeClock, status: int, body: Any, headers: dict, error_class: ErrorClass, code: str
) -> None:
    if isinstance(body, str):
        response = httpx.Response(status, text=body, headers=headers)
    else:
        response = httpx.Response(status, json=body, headers=headers)

    error = reddit_for(Script(), clock).classify_error(response)

    assert (error.error_class, error.code) == (error_class, code)


@pytest.mark.parametrize(
    ("message", "ratelimit", "wait"),
    [
        ("you are doing that too much. try again in 9 minutes.", None, timedelta(minutes=9)),
        ("Looks like you've been doing that a lot. Take a break for 38 seconds before trying again.", None,
         timedelta(seconds=38)),
        ("Take a break for 1 hour before trying again.", None, timedelta(hours=1)),
        ("try again in 500 milliseconds", None, timedelta(milliseconds=500)),
        ("you are doing that too much", None, DEFAULT_RATELIMIT_WAIT),
        ("Take a break for 5 minutes", 123.5, timedelta(seconds=123.5)),
    ],
)
def test_ratelimit_is_retried_when_reddit_says(
    clock: FakeClock, message: str, ratelimit: float | None, wait: timedelta
) -> None:
    body: dict[str, Any] = {"json": {"errors": [["RATELIMIT", message, "ratelimit"]]}}
    if ratelimit is not None:
        body["json"]["ratelimit"] = ratelimit

    error = reddit_for(Script(), clock).classify_error(httpx.Response(200, json=body))

    assert (error.error_class, error.code, error.retry_at) == (ErrorClass.RETRY, "rate_limited", NOW + wait)


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (httpx.ReadTimeout("read"), "timeout"),
        (httpx.ConnectTimeout("connect"), "timeout"),
        (httpx.ConnectError("refused"), "network_error"),
        (httpx.RemoteProtocolError("reset"), "network_error"),
    ],
)
def test_classify_transport_errors(clock: FakeClock, exc: Exception, code: str) -> None:
    error = reddit_for(Script(), clock).classify_error(None, exc)

    assert (error.error_class, error.code) == (ErrorClass.RETRY, code)


# --- the User-Agent, names, text ---------------------------------------------------------------


def test_the_user_agent_follows_reddits_rules(clock: FakeClock) -> None:
    developer = AppCredentials("p-jcoLKBynTLew", "s", settings={"developer_username": "herald_ops"})

    assert reddit_for(Script(), clock).user_agent() == UA
    assert reddit_for(Script(), clock, app=developer).user_agent() == (
        "server:herald.p-jcoLKBynTLew:v0.1.0 (by /u/herald_ops)")
    anonymous = Credentials(account_id="", username="", tokens={"access_token": "t"})
    assert reddit_for(Script(), clock, anonymous).user_agent() == UA_CONNECT
    assert re.match(r"^[\w.-]+:[^\s:]+:v[\d.]+ \(by /u/[\w-]+\)$", UA)


@pytest.mark.parametrize(
    ("given", "name"),
    [("python", "python"), ("r/Python", "Python"), ("/r/de/", "de"), ("R/AskReddit", "AskReddit"),
     ("u/herald_bot", "u_herald_bot"), ("/user/herald_bot", "u_herald_bot"), ("u_herald_bot", "u_herald_bot")],
)
def test_subreddit_names_are_normalised(given: str, name: str) -> None:
    assert subreddit_name(given) == name


def test_text_is_counted_in_characters(clock: FakeClock) -> None:
    platform = reddit_for(Script(), clock)

    assert platform.count_text("Herald") == 6
    assert platform.count_text("A\u0301") == 1
    assert platform.count_text("👋🏽") == 2
    assert platform.text_limits.max_length == 40_000
    assert RedditPlatform.oauth is not None and RedditPlatform.oauth.scopes == SCOPES
