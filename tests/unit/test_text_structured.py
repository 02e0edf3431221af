"""Hashtags appended while they fit each network, and a link's URL where no card is built."""

from __future__ import annotations

from herald.text.counting import count
from herald.text.structured import hashtag, with_hashtags, with_link


def test_hashtags_are_normalised_and_refused_when_they_cannot_be_one() -> None:
    assert (hashtag("launch"), hashtag("#launch"), hashtag("two words"), hashtag("#")) == (
        "#launch", "#launch", None, None)


def test_tags_already_in_the_text_are_not_repeated() -> None:
    assert with_hashtags("We #Launch today", ["launch", "news"], "x", has_media=False) == "We #Launch today\n\n#news"


def test_hashtags_stop_at_the_networks_length_limit() -> None:
    text = "a" * 270
    result = with_hashtags(text, ["one", "two", "three"], "x", has_media=False)
    assert result == text + "\n\n#one"  # "#one" fits 280 weighted characters; " #two" would not
    assert count(result, "weighted") <= 280
    assert with_hashtags("a" * 280, ["x"], "x", has_media=False) == "a" * 280


def test_instagram_takes_at_most_thirty_hashtags() -> None:
    existing = " ".join(f"#t{n}" for n in range(29))
    result = with_hashtags(existing, ["extra1", "extra2"], "instagram", has_media=True)
    assert result.endswith("#extra1") and "#extra2" not in result


def test_the_link_goes_at_the_end_unless_the_text_has_it() -> None:
    assert with_link("Read this", "https://e.com/a") == "Read this\n\nhttps://e.com/a"
    assert with_link("Read https://e.com/a now", "https://e.com/a") == "Read https://e.com/a now"
    assert with_link("", "https://e.com/a") == "https://e.com/a"
    assert with_link("text", None) == "text"


def test_auto_hashtags_turn_keywords_into_tags_in_place_and_append_the_rest() -> None:
    from herald.text.structured import with_hashtags_in_place

    text = "We love coffee and space travel. More at https://coffee.example/coffee"
    placed = with_hashtags_in_place(text, ["#coffee", "#SpaceTravel", "#Morning"], "x", has_media=False)
    assert placed == "We love #coffee and #SpaceTravel. More at https://coffee.example/coffee\n\n#Morning"
    assert with_hashtags_in_place("#coffee time", ["#Coffee"], "x", has_media=False) == "#coffee time"
    assert with_hashtags_in_place("mail me@coffee.com", ["#coffee"], "x", has_media=False) == (
        "mail me@coffee.com\n\n#coffee")


def test_in_place_hashtags_never_push_the_text_over_the_limit() -> None:
    from herald.text.structured import with_hashtags_in_place

    full = "coffee " + "a" * 273  # 280 on X: one more character does not fit
    assert with_hashtags_in_place(full, ["#coffee"], "x", has_media=False) == full
