"""Token buckets: a burst, then one request more every interval, counted per key in this process."""

from shared.web.ratelimit import CLIENT, Buckets, Rate, RateLimit, retry_after, sign_in, token_link


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_takes_its_burst_then_one_more_every_interval() -> None:
    clock = Clock()
    buckets = Buckets(Rate(burst=3, every=6.0), clock)
    for _ in range(3):
        assert buckets.wait("203.0.113.7") == 0
        buckets.take("203.0.113.7")

    assert buckets.wait("203.0.113.7") == 6.0
    clock.now += 4.5
    assert buckets.wait("203.0.113.7") == 1.5
    assert retry_after(buckets.wait("203.0.113.7")) == 2
    clock.now += 1.5
    assert buckets.wait("203.0.113.7") == 0


def test_each_key_has_its_own_bucket_and_a_bucket_fills_no_higher_than_its_burst() -> None:
    clock = Clock()
    buckets = Buckets(Rate(burst=2, every=1.0), clock)
    buckets.take("198.51.100.1")
    buckets.take("198.51.100.1")

    assert buckets.wait("198.51.100.1") > 0
    assert buckets.wait("198.51.100.2") == 0
    clock.now += 3600
    buckets.take("198.51.100.1")
    buckets.take("198.51.100.1")
    assert buckets.wait("198.51.100.1") > 0


def test_the_least_recently_used_key_is_forgotten_first_when_too_many_are_kept() -> None:
    buckets = Buckets(Rate(burst=1, every=60.0), Clock(), keys=2)
    buckets.take("first")
    buckets.take("second")
    buckets.take("first")  # used again: now the most recent
    buckets.take("third")

    assert buckets.wait("first") > 0 and buckets.wait("third") > 0
    assert buckets.wait("second") == 0


def scope(method: str, path: str, client: str = "203.0.113.7") -> dict[str, object]:
    return {"type": "http", "method": method, "path": path, "client": (client, 50123)}


def test_a_limit_counts_only_the_requests_of_its_methods_and_path() -> None:
    login = sign_in("/login")
    link, misses = token_link("/feedback/forms/{token}")

    assert login.key(scope("POST", "/login")) == "203.0.113.7"
    assert login.key(scope("GET", "/login")) is None
    assert link.key(scope("GET", "/feedback/forms/3f2a9c")) == "3f2a9c"
    assert link.key(scope("POST", "/feedback/forms/3f2a9c")) == "3f2a9c"
    assert link.key(scope("GET", "/feedback/forms/3f2a9c/form.pdf")) is None
    assert misses.key(scope("GET", "/feedback/forms/3f2a9c")) == "203.0.113.7"
    assert misses.counts(404) and not misses.counts(200) and link.counts(200)


def test_a_limit_by_a_path_parameter_names_one_of_the_path() -> None:
    try:
        RateLimit("bad", frozenset({"GET"}), "/feedback/forms/{token}", "proposal_id", Rate(1, 1.0))
    except ValueError as error:
        assert "proposal_id" in str(error)
    else:
        raise AssertionError("a limit by a parameter the path lacks was accepted")
    assert RateLimit("ok", frozenset({"GET"}), "/x", CLIENT, Rate(1, 1.0)).key(scope("GET", "/x"))
