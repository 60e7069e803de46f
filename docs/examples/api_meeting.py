#!/usr/bin/env python3
"""Drive a whole cell meeting through chibo's API alone (Python standard library only).

A secretary's token plans the meeting, sends the notice, opens it, takes attendance, opens a secret ballot
on one item; each voter casts with their own token (and keeps the receipt), the paper ballots are entered,
the ballot is closed and counted; the meeting closes and its minutes are drafted and approved. Then a
member's status is changed by decision, and (with an organization officer's token) a new version of a rule
is added. Prints one JSON summary; exits non-zero with the server's answer on the first refusal.

    CHIBO_URL=https://chibo.example.org CHIBO_TOKEN=… CHIBO_OFFICER_TOKEN=… CHIBO_VOTER_TOKENS=a,b \\
        python3 docs/examples/api_meeting.py --cell 12 --status-member 345

Tokens are made on each person's account page (Tài khoản › Mã truy cập API) or with `chibo token create`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from datetime import date, timedelta


class Refused(Exception):
    pass


class Client:
    def __init__(self, base: str, token: str):
        self.base, self.token = base.rstrip("/"), token

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.base}/api/v1/{path.lstrip('/')}", data=data, method=method,
                                         headers={"Authorization": f"Token {self.token}",
                                                  "Content-Type": "application/json", "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                raw = answer.read()
        except urllib.error.HTTPError as exc:
            raise Refused(f"{method} {path} → {exc.code}: {exc.read().decode(errors='replace')}") from exc
        return json.loads(raw) if raw else {}

    def get(self, path: str) -> dict:
        return self.call("GET", path)

    def post(self, path: str, body: dict) -> dict:
        return self.call("POST", path, body)

    def every(self, path: str) -> list[dict]:
        """Every item of a paginated list."""
        items, page = [], 1
        while True:
            answer = self.get(f"{path}{'&' if '?' in path else '?'}page={page}")
            items += answer["results"]
            if not answer.get("next"):
                return items
            page += 1


def run(base: str, secretary_token: str, voter_tokens: list[str], officer_token: str, cell: int,
        status_member: int | None, rule_key: str) -> dict:
    sec = Client(base, secretary_token)
    today = date.today()
    meeting = sec.post("meetings/", {"unit": cell, "kind": "regular", "title": f"Sinh hoạt chi bộ tháng {today:%m/%Y}",
                                     "day": today.isoformat(), "time": "18:30", "planned_minutes": 120,
                                     "place": "Phòng họp cơ quan"})
    mid = meeting["id"]

    def act(action: str, **body) -> dict:
        return sec.post(f"meetings/{mid}/actions/", {"action": action, **body})

    act("content", agenda="1. Đánh giá công tác tháng; 2. Bầu tổ trưởng tổ đảng.",
        draft_resolution="Chi bộ thống nhất nhiệm vụ tháng tới.", discussion="Các đồng chí phát biểu ý kiến.",
        conclusion="Chi bộ thống nhất nhiệm vụ tháng tới.")
    act("notice")
    act("open")
    members = [m for m in sec.every(f"members/?unit={cell}") if m["status"] in ("full", "probationary")]
    for m in members:
        act("attendance", member=m["id"], presence="in_person")
    state = act("resolution", title="Bầu tổ trưởng tổ đảng", secret=True)
    item = next(r for r in state["resolutions"] if r["title"] == "Bầu tổ trưởng tổ đảng")
    state = act("ballot_open", resolution=item["id"])
    box = next(r for r in state["resolutions"] if r["id"] == item["id"])["ballot_id"]

    receipts = []
    for token in voter_tokens:
        answer = Client(base, token).post(f"ballots/{box}/actions/", {"action": "cast", "choice": "for"})
        receipts.append(answer["receipt"])
    before = sec.get(f"ballots/{box}/")
    paper_voters = before["eligible_count"] - before["voted_online"]
    sec.post(f"ballots/{box}/actions/", {"action": "paper", "votes_for": paper_voters, "votes_against": 0,
                                         "votes_abstain": 0, "invalid": 0})
    sec.post(f"ballots/{box}/actions/", {"action": "ballot_close"})
    counted = sec.get(f"ballots/{box}/")

    act("close")
    act("minutes_draft")
    final = act("minutes_approve")

    summary = {"meeting": mid, "state": final["state"], "minutes": final.get("minutes_state"),
               "present": len(members), "ballot": box, "receipts": len(receipts), "totals": counted["totals"]}
    if status_member is not None:
        changed = sec.post(f"members/{status_member}/status/", {
            "status": "exempt", "effective_on": today.isoformat(), "document": "Nghị quyết chi bộ",
            "reason": "Tuổi cao, sức yếu; chi bộ đề nghị miễn công tác và sinh hoạt"})
        summary["status_change"] = {"member": status_member, "status": changed["status"]}
    if officer_token:
        officer = Client(base, officer_token)
        current = officer.get(f"rules/{rule_key}/")["in_force"]
        version = officer.post(f"rules/{rule_key}/", {
            "value": current["value"], "effective_from": (today + timedelta(days=30)).isoformat(),
            "basis": "Hướng dẫn của cấp ủy cấp trên (ví dụ)", "confidence": "confirmed"})
        summary["rule_version"] = {"key": rule_key, "effective_from": version["effective_from"]}
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cell", type=int, required=True, help="the cell's unit id")
    parser.add_argument("--status-member", type=int, help="a member whose status changes to exempt")
    parser.add_argument("--rule", default="meeting.min_minutes", help="the rule that gets a new version")
    args = parser.parse_args()
    try:
        summary = run(os.environ.get("CHIBO_URL", "http://127.0.0.1:8000"), os.environ["CHIBO_TOKEN"],
                      [t for t in os.environ.get("CHIBO_VOTER_TOKENS", "").split(",") if t],
                      os.environ.get("CHIBO_OFFICER_TOKEN", ""), args.cell, args.status_member, args.rule)
    except Refused as exc:
        print(exc, file=sys.stderr)
        return 1
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
