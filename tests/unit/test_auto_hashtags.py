"""Hashtags picked from a post's own text by the offline keyword extractor (herald.text.autohashtags).

The expected lists are what yake-rust 1.2.1 ranks for these texts, after the module's own rules;
a change of extractor version that moves them should be looked at, not just re-pinned."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from herald.text.autohashtags import suggest_hashtags
from herald.text.counting import hashtags as count_hashtags

LAUNCH = (
    "Big news: Herald 2.0 is here! 🚀 Schedule posts to 13 networks from one API, with per-network previews, "
    "media checks and short links. Self-hosted on AWS Lambda, open source. Read the launch post: "
    "https://herald.dev/blog/launch"
)
PODCAST = (
    "New episode of The Growth Loop podcast 🎙️\n\nWe sit down with Maria Chen, head of product at Linear, to talk "
    "about roadmap planning, saying no to customers, and shipping small.\n\nListen now: https://example.com/ep42 "
    "with @mariachen"
)
EPISODE = (
    "Episode 42 of Shipping Code is out! 🎧 Our guest Priya Patel explains how Kubernetes autoscaling really works, "
    "and why most teams over-provision. Listen on Spotify or Apple Podcasts: https://shippingcode.fm/42"
)
ROASTERY = (
    "☕️ Morning brew at our Portland roastery! Single-origin Ethiopian beans, hand-roasted in small batches 🔥🔥 "
    "Order online at roastco.com or visit us on Alberta Street. Cold brew is back too 🧊"
)
NIMBUS = (
    "Introducing Nimbus Notes 2.0 — the offline-first note app for researchers. End-to-end encryption, Markdown "
    "export and a brand-new iPad app. Available today on the App Store. 🎉 https://nimbusnotes.app"
)
CONFERENCE = (
    "Join @herald@mastodon.social and me at PyCon US in Pittsburgh 🐍 talking about serverless Python on AWS Lambda. "
    "Slides: github.com/herald/talks. $AAPL mail me at me@example.com"
)
PRICING = (
    "Our new #SaaS pricing is live: unlimited seats on every plan, plus a free tier for nonprofits. Annual billing "
    "saves 20%. Details on the blog. #Pricing #Startups"
)
DARK_MODE = "We just shipped dark mode for the Herald dashboard! 🌙 Toggle it in Settings → Appearance. #ProductUpdate #DarkMode"
RICH = (
    "<p><b>Launch day!</b> Our <i>serverless scheduler</i> ships today.</p>"
    "<p>Try the serverless scheduler &amp; tell us what you think.</p>"
)
GERMAN = (
    "Die neue Ausstellung im Museum Ludwig zeigt Fotografien aus dem Köln der 1960er Jahre. "
    "Der Eintritt ist am ersten Donnerstag im Monat frei."
)
SPANISH = (
    "Nuevo episodio del podcast: hablamos con la chef Lucía Gómez sobre cocina de temporada y mercados locales "
    "en Valencia."
)
FRENCH = "Découvrez l'hôtel de l'artiste à Paris : une exposition sur l'histoire de l'art moderne, jusqu'à dimanche."
ARABIC = "انطلاق معرض الكتاب الدولي في الرياض اليوم بمشاركة أكثر من ألف دار نشر من مختلف دول العالم"
JAPANESE = "新しいポッドキャストのエピソードを公開しました。今回はスタートアップの資金調達について話しています。"


def test_a_product_launch() -> None:
    # Names and acronyms lead; "13" and "2.0" are never tags; the URL gives nothing ("herald.dev").
    assert suggest_hashtags(LAUNCH, max_tags=10) == [
        "#Herald", "#AWSLambda", "#SchedulePosts", "#API", "#MediaChecks", "#ShortLinks", "#OpenSource",
        "#LaunchPost",
    ]  # fmt: skip


def test_a_podcast_episode_promo() -> None:
    assert suggest_hashtags(PODCAST, max_tags=5) == [
        "#GrowthLoop", "#MariaChen", "#Linear", "#RoadmapPlanning", "#ShippingSmall",
    ]  # fmt: skip
    assert suggest_hashtags(EPISODE, max_tags=5) == [
        "#ShippingCode", "#PriyaPatel", "#ApplePodcasts", "#KubernetesAutoscaling", "#Spotify",
    ]  # fmt: skip


def test_emoji_urls_mentions_emails_and_cashtags_are_no_keyword_source() -> None:
    assert suggest_hashtags(ROASTERY, max_tags=10) == [
        "#PortlandRoastery", "#MorningBrew", "#AlbertaStreet", "#SingleOriginEthiopian", "#OrderOnline",
        "#SmallBatches", "#HandRoasted",
    ]  # fmt: skip
    assert suggest_hashtags(NIMBUS, max_tags=5) == ["#NimbusNotes", "#NoteApp", "#MarkdownExport", "#Store", "#iPad"]
    tags = suggest_hashtags(CONFERENCE, max_tags=10)
    assert tags == ["#AWSLambda", "#ServerlessPython", "#Pittsburgh", "#PyCon"]
    assert not any(word in tag.lower() for tag in tags for word in ("mastodon", "github", "talks", "aapl", "example"))


def test_tags_in_the_text_are_never_suggested_nor_split_up() -> None:
    # "#SaaS pricing" is in the text, so neither #SaaSPricing nor #Pricing comes back.
    assert suggest_hashtags(PRICING, max_tags=10) == ["#UnlimitedSeats", "#FreeTier", "#AnnualBilling"]
    # "dark mode" is #DarkMode already; its words make no other tag either.
    assert suggest_hashtags(DARK_MODE, max_tags=10) == ["#HeraldDashboard", "#Settings"]


def test_excluded_tags_and_their_parts_are_left_out_case_insensitively() -> None:
    assert suggest_hashtags(LAUNCH, max_tags=5, exclude=["herald", "#awslambda"]) == [
        "#SchedulePosts", "#API", "#MediaChecks", "#ShortLinks", "#OpenSource",
    ]  # fmt: skip
    assert suggest_hashtags(LAUNCH, max_tags=3, exclude=["#HERALD"]) == ["#AWSLambda", "#SchedulePosts", "#API"]
    # A tag that begins or ends an excluded one is left out too: #Herald with #HeraldApp.
    assert suggest_hashtags(LAUNCH, max_tags=2, exclude=["#HeraldApp", "", "#"]) == ["#AWSLambda", "#SchedulePosts"]


def test_rich_text_tags_are_stripped_first() -> None:
    assert suggest_hashtags(RICH, max_tags=10) == ["#LaunchDay", "#ServerlessScheduler", "#ShipsToday"]


def test_unicode_styled_letters_read_as_plain_ones() -> None:
    text = "𝐁𝐥𝐚𝐜𝐤 𝐅𝐫𝐢𝐝𝐚𝐲 deals on Wireless Headphones at Soundwave. Wireless Headphones from $49."
    assert suggest_hashtags(text, max_tags=5) == ["#BlackFriday", "#WirelessHeadphones", "#Soundwave"]


@pytest.mark.parametrize(
    "text", ["See you there!", "Thanks! 🙏", "🎉🎉🎉", "lol", "@bob yes!", "https://example.com/launch",
             "#tbt #throwback", "", "   ", "<b></b>", "2024 2025 100%"],
)  # fmt: skip
def test_very_short_texts_yield_no_tags(text: str) -> None:
    assert suggest_hashtags(text, max_tags=5) == []


def test_max_is_respected_and_a_smaller_max_is_a_prefix() -> None:
    full = suggest_hashtags(LAUNCH, max_tags=10)
    for n in range(1, 11):
        assert suggest_hashtags(LAUNCH, max_tags=n) == full[:n]
    assert suggest_hashtags(LAUNCH, max_tags=0) == []


def test_non_english_texts_use_their_languages_stopwords() -> None:
    german = ["#MuseumLudwig", "#ZeigtFotografien", "#Ausstellung", "#Köln", "#MonatFrei"]
    assert suggest_hashtags(GERMAN, max_tags=5) == german  # detected
    assert suggest_hashtags(GERMAN, max_tags=5, language="de") == german
    assert suggest_hashtags(GERMAN, max_tags=5, language="de-AT") == german
    assert suggest_hashtags(GERMAN, max_tags=5, language="ko") == german  # no Korean list: detected instead
    assert suggest_hashtags(SPANISH, max_tags=5) == ["#LucíaGómez", "#Valencia", "#MercadosLocales"]
    assert suggest_hashtags(FRENCH, max_tags=5) == ["#ArtModerne", "#Paris"]  # l'art: the elision breaks the phrase
    # No letter case: the words are joined with "_".
    assert suggest_hashtags(ARABIC, max_tags=3) == ["#انطلاق_معرض", "#دول_العالم", "#الكتاب_الدولي"]


def test_the_declared_language_matters() -> None:
    # Read with English stopwords, German articles end up in tags.
    assert suggest_hashtags(GERMAN, max_tags=5, language="en") == [
        "#MuseumLudwig", "#NeueAusstellung", "#ZeigtFotografien", "#DemKöln", "#Jahre",
    ]  # fmt: skip


def test_scripts_without_spaces_get_no_tags() -> None:
    assert suggest_hashtags(JAPANESE, max_tags=5) == []
    assert suggest_hashtags(JAPANESE, max_tags=5, language="ja") == []


@pytest.mark.parametrize("text", [LAUNCH, PODCAST, ROASTERY, NIMBUS, CONFERENCE, PRICING, GERMAN, ARABIC, RICH])
def test_every_tag_is_one_valid_hashtag_not_in_the_text(text: str) -> None:
    tags = suggest_hashtags(text, max_tags=10)
    assert len({t.casefold() for t in tags}) == len(tags)
    for tag in tags:
        assert count_hashtags(tag) == 1 and count_hashtags(f"{tag}x") == 1  # one tag, running to its end
        body = tag[1:]
        assert tag.startswith("#") and all(c.isalnum() or c == "_" for c in body) and not body.isdigit()
        assert f"#{body.casefold()}" not in text.casefold()


def test_output_is_deterministic_across_processes() -> None:
    # yake-rust's scores differ in their last digits between processes (hash-map order).
    script = (
        "import json, sys; from herald.text.autohashtags import suggest_hashtags as s; "
        "print(json.dumps([s(t, max_tags=10) for t in json.loads(sys.stdin.read())]))"
    )
    texts = [LAUNCH, PODCAST, ROASTERY, NIMBUS, GERMAN, SPANISH, ARABIC]
    here = [suggest_hashtags(t, max_tags=10) for t in texts]
    assert here == [suggest_hashtags(t, max_tags=10) for t in texts]
    for _ in range(2):
        out = subprocess.run([sys.executable, "-c", script], input=json.dumps(texts), capture_output=True, text=True,
                             check=True)  # fmt: skip
        assert json.loads(out.stdout) == here


def test_the_extractor_is_imported_only_when_used() -> None:
    script = (
        "import sys; import herald.text.autohashtags as m; assert 'yake_rust' not in sys.modules; "
        "m.suggest_hashtags('Hello from Lisbon and Lisbon', max_tags=1); assert 'yake_rust' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
