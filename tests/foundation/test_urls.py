"""normalise_url: a table of what goes in and what comes out."""

from __future__ import annotations

import pytest

from pricemon.domain.urls import is_tracking_param, normalise_url
from pricemon.errors import InputError


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://shop.example/item/1", "https://shop.example/item/1"),
        ("  https://shop.example/item/1\n", "https://shop.example/item/1"),
        ("HTTPS://Shop.Example.COM/Item/1", "https://shop.example.com/Item/1"),
        ("https://shop.example", "https://shop.example/"),
        ("https://shop.example./x", "https://shop.example/x"),
        ("https://shop.example:443/x", "https://shop.example/x"),
        ("http://shop.example:80/x", "http://shop.example/x"),
        ("https://shop.example:80/x", "https://shop.example:80/x"),
        ("http://127.0.0.1:8000/p", "http://127.0.0.1:8000/p"),
        ("http://[::1]:8000/p", "http://[::1]:8000/p"),
        ("https://shop.example/x#reviews", "https://shop.example/x"),
        ("https://shop.example/x?id=1#top", "https://shop.example/x?id=1"),
        (
            "https://shop.example/x?utm_source=mail&utm_MEDIUM=a&id=7&color=red",
            "https://shop.example/x?id=7&color=red",
        ),
        ("https://shop.example/x?b=2&a=1&c=3", "https://shop.example/x?b=2&a=1&c=3"),
        ("https://shop.example/x?gclid=1&fbclid=2&msclkid=3", "https://shop.example/x"),
        ("https://shop.example/x?mc_cid=1&mc_eid=2&_ga=3&_gl=4&q=z", "https://shop.example/x?q=z"),
        ("https://shop.example/x?ref=home&ref_=nav&ref_src=tw&p=1", "https://shop.example/x?p=1"),
        ("https://shop.example/x?srsltid=abc&sku=9", "https://shop.example/x?sku=9"),
        ("https://shop.example/x?q=a+b&empty=&flag", "https://shop.example/x?q=a+b&empty=&flag"),
        ("https://shop.example/x?&&id=1&", "https://shop.example/x?id=1"),
        ("https://shop.example/a b", "https://shop.example/a%20b"),
        ("https://shop.example/caf%C3%A9", "https://shop.example/caf%C3%A9"),
        ("https://shop.example/café?q=é", "https://shop.example/caf%C3%A9?q=%C3%A9"),
        ("https://bücher.example/x", "https://xn--bcher-kva.example/x"),
        ("https://shop_1.example/x", "https://shop_1.example/x"),
    ],
)
def test_normalise_url(given: str, expected: str) -> None:
    assert normalise_url(given) == expected
    assert normalise_url(expected) == expected  # idempotent


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("", "invalid URL '': it is empty"),
        ("   ", "invalid URL '   ': it is empty"),
        ("not-a-url", "invalid URL 'not-a-url': it does not start with http:// or https://"),
        (
            "shop.example/item",
            "invalid URL 'shop.example/item': it does not start with http:// or https://",
        ),
        (
            "localhost:8000/x",
            "invalid URL 'localhost:8000/x': it does not start with http:// or https://",
        ),
        (
            "javascript:alert(1)",
            "invalid URL 'javascript:alert(1)': it does not start with http:// or https://",
        ),
        (
            "file:///etc/passwd",
            "invalid URL 'file:///etc/passwd': only http and https pages can be monitored,"
            " not file://",
        ),
        (
            "ftp://shop.example/x",
            "invalid URL 'ftp://shop.example/x': only http and https pages can be monitored,"
            " not ftp://",
        ),
        ("http:///path", "invalid URL 'http:///path': it has no host name"),
        ("https://", "invalid URL 'https://': it has no host name"),
        ("https://a..b/", "invalid URL 'https://a..b/': 'a..b' is not a valid host name"),
        (
            "https://sh op.example/",
            "invalid URL 'https://sh op.example/': 'sh op.example' is not a valid host name",
        ),
        (
            "https://shop.example:99999/",
            "invalid URL 'https://shop.example:99999/': port '99999' is not a number"
            " from 1 to 65535",
        ),
        (
            "https://shop.example:abc/",
            "invalid URL 'https://shop.example:abc/': port 'abc' is not a number from 1 to 65535",
        ),
        (
            "http://[::1",
            "invalid URL 'http://[::1': its host is not a valid name or IPv6 address",
        ),
        (
            "https://me:s3cret@shop.example/x",
            "invalid URL 'https://***@shop.example/x': it contains a user name or password",
        ),
        (
            "https://shop.example/" + "a" * 2100,
            "invalid URL 'https://shop.example/" + "a" * 56 + "...': it is longer than"
            " 2048 characters",
        ),
    ],
)
def test_invalid_urls(given: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        normalise_url(given)
    assert caught.value.message == message
    assert caught.value.hint
    assert "s3cret" not in caught.value.message


@pytest.mark.parametrize(
    ("name", "tracking"),
    [
        ("utm_source", True),
        ("UTM_Campaign", True),
        ("pk_kwd", True),
        ("gclid", True),
        ("ref", True),
        ("id", False),
        ("variant", False),
        ("reference", False),
        ("tag", False),
    ],
)
def test_is_tracking_param(name: str, tracking: bool) -> None:
    assert is_tracking_param(name) is tracking
