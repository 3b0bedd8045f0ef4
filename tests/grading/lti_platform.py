#!/usr/bin/env python3
"""Minimal LTI 1.3 *platform* (LMS side) for integration-testing an LTI tool's
service calls: OAuth2 client_credentials token endpoint with JWT client assertion,
AGS line items / scores / results, and NRPS context memberships. Also the LTI 1.1
Basic Outcomes service (POX over OAuth 1.0a, at `lti11_outcomes_url`).

Built on the PyPI packages ``lti1p3platform`` 0.1.8 and (LTI 1.1 only) ``oauthlib`` 4.0.1,
plus the standard library (http.server); no web framework. Run `python lti_platform.py
--help` for its options; the first line it prints is JSON with its port and URLs. Test
control (no auth): POST /_test/reset, POST /_test/config, GET|POST|DELETE /_test/faults,
GET|POST /_test/scores, GET|POST|DELETE /_test/locks, GET /_test/requests, GET /_test/state,
POST /_test/members, POST /_test/lti11/sourcedids, GET|POST /_test/lti11/results.

What a teacher does in the LMS, and faults per student (JSON bodies; `lineitem` is a line
item's id URL, its number, or its resourceId):
  * POST /_test/scores {"ctx": "42", "lineitem": "ps1", "userId": "u-alice", "resultScore": 7}
    sets a grade as a teacher editing the gradebook would (resultScore on the line item's
    scale; null clears it). The results service shows it like any other; it is not a score the
    tool posted (not in GET /_test/scores' "log"; "source": "gradebook" in its "current"), and
    as in Moodle it is stamped now, so a tool's score must be later than it. A later tool score
    replaces it, unless "overridden": true: then, as Moodle does with a grade edited in its
    gradebook (an override of the activity's grade), the tool's score is taken (200) as the raw
    grade but the teacher's stays the one the results service shows.
  * POST /_test/locks {"ctx": "42", "lineitem": "ps1"} locks the grade column (the grade item),
    with "userId": "u-alice" only that student's grade; "locked": false unlocks that one again,
    DELETE /_test/locks unlocks all, GET /_test/locks lists them ({"locks": [{"ctx", "lineitem",
    "userId"}]}, userId null for a column). A score POST to a locked grade is checked as any
    other (auth 401, body 400, timestamp 409) and then answered as Moodle 4.5 does when
    `grade_update` fails (gradebookservices::save_grade_item throws Exception(null, 500)):
    HTTP 500 "Internal Server Error", no Content-Type of its own (PHP's text/html) and the body
    `[]` that scores.php starts its answer with. Reads (line items, results) answer as ever.
    The refused POST is in the score log with "outcome": 500.
  * POST /_test/lti11/results {"sourcedid": "ps1:u-alice", "score": 0.5} does the same for an
    LTI 1.1 result (a fraction 0-1; null clears it); GET /_test/lti11/results' "log" lists only
    the tool's requests.
  * Fault rules (POST /_test/faults, below) with "users": ["u-alice", "u-bob"] match only
    requests whose JSON body's userId is one of them (score POSTs), e.g.
    {"method": "POST", "path": "/scores", "users": ["u-alice"], "status": 503, "times": null}
    fails every score of alice until DELETE /_test/faults clears the rules.

Which parts come from the libraries:
  * token endpoint core: LTI1P3PlatformConfAbstract.get_access_token()
    (fetches the tool JWKS, picks the key by kid+alg, verifies RS256 + exp,
    filters scopes, signs the access token)
  * bearer-token check on every service call: the @authenticate decorator in
    service_connector.py -> LTI1P3PlatformConfAbstract.validate_token()
  * AGS request handling: AssignmentsGradesService.handle_* (paging "next" URL,
    409 for UpdateScoreStatus.OLD_TIMESTAMP, media types)
  * NRPS request handling: NamesRoleProvisioningService.handle_get_members
  * LTI 1.1 OAuth 1.0a signature check: oauthlib's SignatureOnlyEndpoint with our
    RequestValidator (consumer key/secret, nonce memory, timestamp window)
Everything else (HTTP server, routing, storage, the claims checks the library
skips, per-endpoint scopes, Link headers, fault injection, test-control API; for LTI 1.1
the oauth_body_hash check, POX parsing with xml.etree and the POX answers) is written here.

LTI 1.1 outcomes: one consumer (`lti11_consumer_key` / `lti11_secret`); only sourcedids
declared in `lti11_sourcedids` or through POST /_test/lti11/sourcedids are gradable, others
get imsx_codeMajor failure. OAuth failures (bad signature, unknown key, replayed nonce,
stale timestamp, body hash mismatch) answer HTTP 401 with a POX failure saying why.
"""
from __future__ import annotations

import os
import sys

# Keep this directory off sys.path: nothing here may shadow a standard-library module that
# the libraries import (the file was once named platform.py, after the `platform` module).
sys.path[:] = [x for x in sys.path if os.path.abspath(x or ".") != os.path.dirname(os.path.abspath(__file__))]

import argparse
import base64
import hashlib
import hmac
import itertools
import json
import math
import re
import sys
import threading
import time
import typing as t
from calendar import timegm
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit
from xml.etree import ElementTree
from xml.sax.saxutils import escape as xml_escape

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from lti1p3platform.exceptions import (
    LineItemNotFoundException,
    LtiException,
    LtiServiceException,
    MissingRequiredClaim,
    UnsupportedGrantType,
)
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.membership import Context
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request, TRequest
from lti1p3platform.response import Response
from lti1p3platform.score import UpdateScoreStatus
from lti1p3platform.service_connector import (
    AssignmentsGradesService,
    NamesRoleProvisioningService,
    TPage,
)
from oauthlib.oauth1 import RequestValidator, SignatureOnlyEndpoint

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_RO = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_RESULT_RO = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
POX_NS = "http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0"

DEFAULT_CONFIG: t.Dict[str, t.Any] = {
    "host": "127.0.0.1",
    "port": 8765,
    # Public base URL; defaults to http://host:port. Also the access-token issuer.
    "base_url": None,
    "client_id": "lablink-grading",
    "deployment_id": "1",
    "tool_jwks_url": "http://127.0.0.1:9999/jwks",
    # Expected `aud` of the client assertion; defaults to the token URL.
    "token_audience": None,
    "token_path": "/token",          # Moodle: "/mod/lti/token.php"
    "service_prefix": "",            # Moodle: "/mod/lti/services.php" (before /{ctx}/lineitems)
    "access_token_lifetime": 3600,
    # Server-side page size for line items / results / members (also caps ?limit).
    "page_size": 2,
    # "moodle": <..>; rel=“next” with typographic quotes, several links in one header
    # "rfc":    <..>; rel="next"     "library": <..>; rel=next (lti1p3platform's own)
    # "relative": </path?query>; rel="next" (a reference relative to the request URL, RFC 8288)
    "link_style": "moodle",
    # "second": Moodle-like, 409 unless the new timestamp is in a later whole second
    # "exact":  409 unless strictly later at full (nanosecond) precision
    "timestamp_granularity": "second",
    # Moodle-style `?type_id=N` on every service URL (None = no query string)
    "type_id": None,
    # Check Content-Type of score / line item POSTs
    "strict_content_type": True,
    # Per-endpoint scope checks (the library only checks "any AGS scope")
    "strict_scopes": True,
    # The tool's service settings, as Moodle's tool configuration has them; the token endpoint
    # grants only the scopes they permit (answering the granted ones in `scope`), as Moodle's
    # token.php does. ags_service: "column_management" (Moodle: "Use this service for grade
    # sync and column management": lineitem, lineitem.readonly, result.readonly, score),
    # "sync_only" ("... for grade sync only": all but lineitem), "off" (none).
    # nrps_service: whether "IMS LTI Names and Role Provisioning" is enabled.
    "ags_service": "column_management",
    "nrps_service": True,
    "courses": {
        "42": {
            "label": "CS101",
            "title": "Intro to Computing",
            "members": [
                {"user_id": "u-instructor", "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
                 "name": "Ina Instructor", "email": "ina@example.org"},
                {"user_id": "u-alice", "roles": [LEARNER], "name": "Alice", "email": "alice@example.org"},
                {"user_id": "u-bob", "roles": [LEARNER], "name": "Bob", "email": "bob@example.org"},
                {"user_id": "u-carol", "roles": [LEARNER], "name": "Carol", "email": "carol@example.org",
                 "status": "Inactive"},
            ],
            "lineitems": [
                {"label": "Homework 1", "scoreMaximum": 10, "resourceId": "hw1", "tag": "nbgrader"},
                {"label": "Homework 2", "scoreMaximum": 20, "resourceId": "hw2", "tag": "nbgrader"},
                {"label": "Quiz", "scoreMaximum": 5, "resourceId": "quiz", "tag": "other"},
            ],
        }
    },
    # Fault rules, see Store.match_fault
    "faults": [],
    # LTI 1.1 Basic Outcomes: path (Moodle: "/mod/lti/service.php"), the one consumer, the
    # gradable sourcedids (more via POST /_test/lti11/sourcedids), and how far an
    # oauth_timestamp may be from this server's clock, in seconds.
    "lti11_path": "/lti11/outcomes",
    "lti11_consumer_key": "lablink-key",
    "lti11_secret": "lablink-secret",
    "lti11_sourcedids": [],
    "lti11_timestamp_lifetime": 300,
}


# --------------------------------------------------------------------------- state

_TS_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?"
    r"(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$"
)


def parse_timestamp_ns(value: str) -> int:
    """ISO 8601 date-time -> integer nanoseconds since the epoch (no precision loss
    up to 9 fractional digits; no offset = UTC)."""
    m = _TS_RE.match(value or "")
    if not m:
        raise ValueError(f"not an ISO 8601 date-time: {value!r}")
    y, mo, d, h, mi, s = (int(m.group(i)) for i in range(1, 7))
    frac = (m.group(7) or "")[:9].ljust(9, "0")
    secs = timegm((y, mo, d, h, mi, s, 0, 0, 0))
    if m.group(9):
        off = int(m.group(10)) * 3600 + int(m.group(11)) * 60
        secs -= off if m.group(9) == "+" else -off
    return secs * 1_000_000_000 + int(frac)


class Store:
    """All mutable state, guarded by one lock."""

    def __init__(self, config: t.Dict[str, t.Any]) -> None:
        self.lock = threading.RLock()
        self.config = config
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.ids = itertools.count(1)
            self.courses: t.Dict[str, t.Dict[str, t.Any]] = {}
            for ctx, c in self.config["courses"].items():
                course = {"label": c.get("label", ctx), "title": c.get("title", ctx),
                          "members": [dict(m) for m in c.get("members", [])], "lineitems": {}}
                self.courses[str(ctx)] = course
                for li in c.get("lineitems", []):
                    self._add_lineitem(str(ctx), dict(li))
            # (ctx, lineitem id, user) -> latest accepted score + ns timestamp
            self.scores: t.Dict[t.Tuple[str, str, str], t.Dict[str, t.Any]] = {}
            self.score_log: t.List[t.Dict[str, t.Any]] = []   # every POST, accepted or not
            self.request_log: t.List[t.Dict[str, t.Any]] = []
            self.faults: t.List[t.Dict[str, t.Any]] = [dict(f) for f in self.config.get("faults", [])]
            self.seen_jti: t.Dict[str, float] = {}
            self.tokens_issued = 0
            self.lti11_sourcedids: t.Set[str] = set(self.config.get("lti11_sourcedids", []))
            self.lti11_results: t.Dict[str, str] = {}       # sourcedid -> textString as sent
            self.lti11_log: t.List[t.Dict[str, t.Any]] = []  # every request reaching the endpoint
            self.lti11_nonces: t.Dict[t.Tuple[str, str], float] = {}  # (key, nonce) -> when seen
            # (ctx, lineitem number, user or None for the whole column) locked in the gradebook
            self.locks: t.Set[t.Tuple[str, str, t.Optional[str]]] = set()

    def is_locked(self, ctx: str, num: str, user: str) -> bool:
        with self.lock:
            return (ctx, num, None) in self.locks or (ctx, num, user) in self.locks

    def _add_lineitem(self, ctx: str, data: t.Dict[str, t.Any]) -> t.Dict[str, t.Any]:
        num = str(next(self.ids))
        data.pop("id", None)
        data["_num"] = num
        self.courses[ctx]["lineitems"][num] = data
        return data

    # Fault rules: {"method": "POST", "path": "regex on path?query", "status": 429,
    #   "times": 1 (null = forever), "skip": 0 (let N matching requests through first),
    #   "headers": {"Retry-After": "1"}, "body": {...}, "delay_ms": 0}
    # status may be omitted to only delay. Matching is before auth and routing.
    # "moodle_error": "text" answers Moodle's HTML error page with that message instead of JSON.
    # "users": ["u1", ...] (or one string) matches only bodies that are JSON with such a userId.
    def match_fault(self, method: str, target: str, body: bytes = b"") -> t.Optional[t.Dict[str, t.Any]]:
        with self.lock:
            for rule in self.faults:
                if rule.get("method") and rule["method"].upper() != method:
                    continue
                if rule.get("path") and not re.search(rule["path"], target):
                    continue
                if rule.get("users") is not None and body_user(body) not in as_list(rule["users"]):
                    continue
                if rule.get("skip", 0) > 0:
                    rule["skip"] -= 1
                    continue
                times = rule.get("times", 1)
                if times is not None:
                    if times <= 0:
                        continue
                    rule["times"] = times - 1
                rule["hits"] = rule.get("hits", 0) + 1
                return dict(rule)
        return None


def as_list(value: t.Any) -> t.List[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def body_user(body: bytes) -> t.Optional[str]:
    """The `userId` of a JSON body (a score), if it has one."""
    try:
        data = json.loads(body) if body else None
    except ValueError:
        return None
    return str(data["userId"]) if isinstance(data, dict) and "userId" in data else None


class GradeLocked(Exception):
    """A score for a grade locked in the gradebook (see POST /_test/locks)."""


# Moodle 4.5's answer when it will not store a score: 500, the reason phrase only, no
# Content-Type set by its response class (PHP's default), and scores.php's initial body.
MOODLE_NOT_STORED = (500, {"Content-Type": "text/html; charset=UTF-8"}, b"[]")


# ------------------------------------------------------------------- library glue

class PlatformConf(LTI1P3PlatformConfAbstract):
    """Registration of the one tool under test. A fresh instance per request:
    the library keeps per-call JWT state on the instance and caches the tool JWKS
    on the Registration, so sharing one would be racy and never re-fetch keys."""

    def init_platform_config(self, **kwargs: t.Any) -> None:
        s = kwargs["settings"]
        self._registration = (
            Registration()
            .set_iss(s["base_url"])
            .set_client_id(s["client_id"])
            .set_deployment_id(s["deployment_id"])
            .set_tool_key_set_url(s["tool_jwks_url"])
            .set_platform_public_key(s["platform_public_pem"])
            .set_platform_private_key(s["platform_private_pem"])
        )

    def get_registration_by_params(self, **kwargs: t.Any) -> Registration:
        assert self._registration is not None
        return self._registration


class PlainRequest(Request):
    """lti1p3platform Request built from an already-parsed dict."""

    def build_metadata(self, request: t.Any) -> TRequest:
        return request


def qs_for_library(query: t.Dict[str, str]) -> t.Dict[str, t.Any]:
    # The library does `page + 1` on the raw query value, so page/limit must be ints.
    out: t.Dict[str, t.Any] = dict(query)
    for k in ("page", "limit"):
        if k in out:
            try:
                out[k] = int(out[k])
            except ValueError:
                raise LtiServiceException(f"bad {k}", 400)
    return out


def page_of(items: t.List[t.Any], page: int, limit: t.Optional[int], cap: int) -> TPage:
    size = min(limit, cap) if limit else cap
    page = max(int(page), 1)
    start = (page - 1) * size
    return {"content": items[start:start + size], "has_next": start + size < len(items), "next": None}


class Ags(AssignmentsGradesService):
    def __init__(self, app: "App", request: Request, ctx: str, num: t.Optional[str]) -> None:
        self.app, self.store, self.ctx, self.num = app, app.store, ctx, num
        super().__init__(
            request,
            app.platform(),
            # plain URLs: the library appends "?<query>" itself (type_id is re-added in render)
            lineitems_url=app.plain_url(app.svc(f"/{ctx}/lineitems")),
            lineitem_url=app.plain_url(app.svc(f"/{ctx}/lineitems/{num}/lineitem")) if num else None,
            allow_creating_lineitems=True,
        )

    def _course(self) -> t.Dict[str, t.Any]:
        return self.store.courses[self.ctx]

    def _render(self, li: t.Dict[str, t.Any]) -> t.Dict[str, t.Any]:
        out = {k: v for k, v in li.items() if not k.startswith("_")}
        out["id"] = self.app.lineitem_id(self.ctx, li["_num"])
        return out

    def _get(self, num: str) -> t.Dict[str, t.Any]:
        li = self._course()["lineitems"].get(num)
        if li is None:
            raise LineItemNotFoundException()
        return li

    # -- abstract methods the library calls ----------------------------------
    def find_lineitems(self, page: int = 1, limit: t.Optional[int] = None, line_item_id: t.Optional[str] = None,
                       resource_link_id: t.Optional[str] = None, resource_id: t.Optional[str] = None,
                       tag: t.Optional[str] = None, **_ignored: t.Any) -> TPage:
        with self.store.lock:
            items = [self._render(li) for li in self._course()["lineitems"].values()
                     if (resource_id is None or li.get("resourceId") == resource_id)
                     and (resource_link_id is None or li.get("resourceLinkId") == resource_link_id)
                     and (tag is None or li.get("tag") == tag)]
        return page_of(items, page, limit, self.app.cfg["page_size"])

    def find_lineitem(self, line_item_id: str) -> t.Dict[str, t.Any]:  # type: ignore[override]
        with self.store.lock:
            return self._render(self._get(line_item_id))

    def create_lineitem(self, creation_data: t.Dict[str, t.Any]) -> t.Dict[str, t.Any]:  # type: ignore[override]
        if not isinstance(creation_data, dict) or "label" not in creation_data \
                or not isinstance(creation_data.get("scoreMaximum"), (int, float)) \
                or creation_data["scoreMaximum"] <= 0:
            raise LtiServiceException("label and positive numeric scoreMaximum required", 400)
        with self.store.lock:
            return self._render(self.store._add_lineitem(self.ctx, dict(creation_data)))

    def update_lineitem(self, update_data: t.Dict[str, t.Any]) -> t.Dict[str, t.Any]:  # type: ignore[override]
        with self.store.lock:
            li = self._get(self.num or "")
            li.update({k: v for k, v in update_data.items() if k != "id"})
            return self._render(li)

    def delete_lineitem(self, line_item_id: str) -> None:
        with self.store.lock:
            self._get(line_item_id)
            del self._course()["lineitems"][line_item_id]

    def update_score(self, line_item_id: str, score: t.Any) -> UpdateScoreStatus:  # type: ignore[override]
        entry: t.Dict[str, t.Any] = {"ctx": self.ctx, "lineitem": line_item_id, "received_at": time.time(),
                                     "body": score}
        with self.store.lock:
            self.store.score_log.append(entry)
            li = self._get(line_item_id)
            if not isinstance(score, dict):
                entry["outcome"] = 400
                raise LtiServiceException("score body must be a JSON object", 400)
            missing = [k for k in ("userId", "timestamp", "activityProgress", "gradingProgress") if k not in score]
            if missing:
                entry["outcome"] = 400
                raise LtiServiceException(f"missing {missing}", 400)
            for k in ("scoreGiven", "scoreMaximum"):
                if k in score and not isinstance(score[k], (int, float)):
                    entry["outcome"] = 400
                    raise LtiServiceException(f"{k} must be a number", 400)
            if "scoreGiven" in score and "scoreMaximum" not in score:
                entry["outcome"] = 400
                raise LtiServiceException("scoreGiven without scoreMaximum", 400)
            try:
                ts_ns = parse_timestamp_ns(score["timestamp"])
            except (ValueError, TypeError) as exc:
                entry["outcome"] = 400
                raise LtiServiceException(str(exc), 400)
            user = str(score["userId"])
            member = next((m for m in self.store.courses[self.ctx]["members"] if m["user_id"] == user), None)
            if member is None or member.get("status", "Active") != "Active" or LEARNER not in member["roles"]:
                entry["outcome"] = 400  # Moodle: "Incorrect score received" when not gradable
                raise LtiServiceException(f"user {user} is not gradable in this course", 400)
            key = (self.ctx, line_item_id, user)
            prev = self.store.scores.get(key)
            if self.app.cfg["timestamp_granularity"] == "second":
                newer = prev is None or ts_ns // 10**9 > prev["_ts_ns"] // 10**9
            else:
                newer = prev is None or ts_ns > prev["_ts_ns"]
            if not newer:
                entry["outcome"] = 409
                return UpdateScoreStatus.OLD_TIMESTAMP
            if self.store.is_locked(self.ctx, line_item_id, user):
                entry["outcome"] = 500  # grade_update fails on a locked item or grade
                raise GradeLocked()
            given = score.get("scoreGiven")
            if score["gradingProgress"] != "FullyGraded":
                given = None  # as Moodle does
            result_score = None
            if given is not None:
                smax = score["scoreMaximum"]
                result_score = given * li["scoreMaximum"] / smax if smax else given
            if prev is not None and prev.get("overridden"):
                # Moodle keeps a grade overridden in the gradebook: the tool's score becomes the
                # raw grade (200), the teacher's stays the one shown.
                self.store.scores[key] = dict(prev, _ts_ns=ts_ns, raw=score)
            else:
                self.store.scores[key] = {"_ts_ns": ts_ns, "score": score, "resultScore": result_score,
                                          "source": "tool"}
            entry["outcome"] = 201 if prev is None else 200
            return UpdateScoreStatus.CREATED if prev is None else UpdateScoreStatus.SUCCESS

    def get_results(self, line_item_id: str, page: int = 1, limit: t.Optional[int] = None,
                    user_id: t.Optional[str] = None, **_ignored: t.Any) -> TPage:
        with self.store.lock:
            li = self._get(line_item_id)
            li_url = self.app.lineitem_id(self.ctx, line_item_id)
            rows = []
            for (ctx, num, user), rec in sorted(self.store.scores.items()):
                if ctx != self.ctx or num != line_item_id or (user_id is not None and user != user_id):
                    continue
                row: t.Dict[str, t.Any] = {"id": self.app.url(self.app.svc(f"/{ctx}/lineitems/{num}/lineitem/results"),
                                                              {"user_id": user}),
                                           "scoreOf": li_url, "userId": user,
                                           "timestamp": rec["score"]["timestamp"]}
                if rec["resultScore"] is not None:
                    row["resultScore"] = rec["resultScore"]
                    row["resultMaximum"] = li["scoreMaximum"]
                if rec["score"].get("comment"):
                    row["comment"] = rec["score"]["comment"]
                rows.append(row)
        return page_of(rows, page, limit, self.app.cfg["page_size"])


class Nrps(NamesRoleProvisioningService):
    def __init__(self, app: "App", request: Request, ctx: str) -> None:
        self.app, self.ctx = app, ctx
        self.last_page: t.Optional[TPage] = None
        super().__init__(request, app.platform(), context_memberships_url=app.plain_url(app.svc(f"/{ctx}/memberships")))

    def get_context_by_id(self) -> Context:
        c = self.app.store.courses[self.ctx]
        return Context(id=self.ctx, label=c["label"], title=c["title"])

    def get_member_data_page(self, page: int = 1, limit: t.Optional[int] = None, role: t.Optional[str] = None,
                             since: t.Optional[str] = None, **_ignored: t.Any) -> TPage:
        with self.app.store.lock:
            members = [dict(m) for m in self.app.store.courses[self.ctx]["members"]
                       if role is None or any(r == role or r.endswith("#" + role) for r in m["roles"])]
        self.last_page = page_of(members, page, limit, self.app.cfg["page_size"])
        return self.last_page

    def is_resource_link_valid(self, context_id: str, resource_link_id: str) -> bool:
        return True


# ------------------------------------------------------------------ LTI 1.1 outcomes

class Lti11Validator(RequestValidator):
    """What oauthlib asks of the LMS: the consumer's secret, and whether a nonce is fresh.
    One per request, so that `problem` says why *this* request failed (oauthlib's
    SignatureOnlyEndpoint only answers valid or not)."""

    enforce_ssl = False  # the tests speak plain HTTP on loopback
    allowed_signature_methods = ("HMAC-SHA1",)  # the only one LTI 1.1 names
    dummy_client = "unknown-consumer"  # stands in for an unknown key, so the check takes as long

    def __init__(self, app: "App") -> None:
        super().__init__()
        self.app = app
        self.problem: t.Optional[str] = None
        self.nonce_checked = False

    @property
    def timestamp_lifetime(self) -> int:  # type: ignore[override]
        return int(self.app.cfg["lti11_timestamp_lifetime"])

    # Consumer keys and nonces are free text in LTI 1.1 (Moodle's keys are site-chosen).
    def check_client_key(self, client_key: str) -> bool:
        return 0 < len(client_key) <= 255

    def check_nonce(self, nonce: str) -> bool:
        return 0 < len(nonce) <= 255

    def validate_client_key(self, client_key: str, request: t.Any) -> bool:
        ok = hmac.compare_digest(client_key.encode(), self.app.cfg["lti11_consumer_key"].encode())
        if not ok:
            self.problem = f"unknown oauth_consumer_key {client_key!r}"
        return ok

    def get_client_secret(self, client_key: str, request: t.Any) -> str:
        if client_key == self.app.cfg["lti11_consumer_key"]:
            return self.app.cfg["lti11_secret"]
        return "not-the-secret"  # the dummy client's

    def validate_timestamp_and_nonce(self, client_key: str, timestamp: str, nonce: str, request: t.Any,
                                     request_token: t.Any = None, access_token: t.Any = None) -> bool:
        # oauthlib has already refused timestamps outside the window; nonces only need
        # remembering that long.
        self.nonce_checked = True
        store, now = self.app.store, time.time()
        with store.lock:
            window = self.timestamp_lifetime * 2
            store.lti11_nonces = {k: at for k, at in store.lti11_nonces.items() if at > now - window}
            if (client_key, nonce) in store.lti11_nonces:
                self.problem = "oauth_nonce already used: the request was replayed"
                return False
            store.lti11_nonces[(client_key, nonce)] = now
        return True


def pox_children(element: ElementTree.Element, name: str) -> t.List[ElementTree.Element]:
    """Descendants by local name: tools differ in namespace use."""
    return [e for e in element.iter() if e.tag.rsplit("}", 1)[-1] == name]


def pox_text(element: ElementTree.Element, name: str) -> t.Optional[str]:
    found = pox_children(element, name)
    return None if not found else (found[0].text or "")


def pox_result(status: int, code: str, description: str, message_ref: str = "", operation: str = "",
               body: str = "") -> Result:
    """A POX response envelope; `operation` is e.g. "replaceResult" (Request dropped)."""
    response = f"<{operation}Response>{body}</{operation}Response>" if operation else ""
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<imsx_POXEnvelopeResponse xmlns="{POX_NS}">'
        "<imsx_POXHeader><imsx_POXResponseHeaderInfo><imsx_version>V1.0</imsx_version>"
        f"<imsx_messageIdentifier>{time.time_ns()}</imsx_messageIdentifier><imsx_statusInfo>"
        f"<imsx_codeMajor>{code}</imsx_codeMajor><imsx_severity>{'status' if code == 'success' else 'error'}"
        f"</imsx_severity><imsx_description>{xml_escape(description)}</imsx_description>"
        f"<imsx_messageRefIdentifier>{xml_escape(message_ref)}</imsx_messageRefIdentifier>"
        f"<imsx_operationRefIdentifier>{xml_escape(operation)}</imsx_operationRefIdentifier>"
        f"</imsx_statusInfo></imsx_POXResponseHeaderInfo></imsx_POXHeader><imsx_POXBody>{response}"
        "</imsx_POXBody></imsx_POXEnvelopeResponse>"
    )
    return status, {"Content-Type": "application/xml"}, xml.encode()


# ----------------------------------------------------------------------- the app

class HttpError(Exception):
    def __init__(self, status: int, body: t.Any, headers: t.Optional[t.Dict[str, str]] = None) -> None:
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


Result = t.Tuple[int, t.Dict[str, str], bytes]


def json_result(status: int, body: t.Any, content_type: str = "application/json",
                headers: t.Optional[t.Dict[str, str]] = None) -> Result:
    h = {"Content-Type": content_type}
    h.update(headers or {})
    return status, h, (b"" if body is None else json.dumps(body).encode())


def moodle_error_page(message: str) -> bytes:
    """The shape of the page Moodle (theme Boost) answers when a request ends in an exception
    it does not turn into JSON: a full themed page, the message in p.errormessage."""
    m = xml_escape(message)
    return (
        '<!DOCTYPE html>\n<html dir="ltr" lang="en" xml:lang="en">\n<head>\n'
        "    <title>Error | Moodle</title>\n"
        '    <link rel="shortcut icon" href="/theme/image.php/boost/theme/1/favicon" />\n'
        '    <meta http-equiv="Content-Type" content="text/html; charset=utf-8" />\n'
        '    <script>var M = {}; M.yui = {};</script>\n</head>\n'
        '<body id="page-mod-lti-services" class="format-site path-mod path-mod-lti chrome dir-ltr lang-en">\n'
        '<div id="page-wrapper" class="d-print-block"><div id="page" class="container-fluid">\n'
        '<div id="region-main-box"><section id="region-main" aria-label="Content">\n'
        '<div role="main"><span id="maincontent"></span>\n'
        '<div class="box errorbox alert alert-danger">\n'
        f'<p class="errormessage">{m}</p>\n'
        '<p class="errorcode"><a href="https://docs.moodle.org/405/en/error/moodle/generalexceptionmessage">'
        "More information about this error</a></p>\n</div>\n"
        '<div class="continuebutton"><a href="/">Continue</a></div>\n'
        "</div></section></div></div></div>\n"
        + "<!-- page footer -->\n" * 20
        + "</body>\n</html>\n"
    ).encode()


class App:
    def __init__(self, cfg: t.Dict[str, t.Any]) -> None:
        self.cfg = cfg
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.cfg["platform_private_pem"] = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
        self.cfg["platform_public_pem"] = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        self.store = Store(cfg)

    # URLs ------------------------------------------------------------------
    def url(self, path: str, query: t.Optional[t.Dict[str, str]] = None) -> str:
        q = dict(query or {})
        if self.cfg["type_id"] is not None and not path.startswith("/_test"):
            q = {"type_id": str(self.cfg["type_id"]), **q}
        return self.cfg["base_url"] + path + ("?" + urlencode(q) if q else "")

    def svc(self, path: str) -> str:
        return self.cfg["service_prefix"] + path

    def plain_url(self, path: str) -> str:
        return self.cfg["base_url"] + path

    def lineitem_id(self, ctx: str, num: str) -> str:
        return self.url(self.svc(f"/{ctx}/lineitems/{num}/lineitem"))

    def platform(self) -> PlatformConf:
        return PlatformConf(settings=self.cfg)

    def link_header(self, next_url: str, req_url: str) -> str:
        style = self.cfg["link_style"]
        if style == "library":
            return f"<{next_url}>; rel=next"
        if style == "rfc":
            return f'<{next_url}>; rel="next"'
        if style == "relative":
            parts = urlsplit(next_url)
            return f'<{parts.path}{"?" + parts.query if parts.query else ""}>; rel="next"'
        # Moodle: one header, several links, typographic quotes
        return (f"<{req_url}>; rel=\u201ccanonical\u201d, <{next_url}>; rel=\u201cnext\u201d")

    # dispatch ----------------------------------------------------------------
    def handle(self, method: str, target: str, headers: t.Mapping[str, str], body: bytes) -> Result:
        parts = urlsplit(target)
        path, query = parts.path, dict(parse_qsl(parts.query, keep_blank_values=True))
        self.store.request_log.append({"t": time.time(), "method": method, "target": target,
                                       "content_type": headers.get("Content-Type"),
                                       "accept": headers.get("Accept"),
                                       "authorization": headers.get("Authorization"),
                                       "body": body.decode("utf-8", "replace")})
        if path.startswith("/_test/"):
            try:
                return self.control(method, path, body)
            except HttpError as e:
                return json_result(e.status, e.body, headers=e.headers)
        fault = self.store.match_fault(method, target, body)
        if fault:
            if fault.get("delay_ms"):
                time.sleep(fault["delay_ms"] / 1000)
            if fault.get("status") and fault.get("moodle_error"):
                return fault["status"], {"Content-Type": "text/html; charset=utf-8", **(fault.get("headers") or {})}, \
                    moodle_error_page(fault["moodle_error"])
            if fault.get("status"):
                return json_result(fault["status"], fault.get("body", {"error": "injected fault"}),
                                   headers=fault.get("headers"))
        try:
            return self.route(method, path, query, headers, body, target)
        except HttpError as e:
            return json_result(e.status, e.body, headers=e.headers)

    def route(self, method: str, path: str, query: t.Dict[str, str], headers: t.Mapping[str, str],
              body: bytes, target: str) -> Result:
        if path == "/.well-known/jwks.json" and method == "GET":
            return json_result(200, self.platform().get_jwks())
        if path == self.cfg["token_path"]:
            if method != "POST":
                raise HttpError(405, {"error": "method not allowed"})
            return self.token(headers, body)
        if path == self.cfg["lti11_path"]:
            if method != "POST":
                raise HttpError(405, {"error": "method not allowed"})
            return self.lti11_outcomes(target, headers, body)
        pre = self.cfg["service_prefix"]
        if pre and not path.startswith(pre + "/"):
            raise HttpError(404, {"error": "not found"})
        m = re.fullmatch(r"/([^/]+)/(lineitems|memberships)(?:/([^/]+)/lineitem(?:/(scores|results))?)?",
                         path[len(pre):])
        if not m or m.group(1) not in self.store.courses:
            raise HttpError(404, {"error": "not found"})
        ctx, kind, num, sub = m.groups()
        if self.cfg["type_id"] is not None and query.get("type_id") != str(self.cfg["type_id"]):
            raise HttpError(403, {"error": f"type_id must be {self.cfg['type_id']}"})
        if kind == "memberships":
            if num is not None:
                raise HttpError(404, {"error": "not found"})
            return self.service_call(method, path, query, headers, body, "nrps", ctx, None, None)
        return self.service_call(method, path, query, headers, body, "ags", ctx, num, sub)

    # LTI 1.1 Basic Outcomes ------------------------------------------------------------
    def lti11_outcomes(self, target: str, headers: t.Mapping[str, str], body: bytes) -> Result:
        entry: t.Dict[str, t.Any] = {"received_at": time.time(), "consumer_key": self.lti11_consumer_of(headers),
                                     "operation": None, "sourcedid": None, "score": None, "message_id": None}
        with self.store.lock:
            self.store.lti11_log.append(entry)

        def answer(status: int, code: str, description: str, body: str = "") -> Result:
            entry.update(http_status=status, code_major=code, description=description)
            return pox_result(status, code, description, entry["message_id"] or "",
                              (entry["operation"] or "").removesuffix("Request"), body)

        ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/xml":
            return answer(415, "failure", f"Content-Type must be application/xml, not {ctype or 'missing'}")
        problem = self.lti11_oauth_problem(target, headers, body)
        if problem:
            return answer(401, "failure", f"OAuth check failed: {problem}")
        try:
            root = ElementTree.fromstring(body)
        except ElementTree.ParseError as e:
            return answer(400, "failure", f"the body is not XML: {e}")
        entry["message_id"] = pox_text(root, "imsx_messageIdentifier")
        bodies = pox_children(root, "imsx_POXBody")
        ops = list(bodies[0]) if bodies else []
        if root.tag.rsplit("}", 1)[-1] != "imsx_POXEnvelopeRequest" or len(ops) != 1:
            return answer(400, "failure", "expected an imsx_POXEnvelopeRequest with one operation in imsx_POXBody")
        operation = entry["operation"] = ops[0].tag.rsplit("}", 1)[-1]
        sourcedid = entry["sourcedid"] = pox_text(ops[0], "sourcedId")
        if operation not in ("replaceResultRequest", "readResultRequest", "deleteResultRequest"):
            return answer(200, "unsupported", f"{operation} is not supported by this LMS")
        with self.store.lock:
            if sourcedid is None or sourcedid not in self.store.lti11_sourcedids:
                return answer(200, "failure", f"sourcedid {sourcedid!r} is not a gradable result in this LMS")
            if operation == "readResultRequest":
                score = self.store.lti11_results.get(sourcedid, "")
                return answer(200, "success", f"result of {sourcedid} read",
                              f"<result><resultScore><language>en</language><textString>{xml_escape(score)}"
                              "</textString></resultScore></result>")
            if operation == "deleteResultRequest":
                self.store.lti11_results.pop(sourcedid, None)
                return answer(200, "success", f"result of {sourcedid} deleted")
            text = entry["score"] = (pox_text(ops[0], "textString") or "").strip()
            try:
                value = float(text)
            except ValueError:
                value = math.nan
            if not 0.0 <= value <= 1.0:   # NaN fails this too
                return answer(200, "failure", f"score {text!r} is not a number from 0.0 to 1.0")
            self.store.lti11_results[sourcedid] = text
            return answer(200, "success", f"score of {sourcedid} is now {text}")

    @staticmethod
    def lti11_consumer_of(headers: t.Mapping[str, str]) -> t.Optional[str]:
        m = re.search(r'oauth_consumer_key="([^"]*)"', headers.get("Authorization") or "")
        return m.group(1) if m else None

    def lti11_oauth_problem(self, target: str, headers: t.Mapping[str, str], body: bytes) -> t.Optional[str]:
        """None when the request is signed by the consumer, with a fresh nonce and timestamp
        and a body hash matching the body; else what is wrong, in words."""
        validator = Lti11Validator(self)
        # The URI as the tool saw it: oauthlib signs scheme, host, port, path and query.
        uri = self.cfg["base_url"] + target
        valid, request = SignatureOnlyEndpoint(validator).validate_request(
            uri, "POST", body.decode("utf-8", "replace"), dict(headers.items()))
        if request is None:
            return "no readable OAuth parameters in the Authorization header"
        if not valid:
            if validator.problem:
                return validator.problem
            if not validator.nonce_checked:   # refused by oauthlib's parameter checks
                ts, lifetime = request.timestamp or "", validator.timestamp_lifetime
                if ts.isdigit() and abs(time.time() - int(ts)) > lifetime:
                    return f"oauth_timestamp {ts} is more than {lifetime} s away from the LMS's clock"
                return "OAuth parameters missing or invalid (HMAC-SHA1, oauth_version 1.0, " \
                       "consumer key, nonce, timestamp and signature are required)"
            return "the OAuth signature does not match: the consumer secret differs, or the request was altered"
        claimed = request.oauth_params.get("oauth_body_hash")
        if claimed is None:
            return "oauth_body_hash is missing"
        actual = base64.b64encode(hashlib.sha1(body).digest()).decode()
        if not hmac.compare_digest(claimed.encode(), actual.encode()):
            return "oauth_body_hash does not match the body"
        return None

    # token endpoint --------------------------------------------------------------
    def token(self, headers: t.Mapping[str, str], body: bytes) -> Result:
        def fail(error: str, desc: str) -> Result:
            # Moodle answers 400 {"error": ...} for every failure
            return json_result(400, {"error": error, "error_description": desc})

        ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            return fail("invalid_request", "token request must be application/x-www-form-urlencoded")
        form = dict(parse_qsl(body.decode(), keep_blank_values=True))
        if form.get("client_assertion_type") != JWT_BEARER:
            return fail("invalid_request", "client_assertion_type must be " + JWT_BEARER)
        # Moodle grants only what the tool's enabled services permit (token.php intersects the
        # asked scopes with them; none left is invalid_scope).
        if "scope" in form:
            permitted = self.permitted_scopes()
            form["scope"] = " ".join(x for x in form["scope"].split() if x in permitted)
        platform = self.platform()
        try:
            resp = platform.get_access_token(form)  # library: JWKS fetch, kid+alg match, RS256 + exp check
        except MissingRequiredClaim as e:
            return fail("invalid_request", str(e))
        except UnsupportedGrantType:
            return fail("unsupported_grant_type", "grant_type must be client_credentials")
        except (LtiException, jwt.PyJWTError, ValueError) as e:
            return fail("invalid_client", f"{type(e).__name__}: {e}")
        # Checks the library skips (signature is already verified at this point).
        header = jwt.get_unverified_header(form["client_assertion"])
        claims = jwt.decode(form["client_assertion"], options={"verify_signature": False})
        cid = self.cfg["client_id"]
        aud_expected = self.cfg["token_audience"] or self.url(self.cfg["token_path"]).split("?")[0]
        aud = claims.get("aud")
        auds = aud if isinstance(aud, list) else [aud]
        problems = []
        if header.get("alg") != "RS256":
            problems.append("alg must be RS256")
        if claims.get("iss") != cid or claims.get("sub") != cid:
            problems.append(f"iss and sub must both be the client_id {cid!r}")
        if aud_expected not in auds:
            problems.append(f"aud must be {aud_expected!r}")
        for c in ("iat", "exp", "jti"):
            if c not in claims:
                problems.append(f"{c} is required")
        if problems:
            return fail("invalid_client", "; ".join(problems))
        with self.store.lock:
            now = time.time()
            self.store.seen_jti = {j: e for j, e in self.store.seen_jti.items() if e > now}
            if claims["jti"] in self.store.seen_jti:
                return fail("invalid_client", "jti already used")
            self.store.seen_jti[claims["jti"]] = float(claims["exp"])
            self.store.tokens_issued += 1
        if not resp["scope"]:
            return fail("invalid_scope", "no supported scope requested")
        resp["token_type"] = "Bearer"
        return json_result(200, resp)

    def permitted_scopes(self) -> t.Set[str]:
        ags = {"column_management": [SCOPE_LINEITEM, SCOPE_LINEITEM_RO, SCOPE_RESULT_RO, SCOPE_SCORE],
               "sync_only": [SCOPE_LINEITEM_RO, SCOPE_RESULT_RO, SCOPE_SCORE], "off": []}
        return set(ags[self.cfg["ags_service"]]) | ({SCOPE_NRPS} if self.cfg["nrps_service"] else set())

    # AGS / NRPS via the library's handlers ------------------------------------------
    def service_call(self, method: str, path: str, query: t.Dict[str, str], headers: t.Mapping[str, str],
                     body: bytes, kind: str, ctx: str, num: t.Optional[str], sub: t.Optional[str]) -> Result:
        ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        data = None
        if body:
            try:
                data = json.loads(body)
            except ValueError:
                raise HttpError(400, {"error": "body is not JSON"})
        if self.cfg["strict_content_type"] and method in ("POST", "PUT"):
            want = SCORE_MEDIA_TYPE if sub == "scores" else "application/vnd.ims.lis.v2.lineitem+json"
            if ctype != want:
                raise HttpError(400, {"error": f"Content-Type must be {want}"})
        try:
            lib_query = qs_for_library({k: v for k, v in query.items() if k != "type_id"})
        except LtiServiceException as e:
            raise HttpError(e.status_code, {"error": e.message})
        req = PlainRequest({"method": method, "form_data": {}, "get_data": lib_query, "headers": headers,
                            "content_type": ctype, "path": path, "json": data})
        self.check_scope(method, headers, kind, num, sub)

        svc: t.Any
        if kind == "nrps":
            svc = Nrps(self, req, ctx)
            fn, kw = svc.handle_get_members, {}
        else:
            svc = Ags(self, req, ctx, num)
            if num is None:
                fn = {"GET": svc.handle_get_lineitems, "POST": svc.handle_create_lineitem}.get(method)
                kw = {}
            elif sub is None:
                fn = {"GET": svc.handle_get_lineitem, "PUT": svc.handle_update_lineitem,
                      "DELETE": svc.handle_delete_lineitem}.get(method)
                kw = {"line_item_id": num}
            elif sub == "scores":
                fn, kw = svc.handle_update_score, {"line_item_id": num}
            else:
                fn, kw = svc.handle_get_results, {"line_item_id": num}
            if fn is None:
                raise HttpError(405, {"error": "method not allowed"})
        try:
            resp: Response = svc.handle_resp(fn, **kw)
        except (LtiException, jwt.PyJWTError) as e:   # raised by validate_token, not mapped by the library
            raise HttpError(401, {"error": f"invalid access token: {e}"})
        except GradeLocked:
            return MOODLE_NOT_STORED
        return self.render(resp, kind, svc, query, path)

    def check_scope(self, method: str, headers: t.Mapping[str, str], kind: str, num: t.Optional[str],
                    sub: t.Optional[str]) -> None:
        """Per-endpoint scope (the library accepts any one of the service's scopes)."""
        if not self.cfg["strict_scopes"]:
            return
        auth = (headers.get("Authorization") or "").split()
        if len(auth) != 2 or auth[0].lower() != "bearer":
            return  # let the library produce its 401
        try:
            scopes = set(jwt.decode(auth[1], self.cfg["platform_public_pem"], algorithms=["RS256"])
                         .get("scopes", "").split())
        except jwt.PyJWTError:
            return  # library will reject
        if kind == "nrps":
            need = {SCOPE_NRPS}
        elif sub == "scores":
            need = {SCOPE_SCORE}
        elif sub == "results":
            need = {SCOPE_RESULT_RO}
        elif method == "GET":
            need = {SCOPE_LINEITEM, SCOPE_LINEITEM_RO}
        else:
            need = {SCOPE_LINEITEM}
        if not scopes & need:
            raise HttpError(401, {"error": f"token lacks scope {sorted(need)}"})  # Moodle: 401

    def render(self, resp: Response, kind: str, svc: t.Any, query: t.Dict[str, str], path: str) -> Result:
        if not 200 <= resp.code < 300:
            return json_result(resp.code, {"error": resp.message})
        result = resp.result
        req_url = self.cfg["base_url"] + path + ("?" + urlencode(query) if query else "")
        next_url = None
        if isinstance(result, dict):
            next_url = result.pop("next", None)
            if kind == "nrps" and not next_url and svc.last_page and svc.last_page["has_next"]:
                # library only pages NRPS when the client sent ?limit; we page server-side anyway
                q = {k: v for k, v in query.items() if k != "type_id"}
                q["page"] = str(int(q.get("page", 1)) + 1)
                next_url = self.url(path, q)
            if "content" in result:
                result = result["content"]
        if next_url and self.cfg["type_id"] is not None and "type_id=" not in next_url:
            next_url += ("&" if "?" in next_url else "?") + f"type_id={self.cfg['type_id']}"
        headers = {"Link": self.link_header(next_url, req_url)} if next_url else {}
        if result is None and resp.code in (200, 201, 202):
            result = {} if resp.media_type.endswith("json") and kind == "ags" else None
        return json_result(resp.code, result, content_type=resp.media_type, headers=headers)

    # test control API -----------------------------------------------------------------
    def control(self, method: str, path: str, body: bytes) -> Result:
        s = self.store
        data = json.loads(body) if body else None
        with s.lock:
            if path == "/_test/reset" and method == "POST":
                s.reset()
                return json_result(200, {"ok": True})
            if path == "/_test/faults" and method == "POST":
                rules = data if isinstance(data, list) else [data]
                s.faults.extend(rules)
                return json_result(200, s.faults)
            if path == "/_test/config" and method == "POST":
                settable = {"ags_service", "nrps_service", "link_style", "page_size"}
                unknown = set(data) - settable
                if unknown:
                    return json_result(400, {"error": f"not settable: {sorted(unknown)}"})
                self.cfg.update(data)
                return json_result(200, {k: self.cfg[k] for k in sorted(settable)})
            if path == "/_test/faults" and method == "GET":
                return json_result(200, s.faults)
            if path == "/_test/faults" and method == "DELETE":
                s.faults.clear()
                return json_result(200, [])
            if path == "/_test/scores" and method == "GET":
                return json_result(200, {"log": s.score_log, "current": [
                    {"ctx": k[0], "lineitem": k[1], "userId": k[2], "score": v["score"],
                     "resultScore": v["resultScore"], "source": v["source"]} for k, v in sorted(s.scores.items())]})
            if path == "/_test/scores" and method == "POST":
                return self.teacher_grade(data)
            if path == "/_test/locks" and method == "POST":
                ctx, num = self.control_lineitem(data)
                lock = (ctx, num, None if data.get("userId") is None else str(data["userId"]))
                if data.get("locked", True):
                    s.locks.add(lock)
                else:
                    s.locks.discard(lock)
                return self.locks()
            if path == "/_test/locks" and method == "GET":
                return self.locks()
            if path == "/_test/locks" and method == "DELETE":
                s.locks.clear()
                return self.locks()
            if path == "/_test/requests" and method == "GET":
                return json_result(200, s.request_log)
            if path == "/_test/state" and method == "GET":
                return json_result(200, {
                    "tokens_issued": s.tokens_issued,
                    "courses": {ctx: {"lineitems": [dict(v, id=self.lineitem_id(ctx, k))
                                                    for k, v in c["lineitems"].items()],
                                      "members": c["members"]} for ctx, c in s.courses.items()},
                    "endpoints": self.endpoints()})
            if path == "/_test/members" and method == "POST":   # {"ctx": "42", "members": [...]}
                s.courses[str(data["ctx"])]["members"] = data["members"]
                return json_result(200, {"ok": True})
            if path == "/_test/lti11/sourcedids" and method == "POST":  # ["sid", ...] or {"sourcedids": [...]}
                added = data if isinstance(data, list) else data["sourcedids"]
                s.lti11_sourcedids.update(str(x) for x in added)
                return json_result(200, {"sourcedids": sorted(s.lti11_sourcedids)})
            if path == "/_test/lti11/results" and method == "POST":  # a teacher's grade
                sourcedid, score = str(data.get("sourcedid")), data.get("score")
                if sourcedid not in s.lti11_sourcedids:
                    return json_result(404, {"error": f"sourcedid {sourcedid!r} is not a gradable result"})
                if score is None:
                    s.lti11_results.pop(sourcedid, None)
                elif isinstance(score, (int, float)) and not isinstance(score, bool) and 0 <= score <= 1:
                    s.lti11_results[sourcedid] = str(float(score))
                else:
                    return json_result(400, {"error": "score must be a number from 0 to 1, or null"})
                return json_result(200, {"sourcedid": sourcedid, "score": s.lti11_results.get(sourcedid)})
            if path == "/_test/lti11/results" and method == "GET":
                return json_result(200, {"results": s.lti11_results, "log": s.lti11_log,
                                         "sourcedids": sorted(s.lti11_sourcedids)})
        return json_result(404, {"error": "unknown control endpoint"})

    def control_lineitem(self, data: t.Any) -> t.Tuple[str, str]:
        """The (ctx, line item number) a control body names: `lineitem` as the line item's id
        URL, its number, or its resourceId."""
        if not isinstance(data, dict) or "lineitem" not in data:
            raise HttpError(400, {"error": "give ctx and lineitem"})
        ctx, ref = str(data.get("ctx", "42")), str(data["lineitem"])
        course = self.store.courses.get(ctx)
        if course is None:
            raise HttpError(404, {"error": f"no course {ctx}"})
        m = re.search(r"/lineitems/([^/?]+)/lineitem", ref)
        num = m.group(1) if m else ref
        if num in course["lineitems"]:
            return ctx, num
        found = [n for n, li in course["lineitems"].items() if li.get("resourceId") == ref]
        if len(found) != 1:
            raise HttpError(404, {"error": f"no line item {ref!r} in course {ctx}"})
        return ctx, found[0]

    def teacher_grade(self, data: t.Any) -> Result:
        """A grade set in the gradebook by hand (POST /_test/scores)."""
        ctx, num = self.control_lineitem(data)
        user, given = str(data.get("userId", "")), data.get("resultScore")
        if given is not None and (isinstance(given, bool) or not isinstance(given, (int, float))):
            raise HttpError(400, {"error": "resultScore must be a number or null"})
        s = self.store
        if not any(m["user_id"] == user for m in s.courses[ctx]["members"]):
            raise HttpError(400, {"error": f"user {user!r} is not a member of course {ctx}"})
        li = s.courses[ctx]["lineitems"][num]
        now_ns = time.time_ns()
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now_ns // 10**9)) + f".{now_ns % 10**9 // 1000:06d}Z"
        score = {"userId": user, "scoreGiven": given, "scoreMaximum": li["scoreMaximum"], "timestamp": stamp,
                 "activityProgress": "Completed", "gradingProgress": "FullyGraded"}
        overridden = bool(data.get("overridden", False))
        s.scores[(ctx, num, user)] = {"_ts_ns": now_ns, "score": score, "resultScore": given, "source": "gradebook",
                                      "overridden": overridden}
        return json_result(200, {"ctx": ctx, "lineitem": self.lineitem_id(ctx, num), "userId": user,
                                 "resultScore": given, "source": "gradebook", "overridden": overridden})

    def locks(self) -> Result:
        return json_result(200, {"locks": [
            {"ctx": ctx, "lineitem": self.lineitem_id(ctx, num), "userId": user}
            for ctx, num, user in sorted(self.store.locks, key=lambda k: (k[0], k[1], k[2] or ""))]})

    def endpoints(self) -> t.Dict[str, t.Any]:
        return {
            "issuer": self.cfg["base_url"],
            "client_id": self.cfg["client_id"],
            "deployment_id": self.cfg["deployment_id"],
            "token_url": self.url(self.cfg["token_path"]).split("?")[0],
            "platform_jwks_url": self.cfg["base_url"] + "/.well-known/jwks.json",
            "lti11_outcomes_url": self.url(self.cfg["lti11_path"]),
            "lti11_consumer_key": self.cfg["lti11_consumer_key"],
            "courses": {ctx: {"lineitems": self.url(self.svc(f"/{ctx}/lineitems")),
                              "context_memberships_url": self.url(self.svc(f"/{ctx}/memberships"))}
                        for ctx in self.store.courses},
        }


class Handler(BaseHTTPRequestHandler):
    app: App
    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes; with Nagle's algorithm on, each answer on a
    # kept-alive connection would wait for the client's delayed ACK (about 40 ms).
    disable_nagle_algorithm = True

    def _do(self) -> None:
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        try:
            status, headers, out = self.app.handle(self.command, self.path, self.headers, body)
        except Exception as e:  # noqa: BLE001 - a test server should answer, not die
            status, headers, out = json_result(500, {"error": f"platform bug: {type(e).__name__}: {e}"})
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_GET = do_POST = do_PUT = do_DELETE = _do

    def send_header(self, keyword: str, value: str) -> None:
        # Moodle's typographic quotes are not latin-1; send them as UTF-8 bytes like PHP does
        if keyword == "Link":
            self._headers_buffer.append(f"{keyword}: {value}\r\n".encode("utf-8"))
            return
        super().send_header(keyword, value)

    def log_message(self, fmt: str, *args: t.Any) -> None:
        if not self.app.cfg.get("quiet"):
            sys.stderr.write("platform: " + (fmt % args) + "\n")


def main(argv: t.Optional[t.List[str]] = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", help="JSON file; keys as in DEFAULT_CONFIG (merged over the defaults)")
    ap.add_argument("--host")
    ap.add_argument("--port", type=int, help="0 = pick a free port")
    ap.add_argument("--base-url")
    ap.add_argument("--client-id")
    ap.add_argument("--tool-jwks-url")
    ap.add_argument("--type-id", type=int)
    ap.add_argument("--moodle-paths", action="store_true",
                    help="token at /mod/lti/token.php, services under /mod/lti/services.php, "
                         "LTI 1.1 outcomes at /mod/lti/service.php")
    ap.add_argument("--page-size", type=int)
    ap.add_argument("--link-style", choices=["moodle", "rfc", "library", "relative"])
    ap.add_argument("--timestamp-granularity", choices=["second", "exact"])
    ap.add_argument("--lti11-consumer-key")
    ap.add_argument("--lti11-secret")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args(argv)
    cfg = json.loads(json.dumps(DEFAULT_CONFIG))
    if a.config:
        with open(a.config) as f:
            cfg.update(json.load(f))
    for k in ("host", "port", "base_url", "client_id", "tool_jwks_url", "type_id", "page_size", "link_style",
              "timestamp_granularity", "lti11_consumer_key", "lti11_secret"):
        if getattr(a, k) is not None:
            cfg[k] = getattr(a, k)
    if a.moodle_paths:
        cfg["token_path"], cfg["service_prefix"] = "/mod/lti/token.php", "/mod/lti/services.php"
        cfg["lti11_path"] = "/mod/lti/service.php"
    cfg["quiet"] = a.quiet or cfg.get("quiet", False)
    server = ThreadingHTTPServer((cfg["host"], cfg["port"]), Handler)
    cfg["port"] = server.server_address[1]
    cfg["base_url"] = (cfg["base_url"] or f"http://{cfg['host']}:{cfg['port']}").rstrip("/")
    Handler.app = App(cfg)
    # One JSON line on stdout so a test harness can read the real port and URLs.
    print(json.dumps({"ready": True, "port": cfg["port"], **Handler.app.endpoints()}), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
