"""Fernway's open-source SDK repositories on GitHub: stars (and unstars), releases, issues.

Pure functions of (seed, scale, window): stars arrive over each repository's life with a growing
trend plus bursts after releases, about 8% are later withdrawn (unstarred), and the list a client
sees at instant t holds the stars with starred_at <= t minus those unstarred <= t. Issues are
opened, commented on and closed over the repository's life; at instant t an issue shows the
events up to t (its `updated_at` is the latest of them). Also the user objects GitHub lists.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from fernway_sandbox.calendar import DAY_S, epoch_s
from fernway_sandbox.truth import day_keys

OWNER = "fernway"
NEVER = np.iinfo(np.int64).max
STARS_PER_SCALE = 0.04  # 4,000 stars over all repositories at the default scale of 100,000
UNSTAR_SHARE = 0.08
BURST_SHARE = 0.3
# name, language, description, share of the stars, age in days at the window start
REPOS = (
    ("fernway-python", "Python", "Official Python SDK for the Fernway API", 0.38, 900),
    (
        "fernway-js",
        "TypeScript",
        "Official JavaScript/TypeScript SDK for the Fernway API",
        0.30,
        820,
    ),
    ("fernway-go", "Go", "Official Go SDK for the Fernway API", 0.17, 610),
    ("fernway-courier-app", "Kotlin", "Open-source courier app for Fernway deliveries", 0.15, 420),
)
FIRST = "anna ben carla dev elif femi gita hugo ines jan kai lena milo nora omar pia raj sara tom "
FIRST += "uma vic wen yusuf zoe ada bo cleo dan eva finn gus hana ivo jo kira leo mai nils ola"
LAST = "berg costa diaz eko fox gold hale ito jung kim lund moss novak ortiz park quinn rossi "
LAST += "silva tan ueda vega wolf xu young zhou adams brun cruz dahl engel frey gray holm ivers"
FIRST_NAMES, LAST_NAMES = FIRST.split(), LAST.split()


@dataclass(frozen=True)
class Release:
    """One release (draft: not published, `published_at` None)."""

    id: int
    tag_name: str
    created_at: int
    published_at: int | None
    prerelease: bool
    draft: bool


ISSUE_LABELS = ("bug", "enhancement", "question", "documentation", "good first issue")
ISSUE_TOPICS = (
    "Crash when {x}",
    "Support {x}",
    "Docs: explain {x}",
    "Slow response when {x}",
    "Wrong total shown after {x}",
)
ISSUE_SUBJECTS = (
    "a shift is paused",
    "switching cities",
    "a delivery is reassigned",
    "offline mode",
    "the payout screen opens",
    "dark mode",
    "uploading a proof photo",
)


@dataclass(frozen=True)
class Issue:
    """One issue: opened at `created_at`, commented at `comment_times`, maybe closed later."""

    id: int
    number: int
    title: str
    user_id: int
    labels: tuple[str, ...]
    created_at: int
    comment_times: tuple[int, ...]
    closed_at: int | None

    def comments_at(self, at: int) -> int:
        """Comments posted up to epoch second `at`."""
        return sum(t <= at for t in self.comment_times)

    def closed_by(self, at: int) -> bool:
        """Whether the issue is closed at `at`."""
        return self.closed_at is not None and self.closed_at <= at

    def updated_at(self, at: int) -> int:
        """The latest event (opened, commented, closed) up to `at`."""
        events = (self.created_at, *self.comment_times, self.closed_at or self.created_at)
        return max(t for t in events if t <= at)


@dataclass(frozen=True)
class Repo:
    """One repository; star columns are sorted by `starred_at` (epoch seconds)."""

    index: int
    id: int
    name: str
    language: str
    description: str
    created_at: int
    starred_at: np.ndarray
    unstarred_at: np.ndarray  # NEVER when the star is kept past the window end
    user_id: np.ndarray
    releases: tuple[Release, ...]
    issues: tuple[Issue, ...] = ()

    @property
    def full_name(self) -> str:
        return f"{OWNER}/{self.name}"

    def visible(self, at: int) -> np.ndarray:
        """Positions of the stars listed at epoch second `at`, oldest first."""
        return np.flatnonzero((self.starred_at <= at) & (self.unstarred_at > at))

    def releases_at(self, at: int) -> list[Release]:
        """Releases that exist at `at` (drafts once created), newest first."""
        shown = [r for r in self.releases if (r.published_at or r.created_at) <= at]
        return sorted(shown, key=lambda r: r.created_at, reverse=True)

    def issues_at(self, at: int) -> list[Issue]:
        """Issues opened up to `at`, by number."""
        return [i for i in self.issues if i.created_at <= at]


def login(user_id: int) -> str:
    """A stable, unique login for a user id."""
    i = user_id - 40_000_000
    first = FIRST_NAMES[i % len(FIRST_NAMES)]
    last = LAST_NAMES[(i // len(FIRST_NAMES)) % len(LAST_NAMES)]
    return f"{first}{last}{i // (len(FIRST_NAMES) * len(LAST_NAMES))}"


def node_id(kind: str, number: int) -> str:
    """GitHub's legacy global node id."""
    return base64.b64encode(f"0{len(kind)}:{kind}{number}".encode()).decode()


def user(user_id: int, kind: str = "User", name: str = "") -> dict:
    """A simple user object as GitHub lists them."""
    name = name or login(user_id)
    api = f"https://api.github.com/users/{name}"
    return {
        "login": name,
        "id": user_id,
        "node_id": node_id(kind, user_id),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{user_id}?v=4",
        "gravatar_id": "",
        "url": api,
        "html_url": f"https://github.com/{name}",
        "followers_url": f"{api}/followers",
        "repos_url": f"{api}/repos",
        "type": kind,
        "user_view_type": "public",
        "site_admin": False,
    }


def releases(rng: np.random.Generator, index: int, created: int, end: int) -> tuple[Release, ...]:
    """A release every 2-7 weeks from two weeks after creation; some rc's; one open draft."""
    gaps = rng.uniform(14, 49, size=int((end - created) / DAY_S / 14) + 2) * DAY_S
    times = (created + 14 * DAY_S + np.concatenate([[0], np.cumsum(gaps)])).astype(np.int64)
    times = times[times < end - 3 * DAY_S]
    minor, patch, result = 1, 0, []
    for k, t in enumerate(times.tolist()):
        rc = bool(rng.random() < 0.12)
        tag = f"v0.{minor}.{patch}" + ("-rc.1" if rc else "")
        rid = 150_000_000 + index * 100_000 + k
        result.append(Release(rid, tag, t - 3600, t, rc, False))
        if not rc:
            minor, patch = (minor + 1, 0) if rng.random() < 0.2 else (minor, patch + 1)
    draft_at = end - 2 * DAY_S
    rid = 150_000_000 + index * 100_000 + len(result)
    result.append(Release(rid, f"v0.{minor}.{patch}", draft_at, None, False, True))
    return tuple(result)


def issues(seed: int, index: int, created: int, end: int) -> tuple[Issue, ...]:
    """About one issue every four days of the repository's life (its own random stream, so
    stars and releases do not change): ~65% closed, 0-4 comments each, every event before `end`."""
    rng = np.random.default_rng([seed, 0x155E, index])
    n = max(8, int((end - created) / DAY_S / 4))
    opened = np.sort(created + DAY_S + ((end - created - 2 * DAY_S) * rng.random(n))).astype(int)
    result = []
    for k, at in enumerate(opened.tolist()):
        gaps = np.cumsum(rng.exponential(3 * DAY_S, size=int(rng.integers(0, 5)))).astype(int)
        comments = tuple(t for t in (at + 60 + gaps).tolist() if t < end)
        close = at + 600 + int(rng.exponential(9 * DAY_S))
        closed = close if rng.random() < 0.65 and close < end else None
        topic = ISSUE_TOPICS[int(rng.integers(0, len(ISSUE_TOPICS)))]
        subject = ISSUE_SUBJECTS[int(rng.integers(0, len(ISSUE_SUBJECTS)))]
        label = ISSUE_LABELS[int(rng.integers(0, len(ISSUE_LABELS)))]
        number = k + 1
        result.append(
            Issue(
                2_100_000_000 + index * 1_000_000 + number,
                number,
                topic.format(x=subject),
                40_000_000 + int(rng.integers(0, 5_000)),
                (label,),
                at,
                comments,
                closed,
            )
        )
    return tuple(result)


def repo(seed: int, index: int, stars: int, start: dt.date, end: int, pool: int) -> Repo:
    """Generate one repository (vectorised over its stars)."""
    name, language, description, _, age_days = REPOS[index]
    rng = np.random.default_rng([seed, 0x61C6, index])
    created = epoch_s(start) - age_days * DAY_S + int(rng.integers(0, DAY_S))
    rels = releases(rng, index, created, end)
    published = np.array([r.published_at for r in rels if not r.draft], dtype=np.int64)
    span = end - created
    when = created + (span * np.sqrt(rng.random(stars))).astype(np.int64)  # growing interest
    burst = rng.random(stars) < BURST_SHARE
    after = published[rng.integers(0, len(published), size=stars)] + (
        rng.exponential(2.5 * DAY_S, size=stars)
    ).astype(np.int64)
    when = np.where(burst & (after < end), after, when)
    when.sort()
    gone = rng.random(stars) < UNSTAR_SHARE
    unstar = when + 60 + rng.exponential(30 * DAY_S, size=stars).astype(np.int64)
    unstar = np.where(gone & (unstar < end), unstar, NEVER)
    users = 40_000_000 + rng.choice(pool, size=stars, replace=False).astype(np.int64)
    return Repo(
        index,
        600_000_000 + int(rng.integers(0, 90_000_000)),
        name,
        language,
        description,
        created,
        when,
        unstar,
        users,
        rels,
        issues(seed, index, created, end),
    )


@lru_cache(maxsize=4)
def generate(seed: int, scale: int, start: dt.date, days: int) -> tuple[Repo, ...]:
    """Every repository of the window (cached: the service and the truth share it)."""
    total = max(40, round(scale * STARS_PER_SCALE))
    end = epoch_s(start) + days * DAY_S
    pool = int(total * 0.6) + 1000  # fans star several repositories
    return tuple(
        repo(seed, i, max(10, round(total * spec[3])), start, end, pool)
        for i, spec in enumerate(REPOS)
    )


def iso(epoch: int | None) -> str | None:
    """GitHub's timestamp format (UTC, seconds, `Z`)."""
    if epoch is None:
        return None
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def repo_truth(r: Repo, start: dt.date, days: int) -> dict:
    """Stars per day of the window as of the window end (`stars`: starred that day and still
    starred at the end; `starred` / `unstarred`: gross events that day) and every release."""
    first, end = epoch_s(start), epoch_s(start) + days * DAY_S
    kept = r.unstarred_at == NEVER
    in_window = (r.starred_at >= first) & (r.starred_at < end)
    day = (r.starred_at - first) // DAY_S
    starred = np.bincount(day[in_window], minlength=days)
    stars = np.bincount(day[in_window & kept], minlength=days)
    gone = (r.unstarred_at >= first) & (r.unstarred_at < end)
    unstarred = np.bincount((r.unstarred_at[gone] - first) // DAY_S, minlength=days)
    rows = zip(
        day_keys(start, days), stars.tolist(), starred.tolist(), unstarred.tolist(), strict=True
    )
    return {
        "id": r.id,
        "created_at": iso(r.created_at),
        "stargazers_count": int(kept.sum()),
        "stars_before_window": int((kept & (r.starred_at < first)).sum()),
        "by_day": {k: {"stars": s, "starred": g, "unstarred": u} for k, s, g, u in rows},
        "releases": [
            {
                "id": x.id,
                "tag_name": x.tag_name,
                "published_at": iso(x.published_at),
                "draft": x.draft,
                "prerelease": x.prerelease,
            }
            for x in r.releases
        ],
        "issues": [
            {
                "id": i.id,
                "number": i.number,
                "state": "closed" if i.closed_by(end) else "open",
                "created_at": iso(i.created_at),
                "updated_at": iso(i.updated_at(end)),
                "closed_at": iso(i.closed_at),
                "comments": i.comments_at(end),
            }
            for i in r.issues
        ],
    }
