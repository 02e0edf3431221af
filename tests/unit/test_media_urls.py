"""The pure media URL rules: shape, every refused address range, odd IPv4 spellings, IPv6 forms, kinds."""

from __future__ import annotations

import ipaddress

import pytest

from herald.media.urls import (
    FORBIDDEN,
    INVALID,
    MISMATCH,
    check_address,
    check_kind_flag,
    check_url_shape,
    expected_kind,
    forbidden_reason,
    parse_url,
)


def codes(url: str) -> list[str]:
    return [problem.code for problem in check_url_shape(url)]


# --- shape -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("https://cdn.example.com/media/cat.png", "https://cdn.example.com/media/cat.png"),
        ("https://CDN.Example.COM/cat.png", "https://cdn.example.com/cat.png"),
        ("https://cdn.example.com:443/cat.png", "https://cdn.example.com/cat.png"),
        ("https://cdn.example.com./cat.png#top", "https://cdn.example.com/cat.png"),
        ("https://cdn.example.com", "https://cdn.example.com/"),
        ("https://cdn.example.com/v.mp4?sig=a+b%2Fc&x=1", "https://cdn.example.com/v.mp4?sig=a+b%2Fc&x=1"),
        ("https://bücher.example/k.jpg", "https://xn--bcher-kva.example/k.jpg"),
        ("https://8.8.8.8/cat.png", "https://8.8.8.8/cat.png"),
        ("https://[2606:4700:4700::1111]/cat.png", "https://[2606:4700:4700::1111]/cat.png"),
        ("https://[::ffff:8.8.8.8]/cat.png", "https://[::ffff:808:808]/cat.png"),
    ],
)
def test_acceptable_urls_are_normalised(url: str, normalised: str) -> None:
    parsed, problems = parse_url(url)
    assert problems == []
    assert parsed is not None and parsed.url == normalised


def test_a_clean_url_has_no_problems() -> None:
    assert check_url_shape("https://cdn.example.com/a/b/c.webp?w=800") == []


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://cdn.example.com/cat.png", "uses http"),
        ("ftp://cdn.example.com/cat.png", "is not an https URL"),
        ("cdn.example.com/cat.png", "is not an https URL"),
        ("//cdn.example.com/cat.png", "is not an https URL"),
        ("https:///cat.png", "has no host"),
        ("https://cdn.example.com/my cat.png", "space"),
        ("https://cdn.example.com/cat.png\n", "line break"),
        ("https://cdn.example.com/ca\tt.png", "space"),
        ("https://cdn.example.com/cat\u200b.png", "invisible"),
        ("https://cdn.example.com/cat\u00a0.png", "space"),
        ("https://cdn.example.com/my%20cat.png", "encoded space"),
        ("https://cdn.example.com/cat.png?name=my%20cat", "encoded space"),
        ("https://cdn.example.com/cat%0d%0aX-Injected:%201.png", "encoded space or control"),
        ("https://cdn.example.com/my%C2%A0cat.png", "encoded space"),
        ("https://cdn.example.com/my+cat.png", "'+'"),
        ("https://user:secret@cdn.example.com/cat.png", "user name or password"),
        ("https://user@cdn.example.com/cat.png", "user name or password"),
        ("https://cdn.example.com:8443/cat.png", "port 8443"),
        ("https://cdn.example.com:80/cat.png", "port 80"),
        ("https://cdn.example.com:99999/cat.png", "cannot be read"),
        ("https://cdn.example.com:abc/cat.png", "cannot be read"),
        ("https://[::1/cat.png", "cannot be read"),
        ("https://cdn.example.com\\@evil.example/cat.png", "backslash"),
        ("https://cdn..example.com/cat.png", "invalid host name"),
        ("https://-cdn.example.com/cat.png", "invalid host name"),
        ("https://cdn.exa!mple.com/cat.png", "invalid host name"),
        ("https://" + "a" * 64 + ".example.com/cat.png", "invalid host name"),
        ("https://straße.example/cat.png", "encoded two ways"),
        ("https://[fe80::1%25eth0]/cat.png", "IPv6 zone"),
        ("https://[v1.fe]/cat.png", "invalid IPv6 address"),
        ("https://1.2.3.999/cat.png", "not an IPv4 address"),
        ("https://1.2.3.4.5/cat.png", "not an IPv4 address"),
        ("https://cdn.example.123/cat.png", "not an IPv4 address"),
        ("https://08.1.2.3/cat.png", "not an IPv4 address"),
        ("https://0x7g.1/cat.png", "not an IPv4 address"),
    ],
)
def test_badly_shaped_urls_are_invalid(url: str, words: str) -> None:
    problems = check_url_shape(url)
    assert problems, url
    assert problems[0].code == INVALID
    assert any(words in problem.message for problem in problems), [p.message for p in problems]
    assert all(problem.field == "media" for problem in problems)


def test_a_message_names_the_url_and_the_field_is_passed_through() -> None:
    [problem] = check_url_shape("http://cdn.example.com/cat.png", field="media[2]")
    assert problem.message == "The media URL http://cdn.example.com/cat.png uses http; only https URLs are accepted."
    assert problem.field == "media[2]"


def test_invisible_characters_are_escaped_in_messages() -> None:
    [problem] = check_url_shape("https://cdn.example.com/cat.png\r\nX: 1")
    assert "\\u000d\\u000a" in problem.message and "\n" not in problem.message


def test_a_url_over_2048_characters_is_invalid() -> None:
    url = "https://cdn.example.com/" + "a" * 2021 + ".png"
    assert len(url) > 2048
    [problem] = check_url_shape(url)
    assert problem.code == INVALID and "2048" in problem.message and len(problem.message) < 400
    assert check_url_shape("https://cdn.example.com/" + "a" * (2048 - 28) + ".png") == []


@pytest.mark.parametrize("value", ["", None, 42, b"https://cdn.example.com/cat.png"])
def test_non_text_is_invalid(value: object) -> None:
    assert codes(value) == [INVALID]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "url",
    ["https://localhost/cat.png", "https://LOCALHOST./cat.png", "https://api.localhost/cat.png",
     "https://printer.local/cat.png", "https://metadata.google.internal/computeMetadata/v1/",
     "https://nas.home.arpa/cat.png", "https://box.localdomain/cat.png", "https://intranet/cat.png"],
)
def test_local_only_names_are_forbidden(url: str) -> None:
    assert codes(url)[0] == FORBIDDEN


# --- addresses written in the URL ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "address", "words"),
    [
        ("http://127.0.0.1/x.png", "127.0.0.1", "loopback"),
        ("https://127.0.0.1/x.png", "127.0.0.1", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254", "cloud metadata"),
        ("https://10.0.0.5/x.png", "10.0.0.5", "private"),
        ("https://[::1]/x.png", "::1", "loopback"),
        ("https://[fd00:ec2::254]/latest/meta-data/", "fd00:ec2::254", "cloud metadata"),
        ("https://0.0.0.0/x.png", "0.0.0.0", "unspecified"),
        ("https://[::]/x.png", "::", "unspecified"),
    ],
)
def test_ip_hosts_are_judged_by_the_shape_check(url: str, address: str, words: str) -> None:
    problems = check_url_shape(url)
    assert problems[0].code == FORBIDDEN  # the forbidden problem comes first, before "uses http"
    assert f"The media URL {url} leads to {address}, " in problems[0].message
    assert words in problems[0].message
    assert "Only public internet addresses are allowed." in problems[0].message


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://2130706433/", "127.0.0.1"),  # dotless decimal
        ("https://2130706433/x.png", "127.0.0.1"),
        ("https://0x7f.1/x.png", "127.0.0.1"),  # hex, two parts
        ("https://0X7F.0.0.1/x.png", "127.0.0.1"),
        ("https://0x7f000001/x.png", "127.0.0.1"),  # dotless hex
        ("https://017700000001/x.png", "127.0.0.1"),  # dotless octal
        ("https://0177.0.0.01/x.png", "127.0.0.1"),  # octal parts
        ("https://127.1/x.png", "127.0.0.1"),  # two parts
        ("https://127.0.1/x.png", "127.0.0.1"),  # three parts
        ("https://0xa9.0xfe.0xa9.0xfe/latest/meta-data/", "169.254.169.254"),
        ("https://2852039166/latest/meta-data/", "169.254.169.254"),
        ("https://0/x.png", "0.0.0.0"),
        ("https://10.1/x.png", "10.0.0.1"),
        ("https://0xc0a80001/x.png", "192.168.0.1"),
        ("https://１２７.０.０.１/x.png", "127.0.0.1"),  # full-width digits, mapped by IDNA
        ("https://127.0.0.1./x.png", "127.0.0.1"),
    ],
)
def test_odd_ipv4_spellings_are_read_as_a_client_would_and_refused(url: str, address: str) -> None:
    problems = check_url_shape(url)
    assert problems[0].code == FORBIDDEN
    assert f"leads to {address}, " in problems[0].message


@pytest.mark.parametrize(("url", "address"), [("https://134744072/x.png", "8.8.8.8"), ("https://0x8.0x8.0x8.0x8/x.png", "8.8.8.8")])
def test_a_public_address_in_an_odd_spelling_is_still_invalid(url: str, address: str) -> None:
    [problem] = check_url_shape(url)
    assert problem.code == INVALID
    assert f"writes the IP address {address} in an unusual form" in problem.message


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https://[::ffff:127.0.0.1]/x.png", "IPv4-mapped form of 127.0.0.1, a loopback"),
        ("https://[::ffff:169.254.169.254]/x.png", "IPv4-mapped form of 169.254.169.254, the cloud metadata"),
        ("https://[::ffff:10.0.0.5]/x.png", "IPv4-mapped form of 10.0.0.5, a private"),
        ("https://[::ffff:7f00:1]/x.png", "IPv4-mapped form of 127.0.0.1"),
        ("https://[2002:7f00:1::]/x.png", "6to4 form of 127.0.0.1"),
        ("https://[2002:c0a8:101::1]/x.png", "6to4 form of 192.168.1.1, a private"),
        ("https://[2002:a9fe:a9fe::]/x.png", "6to4 form of 169.254.169.254"),
        ("https://[64:ff9b::7f00:1]/x.png", "NAT64 form of 127.0.0.1"),
        ("https://[64:ff9b::10.0.0.5]/x.png", "NAT64 form of 10.0.0.5"),
        ("https://[64:ff9b:1::808:808]/x.png", "local-use NAT64"),
        ("https://[::127.0.0.1]/x.png", "IPv4-compatible form of 127.0.0.1"),
        ("https://[::8.8.8.8]/x.png", "IPv4-compatible"),
        ("https://[2001::1]/x.png", "Teredo"),
        ("https://[fe80::1]/x.png", "link-local"),
        ("https://[fc00::1]/x.png", "unique local"),
        ("https://[fd12:3456::1]/x.png", "unique local"),
        ("https://[fec0::1]/x.png", "site-local"),
        ("https://[ff02::1]/x.png", "multicast"),
        ("https://[ff0e::1]/x.png", "multicast"),
        ("https://[2001:db8::1]/x.png", "not on the public internet"),
    ],
)
def test_ipv6_forms_are_refused(url: str, words: str) -> None:
    problems = check_url_shape(url)
    assert problems[0].code == FORBIDDEN
    assert words in problems[0].message, problems[0].message


@pytest.mark.parametrize(
    "url",
    ["https://[2002:808:808::1]/x.png", "https://[64:ff9b::8.8.8.8]/x.png", "https://[2a00:1450:4001:81b::200e]/x.png"],
)
def test_ipv6_forms_of_public_addresses_pass(url: str) -> None:
    assert check_url_shape(url) == []


# --- check_address ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "words"),
    [
        # private (RFC 1918), every block and its edges
        ("10.0.0.0", "private"), ("10.255.255.255", "private"), ("172.16.0.1", "private"),
        ("172.31.255.255", "private"), ("192.168.0.1", "private"), ("192.168.255.255", "private"),
        # loopback
        ("127.0.0.1", "loopback"), ("127.255.255.254", "loopback"), ("::1", "loopback"),
        # link-local, with the metadata services named
        ("169.254.0.1", "link-local"), ("169.254.169.254", "cloud metadata"), ("fe80::1", "link-local"),
        ("febf::1", "link-local"), ("fd00:ec2::254", "cloud metadata"),
        # carrier-grade NAT (Alibaba's metadata service lives here)
        ("100.64.0.1", "carrier-grade NAT"), ("100.127.255.255", "carrier-grade NAT"), ("100.100.100.200", "carrier-grade NAT"),
        # unique local
        ("fc00::1", "unique local"), ("fdff:ffff::1", "unique local"),
        # multicast
        ("224.0.0.1", "multicast"), ("239.255.255.250", "multicast"), ("ff02::1", "multicast"),
        # unspecified and "this network"
        ("0.0.0.0", "unspecified"), ("::", "unspecified"), ("0.1.2.3", "this network"),
        # reserved and broadcast
        ("240.0.0.1", "reserved"), ("255.255.255.254", "reserved"), ("255.255.255.255", "broadcast"),
        # other special-purpose blocks
        ("192.0.0.192", "not on the public internet"),  # IETF protocol assignments (Oracle's metadata)
        ("192.0.2.1", "not on the public internet"), ("198.18.0.1", "not on the public internet"),
        ("198.51.100.7", "not on the public internet"), ("203.0.113.9", "not on the public internet"),
        ("2001:db8::1", "not on the public internet"), ("3fff::1", "not on the public internet"),
        ("100::1", "reserved"), ("2001:2::1", "not on the public internet"),
        # IPv6 forms embedding a non-public IPv4
        ("::ffff:127.0.0.1", "IPv4-mapped form of 127.0.0.1"), ("::ffff:192.168.1.1", "IPv4-mapped form of 192.168.1.1"),
        ("2002:0a00:0005::", "6to4 form of 10.0.0.5"), ("64:ff9b::a9fe:a9fe", "NAT64 form of 169.254.169.254"),
    ],
)
def test_every_non_public_address_is_refused(address: str, words: str) -> None:
    problem = check_address(address, url="https://cdn.example.com/x.png")
    assert problem is not None and problem.code == FORBIDDEN
    assert words in problem.message, problem.message
    assert problem.message.startswith("The media URL https://cdn.example.com/x.png leads to ")
    assert check_address(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "1.1.1.1", "93.184.216.34", "172.15.255.255", "172.32.0.1", "100.63.255.255", "100.128.0.1",
     "169.253.255.255", "2606:4700:4700::1111", "2a00:1450:4001:81b::200e", "::ffff:8.8.8.8", "64:ff9b::808:808"],
)
def test_public_addresses_pass(address: str) -> None:
    assert check_address(address) is None
    assert forbidden_reason(ipaddress.ip_address(address)) is None


def test_a_zone_id_does_not_hide_a_link_local_address() -> None:
    assert check_address("fe80::1%eth0") is not None


def test_a_resolved_address_message_names_the_host() -> None:
    problem = check_address("10.0.0.5", url="https://media.example.com/x.png", host="media.example.com")
    assert problem is not None
    assert problem.message == (
        "The media URL https://media.example.com/x.png names media.example.com, which resolves to 10.0.0.5,"
        " a private network address. Only public internet addresses are allowed."
    )


def test_something_that_is_not_an_address_is_refused() -> None:
    problem = check_address("not-an-ip")
    assert problem is not None and problem.code == FORBIDDEN and "not an IP address" in problem.message


# --- kinds --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://c.example.com/a.jpg", "image"), ("https://c.example.com/a.JPEG", "image"),
        ("https://c.example.com/a.png", "image"), ("https://c.example.com/a.webp", "image"),
        ("https://c.example.com/a.heic", "image"), ("https://c.example.com/a.gif", "gif"),
        ("https://c.example.com/a.mp4", "video"), ("https://c.example.com/a.MOV", "video"),
        ("https://c.example.com/a.m4v", "video"), ("https://c.example.com/a.webm", "video"),
        ("https://c.example.com/a.mp4?x=y.png#z.gif", "video"), ("https://c.example.com/dir.png/a.mp4", "video"),
        ("https://c.example.com/a%2Emp4", "video"),
        ("https://c.example.com/a", None), ("https://c.example.com/a.php", None), ("https://c.example.com/", None),
        ("https://c.example.com/archive.tar.gz", None), ("https://c.example.com/.png", None),
    ],
)
def test_the_extension_decides_the_kind(url: str, kind: str | None) -> None:
    assert expected_kind(url, None) == kind


def test_the_flag_decides_without_an_extension() -> None:
    assert expected_kind("https://c.example.com/media/123", True) == "video"
    assert expected_kind("https://c.example.com/media/123", False) == "image"
    assert expected_kind("https://c.example.com/media/123", None) is None
    assert expected_kind("https://c.example.com/clip.mp4", True) == "video"


@pytest.mark.parametrize(
    ("url", "is_video", "conflict"),
    [
        ("https://c.example.com/a.png", True, True),
        ("https://c.example.com/a.gif", True, True),
        ("https://c.example.com/a.mp4", False, True),
        ("https://c.example.com/a.mp4", True, False),
        ("https://c.example.com/a.png", False, False),
        ("https://c.example.com/a.png", None, False),
        ("https://c.example.com/a", True, False),
    ],
)
def test_a_flag_that_contradicts_the_extension_is_a_mismatch(url: str, is_video: bool | None, conflict: bool) -> None:
    problem = check_kind_flag(url, is_video)
    assert (problem is not None) == conflict
    if problem is not None:
        assert problem.code == MISMATCH and url in problem.message
